"""Speed and memory of ticker_parse, measured against a floor and a hand-written parser.

    python examples/benchmark.py                 # 1,000,000 entries, 2,000 pages (minutes)
    python examples/benchmark.py --entries 100000 --pages 200   # quick (under a minute)
    python examples/benchmark.py --workloads concat,faulty --no-fast   # without [fast]
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

Workloads on realistic, flawed text from :mod:`ticker_parse.testing` (``--workloads``), each
reported as ours / floor and naive / ours on the same input:

- concat: ``--entries`` entries of ``concatenated_strip`` (10% of symbols end in digits), a
  newline every 30; faulty: the same with 10% and 30% of the percents wrong;
- html: ``--pages`` ``html_page`` files (concatenated strip, plain/spans/pretty markup in
  turn): ``python -m ticker_parse DIR/*.html -o out.csv`` (one process, start-up included)
  against the hand loop (read, ``naive``, concat, ``to_csv``), ``read_ticker`` per file, and
  ``read_ticker`` of the list of paths (small files read together; the same frame);
  the floor reads every file and scans it for arrows;
- br: ``--entries`` Business Recorder lines through ``read_ticker(io.StringIO(text))``,
  against a hand loop with a Business Recorder pattern;
- warc: a gzipped WARC of ``--pages`` realistic ~60 KB news pages (``tests/warcgen.py``'s
  ``write_benchmark_warc`` when the repository's tests are importable, else pages from
  ``html_page`` written here with warcio): ``read_ticker(path)`` and the CLI to CSV, against
  the WARC reader alone plus the arrow scan (floor) or plus ``naive`` per page; also reports
  records/s, entries/s and the WARC reader's share of ``read_ticker``'s time.
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
from pathlib import Path

import pandas as pd

import ticker_parse
from ticker_parse.pipeline import threads
from ticker_parse.strategies import HOSTILE_SHAPES  # needs the test extra (hypothesis)
from ticker_parse.testing import brecorder_lines, concatenated_strip, html_page

WORKLOADS = ("concat", "faulty", "html", "br", "warc", "records", "memory", "hostile")

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


_NAIVE_BR = re.compile(
    r"([A-Z0-9]+) ([0-9,.]+) (?:Increased By|Decreased By|No Change) ?[▲▼]? ?"
    r"(-?[0-9.]+) \((-?[0-9.]+)%"
)


def naive_br(text: str) -> pd.DataFrame:
    """The hand-written loop for Business Recorder lines: one ``re.match`` a line."""
    rows = []
    for line in text.splitlines():
        m = _NAIVE_BR.match(line.strip())
        if m:
            rows.append(
                {
                    "symbol": m.group(1),
                    "price": float(m.group(2).replace(",", "")),
                    "change": float(m.group(3)),
                    "percent": float(m.group(4)),
                }
            )
    return pd.DataFrame(rows)


def ours(text: str) -> pd.DataFrame:
    return ticker_parse.read_ticker(io.StringIO(text))


def best_of(repeat: int, fn: Callable[[], object], budget: float = float("inf")) -> float:
    """The best of ``repeat`` runs, fewer once the runs so far took ``budget`` seconds."""
    best, spent = float("inf"), 0.0
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        seconds = time.perf_counter() - start
        best, spent = min(best, seconds), spent + seconds
        if spent >= budget:
            break
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


# --- workloads on realistic, flawed text (ticker_parse.testing) ---------------------------


class Table:
    """Rows of one workload each: the time of ours, with the floor and naive on the same input."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, int, float, float, float]] = []

    def add(self, name: str, entries: int, ours: float, floor: float, naive: float) -> None:
        self.rows.append((name, entries, ours, floor, naive))

    def print(self) -> None:
        if not self.rows:
            return
        print()
        print(
            f"{'workload':<37}{'entries':>11}{'seconds':>9}{'entries/s':>12}"
            f"{'floor s':>9}{'naive s':>9}{'ours/floor':>11}{'naive/ours':>11}"
        )
        for name, entries, ours, floor_s, naive_s in self.rows:
            print(
                f"{name:<37}{entries:>11,}{ours:>9.3f}{entries / ours:>12,.0f}"
                f"{floor_s:>9.3f}{naive_s:>9.3f}{ours / floor_s:>11.2f}{naive_s / ours:>11.2f}"
            )


def _flagged(frame: pd.DataFrame, truth: list[bool]) -> str:
    """How many true faults the frame flags, and how many honest rows it flags."""
    if len(frame) != len(truth):
        return f"{len(frame):,} rows for {len(truth):,} entries: flags not compared"
    flagged = (frame["issues"] != "").to_numpy()
    hits = sum(1 for f, t in zip(flagged, truth, strict=True) if f and t)
    false = sum(1 for f, t in zip(flagged, truth, strict=True) if f and not t)
    return f"flags {hits:,} of {sum(truth):,} wrong percents, {false:,} honest rows flagged"


def run_concat(table: Table, n: int, repeat: int, budget: float, rates: tuple[float, ...]) -> None:
    for rate in rates:
        text, truth = concatenated_strip(n, seed=21, fault_rate=rate, newline_every=30)
        kept: dict[str, pd.DataFrame] = {}
        t_floor = best_of(repeat, lambda: floor(text))  # noqa: B023 - called at once
        t_ours = best_of(repeat, lambda: kept.update(ours=ours(text)), budget)  # noqa: B023
        t_naive = best_of(repeat, lambda: naive(text), budget)  # noqa: B023
        frame = kept["ours"]
        assert len(frame) == n, ("ours must find every entry", len(frame), n)
        name = "concat clean" if rate == 0 else f"concat {rate:.0%} faulty"
        table.add(name, n, t_ours, t_floor, t_naive)
        if rate:
            print(f"  {name}: {_flagged(frame, [q.fault is not None for q in truth])}")


def run_html(table: Table, pages: int, repeat: int, budget: float) -> None:
    markups = ("plain", "spans", "pretty")
    with tempfile.TemporaryDirectory() as tmp:
        paths, truths = [], []
        for i in range(pages):
            page, truth = html_page(seed=i, strip="concatenated", markup=markups[i % 3])
            path = os.path.join(tmp, f"page-{i:05d}.html")
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(page)
            paths.append(path)
            truths.append([(q.symbol, float(q.price)) for q in truth])  # float: frame's dtype
        true_entries = sum(len(t) for t in truths)
        size = sum(os.path.getsize(p) for p in paths)
        print(f"  html: {pages:,} pages, {size / 1e6:.1f} MB, {true_entries:,} true entries")
        out = os.path.join(tmp, "out.csv")

        def read(path: str) -> str:
            with open(path, encoding="utf-8") as fh:
                return fh.read()

        def floor_pages() -> None:
            for path in paths:
                floor(read(path))

        def naive_pages() -> int:
            frame = pd.concat([naive(read(p)) for p in paths], ignore_index=True)
            frame.to_csv(out, index=False)
            return len(frame)

        def cli_pages() -> None:
            cmd = [sys.executable, "-m", "ticker_parse", *paths, "-o", out, "-q"]
            subprocess.run(cmd, check=True)

        frames: list[pd.DataFrame] = []

        def read_ticker_pages() -> None:
            frames[:] = [ticker_parse.read_ticker(p) for p in paths]
            pd.concat(frames, ignore_index=True)

        t_floor = best_of(repeat, floor_pages)
        t_naive = best_of(repeat, naive_pages, budget)
        naive_found = len(pd.read_csv(out))
        t_cli = best_of(repeat, cli_pages, budget)
        with open(out, encoding="utf-8") as fh:
            cli_rows = sum(1 for _ in fh) - 1
        t_read = best_of(repeat, read_ticker_pages, budget)
        together: list[pd.DataFrame] = []

        def read_ticker_list() -> None:
            together[:] = [ticker_parse.read_ticker(paths)]

        t_list = best_of(repeat, read_ticker_list, budget)
        pd.testing.assert_frame_equal(together[0], pd.concat(frames, ignore_index=True))
        found = sum(len(frame) for frame in frames)
        exact = sum(
            list(zip(frame["symbol"], frame["price"], strict=True)) == truth
            for frame, truth in zip(frames, truths, strict=True)
        )
        print(
            f"  html: entries found by read_ticker {found:,}, by the CLI {cli_rows:,}, "
            f"by naive {naive_found:,} (true: {true_entries:,}); read_ticker finds exactly "
            f"the strip's symbols and prices on {exact:,} of {pages:,} pages"
        )
    table.add(f"html {pages:,} pages: CLI -> CSV", true_entries, t_cli, t_floor, t_naive)
    table.add(f"html {pages:,} pages: read_ticker", true_entries, t_read, t_floor, t_naive)
    table.add(f"html {pages:,} pages: read_ticker(list)", true_entries, t_list, t_floor, t_naive)


def run_br(table: Table, n: int, repeat: int, budget: float) -> None:
    text, _ = brecorder_lines(n, seed=22)
    kept: dict[str, pd.DataFrame] = {}
    t_floor = best_of(repeat, lambda: floor(text))
    t_ours = best_of(repeat, lambda: kept.update(ours=ours(text)), budget)
    t_naive = best_of(repeat, lambda: kept.update(naive=naive_br(text)), budget)
    assert len(kept["ours"]) == n, "ours must find every Business Recorder entry"
    assert len(kept["naive"]) == n, "naive must find every Business Recorder entry"
    table.add("br lines: read_ticker", n, t_ours, t_floor, t_naive)


def write_warc(path: str, pages: int) -> int:
    """A gzipped WARC of ``pages`` news pages (a request and a response record each)."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if root not in sys.path:
        sys.path.append(root)
    try:
        from tests.warcgen import write_benchmark_warc
    except ImportError:  # an installed package without the repository's tests
        return _write_warc_here(path, pages)
    return len(write_benchmark_warc(Path(path), pages).expected)


def _write_warc_here(path: str, pages: int) -> int:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for i in range(pages):
            page, _ = html_page(seed=i, strip="concatenated", markup=("plain", "spans")[i % 2])
            headers = StatusAndHeaders(
                "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
            )
            record = writer.create_warc_record(
                f"https://news.example.pk/markets/{i}",
                "response",
                payload=io.BytesIO(page.encode()),
                http_headers=headers,
            )
            writer.write_record(record)
    return pages


def run_warc(table: Table, pages: int, repeat: int, budget: float) -> None:
    from ticker_parse.warc import iter_warc

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "crawl.warc.gz")
        records = write_warc(path, pages)
        out = os.path.join(tmp, "out.csv")
        size = os.path.getsize(path)
        text_chars = sum(len(doc.text) for doc in iter_warc(path))
        kept: dict[str, pd.DataFrame] = {}

        def reader_only() -> None:
            for _ in iter_warc(path):
                pass

        def floor_warc() -> None:
            for doc in iter_warc(path):
                floor(doc.text)

        def naive_warc() -> None:
            frames = [naive(doc.text) for doc in iter_warc(path)]
            pd.concat(frames, ignore_index=True).to_csv(out, index=False)

        def cli_warc() -> None:
            cmd = [sys.executable, "-m", "ticker_parse", path, "-o", out, "-q"]
            subprocess.run(cmd, check=True)

        t_reader = best_of(repeat, reader_only, budget)
        t_floor = best_of(repeat, floor_warc, budget)
        t_naive = best_of(repeat, naive_warc, budget)
        t_read = best_of(repeat, lambda: kept.update(ours=ticker_parse.read_ticker(path)), budget)
        t_cli = best_of(repeat, cli_warc, budget)
        entries = len(kept["ours"])
        print(
            f"  warc: {records:,} pages, {size / 1e6:.1f} MB gzipped, {text_chars / 1e6:.1f} M "
            f"characters, {entries:,} entries; WARC reader alone {t_reader:.2f} s "
            f"({records / t_reader:,.0f} records/s)\n"
            f"  warc: read_ticker {records / t_read:,.0f} records/s, {entries / t_read:,.0f} "
            f"entries/s, {t_read / records * 1e3:.2f} ms/page; the WARC reader is "
            f"{t_reader / t_read:.0%} of it; CLI -> CSV {records / t_cli:,.0f} records/s, "
            f"{t_cli / records * 1e3:.2f} ms/page (start-up included)"
        )
    table.add(f"warc {records:,} pages: read_ticker", entries, t_read, t_floor, t_naive)
    table.add(f"warc {records:,} pages: CLI -> CSV", entries, t_cli, t_floor, t_naive)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--entries", type=int, default=1_000_000)
    p.add_argument(
        "--records", type=int, default=None, help="entries for parse() (default: entries / 5)"
    )
    p.add_argument(
        "--pages", type=int, default=None, help="html pages (default: entries / 500, <= 2,000)"
    )
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument(
        "--hostile-chars", type=int, default=None, help="hostile text size (default: entries / 4)"
    )
    p.add_argument(
        "--budget",
        type=float,
        default=2.0,
        help="seconds after which a realistic workload stops repeating (best of fewer runs)",
    )
    p.add_argument("--stream-mb", type=int, default=0, help="also stream a file this large")
    p.add_argument(
        "--workloads",
        default=",".join(WORKLOADS),
        help=f"comma-separated, any of {','.join(WORKLOADS)} (default: all)",
    )
    p.add_argument(
        "--fast",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="force the optional compiled reader on or off in this process (default: "
        "automatic, when numba is installed and a text is big enough)",
    )
    p.add_argument("--memory-child", nargs="+", help=argparse.SUPPRESS)
    args = p.parse_args()
    ticker_parse.entries.use_kernel = args.fast
    if args.memory_child:
        kind, entries, *rest = args.memory_child
        memory_child(kind, int(entries), rest[0] if rest else None)
        return
    workloads = {w.strip() for w in args.workloads.split(",") if w.strip()}
    if workloads - set(WORKLOADS):
        p.error(f"unknown workloads {sorted(workloads - set(WORKLOADS))}; known: {WORKLOADS}")
    pages = args.pages if args.pages is not None else min(2_000, max(20, args.entries // 500))
    if args.records is None:
        args.records = max(1_000, args.entries // 5)
    if args.hostile_chars is None:
        args.hostile_chars = max(2_000, args.entries // 4)

    started = time.perf_counter()
    n = args.entries
    print(f"ticker_parse {ticker_parse.__version__}, Python {platform.python_version()},")
    print(f"{platform.machine()}, {os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}")
    print(f"threads finishing blocks: {threads()} (TICKER_PARSE_THREADS; 0: none)")

    if "concat" in workloads:
        text = make_text(n)
        print(f"input: {n:,} entries, {len(text):,} characters")
        assert len(ours(text)) == n, "ours must find every entry"
        assert len(naive(text)) == n, "naive must find every entry"

        t_floor = best_of(args.repeat, lambda: floor(text))
        t_ours = best_of(args.repeat, lambda: ours(text))
        t_naive = best_of(args.repeat, lambda: naive(text))
        rows = [("floor", t_floor, n), ("naive", t_naive, n), ("ours", t_ours, n)]
    else:
        rows = []
    if "records" in workloads:
        sub = make_text(args.records)
        t_parse = best_of(args.repeat, lambda: ticker_parse.parse(sub))
        br = make_br_text(args.records)
        assert len(ours(br)) == args.records, "ours must find every Business Recorder entry"
        t_br = best_of(args.repeat, lambda: ours(br))
        rows += [("parse()", t_parse, args.records), ("ours (BR)", t_br, args.records)]

    if rows:
        t_unit = t_floor / n if "concat" in workloads else None
        print()
        print(f"{'path':<10}{'seconds':>10}{'entries/s':>14}{'ns/entry':>10}{'x floor':>9}")
        for name, seconds, count in rows:
            ratio = f"{seconds / count / t_unit:>9.2f}" if t_unit else f"{'':>9}"
            print(
                f"{name:<10}{seconds:>10.3f}{count / seconds:>14,.0f}"
                f"{seconds / count * 1e9:>10.0f}{ratio}"
            )
    if "concat" in workloads:
        print(f"\nours / floor = {t_ours / t_floor:.2f} (goal <= 2)")
        print(f"naive / ours = {t_naive / t_ours:.2f} (goal >= 5)")
    if "records" in workloads:
        print(f"parse(): {args.records / t_parse:,.0f} quotes/s (goal >= 100,000)")
        print(
            f"ours on Business Recorder lines (records path): {args.records / t_br:,.0f} entries/s"
        )

    table = Table()
    if workloads & {"concat", "faulty", "html", "br", "warc"}:
        print("\nrealistic text from ticker_parse.testing:")
    rates = ((0.0,) if "concat" in workloads else ()) + (
        (0.1, 0.3) if "faulty" in workloads else ()
    )
    if rates:
        run_concat(table, n, args.repeat, args.budget, rates)
    if "html" in workloads:
        run_html(table, pages, args.repeat, args.budget)
    if "br" in workloads:
        run_br(table, n, args.repeat, args.budget)
    if "warc" in workloads:
        run_warc(table, pages, args.repeat, args.budget)
    table.print()

    if "memory" in workloads:
        rows_, peak = _child("ours", str(n))
        print(f"\nmemory, ours: {peak / n:,.0f} bytes/entry above the input (goal < 300)")
        rows_, peak = _child("frame", str(n))
        print(f"memory, frame_from_text(text): {peak / n:,.0f} bytes/entry above the input")
        m = args.records
        rows_, peak = _child("parse", str(m))
        print(f"memory, parse(): {peak / m:,.0f} bytes/entry above the input")

    if "hostile" in workloads:
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
                rows_, peak = _child("stream", "0", path)
                seconds = time.perf_counter() - start
                assert rows_ == entries, (rows_, entries)
                print(
                    f"  {mb:>6} MB, {rows_:>12,} entries: {peak / 1e6:8.1f} MB peak, "
                    f"{rows_ / seconds:,.0f} entries/s"
                )
                os.unlink(path)
    print(f"\nbenchmark finished in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
