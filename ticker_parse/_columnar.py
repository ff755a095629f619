"""The columnar fast path: the concatenated dialect straight into columns, no per-row objects.

polars splits the text at every ``)`` (each entry of the concatenated dialect ends with one)
and extracts the fields of each piece with :data:`_patterns.FAST_CONCATENATED`, anchored at
the piece's end; numbers are cast in bulk, checks run on numpy columns. Only the rare rows
whose symbol may end in digits (``KSE100``, ``BOPR1``) go through the same Python resolver the
records path uses, so both paths give the same rows (``tests/test_columnar.py`` holds them to
it).

The path applies only to text that needs no normalization and shows no mark of another
dialect (:data:`_patterns.FAST_NEEDS_GENERAL`); :func:`columnar_frame` returns None otherwise
and the caller takes the records path.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
import polars as pl

from ticker_parse import _patterns
from ticker_parse.dialects import CONVENTION_SCALE, known_prefixes, resolve_tokens
from ticker_parse.frame import Exactness, assemble_frame
from ticker_parse.symbols import known_symbols
from ticker_parse.validate import check_columns, is_percent_consistent, percent_halfwidth

__all__ = ["columnar_frame"]

# Characters that may not stand right before a symbol (CONCATENATED's look-behind).
_NOT_BEFORE = "[A-Z0-9&.-]"


def _entries_query(text: str) -> pl.LazyFrame:
    """The entries of ``text``: its pieces between ``)``, those that hold an entry."""
    m = pl.col("m").struct
    pieces = (
        pl.LazyFrame({"text": [text]}, schema={"text": pl.String})
        .select(pl.col("text").str.split(")").alias("piece"))
        .explode("piece")
        .with_columns(
            pl.col("piece").str.len_chars().cast(pl.Int64).alias("length"),
            pl.col("piece").str.extract_groups(_patterns.FAST_CONCATENATED).alias("m"),
        )
        .with_columns(
            # each piece is followed by the ")" the split removed, except the last
            (pl.col("length") + 1).cum_sum().shift(1, fill_value=0).alias("piece_start"),
            (pl.col("length") - m.field("raw").str.len_chars().cast(pl.Int64)).alias("prefix"),
            (pl.int_range(pl.len()) < pl.len() - 1).alias("closed"),
        )
        .with_columns(
            # the look-behind of CONCATENATED: no symbol character right before the entry
            pl.col("piece")
            .str.slice(pl.col("prefix").fill_null(0) - 1, 1)
            .str.contains(_NOT_BEFORE)
            .and_(pl.col("prefix") > 0)
            .alias("glued"),
            pl.col("piece")
            .str.slice(0, pl.col("prefix").fill_null(0))
            .str.contains(r"\S")
            .alias("dirty_prefix"),
        )
        .with_columns(
            (pl.col("prefix").is_not_null() & pl.col("closed") & ~pl.col("glued")).alias("ok")
        )
        # A strip breaks at anything that is not white space: an unmatched piece (its ")"
        # at least is left over) or junk before an entry in its own piece.
        .with_columns(
            (~pl.col("ok") | pl.col("dirty_prefix")).cast(pl.Int64).cum_sum().alias("strip")
        )
    )
    return pieces.filter(pl.col("ok")).select(
        m.field("symbol"),
        m.field("price"),
        m.field("arrow"),
        m.field("change"),
        m.field("percent"),
        (pl.col("piece_start") + pl.col("prefix")).alias("start"),
        (pl.col("piece_start") + pl.col("length") + 1).alias("end"),
        pl.col("strip"),
        m.field("price").cast(pl.Float64).alias("price_f"),
        m.field("change").cast(pl.Float64).alias("change_f"),
        m.field("percent").cast(pl.Float64).alias("percent_f"),
        # decimals of the percent: characters after the dot, 0 without one
        (
            m.field("percent").str.len_chars().cast(pl.Int64)
            - m.field("percent").str.find(".", literal=True).cast(pl.Int64)
            - 1
        )
        .fill_null(0)
        .alias("decimals"),
        (m.field("arrow") == "▲").alias("up"),
    )


def _extract(text: str) -> tuple[pl.DataFrame, bool]:
    """Split at ")", match each piece, keep the entries with their offsets.

    The entry query and the check that sends the text down the general path instead run in
    one ``collect_all``, so polars spreads them over the cores. (Cutting the text into one
    part per core was measured too: slower, polars already uses both cores here.) Returns
    the rows and whether the text needs the general path.
    """
    guard = pl.LazyFrame({"text": [text]}, schema={"text": pl.String}).select(
        pl.col("text").str.contains(_patterns.FAST_NEEDS_GENERAL)
    )
    flag, rows = pl.collect_all([guard, _entries_query(text)])
    return rows, bool(flag.item())


def columnar_frame(
    text: str,
    *,
    symbols: Iterable[str] | None = None,
    validate: bool = True,
    exact: Exactness = False,
) -> pd.DataFrame | None:
    """The quotes of ``text`` as a DataFrame, or None when the fast path does not apply."""
    rows, needs_general = _extract(text)
    if needs_general:
        return None
    known = known_symbols(symbols)
    price = rows["price_f"].to_numpy()
    change = rows["change_f"].to_numpy()
    percent = rows["percent_f"].to_numpy()
    percent_hw = percent_halfwidth(rows["decimals"].to_numpy().astype(np.int64))
    zeros = np.zeros(len(rows))

    # Each strip's convention, by majority, from the natural splits (as the records path).
    as_percent = is_percent_consistent(price, change, percent, zeros, zeros, percent_hw)
    as_fraction = is_percent_consistent(price, change, percent, zeros, zeros, percent_hw, scale=1.0)
    votes = (
        pl.DataFrame(
            {
                "strip": rows["strip"],
                "vote": (as_fraction & ~as_percent).astype(np.int64)
                - (as_percent & ~as_fraction).astype(np.int64),
            }
        )
        .group_by("strip")
        .agg(pl.col("vote").sum())
    )
    fraction_strips = set(votes.filter(pl.col("vote") > 0)["strip"].to_list())
    is_fraction = rows["strip"].is_in(list(fraction_strips)).to_numpy()
    natural_fits = np.where(is_fraction, as_fraction, as_percent)

    # Rows whose split is in doubt go through the shared resolver.
    prefixes = list(known_prefixes(known))
    doubtful = (
        ~natural_fits
        | rows["symbol"].is_in(prefixes).to_numpy()
        | rows["price"].str.starts_with("0").to_numpy()
    )
    symbol = rows["symbol"]
    price_text = rows["price"]
    ambiguous = np.zeros(len(rows), dtype=bool)
    index = np.flatnonzero(doubtful)
    if len(index):
        naturals = list(
            zip(
                rows["symbol"].gather(index).to_list(),
                rows["price"].gather(index).to_list(),
                strict=True,
            )
        )
        changes = rows["change"].gather(index).to_list()
        percents = rows["percent"].gather(index).to_list()
        new_symbols = [""] * len(index)
        new_prices = [""] * len(index)
        for convention in CONVENTION_SCALE:
            picks = np.flatnonzero(is_fraction[index] == (convention == "fraction"))
            splits = resolve_tokens(
                [naturals[i] for i in picks],
                [changes[i] for i in picks],
                [percents[i] for i in picks],
                convention,
                known,
            )
            for i, split in zip(picks, splits, strict=True):
                new_symbols[i], new_prices[i] = split.symbol, split.price
                ambiguous[index[i]] = bool(split.alternatives)
        symbol = symbol.scatter(index, new_symbols)
        price_text = price_text.scatter(index, new_prices)
        price = price_text.cast(pl.Float64).to_numpy()

    direction_sign = np.where(rows["up"].to_numpy(), 1, -1).astype(np.int8)
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
        symbol=symbol.to_arrow(),
        direction=np.where(direction_sign > 0, 0, 1).astype(np.int8),
        price=price,
        change=change,
        percent=percent,
        start=rows["start"].to_numpy(),
        end=rows["end"].to_numpy(),
        bits=bits,
        number_texts={
            "price": price_text.to_list(),
            "change": rows["change"].to_list(),
            "percent": rows["percent"].to_list(),
        }
        if exact
        else None,
        exact=exact,
    )
