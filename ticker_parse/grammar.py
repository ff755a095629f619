"""Every pattern ticker_parse matches text with, and the symbols it knows: the one place to audit.

Entries of the three bracketed dialects end with ``)``, so the reader cuts the normalized
text at every ``)`` and matches each piece against one anchored pattern per dialect
(:data:`PIECE_PATTERNS`): any text before the entry in the piece is its ``lead``. Those
patterns run in pyarrow's RE2 engine, which is linear by construction (no backtracking,
whatever the input). The marquee dialect (no bracket) and the text clean-up use the
``regex`` module, whose ``timeout=`` bounds them.

Rules kept here, so that matching stays linear on hostile input (runs of a million digits,
capitals, arrows or brackets):

- every repeat is bounded (``{1,15}``), except the lead, which RE2 runs in linear time;
- ``[0-9]`` rather than ``\\d``, which would also match other scripts' digits (those are
  folded to ASCII by normalization, never matched raw);
- entries are anchored on something rare (an arrow, the words ``Increased By``, a bracketed
  percent, a pipe), so a long run of symbol-like or number-like text fails after a bounded
  look.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

import regex

from ticker_parse.errors import TickerArgumentError

__all__ = [
    "BRECORDER_PIECE",
    "BRECORDER_PLAIN",
    "CONCATENATED_PIECE",
    "CONCATENATED_PLAIN",
    "CURRENCY_PAIR_LEAD",
    "ENTRY_SEPARATORS",
    "GROUPED_NUMBER",
    "INCOMPLETE",
    "MARKUP_ONLY",
    "MARQUEE",
    "NEEDS_NORMALIZING",
    "NEEDS_NORMALIZING_RE2",
    "NORMALIZE",
    "NOT_BEFORE_SYMBOL",
    "PORTAL_PIECE",
    "PSX_INDICES",
    "known_symbols",
    "python_pattern",
]

#: Index names published by the Pakistan Stock Exchange and by Business Recorder. They end
#: in digits (``KSE100``) and, in the concatenated dialect, are glued to their values
#: (``KSE10067194``), so knowing them settles where a symbol ends.
PSX_INDICES: frozenset[str] = frozenset(
    {
        "ALLSHR",
        "BKTI",
        "BR100",
        "BR30",
        "HBLTTI",
        "JSGBKTI",
        "JSMFI",
        "KMI30",
        "KMIALLSHR",
        "KSE100",
        "KSE100PR",
        "KSE30",
        "MII30",
        "MZNPI",
        "NBPPGI",
        "NITPGI",
        "OGTI",
        "PSXDIV20",
        "UPP9",
    }
)


def known_symbols(extra: Iterable[str] | None = None) -> frozenset[str]:
    """The built-in index names plus ``extra`` (upper-cased, stripped)."""
    if extra is None:
        return PSX_INDICES
    if isinstance(extra, str | bytes) or not isinstance(extra, Iterable):
        raise TickerArgumentError(
            f"symbols= takes an iterable of symbol strings, not {type(extra).__name__}"
        )
    symbols = list(extra)
    wrong = [s for s in symbols if not isinstance(s, str)]
    if wrong:
        raise TickerArgumentError(
            f"symbols= holds {type(wrong[0]).__name__} {wrong[0]!r}; every symbol must be a str"
        )
    return PSX_INDICES | {s.strip().upper() for s in symbols if s.strip()}


_FLAGS = regex.VERBOSE | regex.VERSION0

# Code point ranges of the single characters normalization replaces: odd spaces, invisible
# characters (zero-width, soft hyphen, the direction marks of bilingual Urdu/English pages,
# variation selectors), Unicode minus signs and dashes, Arabic-Indic digits and the Arabic
# percent sign and separators.
_ODD_CHARS: tuple[tuple[int, int], ...] = (
    (0x00A0, 0x00A0),
    (0x00AD, 0x00AD),
    (0x061C, 0x061C),
    (0x0660, 0x066C),
    (0x06F0, 0x06F9),
    (0x2000, 0x200F),
    (0x2012, 0x2014),
    (0x202A, 0x202F),
    (0x205F, 0x2060),
    (0x2066, 0x2069),
    (0x2212, 0x2212),
    (0x3000, 0x3000),
    (0xFE0E, 0xFE0F),
    (0xFE63, 0xFE63),
    (0xFEFF, 0xFEFF),
    (0xFF0D, 0xFF0D),
)
_ODD_CLASS = "".join(f"\\u{lo:04x}-\\u{hi:04x}" for lo, hi in _ODD_CHARS)

#: Text clean-up after HTML rendering, one alternative per kind of noise; see
#: ``normalize.py`` for what each becomes.
NORMALIZE = regex.compile(
    rf"""
      (?P<entity>&(?:\#[0-9]{{1,7}}|\#[xX][0-9A-Fa-f]{{1,6}}|[A-Za-z][A-Za-z0-9]{{1,31}});)
                                                    # an entity left in extracted text
    | (?P<mojibake>                                 # UTF-8 arrows/dashes read as cp1252/latin-1
          â–[²¼º]                                   #   ▲ ▼ ► via cp1252
        | â\x96[\xb2\xbc\xba]                       #   ▲ ▼ ► via latin-1
        | âˆ’ | â\x88\x92                           #   U+2212 minus
        | â€[“”] | â\x80[\x93\x94]                  #   en and em dash
        | Â\xa0                                     #   no-break space
      )
    | (?P<crlf>\r\n?)                               # Windows and old Mac line ends
    | (?P<char>[{_ODD_CLASS}])                      # odd spaces, minus signs, digits
    """,
    _FLAGS,
)

#: Fast check: does the text contain anything ``NORMALIZE`` would change? (The standard
#: library's engine: a plain character class over megabytes, four times faster here.)
NEEDS_NORMALIZING = re.compile(rf"[&âÂ\r{_ODD_CLASS}]")
#: :data:`NEEDS_NORMALIZING` in RE2's syntax: a big text is searched by RE2, three times
#: faster than ``re`` (``normalize.needs_normalizing``).
NEEDS_NORMALIZING_RE2 = (
    "[&âÂ\\r" + "".join(f"\\x{{{lo:04x}}}-\\x{{{hi:04x}}}" for lo, hi in _ODD_CHARS) + "]"
)

# --- the bracketed dialects, as RE2 patterns over one piece (text between two ``)``) -----
# RE2 has no VERBOSE mode, so each pattern is put together from commented parts.

# Anything before the entry in its piece; lazy, so the entry starts as early as it can.
_LEAD = r"^(?P<lead>(?s:.*?))"
# Spaces or tabs between fields; a strip wrapped across lines may break between them too.
_GAP = r"[ \t\n]{0,4}"
_GAP1 = r"[ \t\n]{1,4}"
# A number as tickers print it: up to 15 integer digits, up to 8 decimals.
_NUM = r"[0-9]{1,15}(?:\.[0-9]{1,8})?"
# The same with thousands separators (Business Recorder ``67,194``, a glued ``1,038.02``);
# the grouped form first, so that ``67,194`` is not read as ``67``.
_NUM_GROUPED = r"(?:[0-9]{1,3}(?:,[0-9]{3}){1,5}(?:\.[0-9]{1,8})?|" + _NUM + ")"
# A bracketed percent without its closing ``)``, which the cut removed: ``(0.21%``.
_PERCENT = r"\([ ]?(?P<percent>[-+]?[0-9]{1,6}(?:\.[0-9]{1,8})?)[ ]?%[ ]?$"
# A PSX symbol: a capital, then capitals, digits or ``&``; futures add ``-NOV`` suffixes.
_SYMBOL = r"(?P<symbol>[A-Z][A-Z0-9&]{0,11}(?:-[A-Z0-9]{1,6})?)"

#: Pakistan Observer: symbol and price glued, arrow, change, bracketed percent; entries
#: glued to each other (seeds/000_b6ae8b35eee2fbd0.txt). ``symbol`` + ``price`` is the glued
#: token cut at its natural split (letters, then digits); where the symbol really ends in
#: digits (``KSE100``, ``BOPR1``) the split is settled by ``checks.resolve_splits``.
CONCATENATED_PIECE = (
    _LEAD
    + r"(?P<symbol>[A-Z][A-Z&]{0,11}(?:-[A-Z]{1,6})?"  # symbol letters, futures suffix
    # or a whole symbol, digits too, set apart by spaces (a pretty-printed page: one field
    # per element, rendered with a space between): then the split is no question
    + r"(?:(?:-[0-9]{1,6}|[0-9]{0,6})[ \t\n]{1,4})?)"  # KSE100, KSE-100
    + r"(?P<price>"
    + _NUM_GROUPED
    + ")"  # symbol digits + price, split later
    + _GAP
    + r"(?P<arrow>[▲▼])"  # the arrow anchors the entry
    + _GAP
    + r"(?P<change>[-+]?"
    + _NUM_GROUPED
    + ")"  # change, signed when negative (an index's may be ``1,646.5``)
    + _GAP
    + _PERCENT
)

#: Business Recorder, one entry per line (samples/br_*.txt): ``AIRLINK 61.80 Increased By ▲
#: 1.37 (2.27%)``; index rows have thousands separators and, since ~2024, no arrow.
BRECORDER_PIECE = (
    _LEAD
    + _SYMBOL
    + _GAP1
    + r"(?P<price>"
    + _NUM_GROUPED
    + ")"
    + _GAP1
    # the words, with any run of spaces between them ("Increased  By")
    + r"(?P<words>Increased[ \t]{1,4}By|Decreased[ \t]{1,4}By|No[ \t]{1,4}Change|Unchanged)"
    + r"(?:"
    + _GAP1
    + r"(?P<arrow>[▲▼]))?"  # the 2021 layout and stock rows
    + _GAP1
    + r"(?P<change>[-+]?"
    + _NUM_GROUPED
    + ")"
    + _GAP
    + _PERCENT
)


@functools.lru_cache(maxsize=16)
def python_pattern(pattern: str) -> re.Pattern[str]:
    """An RE2 pattern of this module compiled for Python's ``re``, once per process: the
    same matches and groups (both engines take the leftmost-first match, and nothing here
    is written differently in the two; RE2's ``$``, outside multi-line mode, is Python's
    ``\\Z``: Python's ``$`` would also match before a final line break). For a few
    short pieces: each Arrow call compiles its RE2 pattern again (0.4-0.9 ms), Python's is
    compiled once, but backtracks (``entries._extract`` bounds the characters it is given).
    """
    return re.compile(re.sub(r"(?<!\\)\$", r"\\Z", pattern))


# --- the plain forms: the common entry, alone in its piece, for big texts --------------
# RE2 extracts groups in one pass, without backtracking, when a pattern is anchored at both
# ends, deterministic at every character, and has at most 4 groups; several times faster
# than the patterns above, whose lazy lead and alternatives rule that out. A plain form
# takes only what its dialect's pattern takes too, with the same groups (white space before
# the entry, one space at most between fields, no futures suffix; thousands separators only
# in Business Recorder's price, checked against GROUPED_NUMBER);
# the arrow and the words are read from the piece. Every other piece goes to the full
# pattern. ``tests/test_kernel.py`` holds each plain form to its full pattern, and the rows
# read with them to the full patterns' rows.
_PLAIN_LEAD = r"^[ \t\n]*"

#: :data:`CONCATENATED_PIECE`'s common case: ``AGL38.02▲ 0.08 (0.21%``.
CONCATENATED_PLAIN = (
    _PLAIN_LEAD
    + r"(?P<symbol>[A-Z][A-Z&]{0,11})(?P<price>"
    + _NUM
    + r")[ ]?[▲▼][ ]?(?P<change>[-+]?"
    + _NUM
    + r")[ ]?"
    + _PERCENT
)

#: :data:`BRECORDER_PIECE`'s common case: ``AIRLINK 61.80 Increased By ▲ 1.37 (2.27%``
#: (``(?: [▲▼])? `` written `` (?:[▲▼] )?``: the same text, decided at one character). Its
#: price may hold commas anywhere (``67,194``: the grouped number's two alternatives cannot
#: be told apart at its first digit); a price with a comma is taken only when it is a
#: :data:`GROUPED_NUMBER`.
BRECORDER_PLAIN = (
    _PLAIN_LEAD
    + r"(?P<symbol>[A-Z][A-Z0-9&]{0,11}) (?P<price>[0-9][0-9,]{0,20}(?:\.[0-9]{1,8})?"
    + r") (?:Increased By|Decreased By|No Change|Unchanged) (?:[▲▼] )?(?P<change>[-+]?"
    + _NUM
    + r")[ ]?"
    + _PERCENT
)

#: A whole price as the full patterns read it: grouped (up to 18 integer digits) or plain
#: (up to 15).
GROUPED_NUMBER = "^" + _NUM_GROUPED + "$"

#: PSX data portal index list, one field a line: ``KSE100⏎86,057.51⏎807.42⏎(0.95%)``; a
#: positive change has no sign. The symbol opens its line (checked on the lead).
# Between fields: a line break (blank lines allowed), or a tab (a table's cells rendered).
_LINE = r"(?:[ \t]{0,8}\n(?:[ \t]{0,8}\n){0,2}[ \t]{0,8}|[ ]{0,8}\t[ \t]{0,8})"
PORTAL_PIECE = (
    _LEAD
    + _SYMBOL
    + _LINE
    + r"(?P<price>"
    + _NUM_GROUPED
    + ")"
    + _LINE
    + r"(?P<change>[-+]?"
    + _NUM_GROUPED
    + ")"
    + _LINE
    + _PERCENT
)

#: Characters that may not stand right before a symbol (it would be inside a longer token).
#: A digit may (a date or time glued before the strip: ``10:45AGL38.02▲``), and so may a
#: separator (``)-HBL100.5▲``, ``).HBL...``, ``)/HBL...``), except a ``/`` after a letter:
#: :data:`CURRENCY_PAIR_LEAD`.
NOT_BEFORE_SYMBOL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ&")

#: What ends the text before the second half of a currency pair (``USD/PKR 278.50 ▲ 0.25
#: (0.09%)``): no symbol starts there (an RE2 pattern over the text before a symbol).
CURRENCY_PAIR_LEAD = r"[A-Za-z]/$"

#: What a site may print between the entries of one strip (``AGL38.02▲ 0.08 (0.21%) •
#: BOP9.54▲ ...``): one of these, with white space around it or not, keeps the strip whole.
ENTRY_SEPARATORS = "•·|/,;-◆♦■●★"

#: Broker marquee: ``ABCR1 0.02  -0.05 | XYZ 27.30   0.89 |``; no arrow, no percent. Only
#: taken on evidence that a run is a PSX marquee (``entries.marquee_entries``).
MARQUEE = regex.compile(
    rf"""
    (?<![A-Za-z0-9&./-])(?<![A-Za-z]/)
    (?P<symbol>[A-Z][A-Z0-9&]{{0,11}}(?:-[A-Z0-9]{{1,6}})?)
    [ \t]{{1,8}}(?P<price>{_NUM})
    [ \t]{{1,8}}(?P<change>[-+]?{_NUM})
    (?:(?P<pipe>[ \t]{{0,8}}\|)|(?=[ \t]{{0,8}}(?:\n|\Z)))  # a pipe, or the end of a line
    """,
    _FLAGS,
)

#: Residue that looks like the start of an entry: an arrow or Business Recorder's words.
INCOMPLETE = regex.compile(r"[▲▼]|Increased[ ]By|Decreased[ ]By|No[ ]Change", _FLAGS)

#: Residue made of HTML tags only.
MARKUP_ONLY = regex.compile(r"(?:<[^<>]{0,2000}>\s{0,100}){1,10000}", _FLAGS)
