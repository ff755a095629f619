"""The records ticker_parse returns: frozen pydantic models and the result of a parse."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

__all__ = [
    "Dialect",
    "Direction",
    "Issue",
    "IssueCode",
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
    #: Every stock row of the strip shows no change while its index rows moved: the site
    #: showed yesterday's rows (Business Recorder does, some days).
    STALE_ROW = "stale_row"


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

    @computed_field  # type: ignore[prop-decorator]
    @property
    def previous_close(self) -> Decimal:
        """``price - change``, the close the change is measured from."""
        return self.price - self.change

    @computed_field  # type: ignore[prop-decorator]
    @property
    def expected_percent(self) -> Decimal | None:
        """``change / previous close * 100`` from the displayed figures (None if close <= 0)."""
        previous = self.previous_close
        if previous <= 0:
            return None
        if not self.change:  # not 0E+2 (0 / 9.54 * 100 keeps the divisor's exponent)
            return Decimal(0)
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
    convention: Literal["percent", "fraction"]
