"""DataFrames of quotes: the column schema, building frames, and ``read_ticker``.

Columns, in order: ``symbol, price, direction, change, percent, start, end,
expected_percent, issues``. Numbers are float64 by default (a float made on purpose: the
DataFrame path is for analysis at scale); ``exact=True`` gives ``Decimal`` objects built
from the displayed text instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import IO, Literal, overload

import numpy as np
import pandas as pd
import pyarrow as pa

from ticker_parse._utf8 import Utf8Text
from ticker_parse.models import Dialect, Direction, Quote
from ticker_parse.validate import bits_to_labels, expected_percent

__all__ = [
    "COLUMNS",
    "DIRECTION_CODE",
    "DIRECTION_DTYPE",
    "TEXT_DTYPE",
    "assemble_frame",
    "empty_frame",
    "frame_from_text",
    "quotes_to_frame",
    "read_ticker",
]

#: Column names in order.
COLUMNS: tuple[str, ...] = (
    "symbol",
    "price",
    "direction",
    "change",
    "percent",
    "start",
    "end",
    "expected_percent",
    "issues",
)
#: Arrow-backed strings: compact and fast for millions of rows.
TEXT_DTYPE = pd.StringDtype("pyarrow")
DIRECTION_DTYPE = pd.CategoricalDtype([d.value for d in Direction], ordered=False)
_NUMBER_COLUMNS = ("price", "change", "percent")

PathOrBuffer = str | os.PathLike[str] | IO[str]


def _text_array(
    values: pa.Array | pa.ChunkedArray | Sequence[str],
) -> pd.api.extensions.ExtensionArray:
    if isinstance(values, pa.ChunkedArray | pa.Array):
        values = values.cast(pa.large_string())
    else:
        values = list(values)
    array: pd.api.extensions.ExtensionArray = pd.array(values, dtype=TEXT_DTYPE)
    return array


#: ``exact=`` values: False (float64), True (``Decimal``), "text" (the displayed figure).
Exactness = bool | Literal["text"]


def _plain(text: str) -> str:
    """A displayed figure as a plain number: no thousands separators, no leading ``+``."""
    return text.replace(",", "").lstrip("+")


def _issue_strings(bits: np.ndarray) -> pd.api.extensions.ExtensionArray:
    labels, index = bits_to_labels(bits)
    encoded = pa.DictionaryArray.from_arrays(
        pa.array(index.astype(np.int32, copy=False)), pa.array(labels, type=pa.large_string())
    )
    return _text_array(encoded.dictionary_decode())


def _exact_column(texts: Iterable[str | None] | pa.Array, exact: Exactness) -> pd.Series:
    if isinstance(texts, pa.Array | pa.ChunkedArray):
        if exact == "text":  # the columnar path: already plain (no separators, no "+")
            return pd.Series(_text_array(texts))
        texts = texts.to_pylist()
    if exact == "text":
        return pd.Series(
            pd.array([_plain(t) if t is not None else None for t in texts], dtype=TEXT_DTYPE)
        )
    return pd.Series([Decimal(_plain(t)) if t is not None else None for t in texts], dtype=object)


def assemble_frame(
    *,
    symbol: pa.Array | pa.ChunkedArray | Sequence[str],
    direction: np.ndarray,
    price: np.ndarray,
    change: np.ndarray,
    percent: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    bits: np.ndarray,
    number_texts: dict[str, Sequence[str | None] | pa.Array] | None = None,
    exact: Exactness = False,
) -> pd.DataFrame:
    """The one place a quotes DataFrame is put together, whichever path made the columns.

    ``direction`` holds category codes (0 up, 1 down, 2 unchanged); ``bits`` issue bits
    (see ``validate.CODE_ORDER``); ``number_texts`` the displayed figures, used when ``exact``
    asks for ``Decimal`` (True) or text ("text") number columns.
    """
    columns: dict[str, object] = {
        "symbol": _text_array(symbol),
        "price": price,
        "direction": pd.Categorical.from_codes(direction, dtype=DIRECTION_DTYPE),
        "change": change,
        "percent": percent,
        "start": np.asarray(start, dtype=np.int64),
        "end": np.asarray(end, dtype=np.int64),
        "expected_percent": expected_percent(price, change),
        "issues": _issue_strings(bits),
    }
    if exact:
        if number_texts is None:
            raise ValueError("exact columns need the displayed figures")
        for name in _NUMBER_COLUMNS:
            columns[name] = _exact_column(number_texts[name], exact)
    # copy=False: the columns are fresh arrays made for this frame; copying them into
    # consolidated blocks would only double the peak memory of big conversions.
    return pd.DataFrame(columns, columns=list(COLUMNS), copy=False)


def empty_frame(*, exact: Exactness = False) -> pd.DataFrame:
    """A frame with no rows and exactly the dtypes a parse produces (Dask's ``meta``)."""
    empty_f = np.empty(0, dtype=np.float64)
    return assemble_frame(
        symbol=[],
        direction=np.empty(0, dtype=np.int8),
        price=empty_f,
        change=empty_f,
        percent=empty_f,
        start=np.empty(0, dtype=np.int64),
        end=np.empty(0, dtype=np.int64),
        bits=np.empty(0, dtype=np.uint16),
        number_texts={n: [] for n in _NUMBER_COLUMNS},
        exact=exact,
    )


#: Category codes of the ``direction`` column.
DIRECTION_CODE = {Direction.UP: 0, Direction.DOWN: 1, Direction.UNCHANGED: 2}


def quotes_to_frame(
    quotes: Sequence[Quote], *, exact: Exactness = False, drop_duplicates: bool = False
) -> pd.DataFrame:
    """One row per quote, in order (see the module doc for the columns)."""
    from ticker_parse.validate import CODE_ORDER

    bit_of = {code: 1 << i for i, code in enumerate(CODE_ORDER)}
    frame = assemble_frame(
        symbol=[q.symbol for q in quotes],
        direction=np.array([DIRECTION_CODE[q.direction] for q in quotes], dtype=np.int8),
        price=np.array([float(q.price) for q in quotes], dtype=np.float64),
        change=np.array([float(q.change) for q in quotes], dtype=np.float64),
        percent=np.array(
            [float(q.percent) if q.percent is not None else np.nan for q in quotes],
            dtype=np.float64,
        ),
        start=np.array([q.start for q in quotes], dtype=np.int64),
        end=np.array([q.end for q in quotes], dtype=np.int64),
        bits=np.array([sum(bit_of[i.code] for i in q.issues) for q in quotes], dtype=np.uint16),
        number_texts={
            "price": [format(q.price, "f") for q in quotes],
            "change": [format(q.change, "f") for q in quotes],
            "percent": [format(q.percent, "f") if q.percent is not None else None for q in quotes],
        }
        if exact
        else None,
        exact=exact,
    )
    return dedupe(frame) if drop_duplicates else frame


def dedupe(frame: pd.DataFrame, seen: set[str] | None = None) -> pd.DataFrame:
    """Drop rows whose five displayed fields repeat an earlier row (a strip shown twice).

    ``seen`` carries the rows already kept across the chunks of one input (the CLI).
    """
    fields = frame[["symbol", "price", "direction", "change", "percent"]].astype(str)
    key = fields.agg("|".join, axis=1) if len(frame) else pd.Series([], dtype=str)
    keep = ~key.duplicated()
    if seen is not None:
        keep &= ~key.isin(seen)
        seen.update(key[keep])
    return frame.loc[keep.to_numpy()].reset_index(drop=True)


def frame_from_text(
    text: str,
    *,
    dialect: Dialect | str | None = None,
    symbols: Iterable[str] | None = None,
    validate: bool = True,
    exact: Exactness = False,
    drop_duplicates: bool = False,
) -> pd.DataFrame:
    """Text to DataFrame: the columnar fast path where it applies, else ``parse()``.

    A pure function of its arguments, picklable, so that Dask can map it over files.
    """
    return _frame_from(
        text,
        dialect=dialect,
        symbols=symbols,
        validate=validate,
        exact=exact,
        drop_duplicates=drop_duplicates,
    )


def _frame_from(
    source: str | Utf8Text,
    *,
    dialect: Dialect | str | None,
    symbols: Iterable[str] | None,
    validate: bool,
    exact: Exactness,
    drop_duplicates: bool,
) -> pd.DataFrame:
    from ticker_parse._columnar import columnar_frame
    from ticker_parse.dialects import to_dialect
    from ticker_parse.parser import entries_frame

    forced = to_dialect(dialect)
    frame = None
    if forced in (None, Dialect.CONCATENATED):
        frame = columnar_frame(source, symbols=symbols, validate=validate, exact=exact)
    if frame is None:
        text = source.text if isinstance(source, Utf8Text) else source
        frame = entries_frame(text, dialect=forced, symbols=symbols, validate=validate, exact=exact)
    return dedupe(frame) if drop_duplicates else frame


def _read_all(path_or_buffer: PathOrBuffer, encoding: str) -> str | Utf8Text:
    if isinstance(path_or_buffer, str | os.PathLike):
        from ticker_parse._utf8 import utf8_from_blocks
        from ticker_parse.sources import iter_text_of

        return utf8_from_blocks(iter_text_of(os.fspath(path_or_buffer), encoding=encoding))
    if hasattr(path_or_buffer, "read"):
        from ticker_parse._utf8 import read_utf8

        return read_utf8(path_or_buffer)
    raise TypeError(
        f"read_ticker() takes a path or a text buffer, not {type(path_or_buffer).__name__}"
    )


@overload
def read_ticker(
    path_or_buffer: PathOrBuffer,
    *,
    dialect: Dialect | str | None = ...,
    symbols: Iterable[str] | None = ...,
    validate: bool = ...,
    exact: Exactness = ...,
    drop_duplicates: bool = ...,
    encoding: str = ...,
    chunksize: None = ...,
) -> pd.DataFrame: ...
@overload
def read_ticker(
    path_or_buffer: PathOrBuffer,
    *,
    dialect: Dialect | str | None = ...,
    symbols: Iterable[str] | None = ...,
    validate: bool = ...,
    exact: Exactness = ...,
    drop_duplicates: bool = ...,
    encoding: str = ...,
    chunksize: int,
) -> Iterator[pd.DataFrame]: ...
def read_ticker(
    path_or_buffer: PathOrBuffer,
    *,
    dialect: Dialect | str | None = None,
    symbols: Iterable[str] | None = None,
    validate: bool = True,
    exact: Exactness = False,
    drop_duplicates: bool = False,
    encoding: str = "utf-8",
    chunksize: int | None = None,
) -> pd.DataFrame | Iterator[pd.DataFrame]:
    """Read ticker text from a path or an open text buffer into a DataFrame.

    Like :func:`pandas.read_csv`: a path (``.gz``, ``.bz2``, ``.xz`` decompressed) or a
    text buffer; ``chunksize=N`` returns an iterator of frames of at most N rows, reading the
    input in blocks so memory stays flat. ``start``/``end`` always index the whole input.
    """
    if chunksize is not None:
        if not isinstance(chunksize, int) or chunksize < 1:
            raise ValueError("chunksize must be a positive integer")
        from ticker_parse.stream import iter_frames

        return iter_frames(
            path_or_buffer,
            chunksize=chunksize,
            dialect=dialect,
            symbols=symbols,
            validate=validate,
            exact=exact,
            encoding=encoding,
        )
    return _frame_from(
        _read_all(path_or_buffer, encoding),
        dialect=dialect,
        symbols=symbols,
        validate=validate,
        exact=exact,
        drop_duplicates=drop_duplicates,
    )
