"""ticker_parse: stock-market ticker strips scraped from news sites, as exact typed records.

>>> import ticker_parse
>>> result = ticker_parse.parse("KOSM7▲ 0.48 (7.36%)TOMCL35▼ -0.03 (-0.09%)")
>>> [(q.symbol, str(q.price), str(q.percent), q.issues) for q in result.quotes]
[('KOSM', '7', '7.36', ()), ('TOMCL', '35', '-0.09', ())]
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from ticker_parse.errors import (
    TickerArgumentError,
    TickerDecodeError,
    TickerParseError,
    TickerReadError,
    TickerTimeoutError,
    TickerValidationError,
    UnknownDialectError,
)
from ticker_parse.grammar import PSX_INDICES
from ticker_parse.models import (
    Dialect,
    Direction,
    Issue,
    IssueCode,
    Quote,
    Residue,
    ResidueReason,
    Strip,
)
from ticker_parse.pipeline import frame_from_text
from ticker_parse.reading import iter_quotes, read_ticker
from ticker_parse.records import ParseResult, parse
from ticker_parse.summary import Summary, summarize_frame
from ticker_parse.table import empty_frame

try:
    __version__ = version("ticker_parse")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

__all__ = [
    "PSX_INDICES",
    "Dialect",
    "Direction",
    "Issue",
    "IssueCode",
    "ParseResult",
    "Quote",
    "Residue",
    "ResidueReason",
    "Strip",
    "Summary",
    "TickerArgumentError",
    "TickerDecodeError",
    "TickerParseError",
    "TickerReadError",
    "TickerTimeoutError",
    "TickerValidationError",
    "UnknownDialectError",
    "__version__",
    "empty_frame",
    "frame_from_text",
    "iter_quotes",
    "parse",
    "read_ticker",
    "summarize_frame",
]
