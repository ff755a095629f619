"""The exceptions ticker_parse raises.

Problems in the *data* (a figure that cannot be right, text that is not an entry) are returned
as data: issue codes on quotes and spans of residue. Problems in the *call* raise one of these.
Every one is a ``ValueError`` so that ``except ValueError`` keeps working for callers that do
not care which.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = [
    "TickerArgumentError",
    "TickerDecodeError",
    "TickerParseError",
    "TickerReadError",
    "TickerTimeoutError",
    "TickerValidationError",
    "TickerWarcError",
    "UnknownDialectError",
]


class TickerParseError(ValueError):
    """Base class of every error ticker_parse raises on purpose."""


class TickerArgumentError(TickerParseError, TypeError):
    """An argument has the wrong type or value (``chunksize=True``, ``symbols=[None]``).

    Also a ``TypeError``, so that code catching the built-in error for a wrong type still
    works.
    """


class TickerReadError(TickerParseError):
    """An input could not be opened or read (missing file, corrupt compressed stream)."""


class UnknownDialectError(TickerParseError):
    """``dialect=`` named a dialect this version does not know."""


class TickerTimeoutError(TickerParseError):
    """Parsing took longer than the ``timeout=`` the caller allowed."""


class TickerWarcError(TickerParseError):
    """A WARC archive cannot be read at all: not a WARC file, or the optional reader is missing.

    Damage *inside* a WARC (a truncated or malformed record) is not raised: it is reported in
    ``WarcStats.errors`` and reading goes on where it can.
    """


class TickerDecodeError(TickerParseError):
    """Input bytes could not be decoded with the requested encoding.

    ``source`` names the input, ``offset`` is the byte offset of the first bad byte.
    """

    def __init__(self, source: str, offset: int, encoding: str, reason: str) -> None:
        self.source = source
        self.offset = offset
        self.encoding = encoding
        super().__init__(
            f"{source}: cannot decode byte at offset {offset} as {encoding} ({reason})"
        )


class TickerValidationError(TickerParseError):
    """``strict=True`` and at least one quote carries a validation issue.

    ``quotes`` holds the flagged quotes, in text order.
    """

    def __init__(self, quotes: Sequence[Any]) -> None:
        self.quotes = tuple(quotes)
        lines = [
            f"  {q.symbol} at {q.start}-{q.end}: " + "; ".join(i.code for i in q.issues)
            for q in self.quotes[:20]
        ]
        more = len(self.quotes) - len(lines)
        if more > 0:
            lines.append(f"  ... and {more} more")
        super().__init__(f"{len(self.quotes)} quote(s) failed validation:\n" + "\n".join(lines))
