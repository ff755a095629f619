"""Checks on whole columns: strip conventions, symbol splits, percent checks; codes out.

Every figure on a strip is rounded for display, so a percent is judged against the *range*
of values the displayed price and change allow: it is consistent when some true price and
change that round to the displayed ones give a percent that rounds to the displayed one.

The checks work on whole numpy columns; the records path (``parse``) and the DataFrame path
(``read_ticker``) both call :func:`check_columns`, so they cannot disagree. Floats are used
on purpose here: the displayed figures stay exact ``Decimal`` in the records, and every
comparison allows a relative slack of 1e-9 so that float rounding can only ever *excuse* a
figure, never flag an honest one (a tie exactly at ...5 is accepted either way).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from ticker_parse.entries import (
    DIALECT_ORDER,
    UNCHANGED,
    Entries,
    Names,
    bool_column,
    figure_shapes,
    run_numbers,
    string_column,
    utf8_buffers,
)
from ticker_parse.grammar import PSX_INDICES
from ticker_parse.models import Dialect, IssueCode

__all__ = [
    "CODE_ORDER",
    "Checked",
    "bits_to_codes",
    "bits_to_labels",
    "check_columns",
    "check_entries",
    "check_settled",
    "expected_percent",
    "is_percent_consistent",
    "percent_halfwidth",
    "pow10",
    "settle_entries",
]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
BitArray = npt.NDArray[np.uint16]

#: The order codes are listed in, and the bit each one sets in a flags column.
CODE_ORDER: tuple[IssueCode, ...] = (
    IssueCode.NONPOSITIVE_PREVIOUS_CLOSE,
    IssueCode.DIRECTION_MISMATCH,
    IssueCode.PERCENT_AS_FRACTION,
    IssueCode.PERCENT_SIGN,
    IssueCode.PERCENT_OF_PRICE,
    IssueCode.PERCENT_MISMATCH,
    IssueCode.AMBIGUOUS_SYMBOL,
    IssueCode.STALE_ROW,
)
_BIT = {code: np.uint16(1 << i) for i, code in enumerate(CODE_ORDER)}

_REL_SLACK = 1e-9


#: Powers of ten a column's figures need (decimals, digits moved), looked up: ``np.power``
#: over a block's column costs 2 ms, the lookup 0.1.
_POW10_LIMIT = 40
_POW10 = np.power(10.0, np.arange(-_POW10_LIMIT, _POW10_LIMIT + 1, dtype=np.float64))


def pow10(exponent: npt.NDArray[np.integer[Any]]) -> FloatArray:
    """``np.power(10.0, exponent)`` for integers (a column, or one: the same floats)."""
    exponent = np.asarray(exponent, dtype=np.int64)
    if exponent.size and (exponent.min() < -_POW10_LIMIT or exponent.max() > _POW10_LIMIT):
        result: FloatArray = np.power(10.0, exponent.astype(np.float64))
        return result
    looked_up: FloatArray = _POW10[exponent + _POW10_LIMIT]
    return looked_up


def percent_halfwidth(decimals: npt.NDArray[np.integer[Any]]) -> FloatArray:
    """Half the rounding step of a displayed percent with ``decimals`` decimals.

    Every site we know rounds percents to 2 decimals; Business Recorder then drops trailing
    zeros, so ``(2.1%)`` is 2.10% and ``(0%)`` is 0.00% (seeds/br_intraday_2024-03-28.txt).
    A figure shown with fewer than 2 decimals is therefore still judged at 2.
    """
    exponent = -np.maximum(decimals, 2).astype(np.int64)  # any integer dtype, even unsigned
    result: FloatArray = 0.5 * pow10(exponent)
    return result


#: Rows checked at a time: the checks' scratch columns (a dozen floats a row) stay a few
#: MB however long the input; the result is the same as in one go.
_CHUNK = 1 << 16


def _in_chunks(
    check: Callable[..., npt.NDArray[Any]],
    dtype: type[np.generic],
    columns: tuple[npt.NDArray[Any], ...],
    options: dict[str, Any],
) -> npt.NDArray[Any]:
    """``check`` over consecutive slices of ``columns`` (and of array ``options``)."""
    n = len(columns[0])
    out = np.empty(n, dtype=dtype)
    for first in range(0, n, _CHUNK):
        rows = slice(first, first + _CHUNK)
        out[rows] = check(
            *(column[rows] for column in columns),
            **{k: v[rows] if isinstance(v, np.ndarray) else v for k, v in options.items()},
        )
    return out


def _ratio_bounds(
    num_lo: FloatArray, num_hi: FloatArray, den_lo: FloatArray, den_hi: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Min and max of num/den over a box where den > 0 (monotone in each: corners suffice)."""
    if num_lo is num_hi and den_lo is den_hi:  # exact figures: one ratio, no box
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = num_lo / den_lo
        return ratio, ratio
    with np.errstate(divide="ignore", invalid="ignore"):
        corners = np.stack([num_lo / den_lo, num_lo / den_hi, num_hi / den_lo, num_hi / den_hi])
    return corners.min(axis=0), corners.max(axis=0)


def _overlaps(lo: FloatArray, hi: FloatArray, target: FloatArray, half: FloatArray) -> BoolArray:
    """Does [lo, hi] meet [target - half, target + half], with a little slack?

    ``(hi >= target - half - slack) & (lo <= target + half + slack)``, computed in place in
    two scratch columns: on millions of rows the temporaries were the peak of a frame's
    memory.
    """
    slack = np.abs(target)
    np.maximum(slack, 1.0, out=slack)
    slack *= _REL_SLACK
    slack += 1e-12
    bound = np.subtract(target, half)
    bound -= slack
    result: BoolArray = hi >= bound
    np.add(target, half, out=bound)
    bound += slack
    result &= lo <= bound
    return result


def _percent_box(
    price: FloatArray, change: FloatArray, price_hw: FloatArray, change_hw: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """The change and previous-close intervals the displayed figures allow.

    Where every figure is exact (all half-widths 0) the bounds are the same arrays, which
    lets :func:`_ratio_bounds` skip the corners.
    """
    if not price_hw.any() and not change_hw.any():
        previous = price - change
        return change, change, previous, previous
    c_lo, c_hi = change - change_hw, change + change_hw
    # previous close = price - change: smallest with the smallest price and largest change.
    prev_lo = (price - price_hw) - c_hi
    prev_hi = (price + price_hw) - c_lo
    return c_lo, c_hi, prev_lo, prev_hi


def _scaled_bounds(
    c_lo: FloatArray,
    c_hi: FloatArray,
    den_lo: FloatArray,
    den_hi: FloatArray,
    scale: float | FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """Bounds of change * scale / den, keeping exact figures' shared arrays shared."""
    scaled_lo = c_lo * scale
    scaled_hi = scaled_lo if c_hi is c_lo else c_hi * scale
    return _ratio_bounds(scaled_lo, scaled_hi, den_lo, den_hi)


def is_percent_consistent(
    price: FloatArray,
    change: FloatArray,
    percent: FloatArray,
    price_hw: FloatArray,
    change_hw: FloatArray,
    percent_hw: FloatArray,
    *,
    scale: float | FloatArray = 100.0,
) -> BoolArray:
    """True where ``percent`` fits change / previous close * ``scale`` within rounding.

    ``scale=1`` tests the fraction convention (the seed's strip). Where the previous close
    may be zero or negative nothing can be said, and the row counts as consistent.
    """
    if len(price) > _CHUNK:
        return _in_chunks(
            is_percent_consistent,
            np.bool_,
            (price, change, percent, price_hw, change_hw, percent_hw),
            {"scale": scale},
        )
    c_lo, c_hi, prev_lo, prev_hi = _percent_box(price, change, price_hw, change_hw)
    lo, hi = _scaled_bounds(c_lo, c_hi, prev_lo, prev_hi, scale)
    unknowable = ~(prev_lo > 0)
    return unknowable | _overlaps(lo, hi, percent, percent_hw)


def expected_percent(price: FloatArray, change: FloatArray) -> FloatArray:
    """change / (price - change) * 100 from the displayed figures; NaN where close <= 0."""
    previous = price - change
    with np.errstate(divide="ignore", invalid="ignore"):
        result: FloatArray = np.divide(change, previous)
    result *= 100.0
    result[~(previous > 0)] = np.nan
    return result


def check_columns(
    price: FloatArray,
    change: FloatArray,
    percent: FloatArray,
    price_hw: FloatArray,
    change_hw: FloatArray,
    percent_hw: FloatArray,
    direction: npt.NDArray[np.int8],
    *,
    direction_conflict: BoolArray | None = None,
    ambiguous: BoolArray | None = None,
) -> BitArray:
    """Issue bits per row (see :data:`CODE_ORDER`); 0 where the figures are consistent.

    ``direction`` is 1 (up), -1 (down) or 0 (unchanged); ``percent`` is NaN where the strip
    shows none; ``*_hw`` are half the display rounding step of each figure (0 where exact).
    ``direction_conflict`` marks rows whose arrow contradicts their words;
    ``ambiguous`` rows whose symbol could not be told apart from their price.
    """
    n = len(price)
    if n > _CHUNK:
        return _in_chunks(
            check_columns,
            np.uint16,
            (price, change, percent, price_hw, change_hw, percent_hw, direction),
            {"direction_conflict": direction_conflict, "ambiguous": ambiguous},
        )
    bits = np.zeros(n, dtype=np.uint16)
    c_lo, c_hi, prev_lo, prev_hi = _percent_box(price, change, price_hw, change_hw)

    nonpositive = prev_hi <= 0
    bits[nonpositive] |= _BIT[IssueCode.NONPOSITIVE_PREVIOUS_CLOSE]

    # A change shown as 0.00 may be a rounded +0.004 or -0.004: any arrow is fine on it.
    wrong_way = ((direction > 0) & (c_hi < 0)) | ((direction < 0) & (c_lo > 0))
    wrong_way |= (direction == 0) & ((c_lo > 0) | (c_hi < 0))
    if direction_conflict is not None:
        wrong_way |= direction_conflict
    bits[wrong_way] |= _BIT[IssueCode.DIRECTION_MISMATCH]

    judged = ~np.isnan(percent) & (prev_lo > 0)
    lo, hi = _scaled_bounds(c_lo, c_hi, prev_lo, prev_hi, 100.0)
    honest = _overlaps(lo, hi, percent, percent_hw)
    bad = judged & ~honest
    if bad.any():
        fraction = _overlaps(lo / 100.0, hi / 100.0, percent, percent_hw)
        # A percent that rounds to 0.00 may lose its sign (TOMCL ▼ -0.03 shows 0.00%), so
        # only a nonzero figure can have the wrong sign.
        sign = (percent != 0) & _overlaps(lo, hi, -percent, percent_hw)
        p_lo, p_hi = _scaled_bounds(c_lo, c_hi, price - price_hw, price + price_hw, 100.0)
        of_price = (price - price_hw > 0) & _overlaps(p_lo, p_hi, percent, percent_hw)
        is_fraction = bad & fraction
        is_sign = bad & ~fraction & sign
        is_of_price = bad & ~fraction & ~sign & of_price
        is_mismatch = bad & ~fraction & ~sign & ~of_price
        bits[is_fraction] |= _BIT[IssueCode.PERCENT_AS_FRACTION]
        bits[is_sign] |= _BIT[IssueCode.PERCENT_SIGN]
        bits[is_of_price] |= _BIT[IssueCode.PERCENT_OF_PRICE]
        bits[is_mismatch] |= _BIT[IssueCode.PERCENT_MISMATCH]

    if ambiguous is not None:
        bits[ambiguous] |= _BIT[IssueCode.AMBIGUOUS_SYMBOL]
    return bits


@functools.cache
def bits_to_codes(bits: int) -> tuple[IssueCode, ...]:
    """The codes set in one row's bits, in :data:`CODE_ORDER` (a handful of distinct values:
    each is worked out once)."""
    return tuple(code for code in CODE_ORDER if bits & int(_BIT[code]))


def bits_to_labels(bits: BitArray | Sequence[int]) -> tuple[list[str], npt.NDArray[np.int32]]:
    """``;``-joined code labels of the distinct bit values, and each row's label index.

    Labels are built once per distinct value (a handful), however many rows there are.
    """
    array = np.asarray(bits, dtype=np.uint16)
    uniques = np.flatnonzero(np.bincount(array, minlength=1))  # no sort of the rows
    label_of = np.zeros(int(uniques[-1]) + 1 if len(uniques) else 1, dtype=np.int32)
    label_of[uniques] = np.arange(len(uniques), dtype=np.int32)
    labels = [";".join(bits_to_codes(int(u))) for u in uniques]
    return labels, label_of[array]


def issue_message(
    code: IssueCode,
    *,
    price: str,
    change: str,
    percent: str | None,
    expected: float | None,
    alternatives: Sequence[str] = (),
) -> str:
    """A sentence for people explaining one issue on one quote."""
    exp = f"{expected:.2f}%" if expected is not None and np.isfinite(expected) else "n/a"
    if code is IssueCode.PERCENT_AS_FRACTION:
        return (
            f"percent {percent}% is change / previous close as a fraction, 100x too small;"
            f" expected {exp}"
        )
    if code is IssueCode.PERCENT_SIGN:
        return f"percent {percent}% has the wrong sign for a change of {change}; expected {exp}"
    if code is IssueCode.PERCENT_OF_PRICE:
        return f"percent {percent}% is change / current price, not / previous close; expected {exp}"
    if code is IssueCode.PERCENT_MISMATCH:
        return f"percent {percent}% fits no known convention; expected {exp}"
    if code is IssueCode.DIRECTION_MISMATCH:
        return f"the arrow or words contradict the change of {change}"
    if code is IssueCode.STALE_ROW:
        return (
            "every stock row of this strip shows no change while its index rows moved:"
            " the site showed stale rows"
        )
    if code is IssueCode.NONPOSITIVE_PREVIOUS_CLOSE:
        return f"price {price} minus change {change} leaves a previous close of zero or less"
    return "symbol and price could also be split as " + ", ".join(alternatives)


# --- strips, splits and the whole table ------------------------------------------------

_GLUED = DIALECT_ORDER.index(Dialect.CONCATENATED)
#: A displayed percent pins a split down only when its rounding is at most this fraction of
#: its size: ``(1.36%)`` or ``(0.05%)`` does, in a percent strip. A fraction strip's
#: 2-decimal figures never do: a mistyped ``0.02`` -> ``0.20`` is ten times the figure, and
#: moving one digit into the symbol makes the percent about ten times bigger too, so such
#: typos "fit" (measured on generated strips with 30% wrong percents: 3 wrong moves in
#: 30,000 faulty entries of percent strips at 0.25; 79 in fraction strips at 0.05).
EVIDENCE_MAX_RELATIVE_ROUNDING = {"percent": 0.25, "fraction": 0.0}
_SCALES = np.array([100.0, 1.0])  # percent, fraction
_INDEX_NAMES = pa.array(sorted(PSX_INDICES), pa.large_string())


@dataclass(frozen=True, eq=False)
class Checked:
    """Entries with their splits settled and their figures judged.

    ``symbol`` and ``price_text`` are the settled split (``names``: the symbols' codes);
    the figures are floats (made on
    purpose: the DataFrame path), ``bits`` issue bits (:data:`CODE_ORDER`),
    ``is_fraction`` per row whether its strip follows the fraction convention, and
    ``alternatives`` the other readings of ambiguous rows (row -> readings).
    """

    entries: Entries
    symbol: pa.Array
    names: Names
    price_text: pa.Array
    price: FloatArray
    change: FloatArray
    percent: FloatArray
    bits: BitArray
    is_fraction: BoolArray
    alternatives: dict[int, tuple[str, ...]] = field(default_factory=dict)


def _decimals(texts: pa.Array) -> npt.NDArray[np.int64]:
    """Decimals of each displayed figure (0 without a dot or without a figure)."""
    shape = figure_shapes(texts)
    result: npt.NDArray[np.int64] = np.where(shape.dot < 0, 0, shape.length - shape.dot - 1)
    return result


def _figure_halfwidth(texts: pa.Array, exact: BoolArray) -> FloatArray:
    """Half the display rounding step of prices or changes as printed.

    The concatenated dialect prints numbers the way JavaScript does (``35`` for 35.00): the
    shortest text of an exact value, nothing rounded away. Elsewhere PSX figures tick in
    0.01, so 2 or more decimals are exact; fewer mean the site rounded (Business Recorder
    index rows: ``67,194``, change ``646.5``).
    """
    if exact.all():  # a concatenated text: nothing to compute
        return np.zeros(len(exact))
    decimals = _decimals(texts)
    half: FloatArray = np.where(
        exact | (decimals >= 2), 0.0, 0.5 * pow10(-decimals.astype(np.int64))
    )
    return half


def vote_conventions(
    as_percent: BoolArray, as_fraction: BoolArray, strip: npt.NDArray[np.int64]
) -> BoolArray:
    """Per row: does its strip follow the fraction convention?

    Each strip votes by majority of the rows that fit only one convention (ties: percent).
    """
    if not len(strip):
        return np.zeros(0, dtype=bool)
    votes = (as_fraction & ~as_percent).astype(np.int64) - (as_percent & ~as_fraction)
    per_strip = np.bincount(strip, weights=votes)
    result: BoolArray = per_strip[strip] > 0
    return result


def _strict_fits(
    price: FloatArray, change: FloatArray, percent: FloatArray, half: FloatArray, scale: FloatArray
) -> BoolArray:
    """Does ``percent`` fit change / previous close * ``scale``, with a positive close?"""
    previous = price - change
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = change * scale / previous
    return (previous > 0) & _overlaps(ratio, ratio, percent, half)


def _candidates(
    rows: npt.NDArray[np.int64], price: FloatArray, int_digits: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], FloatArray]:
    """Every other split of the glued tokens of ``rows``: row, digits moved, price left.

    ``k`` leading digits of the price move into the symbol; the price keeps at least one
    integer digit and never starts with 0 unless it is below 1 (no price is printed
    ``05.5``), and is above 0.
    """
    counts = np.maximum(int_digits[rows] - 1, 0)
    row = np.repeat(rows, counts)
    firsts = np.cumsum(counts) - counts
    k = np.arange(len(row)) - np.repeat(firsts, counts) + 1
    value = price[row]
    whole = np.floor(value)
    kept = int_digits[row] - k  # integer digits the price keeps
    unit = pow10(kept)
    moved = np.floor(whole / unit) * unit
    left = value - moved
    first_kept = np.floor((whole - moved) / (unit / 10.0)) % 10
    valid = (left > 0) & ((first_kept != 0) | (kept == 1))
    return row[valid], k[valid], left[valid]


def _seen_in_strip(
    names: Names, strip: npt.NDArray[np.int64], settled: BoolArray, rows: npt.NDArray[np.int64]
) -> BoolArray:
    """Per row of ``rows``: does a settled row of its strip have the same symbol?"""
    codes = names.codes
    # only settled rows with a symbol some doubtful row has can match
    wanted = np.zeros(len(names.distinct), dtype=bool)
    wanted[codes[rows]] = True
    others = np.flatnonzero(settled & wanted[codes])
    if not len(others):
        return np.zeros(len(rows), dtype=bool)
    width = len(names.distinct)
    result: BoolArray = np.isin(
        strip[rows] * width + codes[rows], strip[others] * width + codes[others]
    )
    return result


def resolve_splits(
    entries: Entries,
    names: Names,
    price: FloatArray,
    change: FloatArray,
    percent: FloatArray,
    percent_hw: FloatArray,
    is_fraction: BoolArray,
    known: frozenset[str],
) -> tuple[pa.Array, Names, pa.Array, FloatArray, dict[int, tuple[str, ...]]]:
    """Settle where each glued symbol ends (``KSE10067194.5`` -> ``KSE100`` at 67194.5).

    Each glued token comes as its natural split: symbol letters, then the digits. Rules, in
    order, all candidate splits of all doubtful rows tested at once:

    1. a known symbol (PSX index names, ``symbols=``) whose split fits either convention
       wins;
    2. the natural split stands when it fits either convention (a real percent in a
       fraction strip is a faulty figure, not a reason to move digits), or when its symbol
       is known;
    3. digits move into an unknown symbol only on evidence that pins the split down: the
       split fits with a previous close above 0 and the displayed percent is precise
       (rounding at most :data:`EVIDENCE_MAX_RELATIVE_ROUNDING` of it); if several splits
       qualify, the fewest digits move and the row is ambiguous;
    4. a known symbol whose split fits no better than any other (nothing fits) wins;
    5. otherwise the natural split stands and the percent is flagged; any other split that
       fits too makes the row ambiguous.

    ``names`` are the symbols' codes. Returns the symbols and their codes, the price texts,
    the prices and the ambiguous rows' alternatives.
    """
    symbol, price_text = entries.symbol, entries.price
    n = len(entries)
    glued = entries.glued
    if not glued.any():
        return symbol, names, price_text, price, {}
    scale = _SCALES[is_fraction.astype(np.int64)]
    natural_fits = _strict_fits(price, change, percent, percent_hw, scale)
    other_fits = _strict_fits(price, change, percent, percent_hw, _SCALES[1 - is_fraction])
    shape = figure_shapes(price_text)
    with_sep = shape.grouped
    int_digits = np.where(shape.dot < 0, shape.length, shape.dot)
    lead_zero = (shape.first == ord("0")) & (int_digits > 1)

    prefixes, suffix_lengths = _digit_endings(known)
    is_known = names.isin(_value_set(known))
    prefix = names.index_in(prefixes) if len(prefixes) else np.full(n, -1, dtype=np.int64)
    has_prefix = prefix >= 0
    settled = (natural_fits | other_fits) & ~lead_zero & ~has_prefix
    doubtful = np.flatnonzero(glued & ~settled & ~with_sep & (int_digits > 1))
    if not len(doubtful):
        return symbol, names, price_text, price, {}
    limits = np.array(
        [EVIDENCE_MAX_RELATIVE_ROUNDING["percent"], EVIDENCE_MAX_RELATIVE_ROUNDING["fraction"]]
    )
    row_precise = np.abs(percent) * limits[is_fraction.astype(np.int64)] >= percent_hw
    # A symbol that another entry of the strip shows, its split pinned down by a precise
    # percent, is as good as known: its digits stay in the price however well a wrong
    # percent fits a longer symbol. (Any split fits a zero change: no such entry vouches.)
    vouched = _seen_in_strip(names, entries.strip, settled & row_precise, doubtful)
    is_known[doubtful[vouched]] = True

    row, k, left = _candidates(doubtful, price, int_digits)
    fits = _strict_fits(left, change[row], percent[row], percent_hw[row], scale[row])
    precise = np.abs(percent[row]) * limits[is_fraction[row].astype(np.int64)] >= percent_hw[row]
    cand_known = np.zeros(len(row), dtype=bool)
    # only a move of as many digits as a known symbol with that prefix ends in can make one
    prefix_rows = has_prefix[row]
    prefix_rows[prefix_rows] = suffix_lengths[
        prefix[row[prefix_rows]], np.minimum(k[prefix_rows], _MAX_DIGITS_MOVED)
    ]
    if prefix_rows.any():
        at = np.flatnonzero(prefix_rows)
        index = pa.array(row[at])
        claimed, _ = _move_digits(symbol.take(index), price_text.take(index), k[at])
        cand_known[at] = bool_column(pc.is_in(claimed, value_set=_value_set(known)))
    natural_possible = ~lead_zero
    # The natural split of a token that a known symbol could claim (``KSE`` + 3029015.9 or
    # ``KSE30`` + 29015.9) stands on its figures only when they pin it down: any big enough
    # price makes a ``(0.00%)`` fit.
    natural_ok = natural_possible & (
        ((natural_fits | other_fits) & (row_precise | ~has_prefix)) | is_known
    )
    # One score per candidate; the best per row wins (ties: longer known, shorter unknown);
    # a row keeps its natural split unless its best candidate scores 0 or more.
    score = np.full(len(row), -1, dtype=np.int64)
    score[~natural_possible[row]] = 0  # no price starts with 0: the digit must move
    score[cand_known & ~natural_ok[row]] = 10  # a known symbol, when nothing fits
    score[fits & precise & ~cand_known & ~natural_ok[row]] = 20  # evidence pins it down
    # a known symbol that fits, under the strip's convention or as a fraction among
    # percents (or a percent among fractions): no worse than any unknown reading
    known_fits = cand_known & (
        fits
        | _strict_fits(
            left, change[row], percent[row], percent_hw[row], _SCALES[1 - is_fraction[row]]
        )
    )
    score[known_fits] = 30
    rank = score * 100 + np.where(cand_known, k, 50 - k)
    # candidates come grouped by row, rows in order: the best of each group by one
    # maximum over its stretch (rank first, then position, which ranks make unique)
    firsts = np.flatnonzero(np.diff(row, prepend=-1))
    best = np.maximum.reduceat(rank * len(row) + np.arange(len(row)), firsts) % len(row)
    take = best[score[best] >= 0]

    moved = np.full(n, 0, dtype=np.int64)
    moved[row[take]] = k[take]
    new_price = price.copy()
    new_price[row[take]] = left[take]

    # Ambiguous: another reading fits as well as the one taken, which is no known symbol.
    chosen_known = np.zeros(n, dtype=bool)
    chosen_known[row[take[cand_known[take]]]] = True
    chosen_known |= is_known & (moved == 0)
    fitting = fits & ~cand_known
    other = np.bincount(row[fitting & (k != moved[row])], minlength=n)
    other += natural_fits & (moved > 0)
    alternatives: dict[int, tuple[str, ...]] = {}
    for r in np.flatnonzero((other > 0) & ~chosen_known).tolist():
        lo, hi = np.searchsorted(row, [r, r + 1])  # candidates are grouped by row
        text = price_text[r].as_py()
        name = symbol[r].as_py()
        ks = [0] if natural_fits[r] else []
        ks += k[lo:hi][fitting[lo:hi]].tolist()
        alternatives[r] = tuple(f"{name}{text[:d]} {text[d:]}" for d in ks if d != moved[r])

    if not len(take):
        return symbol, names, price_text, price, alternatives
    changed = row[take]
    index = pa.array(changed)
    moved_names, texts = _move_digits(symbol.take(index), price_text.take(index), k[take])
    names = names.replace(changed, moved_names)
    symbol = names.distinct.take(pa.array(names.codes))
    price_text = _put(price_text, changed, texts)
    # the price as read from its text (the subtraction that tested the split is a float
    # off by a rounding error: 28379.609999999986 for 28379.61); no doubtful price text
    # holds a thousands separator
    new_price[changed] = pc.cast(texts, pa.float64()).to_numpy(zero_copy_only=False)
    return symbol, names, price_text, new_price, alternatives


#: More digits than a doubtful price holds (15 integer digits at most: a grouped price,
#: which may hold 18, is never doubtful).
_MAX_DIGITS_MOVED = 16


@functools.lru_cache(maxsize=8)
def _digit_endings(known: frozenset[str]) -> tuple[pa.Array, BoolArray]:
    """The letters before the digits of known symbols that end in digits (``KSE`` of
    ``KSE100``), and per such prefix which counts of digits follow it (``[p, k]``)."""
    endings: dict[str, set[int]] = {}
    for name in known:
        head = name.rstrip("0123456789")
        if head and head != name:
            endings.setdefault(head, set()).add(len(name) - len(head))
    heads = sorted(endings)
    lengths = np.zeros((len(heads), _MAX_DIGITS_MOVED + 1), dtype=bool)
    for i, head in enumerate(heads):
        lengths[i, [k for k in endings[head] if k <= _MAX_DIGITS_MOVED]] = True
    return _value_set(frozenset(heads)), lengths


@functools.lru_cache(maxsize=16)
def _value_set(names: frozenset[str]) -> pa.Array:
    """``names`` as a value set for ``pc.is_in`` on the entries' text columns (made once
    per set of names, not once per block)."""
    return pa.array(sorted(names), pa.large_string())


def _move_digits(
    symbols: pa.Array, texts: pa.Array, digits: npt.NDArray[np.int64]
) -> tuple[pa.Array, pa.Array]:
    """Move the first ``digits`` characters of each price text onto its symbol: the new
    symbols and price texts, row for row (``large_string`` columns), by one gather of bytes
    from their buffers (0.7 against 3 ms for Arrow slices per count of digits on a block's
    thousands of moves; a price's leading digits are ASCII, as many bytes as characters)."""
    head_bounds, head_data = utf8_buffers(symbols)
    tail_bounds, tail_data = utf8_buffers(texts)
    head_start, head_length = head_bounds[:-1], np.diff(head_bounds)
    tail_start, tail_length = tail_bounds[:-1], np.diff(tail_bounds)
    both = np.concatenate([head_data, tail_data])
    pieces_start = np.column_stack([head_start, len(head_data) + tail_start]).ravel()
    pieces_length = np.column_stack([head_length, digits]).ravel()
    joined = string_column(
        _gather(both, pieces_start, pieces_length), _offsets(head_length + digits)
    )
    rest_length = tail_length - digits
    rest = string_column(
        _gather(tail_data, tail_start + digits, rest_length), _offsets(rest_length)
    )
    return joined, rest


def _gather(
    data: npt.NDArray[np.uint8], starts: npt.NDArray[np.int64], lengths: npt.NDArray[np.int64]
) -> npt.NDArray[np.uint8]:
    """The bytes ``data[starts[i] : starts[i] + lengths[i]]`` of every ``i``, end to end."""
    ends = np.cumsum(lengths)
    index = np.arange(int(ends[-1]) if len(ends) else 0, dtype=np.int64)
    index += np.repeat(starts - (ends - lengths), lengths)
    gathered: npt.NDArray[np.uint8] = data[index]
    return gathered


def _offsets(lengths: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Where texts of ``lengths`` start and end, packed end to end (``n + 1`` bounds)."""
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return offsets


def _put(array: pa.Array, rows: npt.NDArray[np.int64], values: pa.Array) -> pa.Array:
    """``array`` with ``values`` at ``rows`` (one take: three times as fast as Arrow's
    ``replace_with_mask`` on a block's column)."""
    index = np.arange(len(array), dtype=np.int64)
    index[rows] = np.arange(len(array), len(array) + len(rows))
    return pa.concat_arrays([array, values.cast(array.type)]).take(pa.array(index))


def _scatter(array: pa.Array, rows: npt.NDArray[np.int64], values: list[str]) -> pa.Array:
    """``array`` with ``values`` at ``rows``."""
    return _put(array, rows, pa.array(values, array.type))


#: A glued symbol this long is no PSX share's (theirs have up to 8 characters; longer index
#: names are known symbols): its start may be a headline.
HEADLINE_MIN_LETTERS = 9


#: Known symbols per RE2 pattern in :func:`_ends_in_known`: past a few thousand
#: alternatives RE2's automaton outgrows its memory and slows down a hundredfold.
_ENDINGS_PER_PATTERN = 2000


@functools.lru_cache(maxsize=8)
def _known_endings(known: frozenset[str]) -> tuple[str, ...]:
    """RE2 patterns over *reversed* names: a known symbol of 3 characters or more, then at
    least one character (anchored at the start, the automaton stays small)."""
    names = sorted((n[::-1] for n in known if len(n) >= 3), key=len, reverse=True)
    chunks = [
        names[i : i + _ENDINGS_PER_PATTERN] for i in range(0, len(names), _ENDINGS_PER_PATTERN)
    ]
    return tuple("^(?:" + "|".join(re.escape(n) for n in chunk) + ")." for chunk in chunks)


def _ends_in_known(names: pa.Array, known: frozenset[str]) -> BoolArray:
    """Per name: does it end in a known symbol of 3 characters or more, after at least one
    more character?"""
    result = np.zeros(len(names), dtype=bool)
    patterns = _known_endings(known)
    if patterns:
        reversed_names = pc.utf8_reverse(names)
        for pattern in patterns:
            result |= bool_column(pc.match_substring_regex(reversed_names, pattern))
    return result


def trim_headlines(entries: Entries, known: frozenset[str]) -> Entries:
    """Capitals glued before an entry are residue, not symbol (``NEWSAGL38.02▲ ...``).

    Only an entry with something before it since the last entry, or opening the text, can
    have swallowed a headline. A glued headline and a real symbol look alike (``FABL`` is a
    bank, not ``F`` + ``ABL``), so the symbol is cut back only on evidence: to the longest
    ending of 3 letters or more that is a known symbol (``symbols=``, the index names), or,
    when the whole is longer than any PSX share's symbol (:data:`HEADLINE_MIN_LETTERS`), a
    symbol of another entry of the same strip.
    """
    suspects = np.flatnonzero(~entries.lead_blank | (entries.start == 0))
    if not len(suspects):
        return entries
    # In a glued strip every entry is a suspect; only a name long enough to be a headline,
    # or one ending in a known symbol, can be cut: found on the whole column at once.
    suspect_names = entries.symbol.take(pa.array(suspects))
    could_cut = bool_column(pc.greater_equal(pc.utf8_length(suspect_names), HEADLINE_MIN_LETTERS))
    could_cut |= _ends_in_known(suspect_names, known)
    suspects = suspects[could_cut]
    if not len(suspects):
        return entries
    names = suspect_names.filter(pa.array(could_cut)).to_pylist()
    strip_of = entries.strip[suspects].tolist()
    others = np.ones(len(entries), dtype=bool)
    others[suspects] = False
    in_strip = set(
        zip(
            entries.strip[others].tolist(),
            entries.symbol.filter(pa.array(others)).to_pylist(),
            strict=True,
        )
    )
    cuts: dict[int, int] = {}
    for row, name, strip in zip(suspects.tolist(), names, strip_of, strict=True):
        if name in known:
            continue
        for cut in range(1, len(name) - 2):  # an ending of 3 letters or more
            ending = name[cut:]
            if name[cut - 1] == "-":
                continue
            if ending in known or (
                len(name) >= HEADLINE_MIN_LETTERS and (strip, ending) in in_strip
            ):
                cuts[row] = cut
                break
    if not cuts:
        return entries
    name_of = dict(zip(suspects.tolist(), names, strict=True))
    rows = np.array(sorted(cuts), dtype=np.int64)
    start = entries.start.copy()
    start[rows] += [cuts[r] for r in rows.tolist()]
    symbol = _scatter(entries.symbol, rows, [name_of[r][cuts[r] :] for r in rows.tolist()])
    return replace(entries, start=start, symbol=symbol)


#: A strip's stock rows are stale when at least this many all show no change ...
STALE_MIN_STOCKS = 5
#: ... while at least this many of its index rows moved.
STALE_MIN_MOVED_INDICES = 1


def stale_rows(
    strip: npt.NDArray[np.int64],
    is_index: BoolArray,
    change: FloatArray,
    *,
    min_stocks: int = STALE_MIN_STOCKS,
    min_moved_indices: int = STALE_MIN_MOVED_INDICES,
) -> BoolArray:
    """Stock rows of strips whose every stock row shows no change while index rows moved.

    Business Recorder sometimes shows yesterday's stock rows, all ``No Change``, beside
    index rows that moved; no check of one row can see it. ``strip`` numbers the strips
    (0, 1, ...); a strip is stale when it has at least ``min_stocks`` stock rows, every one
    with ``change == 0``, and at least ``min_moved_indices`` index rows with a change other
    than 0 (NaN is no move). Only its stock rows are flagged.
    """
    if not len(strip):
        return np.zeros(0, dtype=bool)
    stock = ~is_index
    zero = change == 0
    moved = ~zero & ~np.isnan(change)
    strips = int(strip.max()) + 1
    stocks = np.bincount(strip, weights=stock, minlength=strips)
    zero_stocks = np.bincount(strip, weights=stock & zero, minlength=strips)
    moved_indices = np.bincount(strip, weights=is_index & moved, minlength=strips)
    stale = (stocks >= min_stocks) & (zero_stocks == stocks) & (moved_indices >= min_moved_indices)
    result: BoolArray = stale[strip] & stock
    return result


_PORTAL = DIALECT_ORDER.index(Dialect.PORTAL)


def drop_unproven_portal_strips(entries: Entries, known: frozenset[str]) -> Entries:
    """Portal-shaped rows (a capitalised word, two numbers and a bracketed percent, one a
    line or a cell) are a ticker only on evidence, as a marquee is: a known symbol (an index
    name, ``symbols=``) in the strip, or at least half its percents fitting their figures
    (a percent or a fraction). An election table (``PTI 93 +12 (31.2%)``) has neither; its
    text stays residue. Strips are numbered again from 0."""
    portal = entries.dialect == _PORTAL
    if not portal.any():
        return entries
    rows = np.flatnonzero(portal)
    price, change, percent = entries.figures[rows].T
    half = percent_halfwidth(_decimals(entries.percent.take(pa.array(rows))))
    fits = _strict_fits(price, change, percent, half, np.full(len(rows), 100.0))
    fits |= _strict_fits(price, change, percent, half, np.ones(len(rows)))
    named = bool_column(
        pc.is_in(entries.symbol.take(pa.array(rows)), value_set=pa.array(sorted(known)))
    )
    strip = entries.strip[rows]
    size = np.bincount(strip)
    proven = (np.bincount(strip, weights=named) > 0) | (
        np.bincount(strip, weights=fits) * 2 >= size
    )
    if proven[strip].all():
        return entries
    keep = np.ones(len(entries), dtype=bool)
    keep[rows[~proven[strip]]] = False
    kept = entries.take(np.flatnonzero(keep))
    return replace(kept, strip=run_numbers(kept.strip))


def settle_entries(entries: Entries, known: frozenset[str]) -> Entries:
    """Which entries stand, and where each starts: portal-shaped strips without evidence
    dropped, glued headlines cut off. What is left of the checks moves no entry's bounds."""
    return trim_headlines(drop_unproven_portal_strips(entries, known), known)


def check_entries(entries: Entries, known: frozenset[str], *, validate: bool = True) -> Checked:
    """Settle each strip's convention and each glued symbol, then judge every figure."""
    return check_settled(settle_entries(entries, known), known, validate=validate)


def check_settled(entries: Entries, known: frozenset[str], *, validate: bool = True) -> Checked:
    """:func:`check_entries` of entries already through :func:`settle_entries`."""
    exact = entries.dialect == _GLUED
    price, change, percent = (np.ascontiguousarray(v) for v in entries.figures.T)
    # a glued strip draws an arrow on a flat stock too (TOMCL35▼ 0 (0.00%)): it did not move
    flat = exact & (change == 0) & (entries.direction != UNCHANGED)
    if flat.any():
        entries = replace(entries, direction=np.where(flat, UNCHANGED, entries.direction))
    percent_hw = percent_halfwidth(_decimals(entries.percent))
    zeros = np.zeros(len(entries))
    as_percent = is_percent_consistent(price, change, percent, zeros, zeros, percent_hw)
    as_fraction = is_percent_consistent(price, change, percent, zeros, zeros, percent_hw, scale=1.0)
    is_fraction = vote_conventions(as_percent, as_fraction, entries.strip)
    symbol, names, price_text, price, alternatives = resolve_splits(
        entries, Names.of(entries.symbol), price, change, percent, percent_hw, is_fraction, known
    )
    if validate and len(entries):
        ambiguous = np.zeros(len(entries), dtype=bool)
        ambiguous[list(alternatives)] = True
        bits = check_columns(
            price,
            change,
            percent,
            _figure_halfwidth(price_text, exact),
            _figure_halfwidth(entries.change, exact),
            percent_hw,
            np.array([1, -1, 0], dtype=np.int8)[entries.direction],
            direction_conflict=entries.conflict,
            ambiguous=ambiguous,
        )
        is_index = names.isin(_INDEX_NAMES)
        bits[stale_rows(entries.strip, is_index, change)] |= _BIT[IssueCode.STALE_ROW]
    else:
        bits = np.zeros(len(entries), dtype=np.uint16)
    return Checked(
        entries, symbol, names, price_text, price, change, percent, bits, is_fraction, alternatives
    )
