"""``ticker-parse``: convert ticker dumps to CSV, JSON lines or Parquet.

Exit codes: 0 success; 1 an input could not be read, or ``--strict`` and a quote is
flagged; 2 usage errors. Every expected failure is one line on stderr (``--verbose`` adds
the traceback). Output goes to a temporary file renamed into place only on success.
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
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, BinaryIO, Protocol

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ticker_parse import __version__
from ticker_parse.errors import TickerParseError
from ticker_parse.models import Dialect, Residue
from ticker_parse.reading import (
    DecodeStats,
    block_frames,
    describe_path,
    iter_decoded,
    open_binary,
)
from ticker_parse.summary import Summary, summarize_counts, summarize_frame
from ticker_parse.table import TEXT_DTYPE, dedupe

__all__ = ["EXPECTED_DECIMALS", "OUTPUT_COLUMNS", "PARQUET_SCHEMA", "main"]

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
)
#: ``expected_percent`` is written rounded to this many decimal places, halves to even.
EXPECTED_DECIMALS = 4
_TEXT_COLUMNS = ("source", "symbol", "direction", "issues")
_NUMBER_TEXT_COLUMNS = ("price", "change", "percent")
# Displayed figures have up to 18 integer digits (grouped) and 8 decimals: exact in Parquet.
_DECIMAL = pa.decimal128(38, 8)
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
        help="input files; - is standard input (the default); .gz, .bz2 and .xz are decompressed",
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
        help="drop rows repeating an earlier row of the same file (strips shown twice)",
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
    per_file: dict[str, Summary] = field(default_factory=dict)
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

    def __init__(self, fmt: str, sink: _Sink, name: str) -> None:
        self.fmt = fmt
        self.sink = sink
        self.name = name
        self.header = True
        self._parquet: Any = None  # a pyarrow.parquet.ParquetWriter once opened

    def write(self, frame: pd.DataFrame) -> None:
        if self.fmt == "csv":
            if self.header:
                self._put(_csv_header(frame.columns))
            self._put(_csv_bytes(frame))
        elif self.fmt == "jsonl":
            self._put(_jsonl(frame).encode("utf-8"))
        else:
            self._write_parquet(_parquet_table(frame))
        self.header = False

    def _put(self, data: bytes | memoryview) -> None:
        try:
            self.sink.write(data)
        except BrokenPipeError:
            raise
        except OSError as exc:  # a full disk, say: the output's fault, not an input's
            raise _named(exc, self.name) from exc

    def _write_parquet(self, table: Any) -> None:
        import pyarrow.parquet as pq

        try:
            if self._parquet is None:
                self._parquet = pq.ParquetWriter(self.sink, PARQUET_SCHEMA)
            if table is not None:
                self._parquet.write_table(table)
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise _named(exc, self.name) from exc

    def finish(self) -> None:
        """Complete the output: a header, a Parquet footer, even when no row came."""
        if self.fmt == "csv" and self.header:
            self._put(_csv_header(OUTPUT_COLUMNS))
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


def _parquet_table(frame: pd.DataFrame) -> Any:
    """``frame`` as a table of :data:`PARQUET_SCHEMA` (figures cast from their text)."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    columns = []
    for spec in PARQUET_SCHEMA:
        column = table.column(spec.name)
        if pa.types.is_dictionary(column.type):
            column = pc.dictionary_decode(column)
        columns.append(pc.cast(column, spec.type))
    return pa.Table.from_arrays(columns, schema=PARQUET_SCHEMA)


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
    expected = _float_text(pa.array(frame["expected_percent"], from_pandas=True)).to_pylist()
    lines = []
    for i, row in enumerate(frame.itertuples(index=False)):
        parts = []
        for name, value in zip(OUTPUT_COLUMNS, row, strict=True):
            if name in _NUMBER_TEXT_COLUMNS or name in ("entry", "start", "end"):
                cell = "null" if value is None or value is pd.NA else str(value)
            elif name == "expected_percent":
                cell = expected[i] or "null"
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


def _frames(
    path: str, args: argparse.Namespace, stats: DecodeStats, residue: list[Residue] | None
) -> Iterator[pd.DataFrame]:
    """Frames (numbers as displayed text) of one input, read in blocks."""
    symbols = args.symbols.split(",") if args.symbols else None
    size = _file_size(path)
    show = args.progress == "always" or (
        args.progress == "auto" and size >= _PROGRESS_MIN_BYTES and sys.stderr.isatty()
    )
    with open_binary(path) as stream:
        pieces = iter_decoded(
            stream,
            source=describe_path(path),
            encoding=args.encoding,
            errors=args.encoding_errors,
            stats=stats,
        )
        for frame in block_frames(
            pieces,
            dialect=args.dialect,
            symbols=symbols,
            validate=not args.no_validate,
            exact="text",
            source=describe_path(path),
            residue=residue,
        ):
            _progress(show, _tell(stream), size, describe_path(path))
            yield frame
    if show:
        sys.stderr.write("\n")


def _tell(stream: IO[bytes]) -> int:
    try:
        inner = getattr(stream, "fileobj", None) or getattr(stream, "_fp", None)
        return (inner or stream).tell()
    except (OSError, ValueError, AttributeError):
        return 0


def _convert(
    args: argparse.Namespace, writer: _Writer, totals: _Totals
) -> list[tuple[str, Residue]]:
    residue_rows: list[tuple[str, Residue]] = []
    for path in args.files:
        source = describe_path(path)
        stats = DecodeStats()
        residue: list[Residue] | None = [] if args.residue else None
        entry = 0
        seen: set[int] = set()
        file_frames: list[Summary] = []
        for frame in _frames(path, args, stats, residue):
            if args.drop_duplicates:
                frame = dedupe(frame, seen)
            file_frames.append(summarize_frame(frame))
            out = frame.copy()
            out.insert(0, "entry", range(entry + 1, entry + 1 + len(frame)))
            entry += len(frame)
            out = _defuse(out[list(OUTPUT_COLUMNS)], _TEXT_COLUMNS)
            out["expected_percent"] = _rounded(out["expected_percent"])
            writer.write(out)
        summary = _merge(file_frames)
        totals.per_file[source] = summary
        totals.quotes += summary.quotes
        totals.with_percent += summary.with_percent
        totals.flagged += summary.flagged
        totals.counts.update(summary.counts)
        totals.replaced += stats.replaced
        if stats.replaced and not args.quiet:
            print(
                f"{source}: replaced {stats.replaced} byte(s) that do not decode as "
                f"{stats.encoding}",
                file=sys.stderr,
            )
        if residue:
            residue_rows.extend((source, r) for r in residue)
    return residue_rows


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
        codecs.lookup(args.encoding)
    except LookupError:
        raise UsageError(f"unknown encoding {args.encoding!r}") from None
    totals = _Totals()
    with contextlib.ExitStack() as stack:
        # both destinations are checked (their temporaries made) before any input is read
        fh = None if args.output == "-" else stack.enter_context(_atomic(args.output))
        residue_fh = stack.enter_context(_atomic(args.residue)) if args.residue else None
        writer = _Writer(fmt, *((_stdout_sink(), "<stdout>") if fh is None else (fh, args.output)))
        try:
            residue_rows = _convert(args, writer, totals)
            writer.finish()
        except BaseException:
            writer.abort()
            raise
        if residue_fh is not None:
            _write_residue(residue_fh, residue_rows)
    if not args.quiet:
        _report(totals)
    if args.strict and totals.flagged:
        print(f"ticker-parse: --strict: {totals.flagged} quote(s) flagged", file=sys.stderr)
        return 1
    return 0


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
