"""Beyond one machine: the Dask example converts a directory of dumps on a local cluster."""

from __future__ import annotations

import gzip
import importlib
import pickle
import shutil
from pathlib import Path

import pandas as pd
import pytest

import ticker_parse
from tests.conftest import BR_SAMPLES, OBSERVER_SEED

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "dask_archive.py"


def _load_example(monkeypatch: pytest.MonkeyPatch) -> object:
    # Workers are fresh processes: they import the example by name, from the same sys.path.
    monkeypatch.syspath_prepend(str(EXAMPLE.parent))
    return importlib.import_module("dask_archive")


def test_conversion_functions_are_picklable() -> None:
    """read_ticker and frame_from_text travel to workers by pickle."""
    for fn in (ticker_parse.read_ticker, ticker_parse.frame_from_text, ticker_parse.empty_frame):
        assert pickle.loads(pickle.dumps(fn)) is fn


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_dask_example_archives_a_directory_to_parquet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Four dumps (one gzipped) on a 2-worker local cluster give every quote, in Parquet."""
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    shutil.copy(OBSERVER_SEED, dumps / "observer.txt")
    for sample in BR_SAMPLES[:2]:
        shutil.copy(sample, dumps / sample.name)
    with gzip.open(dumps / "observer-again.txt.gz", "wb") as fh:
        fh.write(OBSERVER_SEED.read_bytes())

    example = _load_example(monkeypatch)
    out = tmp_path / "parquet"
    assert example.main([str(dumps), str(out), "--workers", "2"]) == 0  # type: ignore[attr-defined]

    frame = pd.read_parquet(out)
    assert len(frame) == 30 + 34 + 34 + 30
    counts = frame.groupby("source")["symbol"].count().to_dict()
    assert counts == {
        "observer.txt": 30,
        "observer-again.txt.gz": 30,
        BR_SAMPLES[0].name: 34,
        BR_SAMPLES[1].name: 34,
    }
    observer = frame[frame["source"] == "observer.txt"]
    assert (observer["issues"] == "percent_as_fraction").all()
    assert list(frame.columns) == list(ticker_parse.empty_frame().columns)
