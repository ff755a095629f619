"""The columnar fast path: the concatenated dialect straight into columns, no per-row objects.

An engine reads the entries into :class:`_entries.Entries` (floats, offsets, strips): the
numba scanner (``_scan_engine``) for big texts (:func:`choose_engine`), polars queries
(``_polars_engine``) for smaller ones or where numba is missing. Checks then run on numpy
columns. Only the rare rows whose symbol may end in digits (``KSE100``,
``BOPR1``) go through the same Python resolver the records path uses, so both paths give the
same rows (``tests/test_frame.py`` and ``tests/test_kernel.py`` hold them to it).

The path applies only to text that needs no normalization and shows no mark of another
dialect (:data:`_patterns.FAST_NEEDS_GENERAL`); :func:`columnar_frame` returns None otherwise
and the caller takes the records path.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterable
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ticker_parse import _patterns, _polars_engine
from ticker_parse._entries import Entries
from ticker_parse._utf8 import Utf8Text
from ticker_parse.dialects import known_prefixes, resolve_by_convention, vote_conventions
from ticker_parse.frame import Exactness, assemble_frame
from ticker_parse.symbols import known_symbols
from ticker_parse.validate import check_columns, is_percent_consistent, percent_halfwidth

__all__ = [
    "SCAN_LOADED_MIN_CHARS",
    "SCAN_MIN_CHARS",
    "choose_engine",
    "columnar_frame",
    "load_scanner",
]

#: A text this long loads the numba scanner (numba's import and the compiled loop's load
#: take about 0.4 s once per process, and the first run on a machine compiles it in a few
#: seconds); polars takes about 0.1 s on such a text and the scanner a third of that, so
#: smaller jobs never pay for loading it.
SCAN_MIN_CHARS = 1 << 23
#: Once loaded (by a big text, a long stream, or :func:`load_scanner`), the scanner takes
#: every text of this many characters or more.
SCAN_LOADED_MIN_CHARS = 1 << 16

Engine = Literal["scan", "polars"]


def load_scanner() -> bool:
    """Load the compiled scanner now (on a new machine: compile it); False without numba.

    Big texts load it by themselves; call this at the start of a service or a benchmark so
    that no request pays for it, and so that mid-sized texts use it too.
    """
    try:
        scan_engine = importlib.import_module("ticker_parse._scan_engine")
    except ImportError:  # numba missing or broken
        return False
    scan_engine.warm_up()
    return True


def _scanner_loaded() -> bool:
    return sys.modules.get("ticker_parse._scan_engine") is not None


def choose_engine(length: int) -> Engine:
    """The engine for a text of ``length`` characters (see :data:`SCAN_MIN_CHARS`)."""
    if length >= SCAN_LOADED_MIN_CHARS and _scanner_loaded():
        return "scan"
    if length >= SCAN_MIN_CHARS and load_scanner():
        return "scan"
    return "polars"


def extract(
    text: str | Utf8Text, *, keep_text: bool = False, engine: Engine | None = None
) -> Entries | None:
    """The entries of ``text`` by ``engine`` (by default :func:`choose_engine`)."""
    if (engine or choose_engine(len(text))) == "scan":
        from ticker_parse import _scan_engine

        return _scan_engine.extract(text, keep_text=keep_text)
    return _polars_engine.extract(_as_str(text), keep_text=keep_text)


def _as_str(text: str | Utf8Text) -> str:
    return text.text if isinstance(text, Utf8Text) else text


def _entry_texts(text: str | Utf8Text, rows: Entries, index: np.ndarray) -> list[str]:
    """The text of the entries at ``index``; from UTF-8 bytes, only those entries decoded."""
    if isinstance(text, Utf8Text) and rows.byte_start is not None:
        assert rows.byte_length is not None
        data = text.data
        starts = rows.byte_start[index].tolist()
        lengths = rows.byte_length[index].tolist()
        return [
            data[a : a + n].tobytes().decode("utf-8") for a, n in zip(starts, lengths, strict=True)
        ]
    whole = _as_str(text)
    return [whole[a:b] for a, b in zip(rows.start[index], rows.end[index], strict=True)]


def _figure_texts(entry_texts: list[str]) -> list[tuple[str, str, str, str]]:
    """symbol, price, change and percent as displayed, read again from each entry's text.

    The engines keep only numbers (unless ``exact=``); the few rows whose split is in doubt
    get their text here with the records path's own pattern.
    """
    out = []
    for entry in entry_texts:
        m = _patterns.CONCATENATED.fullmatch(entry)
        if m is None:  # pragma: no cover - the fast pattern matched the same text
            raise AssertionError(f"entry {entry!r} does not match CONCATENATED")
        out.append(m.group("symbol", "price", "change", "percent"))
    return out


def columnar_frame(
    text: str | Utf8Text,
    *,
    symbols: Iterable[str] | None = None,
    validate: bool = True,
    exact: Exactness = False,
    engine: Engine | None = None,
) -> pd.DataFrame | None:
    """The quotes of ``text`` as a DataFrame, or None when the fast path does not apply."""
    rows = extract(text, keep_text=bool(exact), engine=engine)
    if rows is None:
        return None
    known = known_symbols(symbols)
    price, change, percent = rows.price, rows.change, rows.percent
    percent_hw = percent_halfwidth(rows.decimals)
    zeros = np.broadcast_to(0.0, len(rows))  # exact figures: no rounding, no memory

    # Each strip's convention, by majority, from the natural splits (as the records path).
    as_percent = is_percent_consistent(price, change, percent, zeros, zeros, percent_hw)
    as_fraction = is_percent_consistent(price, change, percent, zeros, zeros, percent_hw, scale=1.0)
    strip = rows.strip
    firsts = np.flatnonzero(np.concatenate(([len(strip) > 0], strip[1:] != strip[:-1])))
    is_fraction, natural_fits = vote_conventions(as_percent, as_fraction, firsts)

    # Rows whose split is in doubt go through the shared resolver.
    prefixes = list(known_prefixes(known))
    symbol = rows.symbol
    doubtful = ~natural_fits | rows.lead_zero
    if prefixes:
        doubtful |= pc.is_in(symbol, value_set=pa.array(prefixes, pa.large_string())).to_numpy(
            zero_copy_only=False
        )
    ambiguous = np.zeros(len(rows), dtype=bool)
    index = np.flatnonzero(doubtful)
    starts, ends = rows.start, rows.end
    texts = rows.texts
    if len(index):
        # the few doubtful rows' figures as text, read again from the entries themselves
        doubt_texts = _figure_texts(_entry_texts(text, rows, index))
        naturals = [(t[0], t[1]) for t in doubt_texts]
        changes = [t[2] for t in doubt_texts]
        percents = [t[3] for t in doubt_texts]
        splits = resolve_by_convention(naturals, changes, percents, is_fraction[index], known)
        new_symbols = [split.symbol for split in splits]
        new_prices = [split.price for split in splits]
        ambiguous[index] = [bool(split.alternatives) for split in splits]
        symbol = _scatter(symbol, index, new_symbols)
        price = price.copy()
        price[index] = np.array([float(p) for p in new_prices])
        if texts is not None:
            texts = (_scatter(texts[0], index, new_prices), texts[1], texts[2])

    direction_sign = np.where(rows.up, 1, -1).astype(np.int8)
    if validate:
        bits = check_columns(
            price,
            change,
            percent,
            zeros,
            zeros,
            percent_hw,
            direction_sign,
            ambiguous=ambiguous,
        )
    else:
        bits = np.zeros(len(rows), dtype=np.uint16)
    return assemble_frame(
        symbol=symbol,
        direction=np.where(direction_sign > 0, 0, 1).astype(np.int8),
        price=price,
        change=change,
        percent=percent,
        start=starts,
        end=ends,
        bits=bits,
        number_texts=None
        if texts is None
        else {"price": texts[0], "change": texts[1], "percent": texts[2]},
        exact=exact,
    )


def _scatter(array: pa.Array, index: np.ndarray, values: list[str]) -> pa.Array:
    """``array`` with ``values`` at ``index``."""
    mask = np.zeros(len(array), dtype=bool)
    mask[index] = True
    return pc.replace_with_mask(array, pa.array(mask), pa.array(values, array.type))
