"""The concatenated dialect scanned byte by byte, compiled by numba: the fast path's engine.

:func:`scan` walks UTF-8 bytes once. It cuts the text at every ``)`` into pieces, as the
polars engine does, and reads each piece by the grammar of
:data:`ticker_parse._patterns.FAST_CLEAN_PIECE` (ASCII white space, symbol, price, arrow,
change, bracketed percent, and nothing else). Every piece it cannot read that way is handed
back as *rest* for the polars code in ``_columnar`` (leftmost match, look-behind, strip
breaks), so the scanner only has to be right about the pieces it accepts: a piece it
refuses gives the same rows through the slower path. ``tests/test_kernel.py`` holds the
scanner to the pattern on generated near-misses, and to the polars engine on whole texts.

Why a compiled loop: the DataFrame path's target is twice the cost of merely finding the
arrows in the text. polars' capture extraction alone costs more than that (about 180 ns per
entry for the anchored pattern, measured); this loop costs about 80 ns per entry on one core
and splits over cores with the GIL released.

Numbers are read as an integer mantissa over a power of ten. With at most 15 digits the
mantissa is below 2**53 and the power of ten exact, so one IEEE division gives the correctly
rounded float, the same as ``float(text)``; longer figures are flagged ``INEXACT`` and read
again from their text by the caller.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar, cast

import numba
import numpy as np
import numpy.typing as npt

__all__ = [
    "FIELD_ROWS",
    "FLAG_INEXACT",
    "FLAG_LEAD_ZERO",
    "FLAG_UP",
    "MIN_ENTRY_BYTES",
    "NEEDS_GENERAL",
    "REST_CAPACITY",
    "TOO_MUCH_JUNK",
    "Part",
    "Scanned",
    "find",
    "gather",
    "measure",
    "scan",
]

_F = TypeVar("_F", bound=Callable[..., Any])
# cache=True: compiled code is kept in __pycache__ (or numba's user cache), so only the
# first run on a machine pays the compilation (a few seconds).
_jit = cast(Callable[[_F], _F], numba.njit(cache=True, nogil=True))
_inline = cast(Callable[[_F], _F], numba.njit(cache=True, nogil=True, inline="always"))

#: Bits of an entry's ``flags``.
FLAG_UP = 1  # the arrow is ▲
FLAG_LEAD_ZERO = 2  # the price starts with 0 (its split is in doubt)
FLAG_INEXACT = 4  # a figure has more than 15 digits: read it again from its text

#: :func:`scan`'s status when the text must take the general path: a symbol with ``&`` (it
#: may be an HTML entity) or a carriage return (normalization would change it).
NEEDS_GENERAL = 1
#: :func:`scan`'s status when more than ``REST_CAPACITY`` pieces of a part are not entries:
#: junk-heavy text, for the polars engine, which works through it in bounded blocks.
TOO_MUCH_JUNK = 2
#: Pieces not read that one part may hold (5 int64 each); past it, TOO_MUCH_JUNK.
REST_CAPACITY = 1 << 20
#: The shortest entry and its ``)``: ``A0▲0(0%)`` is 10 bytes, so a part of b bytes holds at
#: most b // 10 + 1 entries (output rows are sized by that, not by its pieces).
MIN_ENTRY_BYTES = 10

# Rows of the int64 ``positions`` output.
START, END, PIECE, AT = 0, 1, 2, 3
# Rows of the uint8 ``fields`` output: the percent's decimals, flags, and the figures' byte
# spans relative to the entry's first byte (an entry is at most ~100 bytes).
(
    DECIMALS,
    FLAGS,
    SYMBOL_END,
    PRICE_END,
    CHANGE_START,
    CHANGE_END,
    PERCENT_START,
    PERCENT_END,
    ENTRY_END,  # past the closing ")"
) = range(9)
#: Rows of ``fields``.
FIELD_ROWS = 9
# Rows of the int64 ``rest`` output: a piece the scanner did not read.
REST_AT, REST_END, REST_START, REST_LENGTH, REST_PIECE = range(5)

_POW10 = np.array([10.0**k for k in range(9)])
_ASCII_SPACE = 32


@_inline
def _is_digit(x: int) -> bool:
    return 48 <= x <= 57


@_inline
def _is_upper(x: int) -> bool:
    return 65 <= x <= 90


@_inline
def _skip_spaces(buf: npt.NDArray[np.uint8], k: int, end: int, most: int) -> int:
    """Past up to ``most`` ASCII spaces (`` {0,most}``)."""
    stop = min(end, k + most)
    while k < stop and buf[k] == _ASCII_SPACE:
        k += 1
    return k


@_inline
def _number(
    buf: npt.NDArray[np.uint8],
    k: int,
    end: int,
    int_most: int,
    signed: bool,
    pow10: npt.NDArray[np.float64],
) -> tuple[int, float, int, int]:
    """``[-+]?[0-9]{1,int_most}(?:\\.[0-9]{1,8})?`` at ``k``, the longest, as the regex.

    Returns (next index or -1, value, decimals, digits); -1 when there is no such number
    or a digit follows where the pattern allows none (the regex would fail there too).
    """
    negative = False
    if signed and k < end and (buf[k] == 45 or buf[k] == 43):  # - +
        negative = buf[k] == 45
        k += 1
    first = k
    mantissa = 0
    stop = min(end, k + int_most)
    while k < stop and _is_digit(buf[k]):
        mantissa = mantissa * 10 + (buf[k] - 48)
        k += 1
    digits = k - first
    if digits == 0 or (k < end and _is_digit(buf[k])):
        return -1, 0.0, 0, 0
    decimals = 0
    if k < end and buf[k] == 46:  # .
        k += 1
        first = k
        stop = min(end, k + 8)
        while k < stop and _is_digit(buf[k]):
            mantissa = mantissa * 10 + (buf[k] - 48)
            k += 1
        decimals = k - first
        if decimals == 0 or (k < end and _is_digit(buf[k])):
            return -1, 0.0, 0, 0
    value = mantissa / pow10[decimals]
    return k, -value if negative else value, decimals, digits + decimals


@_jit
def _read_piece(
    buf: npt.NDArray[np.uint8],
    ps: int,
    pe: int,
    n: int,
    numbers: npt.NDArray[np.float64],
    fields: npt.NDArray[np.uint8],
    pow10: npt.NDArray[np.float64],
) -> tuple[int, int]:
    """Read piece ``[ps, pe)`` as white space and one entry into row ``n`` of the outputs.

    Returns (white-space bytes before the entry, or -1 when the piece is not that; status).
    """
    k = ps
    while k < pe and (buf[k] == _ASCII_SPACE or 9 <= buf[k] <= 13):  # \s, ASCII part
        if buf[k] == 13:
            return -1, NEEDS_GENERAL
        k += 1
    entry = k
    # symbol: [A-Z][A-Z&]{0,11}(?:-[A-Z]{1,6})?
    if not (k < pe and _is_upper(buf[k])):
        return -1, 0
    k += 1
    stop = min(pe, k + 11)
    while k < stop and (_is_upper(buf[k]) or buf[k] == 38):
        if buf[k] == 38:
            return -1, NEEDS_GENERAL
        k += 1
    if k < pe and (_is_upper(buf[k]) or buf[k] == 38):
        return -1, 0
    if k < pe and buf[k] == 45:  # -
        k += 1
        first = k
        stop = min(pe, k + 6)
        while k < stop and _is_upper(buf[k]):
            k += 1
        if k == first or (k < pe and _is_upper(buf[k])):
            return -1, 0
    symbol_end = k
    lead_zero = k < pe and buf[k] == 48
    # price, then " {0,2}[▲▼] {0,2}"
    k, price, _, price_digits = _number(buf, k, pe, 15, False, pow10)
    if k < 0:
        return -1, 0
    price_end = k
    k = _skip_spaces(buf, k, pe, 2)
    if not (k + 2 < pe and buf[k] == 0xE2 and buf[k + 1] == 0x96):
        return -1, 0
    if buf[k + 2] == 0xB2:
        up = True
    elif buf[k + 2] == 0xBC:
        up = False
    else:
        return -1, 0
    k = _skip_spaces(buf, k + 3, pe, 2)
    change_start = k
    k, change, _, change_digits = _number(buf, k, pe, 15, True, pow10)
    if k < 0:
        return -1, 0
    change_end = k
    # " {0,2}\( ?" percent " ?% ?" and the end of the piece
    k = _skip_spaces(buf, k, pe, 2)
    if not (k < pe and buf[k] == 40):  # (
        return -1, 0
    k = _skip_spaces(buf, k + 1, pe, 1)
    percent_start = k
    k, percent, decimals, percent_digits = _number(buf, k, pe, 6, True, pow10)
    if k < 0:
        return -1, 0
    percent_end = k
    k = _skip_spaces(buf, k, pe, 1)
    if not (k < pe and buf[k] == 37):  # %
        return -1, 0
    k = _skip_spaces(buf, k + 1, pe, 1)
    if k != pe:
        return -1, 0
    numbers[0, n] = price
    numbers[1, n] = change
    numbers[2, n] = percent
    inexact = max(price_digits, change_digits, percent_digits) > 15
    fields[DECIMALS, n] = decimals
    fields[FLAGS, n] = FLAG_UP * up + FLAG_LEAD_ZERO * lead_zero + FLAG_INEXACT * inexact
    fields[SYMBOL_END, n] = symbol_end - entry
    fields[PRICE_END, n] = price_end - entry
    fields[CHANGE_START, n] = change_start - entry
    fields[CHANGE_END, n] = change_end - entry
    fields[PERCENT_START, n] = percent_start - entry
    fields[PERCENT_END, n] = percent_end - entry
    fields[ENTRY_END, n] = pe + 1 - entry
    return entry - ps, 0


@_jit
def _find(buf: npt.NDArray[np.uint8], byte: int, start: int) -> int:
    for k in range(start, len(buf)):
        if buf[k] == byte:
            return k
    return -1


def find(buf: npt.NDArray[np.uint8], byte: int, start: int) -> int:
    """The first index of ``byte`` in ``buf`` from ``start`` on, or -1."""
    return _find(buf, byte, start)


@_jit
def _measure(buf: npt.NDArray[np.uint8]) -> tuple[int, int]:
    pieces = 1
    characters = 0
    for x in buf:
        pieces += x == 41  # )
        characters += (x & 0xC0) != 0x80  # not a UTF-8 continuation byte
    return pieces, characters


def measure(buf: npt.NDArray[np.uint8]) -> tuple[int, int]:
    """(pieces, characters) of the UTF-8 bytes ``buf``: one more piece than ``)``."""
    return _measure(buf)


class Part(NamedTuple):
    """Where one part of the text starts: its first byte, character, piece and output row."""

    byte: int
    character: int
    piece: int
    row: int


class Scanned(NamedTuple):
    """What :func:`scan` found in one part.

    ``n`` entries were written to rows ``part.row`` on of the shared outputs, with their
    symbols packed in ``symbols`` (Arrow string data and offsets); ``rest`` (REST_AT ...
    REST_PIECE) holds the ``r`` pieces not read in its first columns. All offsets and
    piece numbers count from the start of the whole text.
    """

    status: int
    n: int
    r: int
    symbol_data: npt.NDArray[np.uint8]
    symbol_offsets: npt.NDArray[np.int64]
    rest: npt.NDArray[np.int64]


@_jit
def _scan(
    buf: npt.NDArray[np.uint8],
    pieces: int,
    byte_base: int,
    char_base: int,
    piece_base: int,
    row: int,
    is_last: bool,
    numbers: npt.NDArray[np.float64],
    positions: npt.NDArray[np.int64],
    fields: npt.NDArray[np.uint8],
    pow10: npt.NDArray[np.float64],
    rest_capacity: int,
) -> Any:
    size = len(buf)
    symbol_data = np.empty(size, dtype=np.uint8)
    symbol_offsets = np.empty(min(pieces, size // MIN_ENTRY_BYTES + 1) + 1, dtype=np.int64)
    symbol_offsets[0] = 0
    rest = np.empty((5, min(pieces, rest_capacity)), dtype=np.int64)
    n = row
    r = 0
    size = len(buf)
    ps = 0  # the piece's first byte
    chars = char_base  # characters before the piece
    piece = piece_base
    written = 0
    while True:
        pe = ps
        c = chars
        while pe < size and buf[pe] != 41:  # )
            c += (buf[pe] & 0xC0) != 0x80  # not a UTF-8 continuation byte
            pe += 1
        closed = pe < size or not is_last
        lead = -1
        if closed:
            lead, status = _read_piece(buf, ps, pe, n, numbers, fields, pow10)
            if status:
                return status, 0, 0, symbol_data, symbol_offsets, rest
        if lead >= 0:
            positions[START, n] = chars + lead
            positions[END, n] = c + 1
            positions[PIECE, n] = piece
            positions[AT, n] = byte_base + ps + lead
            first = ps + lead
            for k in range(first, first + fields[SYMBOL_END, n]):
                symbol_data[written] = buf[k]
                written += 1
            symbol_offsets[n - row + 1] = written
            n += 1
        else:
            if r == rest.shape[1]:
                return TOO_MUCH_JUNK, 0, 0, symbol_data, symbol_offsets, rest
            rest[REST_AT, r] = byte_base + ps
            rest[REST_END, r] = byte_base + pe
            rest[REST_START, r] = chars
            rest[REST_LENGTH, r] = c - chars
            rest[REST_PIECE, r] = piece
            r += 1
        piece += 1
        if pe >= size:
            break
        chars = c + 1
        ps = pe + 1
    return 0, n - row, r, symbol_data[:written], symbol_offsets[: n - row + 1], rest[:, :r]


def scan(
    buf: npt.NDArray[np.uint8],
    part: Part,
    pieces: int,
    *,
    is_last: bool,
    numbers: npt.NDArray[np.float64],
    positions: npt.NDArray[np.int64],
    fields: npt.NDArray[np.uint8],
) -> Scanned:
    """Scan the part ``buf`` (``pieces`` pieces) into the shared outputs from ``part.row``.

    ``numbers`` (price, change, percent), ``positions`` (START, END, PIECE, AT) and
    ``fields`` (DECIMALS ... ENTRY_END) have a column per piece of the whole text. Unless
    ``is_last``, ``buf`` ends just before a ``)`` that closes its last piece. A ``status``
    of NEEDS_GENERAL stops at once.
    """
    return Scanned(
        *_scan(
            buf,
            pieces,
            part.byte,
            part.character,
            part.piece,
            part.row,
            is_last,
            numbers,
            positions,
            fields,
            _POW10,
            REST_CAPACITY,
        )
    )


@_jit
def _gather(
    buf: npt.NDArray[np.uint8], starts: npt.NDArray[np.int64], ends: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.int64]]:
    offsets = np.empty(len(starts) + 1, dtype=np.int64)
    total = 0
    for i in range(len(starts)):
        offsets[i] = total
        total += ends[i] - starts[i]
    offsets[len(starts)] = total
    out = np.empty(total, dtype=np.uint8)
    k = 0
    for i in range(len(starts)):
        for j in range(starts[i], ends[i]):
            out[k] = buf[j]
            k += 1
    return out, offsets


def gather(
    buf: npt.NDArray[np.uint8], starts: npt.NDArray[np.int64], ends: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.int64]]:
    """The byte spans ``[starts, ends)`` of ``buf`` packed as Arrow string data + offsets."""
    return _gather(buf, starts, ends)
