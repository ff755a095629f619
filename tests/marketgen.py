"""Captures of a random-walk market, as quote frames, with stale data injected on demand.

:func:`generate` simulates a small Pakistan Stock Exchange: index rows in the thousands,
stocks in the tens and hundreds, prices on a 0.01 grid. Calendar days run Monday onward
and include weekends and a weekday holiday. Each trading day may have a pre-open capture
(yesterday's closing strip), several intraday captures (prices move between them), and an
end-of-day capture (sometimes missed). Weekend and holiday captures, and captures just
after midnight, show the last closing strip. Some stocks stay flat for several days (their
change is 0 from the second day on); some stocks are quiet between two captures. Every
capture is printed on several pages (one strip each, same entries, distinct source URLs,
a few seconds apart).

Each quote's change and percent are measured from the symbol's previous close, as a real
strip shows them. The frame has every column :mod:`ticker_parse.history` reads, plus
``capture`` (capture number) and ``start`` (extra columns that must pass through).

The injectors add what an honest market never shows and return the truth:
:func:`inject_stale_strip` (Business Recorder's stale strip) and
:func:`inject_stale_quotes` (a source keeps showing a stock's quote from an earlier
session while the rest of the strip moves on).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from ticker_parse.history import strip_ids

__all__ = [
    "DIRECTION",
    "Market",
    "State",
    "generate",
    "inject_stale_quotes",
    "inject_stale_strip",
]

DIRECTION = pd.CategoricalDtype(["up", "down", "unchanged"])
INDEX_SYMBOLS = ("KSE100", "KSE30", "ALLSHR", "KMI30", "BKTI", "OGTI")
STOCK_SYMBOLS = (
    "AGL", "AIRLINK", "BAFL", "CNERGY", "DGKC", "EFERT", "ENGRO", "FCCL", "FFC", "HBL",
    "HUBC", "KEL", "LUCK", "MARI", "MCB", "MEBL", "MLCF", "NBP", "OGDC", "PAEL", "PIOC",
    "POL", "PPL", "PSO", "SNGP", "SSGC", "SYS", "TRG", "UBL", "WTL",
)  # fmt: skip
#: (symbol, price, change, percent, direction): one quote state.
State = tuple[str, float, float, float, str]
_PKT = "Asia/Karachi"
_INTRADAY_START, _INTRADAY_END = 9.75, 15.0  # PKT hours of intraday captures
_SITES = ("www.brecorder.com", "pakobserver.net", "www.thenews.com.pk", "tribune.com.pk")


@dataclass(frozen=True)
class Market:
    """Captures of a simulated market.

    ``captures`` has one row per capture: ``capture``, ``kind`` (``preopen``,
    ``intraday``, ``close``, ``closed`` for weekend/holiday/after-midnight captures),
    ``day`` (PKT date), ``captured_at`` (UTC, of its first page), ``pages``.
    """

    frame: pd.DataFrame
    captures: pd.DataFrame
    indices: frozenset[str]
    flat: frozenset[str]
    holidays: tuple[date, ...]
    trading_days: tuple[date, ...]


def _quote(price: np.ndarray, base: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    change = np.round(price - base, 2)
    percent = np.round(change / base * 100, 2)
    direction = np.where(change > 0, "up", np.where(change < 0, "down", "unchanged"))
    return change, percent, direction


def _utc(day: date, hour: float) -> pd.Timestamp:
    local = pd.Timestamp(day) + pd.Timedelta(hours=hour)
    return local.tz_localize(_PKT).tz_convert("UTC")


def generate(
    seed: int,
    *,
    n_stocks: int = 18,
    n_indices: int = 4,
    start: date = date(2024, 3, 4),
    days: int = 15,
    holidays: tuple[int, ...] = (8,),
    intraday: int = 3,
    pages: int = 3,
    flat_stocks: int = 2,
    eod_probability: float = 0.75,
    preopen_probability: float = 0.5,
    midnight_probability: float = 0.3,
    quiet_probability: float = 0.15,
) -> Market:
    """``days`` calendar days from ``start`` (a Monday); ``holidays`` are day offsets."""
    rng = np.random.default_rng(seed)
    indices = INDEX_SYMBOLS[:n_indices]
    symbols = np.array(indices + STOCK_SYMBOLS[:n_stocks], dtype=object)
    n = len(symbols)
    is_index = np.arange(n) < n_indices
    close = np.where(
        is_index,
        np.round(rng.uniform(5_000, 90_000, n), 2),
        np.round(rng.uniform(5, 500, n), 2),
    )
    close_state = _quote(close, np.round(close * rng.uniform(0.97, 1.03, n), 2))
    flat = rng.choice(np.arange(n_indices, n), size=flat_stocks, replace=False)
    calendar = [start + timedelta(days=i) for i in range(days)]
    holiday_days = tuple(calendar[i] for i in holidays)
    trading = [d for d in calendar if d.weekday() < 5 and d not in holiday_days]
    # a flat stock trades on its window's first day, then does not move for 3-4 days
    flat_first = {int(s): int(rng.integers(0, max(1, len(trading) - 4))) for s in flat}
    flat_length = {int(s): int(rng.integers(3, 5)) for s in flat}

    pieces: list[dict[str, np.ndarray]] = []
    capture_rows: list[tuple[int, str, date, pd.Timestamp, int]] = []
    page_counter = 0

    def capture(
        kind: str, day: date, hour: float, state: tuple[np.ndarray, np.ndarray, np.ndarray],
        price: np.ndarray,
    ) -> None:  # fmt: skip
        nonlocal page_counter
        number = len(capture_rows)
        time = _utc(day, hour)
        change, percent, direction = state
        for page in range(pages):
            site = _SITES[int(rng.integers(len(_SITES)))]
            pieces.append(
                {
                    "symbol": symbols,
                    "price": price.copy(),
                    "change": change.copy(),
                    "percent": percent.copy(),
                    "direction": direction.astype(object),
                    "strip": np.full(n, page_counter, dtype=np.int64),
                    "source": np.full(n, f"https://{site}/news/{page_counter}", dtype=object),
                    "captured_at": np.full(n, (time + pd.Timedelta(seconds=7 * page)).value),
                    "capture": np.full(n, number, dtype=np.int64),
                }
            )
            page_counter += 1
        capture_rows.append((number, kind, day, time, pages))

    closing_price = close.copy()
    for day in calendar:
        if day not in trading:
            for hour in sorted(rng.uniform(8, 23, int(rng.integers(1, 3)))):
                capture("closed", day, float(hour), close_state, closing_price)
            continue
        t = trading.index(day)
        if rng.random() < midnight_probability:
            capture("closed", day, 0.5, close_state, closing_price)
        if rng.random() < preopen_probability:
            capture("preopen", day, 8.5, close_state, closing_price)
        base = closing_price.copy()
        price = base.copy()
        frozen = np.array(
            [
                int(s) in flat_first and 0 < t - flat_first[int(s)] <= flat_length[int(s)]
                for s in range(n)
            ]
        )
        hours = np.linspace(_INTRADAY_START, _INTRADAY_END, intraday)
        for step, hour in enumerate([*hours, 16.0]):
            moves = ~frozen & (is_index | (rng.random(n) >= quiet_probability))
            step_size = np.round(rng.normal(0, 0.006, n) * price, 2)
            price = np.where(moves, np.maximum(price + step_size, 0.01), price)
            change = np.round(price - base, 2)
            # indices always show a move
            price = np.where(is_index & (change == 0), price + 0.01, price)
            price = np.round(price, 2)
            state = _quote(price, base)
            if step < intraday:
                capture("intraday", day, float(hour), state, price)
            elif rng.random() < eod_probability:
                capture("close", day, float(hour), state, price)
        closing_price, close_state = price, _quote(price, base)

    columns = {k: np.concatenate([p[k] for p in pieces]) for k in pieces[0]}
    frame = pd.DataFrame(
        {
            "symbol": pd.array(columns["symbol"], dtype=pd.StringDtype("pyarrow")),
            "price": columns["price"].astype(np.float64),
            "direction": pd.Categorical(columns["direction"], dtype=DIRECTION),
            "change": columns["change"].astype(np.float64),
            "percent": columns["percent"].astype(np.float64),
            "issues": pd.array([""] * len(columns["symbol"]), dtype=pd.StringDtype("pyarrow")),
            "strip": columns["strip"],
            "strip_id": "",
            "source": pd.array(columns["source"], dtype=pd.StringDtype("pyarrow")),
            "captured_at": pd.to_datetime(columns["captured_at"], utc=True).as_unit("ns"),
            "capture": columns["capture"],
            "start": np.tile(np.arange(n, dtype=np.int64) * 24, len(pieces)),
        }
    )
    frame["strip_id"] = strip_ids(frame)
    captures = pd.DataFrame(
        capture_rows, columns=["capture", "kind", "day", "captured_at", "pages"]
    )
    return Market(
        frame=frame,
        captures=captures,
        indices=frozenset(indices),
        flat=frozenset(str(symbols[s]) for s in flat),
        holidays=holiday_days,
        trading_days=tuple(trading),
    )


def _refresh(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.reset_index(drop=True)
    frame["strip_id"] = strip_ids(frame)
    return frame


def inject_stale_strip(
    market: Market, seed: int, *, count: int = 2, pages: int = 2
) -> tuple[pd.DataFrame, np.ndarray]:
    """Add ``count`` Business Recorder-style stale strips (``pages`` pages each).

    Each copies an intraday capture (not on the first trading day): index rows as they
    were (moved), every stock row ``No Change ▼ 0.00 (0%)`` at its previous close
    (yesterday's price). Returns the frame and a bool mask of the stale stock rows.
    """
    rng = np.random.default_rng(seed)
    frame = market.frame
    first_day = market.trading_days[0]
    eligible = market.captures[
        (market.captures["kind"] == "intraday") & (market.captures["day"] != first_day)
    ]
    chosen = rng.choice(eligible["capture"].to_numpy(), size=count, replace=False)
    added: list[pd.DataFrame] = []
    next_strip = int(frame["strip"].max()) + 1
    next_capture = int(frame["capture"].max()) + 1
    for number in chosen:
        rows = frame[frame["capture"] == number]
        page = rows[rows["strip"] == rows["strip"].min()].copy()
        stock = ~page["symbol"].isin(market.indices)
        page.loc[stock, "price"] = np.round(page["price"] - page["change"], 2)[stock]
        page.loc[stock, "change"] = 0.0
        page.loc[stock, "percent"] = 0.0
        page.loc[stock, "direction"] = "down"
        for k in range(pages):
            copy = page.copy()
            copy["strip"] = next_strip
            copy["source"] = f"https://www.brecorder.com/markets/stale/{next_strip}"
            copy["captured_at"] = copy["captured_at"] + pd.Timedelta(seconds=30 + k)
            copy["capture"] = next_capture
            next_strip += 1
            added.append(copy)
        next_capture += 1
    truth_parts = [np.zeros(len(frame), dtype=bool)]
    truth_parts += [~a["symbol"].isin(market.indices).to_numpy(dtype=bool) for a in added]
    out = _refresh(pd.concat([frame, *added], ignore_index=True))
    return out, np.concatenate(truth_parts)


def inject_stale_quotes(
    market: Market, seed: int, *, count: int = 3, captures: int = 2
) -> tuple[pd.DataFrame, set[State]]:
    """Make ``count`` stocks show an earlier session's quote in a later session's strips.

    For each chosen stock and trading day (not the first), the stock's rows in the first
    ``captures`` intraday captures of that day (every page) are replaced by the last state
    it showed before them, a state of the previous session with a nonzero change, while
    the other symbols of those strips show the new session. Returns the frame and the set
    of stale ``(symbol, price, change, percent, direction)`` states.
    """
    rng = np.random.default_rng(seed)
    frame = market.frame.copy()
    truth: set[State] = set()
    stocks = [s for s in STOCK_SYMBOLS if s in set(frame["symbol"]) and s not in market.flat]
    caps = market.captures
    used: set[str] = set()
    while len(truth) < count:
        symbol = str(rng.choice(stocks))
        day = market.trading_days[int(rng.integers(1, len(market.trading_days)))]
        if symbol in used:
            continue
        on_day = caps[(caps["kind"] == "intraday") & (caps["day"] == day)]["capture"]
        targets = on_day.to_numpy()[:captures]
        first_time = caps.loc[caps["capture"] == targets[0], "captured_at"].iloc[0]
        mine = frame[(frame["symbol"] == symbol) & (frame["captured_at"] < first_time)]
        mine = mine.sort_values("captured_at", kind="stable")
        last = mine.iloc[-1]
        # when the state was first shown: the start of the trailing run of equal rows
        differs = mine[["price", "change", "percent"]] != last[["price", "change", "percent"]]
        same = (~differs.any(axis=1)).astype(np.int64)
        run_start = mine["captured_at"][same.iloc[::-1].cummin().iloc[::-1] == 1]
        first_day = run_start.min().tz_convert(_PKT).date()
        state: State = (
            symbol,
            float(last["price"]),
            float(last["change"]),
            float(last["percent"]),
            str(last["direction"]),
        )
        rows = (frame["symbol"] == symbol) & frame["capture"].isin(targets)
        honest = frame.loc[rows, "price"].iloc[0], frame.loc[rows, "change"].iloc[0]
        # stale by the documented rule: first shown on an earlier date than ``day`` (a
        # state first shown in ``day``'s pre-open capture is not), with a nonzero change
        if state[2] == 0 or honest == (state[1], state[2]) or first_day >= day:
            continue
        frame.loc[rows, ["price", "change", "percent"]] = state[1:4]
        frame.loc[rows, "direction"] = state[4]
        truth.add(state)
        used.add(symbol)
    return _refresh(frame), truth
