"""The fast readers give exactly the full patterns' rows, wherever they read: the compiled
reader (``[fast]``) and RE2's plain forms (``grammar.CONCATENATED_PLAIN``,
``grammar.BRECORDER_PLAIN``), alone and together; and Python's ``re`` extracts from a few
pieces exactly what RE2 does."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from ticker_parse import _kernel, entries, frame_from_text, grammar, testing
from ticker_parse.entries import Entries, read_entries
from ticker_parse.models import Dialect
from ticker_parse.normalize import normalize

needs_numba = pytest.mark.skipif(_kernel.load() is None, reason="numba is not installed")
#: (compiled reader, plain forms) against the full patterns alone
_FAST_READERS = [(False, True)] + ([(True, False), (True, True)] if _kernel.load() else [])


@pytest.fixture(autouse=True)
def _restore_switch() -> Iterator[None]:
    yield
    entries.use_kernel = None
    entries.use_plain = None


def _read(
    text: str, kernel: bool, dialect: Dialect | None = None, *, plain: bool = False
) -> Entries:
    entries.use_kernel, entries.use_plain = kernel, plain
    try:
        return read_entries(text, dialect)
    finally:
        entries.use_kernel, entries.use_plain = None, None


def _assert_same(text: str) -> Entries:
    """Every fast reader's rows for ``text`` (any dialect, and concatenated forced) equal
    the full patterns' rows; returns the rows."""
    got = Entries.empty()
    for dialect in (None, Dialect.CONCATENATED):
        full = _read(text, False, dialect)
        for kernel, plain in _FAST_READERS:
            fast = _read(text, kernel, dialect, plain=plain)
            for f in fields(Entries):
                a, b = getattr(full, f.name), getattr(fast, f.name)
                where = (f.name, kernel, plain, text[:200])
                if isinstance(a, pa.Array):
                    assert a.type == b.type, where
                    assert a.to_pylist() == b.to_pylist(), where
                else:
                    assert a.dtype == b.dtype, where
                    assert np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), where
        if dialect is None:
            got = full
    return got


def _scan(text: str) -> _kernel.Scanned:
    compiled = _kernel.load()
    assert compiled is not None
    return _kernel.scan(compiled, np.frombuffer(text.encode("utf-8"), np.uint8))


def _generated() -> Iterator[tuple[str, str]]:
    for seed in range(3):
        yield (
            f"faulty-{seed}",
            testing.concatenated_strip(
                3000, seed=seed, fault_rate=0.3, newline_every=7, digit_symbols=0.5
            )[0],
        )
        for separator in (" ", "\t", "  \n ", " | ", "\x85"):
            text, _ = testing.concatenated_strip(
                500, seed=seed, separator=separator, convention="fraction", fault_rate=0.1
            )
            yield f"sep-{seed}-{separator!r}", text
        for markup in ("plain", "spans", "pretty"):
            for strip in ("concatenated", "brecorder", "none"):
                page, _ = testing.html_page(seed=seed, markup=markup, strip=strip)
                yield f"page-{seed}-{markup}-{strip}", normalize(page, markup="auto").text
    br, _ = testing.brecorder_lines(300, seed=1)
    mixed, _ = testing.concatenated_strip(300, seed=2)
    yield "br-and-concatenated", br + "\n" + mixed + "\n" + br


_GENERATED = dict(_generated())


@pytest.mark.parametrize("name", list(_GENERATED))
def test_generated_texts(name: str) -> None:
    _assert_same(_GENERATED[name])


@pytest.mark.parametrize("index", range(len(testing.hostile_texts(1))))
def test_hostile_texts(index: int) -> None:
    _assert_same(testing.hostile_texts(1)[index])


_EDGES = {
    "empty": "",
    "only brackets": ")))",
    "blank pieces": " )\n\t)",
    "unclosed tail": "AGL38.02▲ 0.08 (0.21%)BOP9.54▼ -0.1 (-1.04%",
    "text not ending in )": "AGL38.02▲ 0.08 (0.21%)  and then some words",
    "lone surrogate": "AGL38.02▲ 0.08 (0.21%)\ud800BOP9.54▼ -0.1 (-1.04%)X\udfff1▲1(1%)",
    "16 digits": "AGL1234567890123456▲ 0.08 (0.21%)BOP9.54▼ -1234567890123456 (-1.04%)",
    "15 digits": "AGL123456789012345.12345678▲ 123456789012345 (123456.12345678%)",
    "9 decimals": "AGL38.123456789▲ 0.08 (0.21%)B1▲ 1 (1.123456789%)",
    "ampersand": "PAK&CO38.02▲ 0.08 (0.21%)A&1▲ 1 (1%)&A1▲ 1 (1%)",
    "gaps": "AGL38.02\t▲\n0.08\t\t(0.21%)BOP9.54 \n\t ▼ \n\t\n-0.1    (-1.04%)",
    "gap of five": "AGL38.02     ▲ 0.08 (0.21%)BOP9.54▼      -0.1 (-1.04%)",
    "junk before": "news: AGL38.02▲ 0.08 (0.21%)x AGL38.02▲ 0.08 (0.21%)",
    "glued junk before": "MARKETSAGL38.02▲ 0.08 (0.21%)10:45AGL38.02▲ 0.08 (0.21%)",
    "long symbol": "ABCDEFGHIJKLM38.02▲ 0.08 (0.21%)ABCDEFGHIJKL38.02▲ 0.08 (0.21%)",
    "futures": "AGL-NOV38.02▲ 0.08 (0.21%)AGL-NOVEMB1▲ 1 (1%)AGL-1▲ 1 (1%)A-B&1▲1(1%)",
    "spaced symbol": "KSE100 67,194.5▲ 0.08 (0.21%)\nAGL 38.02▲ 0.08 (0.21%)",
    "thousands": "KSE10067,194▲ 1,038.02 (0.21%)A1,234,567.5▲1(1%)A1,23▲1(1%)A1234,567▲1(1%)",
    "six groups": "A1,234,567,890,123,456▲1(1%)A1,234,567,890,123▲1(1%)",
    "percent spaces": "A1▲1( 1 % )A1▲1(  1%)A1▲1(1  %)A1▲1(1% \n)A1▲1(1%\n)",
    "signs": "A1▲+1(+1%)A1▼-1(-1%)A1▼--1(1%)A+1▲1(1%)A1▲1(1.%)A1▲.5(1%)",
    "arrows": "A1►1(1%)A1▲▲1(1%)A1▼ ▲1(1%)",
    "lead blanks": "\x0b\x0c\r\x1c\x1d\x1e\x1f\x85 A1▲1(1%)\u2003A1▲1(1%)",
    "lines of glued entries": "A1▲1(1%)B1▲1(1%)\nC1▲1(1%)\nD1▲1(1%)E1▲1(1%)\nF1▲1(1%)",
    "lowercase": "Agl38.02▲ 0.08 (0.21%)aGL38.02▲ 0.08 (0.21%)",
    "br among": "AIRLINK 61.80 Increased By ▲ 1.37 (2.27%)AGL38.02▲ 0.08 (0.21%)",
    "portal among": "\nKSE100\n86,057.51\n807.42\n(0.95%)AGL38.02▲ 0.08 (0.21%)",
}


@pytest.mark.parametrize("name", list(_EDGES))
def test_edge_cases(name: str) -> None:
    _assert_same(_EDGES[name])


def test_other_dialects_far_into_a_glued_text_are_read() -> None:
    """Business Recorder lines that first appear far past the start of a big glued text
    (their marks searched beyond the first characters, or, after the compiled reader, in
    the pieces it left) are read by every reader, as by the full patterns; a portal-like
    row there is judged the same way by all."""
    glued, _ = testing.concatenated_strip(6000, seed=9, newline_every=30)
    br, _ = testing.brecorder_lines(40, seed=3)
    portal = "\nFoo Corp\tPTC 12.50 +0.25 (2.04%)\n"
    text = glued + "\nMarkets today\n" + br + portal + glued
    assert len(glued) > 1 << 16
    got = _assert_same(text)
    names = [Dialect.CONCATENATED, Dialect.BRECORDER]
    codes = [entries.DIALECT_ORDER.index(d) for d in names]
    counts = np.bincount(got.dialect, minlength=len(entries.DIALECT_ORDER))
    assert counts[codes].tolist() == [12_000, 40]


@needs_numba
def test_junk_before_goes_to_re2_with_the_same_row() -> None:
    text = "news: AGL38.02▲ 0.08 (0.21%)"
    scanned = _scan(text)
    assert len(scanned.piece) == 0
    assert scanned.rest_piece.tolist() == [0]
    got = _assert_same(text)
    assert got.symbol.to_pylist() == ["AGL"]
    assert got.lead_blank.tolist() == [False]


@needs_numba
def test_clean_strip_is_read_without_re2() -> None:
    text, truth = testing.concatenated_strip(2000, seed=4, newline_every=30, separator=" ")
    scanned = _scan(text + ")  )")
    assert len(scanned.rest_piece) == 0
    assert scanned.pieces == len(truth) + 2
    got = _assert_same(text)
    assert got.symbol.to_pylist() == [
        q.text[: len(q.text) - len(q.text.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ&-"))] for q in truth
    ]


def test_character_offsets_past_multibyte_text() -> None:
    text = "é€😀 AGL38.02▲ 0.08 (0.21%)😀😀)\x85A1▼ -1 (-1%)"
    got = _assert_same(text)
    assert got.start.tolist() == [4, text.index("A1")]
    assert got.end.tolist() == [text.index(")") + 1, len(text)]


_TOKENS = [
    "A", "B", "Z", "&", "-", "a", "1", "0", "9", "12", "1234", "1234567890123456", ",", ".",
    ",123", "▲", "▼", "►", " ", "  ", "\t", "\n", "\x85", "\u2003", "(", ")", "%", "+", "x",
    "AGL38.02▲ 0.08 (0.21%", "KSE100", " Increased By ", "\n(0.95%",
]  # fmt: skip


@given(st.lists(st.sampled_from(_TOKENS), max_size=40))
def test_near_misses(tokens: list[str]) -> None:
    """Texts of pieces of entries: the scanner accepts only what RE2 reads the same way."""
    _assert_same("".join(tokens))


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["", " ", "\n", "x", "AB", "\t\n "]),
            st.from_regex(r"[A-Z][A-Z&]{0,13}(-[A-Z]{0,7})?", fullmatch=True),
            st.from_regex(r"[0-9]{1,17}(,[0-9]{2,4}){0,6}(\.[0-9]{0,9})?", fullmatch=True),
            st.from_regex(
                r"[ \t\n]{0,5}[▲▼][ \t\n]{0,5}[-+]?[0-9]{1,3}(\.[0-9]{1,3})?", fullmatch=True
            ),
            st.from_regex(r"[ \t\n]{0,5}\( ?[-+]?[0-9]{1,7}(\.[0-9]{0,9})? ?% ?\)", fullmatch=True),
        ),
        max_size=8,
    )
)
def test_entries_with_faults(parts: list[tuple[str, str, str, str, str]]) -> None:
    _assert_same("".join("".join(p) for p in parts))


@needs_numba
def test_frame_from_text_same_with_and_without() -> None:
    text, _ = testing.concatenated_strip(
        120_000, seed=3, fault_rate=0.2, newline_every=30, digit_symbols=0.3
    )
    text = "Markets today: " + text[:500_000] + ")junk) " + text[500_000:]
    frames = []
    for kernel in (False, True):
        entries.use_kernel = kernel
        frames.append(frame_from_text(text))
    entries.use_kernel = None
    frames.append(frame_from_text(text))  # big enough: the compiled reader on its own accord
    assert len(frames[0]) > 100_000
    pd.testing.assert_frame_equal(frames[0], frames[1])
    pd.testing.assert_frame_equal(frames[0], frames[2])


def test_without_numba_everything_reads_with_re2(monkeypatch: pytest.MonkeyPatch) -> None:
    text, truth = testing.concatenated_strip(50, seed=5)
    expected = _read(text, False)
    monkeypatch.setattr(_kernel, "load", lambda: None)
    got = _read(text, True)
    assert got.symbol.to_pylist() == expected.symbol.to_pylist()
    assert len(got) == len(truth)


_BR_EDGES = {
    "stock rows": "AIRLINK 61.80 Increased By ▲ 1.37 (2.27%)\nBOP 5.1 Decreased By ▼ -0.1 (-1.9%)",
    "flat": "AGL 38.02 No Change ▼ 0.00 (0%)\nHBL 99 Unchanged 0 (0%)",
    "conflict": "AIRLINK 61.80 Increased By ▼ 1.37 (2.27%)\nBOP 5.1 Decreased By ▲ -0.1 (-1.9%)",
    "no arrow": "KSE100 67,194 Increased By 646.5 (0.97%)\nKMI30 1194.5 Decreased By -6.5 (-0.5%)",
    "spaces": "AGL  38.02 Increased  By ▲ 0.08 (0.21%)\nAGL 38.02\tIncreased By ▲ 0.08 ( 0.21 % )",
    "futures": "AGL-NOV 38.02 Increased By ▲ 0.08 (0.21%)\nA&B1 1 Increased By 1 (1%)",
    "junk before": "news: AIRLINK 61.80 Increased By ▲ 1.37 (2.27%)x\tAGL 1 Unchanged 0 (0%)",
    "leads": "\n\n  \tAGL 1 Unchanged 0 (0%)\x85AGL 1 Unchanged 0 (0%)\u2003AGL 1 Unchanged 0 (0%)",
    "signs": "A 1 Increased By ▲ +1 (+1%)A 1 Decreased By ▼ --1 (1%)A 1 Increased By ▲▲ 1 (1%)",
    "long prices": "A 1234567890123456 Unchanged 0 (0%)A 123456789012345.5 Unchanged 0 (0%)"
    "A 1,234,567,890,123,456 Unchanged 0 (0%)A 1,2345 Unchanged 0 (0%)",
}


@pytest.mark.parametrize("name", list(_BR_EDGES))
def test_business_recorder_edge_cases(name: str) -> None:
    _assert_same(_BR_EDGES[name])


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["", "\n", " ", "x ", "\t\n "]),
            st.from_regex(r"[A-Z][A-Z0-9&]{0,13}(-[A-Z0-9]{0,7})?", fullmatch=True),
            st.from_regex(r"[ \t]{1,2}[0-9]{1,5}(,[0-9]{3}){0,2}(\.[0-9]{0,3})?", fullmatch=True),
            st.sampled_from(
                [" Increased By", " Decreased By", " No Change", " Unchanged", "  Increased  By"]
            ),
            st.sampled_from(["", " ▲", " ▼", "  ▲", " ▲▼"]),
            st.from_regex(r"[ \t]{0,2}[-+]?[0-9]{1,3}(\.[0-9]{1,3})?", fullmatch=True),
            st.from_regex(r"[ \t]{0,2}\( ?[-+]?[0-9]{1,7}(\.[0-9]{0,9})? ?% ?\)", fullmatch=True),
        ),
        max_size=8,
    )
)
def test_business_recorder_lines_with_faults(parts: list[tuple[str, ...]]) -> None:
    _assert_same("".join("".join(p) for p in parts))


def test_plain_forms_read_every_clean_entry() -> None:
    """The plain forms are what big clean texts are read by (if they stopped matching, the
    full patterns would read the same rows, only slower: nothing else would notice)."""
    strip, _ = testing.concatenated_strip(300, seed=6, newline_every=30)
    lines, truth = testing.brecorder_lines(300, seed=6)
    assert len(truth) == 300
    assert any("," in q.text for q in truth)  # index rows with thousands separators too
    for text, dialect in ((strip, Dialect.CONCATENATED), (lines, Dialect.BRECORDER)):
        pieces = pa.array(text.split(")")[:-1], pa.large_string())
        extracted = pc.extract_regex(pieces, entries._PLAIN_PATTERNS[dialect])
        assert extracted.null_count == 0
        assert entries._grouped_right(extracted.field("price")).all()
        assert entries._plain_order(pieces, list(entries._PLAIN_PATTERNS)) == [dialect]


@needs_numba
def test_the_compiled_reader_is_taken_for_big_glued_texts_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """It reads glued entries: a big text of Business Recorder lines (arrows with words)
    would pass it every piece, so it is not taken there."""
    scanned: list[int] = []
    scan = _kernel.scan

    def counted(compiled: Any, buf: np.ndarray) -> _kernel.Scanned:
        scanned.append(len(buf))
        return scan(compiled, buf)

    monkeypatch.setattr(_kernel, "scan", counted)
    lines, _ = testing.brecorder_lines(40_000, seed=8)
    glued, _ = testing.concatenated_strip(50_000, seed=8, newline_every=30)
    assert len(lines) >= entries.KERNEL_MIN_CHARS <= len(glued)
    assert len(read_entries(lines)) == 40_000
    assert scanned == []
    assert len(read_entries(glued)) == 50_000
    assert scanned == [len(glued.encode())]
    # a sample without arrows (a long preamble) is no evidence of words
    preamble = "Market report. " * 5000 + "\n"
    assert len(read_entries(preamble + glued)) == 50_000
    assert scanned[1:] == [len((preamble + glued).encode())]


_PIECES = st.lists(
    st.sampled_from(
        [
            "A", "Z", "&", "-", "a", "1", "0", "12", "1234567890123456", ",", ",123", ".", "▲",
            "▼", " ", "  ", "\t", "\n", "\x85", "(", "%", "+", "-", "x", "NOV", " By ", "67,194",
            " Increased By ", " Decreased By ", " No Change ", " Unchanged ", "AGL38.02▲ 0.08 (",
            "AIRLINK 61.80 Increased By ▲ 1.37 (2.27", "KSE100 ", "0.21%",
        ]
    ),
    max_size=14,
).map("".join)  # fmt: skip


@given(st.lists(_PIECES, min_size=1, max_size=20))
@example(["AGL38.02▲ 0.08 (0.21%", "\n AIRLINK 61.80 Increased By ▲ 1.37 (2.27%", "A1▲1("])
def test_a_plain_form_takes_only_what_its_full_pattern_takes_the_same_way(
    pieces: list[str],
) -> None:
    """Wherever a plain form matches a piece, its dialect's full pattern does too, with the
    same groups and a blank lead; and no piece has two plain readings."""
    array = pa.array(pieces, pa.large_string())
    readings = np.zeros(len(pieces), dtype=np.int64)
    for dialect, plain in entries._PLAIN_PATTERNS.items():
        extracted = pc.extract_regex(array, plain)
        taken = entries._grouped_right(extracted.field("price"))  # a comma where it belongs
        fast = extracted.to_pylist()
        full = pc.extract_regex(array, entries._PIECE_PATTERNS[dialect]).to_pylist()
        for i, (got, want) in enumerate(zip(fast, full, strict=True)):
            if got is None or not taken[i]:
                continue
            readings[i] += 1
            assert want is not None, (dialect, pieces[i])
            assert {k: want[k] for k in got} == got, (dialect, pieces[i])
            assert want["lead"].strip(" \t\n") == "", (dialect, pieces[i])
    assert readings.max() <= 1


def _assert_python_extracts_as_re2(pieces: pa.Array) -> None:
    for dialect, pattern in entries._PIECE_PATTERNS.items():
        want = pc.extract_regex(pieces, pattern)
        got = entries._extract_few(pieces, grammar.python_pattern(pattern))
        assert got.type == want.type, dialect
        assert got.to_pylist() == want.to_pylist(), dialect
        for i in range(want.type.num_fields):  # rows that do not match hold "" too
            assert got.field(i).to_pylist() == want.field(i).to_pylist(), dialect


def _tails(text: str) -> pa.Array:
    """``text``'s pieces as :func:`entries._extract` gives them to a pattern."""
    pieces = pc.list_flatten(pc.split_pattern(pa.array([text], pa.large_string()), ")"))
    return pc.utf8_slice_codeunits(pieces, -entries._ENTRY_TAIL)


@pytest.mark.parametrize(
    "name", [*_GENERATED, *(f"hostile-{i}" for i in range(len(testing.hostile_texts(1))))]
)
def test_python_extracts_what_re2_extracts_from_every_piece(name: str) -> None:
    text = (
        testing.hostile_texts(1)[int(name.split("-")[1])]
        if name.startswith("hostile-")
        else _GENERATED[name]
    )
    _assert_python_extracts_as_re2(_tails(text))


@given(st.lists(st.one_of(_PIECES, st.text(max_size=30)), min_size=1, max_size=20))
@example(["AGL38.02▲ 0.08 (0.21%\n", "AGL38.02▲ 0.08 (0.21% ", "KSE100\n86,057.51\n807.42\n(0.95%"])
@example(["AIRLINK 61.80 Increased By ▲ 1.37 (2.27%\n", "\n AIRLINK 61.80 No Change ▼ 0 (0%"])
def test_python_extracts_what_re2_extracts(pieces: list[str]) -> None:
    """RE2's ``$`` is the end of the piece, not before a last line break (Python's
    ``$``); groups that take no part are ``""``, as Arrow gives them."""
    clean = [p.encode("utf-8", "replace").decode("utf-8") for p in pieces]  # no surrogates
    _assert_python_extracts_as_re2(pa.array(clean, pa.large_string()))


def test_a_page_is_read_the_same_by_either_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    """A page's few pieces go to Python's ``re``; forced to RE2, the same rows."""
    kinds = [(1, "plain", "concatenated"), (2, "spans", "brecorder"), (3, "pretty", "none")]
    pages = [
        normalize(testing.html_page(seed=s, markup=m, strip=k)[0], markup="auto").text
        for s, m, k in kinds
    ]
    python_rows = [read_entries(p, None) for p in pages]
    assert [len(rows) for rows in python_rows] == [30, 30, 0]
    monkeypatch.setattr(entries, "_FEW_BYTES", -1)
    for page, rows in zip(pages, python_rows, strict=True):
        again = read_entries(page, None)
        assert len(rows) == len(again)
        for f in fields(Entries):
            a, b = getattr(rows, f.name), getattr(again, f.name)
            if isinstance(a, pa.Array):
                assert a.to_pylist() == b.to_pylist(), f.name
            else:
                assert np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), f.name


@given(
    st.text(st.sampled_from(list(" \t\n\r\x0b\x0c\x1c\x1f\x85\u2003•|/,-xA1")), max_size=8),
    st.text(max_size=3),
)
def test_a_lead_is_blank_in_python_as_in_re2(lead: str, around: str) -> None:
    """``is_blank_lead`` (a document's first lead, read in place) agrees with RE2's test of
    a lead column, wherever the lead sits in a longer text."""
    lead = lead.encode("utf-8", "replace").decode("utf-8")
    want = bool_column_of(pc.match_substring_regex(pa.array([lead]), entries._SEPARATOR_ONLY))
    text = around + lead + around
    assert entries.is_blank_lead(text, len(around), len(around) + len(lead)) == want


def bool_column_of(array: pa.Array) -> bool:
    return bool(entries.bool_column(array)[0])
