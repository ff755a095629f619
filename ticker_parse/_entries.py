"""The columns an engine of the fast path hands over: one concatenated entry per row.

Both engines (the numba scanner in ``_scan_engine`` and the polars queries in
``_polars_engine``) return :class:`Entries`; ``_columnar`` turns them into the frame.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl
import pyarrow as pa

__all__ = ["Entries", "interleave", "string_array", "strip_numbers"]


def interleave(
    piece: npt.NDArray[np.int64], extra_piece: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Merge a few rows into many, both in piece order: the row order (rows of the few
    numbered after the many) and the merged piece numbers. Linear, no sort."""
    where = np.searchsorted(piece, extra_piece)
    order = np.insert(np.arange(len(piece)), where, len(piece) + np.arange(len(extra_piece)))
    return order, np.insert(piece, where, extra_piece)


def strip_numbers(
    breaks: npt.NDArray[np.int64], piece: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """Each entry's strip, numbered by the break pieces up to its own piece (a break piece
    that holds an entry starts that entry's strip)."""
    return np.searchsorted(breaks, piece, side="right").astype(np.int64)


def string_array(data: npt.NDArray[np.uint8], offsets: npt.NDArray[np.int64]) -> pa.Array:
    """An Arrow ``large_string`` array over packed UTF-8 ``data`` (no copy)."""
    return pa.Array.from_buffers(
        pa.large_string(), len(offsets) - 1, [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    )


@dataclass(frozen=True, eq=False)
class Entries:
    """One row per entry, in text order; figures as floats, ``texts`` as displayed.

    ``start``/``end`` are character offsets (``end`` past the closing ``)``); ``strip``
    numbers the strips (a new one after anything that is not an entry or white space);
    ``decimals`` counts the percent's decimals; ``lead_zero`` marks a price that starts
    with 0. ``texts`` (price, change and percent without a leading ``+``) only when asked.
    """

    #: Fields that say where rows are, not what they hold: ignored by :meth:`equals`.
    _ADDRESSES = ("byte_start", "byte_length")

    symbol: pa.Array | pa.ChunkedArray
    price: npt.NDArray[np.float64]
    change: npt.NDArray[np.float64]
    percent: npt.NDArray[np.float64]
    decimals: npt.NDArray[np.integer[Any]]
    up: npt.NDArray[np.bool_]
    lead_zero: npt.NDArray[np.bool_]
    start: npt.NDArray[np.int64]
    end: npt.NDArray[np.int64]
    strip: npt.NDArray[np.int64]
    texts: tuple[pa.Array | pa.ChunkedArray, ...] | None = None
    #: Where each entry lies in the UTF-8 bytes the scanner read (None from polars): lets
    #: the few rows read again be decoded alone, without decoding the whole text.
    byte_start: npt.NDArray[np.int64] | None = None
    byte_length: npt.NDArray[np.uint8] | None = None

    def __len__(self) -> int:
        return len(self.price)

    @classmethod
    def from_polars(cls, rows: pl.DataFrame, strip: npt.NDArray[np.int64]) -> Entries:
        """From the polars engine's columns (see ``_polars_engine._fields``)."""
        texts = None
        if "price_s" in rows.columns:
            texts = (
                _large(rows["price_s"].to_arrow()),
                _large(rows["change_s"].to_arrow()),
                _large(rows["percent_s"].to_arrow()),
            )
        return cls(
            symbol=_large(rows["symbol"].to_arrow()),
            # writable=True: these become the frame's columns, which callers may modify
            price=rows["price_f"].to_numpy(writable=True),
            change=rows["change_f"].to_numpy(writable=True),
            percent=rows["percent_f"].to_numpy(writable=True),
            decimals=rows["decimals"].to_numpy().astype(np.uint8),
            up=rows["up"].to_numpy().astype(bool),
            lead_zero=rows["lead_zero"].to_numpy().astype(bool),
            start=rows["start"].to_numpy(writable=True).astype(np.int64, copy=False),
            end=rows["end"].to_numpy(writable=True).astype(np.int64, copy=False),
            strip=strip,
            texts=texts,
        )

    @classmethod
    def concat(cls, parts: Sequence[Entries]) -> Entries:
        """The rows of ``parts`` one after another."""
        if len(parts) == 1:
            return parts[0]
        columns: dict[str, object] = {}
        for f in fields(cls):
            values = [getattr(p, f.name) for p in parts]
            if any(v is None for v in values):
                # all or nothing: a column some parts lack is dropped
                columns[f.name] = None
            elif f.name == "texts":
                columns[f.name] = tuple(_concat_arrow([v[i] for v in values]) for i in range(3))
            elif f.name == "symbol":
                columns[f.name] = _concat_arrow(values)
            else:
                columns[f.name] = np.concatenate(values)
        return cls(**columns)  # type: ignore[arg-type]

    def take(self, order: npt.NDArray[np.int64]) -> Entries:
        """The rows at ``order``."""
        columns: dict[str, object] = {}
        indices = pa.array(order)
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None:
                columns[f.name] = None
            elif f.name == "texts":
                columns[f.name] = tuple(v.take(indices) for v in value)
            elif f.name == "symbol":
                columns[f.name] = value.take(indices)
            else:
                columns[f.name] = value[order]
        return Entries(**columns)  # type: ignore[arg-type]

    def equals(self, other: Entries) -> bool:
        """Same rows, same values (NaN equal to NaN)."""
        for f in fields(self):
            if f.name in self._ADDRESSES:
                continue
            a, b = getattr(self, f.name), getattr(other, f.name)
            if f.name == "texts":
                if (a is None) != (b is None):
                    return False
                if a is not None and not all(
                    _chunked(x).equals(_chunked(y)) for x, y in zip(a, b, strict=True)
                ):
                    return False
            elif f.name == "symbol":
                if not _chunked(a).equals(_chunked(b)):
                    return False
            elif not np.array_equal(a, b, equal_nan=a.dtype.kind == "f"):
                return False
        return True


def _large(array: pa.Array | pa.ChunkedArray) -> pa.Array:
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    return array.cast(pa.large_string())


def _chunked(array: pa.Array | pa.ChunkedArray) -> pa.ChunkedArray:
    if isinstance(array, pa.ChunkedArray):
        return array
    return pa.chunked_array([array], type=array.type)


def _concat_arrow(arrays: Sequence[pa.Array | pa.ChunkedArray]) -> pa.ChunkedArray:
    chunks = [chunk for array in arrays for chunk in _chunked(array).chunks]
    return pa.chunked_array(chunks, type=pa.large_string())
