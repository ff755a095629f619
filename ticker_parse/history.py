"""Quotes over time: stable strip ids, stale strips, and one row per quote state.

Users keep months of captures. The same strip is printed on every article page of a day
(a strip beside an old article is the strip of the day it was *captured*), so a frame of
captures holds each strip many times. The functions here work on such quote frames (the
columns a parse produces plus ``strip``, ``strip_id``, ``source`` and ``captured_at``), on
whole columns, never row by row:

* :func:`strip_ids` -- a stable 16-hex-digit id per strip: same entries, same order, same id.
* :func:`stale_rows` -- Business Recorder's stale strips: every stock row ``No Change`` at
  yesterday's price while the index rows beside them have moved (issue :data:`STALE_ROW`).
* :func:`history` -- one row per symbol and run of one quote state, with when it was first
  and last seen, by how many captures and sources, and :data:`STALE_QUOTE` on states that a
  source kept showing into a later trading session while the rest of its strip moved on.

Trading days are dates in Pakistan time (``Asia/Karachi``) and the Pakistan Stock Exchange
trades Monday to Friday (``holidays=`` adds closures).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa

from ticker_parse import checks
from ticker_parse.entries import Names, string_column
from ticker_parse.errors import TickerParseError
from ticker_parse.grammar import PSX_INDICES

__all__ = [
    "HISTORY_COLUMNS",
    "PSX_TIMEZONE",
    "STALE_QUOTE",
    "STALE_ROW",
    "figures",
    "history",
    "stale_rows",
    "strip_id_column",
    "strip_ids",
    "text_hashes",
]

#: Issue code: a stock row of a stale strip (see :func:`stale_rows`).
STALE_ROW = "stale_row"
#: Issue code: a quote state carried into a later trading session (see :func:`history`).
STALE_QUOTE = "stale_quote"
#: The time zone whose calendar dates are trading days.
PSX_TIMEZONE = "Asia/Karachi"
#: Columns of :func:`history`'s frame, in order (extra input columns follow them).
HISTORY_COLUMNS: tuple[str, ...] = (
    "symbol",
    "price",
    "direction",
    "change",
    "percent",
    "first_seen",
    "last_seen",
    "captures",
    "sources",
    "issues",
)
#: The input columns a quote state is made of.
_STATE = ("price", "change", "percent", "direction")
#: Input columns :func:`history` consumes (every other column passes through).
_CONSUMED = ("symbol", *_STATE, "issues", "strip", "strip_id", "source", "captured_at")
_STRIP_KEY = ("strip", "source", "captured_at")
_NO_TIME = np.iinfo(np.int64).max  # sorts untimed rows after every timed one
_ALWAYS = np.iinfo(np.int64).min  # "since forever": contributes nothing to a count
_BASE_DECIMALS = 6  # previous closes (price - change) are compared rounded to this


def _require(frame: pd.DataFrame, columns: Iterable[str], caller: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise TickerParseError(f"{caller}() needs the column(s) {', '.join(missing)}")


def _floats(column: pd.Series) -> np.ndarray:
    """A figure column ready to hash (see :func:`figures`)."""
    return figures(column.to_numpy(dtype=np.float64, na_value=np.nan))


def figures(values: np.ndarray) -> np.ndarray:
    """Figures ready to hash: float64, ``-0.0`` as ``0.0``, every NaN the same NaN."""
    result: np.ndarray = np.asarray(values, dtype=np.float64) + 0.0
    result[np.isnan(result)] = np.nan
    return result


def _text_hashes(column: pd.Series) -> np.ndarray:
    """Per row, pandas' hash of the text (missing as ``""``), each distinct value hashed
    once (a ticker repeats a few hundred symbols): a categorical hashes like its values."""
    if column.isna().any():
        return pd.util.hash_array(_texts(column))
    if isinstance(column.dtype, pd.CategoricalDtype):
        return pd.util.hash_array(column.array)
    return text_hashes(pa.array(column.array))


def _combine(hashes: list[np.ndarray]) -> np.ndarray:
    """Row hashes from column hashes: pandas' rule in ``hash_pandas_object(frame,
    index=False)`` (CPython's tuple hash), without building the frame (a test holds the two
    equal)."""
    mult = np.uint64(1000003)
    out = np.zeros_like(hashes[0]) + np.uint64(0x345678)
    for i, column in enumerate(hashes):
        inverse = len(hashes) - i
        out ^= column
        out *= mult
        mult += np.uint64(82520 + inverse + inverse)
    out += np.uint64(97531)
    return out


def _texts(column: pd.Series) -> np.ndarray:
    """Python strings in an object array, missing values as ``""``."""
    return column.astype(object).where(column.notna(), "").astype(str).to_numpy(dtype=object)


def _group_codes(column: pd.Series, *, sort: bool = False) -> np.ndarray:
    codes, _ = pd.factorize(column, sort=sort, use_na_sentinel=False)
    return np.asarray(codes, dtype=np.int64)


def _strip_codes(frame: pd.DataFrame) -> np.ndarray:
    """A group number per row: one per strip.

    A strip is the rows sharing ``strip`` and, when the frame has those columns, ``source``
    and ``captured_at`` too: frames of separately parsed pages (each numbering its strips
    from 0) can be concatenated without their strips running together.
    """
    keys = [c for c in _STRIP_KEY if c in frame.columns]
    if len(keys) == 1:
        return _group_codes(frame["strip"])
    codes = frame.groupby(keys, sort=False, dropna=False, observed=True).ngroup()
    return codes.to_numpy(dtype=np.int64)


def _same(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Element-wise equality that counts NaN equal to NaN."""
    equal: np.ndarray = a == b
    if a.dtype.kind == "f":
        equal |= np.isnan(a) & np.isnan(b)
    return equal


def _run_starts(keys: list[np.ndarray]) -> np.ndarray:
    """True where a row (in the given order) differs from the row before in any key."""
    n = len(keys[0])
    starts = np.ones(n, dtype=bool)
    if n > 1:
        differs = np.zeros(n - 1, dtype=bool)
        for key in keys:
            differs |= ~_same(key[1:], key[:-1])
        starts[1:] = differs
    return starts


def _hex16_column(values: np.ndarray, rows: np.ndarray) -> pa.Array:
    """``values[rows]`` (uint64) as an Arrow column of 16 lowercase hex digits (big-endian):
    each value's digits made once, copied to its rows by numpy; no Python object per row."""
    digits = np.asarray(values, dtype=">u8").tobytes().hex().encode("ascii")
    text = np.frombuffer(digits, dtype="V16").take(rows).view(np.uint8)
    return string_column(text, np.arange(0, 16 * len(rows) + 1, 16, dtype=np.int64))


def _positions(group: np.ndarray) -> np.ndarray:
    """Each row's position within its group (0, 1, ...), in row order."""
    if len(group) > 1 and np.all(group[1:] >= group[:-1]):  # strips in order: arithmetic
        new = _run_starts([group])
        starts = np.flatnonzero(new)
        in_order: np.ndarray = (np.arange(len(group)) - starts[np.cumsum(new) - 1]).astype(
            np.uint64
        )
        return in_order
    positions: np.ndarray = (
        pd.Series(group).groupby(group, sort=False).cumcount().to_numpy(np.uint64)
    )
    return positions


def strip_ids(frame: pd.DataFrame, *, group: np.ndarray | None = None) -> pd.Series:
    """The id of each row's strip: 16 lowercase hex digits, equal for equal strips.

    A strip is the rows sharing one ``strip`` number (and ``source`` and ``captured_at``
    when the frame has them, so that frames of separately parsed pages can be
    concatenated). Its id depends only on its entries
    (``symbol, price, change, percent, direction``) and their order within the strip, so the
    same strip captured on many pages, in any frame, on any machine, gets the same id.

    The recipe (pinned by a test: changing it changes every stored id):

    1. each row is hashed with ``pandas.util.hash_pandas_object`` (``index=False``) over its
       symbol (str), price, change, percent (float64; ``-0.0`` as ``0.0``, one NaN),
       direction (str, missing as ``""``) and its position within its strip (uint64);
    2. a strip's row hashes are summed modulo 2**64 (the position in each row hash makes
       the sum depend on the order);
    3. the sum and the strip's row count are hashed together the same way, and the result is
       written as 16 hex digits, most significant first.

    ``pandas`` hashes with a fixed key (SipHash for text), never with Python's salted
    ``hash()``; the ids are stable across runs and machines for a given ``pandas`` release.

    ``group`` may pass in the strip number of each row (0, 1, ...) when the caller knows it
    (one parsed text: ``strip`` alone identifies a strip), saving the grouping.
    """
    _require(frame, ("symbol", "price", "change", "percent", "direction", "strip"), "strip_ids")
    n = len(frame)
    if n == 0:
        return pd.Series([], index=frame.index, name="strip_id", dtype=pd.StringDtype("pyarrow"))
    if group is None:
        group = _strip_codes(frame)
    ids = strip_id_column(
        _text_hashes(frame["symbol"]),
        _floats(frame["price"]),
        _floats(frame["change"]),
        _floats(frame["percent"]),
        _text_hashes(frame["direction"]),
        group,
    )
    return pd.Series(
        pd.array(ids, dtype=pd.StringDtype("pyarrow")), index=frame.index, name="strip_id"
    )


def strip_id_column(
    symbol_hash: np.ndarray,
    price: np.ndarray,
    change: np.ndarray,
    percent: np.ndarray,
    direction_hash: np.ndarray,
    group: np.ndarray,
) -> pa.Array:
    """:func:`strip_ids` on columns: pandas' hashes of each row's symbol and direction,
    its figures (float64, ``-0.0`` as ``0.0``, one NaN) and its strip's group number."""
    n = len(group)
    row_hash = _combine(
        [
            symbol_hash,
            pd.util.hash_array(price),
            pd.util.hash_array(change),
            pd.util.hash_array(percent),
            direction_hash,
            pd.util.hash_array(_positions(group)),
        ]
    )
    order = np.argsort(group, kind="stable")
    sorted_group = group[order]
    starts = np.flatnonzero(_run_starts([sorted_group]))
    sums = np.add.reduceat(row_hash[order], starts, dtype=np.uint64)
    counts = np.diff(np.append(starts, n)).astype(np.uint64)
    strip_hash = _combine([pd.util.hash_array(sums), pd.util.hash_array(counts)])
    # group codes are 0..k-1 and sorted_group[starts] lists them in order 0..k-1
    by_code = np.empty(len(starts), dtype=np.uint64)
    by_code[sorted_group[starts]] = strip_hash
    return _hex16_column(by_code, group)  # a strip's digits made once, not once a row


def text_hashes(values: pa.Array | Names) -> np.ndarray:
    """pandas' hash of each string of an Arrow column without nulls (or of its
    :class:`~ticker_parse.entries.Names`), each distinct one hashed once."""
    names = values if isinstance(values, Names) else Names.of(values)
    distinct = np.asarray(names.distinct.to_pylist(), dtype=object)
    # the values are distinct: pandas' default of factorizing them first (the same hashes)
    # cost 0.3 ms a call, 13 times the hashing, on a page's few dozen symbols
    hashes: np.ndarray = pd.util.hash_array(distinct, categorize=False)[names.codes]
    return hashes


def stale_rows(
    frame: pd.DataFrame,
    *,
    indices: frozenset[str] = PSX_INDICES,
    min_stocks: int = 5,
    min_moved_indices: int = 1,
) -> np.ndarray:
    """True for each stock row of a stale strip (issue code :data:`STALE_ROW`).

    Business Recorder sometimes prints every stock row as ``No Change ▼ 0.00 (0%)`` at
    yesterday's price while the index rows beside them have moved. A strip (the rows
    sharing ``strip``, ``source`` and ``captured_at``) is stale when

    * it has at least ``min_stocks`` stock rows (rows whose ``symbol`` is not in
      ``indices``), and *every* one of them shows ``change == 0``, and
    * at least ``min_moved_indices`` of its index rows show a ``change`` other than 0 (NaN
      is not a move).

    Only the stock rows of stale strips are flagged; index rows never are. A strip without
    index rows is never stale (nothing shows that the market moved). Returns a bool array
    aligned with the frame's rows.
    """
    _require(frame, ("symbol", "change", "strip"), "stale_rows")
    if len(frame) == 0:
        return np.zeros(0, dtype=bool)
    return checks.stale_rows(
        _strip_codes(frame),
        frame["symbol"].isin(indices).to_numpy(dtype=bool, na_value=False),
        _floats(frame["change"]),
        min_stocks=min_stocks,
        min_moved_indices=min_moved_indices,
    )


def _utc(column: pd.Series) -> pd.Series:
    """``captured_at`` as tz-aware UTC nanoseconds (naive times are taken to be UTC)."""
    times: pd.Series = (
        column if isinstance(column.dtype, pd.DatetimeTZDtype) else pd.to_datetime(column, utc=True)
    )
    utc: pd.Series = times.dt.tz_convert("UTC").dt.as_unit("ns")
    return utc


def _count_at_most(
    event_group: np.ndarray,
    event_value: np.ndarray,
    query_group: np.ndarray,
    query_value: np.ndarray,
) -> np.ndarray:
    """For each query, how many events of its group have ``value <= query value``.

    One sort of events and queries together by (group, value, events first); a running
    count of events, less the count before the group began, answers every query at once.
    """
    n_events = len(event_group)
    group = np.concatenate([event_group, query_group])
    value = np.concatenate([event_value, query_value])
    is_query = np.concatenate(
        [np.zeros(n_events, dtype=np.int8), np.ones(len(query_group), dtype=np.int8)]
    )
    order = np.lexsort((is_query, value, group))
    is_event = is_query[order] == 0
    running = np.cumsum(is_event)
    group_sorted = group[order]
    first = _run_starts([group_sorted])
    before_group = np.where(first, running - is_event, 0)
    before_group = np.maximum.accumulate(before_group)  # running counts never decrease
    counts = running - before_group
    answer = np.empty(len(query_group), dtype=np.int64)
    query_positions = order >= n_events
    answer[order[query_positions] - n_events] = counts[query_positions]
    return answer


def _issue_matrix(issues: pd.Series) -> tuple[np.ndarray, list[str]]:
    """One bool column per issue code (codes in order of first appearance), one row per row."""
    text = issues.astype(object).where(issues.notna(), "")
    codes, uniques = pd.factorize(text)
    vocabulary: list[str] = []
    split = [[c.strip() for c in str(u).split(";") if c.strip()] for u in uniques]
    for parts in split:  # one pass over the distinct issue strings, not over rows
        vocabulary.extend(c for c in parts if c not in vocabulary)
    for code in (STALE_ROW, STALE_QUOTE):
        if code not in vocabulary:
            vocabulary.append(code)
    column = {code: j for j, code in enumerate(vocabulary)}
    unique_matrix = np.zeros((len(uniques), len(vocabulary)), dtype=bool)
    for i, parts in enumerate(split):
        unique_matrix[i, [column[c] for c in parts]] = True
    return unique_matrix[codes], vocabulary


def _issue_labels(matrix: np.ndarray, vocabulary: list[str]) -> pd.api.extensions.ExtensionArray:
    """Rows of an issue matrix as ``;``-joined codes (one join per distinct combination)."""
    if len(matrix) == 0:
        return pd.array([], dtype=pd.StringDtype("pyarrow"))
    combos, inverse = np.unique(matrix, axis=0, return_inverse=True)
    labels = np.array(
        [";".join(vocabulary[j] for j in np.flatnonzero(row)) for row in combos], dtype=object
    )
    return pd.array(labels[inverse.reshape(-1)], dtype=pd.StringDtype("pyarrow"))


def _empty_history(frame: pd.DataFrame, extra: list[str]) -> pd.DataFrame:
    out = pd.DataFrame(
        {
            "symbol": frame["symbol"].iloc[:0].reset_index(drop=True),
            "price": frame["price"].iloc[:0].reset_index(drop=True),
            "direction": frame["direction"].iloc[:0].reset_index(drop=True),
            "change": frame["change"].iloc[:0].reset_index(drop=True),
            "percent": frame["percent"].iloc[:0].reset_index(drop=True),
            "first_seen": pd.Series([], dtype="datetime64[ns, UTC]"),
            "last_seen": pd.Series([], dtype="datetime64[ns, UTC]"),
            "captures": pd.Series([], dtype=np.int64),
            "sources": pd.Series([], dtype=np.int64),
            "issues": pd.Series([], dtype=pd.StringDtype("pyarrow")),
        }
    )
    for name in extra:
        out[name] = frame[name].iloc[:0].reset_index(drop=True)
    return out


def history(
    frame: pd.DataFrame,
    *,
    stale_days: int = 1,
    min_moved_fraction: float = 0.5,
    indices: frozenset[str] = PSX_INDICES,
    holidays: Iterable[date | str] = (),
) -> pd.DataFrame:
    """One row per symbol and run of one quote state, in time order per symbol.

    A *quote state* is ``(price, change, percent, direction)`` of one symbol (NaN equals
    NaN). Each symbol's rows are put in time order (``captured_at``; ties and rows with an
    unknown time keep their input order; rows whose ``captured_at`` is NaT come after every
    timed row of their symbol) and consecutive rows with the same state make one *run*, one
    output row. A state that comes back after a different one starts a new run: A, B, A
    gives three rows. Output rows are sorted by symbol, then run order.

    Columns: ``symbol, price, direction, change, percent`` (the state), ``first_seen`` and
    ``last_seen`` (earliest and latest timed ``captured_at`` of the run, UTC; NaT when the
    run has no timed row), ``captures`` (rows in the run: every page counts),
    ``sources`` (distinct ``source`` values), ``issues`` (the union of the ``;``-joined
    codes of the run's rows, in order of first appearance in the frame, plus
    :data:`STALE_ROW` when a row of the run is flagged by :func:`stale_rows` with
    ``indices``, plus :data:`STALE_QUOTE`, last, under the rule below). Columns other than
    ``symbol, price, change, percent, direction, issues, strip, strip_id, source,
    captured_at`` pass through with the value of the run's first row.

    **STALE_QUOTE.** A run is flagged when one of its rows, *r*, in strip *S* (the rows
    sharing *r*'s ``strip``, ``source`` and ``captured_at``), meets all of:

    1. *r* shows ``change != 0`` (not NaN). An honest stock that does not trade keeps its
       price, but on the next session its change is measured from a close equal to that
       price and becomes 0: its state changes from (p, c) to (p, 0). A repeated state with
       change 0 is a flat stock and is never stale.
    2. At least ``stale_days`` trading days passed between the run's first row (time *T0*)
       and *r*: ``numpy.busday_count(d0 + 1 day, d + 1 day, holidays=holidays) >=
       stale_days``, with *d0*, *d* the dates of *T0* and of *r* in Pakistan time
       (``Asia/Karachi``) and Monday-Friday trading days, i.e. the trading days in
       (d0, d]. Friday's strip seen again on Saturday or Sunday: 0 days passed.
    3. The rest of *S* moved on since *T0*: of *S*'s rows of other symbols (the
       denominator), at least ``min_moved_fraction`` *moved*. A row of symbol Y moved when
       Y was seen at or before *T0* and the row's *previous-close run* started after *T0*:
       the consecutive rows of Y (in the time order above) showing the same previous close
       ``price - change`` (rounded to 6 decimals) as this row began after *T0*, so Y showed
       another previous close at *T0*. A previous close only changes when a new session
       starts, so a strip of the same session (or yesterday's closing strip shown before
       today's open) does not count as moved, even if captured days later or if the
       capture of yesterday's close was missed; a mere change of state is not enough.

    In words: the state was carried into a later trading session while the symbols beside
    it in the same strip show that session's quotes. Rows with NaT ``captured_at`` are
    never *r* and never count as moved.

    Honest captures are not flagged except for one coincidence: a stock whose last capture
    of a day shows (p, c), that then closes exactly at its previous close with no capture
    of that, and whose first capture of the next session shows exactly p again.

    ``stale_days`` must be at least 1 and ``min_moved_fraction`` in (0, 1].
    """
    _require(frame, ("symbol", *_STATE, "strip", "source", "captured_at"), "history")
    if stale_days < 1:
        raise TickerParseError(f"stale_days must be at least 1, not {stale_days}")
    if not 0 < min_moved_fraction <= 1:
        raise TickerParseError(f"min_moved_fraction must be in (0, 1], not {min_moved_fraction}")
    extra = [c for c in frame.columns if c not in _CONSUMED]
    n = len(frame)
    if n == 0:
        return _empty_history(frame, extra)

    times = _utc(frame["captured_at"])
    timed = times.notna().to_numpy(dtype=bool)
    nanos = times.dt.tz_localize(None).to_numpy(dtype="datetime64[ns]").view(np.int64)
    time_key = np.where(timed, nanos, _NO_TIME)
    local = times.dt.tz_convert(PSX_TIMEZONE).dt.tz_localize(None)
    day = local.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")

    symbol_code = _group_codes(frame["symbol"], sort=True)
    order = np.lexsort((np.arange(n), time_key, symbol_code))
    symbol_s = symbol_code[order]
    price_s = _floats(frame["price"])[order]
    change_s = _floats(frame["change"])[order]
    percent_s = _floats(frame["percent"])[order]
    direction_s = _group_codes(frame["direction"])[order]
    time_s = time_key[order]
    timed_s = timed[order]
    day_s = day[order]
    positions = np.arange(n)

    # runs of one state
    new_run = _run_starts([symbol_s, price_s, change_s, percent_s, direction_s])
    run = np.cumsum(new_run) - 1
    run_first = np.flatnonzero(new_run)
    n_runs = len(run_first)
    row_run_first = run_first[run]  # sorted position of each row's run start

    # runs of one previous close: a new one starts with each session a symbol shows
    base_s = np.round(price_s - change_s, _BASE_DECIMALS)
    new_base = _run_starts([symbol_s, base_s])
    base_first = np.maximum.accumulate(np.where(new_base, positions, 0))
    symbol_first = np.maximum.accumulate(np.where(_run_starts([symbol_s]), positions, 0))

    # STALE_QUOTE candidates: rule 1 and 2
    t0 = time_s[row_run_first]
    candidate = timed_s & (t0 != _NO_TIME) & (change_s != 0) & ~np.isnan(change_s)
    where = np.flatnonzero(candidate)
    passed = np.busday_count(
        day_s[row_run_first[where]] + np.timedelta64(1, "D"),
        day_s[where] + np.timedelta64(1, "D"),
        holidays=np.asarray(list(holidays), dtype="datetime64[D]"),
    )
    where = where[passed >= stale_days]

    stale_quote_run = np.zeros(n_runs, dtype=bool)
    if len(where):
        # rule 3: rows of the strip that moved to a later previous close since T0
        strip_s = _strip_codes(frame)[order]
        first_seen_y = np.where(timed_s, time_s[symbol_first], _ALWAYS)
        base_since_y = np.where(timed_s, time_s[base_first], _ALWAYS)
        moved = _count_at_most(strip_s, first_seen_y, strip_s[where], t0[where])
        moved -= _count_at_most(strip_s, base_since_y, strip_s[where], t0[where])
        strip_rows = np.bincount(strip_s)
        pair = strip_s * (int(symbol_s.max()) + 1) + symbol_s
        _, pair_code, pair_rows = np.unique(pair, return_inverse=True, return_counts=True)
        same_symbol = pair_rows[pair_code.reshape(-1)]
        others = strip_rows[strip_s[where]] - same_symbol[where]
        moved = np.minimum(moved, others)
        hit = (others > 0) & (moved >= min_moved_fraction * others)
        stale_quote_run[run[where[hit]]] = True

    # issues: union per run
    if "issues" in frame.columns:
        row_issues, vocabulary = _issue_matrix(frame["issues"])
    else:
        row_issues, vocabulary = _issue_matrix(pd.Series([""] * n))
    row_issues = row_issues[order]
    row_issues[:, vocabulary.index(STALE_ROW)] |= stale_rows(frame, indices=indices)[order]
    run_issues = np.logical_or.reduceat(row_issues, run_first, axis=0)
    run_issues[:, vocabulary.index(STALE_QUOTE)] |= stale_quote_run

    last_timed = np.maximum.reduceat(np.where(timed_s, time_s, _ALWAYS), run_first)
    first_timed = time_s[run_first]
    first_seen = pd.to_datetime(
        np.where(first_timed == _NO_TIME, np.iinfo(np.int64).min, first_timed), utc=True
    )
    last_seen = pd.to_datetime(last_timed, utc=True)
    take = order[run_first]
    out = pd.DataFrame(
        {
            "symbol": frame["symbol"].iloc[take].reset_index(drop=True),
            "price": frame["price"].iloc[take].reset_index(drop=True),
            "direction": frame["direction"].iloc[take].reset_index(drop=True),
            "change": frame["change"].iloc[take].reset_index(drop=True),
            "percent": frame["percent"].iloc[take].reset_index(drop=True),
            "first_seen": pd.Series(first_seen).dt.as_unit("ns"),
            "last_seen": pd.Series(last_seen).dt.as_unit("ns"),
            "captures": np.diff(np.append(run_first, n)).astype(np.int64),
            "sources": frame["source"]
            .iloc[order]
            .reset_index(drop=True)
            .groupby(run, sort=True)
            .nunique()
            .to_numpy(dtype=np.int64),
            "issues": _issue_labels(run_issues, vocabulary),
        }
    )
    for name in extra:
        out[name] = frame[name].iloc[take].reset_index(drop=True)
    return out
