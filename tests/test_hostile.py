"""Hostile input: linear time on pathological shapes, and clean handling of odd bytes."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

import ticker_parse
from ticker_parse import TickerParseError
from ticker_parse.strategies import HOSTILE_SHAPES


def _seconds(text: str) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        ticker_parse.parse(text)
        best = min(best, time.perf_counter() - start)
    return best


@pytest.mark.parametrize("shape", list(HOSTILE_SHAPES))
def test_time_grows_linearly_on_hostile_shapes(shape: str) -> None:
    """8x the input costs about 8x the time, never the square (generous bound: 24x)."""
    make = HOSTILE_SHAPES[shape]
    small, large = _seconds(make(40_000)), _seconds(make(320_000))
    assert large < 24 * small + 0.05, (shape, small, large)
    assert large < 5.0


@pytest.mark.parametrize(
    ("text", "symbols"),
    [
        ("", []),
        ("   \n\t  ", []),
        ("\x00" * 100, []),
        ("AGL38.02▲ 0.08 (0.21%)\x00WTL1.6▲ 0.08 (5.26%)", ["AGL", "WTL"]),
        ("AGL" + "9" * 300 + "▲ 0.08 (0.21%)", []),  # hundreds of digits: no entry
        ("AGL1e999▲ 0.08 (0.21%)", []),  # no exponents in tickers
        ("AGL38.02▲ 1e999 (0.21%)", []),
        ("AGL٣٨.٠٢▲ ٠.٠٨ (٠.٢١%)", ["AGL"]),  # Arabic-Indic digits read as digits
        ("AGL38.02▲ 0.08 (0.21%)\ud800", ["AGL"]),  # a lone surrogate
        ("\ufeffAGL38.02▲ 0.08 (0.21%)", ["AGL"]),  # a BOM left in the text
    ],
)
def test_hygiene_cases_give_a_correct_result(text: str, symbols: list[str]) -> None:
    """Odd inputs parse to exactly the entries they hold, with every character accounted."""
    from tests.test_parse import covered

    result = ticker_parse.parse(text)
    assert [q.symbol for q in result.quotes] == symbols
    assert covered(result).strip() == ""


def test_arabic_indic_digits_become_exact_decimals() -> None:
    """٣٨.٠٢ is 38.02, exactly, and the raw text keeps the original digits."""
    quote = ticker_parse.parse("AGL٣٨.٠٢▲ ٠.٠٨ (٠.٢١%)").quotes[0]
    assert (quote.price, quote.change, quote.percent) == (
        Decimal("38.02"),
        Decimal("0.08"),
        Decimal("0.21"),
    )
    assert quote.raw == "AGL٣٨.٠٢▲ ٠.٠٨ (٠.٢١%)"


def test_megabytes_without_an_entry_give_no_quote_quickly() -> None:
    """A large page of prose and numbers is all residue, in well under a second."""
    line = "By 11:00am the index stood at 67,187.00, up 639.22 points or 0.96% (est.)\n"
    text = line * 20_000  # 1.5 MB
    start = time.perf_counter()
    result = ticker_parse.parse(text)
    assert result.quotes == ()
    assert len(result.residue) == 20_000
    assert time.perf_counter() - start < 10


@pytest.mark.parametrize("value", [None, 42, b"bytes", ["list"]])
def test_wrong_types_are_type_errors_not_crashes(value: object) -> None:
    """A non-string is refused with TypeError before any work is done."""
    with pytest.raises(TypeError):
        ticker_parse.parse(value)  # type: ignore[arg-type]


def test_only_ticker_errors_escape_on_bad_calls() -> None:
    """Call mistakes raise TickerParseError subclasses (also ValueErrors)."""
    with pytest.raises(TickerParseError):
        ticker_parse.parse("x", dialect="nope")
    assert issubclass(TickerParseError, ValueError)
