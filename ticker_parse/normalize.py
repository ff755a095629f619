"""Text clean-up before matching, without losing the caller's offsets.

Two steps, each a list of edits on the text before it:

1. HTML, when the text is HTML (detected by content, or ``markup="html"``), is rendered the
   way a browser shows it (:mod:`ticker_parse.markup`): scripts, styles and comments give no
   text, inline elements join, block elements break lines, entities are decoded.
2. The noise of scraped text is folded into the few characters the grammars expect:
   mis-decoded arrows become arrows, Unicode spaces a space, Unicode minus signs and dashes
   ``-``, other scripts' digits ASCII digits, ``\\r\\n`` a newline.

An :class:`OffsetMap` per step keeps where each replaced stretch came from, so positions in
the normalized text map back to the caller's original text, whole columns at a time.
"""

from __future__ import annotations

import html
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Literal

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import regex

from ticker_parse.errors import TickerArgumentError, TickerTimeoutError
from ticker_parse.grammar import NEEDS_NORMALIZING, NEEDS_NORMALIZING_RE2, NORMALIZE
from ticker_parse.markup import looks_like_html, render_columns

__all__ = ["Markup", "Normalized", "OffsetMap", "check_markup", "normalize"]

#: ``markup=`` values: detect HTML by content, or force one reading.
Markup = Literal["auto", "html", "text"]

IntArray = npt.NDArray[np.int64]

# Single characters and what they become. Zero-width characters vanish.
_CHAR_MAP: dict[str, str] = {
    "\xa0": " ",
    "\u202f": " ",
    "\u205f": " ",
    "\u3000": " ",
    "\u200b": "",
    "\u200c": "",
    "\u200d": "",
    "\u2060": "",
    "\ufeff": "",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u2212": "-",
    "\ufe63": "-",
    "\uff0d": "-",
}
_CHAR_MAP.update({chr(c): " " for c in range(0x2000, 0x200B)})
# Invisible: soft hyphen, direction marks, embeddings and isolates, variation selectors.
_CHAR_MAP.update(dict.fromkeys("\xad\u061c\u200e\u200f︎️", ""))
_CHAR_MAP.update({chr(c): "" for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))})
# The Arabic percent sign, decimal and thousands separators.
_CHAR_MAP.update({"\u066a": "%", "\u066b": ".", "\u066c": ","})
# Arabic-Indic and extended Arabic-Indic digits: the same numbers, another script.
_CHAR_MAP.update({chr(0x0660 + d): str(d) for d in range(10)})
_CHAR_MAP.update({chr(0x06F0 + d): str(d) for d in range(10)})

_MOJIBAKE: dict[str, str] = {
    "â–²": "▲",
    "â–¼": "▼",
    "â–º": "►",
    "â\x96\xb2": "▲",
    "â\x96\xbc": "▼",
    "â\x96\xba": "►",
    "âˆ’": "-",
    "â\x88\x92": "-",
    "â€“": "-",
    "â€”": "-",
    "â\x80\x93": "-",
    "â\x80\x94": "-",
    "Â\xa0": " ",
}


# What would make an ``&`` the start of an entity again.
_ENTITY_BODY = re.compile(r"#?[0-9A-Za-z]{1,32};")


@dataclass(frozen=True, slots=True)
class OffsetMap:
    """Where each replaced stretch of an edited text came from in the text before.

    The four arrays are parallel and sorted: edit ``i`` turned ``before[orig_starts[i]:
    orig_ends[i]]`` into ``after[norm_starts[i]:norm_ends[i]]``. Outside edits the two texts
    agree character for character, shifted by the length lost so far.
    """

    norm_starts: IntArray
    norm_ends: IntArray
    orig_starts: IntArray
    orig_ends: IntArray

    @classmethod
    def from_edits(cls, edits: list[tuple[int, int, str]]) -> OffsetMap:
        """The map of sorted, non-overlapping ``edits``."""
        return cls.from_columns(
            [e[0] for e in edits], [e[1] for e in edits], [len(e[2]) for e in edits]
        )

    @classmethod
    def from_columns(
        cls, starts: Sequence[int], ends: Sequence[int], new_lengths: Sequence[int]
    ) -> OffsetMap:
        """The map of sorted, non-overlapping edits given as columns: edit ``i`` replaces
        ``before[starts[i]:ends[i]]`` by ``new_lengths[i]`` characters."""
        orig_starts = np.array(starts, dtype=np.int64)
        orig_ends = np.array(ends, dtype=np.int64)
        lengths = np.array(new_lengths, dtype=np.int64)
        # each edit shifts what follows by (new length - old length)
        shift = np.cumsum(lengths - (orig_ends - orig_starts))
        norm_ends = orig_ends + shift
        norm_starts = norm_ends - lengths
        return cls(norm_starts, norm_ends, orig_starts, orig_ends)

    def starts(self, pos: IntArray) -> IntArray:
        """Original positions of start positions (inside an edit: the edit's start)."""
        return self._map(pos, is_end=False)

    def ends(self, pos: IntArray) -> IntArray:
        """Original positions of (exclusive) end positions (inside an edit: its end)."""
        return self._map(pos, is_end=True)

    def _map(self, pos: IntArray, *, is_end: bool) -> IntArray:
        """A start maps into the edit that begins at or before it, an end into the one
        that begins before it (an end at an edit's start does not take that edit in)."""
        if not len(self.norm_starts):
            return pos
        i = np.searchsorted(self.norm_starts, pos, side="left" if is_end else "right") - 1
        j = np.maximum(i, 0)
        inside = pos <= self.norm_ends[j] if is_end else pos < self.norm_ends[j]
        edge = self.orig_ends[j] if is_end else self.orig_starts[j]
        mapped = np.where(inside, edge, pos + self.orig_ends[j] - self.norm_ends[j])
        result: IntArray = np.where(i < 0, pos, mapped)
        return result


@dataclass(frozen=True, slots=True)
class Normalized:
    """Normalized text and the maps back to the original, innermost step last."""

    text: str
    maps: tuple[OffsetMap, ...] = ()
    is_html: bool = False

    def original_starts(self, pos: IntArray) -> IntArray:
        """Positions in the caller's text of start positions in :attr:`text`."""
        for step in reversed(self.maps):
            pos = step.starts(pos)
        return pos

    def original_ends(self, pos: IntArray) -> IntArray:
        """Positions in the caller's text of end positions in :attr:`text`."""
        for step in reversed(self.maps):
            pos = step.ends(pos)
        return pos


def check_markup(markup: str) -> Markup:
    """Check a ``markup=`` argument."""
    if markup not in ("auto", "html", "text"):
        raise TickerArgumentError(f"markup= takes 'auto', 'html' or 'text', not {markup!r}")
    return markup  # type: ignore[return-value]


# Columns of edits: starts, ends and replacements, parallel lists.
Columns = tuple[list[int], list[int], list[str]]


def _apply(text: str, columns: Columns) -> tuple[str, OffsetMap]:
    """The edited text and its map back to ``text``: kept stretches and replacements are
    interleaved by slice assignment and joined once (no Python loop over the edits)."""
    starts, ends, news = columns
    pieces: list[str] = [""] * (2 * len(starts) + 1)
    pieces[0::2] = [text[a:b] for a, b in zip([0, *ends], [*starts, len(text)], strict=True)]
    pieces[1::2] = news
    return "".join(pieces), OffsetMap.from_columns(starts, ends, list(map(len, news)))


# Characters that may start a fold: up to this many are matched one by one; a text with
# more (a hostile run of ``&``) is folded by one ``finditer`` pass, linear under a timeout.
_FOLD_ONE_BY_ONE = 64


def _fold_one(text: str, m: regex.Match[str], columns: Columns) -> None:
    """Add the fold of the ``NORMALIZE`` match ``m`` (if it changes anything) to ``columns``."""
    kind = m.lastgroup
    found = m.group()
    if kind == "entity":
        new = html.unescape(found)
        # one character, and not one that could start markup or, with what
        # follows, another entity (``&amp;lt;``): cleaning twice changes nothing
        # more than cleaning once
        if len(new) != 1 or new in "<>" or new == found:
            return
        if new == "&" and _ENTITY_BODY.match(text, m.end()):
            return
        new = _CHAR_MAP.get(new, new)
    elif kind == "mojibake":
        new = _MOJIBAKE[found]
    elif kind == "crlf":
        new = "\n"
    else:
        new = _CHAR_MAP[found]
    columns[0].append(m.start())
    columns[1].append(m.end())
    columns[2].append(new)


def _fold_edits(text: str, deadline: float | None) -> Columns:
    columns: Columns = ([], [], [])
    # Every ``NORMALIZE`` match starts where ``NEEDS_NORMALIZING`` matches (its first
    # characters are that class), so a page with a few such characters (a dash in the
    # title, an ``&`` in prose) is folded by matching at those places only: the same
    # matches, left to right and not overlapping, as a ``finditer`` over the whole text.
    candidates = list(islice(NEEDS_NORMALIZING.finditer(text), _FOLD_ONE_BY_ONE + 1))
    if len(candidates) <= _FOLD_ONE_BY_ONE:
        match = NORMALIZE.match
        last = 0
        for c in candidates:
            pos = c.start()
            if pos < last:
                continue
            m = match(text, pos)
            if m is not None:
                _fold_one(text, m, columns)
                last = m.end()
        return columns
    timeout = None if deadline is None else max(1e-3, deadline - time.monotonic())
    try:
        for m in NORMALIZE.finditer(text, timeout=timeout):
            _fold_one(text, m, columns)
    except TimeoutError as exc:
        raise TickerTimeoutError(
            f"cleaning up the text took longer than the timeout ({len(text):,} characters)"
        ) from exc
    return columns


#: From this many characters on, a text is searched for noise by RE2: three times faster
#: than ``re`` (measured: 10 against 33 ms for 4.7 M characters), once the pattern, which
#: every call compiles again (0.3-0.9 ms), is paid for. The encoding to UTF-8 is
#: not paid twice: Python keeps a string's UTF-8 form once made, so the reader's Arrow copy
#: of the same text then costs a copy only (3.5 M characters: 19 ms fresh, 0.8 ms after).
_RE2_SEARCH_FROM = 1 << 18


def needs_normalizing(text: str) -> bool:
    """Does ``text`` hold a character that starts a fold?"""
    if len(text) >= _RE2_SEARCH_FROM:
        try:
            arrow = pa.array([text], pa.large_string())
        except UnicodeEncodeError:  # a lone surrogate: ``re`` searches it
            pass
        else:
            return bool(pc.any(pc.match_substring_regex(arrow, NEEDS_NORMALIZING_RE2)).as_py())
    return NEEDS_NORMALIZING.search(text) is not None


def normalize(text: str, *, markup: Markup = "auto", deadline: float | None = None) -> Normalized:
    """Render HTML (when it is HTML) and fold page noise, keeping maps back to ``text``.

    Every path renders the whole page: the renderer's ``focus`` windows (around ticker-like
    marks only) lost an entry whose arrow sat far from its symbol. ``deadline`` is a
    ``time.monotonic()`` value.
    """
    maps: list[OffsetMap] = []
    is_html = markup == "html" or (markup == "auto" and "<" in text and looks_like_html(text))
    if is_html:
        columns = render_columns(text, deadline=deadline)
        if columns[0]:
            text, step = _apply(text, columns)
            maps.append(step)
    if needs_normalizing(text):
        columns = _fold_edits(text, deadline)
        if columns[0]:
            text, step = _apply(text, columns)
            maps.append(step)
    return Normalized(text, tuple(maps), is_html)
