"""ticker-parse on many files and on WARC archives: batches, order, capture times, history."""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

import ticker_parse
import ticker_parse.cli as cli
from tests import warcgen
from tests.conftest import BR_SAMPLES, OBSERVER_SEED
from ticker_parse.cli import HISTORY_PARQUET_SCHEMA, OUTPUT_COLUMNS, main
from ticker_parse.history import HISTORY_COLUMNS
from ticker_parse.reading import BATCH_CHARS
from ticker_parse.testing import html_page
from ticker_parse.warc import MISSING_EXTRA_MESSAGE

SEED = OBSERVER_SEED.read_text(encoding="utf-8")


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def inputs(tmp_path: Path) -> list[str]:
    """Small pages, the seed shown twice in one file, a gzipped page, Business Recorder."""
    paths = []
    for i, markup in enumerate(("plain", "spans", "pretty", "plain")):
        page, _ = html_page(seed=i, strip="concatenated", markup=markup)
        path = tmp_path / f"page-{i}.html"
        path.write_text(page, encoding="utf-8")
        paths.append(str(path))
    twice = tmp_path / "twice.txt"
    twice.write_text(SEED + "\n" + SEED, encoding="utf-8")
    page, _ = html_page(seed=9, strip="brecorder")
    zipped = tmp_path / "page-9.html.gz"
    zipped.write_bytes(gzip.compress(page.encode()))
    empty = tmp_path / "empty.txt"
    empty.write_text("no quotes\n", encoding="utf-8")
    return [*paths[:2], str(twice), str(empty), str(BR_SAMPLES[0]), *paths[2:], str(zipped)]


@pytest.mark.parametrize(
    ("small", "batch"),
    [(1, 1), (10_000, 100_000), (cli.SMALL_CHARS, 1), (cli.SMALL_CHARS, BATCH_CHARS)],
    ids=["all-streamed", "mixed", "batch-per-file", "default"],
)
def test_batched_files_give_the_rows_and_summaries_of_one_file_at_a_time(
    inputs: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    small: int,
    batch: int,
) -> None:
    """Whatever is batched, every file keeps its entry numbers, strips, duplicates dropped
    within it, its summary and its place: the same bytes as the one-file-at-a-time path
    (--residue reads each file on its own)."""
    argv = ["--drop-duplicates", "--captured-at", "2024-03-04T14:30:00+05:00", *inputs]
    code, reference, ref_err = run([*argv, "--residue", str(tmp_path / "r.csv")], capsys)
    assert code == 0
    monkeypatch.setattr(cli, "SMALL_CHARS", small)
    monkeypatch.setattr(cli, "BATCH_CHARS", batch)
    code, out, err = run(argv, capsys)
    assert (code, out, err) == (0, reference, ref_err)
    table = rows(out)
    assert list(table[0]) == list(OUTPUT_COLUMNS)
    assert [r["source"] for r in table] == sorted(
        (r["source"] for r in table), key=inputs.index
    )  # input order
    twice = [r for r in table if r["source"].endswith("twice.txt")]
    assert [r["entry"] for r in twice] == [str(i) for i in range(1, 31)]  # duplicates dropped
    assert {r["captured_at"] for r in table} == {"2024-03-04T09:30:00Z"}
    assert "empty.txt: 0 quotes, 0 flagged" in err


def test_strip_columns_are_written(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["-q", str(OBSERVER_SEED)], capsys)
    assert code == 0
    table = rows(out)
    frame = ticker_parse.read_ticker(OBSERVER_SEED)
    assert [r["strip"] for r in table] == [str(s) for s in frame["strip"]]
    assert [r["strip_id"] for r in table] == list(frame["strip_id"])
    assert {r["captured_at"] for r in table} == {""}  # unknown


def test_jsonl_and_parquet_carry_the_new_columns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["-q", "--format", "jsonl", str(OBSERVER_SEED)], capsys)
    assert code == 0
    first = json.loads(out.splitlines()[0])
    assert (first["strip"], first["captured_at"]) == (0, None)
    assert len(first["strip_id"]) == 16
    target = tmp_path / "out.parquet"
    argv = ["-q", "--captured-at", "2024-03-04 09:30", str(OBSERVER_SEED), "-o", str(target)]
    assert run(argv, capsys)[0] == 0
    frame = pd.read_parquet(target)
    assert list(frame.columns) == list(OUTPUT_COLUMNS)
    assert (frame["captured_at"] == pd.Timestamp("2024-03-04 09:30", tz="UTC")).all()


def test_captured_at_mtime_and_bad_values(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "seed.txt"
    path.write_text(SEED, encoding="utf-8")
    when = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
    os.utime(path, (when.timestamp(), when.timestamp()))
    code, out, _ = run(["-q", "--captured-at", "mtime", str(path)], capsys)
    assert {r["captured_at"] for r in rows(out)} == {"2024-05-06T07:08:09Z"}
    code, _, err = run(["--captured-at", "yesterday-ish", str(path)], capsys)
    assert code == 2
    assert err.startswith("ticker-parse: --captured-at takes an ISO 8601")
    code, _, err = run(["--captured-at", "mtime", "-"], capsys)
    assert code == 2
    assert "standard input has no mtime" in err


def test_a_warc_converts_with_urls_and_capture_times(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Rows as read_ticker gives them: the page's URL, its WARC-Date in ISO 8601, entries
    numbered per page; one summary line for the archive."""
    gen = warcgen.write_mixed_warc(tmp_path)
    code, out, err = run(["--format", "jsonl", str(gen.path), str(OBSERVER_SEED)], capsys)
    assert code == 0
    lines = [json.loads(line) for line in out.splitlines()]
    frame = ticker_parse.read_ticker(gen.path, exact="text")
    warc_rows = lines[: len(frame)]
    assert [r["source"] for r in warc_rows] == list(frame["source"])
    assert [r["price"] for r in warc_rows] == [float(p) for p in frame["price"]]
    assert [r["captured_at"] for r in warc_rows] == [
        t.strftime("%Y-%m-%dT%H:%M:%SZ") for t in frame["captured_at"]
    ]
    first_of_page = frame["source"] != frame["source"].shift()
    assert [r["entry"] == 1 for r in warc_rows] == list(first_of_page)
    assert all(r["source"] == str(OBSERVER_SEED) for r in lines[len(frame) :])
    skipped = sum(gen.skipped.values())
    assert (
        f"{gen.path}: WARC: {len(gen.expected)} page(s) read, {skipped} record(s) skipped ("
    ) in err
    assert err.count(f"{gen.path}: WARC:") == 1


@pytest.mark.parametrize("gzip_records", [True, False])
def test_a_warc_on_standard_input_is_told_by_its_content(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    gzip_records: bool,
) -> None:
    """``cat crawl.warc.gz | ticker-parse`` gives the rows the file gives."""
    gen = warcgen.write_mixed_warc(tmp_path, gzip_records=gzip_records)
    code, from_file, _ = run(["-q", "--format", "jsonl", str(gen.path)], capsys)
    assert code == 0
    stdin = io.TextIOWrapper(io.BytesIO(gen.path.read_bytes()))
    monkeypatch.setattr(sys, "stdin", stdin)
    code, from_stdin, err = run(["--format", "jsonl", "-"], capsys)
    assert code == 0
    assert from_stdin == from_file
    assert "<stdin>: WARC:" in err


def test_damaged_records_are_listed_unless_quiet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gen = warcgen.write_truncated_warc(tmp_path)
    code, _, err = run([str(gen.path)], capsys)
    assert code == 0
    summary = f"{gen.path}: WARC: 3 page(s) read, 0 record(s) skipped, 1 damaged"
    lines = err.splitlines()
    assert summary in lines
    assert lines[lines.index(summary) + 1].startswith(f"{gen.path}: record at byte ")
    code, _, err = run(["-q", str(gen.path)], capsys)
    assert err.splitlines() == [summary]


def test_a_warc_without_the_extra_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    gen = warcgen.write_truncated_warc(tmp_path)
    for name in [m for m in sys.modules if m == "warcio" or m.startswith("warcio.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "warcio", None)
    code, out, err = run([str(gen.path), "-o", str(tmp_path / "out.csv")], capsys)
    assert (code, out, err) == (1, "", f"ticker-parse: {MISSING_EXTRA_MESSAGE}\n")
    assert not (tmp_path / "out.csv").exists()


def test_history_of_all_inputs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Two captures of the seed a day apart: one history row per symbol, seen twice."""
    paths = []
    for day in (4, 5):
        path = tmp_path / f"seed-{day}.txt"
        path.write_text(SEED, encoding="utf-8")
        stamp = datetime(2024, 3, day, 9, 30, tzinfo=UTC).timestamp()
        os.utime(path, (stamp, stamp))
        paths.append(str(path))
    target = tmp_path / "hist.csv"
    argv = ["-q", "--history", "--captured-at", "mtime", *paths, "-o", str(target)]
    assert run(argv, capsys)[0] == 0
    table = rows(target.read_text(encoding="utf-8"))
    assert list(table[0]) == list(HISTORY_COLUMNS)
    assert len(table) == 30
    assert {(r["captures"], r["sources"]) for r in table} == {("2", "2")}
    assert {(r["first_seen"], r["last_seen"]) for r in table} == {
        ("2024-03-04T09:30:00Z", "2024-03-05T09:30:00Z")
    }
    airlink = next(r for r in table if r["symbol"] == "AIRLINK")
    assert (airlink["price"], airlink["change"], airlink["percent"]) == ("197.36", "3.45", "0.02")
    parquet = tmp_path / "hist.parquet"
    assert run([*argv[:-1], str(parquet)], capsys)[0] == 0
    import pyarrow.parquet as pq

    assert pq.read_schema(parquet).remove_metadata() == HISTORY_PARQUET_SCHEMA
    empty = tmp_path / "empty.txt"
    empty.write_text("nothing\n", encoding="utf-8")
    code, out, _ = run(["-q", "--history", str(empty)], capsys)
    assert (code, out) == (0, ",".join(HISTORY_COLUMNS) + "\n")
