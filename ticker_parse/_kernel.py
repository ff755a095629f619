"""The optional compiled reader of clean concatenated entries (``ticker_parse[fast]``: numba).

:func:`scan` walks the normalized text's UTF-8 bytes once and cuts them at every ``)``, as
``entries`` does. A piece that is white space (``entries``' blank characters) and then one
clean concatenated entry, glued (``AGL38.02▲ 0.08 (0.21%``), is read here: its character
offsets, arrow, whether its lead holds a line break, and its four figures as text, packed
into Arrow ``large_string`` buffers. A blank piece is dropped (it holds no entry and breaks
no strip). Every other piece -- junk before an entry, a spaced symbol, another dialect, a
near miss -- is handed back by its byte span for the RE2 patterns of ``grammar``, so the
scanner only has to be right about the pieces it accepts.

What it accepts is exactly where ``grammar.CONCATENATED_PIECE`` matches with a blank lead and
no space between symbol and price: the lead is white space, so the entry starts at the first
capital (a shorter lead cannot start a symbol), and every part of the pattern after it has
one way to match (each repeat is followed by a character it cannot take), so the greedy
reading below is the one RE2 reports. A symbol glued to its price leaves the optional
spaced-symbol group nothing to match (it needs white space after the symbol's digits).

numba is optional and imported only by :func:`load`; without it :func:`load` returns None
and ``entries`` reads every piece with RE2. Compiled code is cached (``cache=True``), so only
the first run on a machine pays the compilation.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

__all__ = ["Scanned", "gather", "load", "scan"]

U8 = npt.NDArray[np.uint8]
I64 = npt.NDArray[np.int64]

#: Bits of an entry's ``flags``.
FLAG_UP = 1  # the arrow is ▲
FLAG_NEW_LINE = 2  # the lead holds a line break

# What :func:`_piece` made of a piece.
_ENTRY, _BLANK, _REST = 0, 1, 2
# Rows of the int64 ``spans`` scratch: the figures' byte spans in the piece just read.
_SYMBOL_END, _PRICE_END, _CHANGE_START, _CHANGE_END, _PERCENT_START, _PERCENT_END = range(6)
_LEAD_CHARS, _FLAGS, _ENTRY_AT, _PIECE_END, _CONTINUATION = 6, 7, 8, 9, 10
_SPAN_ROWS = 11


def _is_digit(x: int) -> bool:
    return 48 <= x <= 57


def _digits(buf: U8, k: int, end: int) -> int:
    """Past the run of ASCII digits at ``k``."""
    while k < end and 48 <= buf[k] <= 57:
        k += 1
    return k


def _gap(buf: U8, k: int, end: int) -> int:
    """Past ``[ \\t\\n]{0,4}`` at ``k``, or -1 when a fifth such character follows."""
    j = k
    while j < end and (buf[j] == 32 or buf[j] == 9 or buf[j] == 10):
        j += 1
    return j if j - k <= 4 else -1


def _number(buf: U8, k: int, end: int, most: int, signed: bool) -> int:
    """Past ``[-+]?[0-9]{1,most}(?:\\.[0-9]{1,8})?`` at ``k`` where nothing after it could
    extend it (a digit, or a ``.`` not starting decimals), else -1."""
    if signed and k < end and (buf[k] == 45 or buf[k] == 43):  # - +
        k += 1
    j = _digits(buf, k, end)
    if j == k or j - k > most:
        return -1
    if j < end and buf[j] == 46:  # .
        d = _digits(buf, j + 1, end)
        if d == j + 1 or d - j - 1 > 8:
            return -1
        j = d
    return j


def _price(buf: U8, k: int, end: int) -> int:
    """Past ``grammar._NUM_GROUPED`` at ``k`` (the grouped form when it can be: ``67,194``),
    or -1. Only one of its two forms can be followed by anything but ``[0-9,.]``."""
    j = _digits(buf, k, end)
    if j - k <= 3 and j < end and buf[j] == 44:  # ,
        groups = 0
        while (
            groups < 5
            and j + 3 < end
            and buf[j] == 44
            and _is_digit(buf[j + 1])
            and _is_digit(buf[j + 2])
            and _is_digit(buf[j + 3])
        ):
            j += 4
            groups += 1
        if groups == 0:
            return -1
        if j < end and buf[j] == 46:
            d = _digits(buf, j + 1, end)
            if d == j + 1 or d - j - 1 > 8:
                return -1
            j = d
        return j
    return _number(buf, k, end, 15, False)


def _piece(buf: U8, ps: int, pe: int, spans: I64) -> int:
    """Read the piece at ``ps``: blank, one clean entry after blank (its spans into
    ``spans``, with the piece's end, its ``)``), or anything else. ``pe`` is the end of the
    text: nothing the grammar takes is a ``)``, so the entry must stop right before one."""
    k = ps
    lead_chars = 0
    continuation = 2  # the arrow's
    flags = 0
    # the lead: entries' blank characters \t \n \x0b \x0c \r space \x1c-\x1f, U+0085
    while k < pe:
        x = buf[k]
        if x == 32 or 9 <= x <= 13 or 28 <= x <= 31:
            if x == 10:
                flags |= FLAG_NEW_LINE
            k += 1
        elif x == 0xC2 and k + 1 < pe and buf[k + 1] == 0x85:
            k += 2
            continuation += 1
        else:
            break
        lead_chars += 1
    if k == pe or buf[k] == 41:
        return _BLANK
    entry = k
    # symbol: [A-Z][A-Z&]{0,11}(?:-[A-Z]{1,6})? and then a digit (glued to its price)
    if not 65 <= buf[k] <= 90:
        return _REST
    k += 1
    while k < pe and (65 <= buf[k] <= 90 or buf[k] == 38):
        k += 1
    if k - entry > 12:
        return _REST
    if k < pe and buf[k] == 45:  # -
        j = k + 1
        while j < pe and 65 <= buf[j] <= 90:
            j += 1
        if j == k + 1 or j - k - 1 > 6:
            return _REST
        k = j
    if not (k < pe and _is_digit(buf[k])):
        return _REST
    symbol_end = k
    k = _price(buf, k, pe)
    if k < 0:
        return _REST
    price_end = k
    # gap, arrow (E2 96 B2 or E2 96 BC), gap
    k = _gap(buf, k, pe)
    if k < 0 or not (k + 2 < pe and buf[k] == 0xE2 and buf[k + 1] == 0x96):
        return _REST
    if buf[k + 2] == 0xB2:
        flags |= FLAG_UP
    elif buf[k + 2] != 0xBC:
        return _REST
    k = _gap(buf, k + 3, pe)
    if k < 0:
        return _REST
    change_start = k
    k = _number(buf, k, pe, 15, True)
    if k < 0:
        return _REST
    change_end = k
    # gap, then "( ?" percent " ?% ?" and the end of the piece
    k = _gap(buf, k, pe)
    if k < 0 or not (k < pe and buf[k] == 40):  # (
        return _REST
    k += 1
    if k < pe and buf[k] == 32:
        k += 1
    percent_start = k
    k = _number(buf, k, pe, 6, True)
    if k < 0:
        return _REST
    percent_end = k
    if k < pe and buf[k] == 32:
        k += 1
    if not (k < pe and buf[k] == 37):  # %
        return _REST
    k += 1
    if k < pe and buf[k] == 32:
        k += 1
    if not (k < pe and buf[k] == 41):
        return _REST
    spans[_SYMBOL_END] = symbol_end
    spans[_PRICE_END] = price_end
    spans[_CHANGE_START] = change_start
    spans[_CHANGE_END] = change_end
    spans[_PERCENT_START] = percent_start
    spans[_PERCENT_END] = percent_end
    spans[_LEAD_CHARS] = lead_chars
    spans[_FLAGS] = flags
    spans[_ENTRY_AT] = entry
    spans[_PIECE_END] = k
    spans[_CONTINUATION] = continuation
    return _ENTRY


# 10**0 .. 10**8 (the grammar's figures have at most 8 decimals), each an exact float
_POWERS_OF_TEN = np.array([10.0**i for i in range(9)])


def _value(buf: U8, k: int, end: int) -> float:
    """The number ``buf[k:end]`` (sign, digits, separators, decimals) as the nearest
    float64, or NaN past 15 digits. With at most 15 digits the digits and the power of ten
    are exact floats and one division rounds once: the correctly rounded value, as
    parsing the text gives."""
    negative = k < end and buf[k] == 45
    if k < end and (buf[k] == 45 or buf[k] == 43):
        k += 1
    mantissa = 0
    digits = 0
    decimals = 0
    after_dot = False
    for i in range(k, end):
        x = buf[i]
        if 48 <= x <= 57:
            mantissa = mantissa * 10 + (x - 48)
            digits += 1
            decimals += after_dot
        elif x == 46:
            after_dot = True
    if digits > 15:
        return np.nan
    value: float = mantissa / _POWERS_OF_TEN[decimals]
    return -value if negative else value


def _copy(buf: U8, k: int, end: int, data: U8, offsets: I64, row: int) -> None:
    """Append ``buf[k:end]`` as value ``row`` of a packed string column."""
    at = offsets[row]
    for i in range(end - k):
        data[at + i] = buf[k + i]
    offsets[row + 1] = at + end - k


def _count(buf: U8, byte: int) -> int:
    n = 0
    for x in buf:
        n += x == byte
    return n


def _scan(
    buf: U8,
    rows: I64,
    flags: U8,
    data: U8,
    offsets: I64,
    rest: I64,
    values: npt.NDArray[np.float64],
) -> tuple[int, int, int]:
    """The loop of :func:`scan`: returns (pieces, entries, pieces for RE2)."""
    spans = np.empty(_SPAN_ROWS, dtype=np.int64)
    size = len(buf)
    cap = len(data) // 4
    k = 0
    chars = 0
    piece = 0
    n = 0
    r = 0
    while k < size:
        ps = k
        kind = _piece(buf, ps, size, spans)
        if kind == _ENTRY:
            k = spans[_PIECE_END]
            at = spans[_ENTRY_AT]
            rows[0, n] = piece
            rows[1, n] = chars + spans[_LEAD_CHARS]
            chars += k - ps - spans[_CONTINUATION]
            rows[2, n] = chars + 1
            flags[n] = spans[_FLAGS]
            _copy(buf, at, spans[_SYMBOL_END], data[:cap], offsets[0], n)
            _copy(buf, spans[_SYMBOL_END], spans[_PRICE_END], data[cap : 2 * cap], offsets[1], n)
            _copy(
                buf,
                spans[_CHANGE_START],
                spans[_CHANGE_END],
                data[2 * cap : 3 * cap],
                offsets[2],
                n,
            )
            _copy(buf, spans[_PERCENT_START], spans[_PERCENT_END], data[3 * cap :], offsets[3], n)
            values[n, 0] = _value(buf, spans[_SYMBOL_END], spans[_PRICE_END])
            values[n, 1] = _value(buf, spans[_CHANGE_START], spans[_CHANGE_END])
            values[n, 2] = _value(buf, spans[_PERCENT_START], spans[_PERCENT_END])
            n += 1
        else:
            while k < size and buf[k] != 41:  # )
                k += 1
            if k == size:
                break  # the text after the last ")" closes no entry
            cs = chars
            for i in range(ps, k):
                chars += (buf[i] & 0xC0) != 0x80  # not a UTF-8 continuation byte
            if kind == _REST:
                rest[0, r] = piece
                rest[1, r] = ps
                rest[2, r] = k
                rest[3, r] = cs
                rest[4, r] = chars - cs
                r += 1
        k += 1
        chars += 1
        piece += 1
    return piece, n, r


def _gather(buf: U8, starts: I64, ends: I64, data: U8, offsets: I64) -> None:
    offsets[0] = 0
    for i in range(len(starts)):
        _copy(buf, starts[i], ends[i], data, offsets, i)


_HELPERS = ("_is_digit", "_digits", "_gap", "_number", "_price", "_piece", "_value", "_copy")


class _Compiled(NamedTuple):
    count: Callable[..., int]
    scan: Callable[..., tuple[int, int, int]]
    gather: Callable[..., None]


_LOCK = threading.Lock()


def load() -> _Compiled | None:
    """The compiled loops (compiled now, or loaded from numba's cache), or None without numba."""
    with _LOCK:
        return _load()


@functools.cache
def _load() -> _Compiled | None:
    try:
        # here, not at the top: numba is optional (the [fast] extra) and slow to import
        import numba
    except ImportError:
        return None
    jit: Callable[[Callable[..., Any]], Any] = numba.njit(cache=True, nogil=True)
    inline: Callable[[Callable[..., Any]], Any] = numba.njit(
        cache=True, nogil=True, inline="always"
    )
    module = globals()
    for name in _HELPERS:  # the loops call the compiled helpers, found by name at typing
        module[name] = inline(module[name])
    return _Compiled(jit(_count), jit(_scan), jit(_gather))


class Scanned(NamedTuple):
    """What :func:`scan` found.

    ``pieces``: how many pieces end in ``)``. Entries, in text order: ``piece``, ``start``,
    ``end`` (character offsets, ``end`` past the ``)``), ``flags`` (FLAG_UP, FLAG_NEW_LINE),
    and the columns ``symbol``, ``price``, ``change``, ``percent`` as (data, int64 offsets);
    ``values``: price, change and percent as float64 (n, 3), NaN for a figure of more than
    15 digits (left to a text parser).
    Pieces left for RE2, in text order: ``rest_piece``, their bytes ``rest_bytes`` /
    ``rest_ends`` (without the ``)``), first character ``rest_char`` and length in characters
    ``rest_chars``.
    """

    pieces: int
    piece: I64
    start: I64
    end: I64
    flags: U8
    columns: list[tuple[U8, I64]]
    values: npt.NDArray[np.float64]
    rest_piece: I64
    rest_bytes: I64
    rest_ends: I64
    rest_char: I64
    rest_chars: I64


def scan(compiled: _Compiled, buf: U8) -> Scanned:
    """Read the UTF-8 bytes ``buf`` of a normalized text (see the module's docstring)."""
    pieces = compiled.count(buf, 41)
    rows = np.empty((3, pieces), dtype=np.int64)
    flags = np.empty(pieces, dtype=np.uint8)
    # the four figures of an entry are disjoint parts of it: each fits in len(buf) bytes
    cap = len(buf)
    data = np.empty(4 * cap, dtype=np.uint8)
    offsets = np.empty((4, pieces + 1), dtype=np.int64)
    offsets[:, 0] = 0
    rest = np.empty((5, pieces), dtype=np.int64)
    values = np.empty((pieces, 3), dtype=np.float64)
    counted, n, r = compiled.scan(buf, rows, flags, data, offsets, rest, values)
    assert counted == pieces
    columns = []
    for i in range(4):
        used = int(offsets[i, n])
        columns.append((data[i * cap : i * cap + used].copy(), offsets[i, : n + 1].copy()))
    return Scanned(
        pieces,
        rows[0, :n].copy(),
        rows[1, :n].copy(),
        rows[2, :n].copy(),
        flags[:n].copy(),
        columns,
        values[:n].copy(),
        rest[0, :r].copy(),
        rest[1, :r].copy(),
        rest[2, :r].copy(),
        rest[3, :r].copy(),
        rest[4, :r].copy(),
    )


def gather(compiled: _Compiled, buf: U8, starts: I64, ends: I64) -> tuple[U8, I64]:
    """The byte spans ``buf[starts[i]:ends[i]]`` packed as one string column."""
    data = np.empty(int((ends - starts).sum()), dtype=np.uint8)
    offsets = np.empty(len(starts) + 1, dtype=np.int64)
    compiled.gather(buf, starts, ends, data, offsets)
    return data, offsets
