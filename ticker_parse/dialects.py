"""Finding entries in normalized text: one pattern per dialect, detection per strip.

Every dialect's pattern runs over the text; overlapping candidates are settled (the earlier
start wins, then the longer match), and the survivors are grouped into strips: runs of one
dialect separated only by white space. Nothing here looks at the caller's original text;
offsets are positions in the normalized text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import regex

from ticker_parse import _patterns
from ticker_parse.errors import TickerTimeoutError, UnknownDialectError
from ticker_parse.models import Dialect, Direction
from ticker_parse.validate import FloatArray, is_percent_consistent, percent_halfwidth

__all__ = [
    "Entry",
    "Split",
    "StripGroup",
    "find_entries",
    "group_strips",
    "known_prefixes",
    "resolve_by_convention",
    "resolve_tokens",
    "strip_conventions",
    "to_dialect",
    "vote_conventions",
]

_PATTERNS: dict[Dialect, regex.Pattern[str]] = {
    Dialect.CONCATENATED: _patterns.CONCATENATED,
    Dialect.BRECORDER: _patterns.BRECORDER,
    Dialect.MARQUEE: _patterns.MARQUEE,
    Dialect.PORTAL: _patterns.PORTAL,
}

_ARROWS = {"▲": Direction.UP, "▼": Direction.DOWN}
_WORDS = {
    "Increased By": Direction.UP,
    "Decreased By": Direction.DOWN,
    "No Change": Direction.UNCHANGED,
    "Unchanged": Direction.UNCHANGED,
}

#: Percent conventions a strip may follow: the scale applied to change / previous close.
CONVENTION_SCALE = {"percent": 100.0, "fraction": 1.0}


@dataclass(slots=True)
class Entry:
    """One matched entry, its figures as text, positions in the normalized text."""

    start: int
    end: int
    dialect: Dialect
    symbol: str
    price: str
    change: str
    percent: str | None
    direction: Direction
    #: The arrow contradicts the words (Business Recorder ``Increased By ▼``).
    direction_conflict: bool = False
    #: Concatenated dialect: symbol and price glued (``symbol`` holds the letters, ``price``
    #: the digits until :func:`resolve_tokens` settles the split).
    glued: bool = False
    #: Other splits of the glued token that fit the figures as well as the one chosen.
    alternatives: tuple[str, ...] = ()


@dataclass(slots=True)
class StripGroup:
    """Indices ``[first, last]`` of the entries that form one strip."""

    first: int
    last: int
    dialect: Dialect


def to_dialect(dialect: Dialect | str | None) -> Dialect | None:
    """Check a ``dialect=`` argument: a :class:`Dialect`, its value, or None to detect."""
    if dialect is None or isinstance(dialect, Dialect):
        return dialect
    try:
        return Dialect(str(dialect).lower())
    except ValueError:
        names = ", ".join(d.value for d in Dialect)
        raise UnknownDialectError(f"unknown dialect {dialect!r}; expected one of {names}") from None


def _direction(groups: dict[str, Any]) -> tuple[Direction, bool]:
    arrow = groups.get("arrow")
    words = groups.get("words")
    if words is not None:
        said = _WORDS[words]
        shown = _ARROWS.get(arrow) if arrow else None
        # "No Change ▼ 0.00" is how Business Recorder shows a flat stock: no conflict.
        conflict = shown is not None and said is not Direction.UNCHANGED and shown is not said
        return said, conflict
    if arrow is not None:
        return _ARROWS[arrow], False
    change = groups["change"].replace(",", "")
    if change.lstrip("+-").strip("0.") == "":
        return Direction.UNCHANGED, False
    return (Direction.DOWN if change.startswith("-") else Direction.UP), False


# group numbers, not names: a name costs a dictionary lookup per group per entry
_CONCATENATED_GROUPS = tuple(
    _patterns.CONCATENATED.groupindex[name]
    for name in ("symbol", "price", "arrow", "change", "percent")
)


def _entry(dialect: Dialect, m: regex.Match[str]) -> Entry:
    if dialect is Dialect.CONCATENATED:  # the bulk of big dumps: no dict, no branching
        symbol, price, arrow, change, percent = m.group(*_CONCATENATED_GROUPS)
        start, end = m.span()
        return Entry(
            start, end, dialect, symbol, price, change, percent, _ARROWS[arrow], glued=True
        )
    groups = m.groupdict()
    direction, conflict = _direction(groups)
    symbol, price = groups["symbol"], groups["price"]
    return Entry(
        start=m.start(),
        end=m.end(),
        dialect=dialect,
        symbol=symbol,
        price=price,
        change=groups["change"],
        percent=groups.get("percent"),
        direction=direction,
        direction_conflict=conflict,
    )


def _finditer(
    pattern: regex.Pattern[str], text: str, timeout: float | None
) -> list[regex.Match[str]]:
    try:
        return list(pattern.finditer(text, timeout=timeout))
    except TimeoutError as exc:
        raise TickerTimeoutError(
            f"parsing took longer than timeout={timeout} seconds ({len(text):,} characters)"
        ) from exc


def _drop_lone_marquee(entries: list[Entry], text: str, pipes: set[int]) -> list[Entry]:
    """A marquee entry without a pipe counts only next to one with a pipe."""
    kept: list[Entry] = []
    for i, e in enumerate(entries):
        if e.start in pipes:
            kept.append(e)
            continue
        neighbours = []
        if i > 0:
            neighbours.append((entries[i - 1], text[entries[i - 1].end : e.start]))
        if i + 1 < len(entries):
            neighbours.append((entries[i + 1], text[e.end : entries[i + 1].start]))
        if any(n.start in pipes and not gap.strip() for n, gap in neighbours):
            kept.append(e)
    return kept


def _may_hold(dialect: Dialect, text: str) -> bool:
    """A cheap necessary condition: skip a dialect's scan when its marks are absent."""
    if dialect is Dialect.BRECORDER:
        return any(word in text for word in _WORDS)
    if dialect is Dialect.MARQUEE:
        return "|" in text
    if dialect is Dialect.PORTAL:
        return "%" in text and _patterns.PORTAL_HINT.search(text) is not None
    return ("▲" in text or "▼" in text) and _patterns.CONCATENATED_HINT.search(text) is not None


def find_entries(
    text: str, dialect: Dialect | None = None, *, timeout: float | None = None
) -> list[Entry]:
    """Every entry in ``text`` (normalized), in order, none overlapping."""
    candidates: list[Entry] = []
    dialects = [dialect] if dialect is not None else [d for d in _PATTERNS if _may_hold(d, text)]
    for d in dialects:
        matches = _finditer(_PATTERNS[d], text, timeout)
        found = [_entry(d, m) for m in matches]
        if d is Dialect.MARQUEE:
            pipes = {m.start() for m in matches if m.group("pipe")}
            found = _drop_lone_marquee(found, text, pipes)
        candidates.extend(found)
    if len(dialects) > 1:
        candidates.sort(key=lambda e: (e.start, -(e.end - e.start)))
    accepted: list[Entry] = []
    last_end = -1
    for e in candidates:
        if e.start >= last_end:
            accepted.append(e)
            last_end = e.end
    return accepted


def group_strips(entries: Sequence[Entry], text: str) -> list[StripGroup]:
    """Runs of one dialect separated only by white space."""
    groups: list[StripGroup] = []
    for i, e in enumerate(entries):
        if groups:
            g = groups[-1]
            prev = entries[g.last]
            if prev.dialect is e.dialect and not text[prev.end : e.start].strip():
                g.last = i
                continue
        groups.append(StripGroup(i, i, e.dialect))
    return groups


# --- splitting a glued symbol+price token (concatenated dialect) -------------------------


@dataclass(frozen=True, slots=True)
class Split:
    """The outcome of splitting one token."""

    symbol: str
    price: str
    alternatives: tuple[str, ...] = ()


def _letters_end(token: str) -> int:
    """Where the symbol's letters (and a ``-NOV`` style suffix) end in a glued token."""
    i = 0
    while i < len(token) and not token[i].isdigit():
        i += 1
    return i


def _candidate_splits(token: str) -> list[tuple[str, str]]:
    """Every way to cut ``token`` into symbol and a well-formed price, natural first."""
    i = _letters_end(token)
    tail = token[i:]
    dot = tail.find(".")
    int_len = dot if dot >= 0 else len(tail)
    out = []
    for k in range(int_len):  # the price keeps at least one integer digit
        price = tail[k:]
        if price[0] == "0" and not price.startswith("0."):
            continue  # no price is printed with a leading zero
        if price.strip("0.") == "":
            continue  # a price of zero is not a price
        out.append((token[:i] + tail[:k], price))
    return out


def _percent_fits(
    prices: Sequence[str], changes: Sequence[str], percents: Sequence[str | None], scale: float
) -> np.ndarray:
    """Vectorized: does each percent fit under ``scale`` (figures exact, JS-printed)?"""
    price = np.array([float(p) for p in prices], dtype=np.float64)
    change = np.array([float(c) for c in changes], dtype=np.float64)
    percent: FloatArray = np.array(
        [float(p) if p is not None else np.nan for p in percents], dtype=np.float64
    )
    decimals = np.array(
        [len(p) - p.find(".") - 1 if p and "." in p else 0 for p in percents], dtype=np.int64
    )
    zeros = np.zeros(len(price))
    fits = is_percent_consistent(
        price, change, percent, zeros, zeros, percent_halfwidth(decimals), scale=scale
    )
    return fits | np.isnan(percent)


def strip_conventions(
    entries: Sequence[Entry], groups: Sequence[StripGroup]
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Each strip's percent convention; per entry, is its strip a fraction strip, and does
    it fit its strip's convention as it stands.

    A strip is ``"fraction"`` when more of its entries fit change / previous close than fit
    it * 100 (a row without a percent fits both). One vectorized pass over all entries, one
    vote per strip.
    """
    if not entries:
        return [], np.zeros(0, dtype=bool), np.zeros(0, dtype=bool)
    prices = [e.price.replace(",", "") for e in entries]
    changes = [e.change.replace(",", "") for e in entries]
    percents = [e.percent for e in entries]
    as_percent = _percent_fits(prices, changes, percents, 100.0)
    as_fraction = _percent_fits(prices, changes, percents, 1.0)
    firsts = np.array([g.first for g in groups], dtype=np.intp)
    is_fraction, fits = vote_conventions(as_percent, as_fraction, firsts)
    conventions = ["fraction" if is_fraction[g.first] else "percent" for g in groups]
    return conventions, is_fraction, fits


def vote_conventions(
    as_percent: np.ndarray, as_fraction: np.ndarray, firsts: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per row: is its strip a fraction strip, and does the row fit its strip's convention.

    Strips are consecutive runs of rows starting at ``firsts``; each votes by majority of
    the rows that fit only one convention (ties: percent). Both paths decide with this.
    """
    votes = (as_fraction & ~as_percent).astype(np.int32) - (as_percent & ~as_fraction)
    per_strip = np.add.reduceat(votes, firsts) if len(votes) else votes
    is_fraction = np.repeat(per_strip > 0, np.diff(np.append(firsts, len(votes))))
    return is_fraction, np.where(is_fraction, as_fraction, as_percent)


def resolve_by_convention(
    naturals: Sequence[tuple[str, str]],
    changes: Sequence[str],
    percents: Sequence[str | None],
    is_fraction: np.ndarray,
    known: frozenset[str],
    *,
    fits: np.ndarray | None = None,
) -> list[Split]:
    """:func:`resolve_tokens` for rows of mixed conventions, splits in row order."""
    out: list[Split | None] = [None] * len(naturals)
    for convention in CONVENTION_SCALE:
        picks = np.flatnonzero(is_fraction == (convention == "fraction")).tolist()
        if not picks:
            continue
        splits = resolve_tokens(
            [naturals[i] for i in picks],
            [changes[i] for i in picks],
            [percents[i] for i in picks],
            convention,
            known,
            fits=None if fits is None else fits[picks],
        )
        for i, split in zip(picks, splits, strict=True):
            out[i] = split
    return [s for s in out if s is not None]


def known_prefixes(known: frozenset[str]) -> frozenset[str]:
    """Letter parts of known symbols that end in digits: ``KSE`` for ``KSE100``."""
    return frozenset(
        s.rstrip("0123456789") for s in known if s[-1:].isdigit() and s.rstrip("0123456789")
    )


def resolve_tokens(
    naturals: Sequence[tuple[str, str]],
    changes: Sequence[str],
    percents: Sequence[str | None],
    convention: str,
    known: frozenset[str],
    *,
    fits: np.ndarray | None = None,
) -> list[Split]:
    """Split glued symbol+price tokens (``KSE10067194`` -> ``KSE100``, ``67194``).

    Each token comes as its natural split (``("KSE", "10067194")``): symbol letters, then
    the digits. ``fits`` may pass in whether each natural split fits the convention, when
    the caller knows it already.

    Preference, first that applies: a known symbol (PSX index names, ``symbols=``) whose
    split fits the strip's percent convention; the natural split (the symbol ends at its
    last letter) when it fits; the one other split that fits; when several fit, the one with
    the fewest digits in the symbol, the rest listed as alternatives (so flagged
    ``ambiguous_symbol``); when none fits, a known symbol, else the natural split (and
    validation flags the percent).
    """
    scale = CONVENTION_SCALE[convention]
    # One vectorized pass settles the common case: the natural split fits and no known
    # symbol could claim the token's digits.
    settled = (
        fits
        if fits is not None
        else _percent_fits([p for _, p in naturals], changes, percents, scale)
    )
    prefixes = known_prefixes(known)
    out: list[Split] = []
    for i, natural in enumerate(naturals):
        if settled[i] and natural[0] not in prefixes and not natural[1].startswith("0"):
            out.append(Split(*natural))
            continue
        candidates = _candidate_splits(natural[0] + natural[1])
        fits = _percent_fits(
            [p for _, p in candidates],
            [changes[i]] * len(candidates),
            [percents[i]] * len(candidates),
            scale,
        )
        fitting = [c for c, f in zip(candidates, fits, strict=True) if f]
        known_fitting = [c for c in fitting if c[0] in known]
        known_any = [c for c in candidates if c[0] in known]
        if known_fitting:
            out.append(Split(*max(known_fitting, key=lambda c: len(c[0]))))
        elif natural in fitting:
            out.append(Split(*natural))
        elif len(fitting) == 1:
            out.append(Split(*fitting[0]))
        elif fitting:
            alternatives = tuple(f"{s} {p}" for s, p in fitting[1:])
            out.append(Split(fitting[0][0], fitting[0][1], alternatives))
        elif known_any:
            out.append(Split(*max(known_any, key=lambda c: len(c[0]))))
        else:
            out.append(Split(*natural))
    return out
