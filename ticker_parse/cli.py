"""``ticker-parse``: convert ticker dumps and WARC archives to CSV, JSON lines or Parquet.

Exit codes: 0 success; 1 an input could not be read, or ``--strict`` and a quote is
flagged; 2 usage errors. Every expected failure is one line on stderr (``--verbose`` adds
the traceback). Output goes to a temporary file renamed into place only on success.

Small inputs (under :data:`SMALL_CHARS` characters decoded) and the pages of WARC archives
are read together, :data:`~ticker_parse.reading.BATCH_CHARS` of text per pipeline run; larger
files stream block by block. Either way every file (every page of a WARC) keeps its own
``entry`` numbers, strips, ``--drop-duplicates`` and summary, in input order.
"""

from __future__ import annotations

import argparse
import codecs
import contextlib
import errno
import json
import os
import re
import secrets
import stat
import sys
import traceback
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import chain
from typing import IO, Any, BinaryIO, Protocol, cast

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ticker_parse import __version__
from ticker_parse.errors import TickerParseError
from ticker_parse.history import HISTORY_COLUMNS, history
from ticker_parse.models import Dialect, Residue
from ticker_parse.pipeline import read_documents
from ticker_parse.reading import (
    BATCH_CHARS,
    SMALL_CHARS,
    DecodeStats,
    block_frames,
    describe_path,
    file_mtime,
    is_warc_path,
    iter_decoded,
    open_binary,
    read_head,
    sniff_stream,
)
from ticker_parse.summary import Summary, summarize_counts, summarize_frame
from ticker_parse.table import TEXT_DTYPE, capture_time, dedupe, empty_frame
from ticker_parse.warc import WarcStats, iter_warc

__all__ = [
    "EXPECTED_DECIMALS",
    "HISTORY_PARQUET_SCHEMA",
    "OUTPUT_COLUMNS",
    "PARQUET_SCHEMA",
    "SMALL_CHARS",
    "main",
]

#: Columns written, in order.
OUTPUT_COLUMNS: tuple[str, ...] = (
    "source",
    "entry",
    "symbol",
    "price",
    "direction",
    "change",
    "percent",
    "expected_percent",
    "issues",
    "start",
    "end",
    "strip",
    "strip_id",
    "captured_at",
)
#: ``expected_percent`` is written rounded to this many decimal places, halves to even.
EXPECTED_DECIMALS = 4
_TEXT_COLUMNS = ("source", "symbol", "direction", "issues")
_NUMBER_TEXT_COLUMNS = ("price", "change", "percent")
_INTEGER_COLUMNS = ("entry", "start", "end", "strip", "captures", "sources")
# Displayed figures have up to 18 integer digits (grouped) and 8 decimals: exact in Parquet.
_DECIMAL = pa.decimal128(38, 8)
_UTC = pa.timestamp("us", tz="UTC")
#: The Parquet schema, the same for every chunk and for a run with no rows.
PARQUET_SCHEMA = pa.schema(
    [
        ("source", pa.large_string()),
        ("entry", pa.int64()),
        ("symbol", pa.large_string()),
        ("price", _DECIMAL),
        ("direction", pa.large_string()),
        ("change", _DECIMAL),
        ("percent", _DECIMAL),
        ("expected_percent", pa.float64()),
        ("issues", pa.large_string()),
        ("start", pa.int64()),
        ("end", pa.int64()),
        ("strip", pa.int64()),
        ("strip_id", pa.large_string()),
        ("captured_at", _UTC),
    ]
)
#: The Parquet schema of ``--history`` output (:data:`ticker_parse.history.HISTORY_COLUMNS`).
HISTORY_PARQUET_SCHEMA = pa.schema(
    [
        ("symbol", pa.large_string()),
        ("price", _DECIMAL),
        ("direction", pa.large_string()),
        ("change", _DECIMAL),
        ("percent", _DECIMAL),
        ("first_seen", _UTC),
        ("last_seen", _UTC),
        ("captures", pa.int64()),
        ("sources", pa.int64()),
        ("issues", pa.large_string()),
    ]
)
_RESIDUE_COLUMNS = ("source", "start", "end", "reason", "text")
# Cells starting with these are read as formulas by spreadsheets (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_PATTERN = "^[" + "".join(re.escape(c) for c in _FORMULA_START) + "]"
_CSV_SPECIAL = '[,"\r\n]'  # cells holding one of these are quoted
_EMPTY, _QUOTE, _COMMA, _NEWLINE, _POINT_ZERO = (
    pa.scalar(text, pa.large_string()) for text in ("", '"', ",", "\n", ".0")
)
_PROGRESS_MIN_BYTES = 8 << 20


class UsageError(Exception):
    """A command-line mistake: exit code 2."""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="ticker-parse",
        description="Convert scraped ticker-strip text to CSV, JSON lines or Parquet, "
        "flagging figures that cannot be right.",
    )
    p.add_argument(
        "files",
        nargs="*",
        default=["-"],
        help="input files; - is standard input (the default); .gz, .bz2 and .xz are "
        "decompressed; WARC archives (.warc, .warc.gz) are told by their content",
    )
    p.add_argument("-o", "--output", default="-", help="output file (default: standard output)")
    p.add_argument(
        "--format",
        choices=("csv", "jsonl", "parquet"),
        default=None,
        help="output format (default: from the -o suffix, else csv)",
    )
    p.add_argument("--encoding", default="utf-8", help="input encoding (default utf-8; a BOM wins)")
    p.add_argument(
        "--encoding-errors",
        choices=("strict", "replace"),
        default="strict",
        help="bytes that do not decode: fail (strict) or replace and count them",
    )
    p.add_argument(
        "--dialect",
        choices=[d.value for d in Dialect],
        default=None,
        help="force one dialect instead of detecting it per strip",
    )
    p.add_argument(
        "--markup",
        choices=["auto", "html", "text"],
        default="auto",
        help="read the input as HTML (as a browser shows it) or as text; auto: by its content",
    )
    p.add_argument(
        "--symbols",
        default=None,
        help="comma-separated extra known symbols (settle glued KSE100-like splits)",
    )
    p.add_argument(
        "--residue",
        metavar="FILE",
        default=None,
        help="also write what was not parsed (source, start, end, reason, text) as CSV",
    )
    p.add_argument("--no-validate", action="store_true", help="skip the consistency checks")
    p.add_argument(
        "--drop-duplicates",
        action="store_true",
        help="drop rows repeating an earlier row of the same file, or the same page of a "
        "WARC (strips shown twice)",
    )
    p.add_argument(
        "--captured-at",
        metavar="WHEN",
        default=None,
        help="capture time of text inputs: an ISO 8601 date and time (naive = UTC) or "
        "'mtime' (each file's modification time); WARC pages carry their own WARC-Date",
    )
    p.add_argument(
        "--history",
        action="store_true",
        help="write one row per symbol and quote state across all inputs "
        "(ticker_parse.history.history) instead of the quotes",
    )
    p.add_argument("--strict", action="store_true", help="exit 1 if any quote is flagged")
    p.add_argument("-q", "--quiet", action="store_true", help="no summary on stderr")
    p.add_argument(
        "--progress",
        choices=("auto", "always", "never"),
        default="auto",
        help="progress on stderr (auto: for large inputs when stderr is a terminal)",
    )
    p.add_argument("-v", "--verbose", action="store_true", help="tracebacks for errors")
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return p


def _defuse(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Prefix ``'`` to text cells a spreadsheet would run as a formula (vectorized)."""
    for name in columns:
        column = frame[name]
        if isinstance(column.dtype, pd.CategoricalDtype):
            if not any(str(v).startswith(_FORMULA_START) for v in column.cat.categories):
                continue  # a handful of labels, none risky
            column = column.astype(str)
        cells = pa.array(column, type=pa.large_string(), from_pandas=True)
        risky = pc.fill_null(pc.match_substring_regex(cells, _FORMULA_PATTERN), False)
        if pc.any(risky).as_py():
            quote, empty = pa.scalar("'", pa.large_string()), pa.scalar("", pa.large_string())
            defused = pc.if_else(risky, pc.binary_join_element_wise(quote, cells, empty), cells)
            frame[name] = pd.array(defused, dtype=TEXT_DTYPE)
    return frame


@dataclass(slots=True)
class _Totals:
    parts: dict[str, list[Summary]] = field(default_factory=dict)
    per_file: dict[str, Summary] = field(default_factory=dict)
    warc: dict[str, WarcStats] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)
    quotes: int = 0
    with_percent: int = 0
    flagged: int = 0
    replaced: int = 0


class _Sink(Protocol):
    """Where output bytes go: a binary file, ``sys.stdout.buffer``, or :class:`_TextSink`."""

    def write(self, data: bytes | memoryview, /) -> object: ...

    def flush(self) -> object: ...


class _TextSink:
    """A text stream without a binary layer (``sys.stdout`` replaced by a StringIO)."""

    def __init__(self, text: IO[str]) -> None:
        self.text = text

    def write(self, data: bytes | memoryview, /) -> int:
        return self.text.write(bytes(data).decode("utf-8"))

    def flush(self) -> None:
        self.text.flush()


def _stdout_sink() -> _Sink:
    sys.stdout.flush()  # anything already written through the text layer goes first
    buffer: BinaryIO | None = getattr(sys.stdout, "buffer", None)
    return buffer if buffer is not None else _TextSink(sys.stdout)


class _Writer:
    """Writes chunks in one format to one sink; errors name the output as typed."""

    def __init__(
        self,
        fmt: str,
        sink: _Sink,
        name: str,
        columns: Sequence[str] = OUTPUT_COLUMNS,
        schema: Any = PARQUET_SCHEMA,
    ) -> None:
        self.fmt = fmt
        self.sink = sink
        self.name = name
        self.columns = tuple(columns)
        self.schema = schema
        self.header = True
        self._parquet: Any = None  # a pyarrow.parquet.ParquetWriter once opened

    def write(self, frame: pd.DataFrame) -> None:
        if self.fmt == "csv":
            if self.header:
                self._put(_csv_header(frame.columns))
            self._put(_csv_bytes(_iso_times(frame)))
        elif self.fmt == "jsonl":
            self._put(_jsonl(_iso_times(frame)).encode("utf-8"))
        else:
            self._write_parquet(_parquet_table(frame, self.schema))
        self.header = False

    def _put(self, data: bytes | memoryview) -> None:
        try:
            self.sink.write(data)
        except BrokenPipeError:
            raise
        except OSError as exc:  # a full disk, say: the output's fault, not an input's
            raise _named(exc, self.name) from exc

    def _write_parquet(self, table: Any) -> None:
        try:
            if self._parquet is None:
                self._parquet = pq.ParquetWriter(self.sink, self.schema)
            if table is not None:
                self._parquet.write_table(table)
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise _named(exc, self.name) from exc

    def finish(self) -> None:
        """Complete the output: a header, a Parquet footer, even when no row came."""
        if self.fmt == "csv" and self.header:
            self._put(_csv_header(self.columns))
        if self.fmt == "parquet":
            self._write_parquet(None)
        try:
            if self._parquet is not None:
                self._parquet.close()
            self.sink.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise _named(exc, self.name) from exc

    def abort(self) -> None:
        """Let go of a failed output (its temporary file is about to be removed)."""
        if self._parquet is not None:
            with contextlib.suppress(Exception):
                self._parquet.close()


def _parquet_table(frame: pd.DataFrame, schema: Any = PARQUET_SCHEMA) -> Any:
    """``frame`` as a table of ``schema`` (figures cast from their text, times to µs)."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    columns = []
    for spec in schema:
        column = table.column(spec.name)
        if pa.types.is_dictionary(column.type):
            column = pc.dictionary_decode(column)
        safe = not pa.types.is_timestamp(spec.type)  # nanoseconds are truncated to µs
        columns.append(pc.cast(column, spec.type, safe=safe))
    return pa.Table.from_arrays(columns, schema=schema)


def _iso_times(frame: pd.DataFrame) -> pd.DataFrame:
    """Times as ISO 8601 text in UTC (``2024-03-04T09:30:00Z``; µs when a time has them)."""
    times = [n for n in frame.columns if isinstance(frame[n].dtype, pd.DatetimeTZDtype)]
    if not times:
        return frame
    frame = frame.copy(deep=False)
    for name in times:
        array = pa.array(frame[name], from_pandas=True)
        whole = pc.cast(array, pa.timestamp("s", tz="UTC"), safe=False)
        exact = pc.all(pc.equal(pc.cast(whole, array.type), array)).as_py() is not False
        shown = whole if exact else pc.cast(array, _UTC, safe=False)
        frame[name] = pd.array(pc.strftime(shown, format="%Y-%m-%dT%H:%M:%SZ"), dtype=TEXT_DTYPE)
    return frame


def _rounded(values: pd.Series) -> np.ndarray:
    """``values`` rounded to :data:`EXPECTED_DECIMALS` places, halves to even.

    Rounding is Arrow's: the value times 10**4 rounded to the nearest integer, an exact
    half to the even one (0.00025 -> 0.0002, 0.00035 -> 0.0004); -0.0 becomes 0.0.
    """
    array = pa.array(values, type=pa.float64(), from_pandas=True)
    rounded = pc.round(array, ndigits=EXPECTED_DECIMALS, round_mode="half_to_even")
    result: np.ndarray = pc.add(rounded, 0.0).to_numpy(zero_copy_only=False)
    return result


def _csv_header(columns: Iterable[str]) -> bytes:
    return (",".join(columns) + "\n").encode("utf-8")  # plain names: nothing to quote


def _csv_bytes(frame: pd.DataFrame) -> memoryview:
    """The rows of ``frame`` as CSV (no header), assembled by pyarrow compute kernels.

    Only cells holding a comma, a double quote or a line break are quoted (quotes doubled);
    null and empty text are empty cells; numbers are Arrow's shortest round-trip form.
    ``pyarrow.csv`` cannot write this: its "needed" style quotes every text cell, its "none"
    style refuses the cells that need quotes. One pass over columns, no Python per row.
    """
    if len(frame) == 0:
        return memoryview(b"")
    table = pa.Table.from_pandas(frame, preserve_index=False)
    cells = []
    for column in table.columns:
        array = column.combine_chunks()
        if pa.types.is_dictionary(array.type):
            array = array.dictionary_decode()
        text = _float_text(array) if pa.types.is_floating(array.type) else _text(array)
        if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
            special = pc.fill_null(pc.match_substring_regex(text, _CSV_SPECIAL), False)
            if pc.any(special).as_py():
                doubled = pc.replace_substring(text, '"', '""')
                quoted = pc.binary_join_element_wise(_QUOTE, doubled, _QUOTE, _EMPTY)
                text = pc.if_else(special, quoted, text)
        cells.append(pc.fill_null(text, _EMPTY))
    cells[-1] = pc.binary_join_element_wise(cells[-1], _NEWLINE, _EMPTY)
    lines = pc.binary_join_element_wise(*cells, _COMMA)
    return _string_bytes(lines)


def _text(array: Any) -> Any:
    return array.cast(pa.large_string())


def _float_text(array: Any) -> Any:
    """Floats as Python's repr writes them: shortest round-trip digits, ``2.0`` not ``2``."""
    text = _text(array)
    integral = pc.fill_null(pc.match_substring_regex(text, r"^-?[0-9]+$"), False)
    if pc.any(integral).as_py():
        with_point = pc.binary_join_element_wise(text, _POINT_ZERO, _EMPTY)
        text = pc.if_else(integral, with_point, text)
    return text


def _string_bytes(array: Any) -> memoryview:
    """The UTF-8 bytes of a null-free ``large_string`` array, one after the other, no copy."""
    _, offsets, data = array.buffers()
    ends = np.frombuffer(offsets, dtype=np.int64)
    first, last = int(ends[array.offset]), int(ends[array.offset + len(array)])
    return memoryview(data)[first:last]


def _jsonl(frame: pd.DataFrame) -> str:
    """JSON lines: figures as displayed, ``expected_percent`` in the CSV's exact form."""
    expected = (
        _float_text(pa.array(frame["expected_percent"], from_pandas=True)).to_pylist()
        if "expected_percent" in frame.columns
        else []
    )
    names = list(frame.columns)
    lines = []
    for i, row in enumerate(frame.itertuples(index=False)):
        parts = []
        for name, value in zip(names, row, strict=True):
            missing = (
                value is None or value is pd.NA or (isinstance(value, float) and value != value)
            )
            if name in _NUMBER_TEXT_COLUMNS or name in _INTEGER_COLUMNS:
                cell = "null" if missing else str(value)
            elif name == "expected_percent":
                cell = expected[i] or "null"
            elif name in ("captured_at", "first_seen", "last_seen") and missing:
                cell = "null"
            else:
                cell = json.dumps(str(value), ensure_ascii=False)
            parts.append(f"{json.dumps(name)}: {cell}")
        lines.append("{" + ", ".join(parts) + "}\n")
    return "".join(lines)


def _progress(enabled: bool, done: int, total: int, name: str) -> None:
    if enabled and total:
        pct = min(100.0, done * 100.0 / total)
        sys.stderr.write(f"\r{name}: {pct:5.1f}% ({done:,} of {total:,} bytes)")
        sys.stderr.flush()


def _file_size(path: str) -> int:
    try:
        return os.path.getsize(path) if path != "-" else 0
    except OSError:
        return 0


@dataclass(slots=True)
class _Doc:
    """One document waiting for a batch: a small file, or one page of a WARC."""

    owner: str  # the input it belongs to, for its summary
    source: str
    text: str
    captured_at: datetime | None


class _Converter:
    """Reads the inputs in order; hands every frame (numbers as displayed text, an ``entry``
    column first) to ``emit``; counts per input in ``totals``."""

    def __init__(
        self, args: argparse.Namespace, emit: Callable[[pd.DataFrame], None], totals: _Totals
    ) -> None:
        self.args = args
        self.emit = emit
        self.totals = totals
        self.symbols: list[str] | None = args.symbols.split(",") if args.symbols else None
        self.pending: list[_Doc] = []
        self.pending_chars = 0
        self.residue_rows: list[tuple[str, Residue]] = []

    # --- inputs ---------------------------------------------------------------------------

    def convert(self, path: str) -> None:
        name = describe_path(path)
        self.totals.parts.setdefault(name, [])
        if path == "-":  # standard input cannot be read twice: its first bytes are replayed
            stream, warc = sniff_stream(sys.stdin.buffer)
            if warc:
                self._warc(stream, name)
            else:
                self._text(path, name, stream)
        elif is_warc_path(path):
            self._warc(path, name)
        else:
            self._text(path, name)

    def _text(self, path: str, name: str, opened: BinaryIO | None = None) -> None:
        args = self.args
        stats = DecodeStats()
        stamp = self._stamp(path)
        size = _file_size(path)
        show = args.progress == "always" or (
            args.progress == "auto" and size >= _PROGRESS_MIN_BYTES and sys.stderr.isatty()
        )
        with open_binary(path) if opened is None else opened as stream:
            pieces = iter_decoded(
                stream,
                source=name,
                encoding=args.encoding,
                errors=args.encoding_errors,
                stats=stats,
            )
            head, _, whole = read_head(pieces, SMALL_CHARS)
            if whole and not args.residue and not show:
                self._add(_Doc(name, name, "".join(head), stamp))
                self._replaced(name, stats)
                return
            self.flush()  # what came before goes out first
            residue: list[Residue] | None = [] if args.residue else None
            frames = block_frames(
                chain(head, pieces),
                dialect=args.dialect,
                symbols=self.symbols,
                validate=not args.no_validate,
                exact="text",
                markup=args.markup,
                source=name,
                captured_at=stamp,
                residue=residue,
            )
            seen: set[int] = set()
            entry = 0
            for frame in frames:
                _progress(show, _tell(stream), size, name)
                if args.drop_duplicates:
                    frame = dedupe(frame, seen)
                self.totals.parts[name].append(summarize_frame(frame))
                frame.insert(0, "entry", np.arange(entry + 1, entry + 1 + len(frame)))
                entry += len(frame)
                self.emit(frame)
        if show:
            sys.stderr.write("\n")
        self._replaced(name, stats)
        if residue:
            self.residue_rows.extend((name, r) for r in residue)

    def _warc(self, path: str | BinaryIO, name: str) -> None:
        stats = WarcStats()
        self.totals.warc[name] = stats
        for doc in iter_warc(path, stats=stats, source_name=name):
            if not self.args.residue:
                self._add(_Doc(name, doc.source, doc.text, doc.captured_at))
                continue
            self.flush()
            residue: list[Residue] = []
            frames = block_frames(
                [doc.text],
                dialect=self.args.dialect,
                symbols=self.symbols,
                validate=not self.args.no_validate,
                exact="text",
                source=doc.source,
                captured_at=pd.Timestamp(doc.captured_at).as_unit("ns"),
                residue=residue,
            )
            parts = list(frames)
            frame = pd.concat(parts, ignore_index=True) if parts else empty_frame(exact="text")
            if self.args.drop_duplicates:
                frame = dedupe(frame)
            self.totals.parts[name].append(summarize_frame(frame))
            frame.insert(0, "entry", np.arange(1, len(frame) + 1))
            self.emit(frame)
            self.residue_rows.extend((doc.source, r) for r in residue)

    def _stamp(self, path: str) -> pd.Timestamp | None:
        when = self.args.captured_at
        if when is None:
            return None
        if isinstance(when, str):  # "mtime"
            return file_mtime(path)
        return pd.Timestamp(when).as_unit("ns")

    def _replaced(self, name: str, stats: DecodeStats) -> None:
        self.totals.replaced += stats.replaced
        if stats.replaced and not self.args.quiet:
            print(
                f"{name}: replaced {stats.replaced} byte(s) that do not decode as {stats.encoding}",
                file=sys.stderr,
            )

    # --- batches --------------------------------------------------------------------------

    def _add(self, doc: _Doc) -> None:
        self.pending.append(doc)
        self.pending_chars += len(doc.text)
        if self.pending_chars >= BATCH_CHARS:
            self.flush()

    def flush(self) -> None:
        """Read the pending documents in one pipeline run and emit their rows."""
        docs, self.pending, self.pending_chars = self.pending, [], 0
        if not docs:
            return
        args = self.args
        frame, doc = read_documents(
            [d.text for d in docs],
            sources=[d.source for d in docs],
            captured_at=[d.captured_at for d in docs],
            dialect=args.dialect,
            symbols=self.symbols,
            validate=not args.no_validate,
            exact="text",
            markup=args.markup,
            drop_duplicates=args.drop_duplicates,
        )
        first = np.searchsorted(doc, doc)
        frame.insert(0, "entry", np.arange(len(frame)) - first + 1)
        owners = {owner: i for i, owner in enumerate(dict.fromkeys(d.owner for d in docs))}
        owner_of_doc = np.array([owners[d.owner] for d in docs], dtype=np.int64)
        summaries = _summaries(frame, owner_of_doc[doc], len(owners))
        for owner, summary in zip(owners, summaries, strict=True):
            self.totals.parts[owner].append(summary)
        self.emit(frame)


def _summaries(frame: pd.DataFrame, group: np.ndarray, groups: int) -> list[Summary]:
    """One :class:`Summary` per group of rows (``group``: each row's number), vectorized."""
    quotes = np.bincount(group, minlength=groups)
    with_percent = np.bincount(
        group, weights=frame["percent"].notna().to_numpy(), minlength=groups
    ).astype(np.int64)
    counts: list[Counter[str]] = [Counter() for _ in range(groups)]
    flagged = [0] * groups
    issues = frame["issues"]
    if len(frame):
        pairs = pd.DataFrame({"group": group, "issues": issues}).value_counts(sort=False)
        for key, n in pairs.items():
            g, value = cast(tuple[int, str], key)
            if value:
                flagged[int(g)] += int(n)
                for code in str(value).split(";"):
                    counts[int(g)][code] += int(n)
    return [
        summarize_counts(int(quotes[g]), int(with_percent[g]), flagged[g], counts[g])
        for g in range(groups)
    ]


def _tell(stream: IO[bytes]) -> int:
    try:
        inner = getattr(stream, "fileobj", None) or getattr(stream, "_fp", None)
        return (inner or stream).tell()
    except (OSError, ValueError, AttributeError):
        return 0


def _convert(
    args: argparse.Namespace, emit: Callable[[pd.DataFrame], None], totals: _Totals
) -> list[tuple[str, Residue]]:
    converter = _Converter(args, emit, totals)
    for path in args.files:
        converter.convert(path)
    converter.flush()
    for name, parts in totals.parts.items():
        summary = _merge(parts)
        totals.per_file[name] = summary
        totals.quotes += summary.quotes
        totals.with_percent += summary.with_percent
        totals.flagged += summary.flagged
        totals.counts.update(summary.counts)
    return converter.residue_rows


def _output(frame: pd.DataFrame) -> pd.DataFrame:
    """A frame as the quotes output writes it: its columns, defused, rounded."""
    out = _defuse(frame[list(OUTPUT_COLUMNS)].copy(), _TEXT_COLUMNS)
    out["expected_percent"] = _rounded(out["expected_percent"])
    return out


def _history(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """:func:`ticker_parse.history.history` of all rows; figures written as displayed."""
    rows = [f for f in frames if len(f)] or [empty_frame(exact="text")]
    shown = pd.concat(rows, ignore_index=True)
    numbers = shown.drop(columns=["entry"], errors="ignore").copy()
    for name in _NUMBER_TEXT_COLUMNS:
        numbers[name] = shown[name].astype("float64")
    numbers["_row"] = np.arange(len(shown))
    hist = history(numbers)
    first = hist["_row"].to_numpy()
    for name in _NUMBER_TEXT_COLUMNS:
        hist[name] = shown[name].iloc[first].reset_index(drop=True)
    return _defuse(hist[list(HISTORY_COLUMNS)].copy(), ("symbol", "direction", "issues"))


def _merge(parts: Sequence[Summary]) -> Summary:
    counts: Counter[str] = Counter()
    for s in parts:
        counts.update(s.counts)
    return summarize_counts(
        sum(s.quotes for s in parts),
        sum(s.with_percent for s in parts),
        sum(s.flagged for s in parts),
        counts,
    )


def _report(totals: _Totals) -> None:
    for source, s in totals.per_file.items():
        line = f"{source}: {s.quotes} quotes, {s.flagged} flagged"
        if s.counts:
            line += " (" + ", ".join(f"{c} {n}" for c, n in sorted(s.counts.items())) + ")"
        print(line, file=sys.stderr)
        if s.diagnosis:
            print(f"{source}: {s.diagnosis}", file=sys.stderr)


def _report_warc(totals: _Totals, quiet: bool) -> None:
    """One line per WARC input: pages read, records skipped by reason, damaged records; then
    each damaged record's line. ``quiet`` keeps only the summary of a damaged archive."""
    for source, stats in totals.warc.items():
        if quiet and not stats.errors:
            continue
        skipped = sum(stats.skipped.values())
        line = f"{source}: WARC: {stats.parsed} page(s) read, {skipped} record(s) skipped"
        if stats.skipped:
            line += " (" + ", ".join(f"{r} {n}" for r, n in sorted(stats.skipped.items())) + ")"
        line += f", {len(stats.errors)} damaged"
        if stats.replaced_chars:
            line += f", {stats.replaced_chars} undecodable byte(s) replaced"
        print(line, file=sys.stderr)
        if not quiet:
            for error in stats.errors:
                print(error, file=sys.stderr)


def _new_temp(directory: str) -> tuple[int, str]:
    """An empty temporary file in ``directory``, created with the mode a new file gets.

    It is opened with mode 0o666 so that the kernel applies the umask (and any default
    ACL) exactly as for ``>``; the umask itself is never read, so nothing races with other
    threads. (``mkstemp`` creates 0o600, and that mode would survive the rename.)
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        tmp = os.path.join(directory, f".ticker-parse-{secrets.token_hex(6)}")
        try:
            return os.open(tmp, flags | getattr(os, "O_BINARY", 0), 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary file name", directory)


def _keep_mode(path: str, tmp: str) -> None:
    """Give ``tmp`` the permission bits of the regular file ``path`` it will replace."""
    try:
        st = os.stat(path)
    except OSError:
        return  # a new file: the mode it was created with is right
    if stat.S_ISREG(st.st_mode):
        os.chmod(tmp, stat.S_IMODE(st.st_mode))


def _named(exc: OSError, path: str, tmp: str | None = None) -> OSError:
    """``exc`` about the output ``path`` as the user typed it, not the hidden temporary."""
    if exc.errno is not None:
        return OSError(exc.errno, exc.strerror or os.strerror(exc.errno), path)
    message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return OSError(f"{path}: {message.replace(tmp, path) if tmp else message}")


def _check_destination(path: str) -> None:
    """Fail before any work, naming ``path`` as typed, if it cannot be a file."""
    if path.endswith(("/", os.sep)) or os.path.isdir(path):
        raise OSError(errno.EISDIR, os.strerror(errno.EISDIR), path)


@contextlib.contextmanager
def _atomic(path: str) -> Iterator[BinaryIO]:
    """A temporary file beside ``path``, renamed onto it only if the block succeeds.

    Entered before any input is read, so a destination that cannot be written (missing or
    read-only directory, a directory as target) fails at once, named as typed. The file gets
    the mode a new file would get, or the mode of the file it replaces; on any error,
    Ctrl-C included, it is removed and ``path`` is left as it was.
    """
    _check_destination(path)
    try:
        fd, tmp = _new_temp(os.path.dirname(os.path.abspath(path)))
    except OSError as exc:
        raise _named(exc, path) from None
    fh = os.fdopen(fd, "wb")
    try:
        _keep_mode(path, tmp)
        yield fh
        try:
            fh.close()
            os.replace(tmp, path)
        except OSError as exc:
            raise _named(exc, path, tmp) from exc
    except BaseException:
        fh.close()
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _write_residue(out: BinaryIO, rows: list[tuple[str, Residue]]) -> None:
    frame = pd.DataFrame(
        [(s, r.start, r.end, r.reason.value, r.text) for s, r in rows],
        columns=list(_RESIDUE_COLUMNS),
    )
    frame = _defuse(frame, ("source", "text"))
    out.write(_csv_header(frame.columns))
    out.write(_csv_bytes(frame))


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or closed
        return False


def _format_of(args: argparse.Namespace) -> str:
    if args.format:
        return str(args.format)
    lower = args.output.lower()
    if lower.endswith(".parquet"):
        return "parquet"
    if lower.endswith((".jsonl", ".ndjson")):
        return "jsonl"
    return "csv"


def _same_file(a: str, b: str) -> bool:
    """Whether two paths name one existing file."""
    if b == "-":
        return False
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _run(args: argparse.Namespace) -> int:
    fmt = _format_of(args)
    if fmt == "parquet" and args.output == "-":
        if _is_terminal(sys.stdout):
            raise UsageError(
                "Parquet is binary and is not written to a terminal: "
                "redirect standard output or use -o FILE"
            )
        if getattr(sys.stdout, "buffer", None) is None:
            raise UsageError("standard output takes text only here: use -o FILE for Parquet")
    if args.files.count("-") > 1:
        raise UsageError("standard input (-) can be read only once")
    try:
        info = codecs.lookup(args.encoding)
    except LookupError:
        raise UsageError(f"unknown encoding {args.encoding!r}") from None
    if not getattr(info, "_is_text_encoding", True):
        raise UsageError(f"{args.encoding!r} is not a text encoding")
    for target in (args.output, args.residue):
        if target and target != "-" and any(_same_file(target, f) for f in args.files):
            raise UsageError(f"{target} is also an input: write the output elsewhere")
    args.captured_at = _captured_at_option(args.captured_at, args.files)
    totals = _Totals()
    with contextlib.ExitStack() as stack:
        # both destinations are checked (their temporaries made) before any input is read
        fh = None if args.output == "-" else stack.enter_context(_atomic(args.output))
        residue_fh = stack.enter_context(_atomic(args.residue)) if args.residue else None
        sink, name = (_stdout_sink(), "<stdout>") if fh is None else (fh, args.output)
        if args.history:
            writer = _Writer(fmt, sink, name, HISTORY_COLUMNS, HISTORY_PARQUET_SCHEMA)
        else:
            writer = _Writer(fmt, sink, name)
        try:
            if args.history:
                frames: list[pd.DataFrame] = []
                residue_rows = _convert(args, frames.append, totals)
                writer.write(_history(frames))
            else:
                residue_rows = _convert(args, lambda frame: writer.write(_output(frame)), totals)
            writer.finish()
        except BaseException:
            writer.abort()
            raise
        if residue_fh is not None:
            _write_residue(residue_fh, residue_rows)
    if not args.quiet:
        _report(totals)
    _report_warc(totals, args.quiet)
    if args.strict and totals.flagged:
        print(f"ticker-parse: --strict: {totals.flagged} quote(s) flagged", file=sys.stderr)
        return 1
    return 0


def _captured_at_option(value: str | None, files: Sequence[str]) -> datetime | str | None:
    """``--captured-at``: None, ``"mtime"``, or an aware UTC time (naive input is UTC)."""
    if value is None:
        return None
    if value.strip().lower() == "mtime":
        if "-" in files:
            raise UsageError("--captured-at mtime needs files: standard input has no mtime")
        return "mtime"
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise UsageError(
            f"--captured-at takes an ISO 8601 date and time or 'mtime', not {value!r}"
        ) from None
    if pd.isna(stamp):
        raise UsageError(f"--captured-at takes an ISO 8601 date and time, not {value!r}")
    try:
        aware: datetime = capture_time(stamp)  # type: ignore[assignment]
    except TickerParseError as exc:
        raise UsageError(f"--captured-at: {exc}") from None
    return aware


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse prints its own usage line
        return int(exc.code or 0)
    try:
        return _run(args)
    except UsageError as exc:
        print(f"ticker-parse: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader (e.g. `| head`) has gone: stop quietly, and keep Python from
        # complaining while it flushes stdout at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except (TickerParseError, OSError) as exc:
        if args.verbose:
            traceback.print_exc()
        print(f"ticker-parse: {_one_line(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("ticker-parse: interrupted", file=sys.stderr)
        return 130


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.filename is not None:
        return f"{exc.filename}: {exc.strerror or exc}"
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def console() -> None:  # pragma: no cover - the console-script entry point
    sys.exit(main())
