"""Reading inputs: paths (decompressed), text buffers, encodings, safe blocks, WARC archives;
the readers users call: :func:`read_ticker`, :func:`iter_quotes`, :func:`iter_warc_quotes`.

Decoding is incremental so that huge files stream, and a byte that does not decode is
reported with its absolute byte offset in the (decompressed) input. Streams are cut into
blocks only where no entry, and where possible no strip, can straddle the cut.

A path whose first bytes are a WARC record (plain or gzip-compressed, whatever its name) is
read as a web archive: every HTML or text page captured in it is one document (see
:mod:`ticker_parse.warc`), many documents are read together by
:func:`~ticker_parse.pipeline.frame_from_texts` (:data:`BATCH_CHARS` of text at a time), and
each row's ``source`` is its record's ``WARC-Target-URI``, ``captured_at`` its ``WARC-Date``
(UTC), ``start``/``end`` offsets into the record's decoded page, ``strip`` numbers the strips
of the page. Damaged and skipped records are counted in a :class:`~ticker_parse.warc.WarcStats`
passed as ``warc_stats=``; without one, a file with damaged records logs one warning on the
``ticker_parse`` logger.
"""

from __future__ import annotations

import bz2
import codecs
import gzip
import io
import logging
import lzma
import os
import sys
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain
from typing import IO, Any, BinaryIO, Literal, TypeVar, cast, overload

import pandas as pd

from ticker_parse.errors import (
    TickerArgumentError,
    TickerDecodeError,
    TickerReadError,
)
from ticker_parse.models import Dialect, Quote, Residue
from ticker_parse.pipeline import (
    BLOCK_SIZE,
    MARGIN,
    Block,
    Settings,
    frame_from_texts,
    iter_blocks,
    read_block_frames,
    read_blocks,
    settings,
)
from ticker_parse.records import build_records, residue_between
from ticker_parse.table import (
    Exactness,
    capture_time,
    check_exact,
    dedupe,
    empty_frame,
)
from ticker_parse.warc import WARC_HEAD_SIZE, WarcDocument, WarcStats, is_warc, iter_warc

__all__ = [
    "BATCH_CHARS",
    "MARGIN",
    "SMALL_CHARS",
    "DecodeStats",
    "block_frames",
    "check_decoding",
    "describe_path",
    "file_mtime",
    "is_warc_path",
    "iter_blocks",
    "iter_decoded",
    "iter_frames",
    "iter_path_frames",
    "iter_quotes",
    "iter_text",
    "iter_warc_frames",
    "iter_warc_quotes",
    "open_binary",
    "read_head",
    "read_ticker",
    "sniff_stream",
]

#: How much text (characters) is read in one pipeline run when many documents (WARC records,
#: small files) are read together.
BATCH_CHARS = 8 << 20
#: Inputs smaller than this (characters decoded) are read together with others, up to
#: :data:`BATCH_CHARS` at a time; bigger ones stream block by block.
SMALL_CHARS = 1 << 20

logger = logging.getLogger("ticker_parse")

PathOrBuffer = str | os.PathLike[str] | IO[str]
#: Many paths, a list or a tuple: read in order, small files together (see
#: :func:`iter_path_frames`).
Paths = Sequence[str | os.PathLike[str]]
_T = TypeVar("_T")

_BLOCK = BLOCK_SIZE
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


def check_decoding(encoding: object, errors: object) -> None:
    """Check ``encoding=`` (a text encoding's name) and ``encoding_errors=``."""
    if errors not in ("strict", "replace"):
        raise TickerArgumentError(f"encoding_errors= takes 'strict' or 'replace', not {errors!r}")
    if not isinstance(encoding, str):
        raise TickerArgumentError(f"encoding= takes an encoding's name, not {encoding!r}")
    try:
        info = codecs.lookup(encoding)
    except (LookupError, ValueError):  # ValueError: a name holding "\x00"
        raise TickerArgumentError(f"unknown encoding {encoding!r}") from None
    if not getattr(info, "_is_text_encoding", True):  # hex, rot13, zlib: not text
        raise TickerArgumentError(f"{encoding!r} is not a text encoding")


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
    check_decoding(encoding, errors)
    head = _read_block(stream, source, block_size)
    for bom, name in _BOMS:
        if head.startswith(bom):
            encoding, head = name, head[len(bom) :]
            break
    if stats is not None:
        stats.encoding = encoding
    handler = "strict" if errors == "strict" else _COUNTING_REPLACE
    decoder = codecs.getincrementaldecoder(encoding)(errors=handler)
    consumed = 0  # bytes handed to the decoder before the current block
    block = head
    while True:
        final = not block
        pending = len(decoder.getstate()[0])
        _replaced.count = 0
        try:
            text = decoder.decode(block, final=final)
        except UnicodeDecodeError as exc:
            offset = consumed - pending + exc.start
            raise TickerDecodeError(source, offset, encoding, exc.reason) from None
        except UnicodeError as exc:  # UTF-16 without a BOM, say
            raise TickerDecodeError(source, consumed, encoding, str(exc)) from None
        if stats is not None:
            stats.replaced += _replaced.count
        if text:
            yield text
        if final:
            return
        consumed += len(block)
        block = _read_block(stream, source, block_size)


# encoding_errors="replace": U+FFFD for each bad stretch, counted. An error handler the codec
# calls in its own loop (re-decoding the rest after each bad byte was quadratic: a minute on
# a megabyte of bad bytes).
_COUNTING_REPLACE = "ticker_parse.replace"
_replaced = threading.local()


def _replace_counting(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    _replaced.count = getattr(_replaced, "count", 0) + exc.end - exc.start
    return "\ufffd", exc.end


codecs.register_error(_COUNTING_REPLACE, _replace_counting)


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


def _check_chunksize(chunksize: object, name: str = "chunksize") -> int:
    if isinstance(chunksize, bool) or not isinstance(chunksize, int) or chunksize < 1:
        raise TickerArgumentError(f"{name}= takes a positive int, not {chunksize!r}")
    return chunksize


def _shifted_residue(block: Block) -> Iterator[Residue]:
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
    for block, frame in read_block_frames(
        pieces,
        options,
        exact=check_exact(exact),
        source=source,
        captured_at=captured_at,
        block_size=block_size,
    ):
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
    pieces = iter_text(
        path_or_buffer, encoding=encoding, errors=encoding_errors, read_size=block_size
    )
    frames = _text_frames(
        pieces,
        {"dialect": dialect, "symbols": symbols, "validate": validate, "markup": markup},
        exact,
        source=_source_of(path_or_buffer),
        captured_at=captured_at,
        drop_duplicates=drop_duplicates,
        block_size=block_size,
    )
    return _rechunk(frames, chunksize)


def _text_frames(
    pieces: Iterable[str],
    common: dict[str, Any],
    exact: Exactness | bool,
    *,
    source: str | None,
    captured_at: pd.Timestamp | None,
    drop_duplicates: bool,
    block_size: int = _BLOCK,
) -> Iterator[pd.DataFrame]:
    """One input's frames, block by block (see :func:`block_frames`), its duplicates
    dropped across them."""
    frames = block_frames(
        pieces,
        exact=exact,
        source=source,
        captured_at=captured_at,
        block_size=block_size,
        **common,
    )
    if not drop_duplicates:
        return frames
    seen: set[int] = set()
    return (dedupe(frame, seen) for frame in frames)


def _check_paths(paths: object) -> list[str | os.PathLike[str]]:
    """The paths of a list (or any iterable but a string: taken once)."""
    if isinstance(paths, str | bytes | os.PathLike) or not isinstance(paths, Iterable):
        raise TickerArgumentError(f"expected a list of paths, not {type(paths).__name__}")
    checked = list(paths)
    for path in checked:
        if not isinstance(path, str | os.PathLike):
            raise TickerArgumentError(
                f"a list of inputs takes paths only, not {type(path).__name__}"
            )
    return checked


def _check_warc_stats(warc_stats: object) -> None:
    if warc_stats is not None and not isinstance(warc_stats, WarcStats):
        raise TickerArgumentError(f"warc_stats= takes a WarcStats, not {type(warc_stats).__name__}")


def read_head(pieces: Iterator[str], limit: int) -> tuple[list[str], int, bool]:
    """The first ``pieces`` of a text, until ``limit`` characters or the end: those pieces,
    their characters, and whether they are the whole text (the rest stays in ``pieces``)."""
    head: list[str] = []
    size = 0
    for piece in pieces:
        head.append(piece)
        size += len(piece)
        if size >= limit:
            return head, size, False
    return head, size, True


def iter_path_frames(
    paths: Iterable[str | os.PathLike[str]],
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
    warc_stats: WarcStats | None = None,
) -> Iterator[pd.DataFrame]:
    """The rows of many paths, in order: each path's rows are those ``read_ticker(path)``
    gives (its ``source``, its own ``start``/``end`` and strip numbers, duplicates dropped
    within it, ``captured_at="mtime"`` its own time).

    Files under :data:`SMALL_CHARS` characters are read together, :data:`BATCH_CHARS` of
    text per pipeline run (as the command line does): a page's fixed cost of a pipeline run
    (several ms, most of it pandas' and Arrow's per-call overhead) is paid once a batch.
    Bigger files stream block by block; WARC archives are read as by :func:`read_ticker`.
    """
    exactness = check_exact(exact)  # every argument checked now, not at the first next()
    settings(dialect=dialect, symbols=symbols, validate=validate, markup=markup)
    check_decoding(encoding, encoding_errors)
    _check_warc_stats(warc_stats)
    checked = _check_paths(paths)
    if isinstance(captured_at, str) and captured_at == "mtime":
        if any(os.fspath(path) == "-" for path in checked):
            raise TickerArgumentError("captured_at='mtime' needs a path to read, not a buffer")
    else:
        captured_at = capture_time(captured_at)
    # a path that cannot be opened is a TickerReadError now, not when its turn comes
    told = [(path, is_warc_path(path)) for path in checked]
    common = {"dialect": dialect, "symbols": symbols, "validate": validate, "markup": markup}
    return _path_frames(
        told,
        common,
        exactness,
        drop_duplicates=drop_duplicates,
        encoding=encoding,
        encoding_errors=encoding_errors,
        captured_at=captured_at,
        warc_stats=warc_stats,
    )


def _path_frames(
    paths: list[tuple[str | os.PathLike[str], bool]],
    common: dict[str, Any],
    exactness: Exactness,
    *,
    drop_duplicates: bool,
    encoding: str,
    encoding_errors: str,
    captured_at: object,
    warc_stats: WarcStats | None,
) -> Iterator[pd.DataFrame]:
    texts: list[str] = []
    sources: list[str | None] = []
    stamps: list[pd.Timestamp | None] = []
    chars = 0

    def flush() -> Iterator[pd.DataFrame]:
        nonlocal chars
        if texts:
            yield frame_from_texts(
                texts,
                sources=sources,
                captured_at=stamps,
                exact=exactness,
                drop_duplicates=drop_duplicates,
                **common,
            )
        texts.clear()
        sources.clear()
        stamps.clear()
        chars = 0

    for path, warc in paths:
        if warc:
            yield from flush()
            yield from iter_warc_frames(
                path,
                exact=exactness,
                drop_duplicates=drop_duplicates,
                warc_stats=warc_stats,
                **common,
            )
            continue
        stamp = _captured(captured_at, path)
        pieces = iter_text(path, encoding=encoding, errors=encoding_errors)
        head, size, whole = read_head(pieces, SMALL_CHARS)
        if whole:  # a small file: read with others
            texts.append("".join(head))
            sources.append(_source_of(path))
            stamps.append(stamp)
            chars += size
            if chars >= BATCH_CHARS:
                yield from flush()
            continue
        yield from flush()
        yield from _text_frames(
            chain(head, pieces),
            common,
            exactness,
            source=_source_of(path),
            captured_at=stamp,
            drop_duplicates=drop_duplicates,
        )
    yield from flush()


def _rechunk(frames: Iterable[pd.DataFrame], chunksize: int) -> Iterator[pd.DataFrame]:
    """The rows of ``frames``, in order, regrouped into frames of at most ``chunksize`` rows."""
    pending: list[pd.DataFrame] = []
    rows = 0
    for frame in frames:
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


def file_mtime(path: str | os.PathLike[str]) -> pd.Timestamp:
    """The modification time of ``path`` as a UTC timestamp."""
    name = os.fspath(path)
    try:
        seconds = os.stat(name).st_mtime_ns
    except OSError as exc:
        raise TickerReadError(f"{describe_path(name)}: {exc.strerror or exc}") from None
    return pd.Timestamp(seconds, unit="ns", tz="UTC")


class _Replayed(io.RawIOBase):
    """A binary stream that gives ``head`` back before the rest of ``stream``."""

    def __init__(self, head: bytes, stream: IO[bytes]) -> None:
        self._head = memoryview(head)
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head.nbytes:
            n = min(len(buffer), self._head.nbytes)
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def sniff_stream(stream: IO[bytes]) -> tuple[BinaryIO, bool]:
    """Whether a binary stream that cannot seek (standard input) holds a WARC, told by its
    first bytes; and a stream that reads from its start again."""
    head = b""
    while len(head) < WARC_HEAD_SIZE:
        more = stream.read(WARC_HEAD_SIZE - len(head))
        if not more:
            break
        head += more
    replayed = io.BufferedReader(_Replayed(head, stream))
    return cast(BinaryIO, replayed), is_warc(head)


def is_warc_path(path: str | os.PathLike[str]) -> bool:
    """Whether the file at ``path`` is a WARC archive, told by its first bytes, not its name.

    Standard input (``"-"``) is never taken for one.
    """
    name = os.fspath(path)
    if name == "-":
        return False
    try:
        with open(name, "rb") as fh:
            head = fh.read(WARC_HEAD_SIZE)
    except OSError as exc:
        raise TickerReadError(f"{describe_path(name)}: {exc.strerror or exc}") from None
    return is_warc(head)


def _captured(captured_at: object, path_or_buffer: object = None) -> pd.Timestamp | None:
    """A ``captured_at=`` argument as a UTC timestamp (naive times are taken as UTC).

    ``"mtime"`` is the modification time of the path being read.
    """
    if captured_at is None:
        return None
    if isinstance(captured_at, str) and captured_at == "mtime":
        if not isinstance(path_or_buffer, str | os.PathLike) or os.fspath(path_or_buffer) == "-":
            raise TickerArgumentError("captured_at='mtime' needs a path to read, not a buffer")
        return file_mtime(path_or_buffer)
    return capture_time(captured_at)


def _batches(docs: Iterable[WarcDocument], batch_chars: int) -> Iterator[list[WarcDocument]]:
    batch: list[WarcDocument] = []
    size = 0
    for doc in docs:
        batch.append(doc)
        size += len(doc.text)
        if size >= batch_chars:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _log_damage(name: str, stats: WarcStats) -> None:
    if stats.errors:
        logger.warning(
            "%s: %d damaged WARC record(s) not read (pass warc_stats= to get them); first: %s",
            name,
            len(stats.errors),
            stats.errors[0],
        )


def _warc_frames(
    docs: Iterator[WarcDocument],
    name: str,
    stats: WarcStats,
    *,
    log: bool,
    batch_chars: int,
    dialect: Dialect | str | None,
    symbols: Iterable[str] | None,
    validate: bool,
    exact: Exactness,
    drop_duplicates: bool,
    markup: str,
) -> Iterator[pd.DataFrame]:
    for batch in _batches(docs, batch_chars):
        frame = frame_from_texts(
            [d.text for d in batch],
            sources=[d.source for d in batch],
            captured_at=[d.captured_at for d in batch],
            dialect=dialect,
            symbols=symbols,
            validate=validate,
            exact=exact,
            markup=markup,
            drop_duplicates=drop_duplicates,
        )
        yield frame
    if log:
        _log_damage(name, stats)


def iter_warc_frames(
    path: str | os.PathLike[str],
    *,
    dialect: Dialect | str | None = None,
    symbols: Iterable[str] | None = None,
    validate: bool = True,
    exact: Exactness | bool = "float",
    drop_duplicates: bool = False,
    markup: str = "auto",
    warc_stats: WarcStats | None = None,
    batch_chars: int = BATCH_CHARS,
) -> Iterator[pd.DataFrame]:
    """One DataFrame per batch of a WARC's pages (about ``batch_chars`` characters of text).

    Raises :class:`~ticker_parse.errors.TickerWarcError` at once when ``path`` is not a
    WARC or warcio is missing. ``drop_duplicates`` works within each page.
    """
    name = describe_path(os.fspath(path))
    stats = WarcStats() if warc_stats is None else warc_stats
    docs = iter_warc(path, stats=stats, source_name=name)
    return _warc_frames(
        docs,
        name,
        stats,
        log=warc_stats is None,
        batch_chars=batch_chars,
        dialect=dialect,
        symbols=symbols,
        validate=validate,
        exact=check_exact(exact),
        drop_duplicates=drop_duplicates,
        markup=markup,
    )


def _gathered(
    frames: Iterator[pd.DataFrame], chunksize: int | None, exact: Exactness
) -> pd.DataFrame | Iterator[pd.DataFrame]:
    """``frames`` as ``read_ticker`` returns them: regrouped into chunks, or one frame."""
    if chunksize is not None:
        return _rechunk(frames, _check_chunksize(chunksize))
    parts = [frame for frame in frames if len(frame)]
    return pd.concat(parts, ignore_index=True) if parts else empty_frame(exact=exact)


@overload
def read_ticker(
    path_or_buffer: PathOrBuffer | Paths,
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
    warc_stats: WarcStats | None = ...,
) -> pd.DataFrame: ...
@overload
def read_ticker(
    path_or_buffer: PathOrBuffer | Paths,
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
    warc_stats: WarcStats | None = ...,
) -> Iterator[pd.DataFrame]: ...
def read_ticker(
    path_or_buffer: PathOrBuffer | Paths,
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
    warc_stats: WarcStats | None = None,
) -> pd.DataFrame | Iterator[pd.DataFrame]:
    """Read ticker text from a path or an open text buffer into a DataFrame.

    Like :func:`pandas.read_csv`: a path (``.gz``, ``.bz2``, ``.xz`` decompressed) or a
    text buffer; ``chunksize=N`` returns an iterator of frames of at most N rows, reading the
    input in blocks so memory stays flat (``drop_duplicates`` then works across chunks).
    ``start``/``end`` always index the whole input. ``encoding_errors="replace"`` turns
    bytes that do not decode into U+FFFD instead of raising :class:`TickerDecodeError`.
    ``captured_at`` stamps every row (naive times are UTC; ``"mtime"``: the file's
    modification time).

    A list (or tuple) of paths gives the rows of every file in turn, each as if read alone
    (see :func:`iter_path_frames`); small files are read together, several times faster
    than a loop of ``read_ticker`` calls, which pays a pipeline run's fixed cost per file.

    A path that holds a WARC archive (told by its first bytes) gives the rows of every page
    captured in it, in record order: ``source`` is the record's URL, ``captured_at`` its
    ``WARC-Date`` (``captured_at=`` and ``encoding=`` do not apply: each record carries its
    own), ``start``/``end`` index the record's decoded page and ``drop_duplicates`` works
    within each page. Pages are read :data:`BATCH_CHARS` of text at a time. Skipped and
    damaged records are counted in ``warc_stats`` (a :class:`~ticker_parse.warc.WarcStats`);
    without it, damage is logged as one warning. Without the ``warc`` extra a WARC input
    raises :class:`~ticker_parse.errors.TickerWarcError`.
    """
    if isinstance(path_or_buffer, list | tuple):  # every argument checked there
        return _gathered(
            iter_path_frames(
                path_or_buffer,
                dialect=dialect,
                symbols=symbols,
                validate=validate,
                exact=exact,
                drop_duplicates=drop_duplicates,
                encoding=encoding,
                encoding_errors=encoding_errors,
                markup=markup,
                captured_at=captured_at,
                warc_stats=warc_stats,
            ),
            chunksize,
            check_exact(exact),
        )
    exact = check_exact(exact)
    # every argument checked now, not at the first next() of a chunked read
    settings(dialect=dialect, symbols=symbols, validate=validate, markup=markup)
    check_decoding(encoding, encoding_errors)
    _check_warc_stats(warc_stats)
    if not isinstance(path_or_buffer, str | os.PathLike) and not hasattr(path_or_buffer, "read"):
        raise TickerArgumentError(
            "read_ticker() takes a path, a text buffer or a list of paths,"
            f" not {type(path_or_buffer).__name__}"
        )
    path_or_buffer = cast(PathOrBuffer, path_or_buffer)
    if isinstance(path_or_buffer, str | os.PathLike) and is_warc_path(path_or_buffer):
        return _gathered(
            iter_warc_frames(
                path_or_buffer,
                dialect=dialect,
                symbols=symbols,
                validate=validate,
                exact=exact,
                drop_duplicates=drop_duplicates,
                markup=markup,
                warc_stats=warc_stats,
            ),
            chunksize,
            exact,
        )
    # Text is read block by block, chunked or not: the same rows, but never the whole text
    # as one str, nor the pipeline's intermediate columns for all of it at once (a page is
    # read whole: see pipeline.read_blocks).
    frames = _text_frames(
        iter_text(path_or_buffer, encoding=encoding, errors=encoding_errors),
        {"dialect": dialect, "symbols": symbols, "validate": validate, "markup": markup},
        exact,
        source=_source_of(path_or_buffer),
        captured_at=_captured(captured_at, path_or_buffer),
        drop_duplicates=drop_duplicates,
    )
    return _gathered(frames, chunksize, exact)


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
    warc_stats: WarcStats | None = ...,
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
    warc_stats: WarcStats | None = ...,
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
    warc_stats: WarcStats | None = None,
) -> Iterator[Quote] | Iterator[Quote | Residue]:
    """Every quote of a file of any size, in order, reading it in blocks.

    Offsets index the whole input. ``residue=True`` also yields a :class:`Residue` for
    every stretch that was not parsed, in text order with the quotes.

    A WARC archive yields the quotes of its pages in record order, each page's in text
    order; a quote's offsets index *its record's* decoded page, and a :class:`Quote` does
    not say which page that is: :func:`iter_warc_quotes` yields each with its record.
    """
    _check_residue(residue)
    _check_chunksize(block_size, "block_size")
    if isinstance(path_or_buffer, str | os.PathLike) and is_warc_path(path_or_buffer):
        pairs = iter_warc_quotes(
            path_or_buffer,
            dialect=dialect,
            symbols=symbols,
            validate=validate,
            markup=markup,
            residue=residue,
            block_size=block_size,
            warc_stats=warc_stats,
        )
        return (item for _, item in pairs)
    options = settings(dialect=dialect, symbols=symbols, validate=validate, markup=markup)
    pieces = iter_text(
        path_or_buffer, encoding=encoding, errors=encoding_errors, read_size=block_size
    )
    return _items(pieces, options, residue=residue, block_size=block_size)


def iter_warc_quotes(
    path: str | os.PathLike[str],
    *,
    dialect: Dialect | str | None = None,
    symbols: Iterable[str] | None = None,
    validate: bool = True,
    markup: str = "auto",
    residue: bool = False,
    block_size: int = _BLOCK,
    warc_stats: WarcStats | None = None,
) -> Iterator[tuple[WarcDocument, Quote | Residue]]:
    """``(record, quote)`` pairs of every page of a WARC archive, in record order.

    The record (a :class:`~ticker_parse.warc.WarcDocument`) gives the page's URL
    (``source``), capture time and decoded ``text``, which the quote's offsets index.
    ``residue=True`` also pairs every :class:`Residue` with its record. Raises
    :class:`~ticker_parse.errors.TickerWarcError` at once when ``path`` is not a WARC or
    warcio is missing; damage is counted in ``warc_stats`` (or logged, without one).
    """
    _check_residue(residue)
    options = settings(dialect=dialect, symbols=symbols, validate=validate, markup=markup)
    name = describe_path(os.fspath(path))
    stats = WarcStats() if warc_stats is None else warc_stats
    docs = iter_warc(path, stats=stats, source_name=name)
    return _warc_items(docs, options, residue, block_size, name, stats, log=warc_stats is None)


def _warc_items(
    docs: Iterator[WarcDocument],
    options: Settings,
    residue: bool,
    block_size: int,
    name: str,
    stats: WarcStats,
    *,
    log: bool,
) -> Iterator[tuple[WarcDocument, Quote | Residue]]:
    for doc in docs:
        for item in _items(iter((doc.text,)), options, residue=residue, block_size=block_size):
            yield doc, item
    if log:
        _log_damage(name, stats)


def _check_residue(residue: object) -> None:
    if not isinstance(residue, bool):
        raise TickerArgumentError(
            "residue= takes True or False; iter_quotes(residue=True) yields the residue"
        )


def _items(
    pieces: Iterable[str], options: Settings, *, residue: bool, block_size: int
) -> Iterator[Quote | Residue]:
    """Quotes (and with ``residue``, residue) of a stream of text, in text order."""
    for block in read_blocks(pieces, options, block_size=block_size):
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
