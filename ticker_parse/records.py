"""The records path: ``parse()`` and :class:`ParseResult`, Quote records built from the same
checked columns as the DataFrame path.
"""

from __future__ import annotations

import contextlib
import gc
import time
from collections.abc import Iterable, Iterator
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow.compute as pc
from pydantic import BaseModel, ConfigDict, PrivateAttr

from ticker_parse import grammar
from ticker_parse.checks import bits_to_codes, expected_percent, issue_message
from ticker_parse.entries import DIALECT_ORDER
from ticker_parse.errors import TickerArgumentError, TickerTimeoutError, TickerValidationError
from ticker_parse.models import (
    Dialect,
    Direction,
    Issue,
    Quote,
    Residue,
    ResidueReason,
    Strip,
)
from ticker_parse.normalize import normalize
from ticker_parse.pipeline import Parsed, check_timeout, run, settings
from ticker_parse.summary import Summary, summarize_codes
from ticker_parse.table import Exactness, assemble_frame, check_exact, dedupe

__all__ = ["ParseResult", "build_records", "parse", "residue_between"]

_DIRECTIONS = (Direction.UP, Direction.DOWN, Direction.UNCHANGED)


class ParseResult(BaseModel):
    """What :func:`ticker_parse.parse` returns.

    Whitespace aside, every character of the input lies in exactly one quote or one residue
    span.
    """

    model_config = ConfigDict(frozen=True)

    text: str
    quotes: tuple[Quote, ...]
    residue: tuple[Residue, ...]
    strips: tuple[Strip, ...] = ()
    # the checked columns the quotes were built from: to_frame() reuses them
    _parsed: Parsed | None = PrivateAttr(default=None)

    def __len__(self) -> int:
        return len(self.quotes)

    @property
    def flagged(self) -> tuple[Quote, ...]:
        """The quotes validation flagged."""
        return tuple(q for q in self.quotes if q.issues)

    def to_frame(
        self, *, exact: Exactness | bool = "float", drop_duplicates: bool = False
    ) -> pd.DataFrame:
        """One row per quote, the columns of :func:`ticker_parse.read_ticker`."""
        parsed = self._parsed
        if parsed is None:  # built by hand, not by parse(): read the text again
            parsed = run(self.text, settings())
        frame = assemble_frame(parsed.checked, parsed.start, parsed.end, exact=check_exact(exact))
        return dedupe(frame) if drop_duplicates else frame

    def summary(self) -> Summary:
        """Counts per issue code and, when one cause explains most entries, a diagnosis."""
        return summarize_codes(
            [q.issue_codes for q in self.quotes], [q.percent is not None for q in self.quotes]
        )

    def strip_summaries(self) -> list[tuple[Strip, Summary]]:
        """One :meth:`summary` per strip, for pages that show several."""
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


def _classify(segment: str) -> ResidueReason:
    if grammar.MARKUP_ONLY.fullmatch(segment):
        return ResidueReason.MARKUP
    if grammar.INCOMPLETE.search(normalize(segment, markup="text").text):
        return ResidueReason.INCOMPLETE_ENTRY
    return ResidueReason.UNPARSED_TEXT


def residue_between(
    text: str, spans: Iterable[tuple[int, int]], *, deadline: float | None = None
) -> list[Residue]:
    """Every non-blank stretch of ``text`` outside ``spans``, one per line.

    ``deadline`` (a ``time.monotonic()`` value) is checked every few thousand lines.
    """
    out: list[Residue] = []
    pos = 0
    lines = 0
    for start, end in [*spans, (len(text), len(text))]:
        line_start = pos
        while line_start < start:
            lines += 1
            if deadline is not None and not lines % 4096 and time.monotonic() > deadline:
                raise TickerTimeoutError(
                    f"parsing took longer than the timeout ({len(text):,} characters;"
                    f" {line_start:,} accounted for)"
                )
            nl = text.find("\n", line_start, start)
            line_end = start if nl < 0 else nl
            chunk = text[line_start:line_end]
            stripped = chunk.strip()
            if stripped:
                s = line_start + (len(chunk) - len(chunk.lstrip()))
                e = s + len(stripped)
                out.append(Residue(start=s, end=e, text=stripped, reason=_classify(stripped)))
            line_start = line_end + 1
        pos = max(pos, end)
    return out


@contextlib.contextmanager
def _bulk_allocation() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many acyclic records.

    Every few hundred allocations CPython's collector walks the young objects, and its
    older generations walk everything built so far: on 100,000 quotes that was a quarter of
    the time of parse(). Records, entries and Decimals form no cycles, so nothing is lost.
    Afterwards every tracked object is moved to the oldest generation, where a young
    collection would have put the survivors; a cycle of the caller's that was young at that
    moment is then freed by the next full collection instead of a young one.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            # Hand everything tracked to the oldest generation in one step (freeze, then
            # unfreeze), as surviving young collections would, without walking the new
            # records (that walk was another 6% of parse()). Not when the program froze
            # objects itself (before forking workers, say): unfreezing would undo that.
            if gc.get_freeze_count() == 0:
                gc.freeze()
                gc.unfreeze()
            gc.enable()


def build_records(text: str, parsed: Parsed) -> tuple[list[Quote], list[Strip]]:
    """The ``Quote`` records and strips of one pipeline run over ``text``."""
    checked = parsed.checked
    entries = checked.entries
    n = len(entries)
    symbols = checked.symbol.to_pylist()
    prices = pc.replace_substring(checked.price_text, ",", "").to_pylist()
    changes = pc.utf8_ltrim(pc.replace_substring(entries.change, ",", ""), "+").to_pylist()
    percents = pc.utf8_ltrim(entries.percent, "+").to_pylist()
    starts = parsed.start.tolist()
    ends = parsed.end.tolist()
    directions = [_DIRECTIONS[d] for d in entries.direction.tolist()]
    dialects = [DIALECT_ORDER[d] for d in entries.dialect.tolist()]
    bits = checked.bits.tolist()
    with np.errstate(invalid="ignore"):
        expected = expected_percent(checked.price, checked.change).tolist()
    quotes = []
    for i in range(n):
        start, end = starts[i], ends[i]
        percent = percents[i]
        issues: tuple[Issue, ...] = ()
        if bits[i]:
            issues = _issues(
                bits[i],
                expected[i],
                prices[i],
                changes[i],
                percent,
                checked.alternatives.get(i, ()),
            )
        quotes.append(
            Quote(  # validated: pydantic-core builds it faster than model_construct
                symbol=symbols[i],
                price=Decimal(prices[i]),
                direction=directions[i],
                change=Decimal(changes[i]),
                percent=None if percent is None else Decimal(percent),
                start=start,
                end=end,
                raw=text[start:end],
                dialect=dialects[i],
                issues=issues,
            )
        )
    strips = []
    if n:
        strip = entries.strip
        firsts = np.flatnonzero(np.r_[True, strip[1:] != strip[:-1]])
        lasts = np.r_[firsts[1:], n] - 1
        for first, last in zip(firsts.tolist(), lasts.tolist(), strict=True):
            strips.append(
                Strip(
                    start=starts[first],
                    end=ends[last],
                    dialect=dialects[first],
                    count=last - first + 1,
                    convention="fraction" if checked.is_fraction[first] else "percent",
                )
            )
    return quotes, strips


def _issues(
    bits: int,
    expected: float,
    price: str,
    change: str,
    percent: str | None,
    alternatives: tuple[str, ...],
) -> tuple[Issue, ...]:
    return tuple(
        Issue(
            code=code,
            message=issue_message(
                code,
                price=price,
                change=change,
                percent=percent,
                expected=None if np.isnan(expected) else float(expected),
                alternatives=alternatives,
            ),
        )
        for code in bits_to_codes(bits)
    )


def parse(
    text: str,
    *,
    dialect: Dialect | str | None = None,
    symbols: Iterable[str] | None = None,
    validate: bool = True,
    strict: bool = False,
    timeout: float | None = None,
    markup: str = "auto",
) -> ParseResult:
    """Parse every ticker entry in ``text`` into exact :class:`Quote` records.

    ``dialect`` forces one format instead of detecting it per strip. ``symbols`` adds known
    symbols that settle how a glued ``SYMBOL123.45`` splits. ``validate=False`` skips the
    consistency checks; ``strict=True`` raises :class:`TickerValidationError` if any quote is
    flagged. ``timeout`` (seconds) bounds the whole parse, clean-up included. ``markup``:
    ``"auto"`` detects HTML by content, ``"html"``/``"text"`` force a reading.

    >>> result = parse("AGL38.02▲ 0.08 (0.21%)")
    >>> result.quotes[0].symbol, result.quotes[0].price, result.quotes[0].issues
    ('AGL', Decimal('38.02'), ())
    """
    if not isinstance(text, str):
        raise TickerArgumentError(f"parse() takes a str, not {type(text).__name__}")
    if strict and not validate:
        raise TickerArgumentError("strict=True needs validate=True")
    timeout = check_timeout(timeout)
    options = settings(dialect=dialect, symbols=symbols, validate=validate, markup=markup)
    deadline = None if timeout is None else time.monotonic() + timeout
    parsed = run(text, options, deadline=deadline)
    with _bulk_allocation():
        quotes, strips = build_records(text, parsed)
    residue = residue_between(text, ((q.start, q.end) for q in quotes), deadline=deadline)
    result = ParseResult.model_construct(
        text=text, quotes=tuple(quotes), residue=tuple(residue), strips=tuple(strips)
    )
    result._parsed = parsed
    if strict and result.flagged:
        raise TickerValidationError(result.flagged)
    return result
