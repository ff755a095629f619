"""Validation: no false alarm on honest figures, the right code for every detectable fault."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import ticker_parse
from ticker_parse import Dialect, IssueCode
from ticker_parse import checks as validate
from ticker_parse.strategies import HonestQuote, honest_quotes, render, strips


@pytest.mark.parametrize("dialect", list(Dialect))
@given(data=st.data())
def test_honest_strips_raise_no_issue_in_any_dialect(dialect: Dialect, data: st.DataObject) -> None:
    """Honestly rounded entries, prices 0.01 to 200,000, tiny to >10% moves: never flagged."""
    strip = data.draw(strips(dialect))
    result = ticker_parse.parse(strip.text)
    assert len(result.quotes) == len(strip.quotes)
    assert [q.issue_codes for q in result.quotes] == [()] * len(strip.quotes)


@given(quote=honest_quotes(index=True))
def test_honest_business_recorder_index_rows_rounded_to_integers_are_not_flagged(
    quote: HonestQuote,
) -> None:
    """An index value printed as 67,194 and a change as 646.5 are judged as rounded."""
    result = ticker_parse.parse(render(quote, Dialect.BRECORDER))
    assert [q.issue_codes for q in result.quotes] == [()]


def _codes(text: str) -> tuple[str, ...]:
    (quote,) = ticker_parse.parse(text).quotes
    return quote.issue_codes


@given(quote=honest_quotes())
def test_percent_shown_as_fraction_is_flagged_when_it_differs(quote: HonestQuote) -> None:
    """Printing change / previous close (2 decimals) instead of x100 gives percent_as_fraction."""
    fraction = (quote.change / quote.previous).quantize(Decimal("0.01"))
    if fraction == quote.percent:  # indistinguishable: both round to the same figure
        return
    arrow = "▲" if quote.change > 0 else "▼"
    text = f"{quote.symbol}{quote.price}{arrow} {quote.change} ({fraction}%)"
    assert _codes(text) == ("percent_as_fraction",)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("WTL1.6▲ 0.08 (-5.26%)", IssueCode.PERCENT_SIGN),
        ("WTL1.6▲ 0.08 (5.00%)", IssueCode.PERCENT_OF_PRICE),  # 0.08 / 1.6
        ("WTL1.6▲ 0.08 (7.77%)", IssueCode.PERCENT_MISMATCH),
        ("WTL1.6▼ 0.08 (5.26%)", IssueCode.DIRECTION_MISMATCH),
        ("AIRLINK 61.80 No Change ▼ 1.37 (2.27%)", IssueCode.DIRECTION_MISMATCH),
        ("WTL1.6▲ 1.6 (100.00%)", IssueCode.NONPOSITIVE_PREVIOUS_CLOSE),
        ("AGL38.02▲ 0.08 (0.00%)", IssueCode.PERCENT_AS_FRACTION),
    ],
)
def test_each_injected_fault_gets_its_code(text: str, code: IssueCode) -> None:
    """One fault, one code."""
    assert _codes(text) == (code.value,)


@pytest.mark.parametrize(
    "text",
    [
        "TOMCL35▼ -0.03 (0.00%)",  # tiny negative fraction printed without its minus sign
        "BOP 8.41 No Change ▼ 0.00 (0%)",  # Business Recorder's flat stock
        "FFL 9.25 Increased By ▲ 0.19 (2.1%)",  # trailing zero dropped
        "PPL 106.30 Decreased By ▼ -1.07 (-1%)",
        "KSE100 67,194 Increased By 646.5 (0.97%)",  # index rounded to an integer
        "XYZ 27.30   0.00 | ABC 11.20   0.05 |",  # flat, no percent
    ],
)
def test_display_habits_are_not_mistaken_for_faults(text: str) -> None:
    """Habits of real sites (lost sign at zero, dropped zeros, rounding) are not errors."""
    result = ticker_parse.parse(text)
    assert result.quotes
    assert all(q.issue_codes in ((), ("percent_as_fraction",)) for q in result.quotes)
    if "TOMCL" not in text:
        assert not result.flagged


def test_issue_messages_explain_with_the_expected_figure() -> None:
    """The message names the displayed and the expected percent; the figure is untouched."""
    quote = ticker_parse.parse("AIRLINK197.36▲ 3.45 (0.02%)").quotes[0]
    assert quote.percent == Decimal("0.02")  # never overwritten
    assert quote.issues[0].message == (
        "percent 0.02% is change / previous close as a fraction, 100x too small; expected 1.78%"
    )


@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from([0.01, 1.0, 38.02, 197.36, 67194.0, -5.0, 0.0]),
            st.sampled_from([0.0, 0.08, -0.03, 3.45, 646.5, -38.02, 5.0]),
            st.sampled_from([0.0, 0.21, 0.02, -1.78, 1.78, 100.0, float("nan")]),
            st.sampled_from([1, -1, 0]),
            st.integers(0, 3),
            st.booleans(),
        ),
        min_size=1,
        max_size=40,
    ),
    chunk=st.integers(1, 9),
)
def test_checks_in_chunks_equal_checks_in_one_go(
    rows: list[tuple[float, float, float, int, int, bool]], chunk: int
) -> None:
    """Long columns are checked a slice at a time (bounded scratch memory); the bits and
    the convention test are the same as checking every row at once."""
    price, change, percent, direction, decimals, ambiguous = (
        np.array(column) for column in zip(*rows, strict=True)
    )
    hw = validate.percent_halfwidth(np.asarray(decimals, dtype=np.int64))
    zeros = np.zeros(len(rows))
    columns = (price.astype(float), change.astype(float), percent.astype(float), zeros, zeros, hw)
    whole_bits = validate.check_columns(
        *columns, np.asarray(direction, dtype=np.int8), ambiguous=np.asarray(ambiguous, bool)
    )
    whole_fits = validate.is_percent_consistent(*columns, scale=1.0)
    original = validate._CHUNK
    validate._CHUNK = chunk
    try:
        assert np.array_equal(
            validate.check_columns(
                *columns,
                np.asarray(direction, dtype=np.int8),
                ambiguous=np.asarray(ambiguous, bool),
            ),
            whole_bits,
        )
        assert np.array_equal(validate.is_percent_consistent(*columns, scale=1.0), whole_fits)
    finally:
        validate._CHUNK = original
