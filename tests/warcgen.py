"""Write WARC files for the tests of :mod:`ticker_parse.warc`, with warcio's writer.

Every writer returns a :class:`GeneratedWarc`: the path, the documents ``iter_warc`` must yield
(URI, capture time, a substring the decoded text must contain) in file order, and the skip
counts it must report. Nothing here reads WARC files; the tests check the reader against what
was written.
"""

from __future__ import annotations

import gzip
import io
import random
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

__all__ = [
    "STRIP",
    "Expected",
    "GeneratedWarc",
    "Rec",
    "html_page",
    "http_response",
    "realistic_page",
    "write_benchmark_warc",
    "write_mixed_warc",
    "write_records",
    "write_truncated_warc",
]

#: The ticker strip every page carries (the reader does not parse it; it only has to survive).
STRIP = "AGL38.02▲ 0.08 (0.21%)AIRLINK197.36▲ 3.45 (1.78%)"

_START = datetime(2024, 3, 4, 9, 30, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Expected:
    """One document ``iter_warc`` must yield."""

    uri: str
    captured_at: datetime
    contains: str


@dataclass(slots=True)
class GeneratedWarc:
    path: Path
    expected: list[Expected]
    skipped: dict[str, int] = field(default_factory=dict)
    payload_bytes: int = 0


@dataclass(frozen=True, slots=True)
class Rec:
    """One record to write: the WARC type, target URI, date, and the block bytes."""

    rec_type: str
    uri: str
    date: datetime
    block: bytes
    warc_content_type: str = ""
    extra: tuple[tuple[str, str], ...] = ()


def _warc_date(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def html_page(body: str, *, title: str = "Markets", head_extra: str = "") -> str:
    """A small complete HTML page around ``body``."""
    return (
        "<!DOCTYPE html>\n<html><head><title>"
        + title
        + "</title>"
        + head_extra
        + "</head><body>"
        + body
        + "</body></html>\n"
    )


def strip_div(text: str = STRIP) -> str:
    return f'<div class="ticker">{text}</div>'


def http_response(
    body: bytes,
    *,
    content_type: str | None = "text/html; charset=utf-8",
    status: str = "200 OK",
    chunked: bool = False,
    content_encoding: str | None = None,
    chunk_size: int = 1000,
) -> bytes:
    """The bytes of an HTTP/1.1 response as a crawler records them (encodings still applied)."""
    headers = [("Server", "nginx"), ("Date", "Mon, 04 Mar 2024 09:30:00 GMT")]
    if content_type is not None:
        headers.append(("Content-Type", content_type))
    if content_encoding == "gzip":
        body = gzip.compress(body, mtime=0)
    elif content_encoding == "deflate":
        body = zlib.compress(body)
    elif content_encoding == "br":
        import brotli  # in the test extra

        body = brotli.compress(body)
    elif content_encoding is not None:
        raise ValueError(content_encoding)
    if content_encoding:
        headers.append(("Content-Encoding", content_encoding))
    if chunked:
        headers.append(("Transfer-Encoding", "chunked"))
        out = io.BytesIO()
        for i in range(0, len(body), chunk_size):
            piece = body[i : i + chunk_size]
            out.write(b"%x\r\n" % len(piece) + piece + b"\r\n")
        out.write(b"0\r\n\r\n")
        body = out.getvalue()
    else:
        headers.append(("Content-Length", str(len(body))))
    head = f"HTTP/1.1 {status}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n"
    return head.encode("latin-1") + body


def _http_request(uri: str) -> bytes:
    path = "/" + uri.split("/", 3)[-1] if uri.count("/") >= 3 else "/"
    host = uri.split("/")[2]
    return f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: test\r\n\r\n".encode()


def write_records(path: Path, records: Iterable[Rec], *, gzip_records: bool) -> None:
    """Write ``records`` with warcio: one gzip member per record, or a plain file."""
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=gzip_records)
        for rec in records:
            headers = {"WARC-Date": _warc_date(rec.date), **dict(rec.extra)}
            if rec.rec_type == "warcinfo":
                record = writer.create_warc_record(
                    "",
                    "warcinfo",
                    payload=io.BytesIO(rec.block),
                    length=len(rec.block),
                    warc_headers_dict=headers,
                )
            elif rec.rec_type == "revisit":
                record = writer.create_revisit_record(
                    rec.uri,
                    digest="sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                    refers_to_uri=rec.uri,
                    refers_to_date=_warc_date(rec.date - timedelta(days=1)),
                    http_headers=StatusAndHeaders(
                        "304 Not Modified", [("Server", "nginx")], protocol="HTTP/1.1"
                    ),
                    warc_headers_dict=headers,
                )
            elif rec.rec_type in ("response", "request"):
                record = writer.create_warc_record(
                    rec.uri,
                    rec.rec_type,
                    payload=io.BytesIO(rec.block),
                    length=len(rec.block),
                    warc_headers_dict=headers,
                )
            else:  # resource, metadata: no HTTP headers in the block
                record = writer.create_warc_record(
                    rec.uri,
                    rec.rec_type,
                    payload=io.BytesIO(rec.block),
                    length=len(rec.block),
                    warc_content_type=rec.warc_content_type or "application/warc-fields",
                    warc_headers_dict=headers,
                )
                # warcio would otherwise look for HTTP headers in a resource block
                record.http_headers = None
            writer.write_record(record)


def _mixed_records() -> tuple[list[Rec], list[Expected], dict[str, int]]:
    recs: list[Rec] = []
    expected: list[Expected] = []
    skipped: dict[str, int] = {}

    def skip(reason: str) -> None:
        skipped[reason] = skipped.get(reason, 0) + 1

    minute = 0

    def when() -> datetime:
        nonlocal minute
        minute += 7
        return _START + timedelta(minutes=minute)

    def page(uri: str, block: bytes, contains: str) -> None:
        d = when()
        recs.append(Rec("request", uri, d, _http_request(uri)))
        skip("request")
        recs.append(Rec("response", uri, d, block))
        expected.append(Expected(uri, d, contains))

    recs.append(
        Rec("warcinfo", "", _START, b"software: warcgen\r\nformat: WARC File Format 1.0\r\n")
    )
    skip("warcinfo")

    # 1. a plain UTF-8 page with the strip
    plain = html_page(strip_div() + "<p>Karachi Stock Exchange closes higher.</p>")
    page("https://news.example.pk/markets", http_response(plain.encode()), STRIP)

    # 2. chunked transfer encoding
    chunked = html_page(strip_div("OGDC101.50▼ 1.25 (1.22%)") + "<p>" + "Oil. " * 600 + "</p>")
    page(
        "https://news.example.pk/chunked",
        http_response(chunked.encode(), chunked=True, chunk_size=333),
        "OGDC101.50▼ 1.25 (1.22%)",
    )

    # 3. gzip content encoding, and chunked on top of it
    gz = html_page(strip_div("HBL155.10▲ 2.00 (1.31%)") + "<p>Banks rally.</p>")
    page(
        "https://news.example.pk/gzip",
        http_response(gz.encode(), content_encoding="gzip"),
        "HBL155.10▲ 2.00 (1.31%)",
    )
    page(
        "https://news.example.pk/gzip-chunked",
        http_response(gz.encode(), content_encoding="gzip", chunked=True, chunk_size=50),
        "Banks rally.",
    )
    page(
        "https://news.example.pk/deflate",
        http_response(gz.replace("Banks", "Deflated banks").encode(), content_encoding="deflate"),
        "Deflated banks rally.",
    )

    page(
        "https://news.example.pk/brotli",
        http_response(gz.replace("Banks", "Brotli banks").encode(), content_encoding="br"),
        "Brotli banks rally.",
    )

    # 4. windows-1252: charset in the HTTP header; then only in <meta>
    cp_body = html_page(
        strip_div("LUCK&#9650; 712.40 +3.10")
        + "<p>Caf\u00e9 soci\u00e9t\u00e9 \u2013 \u201cquoted\u201d \u20ac12</p>"
    )
    page(
        "https://euro.example.com/cp1252-header",
        http_response(cp_body.encode("cp1252"), content_type="text/html; charset=windows-1252"),
        "Caf\u00e9 soci\u00e9t\u00e9 \u2013 \u201cquoted\u201d \u20ac12",
    )
    meta_body = html_page(
        strip_div("ENGRO&#9660; 290.00 -1.00") + "<p>Na\u00efve r\u00e9sum\u00e9 \u2014 \u2030</p>",
        head_extra='<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">',
    )
    page(
        "https://euro.example.com/cp1252-meta",
        http_response(meta_body.encode("cp1252"), content_type="text/html"),
        "Na\u00efve r\u00e9sum\u00e9 \u2014 \u2030",
    )
    meta5 = html_page(
        "<p>Gr\u00fc\u00dfe aus M\u00fcnchen</p>", head_extra='<meta charset="iso-8859-1">'
    )
    page(
        "https://euro.example.com/latin1-meta5",
        http_response(meta5.encode("latin-1"), content_type="text/html"),
        "Gr\u00fc\u00dfe aus M\u00fcnchen",
    )

    # 5. a page without any strip, and the first page captured again (a duplicate)
    page(
        "https://news.example.pk/about",
        http_response(html_page("<p>About us</p>").encode()),
        "About us",
    )
    page("https://news.example.pk/markets?dup=1", http_response(plain.encode()), STRIP)

    # 6. XHTML and text/plain responses are text too; no Content-Type: sniffed as HTML
    page(
        "https://news.example.pk/x.xhtml",
        http_response(
            b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body>'
            b"XHTML strip</body></html>",
            content_type="application/xhtml+xml",
        ),
        "XHTML strip",
    )
    page(
        "https://news.example.pk/feed.txt",
        http_response(b"PSX plain text feed", content_type="text/plain"),
        "PSX plain text feed",
    )
    page(
        "https://news.example.pk/no-type",
        http_response(html_page("<p>untyped page</p>").encode(), content_type=None),
        "untyped page",
    )

    # 7. resource record holding HTML (no HTTP headers)
    d = when()
    recs.append(
        Rec(
            "resource",
            "file:///saved/page.html",
            d,
            html_page("<p>saved resource page</p>").encode(),
            warc_content_type="text/html; charset=utf-8",
        )
    )
    expected.append(Expected("file:///saved/page.html", d, "saved resource page"))

    # 8. skipped: metadata, revisit, image, json, javascript, untyped binary, empty body, 404
    recs.append(
        Rec(
            "metadata",
            "https://news.example.pk/markets",
            when(),
            b"outlinks: https://news.example.pk/about\r\n",
        )
    )
    skip("metadata")
    recs.append(Rec("revisit", "https://news.example.pk/markets", when(), b""))
    skip("revisit")
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    recs.append(
        Rec(
            "response",
            "https://news.example.pk/logo.png",
            when(),
            http_response(png, content_type="image/png"),
        )
    )
    recs.append(
        Rec(
            "response",
            "https://news.example.pk/api/quotes.json",
            when(),
            http_response(b'{"AGL": 38.02}', content_type="application/json"),
        )
    )
    recs.append(
        Rec(
            "response",
            "https://news.example.pk/app.js",
            when(),
            http_response(b"var x = '<div>';", content_type="application/javascript"),
        )
    )
    recs.append(
        Rec(
            "response",
            "https://news.example.pk/blob",
            when(),
            http_response(b"\x00\x01\x02binary", content_type=None),
        )
    )
    recs.append(
        Rec(
            "resource",
            "file:///saved/logo.png",
            when(),
            png,
            warc_content_type="image/png",
        )
    )
    skip("non-text")
    skip("non-text")
    skip("non-text")
    skip("non-text")
    skip("non-text")
    recs.append(
        Rec(
            "response",
            "https://news.example.pk/empty",
            when(),
            http_response(b"", content_type="text/html"),
        )
    )
    skip("empty")
    recs.append(
        Rec(
            "response",
            "https://news.example.pk/gone",
            when(),
            http_response(html_page("Not here").encode(), status="404 Not Found"),
        )
    )
    skip("http-status")

    # 9. last: a normal page again, so a reader that stops early is caught
    page(
        "https://news.example.pk/last",
        http_response(html_page(strip_div() + "<p>closing bell</p>").encode()),
        "closing bell",
    )
    return recs, expected, skipped


def write_mixed_warc(directory: Path, *, gzip_records: bool = True) -> GeneratedWarc:
    """Every kind of record the reader must handle, in one archive."""
    recs, expected, skipped = _mixed_records()
    path = directory / ("mixed.warc.gz" if gzip_records else "mixed.warc")
    write_records(path, recs, gzip_records=gzip_records)
    return GeneratedWarc(path, expected, skipped)


def write_truncated_warc(directory: Path, *, gzip_records: bool = True) -> GeneratedWarc:
    """Three pages, then a fourth cut off in the middle of its body (a crawl killed mid-write)."""
    recs: list[Rec] = []
    expected: list[Expected] = []
    for i in range(4):
        uri = f"https://news.example.pk/page{i}"
        d = _START + timedelta(hours=i)
        text = f"page number {i} " + "filler text " * 500
        recs.append(Rec("response", uri, d, http_response(html_page(text).encode())))
        if i < 3:
            expected.append(Expected(uri, d, f"page number {i}"))
    path = directory / ("truncated.warc.gz" if gzip_records else "truncated.warc")
    write_records(path, recs, gzip_records=gzip_records)
    # find where the last record starts: the size of the same file without it
    probe = directory / "probe.warc"
    write_records(probe, recs[:3], gzip_records=gzip_records)
    start = probe.stat().st_size
    probe.unlink()
    data = path.read_bytes()
    path.write_bytes(data[: start + (len(data) - start) // 2])
    return GeneratedWarc(path, expected, {})


# --- realistic pages for the benchmark ---------------------------------------------------------

_WORD_TEXT = (
    "market shares index investors trading session stock exchange points gained lost "
    "closed higher lower banks cement oil fertiliser energy sector volume million billion "
    "rupees dollar inflation policy rate central bank government budget fiscal quarter "
    "profit earnings dividend analysts said according report week month year foreign "
    "buying selling pressure bullish bearish momentum support resistance level benchmark"
)
_WORDS = tuple(_WORD_TEXT.split())
_SYMBOLS = "AGL AIRLINK BOP CNERGY DGKC EFERT ENGRO FFC HBL HUBC KEL LUCK MCB MEBL OGDC PPL PSO"


def realistic_page(rng: random.Random, n: int, size: int = 60_000) -> str:
    """A news page of about ``size`` characters: head, styles, scripts, nav, strip, article."""
    symbols = _SYMBOLS.split()

    def words(k: int) -> str:
        return " ".join(rng.choices(_WORDS, k=k))

    strip = "".join(
        f"{s}{rng.uniform(5, 900):.2f}{rng.choice('▲▼')} {rng.uniform(0, 9):.2f} "
        f"({rng.uniform(0, 5):.2f}%)"
        for s in symbols
    )
    head = (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{words(8)}</title>"
        + "".join(
            f'<link rel="stylesheet" href="/static/css/{rng.randrange(10**8):x}.css">'
            for _ in range(6)
        )
        + "<style>"
        + "".join(
            f".c{rng.randrange(10**6)}{{margin:{rng.randrange(40)}px;color:#{rng.randrange(16**6):06x}}}"
            for _ in range(120)
        )
        + "</style><script>window.dataLayer=window.dataLayer||[];"
        + "".join(
            f"function f{i}(a,b){{return a*{rng.randrange(999)}+b/{rng.randrange(1, 99)};}}"
            for i in range(150)
        )
        + "</script></head>"
    )
    nav = (
        "<body><nav><ul>"
        + "".join(
            f'<li><a href="/section/{w}/{rng.randrange(10**6)}">{w.title()}</a></li>'
            for w in rng.choices(_WORDS, k=80)
        )
        + "</ul></nav>"
    )
    parts = [head, nav, f'<div class="ticker">{strip}</div><article><h1>{words(12)}</h1>']
    total = sum(map(len, parts))
    while total < size - 200:
        p = f"<p>{words(rng.randrange(40, 120))}.</p>\n"
        parts.append(p)
        total += len(p)
    parts.append(f"<footer>page {n}</footer></article></body></html>")
    return "".join(parts)


def write_benchmark_warc(
    path: Path, n: int = 2000, *, size: int = 60_000, seed: int = 1
) -> GeneratedWarc:
    """``n`` realistic ~60 KB pages as gzip-per-record response records (each with a request).

    One page in three is sent plain, one chunked, one gzip content-encoded and chunked.
    """
    rng = random.Random(seed)
    recs: list[Rec] = []
    expected: list[Expected] = []
    payload = 0
    for i in range(n):
        uri = f"https://news.example.pk/markets/{i}"
        d = _START + timedelta(minutes=15 * i)
        body = realistic_page(rng, i, size).encode()
        payload += len(body)
        kind = i % 3
        block = http_response(
            body, chunked=kind > 0, content_encoding="gzip" if kind == 2 else None, chunk_size=8192
        )
        recs.append(Rec("request", uri, d, _http_request(uri)))
        recs.append(Rec("response", uri, d, block))
        expected.append(Expected(uri, d, f"<footer>page {i}</footer>"))
    write_records(path, recs, gzip_records=True)
    return GeneratedWarc(path, expected, {"request": n}, payload)


def _benchmark(argv: list[str]) -> None:
    """``python -m tests.warcgen [PATH]``: write the 2,000-page archive, time ``iter_warc``."""
    import time

    from ticker_parse.warc import WarcStats, iter_warc

    path = Path(argv[0] if argv else "bench.warc.gz")
    gen = write_benchmark_warc(path)
    size = path.stat().st_size
    best = float("inf")
    for _ in range(3):
        stats = WarcStats()
        t0 = time.perf_counter()
        n = sum(1 for _ in iter_warc(path, stats=stats))
        best = min(best, time.perf_counter() - t0)
    if n != len(gen.expected) or stats.errors:
        raise SystemExit(f"wrong result: {n} pages, {stats}")
    print(
        f"{path}: {size / 1e6:.1f} MB gzip WARC, {n} pages, {gen.payload_bytes / 1e6:.1f} MB HTML; "
        f"iter_warc {best:.2f} s = {n / best:.0f} pages/s, {size / best / 1e6:.1f} MB/s of WARC, "
        f"{gen.payload_bytes / best / 1e6:.1f} MB/s of HTML"
    )


if __name__ == "__main__":
    import sys

    _benchmark(sys.argv[1:])
