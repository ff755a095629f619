"""DataFrames: to_frame(), read_ticker(), empty_frame(), and the fast path's agreement."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import ticker_parse
from tests.conftest import OBSERVER_SEED
from tests.test_seed import GOLDEN
from ticker_parse import Dialect
from ticker_parse.strategies import noise, strips

FIRST_COLUMNS = ["symbol", "price", "direction", "change", "percent", "start", "end"]


def test_to_frame_has_one_row_per_quote_with_the_contract_columns(observer_text: str) -> None:
    """30 rows; symbol, price, direction, change, percent, start, end, then validation."""
    frame = ticker_parse.parse(observer_text).to_frame()
    assert list(frame.columns) == [
        *FIRST_COLUMNS,
        "expected_percent",
        "issues",
        "strip",
        "strip_id",
        "source",
        "captured_at",
    ]
    assert len(frame) == 30
    assert frame["price"].dtype == "float64"
    assert frame["symbol"].tolist() == [g[0] for g in GOLDEN]
    assert frame["price"].tolist() == [float(g[1]) for g in GOLDEN]
    assert frame["direction"].astype(str).tolist() == [g[2] for g in GOLDEN]
    assert (frame["issues"] == "percent_as_fraction").all()


def test_to_frame_exact_gives_decimal_columns(observer_text: str) -> None:
    """exact=True keeps the displayed figures as Decimal objects."""
    frame = ticker_parse.parse(observer_text).to_frame(exact=True)
    assert frame["price"].tolist() == [Decimal(g[1]) for g in GOLDEN]
    assert frame["percent"].tolist() == [Decimal(g[4]) for g in GOLDEN]


def test_expected_percent_is_change_over_previous_close(observer_text: str) -> None:
    """expected_percent = change / (price - change) * 100, from the displayed figures."""
    frame = ticker_parse.parse(observer_text).to_frame()
    want = frame["change"] / (frame["price"] - frame["change"]) * 100
    pd.testing.assert_series_equal(frame["expected_percent"], want, check_names=False)
    airlink = frame.loc[frame["symbol"] == "AIRLINK", "expected_percent"].item()
    assert round(airlink, 2) == 1.78


def test_read_ticker_reads_a_path_and_a_text_buffer_alike() -> None:
    """A path and an open text buffer of the same text give the same frame."""
    from_path = ticker_parse.read_ticker(OBSERVER_SEED)
    from_str_path = ticker_parse.read_ticker(str(OBSERVER_SEED))
    with OBSERVER_SEED.open(encoding="utf-8") as fh:
        from_buffer = ticker_parse.read_ticker(fh)
    assert len(from_path) == 30
    pd.testing.assert_frame_equal(from_path, from_buffer)
    pd.testing.assert_frame_equal(from_path, from_str_path)


def test_frames_can_be_modified_in_place() -> None:
    """Columns shared with the parser's buffers are copied on write, never read-only."""
    frame = ticker_parse.read_ticker(io.StringIO("AGL38.02▲ 0.08 (0.21%)KOSM7▲ 0.48 (7.36%)"))
    frame.loc[0, "price"] = 1.0
    frame["change"] *= 2
    assert frame["price"].tolist() == [1.0, 7.0]
    assert frame["change"].tolist() == [0.16, 0.96]


def test_read_ticker_rejects_a_binary_buffer() -> None:
    """Bytes buffers are refused with a hint to open the file in text mode."""
    with pytest.raises(TypeError, match="text mode"):
        ticker_parse.read_ticker(io.BytesIO(b"AGL38.02"))  # type: ignore[arg-type]


def test_read_ticker_decompresses_by_suffix(tmp_path: Path, observer_text: str) -> None:
    """.gz, .bz2 and .xz paths are read transparently."""
    import bz2
    import gzip
    import lzma

    for suffix, opener in ((".gz", gzip.open), (".bz2", bz2.open), (".xz", lzma.open)):
        path = tmp_path / f"dump{suffix}"
        with opener(path, "wt", encoding="utf-8") as fh:
            fh.write(observer_text)
        assert len(ticker_parse.read_ticker(path)) == 30


def test_empty_frame_has_exactly_the_dtypes_of_a_parse(observer_text: str) -> None:
    """empty_frame() is the meta a distributed map needs: same columns, same dtypes."""
    parsed = ticker_parse.read_ticker(io.StringIO(observer_text))
    empty = ticker_parse.empty_frame()
    assert len(empty) == 0
    pd.testing.assert_series_equal(empty.dtypes, parsed.dtypes)
    assert ticker_parse.parse("no strip").to_frame().dtypes.equals(empty.dtypes)


def test_drop_duplicates_removes_a_strip_shown_twice() -> None:
    """Both copies are reported; drop_duplicates keeps the first."""
    text = "AGL38.02▲ 0.08 (0.21%)WTL1.6▲ 0.08 (5.26%)\n" * 2
    assert len(ticker_parse.parse(text).to_frame()) == 4
    deduped = ticker_parse.read_ticker(io.StringIO(text), drop_duplicates=True)
    assert deduped["symbol"].tolist() == ["AGL", "WTL"]
    assert deduped["start"].tolist() == [0, 22]


def test_read_ticker_chunksize_yields_frames_of_that_many_rows(observer_text: str) -> None:
    """chunksize=N streams frames of at most N rows that add up to the whole."""
    chunks = list(ticker_parse.read_ticker(io.StringIO(observer_text), chunksize=7))
    assert [len(c) for c in chunks] == [7, 7, 7, 7, 2]
    whole = ticker_parse.read_ticker(io.StringIO(observer_text))
    pd.testing.assert_frame_equal(pd.concat(chunks, ignore_index=True), whole)


def test_read_ticker_rejects_a_bad_chunksize() -> None:
    """chunksize must be a positive integer."""
    with pytest.raises(ValueError, match="chunksize"):
        ticker_parse.read_ticker(io.StringIO(""), chunksize=0)


# --- the columnar fast path gives exactly the records path's rows -----------------------


@given(
    parts=st.lists(st.one_of(*(strips(d) for d in Dialect), noise()), max_size=6),
    glue=st.sampled_from(["\n", "\n\n", " | ", "", ")", "X", "1", "\x1c"]),
    exact=st.sampled_from(["float", "decimal", "text"]),
)
def test_frame_from_text_equals_the_records_frame(
    parts: list[object], glue: str, exact: str
) -> None:
    """frame_from_text (no records) and parse().to_frame() give the same frame."""
    text = glue.join(p.text if hasattr(p, "text") else str(p) for p in parts)
    pd.testing.assert_frame_equal(
        ticker_parse.frame_from_text(text, exact=exact),  # type: ignore[arg-type]
        ticker_parse.parse(text).to_frame(exact=exact),  # type: ignore[arg-type]
    )


def test_many_documents_read_together_give_each_documents_rows() -> None:
    """frame_from_texts (one reading for many pages) equals frame_from_text page by page."""
    from ticker_parse.pipeline import frame_from_texts
    from ticker_parse.testing import html_page

    pages = [
        html_page(seed=s, strip=k, markup="spans")[0]
        for s in range(3)
        for k in ("concatenated", "none", "brecorder")
    ]
    names = [f"page-{i}.html" for i in range(len(pages))]
    together = frame_from_texts(pages, sources=names)
    one_by_one = pd.concat(
        [ticker_parse.frame_from_text(p, source=n) for p, n in zip(pages, names, strict=True)],
        ignore_index=True,
    )
    columns = [
        "symbol",
        "price",
        "change",
        "percent",
        "start",
        "end",
        "issues",
        "source",
        "strip_id",
    ]
    pd.testing.assert_frame_equal(together[columns], one_by_one[columns])
    assert len(together) == 6 * 30  # 3 pages of each kind with a strip, 30 entries each


_GLUED = "NEWSFLASHAGL38.02▲ 0.08 (0.21%)AGL38.02▲ 0.08 (0.21%)"


@pytest.mark.parametrize(
    "before",
    ["", "  ", " | ", "junk ", "x) ", "x)", "\n\n"],
    ids=["opens", "blank", "separator", "junk", "piece", "glued-piece", "lines"],
)
def test_a_document_read_with_others_keeps_its_glued_headline_as_alone(before: str) -> None:
    """A capital run glued to a document's first symbol is cut as when the document is read
    alone (its lead there starts at the document, not at the separator before it)."""
    from ticker_parse.pipeline import frame_from_texts

    texts = ["AGL38.02▲ 0.08 (0.21%) tail", before + _GLUED, "", before + _GLUED]
    together = frame_from_texts(texts)
    alone = pd.concat([ticker_parse.frame_from_text(t) for t in texts], ignore_index=True)
    pd.testing.assert_frame_equal(together, alone)
    assert len(together) == 5


@pytest.mark.parametrize(
    ("texts", "symbols"),
    [
        (["", "NEWSFLASHBOP 5.00 0.01 | BOP 5.00 0.01 |"], None),  # a marquee opening it
        (["x", "XYZKSE100 67194.5 646.5 | BOP 5.00 0.01 |"], None),
        (["", "ABCDEFGHIAGL 38.02 0.08 | BOP 5.00 -0.01 |"], ["AGL"]),
        # one glued entry a line is one strip; the next document's first line is not theirs
        (["AGL38.02▲ 0.08 (0.21%)\nBOP5.00▲ 0.01 (0.20%)", "x)FFC10.0▲ 0.1 (1.01%)"], None),
        (["AGL38.02▲ 0.08 (0.21%)\nBOP5.00▲ 0.01 (0.20%)", "x)\nFFC10.0▲ 0.1 (1.01%)"], None),
    ],
    ids=["marquee-headline", "marquee-known-ending", "marquee-symbols", "lines", "lines-2"],
)
def test_documents_read_together_give_the_rows_they_give_alone(
    texts: list[str], symbols: list[str] | None
) -> None:
    from ticker_parse.pipeline import frame_from_texts

    together = frame_from_texts(texts, symbols=symbols)
    alone = [ticker_parse.frame_from_text(t, symbols=symbols) for t in texts]
    pd.testing.assert_frame_equal(together, pd.concat(alone, ignore_index=True))


def test_text_that_is_no_entry_ends_the_line_before_it() -> None:
    """Glued entries one a line are one strip (a rendered list); text between two lines
    that is no entry starts a new strip, and does not join the next entry to the line
    before it (which would make that a line of several entries, a strip of its own)."""
    text = "AGL38.02▲ 0.08 (0.21%)\nBOP5.00▲ 0.01 (0.20%)\nx)FFC10.0▲ 0.1 (1.01%)"
    assert ticker_parse.frame_from_text(text)["strip"].tolist() == [0, 0, 1]
    assert ticker_parse.frame_from_text(text.replace("x)", ""))["strip"].tolist() == [0, 0, 0]


def test_a_big_text_read_in_blocks_gives_the_rows_of_one_reading() -> None:
    """Past two blocks a text is read block by block: the same frame as in one go."""
    from ticker_parse.testing import concatenated_strip

    text, _ = concatenated_strip(200_000, seed=3, fault_rate=0.2, newline_every=30)
    assert len(text) > 2 * ticker_parse.pipeline.BLOCK_SIZE
    in_blocks = ticker_parse.frame_from_text(text)
    in_one_go = ticker_parse.frame_from_text(text, timeout=600)  # a timeout reads it whole
    pd.testing.assert_frame_equal(in_blocks, in_one_go)


def test_float_figures_are_the_displayed_figures_read_as_floats() -> None:
    """A price whose digits moved into the symbol is still float(its text), not a
    subtraction's rounding error (28379.609999999986 for 28379.61)."""
    from ticker_parse.testing import concatenated_strip

    text, _ = concatenated_strip(3000, seed=5, digit_symbols=0.3, newline_every=30)
    floats = ticker_parse.frame_from_text(text)
    texts = ticker_parse.frame_from_text(text, exact="text")
    for name in ("price", "change", "percent"):
        assert floats[name].tolist() == [float(t) for t in texts[name]]
    assert (floats["symbol"].str[-1].str.isdigit()).sum() > 100  # digits did move
