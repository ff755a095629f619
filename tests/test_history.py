"""ticker_parse.history: strip ids, stale strips, and the history of quote states."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.marketgen import (
    DIRECTION,
    State,
    generate,
    inject_stale_quotes,
    inject_stale_strip,
)
from ticker_parse.errors import TickerParseError
from ticker_parse.history import (
    HISTORY_COLUMNS,
    STALE_QUOTE,
    STALE_ROW,
    _combine,
    history,
    stale_rows,
    strip_ids,
)

SEEDS = [0, 1, 2, 3, 4]
#: (symbol, price, change): percent and direction follow from them.
Entry = tuple[str, float, float]
TEXT = pd.StringDtype("pyarrow")


def quotes(*strips: tuple[str | None, str, list[Entry]]) -> pd.DataFrame:
    """A quote frame of strips given as (UTC time or None, source, entries)."""
    rows = [
        (symbol, price, change, strip, source, time)
        for strip, (time, source, entries) in enumerate(strips)
        for symbol, price, change in entries
    ]
    symbol, price, change, strip, source, time = (list(c) for c in zip(*rows, strict=True))
    price_a = np.array(price, dtype=np.float64)
    change_a = np.array(change, dtype=np.float64)
    frame = pd.DataFrame(
        {
            "symbol": pd.array(symbol, dtype=TEXT),
            "price": price_a,
            "direction": pd.Categorical(
                np.where(change_a > 0, "up", np.where(change_a < 0, "down", "unchanged")),
                dtype=DIRECTION,
            ),
            "change": change_a,
            "percent": np.round(change_a / (price_a - change_a) * 100, 2),
            "issues": pd.array([""] * len(rows), dtype=TEXT),
            "strip": np.array(strip, dtype=np.int64),
            "strip_id": "",
            "source": pd.array(source, dtype=TEXT),
            "captured_at": pd.to_datetime(time, utc=True).as_unit("ns"),
        }
    )
    frame["strip_id"] = strip_ids(frame)
    return frame


def states(rows: pd.DataFrame) -> set[State]:
    """The (symbol, price, change, percent, direction) states of some rows."""
    columns = (
        rows["symbol"].astype(str).tolist(),
        rows["price"].to_numpy(np.float64).tolist(),
        rows["change"].to_numpy(np.float64).tolist(),
        rows["percent"].to_numpy(np.float64).tolist(),
        rows["direction"].astype(str).tolist(),
    )
    return set(zip(*columns, strict=True))


def flagged(table: pd.DataFrame, code: str) -> set[State]:
    return states(table[table["issues"].str.split(";").map(lambda codes: code in codes)])


def stale_codes(table: pd.DataFrame) -> pd.Series:
    return table["issues"].str.contains("stale")


# --- generated markets --------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_honest_captures_are_never_flagged(seed: int) -> None:
    # Odd seeds: no end-of-day capture ever, a pre-open capture every day (yesterday's
    # closing strip after a last capture taken hours before the close).
    harsh = seed % 2 == 1
    market = generate(
        seed, eod_probability=0.0 if harsh else 0.75, preopen_probability=1.0 if harsh else 0.5
    )
    assert not stale_rows(market.frame).any()
    table = history(market.frame, holidays=market.holidays)
    assert not stale_codes(table).any()
    # the market does have flat stocks repeating (price, 0) states on later days
    flat = table[table["symbol"].isin(market.flat) & (table["change"] == 0)]
    assert (flat["first_seen"].dt.date < flat["last_seen"].dt.date).any()


@pytest.mark.parametrize("seed", SEEDS)
def test_injected_stale_strips_flag_their_stock_rows_and_nothing_else(seed: int) -> None:
    frame, truth = inject_stale_strip(generate(seed), seed)
    assert truth.sum() > 0
    np.testing.assert_array_equal(stale_rows(frame), truth)
    table = history(frame)
    assert flagged(table, STALE_ROW) == states(frame[truth])
    assert not flagged(table, STALE_QUOTE)


@pytest.mark.parametrize("seed", SEEDS)
def test_injected_stale_quotes_are_all_found_and_nothing_else(seed: int) -> None:
    market = generate(seed)
    frame, truth = inject_stale_quotes(market, seed, count=4)
    assert len(truth) == 4
    table = history(frame, holidays=market.holidays)
    assert flagged(table, STALE_QUOTE) == truth
    assert not flagged(table, STALE_ROW)
    assert not stale_rows(frame).any()


def test_history_of_a_generated_market_accounts_for_every_row() -> None:
    market = generate(7)
    table = history(market.frame)
    assert table["captures"].sum() == len(market.frame)
    assert list(table.columns) == [*HISTORY_COLUMNS, "capture", "start"]
    # time order per symbol, symbols sorted
    assert table["symbol"].is_monotonic_increasing
    assert (table.groupby("symbol")["first_seen"].diff().dropna() > pd.Timedelta(0)).all()
    assert (table["first_seen"] <= table["last_seen"]).all()
    # consecutive rows of a symbol differ in state
    same_symbol = table["symbol"].eq(table["symbol"].shift())
    state = table[["price", "change", "percent"]]
    repeated = (state == state.shift()).all(axis=1) & same_symbol
    assert not repeated.any()


# --- history ------------------------------------------------------------------------------

STRIP: list[Entry] = [("KSE100", 70000.0, 120.5), ("AGL", 10.5, 0.5), ("HUBC", 120.0, -1.0)]


def test_hundred_pages_of_one_strip_collapse_to_one_row_per_symbol() -> None:
    start = pd.Timestamp("2024-03-04 06:00", tz="UTC")
    frame = quotes(
        *[
            (str(start + pd.Timedelta(seconds=i)), f"https://x.pk/news/{i}", STRIP)
            for i in range(100)
        ]
    )
    assert frame["strip_id"].nunique() == 1
    table = history(frame)
    assert list(table["symbol"]) == ["AGL", "HUBC", "KSE100"]
    assert list(table["captures"]) == [100, 100, 100]
    assert list(table["sources"]) == [100, 100, 100]
    assert (table["first_seen"] == start).all()
    assert (table["last_seen"] == start + pd.Timedelta(seconds=99)).all()
    assert list(table["issues"]) == ["", "", ""]


def test_a_state_that_returns_is_a_new_run() -> None:
    a: list[Entry] = [("AGL", 10.5, 0.5)]
    b: list[Entry] = [("AGL", 10.7, 0.7)]
    frame = quotes(
        ("2024-03-04 05:00", "s1", a),
        ("2024-03-04 05:30", "s2", a),
        ("2024-03-04 06:00", "s1", b),
        ("2024-03-04 07:00", "s1", a),
    )
    table = history(frame.iloc[::-1])  # input order does not matter, time does
    assert list(table["price"]) == [10.5, 10.7, 10.5]
    assert list(table["captures"]) == [2, 1, 1]
    assert list(table["sources"]) == [2, 1, 1]
    stamp = pd.Timestamp
    assert list(table["first_seen"]) == [
        stamp("2024-03-04 05:00", tz="UTC"),
        stamp("2024-03-04 06:00", tz="UTC"),
        stamp("2024-03-04 07:00", tz="UTC"),
    ]
    assert list(table["last_seen"]) == [
        stamp("2024-03-04 05:30", tz="UTC"),
        stamp("2024-03-04 06:00", tz="UTC"),
        stamp("2024-03-04 07:00", tz="UTC"),
    ]


def test_rows_without_a_time_come_after_timed_rows_in_input_order() -> None:
    a: list[Entry] = [("AGL", 10.5, 0.5)]
    b: list[Entry] = [("AGL", 10.7, 0.7)]
    c: list[Entry] = [("AGL", 10.9, 0.9)]
    frame = quotes(
        (None, "u1", b),
        ("2024-03-04 06:00", "t1", a),
        (None, "u2", c),
        (None, "u3", a),
        ("2024-03-04 05:00", "t0", a),
    )
    table = history(frame)
    # timed a, a; then untimed b, c, a (input order): a, a joins no timed run
    assert list(table["price"]) == [10.5, 10.7, 10.9, 10.5]
    assert list(table["captures"]) == [2, 1, 1, 1]
    assert table["first_seen"].iloc[0] == pd.Timestamp("2024-03-04 05:00", tz="UTC")
    assert table["first_seen"].iloc[1:].isna().all()
    assert table["last_seen"].iloc[1:].isna().all()
    # an untimed row that continues a timed run joins it; the run keeps its timed bounds
    frame = quotes(("2024-03-04 05:00", "t0", a), (None, "u1", a))
    table = history(frame)
    assert list(table["captures"]) == [2]
    assert table["last_seen"].iloc[0] == pd.Timestamp("2024-03-04 05:00", tz="UTC")


def test_issues_are_the_union_and_extra_columns_pass_through() -> None:
    a: list[Entry] = [("AGL", 10.5, 0.5)]
    frame = quotes(
        ("2024-03-04 05:00", "s1", a), ("2024-03-04 05:01", "s2", a), ("2024-03-04 05:02", "s3", a)
    )
    frame["issues"] = pd.array(
        ["percent_mismatch", "", "sign_mismatch;percent_mismatch"], dtype=TEXT
    )
    frame["start"] = np.array([7, 8, 9], dtype=np.int64)
    table = history(frame)
    assert list(table["issues"]) == ["percent_mismatch;sign_mismatch"]
    assert list(table["start"]) == [7]  # the run's first row


def test_columns_and_dtypes() -> None:
    table = history(quotes(("2024-03-04 05:00", "s", STRIP)))
    assert list(table.columns) == list(HISTORY_COLUMNS)
    assert str(table["first_seen"].dtype) == "datetime64[ns, UTC]"
    assert str(table["last_seen"].dtype) == "datetime64[ns, UTC]"
    assert table["captures"].dtype == np.int64
    assert table["sources"].dtype == np.int64
    assert table["direction"].dtype == DIRECTION
    assert table["price"].dtype == np.float64


def test_empty_frame_gives_empty_history_with_the_columns() -> None:
    frame = quotes(("2024-03-04 05:00", "s", STRIP)).iloc[:0]
    frame["extra"] = np.array([], dtype=np.int64)
    table = history(frame)
    assert len(table) == 0
    assert list(table.columns) == [*HISTORY_COLUMNS, "extra"]
    assert str(table["first_seen"].dtype) == "datetime64[ns, UTC]"
    assert table["captures"].dtype == np.int64
    assert len(stale_rows(frame)) == 0
    assert len(strip_ids(frame)) == 0


def test_bad_arguments_raise() -> None:
    frame = quotes(("2024-03-04 05:00", "s", STRIP))
    with pytest.raises(TickerParseError, match="stale_days"):
        history(frame, stale_days=0)
    with pytest.raises(TickerParseError, match="min_moved_fraction"):
        history(frame, min_moved_fraction=0)
    with pytest.raises(TickerParseError, match="captured_at"):
        history(frame.drop(columns="captured_at"))


# --- STALE_QUOTE: the rule, case by case ---------------------------------------------------
# Monday 2024-03-04. Intraday PKT 11:00 is 06:00 UTC. Each later strip moves the others to
# a new session (new previous close): B, C, D, KSE100 all show Tuesday's quotes.
MONDAY: list[Entry] = [
    ("KSE100", 70000.0, 120.0),
    ("AGL", 10.5, 0.5),
    ("B", 21.0, 1.0),
    ("C", 31.0, 1.0),
    ("D", 41.0, 1.0),
]


def next_session(agl: Entry) -> list[Entry]:
    """The others' quotes on a later session (previous close = Monday's price)."""
    return [("KSE100", 70100.0, 100.0), agl, ("B", 21.5, 0.5), ("C", 30.0, -1.0), ("D", 41.0, 0.0)]


def test_a_flat_stock_is_not_stale_but_a_repeated_nonzero_change_is() -> None:
    flat = quotes(
        ("2024-03-04 06:00", "s", MONDAY),
        ("2024-03-05 06:00", "s", next_session(("AGL", 10.5, 0.0))),
        ("2024-03-06 06:00", "s", next_session(("AGL", 10.5, 0.0))),
    )
    assert not stale_codes(history(flat)).any()
    stale = quotes(
        ("2024-03-04 06:00", "s", MONDAY),
        ("2024-03-05 06:00", "s", next_session(("AGL", 10.5, 0.5))),
    )
    assert flagged(history(stale), STALE_QUOTE) == {("AGL", 10.5, 0.5, 5.0, "up")}


def test_stale_needs_trading_days_between_first_seen_and_the_repeat() -> None:
    # Friday 2024-03-08, then captures on Saturday, Sunday and Monday.
    friday = ("2024-03-08 06:00", "s", MONDAY)

    def repeat(time: str) -> pd.DataFrame:
        return quotes(friday, (time, "s", next_session(("AGL", 10.5, 0.5))))

    assert not flagged(history(repeat("2024-03-09 06:00")), STALE_QUOTE)  # Saturday: 0 days
    assert not flagged(history(repeat("2024-03-10 06:00")), STALE_QUOTE)  # Sunday: 0 days
    assert flagged(history(repeat("2024-03-11 06:00")), STALE_QUOTE)  # Monday: 1 day
    assert not flagged(history(repeat("2024-03-11 06:00"), stale_days=2), STALE_QUOTE)
    assert flagged(history(repeat("2024-03-12 06:00"), stale_days=2), STALE_QUOTE)
    # a holiday on Monday: Tuesday is the first trading day after Friday
    assert not flagged(history(repeat("2024-03-11 06:00"), holidays=["2024-03-11"]), STALE_QUOTE)
    assert flagged(history(repeat("2024-03-12 06:00"), holidays=["2024-03-11"]), STALE_QUOTE)


def test_trading_days_are_dates_in_pakistan_time() -> None:
    # Monday 19:30 UTC is Tuesday 00:30 PKT: a later trading day than Monday 06:00 UTC.
    late = quotes(
        ("2024-03-04 06:00", "s", MONDAY),
        ("2024-03-04 19:30", "s", next_session(("AGL", 10.5, 0.5))),
    )
    assert flagged(history(late), STALE_QUOTE)
    # Monday 18:00 UTC is Monday 23:00 PKT: the same trading day.
    same_day = quotes(
        ("2024-03-04 06:00", "s", MONDAY),
        ("2024-03-04 18:00", "s", next_session(("AGL", 10.5, 0.5))),
    )
    assert not flagged(history(same_day), STALE_QUOTE)


def test_stale_needs_the_rest_of_the_strip_to_have_moved() -> None:
    # Tuesday's pre-open page still shows Monday's strip: nothing moved, nothing stale
    replay = quotes(("2024-03-04 06:00", "s", MONDAY), ("2024-03-05 03:00", "s", MONDAY))
    assert not stale_codes(history(replay)).any()
    # Monday's last capture was hours before the close; Tuesday's pre-open shows the close:
    # the others changed state but not session (same previous close) -> not moved.
    close: list[Entry] = [
        ("KSE100", 70050.0, 170.0),
        ("AGL", 10.5, 0.5),
        ("B", 21.2, 1.2),
        ("C", 30.8, 0.8),
        ("D", 41.3, 1.3),
    ]
    preopen = quotes(("2024-03-04 06:00", "s", MONDAY), ("2024-03-05 03:00", "s", close))
    assert not stale_codes(history(preopen)).any()
    # for each of AGL, C, D, half of the others (KSE100, B) moved: stale at the default
    # 0.5, not when asking for more
    half: list[Entry] = [
        ("KSE100", 70100.0, 100.0),
        ("AGL", 10.5, 0.5),
        ("B", 21.5, 0.5),
        ("C", 31.0, 1.0),
        ("D", 41.0, 1.0),
    ]
    frame = quotes(("2024-03-04 06:00", "s", MONDAY), ("2024-03-05 06:00", "s", half))
    assert flagged(history(frame), STALE_QUOTE) == {
        ("AGL", 10.5, 0.5, 5.0, "up"),
        ("C", 31.0, 1.0, 3.33, "up"),
        ("D", 41.0, 1.0, 2.5, "up"),
    }
    assert not flagged(history(frame, min_moved_fraction=0.75), STALE_QUOTE)


def test_symbols_first_seen_after_the_state_do_not_count_as_moved() -> None:
    newcomers: list[Entry] = [("AGL", 10.5, 0.5), ("E", 5.0, 0.1), ("F", 6.0, 0.1)]
    frame = quotes(
        ("2024-03-04 06:00", "s", [("AGL", 10.5, 0.5)]), ("2024-03-05 06:00", "s", newcomers)
    )
    assert not stale_codes(history(frame)).any()


# --- stale_rows ---------------------------------------------------------------------------

INDEX_ROWS: list[Entry] = [("KSE100", 70100.0, 100.0), ("KSE30", 25000.0, -20.0)]
STOCKS_STALE: list[Entry] = [
    (s, p, 0.0) for s, p in zip("ABCDE", (10.0, 20.0, 30.0, 40.0, 50.0), strict=True)
]


def test_stale_rows_flags_the_stock_rows_of_a_stale_strip_only() -> None:
    honest: list[Entry] = [("KSE100", 70100.0, 100.0), ("A", 10.0, 0.1), ("B", 20.0, 0.0)]
    frame = quotes(
        ("2024-03-05 06:00", "br", INDEX_ROWS + STOCKS_STALE),
        ("2024-03-05 06:00", "other", honest),
    )
    expected = [False, False, True, True, True, True, True, False, False, False]
    assert list(stale_rows(frame)) == expected
    table = history(frame)
    assert set(table.loc[table["issues"] == STALE_ROW, "symbol"]) == set("ABCDE")


@pytest.mark.parametrize(
    ("entries", "min_moved_indices"),
    [
        pytest.param(INDEX_ROWS + STOCKS_STALE[:4], 1, id="too-few-stocks"),
        pytest.param([*INDEX_ROWS, *STOCKS_STALE, ("F", 9.0, 0.01)], 1, id="one-stock-moved"),
        pytest.param([("KSE100", 1.0, 0.0), *STOCKS_STALE], 1, id="no-index-moved"),
        pytest.param(STOCKS_STALE, 1, id="no-index-rows"),
        pytest.param(INDEX_ROWS + STOCKS_STALE, 3, id="min-moved-indices"),
    ],
)
def test_stale_rows_needs_every_condition(entries: list[Entry], min_moved_indices: int) -> None:
    frame = quotes(("2024-03-05 06:00", "br", entries))
    assert not stale_rows(frame, min_moved_indices=min_moved_indices).any()


def test_stale_rows_takes_other_indices_and_min_stocks() -> None:
    frame = quotes(("2024-03-05 06:00", "br", [("MYIDX", 100.0, 1.0), *STOCKS_STALE[:2]]))
    assert not stale_rows(frame).any()
    assert list(stale_rows(frame, indices=frozenset({"MYIDX"}), min_stocks=2)) == [
        False,
        True,
        True,
    ]


# --- strip_ids ----------------------------------------------------------------------------


def test_equal_strips_get_equal_ids_across_frames() -> None:
    other: list[Entry] = [("PSO", 150.0, 2.0)]
    one = quotes(("2024-03-04 06:00", "a", STRIP), ("2024-03-04 06:00", "b", other))
    two = quotes(
        (None, "c", other), ("2024-03-09 06:00", "d", other), ("2024-03-05 06:00", "e", STRIP)
    )
    two["strip"] += 40  # strip numbers, times, sources and neighbours do not matter
    ids_one, ids_two = strip_ids(one), strip_ids(two)
    assert ids_one.iloc[0] == ids_two.iloc[-1]
    assert ids_one.iloc[-1] == ids_two.iloc[0] == ids_two.iloc[1]
    assert ids_one.nunique() == 2
    assert list(ids_two.index) == list(two.index)
    assert ids_one.str.fullmatch("[0-9a-f]{16}").all()
    # nor do the dtypes of the text columns or the index
    plain = one.astype({"symbol": object, "direction": str}).set_index(pd.Index([9, 3, 7, 1]))
    assert list(strip_ids(plain)) == list(ids_one)


@pytest.mark.parametrize(
    "changed",
    [
        pytest.param(
            [("KSE100", 70000.0, 120.5), ("AGL", 10.51, 0.5), ("HUBC", 120.0, -1.0)], id="price"
        ),
        pytest.param(
            [("KSE100", 70000.0, 120.5), ("AGL", 10.5, 0.51), ("HUBC", 120.0, -1.0)], id="change"
        ),
        pytest.param(
            [("KSE100", 70000.0, 120.5), ("AGL", 10.5, 0.5), ("HUBCO", 120.0, -1.0)], id="symbol"
        ),
        pytest.param(
            [("AGL", 10.5, 0.5), ("KSE100", 70000.0, 120.5), ("HUBC", 120.0, -1.0)], id="order"
        ),
        pytest.param(STRIP[:2], id="shorter"),
    ],
)
def test_a_different_strip_gets_a_different_id(changed: list[Entry]) -> None:
    frame = quotes(("2024-03-04 06:00", "a", STRIP), ("2024-03-04 06:00", "a", changed))
    ids = strip_ids(frame)
    assert ids.iloc[0] != ids.iloc[-1]


def test_percent_and_direction_are_part_of_the_id() -> None:
    frame = quotes(("2024-03-04 06:00", "a", STRIP), ("2024-03-04 06:00", "a", STRIP))
    assert strip_ids(frame).nunique() == 1
    no_percent = frame.copy()
    no_percent["percent"] = np.where(np.arange(6) == 4, np.nan, frame["percent"])
    assert strip_ids(no_percent).nunique() == 2
    down = frame.copy()
    down["direction"] = pd.Categorical(["up", "up", "down", "up", "up", "up"], dtype=DIRECTION)
    assert strip_ids(down).nunique() == 2


def test_strip_id_of_a_tiny_frame_is_pinned() -> None:
    # Stored captures and users' files keep these ids; the value below was computed once
    # with the recipe documented in strip_ids() and is written here on purpose, so that any
    # change of the recipe (columns, order, normalisation, hashing, formatting; or a pandas
    # release that hashes differently) fails this test instead of silently re-keying every
    # strip. Only change it together with a note in the changelog.
    frame = quotes(("2024-03-04 06:00", "a", [("KSE100", 70000.0, 120.5), ("AGL", 10.5, -0.25)]))
    assert list(strip_ids(frame)) == ["b1a8916856f5887c", "b1a8916856f5887c"]


def test_row_hashes_are_combined_by_pandas_own_rule() -> None:
    """strip_ids combines column hashes itself (no frame per call); the result is the
    row hash pandas gives the same columns."""
    rng = np.random.default_rng(3)
    columns = {
        "a": rng.integers(0, 2**63, 500, dtype=np.uint64),
        "b": rng.normal(size=500),
        "c": rng.integers(0, 9, 500).astype(np.uint64),
    }
    expected = pd.util.hash_pandas_object(pd.DataFrame(columns), index=False).to_numpy()
    got = _combine([pd.util.hash_array(v) for v in columns.values()])
    assert (got == expected).all()


def test_pages_parsed_one_by_one_can_be_concatenated() -> None:
    # every page numbers its strips from 0: source and captured_at keep them apart
    pages = [
        quotes(("2024-03-05 06:00", "br/1", INDEX_ROWS + STOCKS_STALE)),
        quotes(("2024-03-05 06:01", "br/2", STRIP)),
        quotes(("2024-03-05 06:02", "br/3", INDEX_ROWS + STOCKS_STALE)),
    ]
    frame = pd.concat(pages, ignore_index=True)
    assert (frame["strip"] == 0).all()
    ids = strip_ids(frame)
    assert list(ids) == [i for page in pages for i in strip_ids(page)]
    assert ids.nunique() == 2
    assert list(stale_rows(frame)) == [i for page in pages for i in stale_rows(page)]
