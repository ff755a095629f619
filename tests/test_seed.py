"""The seed (Pakistan Observer, concatenated dialect): every field of every entry."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest

import ticker_parse
from ticker_parse import Dialect, Direction, IssueCode

# symbol, price, direction, change, percent: exactly as the strip prints them.
GOLDEN: list[tuple[str, str, str, str, str]] = [
    ("AGL", "38.02", "up", "0.08", "0.00"),
    ("AIRLINK", "197.36", "up", "3.45", "0.02"),
    ("BOP", "9.54", "up", "0.22", "0.02"),
    ("CNERGY", "5.91", "up", "0.07", "0.01"),
    ("DCL", "8.82", "up", "0.14", "0.02"),
    ("DFML", "35.74", "down", "-0.72", "-0.02"),
    ("DGKC", "96.86", "up", "4.32", "0.05"),
    ("FCCL", "35.25", "up", "1.28", "0.04"),
    ("FFBL", "88.94", "up", "6.64", "0.08"),
    ("FFL", "13.17", "up", "0.42", "0.03"),
    ("HUBC", "127.55", "up", "6.94", "0.06"),
    ("HUMNL", "13.5", "down", "-0.1", "-0.01"),
    ("KEL", "5.32", "up", "0.1", "0.02"),
    ("KOSM", "7", "up", "0.48", "0.07"),
    ("MLCF", "44.7", "up", "2.59", "0.06"),
    ("NBP", "61.42", "up", "1.61", "0.03"),
    ("OGDC", "214.67", "up", "3.5", "0.02"),
    ("PAEL", "38.79", "up", "1.21", "0.03"),
    ("PIBTL", "8.25", "up", "0.18", "0.02"),
    ("PPL", "193.08", "up", "2.76", "0.01"),
    ("PRL", "38.66", "up", "0.49", "0.01"),
    ("PTC", "25.8", "up", "2.35", "0.10"),
    ("SEARL", "103.6", "up", "5.66", "0.06"),
    ("TELE", "8.3", "up", "0.08", "0.01"),
    ("TOMCL", "35", "down", "-0.03", "0.00"),
    ("TPLP", "13.3", "down", "-0.25", "-0.02"),
    ("TREET", "22.16", "down", "-0.57", "-0.03"),
    ("TRG", "55.59", "up", "2.72", "0.05"),
    ("UNITY", "32.97", "up", "0.01", "0.00"),
    ("WTL", "1.6", "up", "0.08", "0.05"),
]


def test_seed_gives_exactly_the_30_entries_of_its_strip(observer_text: str) -> None:
    """All 30 entries come out with the strip's five figures, in order, as exact Decimals."""
    result = ticker_parse.parse(observer_text)
    got = [(q.symbol, q.price, q.direction.value, q.change, q.percent) for q in result.quotes]
    want = [(s, Decimal(p), d, Decimal(c), Decimal(pc)) for s, p, d, c, pc in GOLDEN]
    assert got == want


def test_seed_decimals_keep_the_displayed_digits(observer_text: str) -> None:
    """Decimals are built from the text: ``35`` stays 35 and ``0.00`` keeps two places."""
    quotes = {q.symbol: q for q in ticker_parse.parse(observer_text).quotes}
    assert str(quotes["TOMCL"].price) == "35"
    assert str(quotes["HUMNL"].price) == "13.5"
    assert str(quotes["AGL"].percent) == "0.00"


def test_seed_offsets_index_the_original_text(observer_text: str) -> None:
    """Each quote's raw text is the slice of the input its offsets name, glued end to end."""
    quotes = ticker_parse.parse(observer_text).quotes
    for q in quotes:
        assert observer_text[q.start : q.end] == q.raw
    assert quotes[0].start == 0
    assert all(a.end == b.start for a, b in itertools.pairwise(quotes))
    assert quotes[-1].raw == "WTL1.6▲ 0.08 (0.05%)"


def test_seed_article_yields_no_quotes_only_residue(observer_text: str) -> None:
    """The article after the strip becomes residue, line by line; nothing is invented."""
    result = ticker_parse.parse(observer_text)
    strip_end = result.quotes[-1].end
    assert all(q.end <= strip_end for q in result.quotes)
    assert result.residue[0].text == "Chinese and Russian technological ties"
    assert all(r.start >= strip_end for r in result.residue)


def test_seed_every_percent_is_flagged_as_a_fraction(observer_text: str) -> None:
    """All 30 percent figures are change / previous close as fractions: 100x too small."""
    result = ticker_parse.parse(observer_text)
    assert [q.issue_codes for q in result.quotes] == [(IssueCode.PERCENT_AS_FRACTION,)] * 30
    assert result.strips[0].convention == "fraction"


def test_seed_is_diagnosed_in_one_sentence(observer_text: str) -> None:
    """The summary names the single cause behind the whole strip."""
    summary = ticker_parse.parse(observer_text).summary()
    assert summary.diagnosis == (
        "30 of 30 percent figures are fractions of the previous close, 100× too small"
    )
    assert summary.counts == {"percent_as_fraction": 30}


@pytest.mark.parametrize(("symbol", "expected"), [("AIRLINK", "1.78"), ("TOMCL", "-0.09")])
def test_seed_expected_percent_is_change_over_previous_close(
    observer_text: str, symbol: str, expected: str
) -> None:
    """The true percent sits beside the displayed one (AIRLINK +1.78%, TOMCL -0.09%)."""
    quote = next(q for q in ticker_parse.parse(observer_text).quotes if q.symbol == symbol)
    assert quote.expected_percent is not None
    assert round(quote.expected_percent, 2) == Decimal(expected)
    assert quote.dialect is Dialect.CONCATENATED
    assert quote.direction in (Direction.UP, Direction.DOWN)
