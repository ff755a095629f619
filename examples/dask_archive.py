"""Convert a directory of ticker dumps and WARC archives to Parquet on a Dask cluster.

    python examples/dask_archive.py DUMPS_DIR OUT_DIR [--scheduler ADDRESS]
        [--partition-by source|date] [--history HISTORY.parquet|.csv]

Each file becomes one partition, converted by ``ticker_parse.read_ticker`` (a pure,
picklable function of the path) on whichever worker Dask picks; ``ticker_parse.empty_frame``
tells Dask the exact columns and dtypes up front. Text dumps (``.txt``, ``.gz``, ``.bz2``,
``.xz``) give rows whose ``source`` is the file name; WARC archives (``.warc``,
``.warc.gz``; needs ``pip install 'ticker_parse[warc]'``) give one row per quote of every
captured page, with the page's URL as ``source`` and its ``WARC-Date`` as ``captured_at``.
Without ``--scheduler`` a local cluster is started.

The output is one Parquet dataset, partitioned by source file (the default) or, with
``--partition-by date``, by capture date (``capture_date=YYYY-MM-DD``, UTC; ``unknown`` for
rows without a capture time). ``--history FILE`` also writes
``ticker_parse.history.history`` of all rows (computed on the client: it needs every
capture of a symbol together).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import dask.dataframe as dd
import pandas as pd
from dask.distributed import Client, LocalCluster

import ticker_parse
from ticker_parse.history import history
from ticker_parse.reading import is_warc_path
from ticker_parse.table import TEXT_DTYPE

_PATTERNS = ("*.txt", "*.txt.gz", "*.txt.bz2", "*.txt.xz", "*.warc", "*.warc.gz")
PARTITION_COLUMN = "capture_date"


def convert(path: str) -> pd.DataFrame:
    """One file to one partition: its quotes, and where they came from."""
    frame = ticker_parse.read_ticker(path)
    if not is_warc_path(path):  # a WARC's rows name their page's URL already
        frame["source"] = pd.Series([Path(path).name] * len(frame), dtype=TEXT_DTYPE)
    return frame


def convert_dated(path: str) -> pd.DataFrame:
    """:func:`convert` with the capture date (UTC) as a column to partition on."""
    frame = convert(path)
    dates = frame["captured_at"].dt.strftime("%Y-%m-%d").fillna("unknown")
    frame[PARTITION_COLUMN] = pd.Series(dates.to_numpy(dtype=object), dtype=TEXT_DTYPE)
    return frame


def meta(*, dated: bool = False) -> pd.DataFrame:
    """The exact empty frame of :func:`convert` (or :func:`convert_dated`), for Dask."""
    frame = ticker_parse.empty_frame()
    if dated:
        frame[PARTITION_COLUMN] = pd.Series([], dtype=TEXT_DTYPE)
    return frame


def archive(
    dumps: Path,
    out: Path,
    client: Client,
    *,
    partition_by: str = "source",
    history_path: Path | None = None,
) -> int:
    """Convert every dump under ``dumps`` into Parquet under ``out``; returns the row count."""
    paths = sorted({str(p) for pattern in _PATTERNS for p in dumps.glob(pattern)})
    if not paths:
        raise SystemExit(f"no dumps ({', '.join(_PATTERNS)}) in {dumps}")
    dated = partition_by == "date"
    frame = dd.from_map(
        convert_dated if dated else convert, paths, meta=meta(dated=dated), enforce_metadata=True
    )
    # One pass computes both: the row count and the Parquet files.
    rows = frame.map_partitions(len, meta=(None, "int64")).sum()
    write = frame.to_parquet(
        str(out),
        write_index=False,
        compute=False,
        partition_on=[PARTITION_COLUMN] if dated else None,
    )
    if history_path is None:
        total, _ = client.compute([rows, write], sync=True)
        return int(total)
    _, everything = client.compute([write, frame], sync=True)
    if dated:
        everything = everything.drop(columns=[PARTITION_COLUMN])
    states = history(everything)
    if history_path.suffix == ".parquet":
        states.to_parquet(history_path, index=False)
    else:
        states.to_csv(history_path, index=False)
    return len(everything)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dumps", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--scheduler", help="address of a running dask scheduler")
    parser.add_argument("--workers", type=int, default=2, help="local cluster size")
    parser.add_argument(
        "--partition-by",
        choices=("source", "date"),
        default="source",
        help="one Parquet partition per input file (default) or per capture date",
    )
    parser.add_argument(
        "--history", type=Path, default=None, help="also write history() of all rows here"
    )
    args = parser.parse_args(argv)
    if args.scheduler:
        with Client(args.scheduler) as client:
            rows = archive(
                args.dumps,
                args.out,
                client,
                partition_by=args.partition_by,
                history_path=args.history,
            )
    else:
        with (
            LocalCluster(
                # any free port: a fixed one (8787) fails when another cluster runs
                n_workers=args.workers,
                threads_per_worker=1,
                dashboard_address=":0",
            ) as cluster,
            Client(cluster) as client,
        ):
            rows = archive(
                args.dumps,
                args.out,
                client,
                partition_by=args.partition_by,
                history_path=args.history,
            )
    print(f"{rows} quotes written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
