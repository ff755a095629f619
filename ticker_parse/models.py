"""The records ticker_parse returns: frozen pydantic models and the result of a parse."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    import pandas as pd

    from ticker_parse.summary import Summary

__all__ = [
    "Dialect",
    "Direction",
    "Issue",
    "IssueCode",
    "ParseResult",
    "Quote",
    "Residue",
    "ResidueReason",
    "Strip",
]


class Direction(StrEnum):
    """Which way the strip says the price moved."""

    UP = "up"
    DOWN = "down"
    UNCHANGED = "unchanged"


class Dialect(StrEnum):
    """The ticker formats ticker_parse reads; one is detected per strip."""

    #: Pakistan Observer: ``AGL38.02▲ 0.08 (0.00%)AIRLINK197.36▲ ...`` glued together.
    CONCATENATED = "concatenated"
    #: Business Recorder: ``AIRLINK 61.80 Increased By ▲ 1.37 (2.27%)``, one per line.
    BRECORDER = "brecorder"
    #: Broker marquee: ``XYZ 27.30   0.89 | XYZ-MAR 10.65   0.23 |``, no arrow, no percent.
    MARQUEE = "marquee"
    #: PSX data portal index list: name, value, change and ``(0.95%)`` on four lines.
    PORTAL = "portal"


class IssueCode(StrEnum):
    """Stable codes of the problems validation finds; tests and users match on these."""

    PERCENT_AS_FRACTION = "percent_as_fraction"
    PERCENT_SIGN = "percent_sign"
    PERCENT_OF_PRICE = "percent_of_price"
    PERCENT_MISMATCH = "percent_mismatch"
    DIRECTION_MISMATCH = "direction_mismatch"
    NONPOSITIVE_PREVIOUS_CLOSE = "nonpositive_previous_close"
    AMBIGUOUS_SYMBOL = "ambiguous_symbol"


class Issue(BaseModel):
    """One problem with one quote: a stable ``code`` and a ``message`` for people."""

    model_config = ConfigDict(frozen=True)

    code: IssueCode
    message: str


class Quote(BaseModel):
    """One ticker entry, with its figures exactly as the strip shows them.

    ``start`` and ``end`` index the caller's original text (``text[start:end] == raw``).
    ``percent`` is ``None`` where the strip shows no percent. ``issues`` is empty when the
    figures are consistent (or validation was skipped).
    """

    model_config = ConfigDict(frozen=True)

    symbol: str
    price: Decimal
    direction: Direction
    change: Decimal
    percent: Decimal | None
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    raw: str
    dialect: Dialect
    issues: tuple[Issue, ...] = ()

    @property
    def previous_close(self) -> Decimal:
        """``price - change``, the close the change is measured from."""
        return self.price - self.change

    @property
    def expected_percent(self) -> Decimal | None:
        """``change / previous close * 100`` from the displayed figures (None if close <= 0)."""
        previous = self.previous_close
        if previous <= 0:
            return None
        return self.change / previous * 100

    @property
    def has_issues(self) -> bool:
        """True when validation flagged anything."""
        return bool(self.issues)

    @property
    def issue_codes(self) -> tuple[str, ...]:
        """The codes of ``issues``, in order."""
        return tuple(i.code.value for i in self.issues)


class ResidueReason(StrEnum):
    """Why a stretch of input is not part of any quote."""

    #: Text with no ticker entry in it: prose, widgets, navigation.
    UNPARSED_TEXT = "unparsed_text"
    #: Looks like the start of an entry but stops before it is complete (cut off mid-number).
    INCOMPLETE_ENTRY = "incomplete_entry"
    #: HTML tags only.
    MARKUP = "markup"


class Residue(BaseModel):
    """A stretch of the input that is not part of a quote, and why."""

    model_config = ConfigDict(frozen=True)

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str
    reason: ResidueReason


class Strip(BaseModel):
    """A run of consecutive entries of one dialect: what a site showed as one ticker."""

    model_config = ConfigDict(frozen=True)

    start: int
    end: int
    dialect: Dialect
    count: int
    #: How the strip computes its percent figures: "percent" (change / previous close * 100)
    #: or "fraction" (change / previous close, 100x too small), judged by majority.
    convention: str


@dataclass(frozen=True, slots=True)
class ParseResult:
    """What :func:`ticker_parse.parse` returns.

    Whitespace aside, every character of the input lies in exactly one quote or one residue
    span.
    """

    text: str
    quotes: tuple[Quote, ...]
    residue: tuple[Residue, ...]
    strips: tuple[Strip, ...] = field(default=())

    def __len__(self) -> int:
        return len(self.quotes)

    @property
    def flagged(self) -> tuple[Quote, ...]:
        """The quotes validation flagged."""
        return tuple(q for q in self.quotes if q.issues)

    def to_frame(
        self, *, exact: bool | Literal["text"] = False, drop_duplicates: bool = False
    ) -> pd.DataFrame:
        """One row per quote: ``symbol, price, direction, change, percent, start, end,
        expected_percent, issues``. Numbers are float64; ``exact=True`` gives ``Decimal``.
        ``drop_duplicates=True`` drops rows repeating an earlier row's five fields (a strip
        shown twice on one page)."""
        from ticker_parse.frame import quotes_to_frame

        return quotes_to_frame(self.quotes, exact=exact, drop_duplicates=drop_duplicates)

    def summary(self) -> Summary:
        """Counts per issue code and, when one cause explains most entries, a diagnosis."""
        from ticker_parse.summary import summarize_codes

        return summarize_codes(
            [q.issue_codes for q in self.quotes], [q.percent is not None for q in self.quotes]
        )

    def strip_summaries(self) -> list[tuple[Strip, Summary]]:
        """One :meth:`summary` per strip, for pages that show several."""
        from ticker_parse.summary import summarize_codes

        out = []
        for strip in self.strips:
            inside = [q for q in self.quotes if strip.start <= q.start < strip.end]
            out.append(
                (
                    strip,
                    summarize_codes(
                        [q.issue_codes for q in inside], [q.percent is not None for q in inside]
                    ),
                )
            )
        return out
