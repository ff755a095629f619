"""The records path: text in, :class:`ParseResult` of exact ``Quote`` records out.

text -> normalized text -> entries per dialect -> strips -> symbol splits -> figures ->
validation -> quotes (offsets mapped back to the original) + residue.
"""

from __future__ import annotations

import contextlib
import gc
import time
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal

import numpy as np
import numpy.typing as npt
import pandas as pd

from ticker_parse import _patterns
from ticker_parse._normalize import Normalized, normalize
from ticker_parse.dialects import (
    Entry,
    find_entries,
    group_strips,
    resolve_by_convention,
    strip_conventions,
    to_dialect,
)
from ticker_parse.errors import TickerParseError, TickerValidationError
from ticker_parse.frame import DIRECTION_CODE, Exactness, assemble_frame
from ticker_parse.models import (
    Dialect,
    Direction,
    Issue,
    ParseResult,
    Quote,
    Residue,
    ResidueReason,
    Strip,
)
from ticker_parse.symbols import known_symbols
from ticker_parse.validate import (
    FloatArray,
    bits_to_codes,
    check_columns,
    expected_percent,
    issue_message,
    percent_halfwidth,
)

__all__ = ["entries_frame", "figure_halfwidth", "parse"]

_DIRECTION_SIGN = {Direction.UP: 1, Direction.DOWN: -1, Direction.UNCHANGED: 0}


def figure_halfwidth(text: str, dialect: Dialect) -> float:
    """Half the display rounding step of a price or change as printed.

    The concatenated dialect prints numbers the way JavaScript does (``35`` for 35.00,
    ``13.5`` for 13.50): the shortest text of an exact value, so nothing was rounded away.
    Elsewhere PSX figures tick in 0.01, so 2 or more decimals are exact; fewer decimals mean
    the site rounded (Business Recorder index rows: ``67,194``, change ``646.5``).
    """
    if dialect is Dialect.CONCATENATED:
        return 0.0
    dot = text.find(".")
    decimals = len(text) - dot - 1 if dot >= 0 else 0
    return 0.0 if decimals >= 2 else 0.5 * 10.0**-decimals


def _decimals(text: str | None) -> int:
    if not text or "." not in text:
        return 0
    return len(text) - text.find(".") - 1


def _figures(entries: Sequence[Entry]) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Price, change and percent (NaN where none is shown) of each entry, as floats."""
    n = len(entries)
    price = np.fromiter((float(e.price.replace(",", "")) for e in entries), np.float64, count=n)
    change = np.fromiter((float(e.change.replace(",", "")) for e in entries), np.float64, count=n)
    percent = np.fromiter(
        (np.nan if e.percent is None else float(e.percent) for e in entries), np.float64, count=n
    )
    return price, change, percent


def _validate(entries: Sequence[Entry]) -> tuple[list[int], np.ndarray]:
    """Issue bits and expected percent per entry, from the shared column checks."""
    price, change, percent = _figures(entries)
    bits = _check(entries, price, change, percent)
    return bits.tolist(), expected_percent(price, change)


def _check(
    entries: Sequence[Entry], price: FloatArray, change: FloatArray, percent: FloatArray
) -> npt.NDArray[np.uint16]:
    """Issue bits per entry (see ``validate.CODE_ORDER``)."""
    n = len(entries)
    prices = [e.price.replace(",", "") for e in entries]
    changes = [e.change.replace(",", "") for e in entries]
    if all(e.glued for e in entries):  # concatenated only: JS-printed, exact figures
        price_hw = change_hw = np.zeros(n)
    else:
        price_hw = np.array(
            [figure_halfwidth(p, e.dialect) for p, e in zip(prices, entries, strict=True)]
        )
        change_hw = np.array(
            [figure_halfwidth(c, e.dialect) for c, e in zip(changes, entries, strict=True)]
        )
    return check_columns(
        price,
        change,
        percent,
        price_hw,
        change_hw,
        percent_halfwidth(np.array([_decimals(e.percent) for e in entries], dtype=np.int64)),
        np.array([_DIRECTION_SIGN[e.direction] for e in entries], dtype=np.int8),
        direction_conflict=np.array([e.direction_conflict for e in entries], dtype=bool),
        ambiguous=np.array([bool(e.alternatives) for e in entries], dtype=bool),
    )


def _issues(entry: Entry, bits: int, expected: float) -> tuple[Issue, ...]:
    if not bits:
        return ()
    return tuple(
        Issue(
            code=code,
            message=issue_message(
                code,
                price=entry.price,
                change=entry.change,
                percent=entry.percent,
                expected=None if np.isnan(expected) else float(expected),
                alternatives=entry.alternatives,
            ),
        )
        for code in bits_to_codes(bits)
    )


def _classify(segment: str) -> ResidueReason:
    if _patterns.MARKUP_ONLY.fullmatch(segment):
        return ResidueReason.MARKUP
    if _patterns.INCOMPLETE.search(normalize(segment).text):
        return ResidueReason.INCOMPLETE_ENTRY
    return ResidueReason.UNPARSED_TEXT


def residue_between(text: str, spans: Iterable[tuple[int, int]]) -> list[Residue]:
    """Every non-blank stretch of ``text`` outside ``spans``, one per line."""
    out: list[Residue] = []
    pos = 0
    for start, end in [*spans, (len(text), len(text))]:
        line_start = pos
        while line_start < start:
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


def _resolve_splits(entries: list[Entry], text: str, known: frozenset[str]) -> list[Strip]:
    """Group into strips, settle each strip's convention and its glued tokens."""
    groups = group_strips(entries, text)
    conventions, is_fraction, fits = strip_conventions(entries, groups)
    # a strip is of one dialect: glued (concatenated) throughout or not at all
    rows = [i for g in groups if entries[g.first].glued for i in range(g.first, g.last + 1)]
    if rows:
        glued = [entries[i] for i in rows]
        splits = resolve_by_convention(
            [(e.symbol, e.price) for e in glued],
            [e.change for e in glued],
            [e.percent for e in glued],
            is_fraction[rows],
            known,
            fits=fits[rows],
        )
        for e, split in zip(glued, splits, strict=True):
            e.symbol, e.price, e.alternatives = split.symbol, split.price, split.alternatives
    return [
        Strip(
            start=entries[g.first].start,
            end=entries[g.last].end,
            dialect=g.dialect,
            count=g.last - g.first + 1,
            convention=c,
        )
        for g, c in zip(groups, conventions, strict=True)
    ]


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


def parse(
    text: str,
    *,
    dialect: Dialect | str | None = None,
    symbols: Iterable[str] | None = None,
    validate: bool = True,
    strict: bool = False,
    timeout: float | None = None,
) -> ParseResult:
    """Parse every ticker entry in ``text`` into exact :class:`Quote` records.

    ``dialect`` forces one format instead of detecting it per strip. ``symbols`` adds known
    symbols that settle how a glued ``SYMBOL123.45`` splits. ``validate=False`` skips the
    consistency checks; ``strict=True`` raises :class:`TickerValidationError` if any quote is
    flagged. ``timeout`` (seconds) bounds the time spent matching.

    >>> result = parse("AGL38.02▲ 0.08 (0.21%)")
    >>> result.quotes[0].symbol, result.quotes[0].price, result.quotes[0].issues
    ('AGL', Decimal('38.02'), ())
    """
    if not isinstance(text, str):
        raise TypeError(f"parse() takes a str, not {type(text).__name__}")
    if strict and not validate:
        raise TickerParseError("strict=True needs validate=True")
    forced = to_dialect(dialect)
    known = known_symbols(symbols)
    with _bulk_allocation():
        result = _parse(text, forced, known, validate, timeout)
    if strict and result.flagged:
        raise TickerValidationError(result.flagged)
    return result


def entries_frame(
    text: str,
    *,
    dialect: Dialect | str | None = None,
    symbols: Iterable[str] | None = None,
    validate: bool = True,
    exact: Exactness = False,
) -> pd.DataFrame:
    """``parse(text).to_frame(exact=exact)``, without building a record per entry.

    The same normalization, entries, splits and checks as :func:`parse`, straight into
    columns: no pydantic ``Quote``, no ``Decimal`` (unless ``exact=True`` asks for them),
    no residue. The DataFrame path for text the columnar path does not take.
    """
    norm = normalize(text)
    entries = find_entries(norm.text, to_dialect(dialect))
    _resolve_splits(entries, norm.text, known_symbols(symbols))
    price, change, percent = _figures(entries)
    if validate and entries:
        bits = _check(entries, price, change, percent)
    else:
        bits = np.zeros(len(entries), dtype=np.uint16)
    offsets = norm.offsets
    starts = [e.start for e in entries]
    ends = [e.end for e in entries]
    if not offsets.is_identity:
        starts = [offsets.start(s) for s in starts]
        ends = [offsets.end(e) for e in ends]
    return assemble_frame(
        symbol=[e.symbol for e in entries],
        direction=np.array([DIRECTION_CODE[e.direction] for e in entries], dtype=np.int8),
        price=price,
        change=change,
        percent=percent,
        start=np.array(starts, dtype=np.int64),
        end=np.array(ends, dtype=np.int64),
        bits=bits,
        number_texts={
            "price": [_as_displayed(e.price) for e in entries],
            "change": [_as_displayed(e.change) for e in entries],
            "percent": [None if e.percent is None else _as_displayed(e.percent) for e in entries],
        }
        if exact
        else None,
        exact=exact,
    )


def _as_displayed(figure: str) -> str:
    """A figure as the records give it: ``format(Decimal(...), "f")`` of its plain digits."""
    return format(Decimal(figure.replace(",", "")), "f")


def _parse(
    text: str, forced: Dialect | None, known: frozenset[str], validate: bool, timeout: float | None
) -> ParseResult:
    started = time.monotonic()
    norm: Normalized = normalize(text)
    remaining = None if timeout is None else max(1e-3, timeout - (time.monotonic() - started))
    entries = find_entries(norm.text, forced, timeout=remaining)
    strips = _resolve_splits(entries, norm.text, known)

    if validate and entries:
        bits, expected = _validate(entries)
    else:
        bits, expected = [0] * len(entries), np.full(len(entries), np.nan)

    offsets = norm.offsets
    identity = offsets.is_identity
    quotes = []
    for e, b, x in zip(entries, bits, expected.tolist(), strict=True):
        start, end = (e.start, e.end) if identity else (offsets.start(e.start), offsets.end(e.end))
        quotes.append(
            Quote(
                symbol=e.symbol,
                # glued (concatenated) figures never carry thousands separators
                price=Decimal(e.price if e.glued else e.price.replace(",", "")),
                direction=e.direction,
                change=Decimal(e.change if e.glued else e.change.replace(",", "")),
                percent=None if e.percent is None else Decimal(e.percent),
                start=start,
                end=end,
                raw=text[start:end],
                dialect=e.dialect,
                issues=_issues(e, b, x) if b else (),
            )
        )
    mapped_strips = tuple(
        s.model_copy(update={"start": offsets.start(s.start), "end": offsets.end(s.end)})
        for s in strips
    )
    return ParseResult(
        text=text,
        quotes=tuple(quotes),
        residue=tuple(residue_between(text, ((q.start, q.end) for q in quotes))),
        strips=mapped_strips,
    )
