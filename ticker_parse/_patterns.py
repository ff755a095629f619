"""Every regular expression ticker_parse uses, compiled once: the one place to audit.

Rules kept here, so that matching stays linear on hostile input (runs of a million digits,
capitals, arrows or brackets):

- every repeat is bounded (``{1,15}``), never ``*`` or ``+`` over a class that can also match
  the next element;
- ``[0-9]`` rather than ``\\d``, which would also match other scripts' digits (those are
  folded to ASCII by normalization, never matched raw);
- entries are anchored on something rare (an arrow, the words ``Increased By``, a bracketed
  percent, a pipe), so a long run of symbol-like or number-like text fails after a bounded
  look.

The slow path uses the ``regex`` module (for ``timeout=``); the columnar fast path hands
:data:`FAST_CONCATENATED` to polars, whose engine (Rust ``regex``) is linear by construction.
"""

from __future__ import annotations

import regex

__all__ = [
    "BRECORDER",
    "CONCATENATED",
    "CONCATENATED_HINT",
    "FAST_CLEAN_PIECE",
    "FAST_CONCATENATED",
    "FAST_NEEDS_GENERAL",
    "INCOMPLETE",
    "MARKUP_ONLY",
    "MARQUEE",
    "NEEDS_NORMALIZING",
    "NORMALIZE",
    "PORTAL",
    "PORTAL_HINT",
]

_FLAGS = regex.VERBOSE | regex.VERSION0

# Code point ranges of the single characters normalization replaces: odd spaces, zero-width
# characters, Unicode minus signs and dashes, Arabic-Indic digits. Both engines' character
# classes below are built from this one list.
_ODD_CHARS: tuple[tuple[int, int], ...] = (
    (0x00A0, 0x00A0),
    (0x0660, 0x0669),
    (0x06F0, 0x06F9),
    (0x2000, 0x200D),
    (0x2012, 0x2014),
    (0x202F, 0x202F),
    (0x205F, 0x2060),
    (0x2212, 0x2212),
    (0x3000, 0x3000),
    (0xFE63, 0xFE63),
    (0xFEFF, 0xFEFF),
    (0xFF0D, 0xFF0D),
)
_ODD_CLASS_PY = "".join(f"\\u{lo:04x}-\\u{hi:04x}" for lo, hi in _ODD_CHARS)
_ODD_CLASS_RUST = "".join(f"\\x{{{lo:x}}}-\\x{{{hi:x}}}" for lo, hi in _ODD_CHARS)

# A number as tickers print it: up to 15 integer digits, up to 8 decimals.
_NUM = r"[0-9]{1,15}(?:\.[0-9]{1,8})?"
# The same with optional thousands separators (Business Recorder ``67,194``, portal
# ``86,057.51``); the grouped form is tried first so ``67,194`` is not read as ``67``.
_NUM_GROUPED = r"(?:[0-9]{1,3}(?:,[0-9]{3}){1,5}(?:\.[0-9]{1,8})?|[0-9]{1,15}(?:\.[0-9]{1,8})?)"
# A bracketed percent: ``(0.00%)``, ``(-1%)``, ``( 2.1 % )``.
_PERCENT = r"\([ ]?(?P<percent>[-+]?[0-9]{1,6}(?:\.[0-9]{1,8})?)[ ]?%[ ]?\)"
# A PSX symbol: a capital, then capitals, digits or ``&``; futures add ``-NOV`` style suffixes.
_SYMBOL = r"[A-Z][A-Z0-9&]{0,11}(?:-[A-Z0-9]{1,6})?"

#: Text clean-up, one alternative per kind of noise; see ``_normalize.py`` for what each
#: becomes. Order matters only where alternatives could start at the same character.
NORMALIZE = regex.compile(
    rf"""
      (?P<comment><!--.{{0,20000}}?-->)               # HTML comment, bounded
    | (?P<tag></?(?P<tagname>[A-Za-z][A-Za-z0-9]{{0,15}})\b[^<>]{{0,2000}}>)  # an HTML tag
    | (?P<entity>&(?:\#[0-9]{{1,7}}|\#[xX][0-9A-Fa-f]{{1,6}}|[A-Za-z][A-Za-z0-9]{{1,31}});)
    | (?P<mojibake>                                 # UTF-8 arrows/dashes read as cp1252/latin-1
          â–[²¼º]                                   #   ▲ ▼ ► via cp1252
        | â\x96[\xb2\xbc\xba]                       #   ▲ ▼ ► via latin-1
        | âˆ’ | â\x88\x92                           #   U+2212 minus
        | â€[“”] | â\x80[\x93\x94]                  #   en and em dash
        | Â\xa0                                     #   no-break space
      )
    | (?P<crlf>\r\n?)                               # Windows and old Mac line ends
    | (?P<char>[{_ODD_CLASS_PY}])                     # odd spaces, minus signs, digits
    """,
    _FLAGS | regex.DOTALL,
)

#: Fast check: does the text contain anything ``NORMALIZE`` would change?
NEEDS_NORMALIZING = regex.compile(rf"[<&âÂ\r{_ODD_CLASS_PY}]")

#: Pakistan Observer: symbol and price glued, then arrow, change and bracketed percent;
#: entries glued to each other (seeds/000_b6ae8b35eee2fbd0.txt). ``symbol`` + ``price`` is
#: the glued token cut at its natural split (letters, then digits); where the symbol really
#: ends in digits (``KSE100``, ``BOPR1``) the split is settled later by the arithmetic
#: (``dialects.resolve_tokens``), never by the regex.
CONCATENATED = regex.compile(
    rf"""
    (?<![A-Z0-9&.-])                                # not inside a longer token
    (?P<symbol>[A-Z][A-Z&]{{0,11}}                  # symbol letters
        (?:-[A-Z]{{1,6}})?)                         # futures suffix: HUBC-NOV
    (?P<price>[0-9]{{1,15}}(?:\.[0-9]{{1,8}})?)     # symbol digits + price, split later
    [ ]{{0,2}}(?P<arrow>[▲▼])[ ]{{0,2}}             # the arrow anchors the entry
    (?P<change>[-+]?{_NUM})                         # change, signed when negative
    [ ]{{0,2}}{_PERCENT}                            # (0.02%)
    """,
    _FLAGS,
)

#: Business Recorder, one entry per line (seeds/br_*.txt): ``AIRLINK 61.80 Increased By ▲
#: 1.37 (2.27%)``; index rows have thousands separators and, since ~2024, no arrow.
BRECORDER = regex.compile(
    rf"""
    (?<![A-Z0-9&-])                                 # a glued date stamp before is fine
    (?P<symbol>{_SYMBOL})
    [ \t]{{1,4}}(?P<price>{_NUM_GROUPED})
    [ \t]{{1,4}}(?P<words>Increased[ ]By|Decreased[ ]By|No[ ]Change|Unchanged)
    (?:[ \t]{{1,4}}(?P<arrow>[▲▼]))?                # the 2021 layout and stock rows
    [ \t]{{1,4}}(?P<change>[-+]?{_NUM_GROUPED})
    [ \t]{{0,4}}{_PERCENT}
    """,
    _FLAGS,
)

#: Broker marquee: ``ABCR1 0.02  -0.05 | XYZ 27.30   0.89 |``; no arrow, no percent. The
#: pipe is part of the entry; an entry at a line end without a pipe counts only next to one
#: with a pipe (decided in ``dialects``).
MARQUEE = regex.compile(
    rf"""
    (?<![A-Za-z0-9&.-])
    (?P<symbol>{_SYMBOL})
    [ \t]{{1,8}}(?P<price>{_NUM})
    [ \t]{{1,8}}(?P<change>[-+]?{_NUM})
    (?:(?P<pipe>[ \t]{{0,8}}\|)|(?=[ \t]{{0,8}}(?:\n|\Z)))  # a pipe, or the end of a line
    """,
    _FLAGS,
)

#: PSX data portal index list, one field a line: ``KSE100⏎86,057.51⏎807.42⏎(0.95%)``; a
#: positive change has no sign.
PORTAL = regex.compile(
    rf"""
    (?<![^\n)|])[ \t]{{0,8}}(?P<symbol>{_SYMBOL})[ \t]{{0,8}}\n(?:[ \t]{{0,8}}\n){{0,2}}
    [ \t]{{0,8}}(?P<price>{_NUM_GROUPED})[ \t]{{0,8}}\n(?:[ \t]{{0,8}}\n){{0,2}}
    [ \t]{{0,8}}(?P<change>[-+]?{_NUM_GROUPED})[ \t]{{0,8}}\n(?:[ \t]{{0,8}}\n){{0,2}}
    [ \t]{{0,8}}{_PERCENT}(?=[ \t]{{0,8}}(?:\n|\Z))
    """,
    _FLAGS,
)

#: Necessary conditions, searched before a dialect's full scan is run over a text: a price
#: digit right before an arrow (CONCATENATED), a line that opens with a bracket (PORTAL's
#: percent line). Business Recorder lines carry arrows after words and a bracket mid-line,
#: so a page of them skips both scans.
CONCATENATED_HINT = regex.compile(r"[0-9][ ]{0,2}[▲▼]", _FLAGS)
PORTAL_HINT = regex.compile(r"\n[ \t]{0,8}\(", _FLAGS)

#: Residue that looks like the start of an entry: an arrow or Business Recorder's words.
INCOMPLETE = regex.compile(r"[▲▼]|Increased[ ]By|Decreased[ ]By|No[ ]Change", _FLAGS)

#: Residue made of HTML tags only.
MARKUP_ONLY = regex.compile(r"(?:<[^<>]{0,2000}>\s{0,100}){1,10000}", _FLAGS)

# The fields of one concatenated entry in Rust regex syntax (no look-behind): the glued
# token cut at its natural split (symbol letters, then price digits), arrow, change, percent.
_FAST_ENTRY = (
    r"(?P<symbol>[A-Z][A-Z&]{0,11}(?:-[A-Z]{1,6})?)(?P<price>[0-9]{1,15}(?:\.[0-9]{1,8})?)"
    r" {0,2}(?P<arrow>[▲▼]) {0,2}"
    r"(?P<change>[-+]?[0-9]{1,15}(?:\.[0-9]{1,8})?)"
    r" {0,2}\( ?(?P<percent>[-+]?[0-9]{1,6}(?:\.[0-9]{1,8})?) ?% ?"
)

#: The fast path's pattern for polars, applied to each piece of the text split at ``)``: a
#: piece that is white space and one entry. Anchored at both ends, so the engine runs it
#: in one pass without searching; ``\s*`` is unbounded because Rust's engine is linear
#: (a bounded count of white space made the pattern three times slower, measured).
#: ``_kernel.py`` reads this same grammar byte by byte (the compiled scanner for big
#: inputs); ``tests/test_kernel.py`` holds the two together. Change both or neither.
FAST_CLEAN_PIECE = rf"^(?P<lead>\s*){_FAST_ENTRY}$"

#: The same entry anywhere at the end of a piece, for the few pieces FAST_CLEAN_PIECE does
#: not take (junk or a glued headline before the entry); CONCATENATED's look-behind is
#: checked by the caller.
FAST_CONCATENATED = rf"(?P<raw>{_FAST_ENTRY})$"

#: Anything in a text that sends it down the general path instead of the columnar one:
#: characters normalization would change, another dialect's marks, a pipe, a line that is
#: only a bracketed percent (portal).
FAST_NEEDS_GENERAL = (
    rf"[<&âÂ\r|{_ODD_CLASS_RUST}]"
    r"|Increased By|Decreased By|No Change|Unchanged"
    r"|(?m:^[ \t]*\( ?[-+]?[0-9.]{1,20} ?% ?\))"
)
