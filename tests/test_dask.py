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
from ticker_parse.history import HISTORY_COLUMNS

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


def _keyed(frame: pd.DataFrame) -> list[tuple[str, str, str, float, str]]:
    """The rows every reader must agree on, in a canonical order."""
    times = pd.to_datetime(frame["captured_at"], utc=True).dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    return sorted(
        zip(
            frame["source"].astype(str),
            times,
            frame["symbol"].astype(str),
            frame["price"].astype(float),
            frame["strip_id"].astype(str),
            strict=True,
        )
    )


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_warc_gives_the_same_rows_to_the_cli_read_ticker_and_dask(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A generated WARC beside a text dump: the CLI, read_ticker and the Dask example (on a
    2-worker local cluster, partitioned by capture date, with history) read the same rows."""
    warcgen = pytest.importorskip("tests.warcgen")
    from ticker_parse.cli import main as cli_main

    dumps = tmp_path / "dumps"
    dumps.mkdir()
    # 15 minutes apart: 100 pages span two capture dates
    gen = warcgen.write_benchmark_warc(dumps / "crawl.warc.gz", n=100, size=3_000)
    shutil.copy(OBSERVER_SEED, dumps / "observer.txt")

    library = ticker_parse.read_ticker(gen.path)
    assert library["source"].nunique() == 100
    assert len(library) == 100 * 17
    assert cli_main([str(gen.path), "-o", str(tmp_path / "cli.parquet"), "-q"]) == 0
    capsys.readouterr()
    from_cli = pd.read_parquet(tmp_path / "cli.parquet")

    example = _load_example(monkeypatch)
    out = tmp_path / "parquet"
    hist = tmp_path / "history.csv"
    argv = [str(dumps), str(out), "--partition-by", "date", "--history", str(hist)]
    assert example.main(argv) == 0  # type: ignore[attr-defined]
    from_dask = pd.read_parquet(out)
    dates = from_dask["capture_date"].astype(str)
    assert set(dates) == {"2024-03-04", "2024-03-05", "unknown"}
    assert (dates[from_dask["source"] == "observer.txt"] == "unknown").all()
    from_warc = from_dask[from_dask["source"] != "observer.txt"]

    assert _keyed(from_cli) == _keyed(library)
    assert _keyed(from_warc) == _keyed(library)

    states = pd.read_csv(hist)
    assert list(states.columns)[: len(HISTORY_COLUMNS)] == list(HISTORY_COLUMNS)
    assert states["captures"].sum() == len(library) + 30
