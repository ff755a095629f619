"""Reading inputs: paths (decompressed), text buffers, encodings, safe blocks; the readers
users call: :func:`read_ticker`, :func:`iter_quotes`.

Decoding is incremental so that huge files stream, and a byte that does not decode is
reported with its absolute byte offset in the (decompressed) input. Streams are cut into
blocks only where no entry, and where possible no strip, can straddle the cut.
"""

from __future__ import annotations

import bz2
import codecs
import gzip
import io
import lzma
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, BinaryIO, Literal, TypeVar, overload

import numpy as np
import pandas as pd

from ticker_parse.errors import (
    TickerArgumentError,
    TickerDecodeError,
    TickerParseError,
    TickerReadError,
)
from ticker_parse.models import Dialect, Quote, Residue
from ticker_parse.pipeline import Parsed, Settings, frame_from_text, run, settings
from ticker_parse.records import build_records, residue_between
from ticker_parse.table import Exactness, assemble_frame, check_exact, dedupe

__all__ = [
    "MARGIN",
    "DecodeStats",
    "block_frames",
    "describe_path",
    "iter_blocks",
    "iter_decoded",
    "iter_frames",
    "iter_quotes",
    "iter_text",
    "open_binary",
    "read_ticker",
]

PathOrBuffer = str | os.PathLike[str] | IO[str]
_T = TypeVar("_T")

_BLOCK = 1 << 20
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE, whose BOM is its prefix
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


@dataclass(slots=True)
class DecodeStats:
    """What decoding met: bytes replaced with U+FFFD (``errors="replace"``)."""

    replaced: int = 0
    encoding: str = ""
    sources: list[str] = field(default_factory=list)


def open_binary(path: str) -> BinaryIO:
    """Open ``path`` ("-" for standard input), decompressing ``.gz``, ``.bz2``, ``.xz``."""
    if path == "-":
        return sys.stdin.buffer
    lower = path.lower()
    if lower.endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    if lower.endswith(".bz2"):
        return bz2.open(path, "rb")  # type: ignore[return-value]
    if lower.endswith((".xz", ".lzma")):
        return lzma.open(path, "rb")  # type: ignore[return-value]
    return open(path, "rb")


def _read_block(stream: IO[bytes], source: str, size: int) -> bytes:
    try:
        return stream.read(size)
    except (OSError, EOFError, lzma.LZMAError, ValueError) as exc:
        if isinstance(exc, FileNotFoundError | PermissionError | IsADirectoryError):
            raise
        raise TickerReadError(f"{source}: cannot read compressed data ({exc})") from exc


def iter_decoded(
    stream: IO[bytes],
    *,
    source: str = "<input>",
    encoding: str = "utf-8",
    errors: str = "strict",
    block_size: int = _BLOCK,
    stats: DecodeStats | None = None,
) -> Iterator[str]:
    """Decode ``stream`` block by block. A BOM decides the encoding when present.

    ``errors`` is ``"strict"`` (a :class:`TickerDecodeError` naming the byte offset) or
    ``"replace"`` (U+FFFD, counted in ``stats.replaced``).
    """
    if errors not in ("strict", "replace"):
        raise TickerArgumentError(f"encoding_errors= takes 'strict' or 'replace', not {errors!r}")
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise TickerParseError(f"unknown encoding {encoding!r}") from None
    head = _read_block(stream, source, block_size)
    for bom, name in _BOMS:
        if head.startswith(bom):
            encoding, head = name, head[len(bom) :]
            break
    if stats is not None:
        stats.encoding = encoding
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    consumed = 0  # bytes handed to the decoder before the current block
    block = head
    while True:
        final = not block
        pending = len(decoder.getstate()[0])
        try:
            text = decoder.decode(block, final=final)
        except UnicodeDecodeError as exc:
            offset = consumed - pending + exc.start
            if errors == "strict":
                raise TickerDecodeError(source, offset, encoding, exc.reason) from None
            text = _decode_replacing(decoder, block, final, stats)
        if text:
            yield text
        if final:
            return
        consumed += len(block)
        block = _read_block(stream, source, block_size)


def _decode_replacing(
    decoder: codecs.IncrementalDecoder, block: bytes, final: bool, stats: DecodeStats | None
) -> str:
    """Decode ``block`` again, replacing bad bytes and counting them."""
    state = decoder.getstate()
    buffered = state[0]
    data = buffered + block
    decoder.reset()
    out = []
    pos = 0
    while True:
        try:
            out.append(decoder.decode(data[pos:], final=final))
            return "".join(out)
        except UnicodeDecodeError as exc:
            good = data[pos : pos + exc.start]
            decoder.reset()
            out.append(decoder.decode(good, final=True))
            bad = exc.end - exc.start
            out.append("\ufffd")
            if stats is not None:
                stats.replaced += bad
            pos += exc.end
            decoder.reset()


def iter_text_of(
    path: str,
    *,
    encoding: str = "utf-8",
    errors: str = "strict",
    stats: DecodeStats | None = None,
) -> Iterator[str]:
    """The text of ``path`` decoded block by block (see :func:`iter_decoded`)."""
    with open_binary(path) if path != "-" else _Stdin() as stream:
        yield from iter_decoded(stream, source=path, encoding=encoding, errors=errors, stats=stats)


class _Stdin:
    """``sys.stdin.buffer`` as a context manager that does not close it."""

    def __enter__(self) -> BinaryIO:
        return sys.stdin.buffer

    def __exit__(self, *exc: object) -> None:
        return None


def describe_path(path: str) -> str:
    """How a path is named in messages."""
    return "<stdin>" if path == "-" else os.fspath(path)


# --- blocks ------------------------------------------------------------------------------

#: Longer than any entry the grammars accept (the longest, a spaced-out portal entry, is
#: under 400 characters).
MARGIN = 1024


def _safe_cut(buf: str, limit: int, margin: int) -> int:
    """Where ``buf`` may be cut (0: not yet): after the last ``)`` or ``|`` before
    ``limit``, which ends an entry if anything does; with neither in sight, ``margin``
    characters back."""
    # after a ")" first: a marquee run (pipes, no brackets) then stays in one block
    cut = buf.rfind(")", 0, limit) + 1 or buf.rfind("|", 0, limit) + 1
    if cut > 0:
        return cut
    return max(0, limit - margin)


def iter_blocks(
    pieces: Iterable[str], *, margin: int = MARGIN, min_block: int = _BLOCK
) -> Iterator[tuple[int, str]]:
    """Regroup text ``pieces`` into ``(offset, block)`` pairs cut at safe places."""
    buf = ""
    base = 0
    for piece in pieces:
        buf += piece
        if len(buf) < min_block + margin:
            continue
        cut = _safe_cut(buf, len(buf) - margin, margin)
        if cut > 0:
            yield base, buf[:cut]
            base += cut
            buf = buf[cut:]
    if buf:
        yield base, buf


def iter_text(
    path_or_buffer: PathOrBuffer,
    *,
    encoding: str = "utf-8",
    errors: str = "strict",
    stats: DecodeStats | None = None,
    read_size: int = _BLOCK,
) -> Iterator[str]:
    """The text of a path (decompressed, decoded) or a text buffer, in pieces."""
    if isinstance(path_or_buffer, str | os.PathLike):
        path = os.fspath(path_or_buffer)
        try:
            stream = open_binary(path)
        except OSError as exc:
            raise TickerReadError(f"{describe_path(path)}: {exc.strerror or exc}") from None
        with stream:
            yield from iter_decoded(
                stream,
                source=describe_path(path),
                encoding=encoding,
                errors=errors,
                block_size=read_size,
                stats=stats,
            )
        return
    if isinstance(path_or_buffer, io.TextIOBase) or hasattr(path_or_buffer, "read"):
        while True:
            piece = path_or_buffer.read(read_size)
            if not isinstance(piece, str):
                raise TickerArgumentError(
                    "expected a text buffer; open the file in text mode or pass its path"
                )
            if not piece:
                return
            yield piece
        return
    raise TickerArgumentError(
        f"expected a path or a text buffer, not {type(path_or_buffer).__name__}"
    )


def _check_chunksize(chunksize: object) -> int:
    if isinstance(chunksize, bool) or not isinstance(chunksize, int) or chunksize < 1:
        raise TickerArgumentError(f"chunksize= takes a positive int, not {chunksize!r}")
    return chunksize


def _carry_limit(block_size: int) -> int:
    """The longest strip carried whole into the next block (a quarter of a block)."""
    return max(block_size, 4 * MARGIN) // 4 + MARGIN


@dataclass(frozen=True, slots=True)
class _Block:
    """One block of a stream, read by the pipeline.

    Rows from ``rows`` on (and the text from ``limit`` on) belong to a strip that runs to
    the block's end: they were carried into the next block instead.
    """

    offset: int
    text: str
    parsed: Parsed
    rows: int
    limit: int


def _with_last(items: Iterable[_T]) -> Iterator[tuple[_T, bool]]:
    it = iter(items)
    try:
        previous = next(it)
    except StopIteration:
        return
    for item in it:
        yield previous, False
        previous = item
    yield previous, True


def _tail_start(parsed: Parsed, text: str) -> int | None:
    """Where the last strip of ``text`` starts, if it runs to the end of the text."""
    strip = parsed.checked.entries.strip
    if not len(strip) or text[int(parsed.end[-1]) :].strip():
        return None
    return int(parsed.start[int(np.searchsorted(strip, strip[-1]))])


def _read_blocks(
    pieces: Iterable[str], options: Settings, *, focus: bool, block_size: int
) -> Iterator[_Block]:
    """The pipeline over a stream's safe blocks, each ending after a whole strip where it can.

    A strip that runs to a block's end may go on in the next block: its text is carried
    over and read again there, so that every strip is read, and its convention voted on, in
    one piece wherever the blocks were cut. A strip longer than :func:`_carry_limit` is read
    where the cut falls.
    """
    held = ""
    for (base, block), is_last in _with_last(iter_blocks(pieces, min_block=block_size)):
        text, offset = held + block, base - len(held)
        held = ""
        parsed = run(text, options, focus=focus)
        rows, limit = len(parsed.start), len(text)
        tail = None if is_last else _tail_start(parsed, text)
        if tail is not None and len(text) - tail < _carry_limit(block_size):
            held, limit = text[tail:], tail
            rows = int(np.searchsorted(parsed.start, tail))
        yield _Block(offset, text, parsed, rows, limit)


def _shifted_residue(block: _Block) -> Iterator[Residue]:
    rows = block.rows
    spans = zip(block.parsed.start[:rows].tolist(), block.parsed.end[:rows].tolist(), strict=True)
    for r in residue_between(block.text[: block.limit], spans):
        yield r.model_copy(update={"start": r.start + block.offset, "end": r.end + block.offset})


def block_frames(
    pieces: Iterable[str],
    *,
    dialect: Dialect | str | None = None,
    symbols: Iterable[str] | None = None,
    validate: bool = True,
    exact: Exactness | bool = "float",
    markup: str = "auto",
    source: str | None = None,
    captured_at: pd.Timestamp | None = None,
    residue: list[Residue] | None = None,
    block_size: int = _BLOCK,
) -> Iterator[pd.DataFrame]:
    """One DataFrame per safe block of the text ``pieces``, offsets into the whole input.

    With a ``residue`` list (the CLI's ``--residue``), what was not parsed is collected
    there too, from the same reading.
    """
    options = settings(dialect=dialect, symbols=symbols, validate=validate, markup=markup)
    exactness = check_exact(exact)
    strips = 0
    for block in _read_blocks(pieces, options, focus=residue is None, block_size=block_size):
        parsed = block.parsed
        frame = assemble_frame(
            parsed.checked,
            parsed.start + block.offset,
            parsed.end + block.offset,
            exact=exactness,
            source=source,
            captured_at=captured_at,
            strip_base=strips,
        )
        if block.rows < len(frame):
            frame = frame.iloc[: block.rows].reset_index(drop=True)
        if len(frame):
            strips = int(frame["strip"].iloc[-1]) + 1
        if residue is not None:
            residue.extend(_shifted_residue(block))
        yield frame


def iter_frames(
    path_or_buffer: PathOrBuffer,
    *,
    chunksize: int,
    dialect: Dialect | str | None = None,
    symbols: Iterable[str] | None = None,
    validate: bool = True,
    exact: Exactness | bool = "float",
    drop_duplicates: bool = False,
    encoding: str = "utf-8",
    encoding_errors: str = "strict",
    markup: str = "auto",
    captured_at: pd.Timestamp | None = None,
    block_size: int = _BLOCK,
) -> Iterator[pd.DataFrame]:
    """DataFrames of at most ``chunksize`` rows each, reading the input in blocks."""
    pending: list[pd.DataFrame] = []
    rows = 0
    seen: set[int] | None = set() if drop_duplicates else None
    pieces = iter_text(
        path_or_buffer, encoding=encoding, errors=encoding_errors, read_size=block_size
    )
    for frame in block_frames(
        pieces,
        dialect=dialect,
        symbols=symbols,
        validate=validate,
        exact=exact,
        markup=markup,
        source=_source_of(path_or_buffer),
        captured_at=captured_at,
        block_size=block_size,
    ):
        if seen is not None:
            frame = dedupe(frame, seen)
        pending.append(frame)
        rows += len(frame)
        while rows >= chunksize:
            merged = pd.concat(pending, ignore_index=True)
            yield merged.iloc[:chunksize].reset_index(drop=True)
            rest = merged.iloc[chunksize:].reset_index(drop=True)
            pending, rows = [rest], len(rest)
    if rows:
        yield pd.concat(pending, ignore_index=True)


def _source_of(path_or_buffer: PathOrBuffer) -> str | None:
    if isinstance(path_or_buffer, str | os.PathLike):
        return describe_path(os.fspath(path_or_buffer))
    name = getattr(path_or_buffer, "name", None)
    return name if isinstance(name, str) else None


def _captured(captured_at: object) -> pd.Timestamp | None:
    """A ``captured_at=`` argument as a UTC timestamp (naive times are taken as UTC)."""
    if captured_at is None:
        return None
    try:
        stamp = pd.Timestamp(captured_at)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise TickerArgumentError(f"captured_at= is not a date and time: {exc}") from None
    if pd.isna(stamp):
        return None
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


@overload
def read_ticker(
    path_or_buffer: PathOrBuffer,
    *,
    dialect: Dialect | str | None = ...,
    symbols: Iterable[str] | None = ...,
    validate: bool = ...,
    exact: Exactness | bool = ...,
    drop_duplicates: bool = ...,
    encoding: str = ...,
    encoding_errors: str = ...,
    markup: str = ...,
    captured_at: object = ...,
    chunksize: None = ...,
) -> pd.DataFrame: ...
@overload
def read_ticker(
    path_or_buffer: PathOrBuffer,
    *,
    dialect: Dialect | str | None = ...,
    symbols: Iterable[str] | None = ...,
    validate: bool = ...,
    exact: Exactness | bool = ...,
    drop_duplicates: bool = ...,
    encoding: str = ...,
    encoding_errors: str = ...,
    markup: str = ...,
    captured_at: object = ...,
    chunksize: int,
) -> Iterator[pd.DataFrame]: ...
def read_ticker(
    path_or_buffer: PathOrBuffer,
    *,
    dialect: Dialect | str | None = None,
    symbols: Iterable[str] | None = None,
    validate: bool = True,
    exact: Exactness | bool = "float",
    drop_duplicates: bool = False,
    encoding: str = "utf-8",
    encoding_errors: str = "strict",
    markup: str = "auto",
    captured_at: object = None,
    chunksize: int | None = None,
) -> pd.DataFrame | Iterator[pd.DataFrame]:
    """Read ticker text from a path or an open text buffer into a DataFrame.

    Like :func:`pandas.read_csv`: a path (``.gz``, ``.bz2``, ``.xz`` decompressed) or a
    text buffer; ``chunksize=N`` returns an iterator of frames of at most N rows, reading the
    input in blocks so memory stays flat (``drop_duplicates`` then works across chunks).
    ``start``/``end`` always index the whole input. ``encoding_errors="replace"`` turns
    bytes that do not decode into U+FFFD instead of raising :class:`TickerDecodeError`.
    ``captured_at`` stamps every row (naive times are UTC).
    """
    exact = check_exact(exact)
    stamp = _captured(captured_at)
    if chunksize is not None:
        return iter_frames(
            path_or_buffer,
            chunksize=_check_chunksize(chunksize),
            dialect=dialect,
            symbols=symbols,
            validate=validate,
            exact=exact,
            drop_duplicates=drop_duplicates,
            encoding=encoding,
            encoding_errors=encoding_errors,
            markup=markup,
            captured_at=stamp,
        )
    text = "".join(iter_text(path_or_buffer, encoding=encoding, errors=encoding_errors))
    return frame_from_text(
        text,
        dialect=dialect,
        symbols=symbols,
        validate=validate,
        exact=exact,
        drop_duplicates=drop_duplicates,
        markup=markup,
        source=_source_of(path_or_buffer),
        captured_at=stamp,
    )


@overload
def iter_quotes(
    path_or_buffer: PathOrBuffer,
    *,
    dialect: Dialect | str | None = ...,
    symbols: Iterable[str] | None = ...,
    validate: bool = ...,
    encoding: str = ...,
    encoding_errors: str = ...,
    markup: str = ...,
    residue: Literal[False] = ...,
    block_size: int = ...,
) -> Iterator[Quote]: ...
@overload
def iter_quotes(
    path_or_buffer: PathOrBuffer,
    *,
    dialect: Dialect | str | None = ...,
    symbols: Iterable[str] | None = ...,
    validate: bool = ...,
    encoding: str = ...,
    encoding_errors: str = ...,
    markup: str = ...,
    residue: Literal[True],
    block_size: int = ...,
) -> Iterator[Quote | Residue]: ...
def iter_quotes(
    path_or_buffer: PathOrBuffer,
    *,
    dialect: Dialect | str | None = None,
    symbols: Iterable[str] | None = None,
    validate: bool = True,
    encoding: str = "utf-8",
    encoding_errors: str = "strict",
    markup: str = "auto",
    residue: bool = False,
    block_size: int = _BLOCK,
) -> Iterator[Quote] | Iterator[Quote | Residue]:
    """Every quote of a file of any size, in order, reading it in blocks.

    Offsets index the whole input. ``residue=True`` also yields a :class:`Residue` for
    every stretch that was not parsed, in text order with the quotes.
    """
    if not isinstance(residue, bool):
        raise TickerArgumentError(
            "residue= takes True or False; iter_quotes(residue=True) yields the residue"
        )
    options = settings(dialect=dialect, symbols=symbols, validate=validate, markup=markup)
    pieces = iter_text(
        path_or_buffer, encoding=encoding, errors=encoding_errors, read_size=block_size
    )
    for block in _read_blocks(pieces, options, focus=False, block_size=block_size):
        quotes, _ = build_records(block.text, block.parsed)
        shifted = (
            q.model_copy(update={"start": q.start + block.offset, "end": q.end + block.offset})
            for q in quotes[: block.rows]
        )
        if not residue:
            yield from shifted
            continue
        items: list[Quote | Residue] = [*shifted, *_shifted_residue(block)]
        items.sort(key=lambda item: item.start)
        yield from items
