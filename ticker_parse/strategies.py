"""Hypothesis strategies for ticker quotes and strips, for your tests and ours.

``hypothesis`` is needed only to import this module (it is in the ``test`` extra).

>>> from hypothesis import given
>>> from ticker_parse.strategies import strips
>>> @given(strips("brecorder"))
... def test_parses(strip): ...

Each generated :class:`HonestQuote` is what a careful site would show: a previous close and
a price on the 0.01 tick, the change between them, and the percent change ÷ previous close ×
100 rounded half-up to 2 decimals, all rendered in one dialect's display habits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import strategies as st

from ticker_parse.models import Dialect, Direction

__all__ = [
    "HOSTILE_SHAPES",
    "NOISE_LINES",
    "HonestQuote",
    "RenderedStrip",
    "honest_quotes",
    "noise",
    "render",
    "strips",
]

_CENT = Decimal("0.01")
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_INDEX_NAMES = ("KSE100", "KSE30", "KMI30", "ALLSHR", "BR100", "BR30", "KMIALLSHR")

#: Lines of page text that hold numbers, capitals and brackets but no entry.
NOISE_LINES = (
    "Stocks extended their rally in the first hour of trade on Thursday.",
    "By 11:00am the index stood at 67,187.00, up 639.22 points or 0.96%.",
    "Pakistan Cases",
    "964,490",
    "2.22% positivity",
    "BMA-PGBI (Index Value) 98.0602 98.0332 0.0270 (0.03%)",
    "Index Statistics 10-Aug-05 9-Aug-05 Change",
    "During (1956-1665) the divergence of interests stalled their relations.",
    "KSE-100 gains 646 points (0.97 percent)",
    "PSX: KSE100 up 1.2% | OGDC down",
    "Jul 06, 2021 PRINT EDITION ► BR MARKETS ►",
    "Share | Tweet | WhatsApp",
    "USD 278.50 (0.1%) EUR 301.20",
    "Q3 2024: revenue 12,345 (up 4.5%)",
)


#: Shapes that make a careless regex backtrack, by name: each takes a length in characters.
#: The benchmark times parse() on them at 1x and 8x; the tests hold the growth linear.
HOSTILE_SHAPES: dict[str, Callable[[int], str]] = {
    "digits": lambda n: "7" * n,
    "capitals": lambda n: "A" * n,
    "AB1 runs": lambda n: "AB1" * (n // 3),
    "arrows": lambda n: "▲" * n,
    "brackets": lambda n: "(" * n,
    "percent signs": lambda n: "%)" * (n // 2),
    "entries cut before %)": lambda n: "AGL38.02▲ 0.08 (0.21" * (n // 20),
    "entries between junk": lambda n: "AGL38.02▲ 0.08 (0.21%) x#!" * (n // 26),
    "BR words without figures": lambda n: "AIRLINK 61.80 Increased By " * (n // 27),
    "pipes and numbers": lambda n: "X 1 2 |" * (n // 7),
    "portal-like lines": lambda n: "KSE\n1\n2\n(3" * (n // 11),
    "tags": lambda n: "<b" * (n // 2),
}


@dataclass(frozen=True, slots=True)
class HonestQuote:
    """A quote whose figures are consistent, before it is rendered."""

    symbol: str
    previous: Decimal
    price: Decimal
    is_index: bool = False

    @property
    def change(self) -> Decimal:
        return self.price - self.previous

    @property
    def percent(self) -> Decimal:
        """change ÷ previous close × 100, rounded half-up to 2 decimals (never ``-0.00``)."""
        value = (self.change / self.previous * 100).quantize(_CENT, rounding=ROUND_HALF_UP)
        return abs(value) if value == 0 else value

    @property
    def direction(self) -> Direction:
        if self.change > 0:
            return Direction.UP
        return Direction.DOWN if self.change < 0 else Direction.UNCHANGED


@st.composite
def honest_quotes(
    draw: st.DrawFn, *, index: bool = False, within_limit: bool = False
) -> HonestQuote:
    """Prices from 0.01 to 200,000, moves from one tick to more than 10% either way; with
    ``within_limit``, only moves the exchange allows in a day (10%, or 1 rupee)."""
    if index:
        symbol = draw(st.sampled_from(_INDEX_NAMES))
        previous_cents = draw(st.integers(100_000, 20_000_000))
    else:
        symbol = draw(st.text(_LETTERS, min_size=2, max_size=7))
        previous_cents = draw(st.integers(1, 20_000_000))
    limit = max(previous_cents // 10, 100)
    move = draw(
        st.integers(-min(limit, previous_cents - 1), limit)
        if within_limit
        else st.one_of(
            st.integers(-3, 3),  # a tick or three
            st.integers(-(previous_cents // 20), previous_cents // 20),  # within 5%
            st.integers(-(previous_cents - 1), previous_cents // 2),  # up to -99% / +50%
        )
    )
    price_cents = max(1, previous_cents + move)
    return HonestQuote(
        symbol, Decimal(previous_cents) / 100, Decimal(price_cents) / 100, is_index=index
    )


def _js(value: Decimal) -> str:
    """A number as JavaScript prints it: 35 for 35.00, 13.5 for 13.50."""
    text = format(value.quantize(_CENT), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _drop_zeros(value: Decimal) -> str:
    """Business Recorder's percent: 2.1 for 2.10, 0 for 0.00, -1 for -1.00."""
    return _js(value)


def _grouped(value: Decimal, places: int) -> str:
    return f"{value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):,.{places}f}"


def render(quote: HonestQuote, dialect: Dialect | str, *, trailing_zeros: bool = True) -> str:
    """One entry as ``dialect`` displays it."""
    d = Dialect(dialect)
    pct = format(quote.percent, "f") if trailing_zeros else _drop_zeros(quote.percent)
    arrow = "▲" if quote.change > 0 else "▼"
    if d is Dialect.CONCATENATED:
        return f"{quote.symbol}{_js(quote.price)}{arrow} {_js(quote.change)} ({pct}%)"
    if d is Dialect.BRECORDER:
        words = {"up": "Increased By", "down": "Decreased By", "unchanged": "No Change"}[
            quote.direction.value
        ]
        if quote.is_index:  # ~2024 layout: integer value, 1-decimal change, no arrow
            change = format(quote.change.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP), "f")
            percent = _drop_zeros(quote.percent)
            return f"{quote.symbol} {_grouped(quote.price, 0)} {words} {change} ({percent}%)"
        return (
            f"{quote.symbol} {format(quote.price, 'f')} {words} {arrow} "
            f"{format(quote.change, 'f')} ({_drop_zeros(quote.percent)}%)"
        )
    if d is Dialect.MARQUEE:
        return f"{quote.symbol} {quote.price:.6f}   {format(quote.change, 'f')} |"
    change = format(quote.change, "f")
    return f"{quote.symbol}\n{_grouped(quote.price, 2)}\n{change}\n({pct}%)"


@dataclass(frozen=True, slots=True)
class RenderedStrip:
    """A strip's text and the quotes it shows, in order."""

    text: str
    quotes: tuple[HonestQuote, ...]
    dialect: Dialect


_SEPARATORS = {
    Dialect.CONCATENATED: "",
    Dialect.BRECORDER: "\n",
    Dialect.MARQUEE: " ",
    Dialect.PORTAL: "\n",
}


@st.composite
def strips(
    draw: st.DrawFn, dialect: Dialect | str, *, min_size: int = 1, max_size: int = 12
) -> RenderedStrip:
    """A strip of honest quotes in one dialect, as a site would print it."""
    d = Dialect(dialect)
    if d is Dialect.MARQUEE:  # a lone marquee entry is no evidence of a marquee
        min_size, max_size = max(min_size, 2), max(max_size, 2)
    # a marquee is told from rates and weather by moves a share can make in a day
    quotes = draw(
        st.lists(
            honest_quotes(within_limit=d is Dialect.MARQUEE), min_size=min_size, max_size=max_size
        )
    )
    if d in (Dialect.BRECORDER, Dialect.CONCATENATED) and draw(st.booleans()):
        quotes = [*quotes, draw(honest_quotes(index=True))]
    trailing = draw(st.booleans())
    text = _SEPARATORS[d].join(render(q, d, trailing_zeros=trailing) for q in quotes)
    return RenderedStrip(text, tuple(quotes), d)


def noise() -> st.SearchStrategy[str]:
    """Lines of page text with numbers and capitals but no entry."""
    return st.lists(st.sampled_from(NOISE_LINES), max_size=4).map("\n".join)
