"""Streaming: blocks cut where no entry can straddle, so nothing is lost or doubled."""

from __future__ import annotations

import io
import os
import threading
from pathlib import Path

import pandas as pd
import pytest

import ticker_parse
from tests.conftest import BR_SAMPLES, OBSERVER_SEED
from ticker_parse.pipeline import threads
from ticker_parse.reading import iter_blocks, iter_frames
from ticker_parse.records import parse
from ticker_parse.testing import brecorder_lines, concatenated_strip

MIXED = (
    OBSERVER_SEED.read_text(encoding="utf-8")[:1200]
    + "\n"
    + BR_SAMPLES[0].read_text(encoding="utf-8")[:900]
    + "\nABCR1 0.02  -0.05 | XYZ 27.30   0.89 | XYZ-MAR 10.65   0.23 |\n"
    + "KSE100\n86,057.51\n807.42\n(0.95%)\nALLSHR\n53,123.45\n-120.10\n(-0.23%)\n"
    + "AGL38.02▲ 0.08 (0.21%)WTL1.6▲ 0.0"
)


def _figures(quotes: object) -> list[tuple[object, ...]]:
    return [
        (q.symbol, q.price, q.direction, q.change, q.percent, q.start, q.end, q.issue_codes)
        for q in quotes  # type: ignore[attr-defined]
    ]


def _blockwise(pieces: list[str], margin: int) -> list[tuple[object, ...]]:
    out = []
    for base, block in iter_blocks(pieces, margin=margin, min_block=1):
        for q in parse(block).quotes:
            out.append(q.model_copy(update={"start": q.start + base, "end": q.end + base}))
    return _figures(out)


def test_a_cut_at_every_offset_loses_and_doubles_nothing() -> None:
    """Reading the text in two pieces split at any offset gives the whole-text quotes."""
    whole = _figures(parse(MIXED).quotes)
    assert len(whole) == 59  # 31 concatenated, 23 Business Recorder, 3 marquee, 2 portal
    for k in range(len(MIXED) + 1):
        assert _blockwise([MIXED[:k], MIXED[k:]], margin=200) == whole, k


def test_one_character_pieces_give_the_whole_text_quotes() -> None:
    """The worst reader (one character at a time) still loses nothing."""
    whole = _figures(parse(MIXED).quotes)
    assert _blockwise(list(MIXED), margin=200) == whole


def _blocks_of(text: str, size: int, margin: int) -> list[tuple[int, str]]:
    """``text`` read ``size`` characters at a time, regrouped into safe blocks."""
    pieces = [text[i : i + size] for i in range(0, len(text), size)]
    return list(iter_blocks(pieces, margin=margin, min_block=size))


def test_blocks_are_cut_and_memory_stays_bounded() -> None:
    """A long input comes out in many blocks, none much larger than asked for."""
    text = "AGL38.02▲ 0.08 (0.21%)" * 5000
    blocks = _blocks_of(text, 1000, margin=200)
    assert len(blocks) > 50
    assert max(len(b) for _, b in blocks) < 1000 + 200 + 1000
    assert "".join(b for _, b in blocks) == text


def test_junk_without_any_delimiter_is_still_cut() -> None:
    """Megabytes with no ')' or '|' are cut anyway, so the buffer never grows unbounded."""
    text = "x" * 50_000
    blocks = _blocks_of(text, 500, margin=100)
    assert len(blocks) > 10
    assert "".join(b for _, b in blocks) == text


def test_iter_quotes_reads_a_file_in_small_blocks(tmp_path: Path) -> None:
    """iter_quotes over a file read 64 characters at a time equals parse() of the whole."""
    path = tmp_path / "dump.txt"
    path.write_text(MIXED * 3, encoding="utf-8")
    items = list(ticker_parse.iter_quotes(path, block_size=64, residue=True))
    streamed = [q for q in items if isinstance(q, ticker_parse.Quote)]
    residue = [r for r in items if isinstance(r, ticker_parse.Residue)]
    assert [i.start for i in items] == sorted(i.start for i in items)
    whole = parse(MIXED * 3)
    assert _figures(streamed) == _figures(whole.quotes)

    def chars(spans: list[ticker_parse.Residue]) -> set[int]:
        return {i for r in spans for i in range(r.start, r.end)}

    assert chars(residue) == chars(list(whole.residue))


def test_chunked_frames_equal_the_whole_frame(tmp_path: Path) -> None:
    """read_ticker(chunksize=N) in small blocks concatenates to the one-shot frame."""
    text = MIXED * 4
    chunks = list(iter_frames(io.StringIO(text), chunksize=25, block_size=100))
    assert all(len(c) <= 25 for c in chunks)
    merged = pd.concat(chunks, ignore_index=True)
    pd.testing.assert_frame_equal(merged, ticker_parse.read_ticker(io.StringIO(text)))


@pytest.mark.parametrize("bad", [0, -3])
def test_iter_frames_needs_a_positive_chunksize(bad: int) -> None:
    """A chunk of no rows is a call error."""
    with pytest.raises(ValueError, match="chunksize"):
        ticker_parse.read_ticker(io.StringIO("x"), chunksize=bad)


def test_a_page_bigger_than_a_block_is_read_whole(tmp_path: Path) -> None:
    """A page whose script runs past the first block gives no quotes from the script, by
    any reader: a page is rendered whole, never cut into blocks."""
    script = '<script>var s = "FAKE12.5▲ 0.5 (4.17%)";</script>' * 50_000
    page = (
        "<!DOCTYPE html><html><head>" + script + "</head><body>"
        '<div class="ticker">AGL38.02▲ 0.08 (0.21%)HBL100.5▲ 1 (1.01%)</div></body></html>'
    )
    assert len(page) > 2 * 1024 * 1024
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    expected = ["AGL", "HBL"]
    assert list(ticker_parse.read_ticker(path)["symbol"]) == expected
    chunks = ticker_parse.read_ticker(path, chunksize=7)
    assert [s for c in chunks for s in c["symbol"]] == expected
    assert [q.symbol for q in ticker_parse.iter_quotes(path)] == expected
    assert list(ticker_parse.frame_from_text(page)["symbol"]) == expected


def test_an_arrow_far_from_its_symbol_is_read_on_every_path() -> None:
    """Markup between symbol and arrow (an inline SVG icon) loses no entry on any path."""
    path_data = "M0 0" + " L1 1" * 500
    icon = f"<svg><path d='{path_data}'/></svg>"
    page = (
        "<!DOCTYPE html><html><body><div class=ticker>"
        f"<span>AGL</span><span>38.02</span>{icon}&#9650; <span>0.08</span> <span>(0.21%)</span>"
        f"<span>HBL</span><span>100.5</span>{icon}&#9650; <span>1</span> <span>(1.01%)</span>"
        "</div></body></html>"
    )
    assert [q.symbol for q in parse(page).quotes] == ["AGL", "HBL"]
    assert list(ticker_parse.frame_from_text(page)["symbol"]) == ["AGL", "HBL"]


# --- blocks finished in threads give the rows of one thread -------------------------------

#: Glued strips with wrong percents and digit-ending symbols, then Business Recorder lines:
#: read in small blocks, many blocks are in flight at once.
FAULTY = (
    concatenated_strip(600, seed=5, fault_rate=0.3, newline_every=30)[0]
    + "\nA headline, then the next page.\n"
    + brecorder_lines(200, seed=6)[0]
    + MIXED
)


def _rows_read(path: Path) -> tuple[list[tuple[object, ...]], pd.DataFrame]:
    quotes = _figures(ticker_parse.iter_quotes(path, block_size=500))
    frames = pd.concat(list(iter_frames(path, chunksize=97, block_size=500)), ignore_index=True)
    return quotes, frames


def test_threads_give_the_rows_of_one_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Finishing blocks in threads changes nothing: quotes and frames equal those read in
    the caller's thread alone, and those of the whole text."""
    path = tmp_path / "dump.txt"
    path.write_text(FAULTY, encoding="utf-8")
    monkeypatch.setenv("TICKER_PARSE_THREADS", "0")
    quotes, frames = _rows_read(path)
    monkeypatch.setenv("TICKER_PARSE_THREADS", "3")
    threaded_quotes, threaded_frames = _rows_read(path)
    assert threaded_quotes == quotes
    assert len(quotes) == 600 + 200 + 59
    pd.testing.assert_frame_equal(threaded_frames, frames)
    whole = ticker_parse.frame_from_text(FAULTY)
    assert list(frames["symbol"]) == list(whole["symbol"])
    assert list(frames["issues"]) == list(whole["issues"])


def _until_it_fails(path: Path) -> list[tuple[object, ...]]:
    got: list[ticker_parse.Quote] = []
    with pytest.raises(ticker_parse.TickerDecodeError):
        got.extend(ticker_parse.iter_quotes(path, block_size=300))
    return _figures(got)


def test_a_stream_that_fails_gives_the_same_quotes_first_with_threads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bytes that do not decode, far into a file: the quotes given before the error are
    the same with threads as without (those of the blocks read before it)."""
    good = concatenated_strip(400, seed=8, newline_every=20)[0]
    path = tmp_path / "dump.txt"
    path.write_bytes(good.encode() + b"\xff" + good.encode())
    monkeypatch.setenv("TICKER_PARSE_THREADS", "0")
    alone = _until_it_fails(path)
    monkeypatch.setenv("TICKER_PARSE_THREADS", "2")
    assert _until_it_fails(path) == alone
    assert len(alone) >= 300  # of the 400 before the bad byte
    assert alone == _figures(parse(good).quotes)[: len(alone)]


def test_a_stream_left_early_leaves_no_thread_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reader dropped after its first quote stops its threads."""
    monkeypatch.setenv("TICKER_PARSE_THREADS", "2")
    path = tmp_path / "dump.txt"
    path.write_text(FAULTY, encoding="utf-8")
    quotes = ticker_parse.iter_quotes(path, block_size=300)
    next(quotes)
    assert any(t.name.startswith("ticker_parse") for t in threading.enumerate())
    del quotes  # as a loop left by ``break`` drops it
    assert not any(t.name.startswith("ticker_parse") for t in threading.enumerate())


@pytest.mark.parametrize("setting", ["0", "2"])
def test_a_failure_in_the_second_block_still_gives_the_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, setting: str
) -> None:
    """Bytes that do not decode in the second block read: the first block's quotes come
    before the error (a reader that looked one block ahead once lost them)."""
    monkeypatch.setenv("TICKER_PARSE_THREADS", setting)
    good = concatenated_strip(2000, seed=1, newline_every=5)[0].encode()
    path = tmp_path / "dump.txt"
    path.write_bytes(good[:5000] + b"\xff" + good[5000:])
    got: list[ticker_parse.Quote] = []
    with pytest.raises(ticker_parse.TickerDecodeError):
        got.extend(ticker_parse.iter_quotes(path, block_size=1000))
    assert len(got) > 0
    assert _figures(got) == _figures(parse(good.decode()).quotes)[: len(got)]


@pytest.mark.parametrize("setting", ["-1", "two", "1.5"])
def test_a_wrong_thread_setting_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, setting: str
) -> None:
    """TICKER_PARSE_THREADS must be a whole number, 0 or more, whatever the input's size."""
    monkeypatch.setenv("TICKER_PARSE_THREADS", setting)
    with pytest.raises(ticker_parse.TickerArgumentError, match="TICKER_PARSE_THREADS"):
        list(ticker_parse.iter_quotes(io.StringIO(FAULTY), block_size=300))
    with pytest.raises(ticker_parse.TickerArgumentError, match="TICKER_PARSE_THREADS"):
        ticker_parse.frame_from_text("AGL38.02▲ 0.08 (0.21%)")


@pytest.mark.parametrize(("cpus", "expected"), [(1, 0), (2, 2), (3, 3), (16, 4)])
def test_threads_follow_the_cpus_the_process_may_use(
    monkeypatch: pytest.MonkeyPatch, cpus: int, expected: int
) -> None:
    """Unset, TICKER_PARSE_THREADS is the CPUs this process may run on, at most 4, and none
    on a single CPU (threads there only add switching)."""
    monkeypatch.delenv("TICKER_PARSE_THREADS", raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda _: set(range(cpus)), raising=False)
    assert threads() == expected
