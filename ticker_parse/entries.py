"""Every dialect's reader: normalized text in, one table of entries (columns) out.

The bracketed dialects (concatenated, Business Recorder, portal) end every entry with ``)``:
the text is cut at each ``)`` and every piece matched against each dialect's anchored
pattern (``grammar.*_PIECE``) in pyarrow's RE2 engine, whole columns at a time. A piece
holds at most one entry, at its end; what comes before it in the piece is its *lead*. Many
pieces (a big text) meet each dialect's *plain form* first (``grammar.*_PLAIN``: the common
entry alone in its piece, which RE2 matches in one pass); the rest the full patterns. Big
glued texts are cut and read by the compiled reader (``_kernel``) when numba is installed,
the pieces it cannot read going the same way. Every way gives the same rows. The
marquee dialect (pipes, no brackets) is rare and read with the ``regex`` module, and taken
only on evidence that a run really is a PSX marquee.

Entries are grouped into strips: runs of one dialect separated only by white space (and,
for glued strips, on one line). The figures are kept as displayed, and read into floats;
``checks`` settles splits and judges them.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from ticker_parse import _kernel, grammar
from ticker_parse.errors import TickerTimeoutError
from ticker_parse.models import Dialect

__all__ = [
    "DIALECT_ORDER",
    "UNCHANGED",
    "Entries",
    "bool_column",
    "read_entries",
    "run_numbers",
]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]

#: Dialect codes of the ``dialect`` column.
DIALECT_ORDER: tuple[Dialect, ...] = (
    Dialect.CONCATENATED,
    Dialect.BRECORDER,
    Dialect.MARQUEE,
    Dialect.PORTAL,
)
_CODE = {d: np.int8(i) for i, d in enumerate(DIALECT_ORDER)}
#: Direction codes: 0 up, 1 down, 2 unchanged (the frame's category codes).
UP, DOWN, UNCHANGED = 0, 1, 2

_PIECE_PATTERNS: dict[Dialect, str] = {
    Dialect.CONCATENATED: grammar.CONCATENATED_PIECE,
    Dialect.BRECORDER: grammar.BRECORDER_PIECE,
    Dialect.PORTAL: grammar.PORTAL_PIECE,
}
# Not white space by ``str.isspace`` (the ASCII part; other spaces are normalized away).
_BLANK = r"\t\n\x0b\x0c\r \x1c-\x1f\x85"
_NOT_BLANK = rf"[^{_BLANK}]"
# A lead that keeps its entry in the strip before it: white space, one separator at most.
_LEAD_BLANK = rf"[{_BLANK}]*(?:[{re.escape(grammar.ENTRY_SEPARATORS)}][{_BLANK}]*)?"
_SEPARATOR_ONLY = f"^{_LEAD_BLANK}$"
_LEAD_BLANK_PY = re.compile(_LEAD_BLANK)
_NOT_BEFORE = pa.array(sorted(grammar.NOT_BEFORE_SYMBOL), pa.large_string())
# A portal symbol opens its line: nothing but spaces since the last newline or ``)``.
_OPENS_LINE = r"(?:^|\n)[ \t]{0,8}$"
_MARQUEE_MIN_RUN = 2


@dataclass(frozen=True, eq=False)
class Entries:
    """One row per entry, in text order; figures as displayed (``percent`` may be null).

    ``start``/``end`` are positions in the normalized text; ``dialect`` codes follow
    :data:`DIALECT_ORDER`, ``direction`` codes 0 up, 1 down, 2 unchanged; ``conflict`` marks
    an arrow that contradicts its words; ``strip`` numbers the strips from 0; ``lead_blank``
    is False where something other than white space (and one of
    :data:`~ticker_parse.grammar.ENTRY_SEPARATORS`) stands before the entry; ``glued``
    is True where symbol and price touch (``AGL38.02``), so that where the symbol ends is
    for ``checks`` to settle. ``figures`` holds the price, change and percent as float64
    (one row per entry; NaN where no figure is shown).
    """

    start: IntArray
    end: IntArray
    dialect: npt.NDArray[np.int8]
    symbol: pa.Array
    price: pa.Array
    change: pa.Array
    percent: pa.Array
    direction: npt.NDArray[np.int8]
    conflict: BoolArray
    strip: IntArray
    lead_blank: BoolArray
    glued: BoolArray
    figures: FloatArray

    def __len__(self) -> int:
        return len(self.start)

    @classmethod
    def empty(cls) -> Entries:
        """No entries."""
        text = pa.array([], pa.large_string())
        return cls(
            np.empty(0, np.int64),
            np.empty(0, np.int64),
            np.empty(0, np.int8),
            text,
            text,
            text,
            text,
            np.empty(0, np.int8),
            np.empty(0, bool),
            np.empty(0, np.int64),
            np.empty(0, bool),
            np.empty(0, bool),
            np.empty((0, 3)),
        )

    def take(self, rows: IntArray) -> Entries:
        """The entries at ``rows``."""
        index = pa.array(rows, pa.int64())
        columns: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            columns[f.name] = value.take(index) if isinstance(value, pa.Array) else value[rows]
        return Entries(**columns)

    @classmethod
    def concat(cls, parts: list[Entries]) -> Entries:
        """The rows of ``parts`` one after another (strip numbers kept as they are)."""
        if len(parts) == 1:
            return parts[0]
        columns: dict[str, Any] = {}
        for f in fields(cls):
            values = [getattr(p, f.name) for p in parts]
            if isinstance(values[0], pa.Array):
                columns[f.name] = pa.concat_arrays(values)
            else:
                columns[f.name] = np.concatenate(values)
        return cls(**columns)


def _check_deadline(deadline: float | None, text: str) -> None:
    if deadline is not None and time.monotonic() > deadline:
        raise TickerTimeoutError(f"parsing took longer than the timeout ({len(text):,} characters)")


def run_numbers(*keys: npt.NDArray[Any]) -> IntArray:
    """Number the runs of consecutive rows equal in every key (0, 1, ...): strip numbers."""
    starts = np.zeros(len(keys[0]), dtype=bool)
    starts[:1] = True
    for key in keys:
        starts[1:] |= key[1:] != key[:-1]
    numbers: IntArray = np.cumsum(starts) - 1
    return numbers


def is_blank_lead(text: str, start: int, end: int) -> bool:
    """Is ``text[start:end]`` (the text before an entry in its piece) blank as
    ``lead_blank`` has it: white space, one separator at most? (No copy of the text.)"""
    return _LEAD_BLANK_PY.fullmatch(text, start, end) is not None


def bool_column(array: pa.Array) -> BoolArray:
    """An Arrow boolean column as numpy (nulls as False)."""
    filled = pc.fill_null(array, False) if array.null_count else array  # 10 against 1 µs
    result: BoolArray = filled.to_numpy(zero_copy_only=False).astype(bool, copy=False)
    return result


@dataclass(frozen=True, slots=True)
class Names:
    """A text column as codes into its distinct texts (Arrow's dictionary encoding): a
    question about each row's text (is it known? its hash?) is asked once per distinct
    text, and equal codes are equal texts."""

    codes: IntArray
    distinct: pa.Array

    @classmethod
    def of(cls, texts: pa.Array) -> Names:
        """The names of ``texts`` (an Arrow string column without nulls)."""
        encoded = pa.chunked_array([texts], texts.type).combine_chunks().dictionary_encode()
        codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        return cls(codes, encoded.dictionary)

    def isin(self, values: pa.Array) -> BoolArray:
        """Per row: is its text one of ``values``?"""
        result: BoolArray = bool_column(pc.is_in(self.distinct, value_set=values))[self.codes]
        return result

    def index_in(self, values: pa.Array) -> IntArray:
        """Per row: where its text is in ``values`` (-1: nowhere)."""
        where = pc.fill_null(pc.index_in(self.distinct, value_set=values), -1)
        result: IntArray = where.to_numpy().astype(np.int64)[self.codes]
        return result

    def replace(self, rows: IntArray, texts: pa.Array) -> Names:
        """These names with ``texts`` at ``rows`` (new texts added to the distinct ones)."""
        found = pc.index_in(texts, value_set=self.distinct)
        new = bool_column(found.is_null())
        added = Names.of(texts.filter(pa.array(new)))
        codes = self.codes.copy()
        at = pc.fill_null(found, -1).to_numpy().astype(np.int64)
        at[new] = added.codes + len(self.distinct)
        codes[rows] = at
        return Names(codes, pa.concat_arrays([self.distinct, added.distinct]))


def figure_values(texts: pa.Array) -> FloatArray:
    """Displayed figures as floats (NaN where none is shown); separators and ``+`` dropped."""
    # most columns hold no separator: one search instead of a copy of every figure
    has_separator = pc.any(pc.match_substring(texts, ",")).as_py()
    plain = pc.replace_substring(texts, ",", "") if has_separator else texts
    values: FloatArray = (
        pc.cast(plain, pa.float64()).to_numpy(zero_copy_only=False).astype(np.float64, copy=True)
    )
    return values


@dataclass(frozen=True, slots=True)
class Shapes:
    """How each figure is written: its characters, where its dot is (-1: none), whether
    it has a thousands separator, its first character (0 for none)."""

    length: IntArray
    dot: IntArray
    grouped: BoolArray
    first: npt.NDArray[np.uint8]


def utf8_buffers(strings: pa.Array) -> tuple[IntArray, npt.NDArray[np.uint8]]:
    """Where each of ``strings`` starts and ends in its UTF-8 data (``n + 1`` bounds), and
    that data: a ``large_string`` column's Arrow buffers, read without a copy."""
    if strings.type != pa.large_string():  # its 64-bit offsets are read here
        raise TypeError(f"expected a large_string column, not {strings.type}")
    _, offsets, data = strings.buffers()
    count = strings.offset + len(strings) + 1
    bounds: IntArray = np.frombuffer(offsets, np.int64, count=count)[strings.offset :]
    size = int(bounds[-1])
    buf = np.frombuffer(data, np.uint8, count=size) if size else np.zeros(0, np.uint8)
    return bounds, buf


def figure_shapes(texts: pa.Array) -> Shapes:
    """The :class:`Shapes` of displayed figures (a ``large_string`` column; a null has no
    characters). Figures are ASCII, one byte a character, so they are read from the Arrow
    buffers with numpy (twice as fast as four string kernels)."""
    n = len(texts)
    bounds, buf = utf8_buffers(texts)
    lo, hi = int(bounds[0]), int(bounds[-1])
    region = buf[lo:] if hi > lo else np.zeros(1, np.uint8)
    start, end = bounds[:-1] - lo, bounds[1:] - lo
    if texts.null_count:
        end = np.where(bool_column(texts.is_valid()), end, start)

    def counts(byte: int) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.int32]]:
        found = region == byte
        total = np.zeros(len(region) + 1, np.int32)
        np.cumsum(found, out=total[1:])
        return found, total

    is_dot, dots_before = counts(ord("."))
    where = np.flatnonzero(is_dot)
    has_dot = dots_before[end] > dots_before[start]
    dot = np.full(n, -1, dtype=np.int64)
    dot[has_dot] = where[dots_before[start[has_dot]]] - start[has_dot]
    grouped = np.zeros(n, dtype=bool)
    if ord(",") in region:
        _, commas_before = counts(ord(","))
        grouped = commas_before[end] > commas_before[start]
    first = np.where(end > start, region[np.minimum(start, len(region) - 1)], 0).astype(np.uint8)
    return Shapes((end - start).astype(np.int64), dot, grouped, first)


def _figures(price: pa.Array, change: pa.Array, percent: pa.Array) -> FloatArray:
    return np.column_stack([figure_values(price), figure_values(change), figure_values(percent)])


def _not_blank(texts: pa.Array) -> BoolArray:
    return bool_column(pc.match_substring_regex(texts, _NOT_BLANK))


def _directions(dialect: Dialect, got: pa.StructArray) -> tuple[npt.NDArray[np.int8], BoolArray]:
    n = len(got)
    conflict = np.zeros(n, dtype=bool)
    if dialect is Dialect.CONCATENATED:
        up = bool_column(pc.equal(got.field("arrow"), "▲"))
        return np.where(up, UP, DOWN).astype(np.int8), conflict
    if dialect is Dialect.BRECORDER:
        words = got.field("words")
        said = np.full(n, UNCHANGED, dtype=np.int8)
        said[bool_column(pc.starts_with(words, "Increased"))] = UP
        said[bool_column(pc.starts_with(words, "Decreased"))] = DOWN
        arrow = got.field("arrow")
        shown = np.where(
            bool_column(pc.equal(arrow, "▲")),
            UP,
            np.where(bool_column(pc.equal(arrow, "▼")), DOWN, -1),
        )
        # "No Change ▼ 0.00" is how Business Recorder shows a flat stock: no conflict.
        conflict = (shown >= 0) & (said != UNCHANGED) & (shown != said)
        return said, conflict
    # portal: no arrow; the sign of the change says which way
    change = got.field("change")
    zero = bool_column(pc.match_substring_regex(change, r"^[-+]?[0,.]*$"))
    down = bool_column(pc.starts_with(change, "-"))
    return np.where(zero, UNCHANGED, np.where(down, DOWN, UP)).astype(np.int8), conflict


def _arrow_text(text: str) -> pa.Array:
    """``text`` as an Arrow string; a lone surrogate (from ``errors="surrogateescape"``)
    becomes U+FFFD, one character for one, so that every offset stays right."""
    try:
        return pa.array([text], pa.large_string())
    except UnicodeEncodeError:
        clean = "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in text)
        return pa.array([clean], pa.large_string())


#: Texts of at least this many characters are read by the compiled reader when numba is
#: installed (``[fast]``). Its first use in a process costs about 0.6 s (numba's import
#: and the cached code's load); it then saves about 35 ms a million characters.
KERNEL_MIN_CHARS = 1 << 20
#: None: the compiled reader when it is installed and the text big enough; True or False:
#: always or never (tests compare both paths).
use_kernel: bool | None = None
#: None: the plain forms (``grammar.CONCATENATED_PLAIN``, ``grammar.BRECORDER_PLAIN``)
#: first where :data:`_MATCH_FIRST` pieces or more are matched (all of a text's pieces, or
#: those the compiled reader left); True or False: always or never (tests compare).
use_plain: bool | None = None


@dataclass(frozen=True, eq=False)
class _Found:
    """The entries of a text's pieces, in piece order (strips not numbered yet).

    ``pieces``: how many pieces end in ``)``; ``piece_of``: each entry's piece; ``new_line``:
    a concatenated entry whose lead holds a line break; ``unread``: pieces that are not
    blank and hold no entry (they break strips).
    """

    pieces: int
    entries: Entries
    piece_of: IntArray
    new_line: BoolArray
    unread: IntArray


def _bracketed(text: str, forced: Dialect | None, deadline: float | None) -> Entries:
    """Entries of the ``)``-terminated dialects, strips numbered from 0."""
    allowed = [d for d in _PIECE_PATTERNS if forced is None or forced is d]
    found = _read_pieces(text, _arrow_text(text), allowed, deadline)
    entries, piece_of = found.entries, found.piece_of
    if not len(entries):
        return Entries.empty()
    # Strips: a new one after a piece that is not blank and holds no entry, at an entry
    # with something glued before it or on a new line (glued strips), and where the
    # dialect changes.
    breaks = np.zeros(found.pieces, dtype=np.int64)
    breaks[found.unread] = 1
    cut = ~entries.lead_blank | (np.diff(np.cumsum(breaks)[piece_of], prepend=0) > 0)
    breaks[piece_of[cut | _glued_lines(found.new_line, cut)]] = 1
    level = np.cumsum(breaks)[piece_of]
    return replace(entries, strip=run_numbers(level, entries.dialect))


def _read_pieces(
    text: str, arrow: pa.Array, dialects: list[Dialect], deadline: float | None
) -> _Found:
    """The text cut at every ``)``, each piece read: by the compiled reader where it can
    (clean concatenated entries), by the RE2 patterns of ``dialects`` everywhere else. A
    dialect none of whose marks is in the text (or, after the compiled reader, in the
    pieces it left) is not tried."""
    wanted = use_kernel
    if wanted is None:
        wanted = len(text) >= KERNEL_MIN_CHARS and not _mostly_words(text, dialects)
    arrows = Dialect.CONCATENATED in dialects and _may_hold(Dialect.CONCATENATED, text, arrow)
    compiled = _kernel.load() if wanted and arrows else None
    if compiled is not None:
        return _kernel_pieces(compiled, text, arrow, dialects, deadline)
    dialects = [
        d for d in dialects if (arrows if d is Dialect.CONCATENATED else _may_hold(d, text, arrow))
    ]
    if not dialects:
        return _Found(0, Entries.empty(), _NO_ROWS, np.empty(0, bool), _NO_ROWS)
    cut = pc.list_flatten(pc.split_pattern(arrow, ")"))
    n = len(cut) - 1  # the text after the last ")" closes no entry
    if n <= 0:
        return _Found(0, Entries.empty(), _NO_ROWS, np.empty(0, bool), _NO_ROWS)
    pieces = cut.slice(0, n)
    lengths = pc.utf8_length(pieces).to_numpy().astype(np.int64)
    piece_end = np.cumsum(lengths + 1)  # just past the piece's ")"
    piece_start = piece_end - lengths - 1
    return _match_pieces(
        pieces, np.arange(n, dtype=np.int64), piece_start, piece_end, n, dialects, text, deadline
    )


def _mostly_words(text: str, dialects: list[Dialect]) -> bool:
    """Do most arrows at the start of ``text`` come with Business Recorder's words? (A guess
    on a sample: it changes the speed only.) The compiled reader
    reads glued entries only: on Business Recorder lines it would pass every piece on
    (1 M lines: 4.3x the floor without it, 5.4x with it)."""
    if Dialect.BRECORDER not in dialects:
        return False
    sample = text[:_WORDS_SAMPLE]
    words = sum(sample.count(mark) for mark in _MARKS[Dialect.BRECORDER])
    arrows = sum(sample.count(mark) for mark in _MARKS[Dialect.CONCATENATED])
    return arrows > 0 and 2 * words >= arrows  # no arrow in the sample: no evidence


#: Characters :func:`_mostly_words` looks at (counting over 2 M characters cost 9 ms).
_WORDS_SAMPLE = 1 << 16


_NO_ROWS = np.empty(0, np.int64)
#: Strings every entry of a dialect holds (one of them): a text or piece without any is not
#: tried.
_MARKS: dict[Dialect, tuple[str, ...]] = {
    Dialect.CONCATENATED: ("▲", "▼"),
    Dialect.BRECORDER: ("creased", "Change", "Unchanged"),  # Increased, Decreased, No Change
    Dialect.PORTAL: ("%",),
}
#: From this many pieces on, RE2's automaton is asked first which ones match: extracting
#: the groups costs most on the pieces that fail. Fewer are sorted by marks: each RE2 call
#: compiles its pattern again (0.3-0.9 ms), which a page's few hundred pieces do not repay.
_MATCH_FIRST = 1000
#: Up to this many characters of candidate pieces, extracting at once is cheaper than
#: compiling the automaton first.
_EXTRACT_FIRST_CHARS = 4096


def _matching(pieces: pa.Array, dialect: Dialect) -> BoolArray:
    """Which ``pieces`` match ``dialect``'s pattern (or may: a few short pieces that hold one
    of its marks are left to the extraction to decide)."""
    pattern = _PIECE_PATTERNS[dialect]
    if len(pieces) >= _MATCH_FIRST:
        return bool_column(pc.match_substring_regex(pieces, pattern))
    maybe = np.zeros(len(pieces), dtype=bool)
    for mark in _MARKS[dialect]:
        maybe |= bool_column(pc.match_substring(pieces, mark))
    rows = np.flatnonzero(maybe)
    if not len(rows):
        return maybe
    candidates = pieces.take(pa.array(rows))
    if (pc.sum(pc.utf8_length(candidates)).as_py() or 0) <= _EXTRACT_FIRST_CHARS:
        return maybe
    # failing to extract costs most on long pieces (an article's paragraph with a "%")
    matched: BoolArray = np.zeros(len(pieces), dtype=bool)
    matched[rows[bool_column(pc.match_substring_regex(candidates, pattern))]] = True
    return matched


#: Longer than any entry a piece pattern takes (the longest, a portal entry spaced out to
#: the limits, is under 300 characters).
_ENTRY_TAIL = 512
_EMPTY = pa.scalar("", pa.large_string())


def _extract(pieces: pa.Array, dialect: Dialect) -> pa.StructArray:
    """The groups of ``dialect``'s pattern in each piece (null where it does not match).

    The entry ends its piece and is shorter than :data:`_ENTRY_TAIL`, so the pattern runs
    over each piece's tail only and the rest is put back in front of the lead: a piece whose
    lead is a whole article (a page's first entry) costs no more than a short one. Tails
    of :data:`_FEW_BYTES` or less in all (a page's strip) are read by Python's ``re``.
    """
    pattern = _PIECE_PATTERNS[dialect]
    bounds, _ = utf8_buffers(pieces)
    long = len(pieces) > 0 and int(np.diff(bounds).max()) > _ENTRY_TAIL  # bytes >= characters
    tails = pc.utf8_slice_codeunits(pieces, -_ENTRY_TAIL) if long else pieces
    tail_bounds, _ = utf8_buffers(tails)
    if int(tail_bounds[-1] - tail_bounds[0]) <= _FEW_BYTES:
        got = _extract_few(tails, grammar.python_pattern(pattern))
    else:
        got = pc.extract_regex(tails, pattern)
    if not long:
        return got
    heads = pc.utf8_slice_codeunits(pieces, 0, -_ENTRY_TAIL)
    names = [got.type.field(i).name for i in range(got.type.num_fields)]
    fields = [
        pc.binary_join_element_wise(heads, got.field(name), _EMPTY)
        if name == "lead"
        else got.field(name)
        for name in names
    ]
    return pa.StructArray.from_arrays(fields, names=names, mask=pc.invert(got.is_valid()))


#: Up to this many bytes of piece tails, :func:`_extract` runs Python's ``re``: about
#: 0.1 µs a character on entries against RE2's 0.4-0.9 ms to compile a pattern, and at
#: worst (a tail of 512 capitals: the lazy lead tries every start) 3.5 µs a character,
#: 14 ms a call.
_FEW_BYTES = 4096


def _extract_few(pieces: pa.Array, compiled: re.Pattern[str]) -> pa.StructArray:
    """``pc.extract_regex(pieces, pattern)`` by ``compiled``, the same pattern in Python:
    the same struct (named groups in order; a group that took no part, or any group of a
    row that does not match, is ``""``; a row that does not match is null)."""
    names = sorted(compiled.groupindex, key=compiled.groupindex.__getitem__)
    rows: list[tuple[str, ...]] = []
    missed: list[bool] = []
    nothing = ("",) * len(names)
    match = compiled.match
    for piece in pieces.to_pylist():
        m = None if piece is None else match(piece)
        missed.append(m is None)
        rows.append(nothing if m is None else m.groups(""))
    columns = zip(*rows, strict=True) if rows else [()] * len(names)
    return pa.StructArray.from_arrays(
        [pa.array(column, pieces.type) for column in columns],
        names=names,
        mask=pa.array(missed, pa.bool_()),
    )


def _match_pieces(
    pieces: pa.Array,
    number: IntArray,
    piece_start: IntArray,
    piece_end: IntArray,
    n: int,
    dialects: list[Dialect],
    text: str,
    deadline: float | None,
) -> _Found:
    """``pieces`` (the text's pieces ``number``, ``n`` in all) matched against each
    dialect's pattern in turn."""
    remaining = np.arange(len(pieces), dtype=np.int64)
    found: list[tuple[IntArray, Entries, BoolArray]] = []
    plain = use_plain if use_plain is not None else len(pieces) >= _MATCH_FIRST
    if plain and len(pieces):
        for dialect in _plain_order(pieces, dialects):
            _check_deadline(deadline, text)
            subset = pieces if len(remaining) == len(pieces) else pieces.take(pa.array(remaining))
            got = pc.extract_regex(subset, _PLAIN_PATTERNS[dialect])
            valid = bool_column(got.is_valid())
            if dialect is Dialect.BRECORDER:
                valid &= _grouped_right(got.field("price"))
            if not valid.any():
                continue
            hit = remaining[valid]
            if not valid.all():
                index = pa.array(np.flatnonzero(valid))
                subset, got = subset.take(index), got.take(index)
            entries, new_line = _plain_columns(
                dialect, subset, got, piece_start[hit], piece_end[hit]
            )
            found.append((hit, entries, new_line))
            remaining = remaining[~valid]
            if not len(remaining):
                break
    for dialect in dialects:
        if not len(remaining):
            break
        _check_deadline(deadline, text)
        subset = pieces if len(remaining) == len(pieces) else pieces.take(pa.array(remaining))
        ok = _matching(subset, dialect)
        if not ok.any():
            continue
        got = _extract(subset if ok.all() else subset.filter(pa.array(ok)), dialect)
        valid = bool_column(got.is_valid())
        if not valid.all():  # candidates that did not match after all
            ok[np.flatnonzero(ok)[~valid]] = False
            if not ok.any():
                continue
            got = got.filter(pa.array(valid))
        lead = got.field("lead")
        # the look-behind RE2 lacks: no symbol character right before the symbol
        bad = bool_column(pc.is_in(pc.utf8_slice_codeunits(lead, -1), value_set=_NOT_BEFORE))
        bad |= bool_column(pc.match_substring_regex(lead, grammar.CURRENCY_PAIR_LEAD))
        if dialect is Dialect.PORTAL:
            bad |= ~bool_column(pc.match_substring_regex(lead, _OPENS_LINE))
        hit = np.flatnonzero(ok)
        if bad.any():
            ok[hit[bad]] = False
            got = got.filter(pa.array(~bad))
            hit = hit[~bad]
        # A glued strip is one line: a line of several glued entries is a strip of its own
        # (a dump of captures, one a line); glued entries one a line (a rendered list) are
        # one strip.
        new_line = (
            bool_column(pc.match_substring(got.field("lead"), "\n"))
            if dialect is Dialect.CONCATENATED
            else np.zeros(len(got), dtype=bool)
        )
        rows = remaining[hit]
        found.append((rows, _columns(dialect, got, piece_start[rows], piece_end[rows]), new_line))
        remaining = remaining[~ok]
    unread = _NO_ROWS
    if len(remaining):
        unread = number[remaining[_not_blank(pieces.take(pa.array(remaining)))]]
    if not found:
        return _Found(n, Entries.empty(), _NO_ROWS, np.empty(0, bool), unread)
    entries = Entries.concat([part for _, part, _ in found])
    piece_of = number[np.concatenate([rows for rows, _, _ in found])]
    new_line = np.concatenate([lines for _, _, lines in found])
    if len(found) > 1:
        order = np.argsort(piece_of, kind="stable")
        entries, piece_of, new_line = entries.take(order), piece_of[order], new_line[order]
    return _Found(n, entries, piece_of, new_line, unread)


def string_column(data: npt.NDArray[np.uint8], offsets: IntArray) -> pa.Array:
    """A ``large_string`` array on packed UTF-8 ``data`` and its offsets, without a copy."""
    return pa.Array.from_buffers(
        pa.large_string(), len(offsets) - 1, [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    )


def _kernel_pieces(
    compiled: Any, text: str, arrow: pa.Array, dialects: list[Dialect], deadline: float | None
) -> _Found:
    """:func:`_read_pieces` with the compiled reader: the pieces it cannot read go to RE2."""
    _, buf = utf8_buffers(arrow)
    got = _kernel.scan(compiled, buf)
    m = len(got.piece)
    up = (got.flags & _kernel.FLAG_UP).astype(bool)
    symbol, price, change, percent = (string_column(d, o) for d, o in got.columns)
    entries = Entries(
        start=got.start,
        end=got.end,
        dialect=np.full(m, _CODE[Dialect.CONCATENATED], dtype=np.int8),
        symbol=symbol,
        price=price,
        change=change,
        percent=percent,
        direction=np.where(up, UP, DOWN).astype(np.int8),
        conflict=np.zeros(m, dtype=bool),
        strip=np.zeros(m, dtype=np.int64),
        lead_blank=np.ones(m, dtype=bool),
        glued=np.ones(m, dtype=bool),
        figures=got.values,
    )
    nan = np.isnan(got.values)
    long = np.flatnonzero(nan.any(axis=1)) if nan.any() else _NO_ROWS  # rare: ask first
    if len(long):  # a figure of more than 15 digits: parsed from its text
        index = pa.array(long)
        for column, texts in enumerate((price, change, percent)):
            got.values[long, column] = figure_values(texts.take(index))
    new_line = (got.flags & _kernel.FLAG_NEW_LINE).astype(bool)
    scanned = _Found(got.pieces, entries, got.piece, new_line, _NO_ROWS)
    if not len(got.rest_piece):
        return scanned
    rest = string_column(*_kernel.gather(compiled, buf, got.rest_bytes, got.rest_ends))
    rest_end = got.rest_char + got.rest_chars + 1
    # searched in the pieces left, not the whole text: an entry holds its marks in its piece
    dialects = [d for d in dialects if _marks_in(rest, d)]
    matched = _match_pieces(
        rest, got.rest_piece, got.rest_char, rest_end, got.pieces, dialects, text, deadline
    )
    if not len(matched.entries):
        return replace(scanned, unread=matched.unread)
    piece_of = np.concatenate([scanned.piece_of, matched.piece_of])
    order = np.argsort(piece_of, kind="stable")
    return _Found(
        got.pieces,
        Entries.concat([scanned.entries, matched.entries]).take(order),
        piece_of[order],
        np.concatenate([scanned.new_line, matched.new_line])[order],
        matched.unread,
    )


def _glued_lines(new_line: BoolArray, cut: BoolArray) -> BoolArray:
    """Where a glued strip starts at a line break: at each line of several entries, and
    right after one. ``new_line`` marks the glued entries that open a line; ``cut`` the
    entries after something that breaks a strip anyway (text that is no entry, a document
    read with others), whose line is not the line of the entries before them."""
    line = np.cumsum(new_line | cut)
    several = np.bincount(line) >= 2
    starts = new_line.copy()
    starts[1:] &= several[line[1:]] | several[line[:-1]]
    return starts


def _columns(
    dialect: Dialect, got: pa.StructArray, piece_start: IntArray, piece_end: IntArray
) -> Entries:
    """Entries from the groups of ``dialect``'s full pattern, one row per piece (where the
    pieces start and end in the text)."""
    lead = got.field("lead")
    direction, conflict = _directions(dialect, got)
    n = len(got)
    symbol = got.field("symbol")
    glued = np.zeros(n, dtype=bool)
    if dialect is Dialect.CONCATENATED:
        spaced = pc.utf8_rtrim_whitespace(symbol)
        glued = bool_column(pc.equal(pc.utf8_length(spaced), pc.utf8_length(symbol)))
        symbol = spaced
    return Entries(
        start=piece_start + pc.utf8_length(lead).to_numpy().astype(np.int64),
        end=piece_end,
        dialect=np.full(n, _CODE[dialect], dtype=np.int8),
        symbol=symbol,
        price=got.field("price"),
        change=got.field("change"),
        percent=got.field("percent"),
        direction=direction,
        conflict=conflict,
        strip=np.zeros(n, dtype=np.int64),
        lead_blank=bool_column(pc.match_substring_regex(lead, _SEPARATOR_ONLY)),
        glued=glued,
        figures=_figures(got.field("price"), got.field("change"), got.field("percent")),
    )


_PLAIN_PATTERNS: dict[Dialect, str] = {
    Dialect.CONCATENATED: grammar.CONCATENATED_PLAIN,
    Dialect.BRECORDER: grammar.BRECORDER_PLAIN,
}


def _grouped_right(price: pa.Array) -> BoolArray:
    """Per price of a plain form that reads commas anywhere (null: no match): is it a
    number the full pattern reads (commas where a grouped number has them: up to 18
    integer digits grouped, 15 without)? Only prices with a comma or of over 15
    characters are looked at."""
    ok = np.ones(len(price), dtype=bool)
    suspect = pc.or_(pc.match_substring(price, ","), pc.greater(pc.binary_length(price), 15))
    rows = np.flatnonzero(bool_column(suspect))
    if len(rows):
        texts = price.take(pa.array(rows))
        ok[rows] = bool_column(pc.match_substring_regex(texts, grammar.GROUPED_NUMBER))
    return ok


#: Pieces a big text's plain forms are tried on first: the forms that read none of them
#: are not tried on the whole text (a failed extraction costs as much as a match).
_PLAIN_SAMPLE = 256


def _plain_order(pieces: pa.Array, dialects: list[Dialect]) -> list[Dialect]:
    """The plain forms worth trying on ``pieces``, the most common first, by a sample
    spread over the pieces. Which forms run changes the speed only: a piece no plain form
    reads goes to the full patterns."""
    at = np.linspace(0, len(pieces) - 1, _PLAIN_SAMPLE).astype(np.int64)
    sample = pieces.take(pa.array(at))
    hits = {
        d: int(np.count_nonzero(bool_column(pc.match_substring_regex(sample, _PLAIN_PATTERNS[d]))))
        for d in dialects
        if d in _PLAIN_PATTERNS
    }
    return sorted((d for d in hits if hits[d]), key=lambda d: -hits[d])


def _bytes_at(strings: pa.Array, at: IntArray) -> npt.NDArray[np.uint8]:
    """The UTF-8 byte at position ``at`` of each of ``strings`` (a ``large_string`` array
    without nulls; every position inside its string)."""
    bounds, buf = utf8_buffers(strings)
    result: npt.NDArray[np.uint8] = buf[bounds[:-1] + at]
    return result


#: The UTF-8 bytes of the arrows: ``▲`` E2 96 B2, ``▼`` E2 96 BC.
_ARROW_FIRST_BYTE, _DOWN_LAST_BYTE = 0xE2, 0xBC
#: Business Recorder's words, told apart by their first byte: their length and the
#: direction they say, as tables indexed by that byte.
_WORDS = {"Increased By": UP, "Decreased By": DOWN, "No Change": UNCHANGED, "Unchanged": UNCHANGED}
_WORD_LENGTH = np.zeros(256, dtype=np.int64)
_WORD_LENGTH[[ord(w[0]) for w in _WORDS]] = [len(w) for w in _WORDS]
_WORD_SAYS = np.full(256, UNCHANGED, dtype=np.int8)
_WORD_SAYS[[ord(w[0]) for w in _WORDS]] = list(_WORDS.values())


def _plain_columns(
    dialect: Dialect,
    pieces: pa.Array,
    got: pa.StructArray,
    piece_start: IntArray,
    piece_end: IntArray,
) -> tuple[Entries, BoolArray]:
    """Entries from the groups of ``dialect``'s plain pattern, one per piece, and which
    open a line. Everything up to the arrow is ASCII, one byte a character, so the lead
    (white space: what trimming it removes), the arrow and the words are read at known
    byte positions."""
    n = len(got)
    symbol, price = got.field("symbol"), got.field("price")
    change, percent = got.field("change"), got.field("percent")
    size = pc.binary_length(pieces).to_numpy()
    lead = (size - pc.binary_length(pc.utf8_ltrim(pieces, " \t\n")).to_numpy()).astype(np.int64)
    after = lead + pc.binary_length(symbol).to_numpy() + pc.binary_length(price).to_numpy()
    conflict = np.zeros(n, dtype=bool)
    new_line = np.zeros(n, dtype=bool)
    if dialect is Dialect.CONCATENATED:
        arrow = after + (_bytes_at(pieces, after) == ord(" "))
        down = _bytes_at(pieces, arrow + 2) == _DOWN_LAST_BYTE
        direction = np.where(down, DOWN, UP).astype(np.int8)
        led = np.flatnonzero(lead)
        if len(led):
            new_line[led] = bool_column(pc.match_substring(pieces.take(pa.array(led)), "\n"))
    else:
        word = after + 2  # "SYMBOL PRICE Increased By ▲ CHANGE": two spaces
        first = _bytes_at(pieces, word)
        direction = _WORD_SAYS[first]
        arrow = word + _WORD_LENGTH[first] + 1
        marked = _bytes_at(pieces, arrow) == _ARROW_FIRST_BYTE
        shown = np.where(
            marked, np.where(_bytes_at(pieces, arrow + 2) == _DOWN_LAST_BYTE, DOWN, UP), -1
        )
        conflict = (shown >= 0) & (direction != UNCHANGED) & (shown != direction)
    entries = Entries(
        start=piece_start + lead,
        end=piece_end,
        dialect=np.full(n, _CODE[dialect], dtype=np.int8),
        symbol=symbol,
        price=price,
        change=change,
        percent=percent,
        direction=direction,
        conflict=conflict,
        strip=np.zeros(n, dtype=np.int64),
        lead_blank=np.ones(n, dtype=bool),
        glued=np.full(n, dialect is Dialect.CONCATENATED),
        figures=_figures(price, change, percent),
    )
    return entries, new_line


def _may_hold(dialect: Dialect, text: str, arrow: pa.Array) -> bool:
    """A cheap necessary condition: skip a dialect's pass when none of its marks is in the
    text (``arrow``: the text as Arrow). The first characters are searched in Python; the
    rest, when no mark was found there, by RE2, which lets go of the GIL while threads
    finish other blocks (Python's search of 2 M characters for three absent marks holds it
    for 3.4 ms)."""
    if any(mark in text[:_MARKS_SAMPLE] for mark in _MARKS[dialect]):
        return True
    return len(text) > _MARKS_SAMPLE and _marks_in(arrow, dialect)


def _marks_in(pieces: pa.Array, dialect: Dialect) -> bool:
    """Does any of ``pieces`` hold one of ``dialect``'s marks?"""
    return bool(pc.any(pc.match_substring_regex(pieces, _MARK_PATTERNS[dialect])).as_py())


#: Characters :func:`_may_hold` searches in Python first.
_MARKS_SAMPLE = 1 << 16
#: Each dialect's marks as one RE2 pattern (none of them holds a character RE2 reads
#: specially).
_MARK_PATTERNS = {dialect: "|".join(marks) for dialect, marks in _MARKS.items()}


# --- the marquee dialect ---------------------------------------------------------------


def _marquee_runs(text: str, forced: bool, deadline: float | None) -> list[list[Any]]:
    """Runs of marquee matches separated only by white space, each kept on evidence."""
    timeout = None if deadline is None else max(1e-3, deadline - time.monotonic())
    try:
        matches = list(grammar.MARQUEE.finditer(text, timeout=timeout))
    except TimeoutError as exc:
        raise TickerTimeoutError(
            f"parsing took longer than the timeout ({len(text):,} characters)"
        ) from exc
    runs: list[list[Any]] = []
    for m in matches:
        if runs and not text[runs[-1][-1].end() : m.start()].strip():
            runs[-1].append(m)
        else:
            runs.append([m])
    kept = []
    for run in runs:
        # an entry without a pipe counts only next to one with a pipe
        piped = [m.group("pipe") is not None for m in run]
        run = [
            m
            for i, m in enumerate(run)
            if piped[i] or (i > 0 and piped[i - 1]) or (i + 1 < len(run) and piped[i + 1])
        ]
        if run and (forced or _looks_like_psx(run)):
            kept.append(run)
    return kept


#: The most a PSX quote moves in a day, as a share of its previous close (the exchange's
#: circuit breakers stop a share at 7.5%, or 1 rupee for the cheapest), with a margin.
_MARQUEE_MAX_MOVE = 0.1


def _looks_like_psx(run: list[Any]) -> bool:
    """Evidence that a run of marquee matches is a PSX marquee, not rates, scores or weather.

    Several entries in a row (:data:`_MARQUEE_MIN_RUN`); most prices shown with decimals
    (scores and temperatures are whole numbers); and at least three in four changes a
    share could make in a day (at most :data:`_MARQUEE_MAX_MOVE` of the previous close, or
    1 rupee): a buy/sell pair of rates (``USD 278.50 279.80``) or a high and a low
    (``KHI 32.5 24.1``) are not. Symbols say nothing here: ``AED`` is a currency and could
    be a ticker; a run of fuel prices and their changes looks like one too.
    """
    if len(run) < _MARQUEE_MIN_RUN:
        return False
    with_decimals = implausible = 0
    for m in run:
        price, change = m.group("price", "change")
        with_decimals += "." in price
        value, moved = float(price), float(change)
        if not value > 0:
            return False
        previous = value - moved
        implausible += not (previous > 0 and abs(moved) <= max(_MARQUEE_MAX_MOVE * previous, 1.0))
    return with_decimals * 2 >= len(run) and implausible * 4 <= len(run)


def _marquee(text: str, forced: bool, deadline: float | None) -> Entries:
    runs = _marquee_runs(text, forced, deadline)
    rows = [m for run in runs for m in run]
    if not rows:
        return Entries.empty()
    strip = np.repeat(np.arange(len(runs), dtype=np.int64), [len(r) for r in runs])
    changes = [m.group("change") for m in rows]
    direction = np.array(
        [
            UNCHANGED if c.lstrip("+-").strip("0.") == "" else DOWN if c.startswith("-") else UP
            for c in changes
        ],
        dtype=np.int8,
    )
    n = len(rows)
    return Entries(
        start=np.array([m.start() for m in rows], dtype=np.int64),
        end=np.array([m.end() for m in rows], dtype=np.int64),
        dialect=np.full(n, _CODE[Dialect.MARQUEE], dtype=np.int8),
        symbol=pa.array([m.group("symbol") for m in rows], pa.large_string()),
        price=pa.array([m.group("price") for m in rows], pa.large_string()),
        change=pa.array(changes, pa.large_string()),
        percent=pa.nulls(n, pa.large_string()),
        direction=direction,
        conflict=np.zeros(n, dtype=bool),
        strip=strip,
        lead_blank=np.ones(n, dtype=bool),
        glued=np.zeros(n, dtype=bool),
        figures=np.column_stack(
            [
                np.array([float(m.group("price")) for m in rows]),
                np.array([float(c) for c in changes]),
                np.full(n, np.nan),
            ]
        ),
    )


def _merge(bracketed: Entries, marquee: Entries) -> Entries:
    """Both readers' entries in text order; a marquee match inside a bracketed entry goes."""
    if not len(marquee):
        return bracketed
    if len(bracketed):
        # the bracketed entry that starts last at or before each marquee entry's end
        i = np.searchsorted(bracketed.start, marquee.end, side="left") - 1
        j = np.maximum(i, 0)
        overlaps = (i >= 0) & (bracketed.end[j] > marquee.start)
        marquee = marquee.take(np.flatnonzero(~overlaps))
    key = np.concatenate([bracketed.strip * 2, marquee.strip * 2 + 1])
    merged = Entries.concat([bracketed, marquee])
    order = np.argsort(merged.start, kind="stable")
    return replace(merged.take(order), strip=run_numbers(key[order]))


def read_entries(
    text: str, dialect: Dialect | None = None, *, deadline: float | None = None
) -> Entries:
    """Every entry of normalized ``text``, in order, none overlapping, strips numbered."""
    bracketed = Entries.empty()
    if dialect is not Dialect.MARQUEE and ")" in text:
        bracketed = _bracketed(text, dialect, deadline)
    marquee = Entries.empty()
    if dialect in (None, Dialect.MARQUEE) and "|" in text:
        marquee = _marquee(text, dialect is Dialect.MARQUEE, deadline)
    _check_deadline(deadline, text)
    return _merge(bracketed, marquee)
