"""The fast path's numba engine: the text's UTF-8 bytes through :func:`_kernel.scan`.

The text is encoded once and cut after a ``)`` into one part per core; each part is
scanned in its own thread (the compiled loop releases the GIL). Pieces the scanner does not
read (junk, glued headlines, the text's unclosed tail) go, in one small polars frame,
through the same :func:`_polars_engine.rest_entries` the polars engine uses, and are
checked for marks of other dialects there; the scanner itself refuses the only two such
marks a piece it reads can hold (``&`` in a symbol, a carriage return). A text with more
than ``_kernel.REST_CAPACITY`` such pieces in a part is junk-heavy: it goes to the polars
engine, which works through it in bounded blocks.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import TypeVar

import numpy as np
import numpy.typing as npt
import polars as pl
import pyarrow as pa

from ticker_parse import _kernel as kernel
from ticker_parse import _polars_engine
from ticker_parse._entries import Entries, interleave, string_array, strip_numbers
from ticker_parse._utf8 import Utf8Text

__all__ = ["extract"]

_T = TypeVar("_T")

#: Threads, one per core; a part is never smaller than this many bytes.
_THREADS = max(1, min(8, os.cpu_count() or 1))
_MIN_PART = 1 << 20


def _parts(buf: npt.NDArray[np.uint8], parts: int) -> Iterator[tuple[int, int, bool]]:
    """``(start, end, is_last)`` byte ranges; each but the last ends just before a ``)``."""
    start = 0
    for k in range(1, parts):
        cut = kernel.find(buf, ord(")"), max(start, len(buf) * k // parts))
        if cut < 0:
            break
        yield start, cut, False
        start = cut + 1
    yield start, len(buf), True


def extract(
    text: str | Utf8Text, *, keep_text: bool = False, threads: int | None = None
) -> Entries | None:
    """The entries of ``text``, or None when it needs the general path."""
    if isinstance(text, Utf8Text):
        buf = text.data
    else:
        try:
            buf = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
        except UnicodeEncodeError:  # a lone surrogate: the general path reports it
            return None
    count = threads or max(1, min(_THREADS, len(buf) // _MIN_PART))
    ranges = list(_parts(buf, count))
    with ThreadPoolExecutor(len(ranges)) as pool:

        def each(function: Callable[[int], _T]) -> list[_T]:
            if len(ranges) == 1:
                return [function(0)]
            return list(pool.map(function, range(len(ranges))))

        # 1. pieces and characters per part, so every part knows where it starts
        sizes = each(lambda k: kernel.measure(buf[ranges[k][0] : ranges[k][1]]))
        pieces = [p for p, _ in sizes]
        # a part but the last ends at a ")", counted in neither part
        chars = [c + (not last) for (_, c), (_, _, last) in zip(sizes, ranges, strict=True)]
        # rows for as many entries as a part can hold: one per piece, or one per 10 bytes
        rows_for = [
            min(p, (r[1] - r[0]) // kernel.MIN_ENTRY_BYTES + 1)
            for p, r in zip(pieces, ranges, strict=True)
        ]
        starts = [
            kernel.Part(byte=r[0], character=c, piece=p, row=row)
            for r, c, p, row in zip(
                ranges, _running(chars), _running(pieces), _running(rows_for), strict=True
            )
        ]
        # 2. every part scanned into its own rows of shared outputs
        total = sum(rows_for)
        numbers = np.empty((3, total), dtype=np.float64)
        positions = np.empty((4, total), dtype=np.int64)
        fields = np.empty((kernel.FIELD_ROWS, total), dtype=np.uint8)
        results = each(
            lambda k: kernel.scan(
                buf[ranges[k][0] : ranges[k][1]],
                starts[k],
                pieces[k],
                is_last=ranges[k][2],
                numbers=numbers,
                positions=positions,
                fields=fields,
            )
        )
    if any(res.status == kernel.NEEDS_GENERAL for res in results):
        return None
    if any(res.status == kernel.TOO_MUCH_JUNK for res in results):
        return _polars_engine.extract(
            text.text if isinstance(text, Utf8Text) else text, keep_text=keep_text
        )
    # the parts' rows, closed up where a part had pieces that are not entries
    n = sum(res.n for res in results)
    rows: slice | npt.NDArray[np.int64] = slice(0, n)  # no gaps: views, no copy
    ends = [s.row + res.n for s, res in zip(starts, results, strict=True)]
    if any(end != s.row for end, s in zip(ends, starts[1:], strict=False)):
        rows = np.concatenate(
            [np.arange(s.row, s.row + res.n) for s, res in zip(starts, results, strict=True)]
        )
    return _combine(buf, numbers[:, rows], positions[:, rows], fields[:, rows], results, keep_text)


_WARM = False


def warm_up() -> None:
    """Compile (or load from numba's cache) every loop once, on a text that uses them all."""
    global _WARM
    if not _WARM:
        extract("AB1▲ 1 (1%)x)C2▼ -1 (-1%)", keep_text=True)
        _WARM = True


def _running(sizes: list[int]) -> list[int]:
    """Where each of consecutive ``sizes`` starts."""
    return [0, *itertools.accumulate(sizes)][:-1]


def _combine(
    buf: npt.NDArray[np.uint8],
    numbers: npt.NDArray[np.float64],
    positions: npt.NDArray[np.int64],
    fields: npt.NDArray[np.uint8],
    results: list[kernel.Scanned],
    keep_text: bool,
) -> Entries | None:
    """One :class:`Entries` from the scan, with the pieces not read read and merged."""
    at = positions[kernel.AT]
    spans = {row: fields[row].astype(np.int64) for row in _SPANS} if keep_text else {}
    flags = fields[kernel.FLAGS]
    symbol = pa.chunked_array(
        [string_array(res.symbol_data, res.symbol_offsets) for res in results],
        type=pa.large_string(),
    )
    entries = Entries(
        symbol=symbol,
        price=numbers[0],
        change=numbers[1],
        percent=numbers[2],
        decimals=fields[kernel.DECIMALS],
        up=(flags & kernel.FLAG_UP) != 0,
        lead_zero=(flags & kernel.FLAG_LEAD_ZERO) != 0,
        start=positions[kernel.START],
        end=positions[kernel.END],
        strip=np.broadcast_to(np.int64(0), len(at)),  # one strip until breaks say otherwise
        texts=_texts(buf, at, spans) if keep_text else None,
        byte_start=at,
        byte_length=fields[kernel.ENTRY_END],
    )
    inexact = np.flatnonzero(flags & kernel.FLAG_INEXACT)
    if len(inexact):
        _reread(buf, at, fields, inexact, entries)
    piece = positions[kernel.PIECE]

    rest = np.concatenate([res.rest for res in results], axis=1)
    rest_piece = rest[kernel.REST_PIECE]
    frame = _rest_frame(buf, rest)
    if _rest_needs_general(frame, rest_piece, total_pieces=int(rest_piece[-1]) + 1):
        return None
    found = _polars_engine.rest_entries(frame, is_last=True, keep_text=keep_text)
    breaks = rest_piece[found["breaks"].to_numpy()]
    is_entry = found["entry"].to_numpy()
    if is_entry.any():
        extra = _located(
            Entries.from_polars(
                found.filter(pl.col("entry")), np.zeros(int(is_entry.sum()), dtype=np.int64)
            ),
            frame.filter(pl.Series(is_entry)),
            rest[:, is_entry],
        )
        # the few entries found after junk go among the scanned ones, in piece order
        order, piece = interleave(piece, rest_piece[is_entry])
        entries = Entries.concat([entries, extra]).take(order)
    if len(breaks) and len(piece) and breaks[0] <= piece[-1]:  # else all in strip 0
        entries = replace(entries, strip=strip_numbers(breaks, piece))
    return entries


def _located(entries: Entries, pieces: pl.DataFrame, rest: npt.NDArray[np.int64]) -> Entries:
    """``entries`` found in ``pieces`` (one each), with their byte offsets."""
    prefixes = entries.start - rest[kernel.REST_START]
    byte_start = rest[kernel.REST_AT] + np.array(
        [
            len(text[:prefix].encode("utf-8"))
            for text, prefix in zip(pieces["rest"].to_list(), prefixes.tolist(), strict=True)
        ],
        dtype=np.int64,
    )
    # an entry ends its piece, and its ")" follows
    length = (rest[kernel.REST_END] + 1 - byte_start).astype(np.uint8)
    return replace(entries, byte_start=byte_start, byte_length=length)


_SPANS = (
    kernel.SYMBOL_END,
    kernel.PRICE_END,
    kernel.CHANGE_START,
    kernel.CHANGE_END,
    kernel.PERCENT_START,
    kernel.PERCENT_END,
)


def _texts(
    buf: npt.NDArray[np.uint8], at: npt.NDArray[np.int64], fields: dict[int, np.ndarray]
) -> tuple[pa.Array, pa.Array, pa.Array]:
    """Price, change and percent as displayed (change and percent without a leading +)."""
    price = string_array(
        *kernel.gather(buf, at + fields[kernel.SYMBOL_END], at + fields[kernel.PRICE_END])
    )
    spans = []
    for first, last in (
        (kernel.CHANGE_START, kernel.CHANGE_END),
        (kernel.PERCENT_START, kernel.PERCENT_END),
    ):
        start = at + fields[first]
        start += buf[start] == ord("+")
        spans.append(string_array(*kernel.gather(buf, start, at + fields[last])))
    return price, spans[0], spans[1]


def _reread(
    buf: npt.NDArray[np.uint8],
    at: npt.NDArray[np.int64],
    fields: npt.NDArray[np.uint8],
    rows: npt.NDArray[np.intp],
    entries: Entries,
) -> None:
    """Figures of more than 15 digits, read again from their text by ``float``."""
    spans = (
        (entries.price, kernel.SYMBOL_END, kernel.PRICE_END),
        (entries.change, kernel.CHANGE_START, kernel.CHANGE_END),
        (entries.percent, kernel.PERCENT_START, kernel.PERCENT_END),
    )
    for i in rows.tolist():
        for column, first, last in spans:
            column[i] = float(buf[at[i] + fields[first, i] : at[i] + fields[last, i]].tobytes())


def _rest_frame(buf: npt.NDArray[np.uint8], rest: npt.NDArray[np.int64]) -> pl.DataFrame:
    """The pieces not read, in the columns :func:`rest_entries` takes."""
    texts = string_array(*kernel.gather(buf, rest[kernel.REST_AT], rest[kernel.REST_END]))
    return pl.DataFrame(
        {
            "rest": pl.from_arrow(texts),
            "length": rest[kernel.REST_LENGTH],
            "piece_start": rest[kernel.REST_START],
        },
        schema={"rest": pl.String, "length": pl.Int64, "piece_start": pl.Int64},
    )


def _rest_needs_general(
    rest: pl.DataFrame, rest_piece: npt.NDArray[np.int64], *, total_pieces: int
) -> bool:
    """The general-path check on the pieces not read, each with the ``)`` around it.

    Together with the scanner's own refusals this equals the check on the whole text: a
    mark lies within one piece, except a percent-only line, which ends at its piece's
    closing ``)`` and starts at a line start, never at the start of a piece but the first.
    """
    if not len(rest):
        return False
    opening = np.where(rest_piece > 0, ")", "")
    closing = np.where(rest_piece < total_pieces - 1, ")", "")
    texts = pl.Series(opening) + rest["rest"] + pl.Series(closing)
    return _polars_engine.text_needs_general(texts)
