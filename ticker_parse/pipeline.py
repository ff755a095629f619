"""The one pipeline: text -> normalized text -> entries -> checks -> frame.

Every reader of ticker_parse (``parse``, ``frame_from_text``, ``read_ticker``, the
streaming readers, the CLI, WARC records) calls :func:`run`, so they cannot disagree.
"""

from __future__ import annotations

import math
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime
from itertools import chain
from typing import TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa

from ticker_parse.checks import Checked, check_entries, check_settled, settle_entries
from ticker_parse.entries import Entries, is_blank_lead, read_entries
from ticker_parse.errors import TickerArgumentError, UnknownDialectError
from ticker_parse.grammar import known_symbols
from ticker_parse.markup import looks_like_html
from ticker_parse.models import Dialect
from ticker_parse.normalize import Markup, Normalized, check_markup, normalize
from ticker_parse.table import (
    Exactness,
    assemble_frame,
    capture_time,
    check_exact,
    dedupe,
    repeated,
)

__all__ = [
    "BLOCK_SIZE",
    "DOCUMENT_SEPARATOR",
    "MARGIN",
    "Block",
    "Parsed",
    "Read",
    "Settings",
    "finish",
    "frame_from_text",
    "frame_from_texts",
    "iter_blocks",
    "read",
    "read_block_frames",
    "read_blocks",
    "read_documents",
    "run",
    "settings",
    "threads",
]

#: Put between documents read together: not white space, so no strip runs across it, and
#: in no grammar, so no entry does.
DOCUMENT_SEPARATOR = "\n\x00\n"


@dataclass(frozen=True, slots=True)
class Settings:
    """Checked arguments shared by every reader."""

    dialect: Dialect | None
    known: frozenset[str]
    validate: bool
    markup: Markup
    threads: int


def to_dialect(dialect: Dialect | str | None) -> Dialect | None:
    """Check a ``dialect=`` argument: a :class:`Dialect`, its value, or None to detect."""
    if dialect is None or isinstance(dialect, Dialect):
        return dialect
    if not isinstance(dialect, str):
        raise TickerArgumentError(f"dialect= takes a str, not {type(dialect).__name__}")
    try:
        return Dialect(dialect.lower())
    except ValueError:
        names = ", ".join(d.value for d in Dialect)
        raise UnknownDialectError(f"unknown dialect {dialect!r}; expected one of {names}") from None


def threads() -> int:
    """Threads that finish blocks while the caller's thread reads the next ones:
    ``TICKER_PARSE_THREADS`` if set (0: none, all in the caller's thread), else as many as
    the process may use CPUs, at most 4 (none on a single CPU: nothing to gain)."""
    setting = os.environ.get("TICKER_PARSE_THREADS", "").strip()
    if setting:
        try:
            count = int(setting)
        except ValueError:
            count = -1
        if count < 0:
            raise TickerArgumentError(
                f"TICKER_PARSE_THREADS takes a whole number, 0 or more, not {setting!r}"
            )
        return count
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        cpus = os.cpu_count() or 1
    return min(cpus, 4) if cpus > 1 else 0


def settings(
    *,
    dialect: Dialect | str | None = None,
    symbols: Iterable[str] | None = None,
    validate: bool = True,
    markup: str = "auto",
) -> Settings:
    """Check the shared arguments once, up front, with messages that say what to change."""
    if not isinstance(validate, bool):
        raise TickerArgumentError(f"validate= takes True or False, not {validate!r}")
    return Settings(
        to_dialect(dialect), known_symbols(symbols), validate, check_markup(markup), threads()
    )


def check_timeout(timeout: object) -> float | None:
    """Check a ``timeout=`` argument: None, or a positive number of seconds."""
    if timeout is None:
        return None
    if (
        isinstance(timeout, bool)
        or not isinstance(timeout, int | float)
        or not math.isfinite(timeout)
        or timeout <= 0
    ):
        raise TickerArgumentError(f"timeout= takes a positive number of seconds, not {timeout!r}")
    return float(timeout)


@dataclass(frozen=True, slots=True)
class Parsed:
    """What the pipeline made of one text: its entries, checked, with original offsets."""

    normalized: Normalized
    checked: Checked
    start: npt.NDArray[np.int64]
    end: npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Read:
    """The first, in-order half of the pipeline: a text normalized, and its entries where
    they stand (:func:`~ticker_parse.checks.settle_entries`). What is left
    (:func:`finish`) may run in another thread."""

    normalized: Normalized
    entries: Entries


def read(text: str, options: Settings, *, deadline: float | None = None) -> Read:
    """Normalize ``text`` and find its entries (``deadline``: a ``time.monotonic()`` value)."""
    if not isinstance(text, str):
        raise TickerArgumentError(f"expected text as a str, not {type(text).__name__}")
    norm = normalize(text, markup=options.markup, deadline=deadline)
    entries = read_entries(norm.text, options.dialect, deadline=deadline)
    return Read(norm, settle_entries(entries, options.known))


def finish(done: Read, options: Settings) -> Parsed:
    """Settle the splits and conventions of what :func:`read` found, and judge its figures."""
    checked = check_settled(done.entries, options.known, validate=options.validate)
    start = done.normalized.original_starts(checked.entries.start)
    end = done.normalized.original_ends(checked.entries.end)
    return Parsed(done.normalized, checked, start, end)


def run(text: str, options: Settings, *, deadline: float | None = None) -> Parsed:
    """Run the pipeline on one text (``deadline``: a ``time.monotonic()`` value)."""
    return finish(read(text, options, deadline=deadline), options)


#: Characters per block when a big text is read in pieces (streams, big texts).
BLOCK_SIZE = 1 << 21
_T = TypeVar("_T")

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
    pieces: Iterable[str], *, margin: int = MARGIN, min_block: int = BLOCK_SIZE
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


def _carry_limit(block_size: int) -> int:
    """The longest strip carried whole into the next block (a quarter of a block)."""
    return max(block_size, 4 * MARGIN) // 4 + MARGIN


@dataclass(frozen=True, slots=True)
class Block:
    """One block of a stream, read by the pipeline.

    Rows from ``rows`` on (and the text from ``limit`` on) belong to a strip that runs to
    the block's end: they were carried into the next block instead.
    """

    offset: int
    text: str
    parsed: Parsed
    rows: int
    limit: int


@dataclass(frozen=True, slots=True)
class _Cut:
    """A block as far as :func:`read` takes it, with the rows it keeps (see :class:`Block`)
    and the number of the strips before it."""

    offset: int
    text: str
    done: Read
    rows: int
    limit: int
    strips_before: int

    def finish(self, options: Settings) -> Block:
        return Block(self.offset, self.text, finish(self.done, options), self.rows, self.limit)


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


def _tail(done: Read, text: str) -> tuple[int, int] | None:
    """The first row of the last strip of ``text``, and where it starts, if that strip runs
    to the end of the text."""
    strip, entries, norm = done.entries.strip, done.entries, done.normalized
    if not len(strip) or text[int(norm.original_ends(entries.end[-1:])[0]) :].strip():
        return None
    row = int(np.searchsorted(strip, strip[-1]))
    return row, int(norm.original_starts(entries.start[row : row + 1])[0])


def _cuts(pieces: Iterable[str], options: Settings, *, block_size: int) -> Iterator[_Cut]:
    """The first half of the pipeline over a stream's safe blocks, in order (see
    :func:`read_blocks`)."""
    blocks = iter_blocks(pieces, min_block=block_size)
    first = next(blocks, None)
    if first is None:
        return
    if _is_page(first[1], options):
        # a page is rendered whole: a later block could start inside a <script>
        text = first[1] + "".join(block for _, block in blocks)
        done = read(text, options)
        yield _Cut(0, text, done, len(done.entries), len(text), 0)
        return
    held = ""
    strips = 0
    for (base, block), is_last in _with_last(chain([first], blocks)):
        text, offset = held + block, base - len(held)
        held = ""
        done = read(text, options)
        rows, limit = len(done.entries), len(text)
        tail = None if is_last else _tail(done, text)
        if tail is not None and len(text) - tail[1] < _carry_limit(block_size):
            rows, limit = tail
            held = text[limit:]
        yield _Cut(offset, text, done, rows, limit, strips)
        if rows:
            strips += int(done.entries.strip[rows - 1]) + 1


_U = TypeVar("_U")


def _map_ahead(fn: Callable[[_T], _U], items: Iterable[_T], workers: int) -> Iterator[_U]:
    """``map(fn, items)``, results in order, with up to ``workers`` calls of ``fn`` running
    in threads ahead of the caller (numpy, Arrow and the compiled reader let go of the
    GIL). ``items`` are made in the caller's thread, in order; when making one fails, the
    results of those before it come first, as without threads. With no workers, or a
    single item, all is done in the caller's thread, without a pool."""
    it = iter(items)
    if workers == 0:
        yield from map(fn, it)
        return
    first = next(it, None)
    if first is None:
        return
    try:
        second = next(it, None)
    except Exception:
        yield fn(first)
        raise
    if second is None:
        yield fn(first)
        return
    pending: deque[Future[_U]] = deque()
    rest = chain((first, second), it)
    with ThreadPoolExecutor(workers, thread_name_prefix="ticker_parse") as pool:
        try:
            while True:
                try:
                    item = next(rest)
                except StopIteration:
                    break
                except Exception:
                    while pending:
                        yield pending.popleft().result()
                    raise
                pending.append(pool.submit(fn, item))
                if len(pending) > workers:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:  # the caller stopped early, or a block failed: start nothing more
            for future in pending:
                future.cancel()


def read_blocks(pieces: Iterable[str], options: Settings, *, block_size: int) -> Iterator[Block]:
    """The pipeline over a stream's safe blocks, each ending after a whole strip where it can.

    A strip that runs to a block's end may go on in the next block: its text is carried
    over and read again there, so that every strip is read, and its convention voted on, in
    one piece wherever the blocks were cut. A strip longer than :func:`_carry_limit` is read
    where the cut falls. An HTML page (told by its first block, or ``markup="html"``) is
    read whole. Blocks are finished in threads (:func:`threads`) while the next is read.
    """
    return _map_ahead(
        lambda cut: cut.finish(options),
        _cuts(pieces, options, block_size=block_size),
        options.threads,
    )


def read_block_frames(
    pieces: Iterable[str],
    options: Settings,
    *,
    exact: Exactness,
    source: str | None = None,
    captured_at: pd.Timestamp | None = None,
    block_size: int = BLOCK_SIZE,
) -> Iterator[tuple[Block, pd.DataFrame]]:
    """Each block of a text given in ``pieces``, and its frame: offsets into the whole text,
    strips numbered on from the blocks before, the rows of a carried strip left out (they
    come with the next block)."""

    def framed(cut: _Cut) -> tuple[Block, pd.DataFrame]:
        block = cut.finish(options)
        parsed = block.parsed
        frame = assemble_frame(
            parsed.checked,
            parsed.start + block.offset,
            parsed.end + block.offset,
            exact=exact,
            source=source,
            captured_at=captured_at,
            strip_base=cut.strips_before,
        )
        if block.rows < len(frame):
            frame = frame.iloc[: block.rows].reset_index(drop=True)
        return block, frame

    return _map_ahead(framed, _cuts(pieces, options, block_size=block_size), options.threads)


def frame_from_text(
    text: str,
    *,
    dialect: Dialect | str | None = None,
    symbols: Iterable[str] | None = None,
    validate: bool = True,
    exact: Exactness | bool = "float",
    drop_duplicates: bool = False,
    markup: str = "auto",
    source: str | None = None,
    captured_at: pd.Timestamp | None = None,
    timeout: float | None = None,
) -> pd.DataFrame:
    """Text to DataFrame, one row per quote (see ``table`` for the columns).

    A pure function of its arguments, picklable, so that Dask can map it over files.
    """
    if not isinstance(text, str):
        raise TickerArgumentError(f"frame_from_text() takes a str, not {type(text).__name__}")
    if source is not None and not isinstance(source, str):
        raise TickerArgumentError(f"source= takes a str, not {type(source).__name__}")
    options = settings(dialect=dialect, symbols=symbols, validate=validate, markup=markup)
    exactness = check_exact(exact)
    timeout = check_timeout(timeout)
    captured_at = capture_time(captured_at)
    if timeout is None and len(text) > 2 * BLOCK_SIZE:
        # a big text in blocks: the same rows, without the pipeline's intermediate columns
        # for all of it at once (read_blocks reads a page whole)
        pieces = (text[i : i + BLOCK_SIZE] for i in range(0, len(text), BLOCK_SIZE))
        parts = [
            f
            for _, f in read_block_frames(
                pieces, options, exact=exactness, source=source, captured_at=captured_at
            )
        ]
        frame = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    else:
        deadline = None if timeout is None else time.monotonic() + timeout
        parsed = run(text, options, deadline=deadline)
        frame = assemble_frame(
            parsed.checked,
            parsed.start,
            parsed.end,
            exact=exactness,
            source=source,
            captured_at=captured_at,
        )
    return dedupe(frame) if drop_duplicates else frame


def _is_page(text: str, options: Settings) -> bool:
    return options.markup == "html" or (
        options.markup == "auto" and "<" in text and looks_like_html(text)
    )


def _leads_as_alone(joined: str, entries: Entries, starts: npt.NDArray[np.int64]) -> Entries:
    """Documents read together (``joined``; each starts at ``starts``): the first entry of
    a document whose lead reaches back over the separator gets the ``lead_blank`` it has
    when its document is read alone, where the settling of glued headlines looks at it
    (:func:`~ticker_parse.checks.trim_headlines`: a lead that is not blank, or an entry
    opening its text, may hold a headline)."""
    if not len(entries):
        return entries
    document = np.searchsorted(starts, entries.start, side="right") - 1
    first = np.flatnonzero(np.diff(document, prepend=-1))  # each document's first entry
    first = first[document[first] > 0]
    lead_blank = entries.lead_blank.copy()
    for row in first.tolist():
        lo, hi = int(starts[document[row]]), int(entries.start[row])
        if lo == hi:  # it opens its document (a marquee entry's lead is always blank)
            lead_blank[row] = False
        elif not lead_blank[row] and joined.find(")", lo, hi) < 0:  # its lead reaches back
            lead_blank[row] = is_blank_lead(joined, lo, hi)
    return replace(entries, lead_blank=lead_blank)


def read_documents(
    texts: Sequence[str],
    *,
    sources: Sequence[str | None] | None = None,
    captured_at: Sequence[pd.Timestamp | datetime | None] | None = None,
    dialect: Dialect | str | None = None,
    symbols: Iterable[str] | None = None,
    validate: bool = True,
    exact: Exactness | bool = "float",
    markup: str = "auto",
    drop_duplicates: bool = False,
) -> tuple[pd.DataFrame, npt.NDArray[np.int64]]:
    """Many documents (pages, WARC records, small files) read together: their rows, and
    each row's document number.

    Each document is normalized on its own (its HTML rendered, its offsets kept); the
    normalized texts are then read as one text, so the pipeline's fixed cost is paid once
    per batch rather than once per page. Each document's rows are those
    :func:`frame_from_text` gives it: ``start``/``end`` index its own text, its strips are
    numbered from 0, ``drop_duplicates`` compares its own rows; ``sources`` and
    ``captured_at`` (one per document) fill those columns. Rows come in document order.
    """
    options = settings(dialect=dialect, symbols=symbols, validate=validate, markup=markup)
    n = len(texts)
    if (sources is not None and len(sources) != n) or (
        captured_at is not None and len(captured_at) != n
    ):
        raise TickerArgumentError("sources= and captured_at= take one value per text")
    normalized = [normalize(t, markup=options.markup) for t in texts]
    lengths = np.array([len(x.text) for x in normalized], dtype=np.int64)
    starts = np.concatenate(([0], np.cumsum(lengths + len(DOCUMENT_SEPARATOR))[:-1]))
    joined = DOCUMENT_SEPARATOR.join(x.text for x in normalized)
    entries = _leads_as_alone(joined, read_entries(joined, options.dialect), starts)
    checked = check_entries(entries, options.known, validate=options.validate)
    entry_start = checked.entries.start
    document = (np.searchsorted(starts, entry_start, side="right") - 1).astype(np.int64)
    bounds = np.searchsorted(document, np.arange(n + 1))
    start = np.empty_like(entry_start)
    end = np.empty_like(entry_start)
    for i in np.flatnonzero(np.diff(bounds)).tolist():
        rows = slice(bounds[i], bounds[i + 1])
        start[rows] = normalized[i].original_starts(entry_start[rows] - starts[i])
        end[rows] = normalized[i].original_ends(checked.entries.end[rows] - starts[i])
    frame = assemble_frame(
        checked,
        start,
        end,
        exact=check_exact(exact),
        source=None
        if sources is None
        else pa.array(list(sources), pa.large_string()).take(pa.array(document)),
        captured_at=None
        if captured_at is None
        else pd.DatetimeIndex(
            pd.to_datetime(pd.Index(list(captured_at), dtype=object), utc=True)
        ).take(document),
    )
    if len(frame):  # strips numbered from 0 in each document (the separator breaks strips)
        strip = frame["strip"].to_numpy()
        frame["strip"] = strip - strip[bounds[document]]
    if drop_duplicates:
        keep = ~repeated(frame, within=document)
        frame, document = frame.loc[keep].reset_index(drop=True), document[keep]
    return frame, document


def frame_from_texts(
    texts: Sequence[str],
    *,
    sources: Sequence[str | None] | None = None,
    captured_at: Sequence[pd.Timestamp | datetime | None] | None = None,
    dialect: Dialect | str | None = None,
    symbols: Iterable[str] | None = None,
    validate: bool = True,
    exact: Exactness | bool = "float",
    markup: str = "auto",
    drop_duplicates: bool = False,
) -> pd.DataFrame:
    """Many documents to one DataFrame, read together (see :func:`read_documents`)."""
    frame, _ = read_documents(
        texts,
        sources=sources,
        captured_at=captured_at,
        dialect=dialect,
        symbols=symbols,
        validate=validate,
        exact=exact,
        markup=markup,
        drop_duplicates=drop_duplicates,
    )
    return frame
