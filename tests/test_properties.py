"""Invariants that hold for every input: round trips, full accounting, only our errors."""

from __future__ import annotations

import itertools
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

import ticker_parse
from tests.test_parse import covered
from ticker_parse import Dialect, Direction, TickerParseError
from ticker_parse.checks import _move_digits, percent_halfwidth, pow10
from ticker_parse.entries import _MARKS, Names, _may_hold, figure_shapes
from ticker_parse.normalize import normalize
from ticker_parse.strategies import RenderedStrip, noise, strips


def _expected_price(strip: RenderedStrip, i: int) -> Decimal:
    quote = strip.quotes[i]
    if strip.dialect is Dialect.BRECORDER and quote.is_index:
        return quote.price.quantize(Decimal(1), rounding="ROUND_HALF_UP")
    return quote.price


@pytest.mark.parametrize("dialect", list(Dialect))
@given(data=st.data())
def test_rendered_strips_parse_back_to_the_same_figures(
    dialect: Dialect, data: st.DataObject
) -> None:
    """Render quotes in a dialect, wrap them in noise, parse: the same figures come back."""
    strip = data.draw(strips(dialect))
    before, after = data.draw(noise()), data.draw(noise())
    text = f"{before}\n{strip.text}\n{after}"
    quotes = ticker_parse.parse(text).quotes
    assert [q.symbol for q in quotes] == [q.symbol for q in strip.quotes]
    assert [q.price for q in quotes] == [_expected_price(strip, i) for i in range(len(quotes))]
    # A flat stock is "unchanged" in every dialect (a glued strip draws ▼ on it).
    assert [q.direction for q in quotes] == [
        q.direction if q.change != 0 else Direction.UNCHANGED for q in strip.quotes
    ]
    assert all(q.dialect is dialect for q in quotes)
    if dialect is not Dialect.MARQUEE:
        assert [q.percent for q in quotes] == [q.percent for q in strip.quotes]
    assert not any(q.issues for q in quotes)


@given(text=st.text(max_size=400))
def test_any_text_is_fully_accounted_for(text: str) -> None:
    """Quotes and residue never overlap and cover every non-space character."""
    result = ticker_parse.parse(text)
    spans = sorted(
        [(q.start, q.end) for q in result.quotes] + [(r.start, r.end) for r in result.residue]
    )
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))
    assert covered(result).strip() == ""
    for q in result.quotes:
        assert text[q.start : q.end] == q.raw


_FRAGMENTS = st.sampled_from(
    [
        "AGL38.02▲ 0.08 (0.21%)",
        "KSE10067194▲ 646.5 (0.01%)",
        "▲",
        "▼",
        "(",
        ")",
        "%",
        "|",
        "&#9650;",
        "â–²",
        "<br>",
        "<li>",
        "\u00a0",
        "\u2212",
        "\r\n",
        "\n",
        " ",
        "Increased By ",
        "No Change ▼ 0.00 (0%)",
        "AIRLINK 61.80 Increased By ▲ 1.37 (2.27%)",
        "XYZ 27.30   0.89 |",
        "KSE100\n86,057.51\n807.42\n(0.95%)",
        "٣٨",
        "\x00",
        "\ufeff",
        "1e999",
        "9" * 40,
        "&amp;",
    ]
)
_MIXED = st.lists(st.one_of(_FRAGMENTS, st.text(max_size=8)), max_size=20).map("".join)


@given(text=_MIXED)
def test_structured_junk_is_accounted_for_and_raises_nothing_foreign(text: str) -> None:
    """Pieces of entries, markup and odd characters in any order: no crash, full coverage."""
    try:
        result = ticker_parse.parse(text)
    except TickerParseError:  # pragma: no cover - allowed, but none is expected here
        return
    assert covered(result).strip() == ""
    assert all(text[q.start : q.end] == q.raw for q in result.quotes)
    ticker_parse.parse(text, validate=False)
    ticker_parse.frame_from_text(text)


@given(text=st.one_of(st.text(max_size=300), _MIXED))
def test_normalizing_twice_equals_normalizing_once(text: str) -> None:
    """Text clean-up (HTML rendering aside) is idempotent: a second pass changes nothing."""
    once = normalize(text, markup="text").text
    assert normalize(once, markup="text").text == once


@given(text=_MIXED)
def test_offsets_map_back_inside_the_original(text: str) -> None:
    """Every normalized position maps to a position within the original text, in order."""
    norm = normalize(text)
    positions = np.arange(len(norm.text) + 1, dtype=np.int64)
    for mapped in (norm.original_starts(positions), norm.original_ends(positions)):
        assert ((mapped >= 0) & (mapped <= len(text))).all()
        assert (np.diff(mapped) >= 0).all()


@given(text=_MIXED)
def test_fast_path_and_records_path_agree_on_structured_junk(text: str) -> None:
    """Whichever path a text takes, the DataFrame equals the records' frame."""
    import pandas as pd

    pd.testing.assert_frame_equal(
        ticker_parse.frame_from_text(text), ticker_parse.parse(text).to_frame()
    )


@given(
    st.lists(st.none() | st.text("0123456789.,-+", max_size=9), max_size=30),
    st.integers(0, 3),
)
def test_figure_shapes_are_what_the_text_shows(values: list[str | None], cut: int) -> None:
    """Figures' shapes, read from Arrow's buffers, are the texts' (nulls, slices too)."""
    array = pa.array(values, pa.large_string())
    array = array.slice(min(cut, len(array)), max(0, len(array) - 2 * cut))
    shown = ["" if v is None else v for v in array.to_pylist()]
    shape = figure_shapes(array)
    assert shape.length.tolist() == [len(v) for v in shown]
    assert shape.dot.tolist() == [v.find(".") for v in shown]
    assert shape.grouped.tolist() == ["," in v for v in shown]
    assert shape.first.tolist() == [ord(v[0]) if v else 0 for v in shown]


@given(
    st.lists(st.sampled_from(["AGL", "KSE", "KSE100", "BOP", ""]), min_size=1, max_size=20),
    st.data(),
)
def test_names_are_their_texts_after_replacing_some(texts: list[str], data: st.DataObject) -> None:
    """Symbols as codes: a code is its text, before and after some rows get new texts
    (digits moved into a symbol), and equal codes are equal texts."""
    rows = sorted(set(data.draw(st.lists(st.integers(0, len(texts) - 1), max_size=5))))
    new = [data.draw(st.sampled_from(["KSE100", "KSE30", "BOP6", "AGL"])) for _ in rows]
    names = Names.of(pa.array(texts, pa.large_string()))
    names = names.replace(np.array(rows, dtype=np.int64), pa.array(new, pa.large_string()))
    expected = list(texts)
    for r, t in zip(rows, new, strict=True):
        expected[r] = t
    assert names.distinct.take(pa.array(names.codes)).to_pylist() == expected
    assert len(set(names.distinct.to_pylist())) == len(names.distinct)  # no text twice
    indices = pa.array(["KSE100", "AGL"], pa.large_string())
    assert names.isin(indices).tolist() == [t in ("KSE100", "AGL") for t in expected]
    assert names.index_in(indices).tolist() == [
        {"KSE100": 0, "AGL": 1}.get(t, -1) for t in expected
    ]


@given(
    st.lists(
        st.tuples(
            st.from_regex(r"[A-Z]{1,5}", fullmatch=True),
            st.from_regex(r"[0-9]{2,6}(\.[0-9]{1,2})?", fullmatch=True),
        ),
        max_size=150,
    ),
    st.data(),
)
def test_moving_digits_into_symbols_moves_just_those(
    tokens: list[tuple[str, str]], data: st.DataObject
) -> None:
    """Digits moved from price texts onto symbols, a few or many: each row gets exactly its
    first ``k`` digits moved."""
    moves = [data.draw(st.integers(1, len(p.split(".")[0]) - 1)) for _, p in tokens]
    symbols = pa.array([s for s, _ in tokens], pa.large_string())
    texts = pa.array([p for _, p in tokens], pa.large_string())
    names, rest = _move_digits(symbols, texts, np.array(moves, dtype=np.int64))
    assert names.type == rest.type == pa.large_string()
    assert names.to_pylist() == [s + p[:k] for (s, p), k in zip(tokens, moves, strict=True)]
    assert rest.to_pylist() == [p[k:] for (_, p), k in zip(tokens, moves, strict=True)]


@given(
    st.sampled_from(sorted(_MARKS, key=str)),
    st.integers(0, 3),
    st.sampled_from(["", "x", "▲", "creased", "Chang", "Unchanged", "%", "Change"]),
    st.integers(0, 200_000),
)
def test_the_mark_search_finds_a_mark_wherever_it_is(
    dialect: Dialect, spaces: int, inserted: str, at: int
) -> None:
    """Whether a text holds one of a dialect's marks, searched first in its start and then
    by RE2, is what Python's ``in`` says: a mark far past the start is found, a near miss
    (``Chang``) is not one."""
    filler = ("The market closed higher. " + " " * spaces) * 8_000
    text = filler[:at] + inserted + filler[at:]
    expected = any(mark in text for mark in _MARKS[dialect])
    assert _may_hold(dialect, text, pa.array([text], pa.large_string())) == expected


@given(st.lists(st.integers(-60, 60), max_size=50))
def test_powers_of_ten_are_numpys(exponents: list[int]) -> None:
    """The looked-up powers of ten are the floats ``np.power`` gives, inside the table and
    past it."""
    column = np.array(exponents, dtype=np.int64)
    assert np.array_equal(pow10(column), np.power(10.0, column.astype(np.float64)))
    every = np.arange(-60, 61)
    assert np.array_equal(pow10(every), np.power(10.0, every.astype(np.float64)))


@pytest.mark.parametrize("decimals", [np.int64(1), 3, np.array(4), np.uint8(5)])
def test_a_single_percent_has_its_halfwidth(decimals: object) -> None:
    """``percent_halfwidth`` of one number of decimals, as of a column of them."""
    column = np.array([decimals], dtype=np.int64)
    assert percent_halfwidth(decimals) == percent_halfwidth(column)[0]  # type: ignore[arg-type]
