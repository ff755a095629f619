"""Streaming: inputs of any size in blocks, cut only where no entry can straddle the cut.

Every entry of every dialect ends with ``)`` or ``|`` (or, for a pipe-less marquee entry,
just before a newline) and is shorter than :data:`MARGIN` characters. So a cut right after
the last ``)`` or ``|`` that lies at least ``MARGIN`` characters before the end of the buffer
never splits an entry; with neither character in sight, a cut ``MARGIN`` characters further
back is just as safe. Each block is parsed on its own, its offsets shifted to index the
whole input.

Known difference from parsing the whole text at once: strip-level decisions (a strip's
percent convention, used only to split glued symbols like ``KSE100``) are taken per block
for a strip that a cut divides.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable, Iterator
from typing import IO

import pandas as pd

from ticker_parse.frame import Exactness
from ticker_parse.models import Dialect, Quote, Residue
from ticker_parse.sources import DecodeStats, iter_decoded, open_binary

__all__ = ["MARGIN", "block_frames", "iter_blocks", "iter_frames", "iter_quotes", "iter_text"]

#: Longer than any entry the patterns accept (the longest, a spaced-out portal entry, is
#: under 400 characters).
MARGIN = 1024
_READ = 1 << 20


def _safe_cut(buf: str, limit: int, margin: int) -> int:
    """Where ``buf`` may be cut (0: not yet)."""
    cut = max(buf.rfind(")", 0, limit), buf.rfind("|", 0, limit)) + 1
    if cut > 0:
        return cut
    return max(0, limit - margin)


def iter_blocks(
    pieces: Iterable[str], *, margin: int = MARGIN, min_block: int = _READ
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
    path_or_buffer: str | os.PathLike[str] | IO[str],
    *,
    encoding: str = "utf-8",
    errors: str = "strict",
    stats: DecodeStats | None = None,
    read_size: int = _READ,
) -> Iterator[str]:
    """The text of a path (decompressed, decoded) or a text buffer, in pieces."""
    if isinstance(path_or_buffer, str | os.PathLike):
        path = os.fspath(path_or_buffer)
        with open_binary(path) as stream:
            yield from iter_decoded(
                stream,
                source=path,
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
                raise TypeError("expected a text buffer; open the file in text mode")
            if not piece:
                return
            yield piece
    raise TypeError(f"expected a path or a text buffer, not {type(path_or_buffer).__name__}")


def _shifted(residue: Iterable[Residue], base: int) -> Iterator[Residue]:
    return (r.model_copy(update={"start": r.start + base, "end": r.end + base}) for r in residue)


def iter_quotes(
    path_or_buffer: str | os.PathLike[str] | IO[str],
    *,
    dialect: Dialect | str | None = None,
    symbols: Iterable[str] | None = None,
    validate: bool = True,
    encoding: str = "utf-8",
    residue: list[Residue] | None = None,
    block_size: int = _READ,
) -> Iterator[Quote]:
    """Every quote of a file of any size, in order, reading it in blocks.

    Offsets index the whole input. Pass a list as ``residue`` to collect what was not parsed.
    """
    from ticker_parse.parser import parse

    pieces = iter_text(path_or_buffer, encoding=encoding, read_size=block_size)
    for base, block in iter_blocks(pieces, min_block=block_size):
        result = parse(block, dialect=dialect, symbols=symbols, validate=validate)
        for q in result.quotes:
            yield q.model_copy(update={"start": q.start + base, "end": q.end + base})
        if residue is not None:
            residue.extend(_shifted(result.residue, base))


def block_frames(
    pieces: Iterable[str],
    *,
    dialect: Dialect | str | None = None,
    symbols: Iterable[str] | None = None,
    validate: bool = True,
    exact: Exactness = False,
    residue: list[Residue] | None = None,
    block_size: int = _READ,
) -> Iterator[pd.DataFrame]:
    """One DataFrame per safe block of the text ``pieces``, offsets into the whole input.

    With a ``residue`` list, blocks go through ``parse()`` so that what was not parsed is
    collected too (slower); otherwise through the columnar path where it applies.
    """
    from ticker_parse._columnar import SCAN_MIN_CHARS, load_scanner
    from ticker_parse.frame import frame_from_text
    from ticker_parse.parser import parse

    for base, block in iter_blocks(pieces, min_block=block_size):
        if base >= SCAN_MIN_CHARS:
            load_scanner()  # a long stream: load the scanner for the blocks to come
        if residue is not None:
            result = parse(block, dialect=dialect, symbols=symbols, validate=validate)
            frame = result.to_frame(exact=exact)
            residue.extend(_shifted(result.residue, base))
        else:
            frame = frame_from_text(
                block, dialect=dialect, symbols=symbols, validate=validate, exact=exact
            )
        if base:
            frame["start"] += base
            frame["end"] += base
        yield frame


def iter_frames(
    path_or_buffer: str | os.PathLike[str] | IO[str],
    *,
    chunksize: int,
    dialect: Dialect | str | None = None,
    symbols: Iterable[str] | None = None,
    validate: bool = True,
    exact: Exactness = False,
    encoding: str = "utf-8",
    block_size: int = _READ,
) -> Iterator[pd.DataFrame]:
    """DataFrames of at most ``chunksize`` rows each, reading the input in blocks."""
    pending: list[pd.DataFrame] = []
    rows = 0
    pieces = iter_text(path_or_buffer, encoding=encoding, read_size=block_size)
    for frame in block_frames(
        pieces,
        dialect=dialect,
        symbols=symbols,
        validate=validate,
        exact=exact,
        block_size=block_size,
    ):
        pending.append(frame)
        rows += len(frame)
        while rows >= chunksize:
            merged = pd.concat(pending, ignore_index=True)
            yield merged.iloc[:chunksize].reset_index(drop=True)
            rest = merged.iloc[chunksize:].reset_index(drop=True)
            pending, rows = [rest], len(rest)
    if rows:
        yield pd.concat(pending, ignore_index=True)
