"""Text clean-up before matching, without losing the caller's offsets.

Normalization folds the noise of scraped pages into the few characters the patterns expect:
HTML tags become a space (a newline for block tags, so ``<li>`` items stay apart), entities
and mis-decoded arrows become the characters they stand for, Unicode spaces become a space,
Unicode minus signs and dashes become ``-``, other scripts' digits become ASCII digits.

Replacements change lengths, so an :class:`OffsetMap` keeps, for every replaced stretch, where
it came from; :meth:`OffsetMap.start` and :meth:`OffsetMap.end` turn positions in the
normalized text back into positions in the original.
"""

from __future__ import annotations

import html
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

import regex

from ticker_parse._patterns import NEEDS_NORMALIZING, NORMALIZE

__all__ = ["Normalized", "OffsetMap", "normalize"]

# Tags that end a line on a rendered page; every other tag becomes a space.
_BLOCK_TAGS = frozenset(
    [
        "br",
        "p",
        "div",
        "li",
        "ul",
        "ol",
        "tr",
        "table",
        "tbody",
        "thead",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "section",
        "article",
        "header",
        "footer",
        "nav",
        "aside",
        "marquee",
    ]
)

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

# Entities whose decoded character could start markup or another entity: left as they are,
# so that normalizing twice changes nothing more than normalizing once.
_KEEP_DECODED = frozenset("<>&")


@dataclass(frozen=True, slots=True)
class OffsetMap:
    """Where each replaced stretch of normalized text came from in the original.

    The four lists are parallel and sorted: replacement ``i`` turned ``original[orig_starts[i]:
    orig_ends[i]]`` into ``normalized[norm_starts[i]:norm_ends[i]]``. Outside replacements the
    two texts agree character for character, shifted by the length lost so far.
    """

    norm_starts: list[int] = field(default_factory=list)
    norm_ends: list[int] = field(default_factory=list)
    orig_starts: list[int] = field(default_factory=list)
    orig_ends: list[int] = field(default_factory=list)

    @property
    def is_identity(self) -> bool:
        """True when normalization changed nothing."""
        return not self.norm_starts

    def start(self, pos: int) -> int:
        """The original position of a normalized *start* position."""
        i = bisect_right(self.norm_starts, pos) - 1
        if i < 0:
            return pos
        if pos < self.norm_ends[i]:  # inside a replacement: its whole original stretch
            return self.orig_starts[i]
        return pos + self.orig_ends[i] - self.norm_ends[i]

    def end(self, pos: int) -> int:
        """The original position of a normalized *end* position (exclusive)."""
        i = bisect_left(self.norm_starts, pos) - 1
        if i < 0:
            return pos
        if pos <= self.norm_ends[i]:  # ends inside or at the end of a replacement
            return self.orig_ends[i]
        return pos + self.orig_ends[i] - self.norm_ends[i]


@dataclass(frozen=True, slots=True)
class Normalized:
    """Normalized text and the map back to the original."""

    text: str
    offsets: OffsetMap


def _replacement(m: regex.Match[str]) -> str:
    kind = m.lastgroup
    found: str = m.group()
    if kind == "tag" or kind == "tagname":
        name = (m.group("tagname") or "").lower()
        return "\n" if name in _BLOCK_TAGS else " "
    if kind == "comment":
        return " "
    if kind == "entity":
        decoded = html.unescape(found)
        if decoded == found or decoded in _KEEP_DECODED or len(decoded) != 1:
            return found
        return _CHAR_MAP.get(decoded, decoded)
    if kind == "mojibake":
        return _MOJIBAKE[found]
    if kind == "crlf":
        return "\n"
    return _CHAR_MAP[found]


def normalize(text: str) -> Normalized:
    """Fold page noise into plain characters, keeping a map back to ``text``'s offsets."""
    if NEEDS_NORMALIZING.search(text) is None:
        return Normalized(text, OffsetMap())
    pieces: list[str] = []
    offsets = OffsetMap()
    last = 0  # end of the previous replacement in the original
    out_len = 0
    for m in NORMALIZE.finditer(text):
        new = _replacement(m)
        found = m.group()
        if new == found:
            continue
        start, end = m.span()
        pieces.append(text[last:start])
        out_len += start - last
        offsets.norm_starts.append(out_len)
        offsets.orig_starts.append(start)
        pieces.append(new)
        out_len += len(new)
        offsets.norm_ends.append(out_len)
        offsets.orig_ends.append(end)
        last = end
    pieces.append(text[last:])
    return Normalized("".join(pieces), offsets)
