"""Reading web captures out of WARC archives: one decoded text document per captured page.

Needs the optional ``warc`` extra (``pip install 'ticker_parse[warc]'``), which brings warcio;
it is imported when a WARC is first read, so ``import ticker_parse`` works without it.

>>> from ticker_parse.warc import WarcStats, iter_warc  # doctest: +SKIP
>>> stats = WarcStats()
>>> for doc in iter_warc("crawl.warc.gz", stats=stats):  # doctest: +SKIP
...     frame = ticker_parse.frame_from_text(doc.text)

What is yielded: every ``response`` record with an HTTP 2xx status, and every ``resource``
record, whose content type is HTML or plain text (``text/html``, ``application/xhtml+xml``,
``text/plain``; with no content type at all, a payload that starts like HTML). The HTTP
transfer and content encodings (chunked; gzip, deflate, and br when ``brotli`` is installed)
are undone, and the bytes are decoded with, in order of precedence: a byte-order mark, the
charset of the HTTP ``Content-Type`` (of the WARC ``Content-Type`` for a resource record), a
``<meta charset>`` or ``<meta http-equiv="Content-Type">`` in the first 4 KB, else UTF-8.
Charset labels follow the WHATWG Encoding Standard for the common cases (``iso-8859-1``,
``latin1`` and ``us-ascii`` mean windows-1252, as browsers read them). Bytes that do not decode,
and pages that name a charset Python does not know, are decoded as UTF-8 with U+FFFD for what
does not decode; the count of U+FFFD inserted is ``WarcDocument.replaced``.

Everything else is skipped and counted in ``WarcStats.skipped`` by reason: the record type for
``request``, ``metadata``, ``revisit``, ``warcinfo``, ``conversion``, ``continuation``;
``non-text`` for images, JSON, scripts and other non-text payloads; ``empty`` for a payload
that is empty or only white space; ``http-status`` for a non-2xx response (redirects, error
pages).

Damage is reported, never raised: a malformed or truncated record adds one line to
``WarcStats.errors`` (``"<file>: record at byte <offset>: <what>"``) and is not yielded, and
reading goes on with the next record. When the records after the damage cannot be found by
the reader (a broken gzip member, unparsable WARC headers), a seekable input is scanned for the
next record start; a non-seekable one stops there. Only an input that is not a WARC at all, or
a missing warcio, raises :class:`~ticker_parse.errors.TickerWarcError`.

Offsets are byte offsets in the archive file as stored (for a ``.warc.gz`` the offset of the
gzip member that holds the record, as in CDX indexes), counted from where a passed stream was
positioned.
"""

from __future__ import annotations

import codecs
import os
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, BinaryIO, Final

from ticker_parse.errors import TickerWarcError

__all__ = [
    "MISSING_EXTRA_MESSAGE",
    "WARC_HEAD_SIZE",
    "WARC_MAGIC",
    "WarcDocument",
    "WarcStats",
    "is_warc",
    "iter_warc",
]

#: What a WARC file starts with (after gzip decompression for a ``.warc.gz``).
WARC_MAGIC: Final = (b"WARC/1.0", b"WARC/1.1")

#: How many leading bytes :func:`is_warc` wants. Eight are enough for an uncompressed WARC, but
#: in a gzip member the first decoded byte comes after the gzip header (10 bytes, more with a
#: file name) and the deflate block's Huffman tables: 65-77 bytes into warcio-written files,
#: up to about 300 bytes in the worst case. 1 KB leaves room for both.
WARC_HEAD_SIZE: Final = 1024

MISSING_EXTRA_MESSAGE: Final = (
    "reading WARC files needs the optional warc extra: pip install 'ticker_parse[warc]'"
)

_GZIP_MAGIC: Final = b"\x1f\x8b\x08"
_TEXT_TYPES: Final = frozenset({"text/html", "application/xhtml+xml", "text/plain"})
_SKIPPED_TYPES: Final = frozenset(
    {"request", "metadata", "revisit", "warcinfo", "conversion", "continuation"}
)
_BLOCK: Final = 1 << 16
_META_WINDOW: Final = 4096

# the WHATWG MIME-sniffing patterns for text/html: a tag name then a space or ">", or a comment
_HTML_START = re.compile(
    rb"<(?:(?:!doctype\s+html|html|head|script|iframe|h1|div|font|table|a|style|title|b|body"
    rb"|br|p)[\s>]|!--)",
    re.IGNORECASE,
)
_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,512}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE
)
_PARAM_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)

# WHATWG Encoding Standard labels that Python spells or reads differently.
_LABELS: Final = {
    **dict.fromkeys(
        (
            "ascii",
            "us-ascii",
            "ansi_x3.4-1968",
            "iso-8859-1",
            "iso8859-1",
            "iso_8859-1",
            "iso88591",
            "latin1",
            "latin-1",
            "l1",
            "cp819",
            "ibm819",
            "x-cp1252",
        ),
        "cp1252",
    ),
    **dict.fromkeys(("iso-8859-9", "iso8859-9", "latin5", "l5"), "cp1254"),
    **dict.fromkeys(("tis-620", "iso-8859-11", "windows-874"), "cp874"),
    **dict.fromkeys(("gb2312", "gbk", "x-gbk"), "gb18030"),
    **dict.fromkeys(("shift_jis", "shift-jis", "sjis", "x-sjis", "ms_kanji"), "cp932"),
    **dict.fromkeys(("euc-kr", "ks_c_5601-1987", "korean"), "cp949"),
    "big5": "big5hkscs",
}
# a <meta> cannot really declare UTF-16 (the meta itself would not be ASCII): WHATWG reads UTF-8
_META_UTF16: Final = frozenset({"utf-16", "utf-16le", "utf-16be", "utf-16-le", "utf-16-be"})
_BOMS: Final = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


@dataclass(frozen=True, slots=True)
class WarcDocument:
    """One captured page, decoded to text."""

    source: str  #: the record's ``WARC-Target-URI``
    captured_at: datetime  #: ``WARC-Date``, timezone-aware UTC
    text: str  #: the decoded HTTP payload (or resource block)
    record_offset: int  #: byte offset of the record in the file, for messages
    content_type: str  #: the MIME type without parameters (``""`` when the payload was sniffed)
    replaced: int = 0  #: how many U+FFFD decoding put in for bytes that did not decode


@dataclass(slots=True)
class WarcStats:
    """What :func:`iter_warc` met: pass one in and read it after the iteration.

    Every record lands in exactly one place: ``parsed``, a ``skipped`` reason, or one line of
    ``errors`` (an unreadable tail of the file counts as one line). ``responses`` counts the
    ``response`` and ``resource`` records among them.
    """

    responses: int = 0
    parsed: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    replaced_chars: int = 0

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1


def is_warc(head: bytes) -> bool:
    """Whether ``head``, the first bytes of a file, start a WARC (plain, or gzip-compressed).

    Pass the first :data:`WARC_HEAD_SIZE` bytes (or the whole file if shorter). Eight bytes
    suffice for an uncompressed WARC; with fewer than about 80 bytes a ``.warc.gz`` can read
    as not a WARC because its first decoded byte is not reached yet.
    """
    if head.startswith(WARC_MAGIC):
        return True
    if not head.startswith(_GZIP_MAGIC):
        return False
    try:
        start = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 16)
    except zlib.error:
        return False
    return start.startswith(WARC_MAGIC)


def iter_warc(
    path_or_binary: str | os.PathLike[str] | BinaryIO,
    *,
    stats: WarcStats | None = None,
    source_name: str | None = None,
) -> Iterator[WarcDocument]:
    """Yield the HTML and text pages captured in a WARC file, in file order.

    ``path_or_binary`` is a path or a binary stream (read from its current position; it is not
    closed). ``source_name`` names the input in messages (default: the path, or the stream's
    ``name``). ``stats`` is filled in as the iteration goes.

    Raises :class:`~ticker_parse.errors.TickerWarcError` at once, before the first document,
    when the input is not a WARC or warcio is not installed. Damaged records do not raise:
    see the module documentation.
    """
    iterator_class = _archive_iterator_class()
    stats = WarcStats() if stats is None else stats
    if isinstance(path_or_binary, str | os.PathLike):
        path = os.fspath(path_or_binary)
        name = source_name or path
        with open(path, "rb") as fh:
            head = fh.read(WARC_HEAD_SIZE)
        _check_head(head, name)
        return _iter_path(path, name, iterator_class, stats, gzipped=head.startswith(_GZIP_MAGIC))
    stream = path_or_binary
    stream_name = getattr(stream, "name", None)
    name = source_name or (stream_name if isinstance(stream_name, str) else "<stream>")
    try:
        start: int | None = stream.tell() if stream.seekable() else None
    except (OSError, AttributeError, ValueError):
        start = None
    head = stream.read(WARC_HEAD_SIZE)
    _check_head(head, name)
    source = _Source(stream, head=head, start=start)
    return _records(source, name, iterator_class, stats, gzipped=head.startswith(_GZIP_MAGIC))


# --- the archive ----------------------------------------------------------------------------


def _check_head(head: bytes, name: str) -> None:
    if is_warc(head):
        return
    if not head:
        what = "it is empty"
    elif head.startswith(_GZIP_MAGIC):
        what = "gzip data that does not start with a WARC record"
    else:
        what = f"starts with {head[:24]!r}"
    raise TickerWarcError(f"{name}: not a WARC file ({what})")


def _archive_iterator_class() -> type[Any]:
    """warcio's ArchiveIterator, reporting a wrong Content-Length instead of printing it."""
    try:
        from warcio.archiveiterator import ArchiveIterator  # the optional extra, imported when used
    except ImportError:
        raise TickerWarcError(MISSING_EXTRA_MESSAGE) from None

    class _ArchiveIterator(ArchiveIterator):  # type: ignore[misc]
        def __init__(self, fileobj: _Source) -> None:
            self.problems: list[str] = []
            super().__init__(fileobj)

        def _consume_blanklines(self) -> tuple[bytes | None, int]:
            # warcio's own, less its write to stderr: the non-blank line after a record means
            # the record's Content-Length is wrong
            empty_size = 0
            first_line = True
            while True:
                line: bytes = self.reader.readline()
                if not line:
                    return None, empty_size
                stripped = line.rstrip()
                if not stripped or first_line:
                    empty_size += len(line)
                    if stripped:
                        self.problems.append(
                            f"Content-Length does not match the record "
                            f"(followed by {stripped[:24]!r}, not a blank line)"
                        )
                    first_line = False
                    continue
                return line, empty_size

    return _ArchiveIterator


class _Source:
    """The stored bytes as warcio reads them: counts the offset, can jump when seekable."""

    def __init__(self, stream: BinaryIO, *, head: bytes = b"", start: int | None = 0) -> None:
        self._stream = stream
        self._head = head
        self._start = start
        self._pos = 0

    @property
    def seekable(self) -> bool:
        return self._start is not None

    def read(self, size: int = -1) -> bytes:
        if self._head:
            if size < 0:
                data = self._head + self._stream.read()
            else:
                data = self._head[:size]
                if len(data) < size:
                    data += self._stream.read(size - len(data))
            self._head = self._head[len(data) :]
        else:
            data = self._stream.read(size)
        self._pos += len(data)
        return data

    def tell(self) -> int:
        return self._pos

    def seek_to(self, offset: int) -> None:
        assert self._start is not None
        self._stream.seek(self._start + offset)
        self._head = b""
        self._pos = offset

    def drain(self) -> int:
        """Read to the end; the offset of the end of the input."""
        while self.read(1 << 20):
            pass
        return self._pos


def _iter_path(
    path: str, name: str, iterator_class: type[Any], stats: WarcStats, *, gzipped: bool
) -> Iterator[WarcDocument]:
    with open(path, "rb") as fh:
        yield from _records(_Source(fh), name, iterator_class, stats, gzipped=gzipped)


def _records(
    source: _Source, name: str, iterator_class: type[Any], stats: WarcStats, *, gzipped: bool
) -> Iterator[WarcDocument]:
    def error(offset: int, what: str) -> None:
        stats.errors.append(f"{name}: record at byte {offset}: {what}")

    while True:
        it = iterator_class(source)
        try:
            for record in it:
                offset = int(it.offset)
                doc = _one_record(record, it, offset, stats, error)
                if doc is not None:
                    stats.parsed += 1
                    stats.replaced_chars += doc.replaced
                    yield doc
        except Exception as exc:  # whatever warcio or zlib raise on bytes that are not records
            failed_at = int(it.offset)
            error(failed_at, f"unreadable ({_one_line(exc)})")
        else:
            end = int(it.offset)
            total = source.drain()
            if total > end:
                error(end, f"truncated or unreadable: the last {total - end} bytes were not read")
            return
        # find the next record after the damage, where the input allows
        if not source.seekable:
            return
        resume = _find_record_start(source, failed_at + 1, gzipped=gzipped)
        if resume is None:
            return
        source.seek_to(resume)


def _one_record(
    record: Any,
    it: Any,
    offset: int,
    stats: WarcStats,
    error: Any,
) -> WarcDocument | None:
    """The document in ``record``, or None after counting why there is none."""
    rec_type = str(record.rec_type or "")
    if rec_type not in ("response", "resource"):
        it.read_to_end()
        if _damage(record, it, offset, error):
            return None
        stats.skip(rec_type if rec_type in _SKIPPED_TYPES else rec_type or "unknown")
        return None
    stats.responses += 1
    result: WarcDocument | str
    try:
        result = _document(record, offset)
    except _MalformedRecordError as exc:
        it.read_to_end()
        if not _damage(record, it, offset, error):
            error(offset, str(exc))
        return None
    it.read_to_end()
    if _damage(record, it, offset, error):
        return None
    if isinstance(result, str):
        stats.skip(result)
        return None
    return result


def _damage(record: Any, it: Any, offset: int, error: Any) -> bool:
    """Report a record cut short by the end of the file, or followed by garbage."""
    missing = int(getattr(record.raw_stream, "limit", 0) or 0)
    if missing > 0:
        length = record.rec_headers.get_header("Content-Length")
        error(offset, f"truncated: {missing} of its {length} bytes are missing")
        return True
    if it.problems:
        error(offset, it.problems.pop())
        it.problems.clear()
        return True
    return False


def _find_record_start(source: _Source, start: int, *, gzipped: bool) -> int | None:
    """The offset of the next record start at or after ``start``, by scanning the raw bytes."""
    marker = _GZIP_MAGIC if gzipped else b"\nWARC/1."
    pos = start
    while True:
        source.seek_to(pos)
        block = source.read(_BLOCK + WARC_HEAD_SIZE)
        if not block:
            return None
        i = block.find(marker)
        while i >= 0:
            candidate = pos + i + (0 if gzipped else 1)
            source.seek_to(candidate)
            if is_warc(source.read(WARC_HEAD_SIZE)):
                return candidate
            i = block.find(marker, i + 1)
        if len(block) <= _BLOCK:
            return None
        pos += _BLOCK


# --- one record -----------------------------------------------------------------------------


class _MalformedRecordError(Exception):
    pass


def _document(record: Any, offset: int) -> WarcDocument | str:
    """The decoded document of a response or resource record, or the reason to skip it."""
    headers = record.rec_headers
    uri = str(headers.get_header("WARC-Target-URI") or "").strip().strip("<>")
    captured_at = _warc_date(headers.get_header("WARC-Date"))
    http = record.http_headers if record.rec_type == "response" else None
    if http is not None:
        status = str(http.get_statuscode() or "")
        if not status.startswith("2"):
            return "http-status"
        content_type = str(http.get_header("Content-Type") or "")
    else:
        content_type = str(headers.get_header("Content-Type") or "")
    mime = content_type.partition(";")[0].strip().lower()
    if mime and mime not in _TEXT_TYPES:
        return "non-text"
    payload = bytes(record.raw_stream.read()) if http is None else _http_payload(record, http)
    if not payload or payload.isspace():
        return "empty"
    if not mime and not _looks_like_html(payload):
        return "non-text"
    text, replaced = _decode_payload(payload, _param_charset(content_type))
    return WarcDocument(uri, captured_at, text, offset, mime, replaced)


def _http_payload(record: Any, http: Any) -> bytes:
    """The HTTP body with its transfer and content encodings undone.

    warcio undoes the chunked framing (leniently: a body recorded already de-chunked under a
    "Transfer-Encoding: chunked" header is taken as it is). The content encoding is undone
    here, strictly: a corrupt or cut-off compressed body is an error, not text. A body that
    starts like HTML despite its Content-Encoding (some tools store bodies decoded and keep
    the header) is taken as it is.
    """
    from warcio.bufferedreaders import ChunkedDataReader  # the optional extra

    transfer = str(http.get_header("Transfer-Encoding") or "").lower()
    try:
        if "chunked" in transfer:
            body = bytes(ChunkedDataReader(record.raw_stream).read())
        else:
            body = bytes(record.raw_stream.read())
    except Exception as exc:  # chunked framing warcio could not undo
        raise _MalformedRecordError(f"cannot undo chunked framing ({_one_line(exc)})") from exc
    encoding = str(http.get_header("Content-Encoding") or "").strip().lower()
    if encoding in ("", "identity", "none") or not body:
        return body
    try:
        return _content_decode(body, encoding)
    except _MalformedRecordError:
        if _looks_like_html(body):
            return body
        raise


def _content_decode(body: bytes, encoding: str) -> bytes:
    if encoding in ("gzip", "x-gzip", "deflate"):
        # gzip and zlib headers are told apart by wbits 32+; a bare deflate stream needs -15
        attempts = (32 + zlib.MAX_WBITS,) if encoding != "deflate" else (zlib.MAX_WBITS, -15)
        problem = ""
        for wbits in attempts:
            decompressor = zlib.decompressobj(wbits)
            try:
                out = decompressor.decompress(body)
            except zlib.error as exc:
                problem = _one_line(exc)
                continue
            if not decompressor.eof:
                raise _MalformedRecordError(f"Content-Encoding {encoding}: the body is cut off")
            return out
        raise _MalformedRecordError(f"Content-Encoding {encoding}: corrupt body ({problem})")
    if encoding == "br":
        try:
            import brotli  # the optional extra's brotli
        except ImportError:
            raise _MalformedRecordError(
                "Content-Encoding br needs brotli: pip install 'ticker_parse[warc]'"
            ) from None
        try:
            return bytes(brotli.decompress(body))
        except Exception as exc:  # brotli.error
            raise _MalformedRecordError(f"Content-Encoding br: corrupt body ({exc})") from exc
    raise _MalformedRecordError(f"Content-Encoding {encoding} is not supported")


def _warc_date(value: object) -> datetime:
    if not value:
        raise _MalformedRecordError("no WARC-Date")
    text = str(value).strip()
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise _MalformedRecordError(f"WARC-Date {text[:40]!r} is not an ISO 8601 date") from None
    if when.tzinfo is None:
        return when.replace(tzinfo=UTC)
    return when.astimezone(UTC)


def _looks_like_html(payload: bytes) -> bool:
    start = payload[:1024].lstrip()
    for bom, _ in _BOMS:
        if start.startswith(bom):
            start = start[len(bom) :].lstrip()
            break
    return _HTML_START.match(start) is not None


def _param_charset(content_type: str) -> str | None:
    m = _PARAM_CHARSET.search(content_type)
    return m.group(1) if m else None


def _meta_charset(payload: bytes) -> str | None:
    m = _META_CHARSET.search(payload, 0, _META_WINDOW)
    if m is None:
        return None
    label = m.group(1).decode("ascii").lower()
    return "utf-8" if label in _META_UTF16 else label


def _codec(label: str | None) -> str | None:
    """The Python codec for a charset label, or None when Python has no text codec of that name."""
    if not label:
        return None
    label = label.strip().strip("'\"").lower()
    codec = _LABELS.get(label, label)
    try:
        "".encode(codec)
        b"".decode(codec)
    except (LookupError, ValueError):
        return None
    return codec


def _decode_payload(payload: bytes, http_charset: str | None = None) -> tuple[str, int]:
    """Decode an HTML or text payload; the text and how many U+FFFD replaced undecodable bytes.

    Precedence: byte-order mark, ``http_charset``, ``<meta>`` charset in the first 4 KB,
    UTF-8. A charset Python does not know falls back to UTF-8.
    """
    codec = None
    for bom, bom_codec in _BOMS:
        if payload.startswith(bom):
            payload = payload[len(bom) :]
            codec = bom_codec
            break
    if codec is None:
        codec = _codec(http_charset) or _codec(_meta_charset(payload)) or "utf-8"
    try:
        return payload.decode(codec), 0
    except UnicodeDecodeError:
        text = payload.decode(codec, "replace")
        # each replacement is one U+FFFD that "ignore" leaves out
        return text, len(text) - len(payload.decode(codec, "ignore"))


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:200]
