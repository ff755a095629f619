"""ticker_parse: stock-market ticker strips scraped from news sites, as exact typed records.

>>> import ticker_parse
>>> result = ticker_parse.parse("KOSM7▲ 0.48 (7.36%)TOMCL35▼ -0.03 (-0.09%)")
>>> [(q.symbol, str(q.price), str(q.percent), q.issues) for q in result.quotes]
[('KOSM', '7', '7.36', ()), ('TOMCL', '35', '-0.09', ())]
"""

from __future__ import annotations

from ticker_parse._columnar import load_scanner
from ticker_parse.errors import (
    TickerDecodeError,
    TickerParseError,
    TickerTimeoutError,
    TickerValidationError,
    UnknownDialectError,
)
from ticker_parse.frame import empty_frame, frame_from_text, read_ticker
from ticker_parse.models import (
    Dialect,
    Direction,
    Issue,
    IssueCode,
    ParseResult,
    Quote,
    Residue,
    ResidueReason,
    Strip,
)
from ticker_parse.parser import parse
from ticker_parse.sources import TickerReadError
from ticker_parse.stream import iter_quotes
from ticker_parse.summary import Summary, summarize_frame
from ticker_parse.symbols import PSX_INDICES

__version__ = "0.1.0"

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
    "load_scanner",
    "parse",
    "read_ticker",
    "summarize_frame",
]
