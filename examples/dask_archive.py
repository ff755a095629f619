"""Convert a directory of ticker dumps to partitioned Parquet on a Dask cluster.

    python examples/dask_archive.py DUMPS_DIR OUT_DIR [--scheduler ADDRESS]

Each file becomes one partition, converted by ``ticker_parse.read_ticker`` (a pure,
picklable function of the path) on whichever worker Dask picks; ``ticker_parse.empty_frame``
tells Dask the exact columns and dtypes up front. Without ``--scheduler`` a local cluster
is started. The output is one Parquet dataset, partitioned by source file.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import dask.dataframe as dd
import pandas as pd
from dask.distributed import Client, LocalCluster

import ticker_parse
from ticker_parse.table import TEXT_DTYPE

_PATTERNS = ("*.txt", "*.txt.gz", "*.txt.bz2", "*.txt.xz")


def convert(path: str) -> pd.DataFrame:
    """One dump to one partition: its quotes, and the file they came from."""
    frame = ticker_parse.read_ticker(path)
    frame["source"] = pd.Series([Path(path).name] * len(frame), dtype=TEXT_DTYPE)
    return frame


def meta() -> pd.DataFrame:
    """The exact empty frame of :func:`convert`, for Dask."""
    return ticker_parse.empty_frame()


def archive(dumps: Path, out: Path, client: Client) -> int:
    """Convert every dump under ``dumps`` into Parquet under ``out``; returns the row count."""
    paths = sorted(str(p) for pattern in _PATTERNS for p in dumps.glob(pattern))
    if not paths:
        raise SystemExit(f"no dumps ({', '.join(_PATTERNS)}) in {dumps}")
    frame = dd.from_map(convert, paths, meta=meta(), enforce_metadata=True)
    # One pass computes both: the row count and the Parquet files.
    rows = frame.map_partitions(len, meta=(None, "int64")).sum()
    write = frame.to_parquet(str(out), write_index=False, compute=False)
    total, _ = client.compute([rows, write], sync=True)
    return int(total)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dumps", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--scheduler", help="address of a running dask scheduler")
    parser.add_argument("--workers", type=int, default=2, help="local cluster size")
    args = parser.parse_args(argv)
    if args.scheduler:
        with Client(args.scheduler) as client:
            rows = archive(args.dumps, args.out, client)
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
            rows = archive(args.dumps, args.out, client)
    print(f"{rows} quotes written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
