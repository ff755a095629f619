"""Pure checks: columns of displayed figures in, issue codes out.

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

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from ticker_parse.models import IssueCode

__all__ = [
    "CODE_ORDER",
    "bits_to_codes",
    "bits_to_labels",
    "check_columns",
    "expected_percent",
    "is_percent_consistent",
    "percent_halfwidth",
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
)
_BIT = {code: np.uint16(1 << i) for i, code in enumerate(CODE_ORDER)}

_REL_SLACK = 1e-9


def percent_halfwidth(decimals: npt.NDArray[np.integer[Any]]) -> FloatArray:
    """Half the rounding step of a displayed percent with ``decimals`` decimals.

    Every site we know rounds percents to 2 decimals; Business Recorder then drops trailing
    zeros, so ``(2.1%)`` is 2.10% and ``(0%)`` is 0.00% (seeds/br_intraday_2024-03-28.txt).
    A figure shown with fewer than 2 decimals is therefore still judged at 2.
    """
    exponent = -np.maximum(decimals, 2).astype(np.float64)  # any integer dtype, even unsigned
    result: FloatArray = 0.5 * np.power(10.0, exponent)
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
    c_lo: FloatArray, c_hi: FloatArray, den_lo: FloatArray, den_hi: FloatArray, scale: float
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
    scale: float = 100.0,
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


def bits_to_codes(bits: int) -> tuple[IssueCode, ...]:
    """The codes set in one row's bits, in :data:`CODE_ORDER`."""
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
    if code is IssueCode.NONPOSITIVE_PREVIOUS_CLOSE:
        return f"price {price} minus change {change} leaves a previous close of zero or less"
    return "symbol and price could also be split as " + ", ".join(alternatives)
