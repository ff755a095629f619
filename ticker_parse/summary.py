"""Strip-level diagnosis: counts per issue code and one sentence for the main cause."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ticker_parse.errors import TickerArgumentError
from ticker_parse.models import IssueCode

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "Summary",
    "summarize_codes",
    "summarize_counts",
    "summarize_frame",
]

_PERCENT_CODES = frozenset(
    {
        IssueCode.PERCENT_AS_FRACTION,
        IssueCode.PERCENT_SIGN,
        IssueCode.PERCENT_OF_PRICE,
        IssueCode.PERCENT_MISMATCH,
    }
)

_SENTENCES: dict[IssueCode, str] = {
    IssueCode.PERCENT_AS_FRACTION: (
        "{n} of {total} percent figures are fractions of the previous close, 100× too small"
    ),
    IssueCode.PERCENT_SIGN: "{n} of {total} percent figures have the wrong sign",
    IssueCode.PERCENT_OF_PRICE: (
        "{n} of {total} percent figures are taken against the current price instead of the"
        " previous close"
    ),
    IssueCode.PERCENT_MISMATCH: "{n} of {total} percent figures fit no known convention",
    IssueCode.DIRECTION_MISMATCH: "{n} of {total} arrows or words contradict their change",
    IssueCode.NONPOSITIVE_PREVIOUS_CLOSE: (
        "{n} of {total} entries imply a previous close of zero or less"
    ),
    IssueCode.AMBIGUOUS_SYMBOL: "{n} of {total} symbols could not be told apart from their price",
}


@dataclass(frozen=True, slots=True)
class Summary:
    """How many quotes there were, how many carry each issue code, and a diagnosis."""

    quotes: int
    #: Quotes that show a percent figure: the base of the percent codes' counts.
    with_percent: int
    #: Quotes with at least one issue, each counted once.
    flagged: int
    counts: Mapping[str, int]
    #: One sentence when a single cause explains most entries, else None.
    diagnosis: str | None

    def __str__(self) -> str:
        lines = [f"{self.quotes} quotes, {self.flagged} flagged"]
        lines += [f"  {code}: {n}" for code, n in sorted(self.counts.items())]
        if self.diagnosis:
            lines.append(self.diagnosis)
        return "\n".join(lines)


def summarize_counts(
    quotes: int, with_percent: int, flagged: int, counts: Mapping[str, int]
) -> Summary:
    """Build a :class:`Summary` from counts (the DataFrame path counts with pandas)."""
    diagnosis = None
    if counts:
        code_name, n = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
        code = IssueCode(code_name)
        total = with_percent if code in _PERCENT_CODES else quotes
        if total and n * 2 > total:
            diagnosis = _SENTENCES[code].format(n=n, total=total)
    return Summary(quotes, with_percent, flagged, dict(counts), diagnosis)


def summarize_codes(
    rows: Iterable[tuple[str, ...]], has_percent: Iterable[bool] | None = None
) -> Summary:
    """Summarize per-quote code tuples (the records path)."""
    counts: Counter[str] = Counter()
    quotes = flagged = 0
    for codes in rows:
        quotes += 1
        flagged += bool(codes)
        counts.update(codes)
    with_percent = quotes if has_percent is None else sum(has_percent)
    return summarize_counts(quotes, with_percent, flagged, counts)


def summarize_frame(frame: pd.DataFrame) -> Summary:
    """Summarize a quotes DataFrame (the DataFrame path): vectorized over its columns.

    Raises :class:`TickerArgumentError` when ``frame`` lacks the ``issues`` or ``percent``
    column (it is not a quotes frame).
    """
    missing = [c for c in ("issues", "percent") if c not in frame.columns]
    if missing:
        raise TickerArgumentError(
            f"summarize_frame() needs a quotes frame; this one has no {' or '.join(missing)} column"
        )
    issues = frame["issues"]
    per_value = issues.value_counts()  # few distinct values, however many rows
    counts: Counter[str] = Counter()
    flagged = 0
    for value, n in per_value.items():
        if value:
            flagged += int(n)
            for code in str(value).split(";"):
                counts[code] += int(n)
    return summarize_counts(len(frame), int(frame["percent"].notna().sum()), flagged, counts)
