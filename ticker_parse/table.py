"""The DataFrame of quotes: its schema, building it from checked columns, dedupe.

Columns, in order: ``symbol, price, direction, change, percent, start, end,
expected_percent, issues, strip, strip_id, source, captured_at``. Numbers are float64 by
default (a float made on purpose: the DataFrame path is for analysis at scale);
``exact="decimal"`` gives ``Decimal`` objects built from the displayed text,
``exact="text"`` the displayed figures as strings. Text columns use pandas' default ``str``
dtype.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ticker_parse.checks import Checked, bits_to_labels, check_entries, expected_percent
from ticker_parse.entries import Entries
from ticker_parse.errors import TickerArgumentError
from ticker_parse.grammar import PSX_INDICES
from ticker_parse.history import figures, strip_id_column, text_hashes
from ticker_parse.models import Direction

__all__ = [
    "COLUMNS",
    "DEDUPE_COLUMNS",
    "DIRECTION_DTYPE",
    "TEXT_DTYPE",
    "Exactness",
    "assemble_frame",
    "capture_time",
    "check_exact",
    "dedupe",
    "empty_frame",
    "repeated",
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
    "strip",
    "strip_id",
    "source",
    "captured_at",
)
#: pandas' own default for text (``str``: Arrow-backed where pyarrow is installed).
TEXT_DTYPE = pd.StringDtype("pyarrow", na_value=np.nan)
DIRECTION_DTYPE = pd.CategoricalDtype([d.value for d in Direction], ordered=False)
# pandas' hash of each direction's name, by direction code (strip ids hash the names)
_DIRECTION_HASHES = pd.util.hash_array(np.array(DIRECTION_DTYPE.categories, dtype=object))
CAPTURED_DTYPE = pd.DatetimeTZDtype("ns", "UTC")
#: The fields that make two rows the same quote: a strip shown twice on one page.
DEDUPE_COLUMNS: tuple[str, ...] = ("symbol", "price", "direction", "change", "percent")

#: ``exact=`` values: "float" (float64), "decimal" (``Decimal``), "text" (as displayed).
Exactness = Literal["float", "decimal", "text"]


def check_exact(exact: object) -> Exactness:
    """Check an ``exact=`` argument (``True``/``False`` still mean decimal/float)."""
    if exact is False:
        return "float"
    if exact is True:
        return "decimal"
    if exact in ("float", "decimal", "text"):
        return exact
    raise TickerArgumentError(f"exact= takes 'float', 'decimal' or 'text', not {exact!r}")


def _text(values: pa.Array | list[str | None]) -> pd.api.extensions.ExtensionArray:
    if isinstance(values, pa.Array | pa.ChunkedArray):
        values = values.cast(pa.large_string())
    array: pd.api.extensions.ExtensionArray = pd.array(values, dtype=TEXT_DTYPE)
    return array


def _plain(texts: pa.Array) -> pa.Array:
    """Displayed figures without thousands separators or a leading ``+``."""
    return pc.utf8_ltrim(pc.replace_substring(texts, ",", ""), "+")


def _exact_column(texts: pa.Array, exact: Exactness) -> object:
    plain = _plain(texts)
    if exact == "text":
        return _text(plain)
    return pd.Series(
        [None if t is None else Decimal(t) for t in plain.to_pylist()], dtype=object
    ).array


def _issue_strings(bits: npt.NDArray[np.uint16]) -> pd.api.extensions.ExtensionArray:
    labels, index = bits_to_labels(bits)
    decoded = pa.array(labels, pa.large_string()).take(pa.array(index))
    return _text(decoded)


def assemble_frame(
    checked: Checked,
    start: npt.NDArray[np.int64],
    end: npt.NDArray[np.int64],
    *,
    exact: Exactness = "float",
    source: str | pa.Array | None = None,
    captured_at: pd.Timestamp | pd.DatetimeIndex | None = None,
    strip_base: int = 0,
) -> pd.DataFrame:
    """The one place a quotes DataFrame is put together.

    ``start``/``end`` index the caller's text; ``strip_base`` numbers the strips of a block
    after those of the blocks before it. ``source`` and ``captured_at`` are one value for
    every row, or one per row (an Arrow array, a ``DatetimeIndex``).
    """
    entries = checked.entries
    n = len(entries)
    with np.errstate(invalid="ignore"):
        expected = expected_percent(checked.price, checked.change)
    symbol = _text(checked.symbol)
    direction = pd.Categorical.from_codes(entries.direction, dtype=DIRECTION_DTYPE)
    columns: dict[str, object] = {
        "symbol": symbol,
        "price": checked.price,
        "direction": direction,
        "change": checked.change,
        "percent": checked.percent,
        "start": np.asarray(start, dtype=np.int64),
        "end": np.asarray(end, dtype=np.int64),
        "expected_percent": expected,
        "issues": _issue_strings(checked.bits),
        "strip": entries.strip + strip_base,
        "strip_id": _text([]) if not n else None,
        "source": _text(
            source
            if isinstance(source, pa.Array)
            else pa.repeat(pa.scalar(source, pa.large_string()), n)
        ),
        "captured_at": _captured_column(captured_at, n),
    }
    if exact != "float":
        columns["price"] = _exact_column(checked.price_text, exact)
        columns["change"] = _exact_column(entries.change, exact)
        columns["percent"] = _exact_column(entries.percent, exact)
    if n:
        ids = strip_id_column(
            text_hashes(checked.names),
            figures(checked.price),
            figures(checked.change),
            figures(checked.percent),
            _DIRECTION_HASHES[entries.direction],
            entries.strip,
        )
        columns["strip_id"] = _text(ids)
    # copy=False: the columns are fresh arrays made for this frame; copying them into
    # consolidated blocks would only double the peak memory of big conversions.
    return pd.DataFrame(columns, columns=list(COLUMNS), copy=False)


def capture_time(value: object) -> pd.Timestamp | None:
    """A capture time as a UTC timestamp in nanoseconds (naive times are UTC), or None.

    Raises :class:`TickerArgumentError` for what is not a date and time, or one outside
    the years 1677-2262 that a nanosecond timestamp holds.
    """
    if value is None:
        return None
    try:
        stamp = pd.Timestamp(value)  # type: ignore[arg-type]
        if pd.isna(stamp):
            return None
        stamp = stamp.as_unit("ns")  # the unit of empty_frame()'s column
    except (TypeError, ValueError) as exc:  # OutOfBoundsDatetime is a ValueError
        raise TickerArgumentError(
            f"captured_at= takes a date and time (years 1677-2262), not {value!r}: {exc}"
        ) from None
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def _captured_column(
    captured_at: pd.Timestamp | pd.DatetimeIndex | None, n: int
) -> pd.DatetimeIndex:
    """Capture times in UTC: one per row, one for all rows, or NaT (unknown)."""
    if captured_at is None:
        return pd.DatetimeIndex(np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]"), tz="UTC")
    times = (
        captured_at
        if isinstance(captured_at, pd.DatetimeIndex)
        else pd.DatetimeIndex([captured_at]).repeat(n)
    )
    # one unit whatever the caller's times came from (a datetime gives microseconds)
    times = times.as_unit("ns")
    return times.tz_convert("UTC") if times.tz else times.tz_localize("UTC")


def empty_frame(*, exact: Exactness = "float") -> pd.DataFrame:
    """A frame with no rows and exactly the dtypes a parse produces (Dask's ``meta``)."""
    empty = np.empty(0, dtype=np.int64)
    return assemble_frame(check_entries(Entries.empty(), PSX_INDICES), empty, empty, exact=exact)


def repeated(
    frame: pd.DataFrame,
    *,
    within: npt.NDArray[np.int64] | None = None,
    seen: set[int] | None = None,
) -> npt.NDArray[np.bool_]:
    """Rows whose displayed fields repeat an earlier row's (a strip shown twice).

    Two rows are the same quote when symbol, direction and the *values* of price, change
    and percent are equal: ``61.8`` and ``61.80`` are one price (a float frame cannot tell
    them apart, so neither do the text and Decimal frames). Hashed with pandas' own
    ``hash_pandas_object``. ``within`` gives each row a group (a document) and compares rows
    of one group only; ``seen`` carries the hashes kept so far across the chunks of one
    input (and is updated).
    """
    if not len(frame):
        return np.zeros(0, dtype=bool)
    keys = frame[list(DEDUPE_COLUMNS)].copy()
    for name in ("price", "change", "percent"):
        if keys[name].dtype != np.float64:  # exact= text or Decimal: compare the values
            keys[name] = pd.to_numeric(keys[name], errors="coerce").astype(np.float64)
    keys["direction"] = keys["direction"].astype(str)
    if within is not None:
        keys["group"] = within
    hashes = pd.util.hash_pandas_object(keys, index=False)
    again: npt.NDArray[np.bool_] = hashes.duplicated().to_numpy(copy=True)
    if seen is not None:
        values = hashes.to_numpy()
        again |= np.isin(values, np.fromiter(seen, np.uint64, count=len(seen)))
        seen.update(values[~again].tolist())
    return again


def dedupe(frame: pd.DataFrame, seen: set[int] | None = None) -> pd.DataFrame:
    """``frame`` without the rows :func:`repeated` finds."""
    if not len(frame):
        return frame
    return frame.loc[~repeated(frame, seen=seen)].reset_index(drop=True)
