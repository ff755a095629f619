"""Speed and memory of ticker_parse, measured against a floor and a hand-written parser.

    python examples/benchmark.py                 # 1,000,000 entries (about a minute)
    python examples/benchmark.py --entries 100000 --stream-mb 0
    python examples/benchmark.py --stream-mb 1000   # also stream a 1 GB file

Input: entries in the seed's concatenated dialect (random symbols and honest figures), a
newline every 30 entries. Every timing is the best of ``--repeat`` runs in this process, so
the ratios (ours / floor, naive / ours) cancel most machine noise.

- floor: ``re.findall("▲|▼", text)``, the cost of merely scanning the text;
- naive: what a user writes by hand: split on ")", ``re.match`` per piece, a dict per
  entry, ``pandas.DataFrame(rows)`` (no validation, no offsets);
- ours: ``read_ticker(io.StringIO(text))``, the full DataFrame with validation columns;
- parse(): the records path, pydantic ``Quote`` objects;
- ours (BR): ``read_ticker`` on Business Recorder lines, which take the records path;
- hostile: ``parse()`` on hostile shapes at 1x and 8x size (time should grow 8x);
- memory: peak RSS above the input text, in a fresh process per measurement.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable

import pandas as pd

import ticker_parse
from ticker_parse.strategies import HOSTILE_SHAPES  # needs the test extra (hypothesis)

_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _js(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    text = f"{sign}{whole}.{frac:02d}".rstrip("0").rstrip(".")
    return text or "0"


def make_text(entries: int, seed: int = 7) -> str:
    """``entries`` honest concatenated entries, a newline every 30."""
    rng = random.Random(seed)
    symbols = ["".join(rng.choices(_LETTERS, k=rng.randint(2, 7))) for _ in range(400)]
    lines, line = [], []
    for i in range(entries):
        previous = rng.randint(100, 5_000_000)
        change = rng.randint(-previous // 20, previous // 20)
        percent = round(change / previous * 100, 2)
        arrow = "▲" if change > 0 else "▼"
        line.append(
            f"{rng.choice(symbols)}{_js(previous + change)}{arrow} {_js(change)} ({percent:.2f}%)"
        )
        if len(line) == 30 or i == entries - 1:
            lines.append("".join(line))
            line = []
    return "\n".join(lines)


def make_br_text(entries: int, seed: int = 7) -> str:
    """``entries`` honest Business Recorder lines (one entry a line, records path)."""
    rng = random.Random(seed)
    symbols = ["".join(rng.choices(_LETTERS, k=rng.randint(2, 7))) for _ in range(400)]
    lines = []
    for _ in range(entries):
        previous = rng.randint(100, 5_000_000)
        change = rng.randint(-previous // 20, previous // 20)
        percent = f"{round(change / previous * 100, 2):.2f}".rstrip("0").rstrip(".")
        words = "Increased By ▲" if change > 0 else "Decreased By ▼" if change else "No Change ▼"
        price = (previous + change) / 100
        lines.append(f"{rng.choice(symbols)} {price:.2f} {words} {change / 100:.2f} ({percent}%)")
    return "\n".join(lines)


def floor(text: str) -> object:
    return re.findall("▲|▼", text)


_NAIVE = re.compile(r"([A-Z]+)([0-9.]+)([▲▼]) (-?[0-9.]+) \((-?[0-9.]+)%")


def naive(text: str) -> pd.DataFrame:
    rows = []
    for piece in text.split(")"):
        m = _NAIVE.match(piece.strip())
        if m:
            rows.append(
                {
                    "symbol": m.group(1),
                    "price": float(m.group(2)),
                    "direction": m.group(3),
                    "change": float(m.group(4)),
                    "percent": float(m.group(5)),
                }
            )
    return pd.DataFrame(rows)


def ours(text: str) -> pd.DataFrame:
    return ticker_parse.read_ticker(io.StringIO(text))


def best_of(repeat: int, fn: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def _rss_bytes() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _peak_bytes() -> int:
    """This process's peak RSS (VmHWM: unlike ru_maxrss, not inherited across fork)."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # pragma: no cover


def memory_child(kind: str, entries: int, path: str | None) -> None:
    """Run one measurement in this (fresh) process and print the peak RSS growth."""
    if kind == "stream":
        assert path is not None
        ticker_parse.load_scanner()  # import and warm up everything before the baseline
        ticker_parse.frame_from_text(make_text(50_000))
        before = _rss_bytes()
        rows = 0
        for frame in ticker_parse.read_ticker(path, chunksize=200_000):
            rows += len(frame)
        print(rows, _peak_bytes() - before)
        return
    text = make_text(entries)
    choices: dict[str, Callable[[str], pd.DataFrame | ticker_parse.ParseResult]] = {
        "ours": ours,
        "frame": lambda t: ticker_parse.frame_from_text(t),
        "parse": lambda t: ticker_parse.parse(t),
    }
    fn = choices[kind]
    ticker_parse.load_scanner()  # import and warm up everything before the baseline
    fn(make_text(50_000) if kind != "parse" else text[:1000])
    before = _rss_bytes()
    result = fn(text)
    print(len(result), _peak_bytes() - before)


def _child(*args: str) -> tuple[int, int]:
    out = subprocess.run(
        [sys.executable, __file__, "--memory-child", *args],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return int(out[0]), int(out[1])


def write_dump(path: str, megabytes: int) -> int:
    """A file of about ``megabytes`` MB of entries; returns the number of entries."""
    block = make_text(100_000, seed=11) + "\n"
    size = len(block.encode())
    n = 0
    with open(path, "w", encoding="utf-8") as fh:
        written = 0
        while written < megabytes * 1_000_000:
            fh.write(block)
            written += size
            n += 100_000
    return n


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--entries", type=int, default=1_000_000)
    p.add_argument("--records", type=int, default=200_000, help="entries for parse()")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--hostile-chars", type=int, default=250_000)
    p.add_argument("--stream-mb", type=int, default=0, help="also stream a file this large")
    p.add_argument("--memory-child", nargs="+", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.memory_child:
        kind, entries, *rest = args.memory_child
        memory_child(kind, int(entries), rest[0] if rest else None)
        return

    n = args.entries
    print(f"ticker_parse {ticker_parse.__version__}, Python {platform.python_version()},")
    print(f"{platform.machine()}, {os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}")
    text = make_text(n)
    print(f"input: {n:,} entries, {len(text):,} characters")
    ticker_parse.load_scanner()  # numba's one-time load is not the cost of an entry
    assert len(ours(text)) == n, "ours must find every entry"
    assert len(naive(text)) == n, "naive must find every entry"

    t_floor = best_of(args.repeat, lambda: floor(text))
    t_ours = best_of(args.repeat, lambda: ours(text))
    t_naive = best_of(args.repeat, lambda: naive(text))
    sub = make_text(args.records)
    t_parse = best_of(args.repeat, lambda: ticker_parse.parse(sub))
    br = make_br_text(args.records)
    assert len(ours(br)) == args.records, "ours must find every Business Recorder entry"
    t_br = best_of(args.repeat, lambda: ours(br))

    print()
    print(f"{'path':<10}{'seconds':>10}{'entries/s':>14}{'ns/entry':>10}{'x floor':>9}")
    for name, seconds, count in (
        ("floor", t_floor, n),
        ("naive", t_naive, n),
        ("ours", t_ours, n),
        ("parse()", t_parse, args.records),
        ("ours (BR)", t_br, args.records),
    ):
        ratio = seconds / count / (t_floor / n)
        print(
            f"{name:<10}{seconds:>10.3f}{count / seconds:>14,.0f}"
            f"{seconds / count * 1e9:>10.0f}{ratio:>9.2f}"
        )
    print(f"\nours / floor = {t_ours / t_floor:.2f} (goal <= 2)")
    print(f"naive / ours = {t_naive / t_ours:.2f} (goal >= 5)")
    print(f"parse(): {args.records / t_parse:,.0f} quotes/s (goal >= 100,000)")
    print(f"ours on Business Recorder lines (records path): {args.records / t_br:,.0f} entries/s")

    rows, peak = _child("ours", str(n))
    print(f"\nmemory, ours: {peak / n:,.0f} bytes/entry above the input (goal < 300)")
    rows, peak = _child("frame", str(n))
    print(f"memory, frame_from_text(text): {peak / n:,.0f} bytes/entry above the input")
    m = args.records
    rows, peak = _child("parse", str(m))
    print(f"memory, parse(): {peak / m:,.0f} bytes/entry above the input")

    print("\nhostile input, parse() seconds at 1x and 8x size (ratio ~8 = linear):")
    k = args.hostile_chars
    for name, make in HOSTILE_SHAPES.items():
        small, large = make(k), make(8 * k)
        t1 = best_of(2, lambda: ticker_parse.parse(small))  # noqa: B023 - called at once
        t8 = best_of(2, lambda: ticker_parse.parse(large))  # noqa: B023
        print(f"  {name:<24}{t1:>8.3f}{t8:>8.3f}   x{t8 / t1:.1f}")

    if args.stream_mb:
        with tempfile.TemporaryDirectory() as tmp:
            print("\nstreaming read_ticker(path, chunksize=200_000), peak RSS growth:")
            for mb in sorted({max(1, args.stream_mb // 10), args.stream_mb}):
                path = os.path.join(tmp, f"dump-{mb}.txt")
                entries = write_dump(path, mb)
                start = time.perf_counter()
                rows, peak = _child("stream", "0", path)
                seconds = time.perf_counter() - start
                assert rows == entries, (rows, entries)
                print(
                    f"  {mb:>6} MB, {rows:>12,} entries: {peak / 1e6:8.1f} MB peak, "
                    f"{rows / seconds:,.0f} entries/s"
                )
                os.unlink(path)


if __name__ == "__main__":
    main()
