"""The numba scanner reads exactly what FAST_CLEAN_PIECE matches, and both engines agree."""

from __future__ import annotations

import io
import sys

import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import ticker_parse
from tests.conftest import assert_same_entries
from ticker_parse import Dialect, _columnar, _kernel, _patterns, _polars_engine, _scan_engine
from ticker_parse._columnar import SCAN_LOADED_MIN_CHARS, SCAN_MIN_CHARS, columnar_frame
from ticker_parse._utf8 import Utf8Text, read_utf8
from ticker_parse.strategies import noise, strips

# Pieces near the grammar: its own tokens, and the characters that break it.
_TOKENS = [
    *"ABKZ&-0179.+ ",
    "▲",
    "▼",
    "(",
    "%",
    "\t",
    "\n",
    "\r",
    "\x0b",
    "\x1c",
    "\u00a0",
    "\u2003",
    "\u0085",
    "a",
    "é",
    "▶",
    "AGL",
    "38.02",
    "123456789012345",
    "0.123456789",
    " (",
    "%)",
]


def near_misses() -> st.SearchStrategy[str]:
    """A piece of ticker text (no ``)``): an entry, bent, or tokens of one in any order."""
    entry = st.builds(
        lambda sym, price, arrow, change, percent, sp: (
            f"{sym}{price}{sp}{arrow}{sp}{change}{sp}({percent}%"
        ),
        st.from_regex(r"\A[A-Z][A-Z&]{0,13}(-[A-Z]{0,7})?\Z"),
        st.from_regex(r"\A[0-9]{0,17}(\.[0-9]{0,10})?\Z"),
        st.sampled_from(["▲", "▼", "►"]),
        st.from_regex(r"\A[-+]?[0-9]{1,17}(\.[0-9]{0,9})?\Z"),
        st.from_regex(r"\A[-+]?[0-9]{0,7}(\.[0-9]{0,9})?\Z"),
        st.sampled_from(["", " ", "  ", "   "]),
    )
    shuffled = st.lists(st.sampled_from(_TOKENS), max_size=12).map("".join)
    lead = st.sampled_from(["", " ", "\n", " \t\n", "\r\n", "\u00a0", "x", "HEADLINE "])
    return st.one_of(st.builds(str.__add__, lead, entry), shuffled)


def _scan_one(piece: str) -> tuple[_kernel.Scanned, np.ndarray, np.ndarray]:
    """The scanner on one closed piece: what it found, its numbers and its fields."""
    buf = np.frombuffer((piece + ")").encode(), dtype=np.uint8)
    pieces, _ = _kernel.measure(buf)
    numbers = np.empty((3, pieces))
    fields = np.empty((_kernel.FIELD_ROWS, pieces), dtype=np.uint8)
    scanned = _kernel.scan(
        buf,
        _kernel.Part(0, 0, 0, 0),
        pieces,
        is_last=True,
        numbers=numbers,
        positions=np.empty((4, pieces), dtype=np.int64),
        fields=fields,
    )
    return scanned, numbers, fields


@given(piece=near_misses())
@example(piece="AGL38.02▲ 0.08 (0.21%")
@example(piece="ABCDEFGHIJKL38.02▲ 0.08 (0.21%")
@example(piece="ABCDEFGHIJKLM38.02▲ 0.08 (0.21%")
@example(piece="HUBC-NOV1.5▼ -0.5 ( -25 % ")
@example(piece="A1.▲ 1 (1%")
@example(piece="A1234567890123456▲ 1 (1%")
@example(piece="A123456789012345.12345678▲ 1 (1%")
def test_scanner_reads_what_the_pattern_matches(piece: str) -> None:
    """A piece the scanner reads matches FAST_CLEAN_PIECE with the same figures, and every
    piece that pattern matches with ASCII white space before it is read (or refused for a
    mark, ``&`` or a carriage return, that sends the text down the general path)."""
    match = (
        pl.Series([piece])
        .str.extract_groups(_patterns.FAST_CLEAN_PIECE)
        .struct.unnest()
        .row(0, named=True)
    )
    matched = match["symbol"] is not None
    result, numbers, fields = _scan_one(piece)
    lead = match["lead"] or ""
    if result.status == _kernel.NEEDS_GENERAL:
        # refused only for a mark that sends the whole text down the general path anyway
        assert _polars_engine.text_needs_general(pl.Series([piece]))
        return
    if not matched or not lead.isascii():
        # not read: the polars code takes the piece (test_scan_engine_equals_polars_engine)
        assert result.n == 0 or (matched and lead.isascii())
        return
    assert result.n == 1
    assert bytes(result.symbol_data).decode() == match["symbol"]
    assert bool(fields[_kernel.FLAGS, 0] & _kernel.FLAG_UP) == (match["arrow"] == "▲")
    assert fields[_kernel.DECIMALS, 0] == len((match["percent"] + ".").split(".")[1])
    texts = [match["price"], match["change"], match["percent"]]
    digits = max(sum(ch.isdigit() for ch in t) for t in texts)
    assert bool(fields[_kernel.FLAGS, 0] & _kernel.FLAG_INEXACT) == (digits > 15)
    if digits <= 15:
        assert numbers[:, 0].tolist() == [float(t) for t in texts]


def texts_in_parts(*extra: str) -> st.SearchStrategy[list[str]]:
    """Parts of a page: honest strips, noise, near-miss pieces (and ``extra`` snippets)."""
    parts = [strips(Dialect.CONCATENATED).map(lambda s: s.text), noise(), near_misses()]
    if extra:
        parts.append(st.sampled_from(extra))
    return st.lists(st.one_of(*parts), max_size=8)


@given(
    parts=texts_in_parts(),
    glue=st.sampled_from([")", "", "\n", ")\n", "))"]),
    threads=st.integers(1, 4),
    keep_text=st.booleans(),
)
def test_scan_engine_equals_polars_engine(
    parts: list[str], glue: str, threads: int, keep_text: bool
) -> None:
    """Same entries, offsets, strips and figures as the polars engine, however the text is
    cut between threads; both send the same texts down the general path."""
    text = glue.join(parts)
    assert_same_entries(
        _scan_engine.extract(text, keep_text=keep_text, threads=threads),
        _polars_engine.extract(text, keep_text=keep_text),
    )


@pytest.mark.parametrize(
    "text",
    [
        "",
        ")",
        "AGL38.02▲ 0.08 (0.21%",
        "AGL38.02▲ 0.08 (0.21%)",
        "junk (x) AGL38.02▲ 0.08 (0.21%) more)BOP5▼ -0.1 (-1.96%)",
        "XAGL38.02▲ 0.08 (0.21%)AGL38.02▲ 0.08 (0.21%)",
        "A12345678901234567.5▲ 1 (1%)A1.123456789012345▲ 1 (1%)",
        "AB&C1▲ 1 (1%)",
        "A1▲ 1 (1%)\r\nB1▲ 1 (1%)",
        "A1▲ 1 (1%)\n(1.5%)",
        "(1.5%)A1▲ 1 (1%)",
        "A1▲ 1 (1%)\ud800",
        "A0▲0(0%)" * 7,  # the shortest entries: as many rows as 10 bytes allow
        ")" * 50,
    ],
)
def test_scan_engine_equals_polars_engine_on_edge_cases(text: str) -> None:
    """Unclosed tails, junk, the look-behind, long figures, general-path marks, surrogates."""
    for threads in (1, 2, 3):
        scanned = _scan_engine.extract(text, threads=threads)
        if "\ud800" in text:
            assert scanned is None  # the general path reports the lone surrogate
            continue
        assert_same_entries(scanned, _polars_engine.extract(text))


@pytest.mark.parametrize("threads", [1, 2])
def test_junk_heavy_text_goes_to_the_polars_engine(
    monkeypatch: pytest.MonkeyPatch, threads: int
) -> None:
    """Past REST_CAPACITY pieces that are not entries (in a part), the scanner hands the
    text to the polars engine, which works through junk in bounded blocks: same rows."""
    text = "AGL38.02▲ 0.08 (0.21%)" + "(x) junk (y) " * 10 + "KOSM7▲ 0.48 (7.36%)BOP5▼ -1 (-9%)"
    monkeypatch.setattr(_kernel, "REST_CAPACITY", 3)
    assert_same_entries(_scan_engine.extract(text, threads=threads), _polars_engine.extract(text))
    scanned = _scan_engine.extract(text, threads=threads)
    assert scanned is not None
    assert scanned.byte_start is None  # it came from polars


def test_big_texts_take_the_scanner_and_small_ones_polars(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """numba is loaded only for a big text (or a long stream); once loaded it takes every
    text from SCAN_LOADED_MIN_CHARS characters on."""
    monkeypatch.setattr(_columnar, "_scanner_loaded", lambda: False)
    assert _columnar.choose_engine(SCAN_MIN_CHARS - 1) == "polars"
    assert _columnar.choose_engine(SCAN_MIN_CHARS) == "scan"
    monkeypatch.setattr(_columnar, "_scanner_loaded", lambda: True)
    assert _columnar.choose_engine(SCAN_LOADED_MIN_CHARS - 1) == "polars"
    assert _columnar.choose_engine(SCAN_LOADED_MIN_CHARS) == "scan"


def test_without_numba_the_polars_engine_does_all_the_work(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """numba is a dependency, but an environment where it cannot be imported still parses
    big texts (with polars) and says so through load_scanner()."""
    monkeypatch.setitem(sys.modules, "ticker_parse._scan_engine", None)  # import fails
    assert ticker_parse.load_scanner() is False
    assert _columnar.choose_engine(SCAN_MIN_CHARS) == "polars"
    frame = ticker_parse.frame_from_text("AGL38.02▲ 0.08 (0.21%)")
    assert frame["symbol"].tolist() == ["AGL"]


def test_read_ticker_on_a_buffer_takes_the_scanner_and_gives_the_records_path_rows() -> None:
    """With the scanner loaded read_ticker hands it the buffer's UTF-8 bytes; the frame
    equals the polars engine's and, on a sample, the records path's, with glued index rows
    resplit and entries after non-ASCII junk placed by character."""
    _columnar.load_scanner()
    strip = (
        "AGL38.02▲ 0.08 (0.00%)AIRLINK197.36▲ 3.45 (0.02%)KSE10067194▲ 646.5 (0.01%)"
        "TOMCL35▼ -0.03 (0.00%)Überschrift: KSE10067194▲ 646.5 (0.01%)\n"
    )
    copies = 2 * SCAN_LOADED_MIN_CHARS // len(strip)
    text = strip * copies
    assert _columnar.choose_engine(len(text)) == "scan"
    big = ticker_parse.read_ticker(io.StringIO(text))
    queried = columnar_frame(text, engine="polars")
    assert queried is not None
    pd.testing.assert_frame_equal(big, queried)
    assert len(big) == 5 * copies
    big.loc[0, "price"] = 1.0  # the scanner's columns are the caller's to modify
    big["change"] *= 2
    assert big.loc[0, "price"] == 1.0
    sample = strip * 3
    scanned = columnar_frame(sample, engine="scan")
    assert scanned is not None
    pd.testing.assert_frame_equal(scanned, ticker_parse.parse(sample).to_frame())


@given(
    parts=texts_in_parts("Überschrift: ", "ریٹ ", "€ 5 ", "KSE10067194▲ 646.5 (0.01%)"),
    glue=st.sampled_from([")", "", "\n"]),
)
def test_scanning_utf8_bytes_equals_the_records_path(parts: list[str], glue: str) -> None:
    """read_ticker(io.StringIO) hands the scanner UTF-8 bytes, never the whole text as str;
    rows read again (glued index rows) are decoded alone, at their byte offsets."""
    text = glue.join(parts)
    source = read_utf8(io.StringIO(text))
    assert isinstance(source, Utf8Text)
    assert (source.text, len(source)) == (text, len(text))
    fast = columnar_frame(read_utf8(io.StringIO(text)), engine="scan")
    if fast is None:
        return
    pd.testing.assert_frame_equal(fast, ticker_parse.parse(text).to_frame())


def test_a_buffer_with_a_lone_surrogate_is_read_as_str() -> None:
    """Text that cannot be UTF-8 stays str, for the general path to report."""
    assert read_utf8(io.StringIO("AGL38.02▲ 0.08 (0.21%)\ud800")) == "AGL38.02▲ 0.08 (0.21%)\ud800"
