"""ticker_parse.warc: the pages captured in a WARC archive, as decoded text documents.

The archives are written by tests/warcgen.py (with warcio's writer); each writer says which
documents must come out, in which order, and which records must be skipped for which reason.
"""

from __future__ import annotations

import gzip
import io
import random
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import BinaryIO

import pytest

from tests import warcgen
from tests.warcgen import STRIP, GeneratedWarc, Rec, html_page, http_response, write_records
from ticker_parse.errors import TickerParseError, TickerWarcError
from ticker_parse.warc import (
    MISSING_EXTRA_MESSAGE,
    WARC_HEAD_SIZE,
    WarcDocument,
    WarcStats,
    is_warc,
    iter_warc,
)

T0 = datetime(2025, 1, 6, 4, 0, tzinfo=UTC)


def read_all(source: Path | BinaryIO, **kwargs: str) -> tuple[list[WarcDocument], WarcStats]:
    stats = WarcStats()
    docs = list(iter_warc(source, stats=stats, **kwargs))
    return docs, stats


def page(uri: str, text: str, when: datetime, content_type: str = "text/html") -> Rec:
    return Rec(
        "response", uri, when, http_response(html_page(text).encode(), content_type=content_type)
    )


@pytest.fixture(params=[True, False], ids=["gzip", "plain"])
def gzip_records(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


@pytest.fixture
def mixed(tmp_path: Path, gzip_records: bool) -> GeneratedWarc:
    return warcgen.write_mixed_warc(tmp_path, gzip_records=gzip_records)


# --- what comes out ---------------------------------------------------------------------------


def test_yields_exactly_the_expected_documents_in_file_order(mixed: GeneratedWarc) -> None:
    docs, stats = read_all(mixed.path)
    assert [(d.source, d.captured_at) for d in docs] == [
        (e.uri, e.captured_at) for e in mixed.expected
    ]
    for doc, exp in zip(docs, mixed.expected, strict=True):
        assert exp.contains in doc.text, doc.source
    assert stats.parsed == len(docs) == len(mixed.expected)
    assert stats.errors == []


def test_capture_times_are_timezone_aware_utc(mixed: GeneratedWarc) -> None:
    docs, _ = read_all(mixed.path)
    assert docs
    for doc in docs:
        assert doc.captured_at.tzinfo is not None
        assert doc.captured_at.utcoffset() == timedelta(0)


def test_warc_date_with_an_offset_or_fraction_is_converted_to_utc(tmp_path: Path) -> None:
    path = tmp_path / "dates.warc"
    rec = page("https://a.example/1", "x", T0, content_type="text/html")
    write_records(path, [rec], gzip_records=False)
    data = path.read_bytes().replace(b"2025-01-06T04:00:00Z", b"2025-01-06T09:00:00.250+05:00")
    path.write_bytes(data.replace(b"WARC/1.0", b"WARC/1.1", 1))
    (doc,), _ = read_all(path)
    assert doc.captured_at == datetime(2025, 1, 6, 4, 0, 0, 250000, tzinfo=UTC)
    assert doc.captured_at.tzinfo is UTC


def test_skipped_records_are_counted_by_reason(mixed: GeneratedWarc) -> None:
    _, stats = read_all(mixed.path)
    assert stats.skipped == mixed.skipped
    assert stats.skipped["request"] == len(mixed.expected) - 1  # all but the resource page
    assert stats.skipped["non-text"] == 5  # png, json, javascript, untyped binary, png resource
    assert stats.responses == len(mixed.expected) + 5 + 1 + 1  # + non-text, empty, 404


def test_every_record_is_counted_once(mixed: GeneratedWarc) -> None:
    _, stats = read_all(mixed.path)
    records = 1 + 2 * (len(mixed.expected) - 1) + 1 + 9  # warcinfo, pairs, resource, skipped
    assert stats.parsed + sum(stats.skipped.values()) + len(stats.errors) == records


def test_document_fields(mixed: GeneratedWarc) -> None:
    docs, _ = read_all(mixed.path)
    by_uri = {d.source: d for d in docs}
    first = by_uri["https://news.example.pk/markets"]
    assert first.content_type == "text/html"
    assert first.text.startswith("<!DOCTYPE html>")
    assert first.text.endswith("</html>\n")
    assert STRIP in first.text
    assert first.replaced == 0
    assert by_uri["https://news.example.pk/x.xhtml"].content_type == "application/xhtml+xml"
    assert by_uri["https://news.example.pk/feed.txt"].text == "PSX plain text feed"
    assert by_uri["https://news.example.pk/no-type"].content_type == ""  # sniffed as HTML
    assert by_uri["file:///saved/page.html"].content_type == "text/html"
    offsets = [d.record_offset for d in docs]
    assert offsets == sorted(set(offsets))
    assert offsets[0] > 0  # the warcinfo and a request come first


def test_record_offsets_point_at_the_records(mixed: GeneratedWarc) -> None:
    docs, _ = read_all(mixed.path)
    data = mixed.path.read_bytes()
    for doc in docs:
        head = data[doc.record_offset : doc.record_offset + WARC_HEAD_SIZE]
        assert is_warc(head)
        if not mixed.path.name.endswith(".gz"):
            block = data[doc.record_offset : doc.record_offset + 2000]
            assert f"WARC-Target-URI: {doc.source}\r\n".encode() in block


def test_duplicated_pages_are_both_yielded(mixed: GeneratedWarc) -> None:
    docs, _ = read_all(mixed.path)
    by_uri = {d.source: d for d in docs}
    a, b = (
        by_uri["https://news.example.pk/markets"],
        by_uri["https://news.example.pk/markets?dup=1"],
    )
    assert a.text == b.text
    assert a.captured_at < b.captured_at


# --- encodings --------------------------------------------------------------------------------


def test_chunked_transfer_encoding_is_undone(mixed: GeneratedWarc) -> None:
    docs, _ = read_all(mixed.path)
    (doc,) = [d for d in docs if d.source == "https://news.example.pk/chunked"]
    assert doc.text.startswith("<!DOCTYPE html>")
    assert doc.text.endswith("</body></html>\n")
    assert "\r\n" not in doc.text  # no chunk-size lines left
    assert doc.text.count("Oil. ") == 600


@pytest.mark.parametrize("uri", ["gzip", "gzip-chunked", "deflate", "brotli"])
def test_content_encoding_is_undone(mixed: GeneratedWarc, uri: str) -> None:
    docs, _ = read_all(mixed.path)
    (doc,) = [d for d in docs if d.source == f"https://news.example.pk/{uri}"]
    assert doc.text.startswith("<!DOCTYPE html>")
    assert "rally.</p></body></html>\n" in doc.text
    assert doc.replaced == 0


def test_raw_deflate_is_undone_too(tmp_path: Path) -> None:
    import zlib

    body = html_page("<p>raw deflate</p>").encode()
    co = zlib.compressobj(wbits=-15)
    raw = co.compress(body) + co.flush()
    block = http_response(raw, content_type="text/html").replace(
        b"Server: nginx", b"Content-Encoding: deflate"
    )
    path = tmp_path / "raw.warc.gz"
    write_records(path, [Rec("response", "https://a.example/", T0, block)], gzip_records=True)
    (doc,), stats = read_all(path)
    assert "raw deflate" in doc.text
    assert stats.errors == []


def test_windows_1252_from_the_http_header(mixed: GeneratedWarc) -> None:
    docs, _ = read_all(mixed.path)
    (doc,) = [d for d in docs if d.source.endswith("/cp1252-header")]
    assert "Café société – “quoted” €12" in doc.text
    assert "LUCK&#9650; 712.40" in doc.text  # the entity passes through as text
    assert doc.replaced == 0


def test_windows_1252_from_meta_http_equiv(mixed: GeneratedWarc) -> None:
    docs, _ = read_all(mixed.path)
    (doc,) = [d for d in docs if d.source.endswith("/cp1252-meta")]
    assert "Naïve résumé — ‰" in doc.text
    assert doc.replaced == 0


def test_iso_8859_1_label_is_read_as_windows_1252(tmp_path: Path) -> None:
    # browsers (and the WHATWG Encoding Standard) read latin-1 labels as windows-1252
    body = html_page("<p>“smart” quotes – dash</p>", head_extra='<meta charset="ISO-8859-1">')
    block = http_response(body.encode("cp1252"), content_type="text/html")
    path = tmp_path / "l1.warc"
    write_records(path, [Rec("response", "https://a.example/", T0, block)], gzip_records=False)
    (doc,), _ = read_all(path)
    assert "“smart” quotes – dash" in doc.text


def test_http_charset_wins_over_meta(tmp_path: Path) -> None:
    body = html_page("<p>Café</p>", head_extra='<meta charset="shift_jis">')
    block = http_response(body.encode("cp1252"), content_type="text/html; charset=windows-1252")
    path = tmp_path / "w.warc"
    write_records(path, [Rec("response", "https://a.example/", T0, block)], gzip_records=False)
    (doc,), _ = read_all(path)
    assert "<p>Café</p>" in doc.text


def test_undecodable_bytes_are_replaced_and_counted(tmp_path: Path) -> None:
    recs = [
        Rec("response", "https://a.example/bad", T0, http_response(b"<p>caf\xe9 \xff ok</p>")),
        Rec(
            "response",
            "https://a.example/unknown-charset",
            T0 + timedelta(hours=1),
            http_response(b"<p>\xe2\x96\xb2 up \x80</p>", content_type="text/html; charset=x-nope"),
        ),
        Rec("response", "https://a.example/good", T0, http_response("<p>▲ fine</p>".encode())),
    ]
    path = tmp_path / "bad.warc.gz"
    write_records(path, recs, gzip_records=True)
    docs, stats = read_all(path)
    assert [d.text for d in docs] == [
        "<p>caf\ufffd \ufffd ok</p>",
        "<p>▲ up \ufffd</p>",
        "<p>▲ fine</p>",
    ]
    assert [d.replaced for d in docs] == [2, 1, 0]
    assert stats.replaced_chars == 3


def test_byte_order_mark_wins_and_is_dropped(tmp_path: Path) -> None:
    body = "\ufeff<p>▲ bom</p>".encode("utf-16-le")
    path = tmp_path / "bom.warc"
    block = http_response(body, content_type="text/html; charset=windows-1252")
    write_records(path, [Rec("response", "https://a.example/", T0, block)], gzip_records=False)
    (doc,), _ = read_all(path)
    assert doc.text == "<p>▲ bom</p>"


# --- damage -----------------------------------------------------------------------------------


def test_truncated_last_record_is_reported_and_earlier_records_read(
    tmp_path: Path, gzip_records: bool
) -> None:
    gen = warcgen.write_truncated_warc(tmp_path, gzip_records=gzip_records)
    docs, stats = read_all(gen.path)
    assert [d.source for d in docs] == [e.uri for e in gen.expected]
    for doc, exp in zip(docs, gen.expected, strict=True):
        assert exp.contains in doc.text
        assert doc.text.endswith("</html>\n")
    assert len(stats.errors) == 1
    (line,) = stats.errors
    assert line.startswith(f"{gen.path}: record at byte ")
    assert "truncated" in line
    assert "\n" not in line
    # the offset named is where the fourth record starts
    offset = int(line.split("record at byte ")[1].split(":")[0])
    assert offset > docs[-1].record_offset
    assert is_warc(gen.path.read_bytes()[offset:])


def _concatenated(tmp_path: Path, gzip_records: bool, garbage: bytes) -> Path:
    before, after = tmp_path / "a.warc", tmp_path / "b.warc"
    write_records(before, [page("https://a.example/1", "one", T0)], gzip_records=gzip_records)
    write_records(
        after,
        [page("https://a.example/2", "two", T0 + timedelta(days=1))],
        gzip_records=gzip_records,
    )
    if gzip_records:
        garbage = gzip.compress(garbage)
    path = tmp_path / ("joined.warc.gz" if gzip_records else "joined.warc")
    path.write_bytes(before.read_bytes() + garbage + after.read_bytes())
    return path


def test_malformed_record_in_the_middle_is_reported_and_reading_resumes(
    tmp_path: Path, gzip_records: bool
) -> None:
    path = _concatenated(tmp_path, gzip_records, b"this is no WARC record\r\n\r\n")
    docs, stats = read_all(path)
    assert [d.source for d in docs] == ["https://a.example/1", "https://a.example/2"]
    (line,) = stats.errors
    assert line.startswith(f"{path}: record at byte ")
    offset = int(line.split("record at byte ")[1].split(":")[0])
    assert docs[0].record_offset < offset < docs[1].record_offset


def test_corrupt_gzip_member_in_the_middle_is_reported_and_reading_resumes(
    tmp_path: Path,
) -> None:
    path = _concatenated(tmp_path, True, b"")
    data = bytearray(path.read_bytes())
    first_len = (tmp_path / "a.warc").stat().st_size
    # put a broken gzip member between the two records
    broken = gzip.compress(b"WARC/1.0\r\n" + bytes(random.Random(3).randbytes(3000)))
    broken = broken[:40] + bytes(b ^ 0x55 for b in broken[40:200]) + broken[200:]
    path.write_bytes(bytes(data[:first_len]) + broken + bytes(data[first_len:]))
    docs, stats = read_all(path)
    assert [d.source for d in docs] == ["https://a.example/1", "https://a.example/2"]
    assert len(stats.errors) == 1
    assert f"record at byte {first_len}:" in stats.errors[0]


def test_wrong_content_length_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "len.warc"
    recs = [
        page("https://a.example/1", "one " * 50, T0),
        page("https://a.example/2", "two", T0 + timedelta(hours=1)),
        page("https://a.example/3", "three", T0 + timedelta(hours=2)),
    ]
    write_records(path, recs, gzip_records=False)
    data = path.read_bytes()
    second = data.index(b"WARC/1.0", data.index(b"https://a.example/2") - 400)
    head_end = data.index(b"\r\n\r\n", second)
    length_at = data.index(b"Content-Length: ", second, head_end) + len(b"Content-Length: ")
    length_end = data.index(b"\r\n", length_at)
    wrong = str(int(data[length_at:length_end]) - 30).encode()
    path.write_bytes(data[:length_at] + wrong + data[length_end:])
    docs, stats = read_all(path)
    assert [d.source for d in docs] == ["https://a.example/1", "https://a.example/3"]
    (line,) = stats.errors
    assert line.startswith(f"{path}: record at byte {second}: ")
    assert "Content-Length" in line


def test_bad_warc_date_is_reported_and_the_record_skipped(tmp_path: Path) -> None:
    path = tmp_path / "date.warc"
    recs = [page("https://a.example/1", "one", T0), page("https://a.example/2", "two", T0)]
    write_records(path, recs, gzip_records=False)
    data = path.read_bytes()
    path.write_bytes(data.replace(b"2025-01-06T04:00:00Z", b"yesterday-noon!!!!!!", 1))
    docs, stats = read_all(path)
    assert [d.source for d in docs] == ["https://a.example/2"]
    (line,) = stats.errors
    assert line.startswith(f"{path}: record at byte 0: WARC-Date")


def test_corrupt_or_unsupported_content_encoding_is_reported(tmp_path: Path) -> None:
    body = html_page("<p>ok</p>").encode()
    gz = gzip.compress(body)
    corrupt = (
        http_response(b"", content_encoding=None).replace(
            b"Content-Length: 0", b"Content-Encoding: gzip\r\nContent-Length: %d" % len(gz)
        )
        + gz[:20]
        + b"\x00" * (len(gz) - 20)
    )
    cut = http_response(body, content_encoding="gzip")[:-30]
    cut = cut.replace(b"Content-Length: %d" % (len(gz)), b"Content-Length: %d" % (len(gz) - 30))
    compress = http_response(b"\x1f\x9d\x90binary", content_type="text/html").replace(
        b"Server: nginx", b"Content-Encoding: compress"
    )
    stale_header = http_response(body, content_type="text/html").replace(
        b"Server: nginx", b"Content-Encoding: gzip"
    )
    recs = [
        Rec("response", "https://a.example/corrupt", T0, corrupt),
        Rec("response", "https://a.example/cut", T0, cut),
        Rec("response", "https://a.example/compress", T0, compress),
        Rec("response", "https://a.example/stale-header", T0, stale_header),
        page("https://a.example/fine", "fine", T0),
    ]
    path = tmp_path / "enc.warc.gz"
    write_records(path, recs, gzip_records=True)
    docs, stats = read_all(path)
    # a body that is plainly HTML under a stale Content-Encoding header is taken as it is
    assert [d.source for d in docs] == ["https://a.example/stale-header", "https://a.example/fine"]
    assert len(stats.errors) == 3
    assert "Content-Encoding gzip: corrupt body" in stats.errors[0]
    assert "Content-Encoding gzip: the body is cut off" in stats.errors[1]
    assert "Content-Encoding compress is not supported" in stats.errors[2]


# --- inputs -----------------------------------------------------------------------------------


def test_binary_stream_input_reads_the_same(mixed: GeneratedWarc) -> None:
    expected, _ = read_all(mixed.path)
    with mixed.path.open("rb") as fh:
        docs, _ = read_all(fh)
        assert not fh.closed
    assert docs == [
        WarcDocument(d.source, d.captured_at, d.text, d.record_offset, d.content_type, d.replaced)
        for d in expected
    ]


class _Unseekable(io.RawIOBase):
    def __init__(self, data: bytes) -> None:
        self._inner = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        chunk = self._inner.read(min(len(buffer), 777))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def test_unseekable_stream_and_source_name(tmp_path: Path) -> None:
    gen = warcgen.write_truncated_warc(tmp_path, gzip_records=True)
    stream = io.BufferedReader(_Unseekable(gen.path.read_bytes()))
    docs, stats = read_all(stream, source_name="capture-2024-03.warc.gz")
    assert [d.source for d in docs] == [e.uri for e in gen.expected]
    (line,) = stats.errors
    assert line.startswith("capture-2024-03.warc.gz: record at byte ")


def test_stream_offsets_count_from_the_stream_position(mixed: GeneratedWarc) -> None:
    expected, _ = read_all(mixed.path)
    with mixed.path.open("rb") as fh:
        fh.seek(0)
        docs, _ = read_all(io.BytesIO(fh.read()))
    assert [d.record_offset for d in docs] == [d.record_offset for d in expected]


@pytest.mark.parametrize(
    ("name", "data", "what"),
    [
        (
            "notes.txt",
            b"just some text\nover lines\n",
            "starts with b'just some text\\nover line')",
        ),
        ("page.html", b"<!DOCTYPE html><html></html>", "starts with"),
        ("data.gz", gzip.compress(b"a,b\n1,2\n" * 100), "gzip data that does not start"),
        ("empty.warc", b"", "it is empty"),
        ("old.arc", b"filedesc://x.arc 0.0.0.0 20240101 text/plain 76\n", "starts with"),
    ],
)
def test_non_warc_input_raises_one_line_error_naming_the_file(
    tmp_path: Path, name: str, data: bytes, what: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(TickerWarcError) as info:
        iter_warc(path)  # raises at the call, before any iteration
    message = str(info.value)
    assert message.startswith(f"{path}: not a WARC file (")
    assert what in message
    assert "\n" not in message
    assert isinstance(info.value, TickerParseError)
    assert isinstance(info.value, ValueError)


def test_non_warc_stream_error_names_the_source(tmp_path: Path) -> None:
    with pytest.raises(TickerWarcError, match=r"^upload: not a WARC file \(starts with"):
        iter_warc(io.BytesIO(b"hello"), source_name="upload")


# --- is_warc ----------------------------------------------------------------------------------


def test_is_warc_plain_and_versions() -> None:
    assert is_warc(b"WARC/1.0\r\nWARC-Type: warcinfo\r\n")
    assert is_warc(b"WARC/1.1\r\n")
    assert not is_warc(b"WARC/0.9\r\n")
    assert not is_warc(b"WARC/1")
    assert not is_warc(b" WARC/1.0\r\n")


def test_is_warc_gzip_warc(mixed: GeneratedWarc) -> None:
    data = mixed.path.read_bytes()
    head = data[:WARC_HEAD_SIZE]
    assert is_warc(head) is True
    assert is_warc(data) is True


def test_is_warc_false_cases() -> None:
    assert not is_warc(b"")
    assert not is_warc(b"<!DOCTYPE html><html>")
    assert not is_warc(gzip.compress(b"<!DOCTYPE html>" * 10))
    assert not is_warc(b"\x1f\x8b\x08")  # a gzip header and nothing else
    assert not is_warc(b"\x1f\x8b\x08\x00" + b"\xff" * 60)  # not deflate data
    assert not is_warc(b"\x89PNG\r\n\x1a\n")


def test_is_warc_needs_the_documented_head_size_for_gzip() -> None:
    member = gzip.compress(b"WARC/1.0\r\n" + random.Random(5).randbytes(5000))
    assert is_warc(member[:WARC_HEAD_SIZE])
    assert not is_warc(member[:12])  # the gzip header alone says nothing yet


# --- the optional dependency ------------------------------------------------------------------


def test_missing_warcio_gives_the_clear_message(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    gen = warcgen.write_truncated_warc(tmp_path)
    for name in [m for m in sys.modules if m == "warcio" or m.startswith("warcio.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "warcio", None)  # makes "import warcio" raise ImportError
    with pytest.raises(TickerWarcError) as info:
        iter_warc(gen.path)
    assert str(info.value) == MISSING_EXTRA_MESSAGE
    assert str(info.value) == (
        "reading WARC files needs the optional warc extra: pip install 'ticker_parse[warc]'"
    )


def test_module_imports_without_warcio() -> None:
    code = (
        "import sys; sys.modules['warcio'] = None\n"
        "import ticker_parse, ticker_parse.warc\n"
        "assert ticker_parse.warc.is_warc(b'WARC/1.0')\n"
        "assert 'warcio' not in [m for m in sys.modules if sys.modules[m] is not None]\n"
        "try:\n"
        "    ticker_parse.warc.iter_warc('x.warc')\n"
        "except ticker_parse.warc.TickerWarcError as e:\n"
        "    print(e)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip() == MISSING_EXTRA_MESSAGE


# --- realistic pages --------------------------------------------------------------------------


def test_realistic_pages_round_trip(tmp_path: Path) -> None:
    gen = warcgen.write_benchmark_warc(tmp_path / "bench.warc.gz", n=30, size=20_000)
    docs, stats = read_all(gen.path)
    assert [(d.source, d.captured_at) for d in docs] == [
        (e.uri, e.captured_at) for e in gen.expected
    ]
    for doc, exp in zip(docs, gen.expected, strict=True):
        assert doc.text.endswith(exp.contains + "</article></body></html>")
        assert '<div class="ticker">' in doc.text
    assert stats.skipped == {"request": 30}
    assert stats.errors == []
    assert sum(len(d.text.encode()) for d in docs) == gen.payload_bytes
