"""Opening inputs: paths with transparent decompression, encodings, BOMs, bad bytes.

Decoding is incremental so that huge files stream, and a byte that does not decode is
reported with its absolute byte offset in the (decompressed) input.
"""

from __future__ import annotations

import bz2
import codecs
import gzip
import lzma
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, BinaryIO

from ticker_parse.errors import TickerDecodeError, TickerParseError

__all__ = [
    "DecodeStats",
    "TickerReadError",
    "iter_decoded",
    "iter_text_of",
    "open_binary",
]

_BLOCK = 1 << 20
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE, whose BOM is its prefix
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


class TickerReadError(TickerParseError):
    """An input could not be read: a corrupt or truncated compressed file."""


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
        raise ValueError("errors must be 'strict' or 'replace'")
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
