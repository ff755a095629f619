"""read_ticker, iter_quotes and iter_warc_quotes on WARC archives (told by their content)."""

from __future__ import annotations

import io
import logging
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

import ticker_parse
from tests import warcgen
from tests.conftest import OBSERVER_SEED
from tests.warcgen import Rec, html_page, http_response, write_records
from ticker_parse.errors import TickerArgumentError, TickerWarcError
from ticker_parse.pipeline import frame_from_text, read_documents
from ticker_parse.reading import is_warc_path, iter_warc_quotes
from ticker_parse.table import Exactness
from ticker_parse.warc import MISSING_EXTRA_MESSAGE, WarcStats, iter_warc

T0 = datetime(2025, 1, 6, 4, 0, tzinfo=UTC)
SEED = OBSERVER_SEED.read_text(encoding="utf-8")


def _page(uri: str, body: str, when: datetime) -> Rec:
    return Rec("response", uri, when, http_response(html_page(body).encode()))


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """Four pages: the seed twice on one page, the seed once, a page with no strip, a
    Business Recorder-like strip; with a request record between."""
    path = tmp_path / "crawl.bin"  # told by content, not by name
    recs = [
        _page("https://a.example/twice", f"<p>{SEED}</p><p>{SEED}</p>", T0),
        Rec("request", "https://a.example/once", T0, b"GET /once HTTP/1.1\r\n\r\n"),
        _page("https://a.example/once", f"<div>{SEED}</div>", T0 + timedelta(hours=30)),
        _page("https://a.example/none", "<p>Nothing to see.</p>", T0 + timedelta(hours=31)),
        _page(
            "https://a.example/br",
            "<p>AIRLINK 61.80 Increased By ▲ 1.37 (2.27%)</p>",
            T0 + timedelta(hours=32),
        ),
    ]
    write_records(path, recs, gzip_records=True)
    return path


def _per_page(path: Path, exact: Exactness) -> pd.DataFrame:
    """What read_ticker must give: frame_from_text on each page, concatenated."""
    frames = [
        frame_from_text(
            doc.text,
            source=doc.source,
            captured_at=pd.Timestamp(doc.captured_at).as_unit("ns"),
            exact=exact,
        )
        for doc in iter_warc(path)
    ]
    return pd.concat([f for f in frames if len(f)], ignore_index=True)


def test_a_warc_is_told_by_its_content(archive: Path, tmp_path: Path) -> None:
    assert is_warc_path(archive)
    assert not is_warc_path(OBSERVER_SEED)
    assert not is_warc_path("-")


@pytest.mark.parametrize("exact", ["float", "text"])
def test_read_ticker_gives_each_pages_rows_with_url_and_capture_time(
    archive: Path, exact: Exactness
) -> None:
    frame = ticker_parse.read_ticker(archive, exact=exact)
    pd.testing.assert_frame_equal(frame, _per_page(archive, exact=exact))
    assert list(frame.columns) == list(ticker_parse.empty_frame().columns)
    assert frame.groupby("source")["symbol"].count().to_dict() == {
        "https://a.example/twice": 60,
        "https://a.example/once": 30,
        "https://a.example/br": 1,
    }
    assert str(frame["captured_at"].dt.tz) == "UTC"
    assert frame["captured_at"].iloc[-1] == pd.Timestamp(T0 + timedelta(hours=32))
    # the same strip on two pages has one id; strips are numbered per page
    twice = frame[frame["source"] == "https://a.example/twice"]
    assert sorted(set(twice["strip"])) == [0, 1]
    assert frame["strip_id"].iloc[0] == frame[frame["source"].str.endswith("once")].iloc[0].strip_id


def test_drop_duplicates_works_within_each_page(archive: Path) -> None:
    frame = ticker_parse.read_ticker(archive, drop_duplicates=True)
    assert frame.groupby("source")["symbol"].count().to_dict() == {
        "https://a.example/twice": 30,
        "https://a.example/once": 30,
        "https://a.example/br": 1,
    }


def test_chunks_hold_the_same_rows(archive: Path) -> None:
    whole = ticker_parse.read_ticker(archive)
    chunks = list(ticker_parse.read_ticker(archive, chunksize=7))
    assert all(len(c) <= 7 for c in chunks)
    pd.testing.assert_frame_equal(pd.concat(chunks, ignore_index=True), whole)


def test_many_small_batches_give_the_same_rows(archive: Path) -> None:
    from ticker_parse.reading import iter_warc_frames

    whole = ticker_parse.read_ticker(archive)
    parts = list(iter_warc_frames(archive, batch_chars=1))
    assert len(parts) == 4  # one page a batch
    pd.testing.assert_frame_equal(pd.concat(parts, ignore_index=True), whole)


def test_warc_stats_are_filled_in(archive: Path) -> None:
    stats = WarcStats()
    ticker_parse.read_ticker(archive, warc_stats=stats)
    assert (stats.parsed, stats.skipped, stats.errors) == (4, {"request": 1}, [])


def test_damage_is_counted_or_logged(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    gen = warcgen.write_truncated_warc(tmp_path)
    stats = WarcStats()
    with caplog.at_level(logging.WARNING, logger="ticker_parse"):
        ticker_parse.read_ticker(gen.path, warc_stats=stats)
    assert len(stats.errors) == 1
    assert caplog.records == []
    with caplog.at_level(logging.WARNING, logger="ticker_parse"):
        frame = ticker_parse.read_ticker(gen.path)
    assert len(frame) == 0
    [record] = caplog.records
    assert "1 damaged WARC record(s)" in record.getMessage()
    assert str(gen.path) in record.getMessage()


def test_iter_quotes_yields_each_pages_quotes_in_record_order(archive: Path) -> None:
    pairs = list(iter_warc_quotes(archive))
    assert [q for _, q in pairs] == list(ticker_parse.iter_quotes(archive))
    assert list(dict.fromkeys(doc.source for doc, _ in pairs)) == [
        "https://a.example/twice",
        "https://a.example/once",
        "https://a.example/br",
    ]
    for doc, quote in pairs:
        assert isinstance(quote, ticker_parse.Quote)
        assert doc.text[quote.start : quote.end] == quote.raw  # offsets index the record
    frame = ticker_parse.read_ticker(archive)
    assert [q.symbol for _, q in pairs if isinstance(q, ticker_parse.Quote)] == list(
        frame["symbol"]
    )


def test_iter_quotes_residue_pairs_with_its_record(archive: Path) -> None:
    items = list(iter_warc_quotes(archive, residue=True))
    residue = [(doc, r) for doc, r in items if isinstance(r, ticker_parse.Residue)]
    assert residue
    for doc, r in residue:
        assert doc.text[r.start : r.end] == r.text


def test_documents_read_together_are_frame_from_text_per_document() -> None:
    """read_documents gives each document the rows frame_from_text gives it alone."""
    texts = [SEED + SEED, "no quotes here", SEED]
    frame, doc = read_documents(
        texts,
        sources=["a", None, "c"],
        captured_at=[T0, None, None],
        exact="text",
        drop_duplicates=True,
    )
    expected = pd.concat(
        [
            frame_from_text(
                texts[0],
                exact="text",
                drop_duplicates=True,
                source="a",
                captured_at=pd.Timestamp(T0).as_unit("ns"),
            ),
            frame_from_text(texts[2], exact="text", drop_duplicates=True, source="c"),
        ],
        ignore_index=True,
    )
    pd.testing.assert_frame_equal(frame, expected)
    assert list(doc) == [0] * 30 + [2] * 30


def test_without_warcio_a_warc_raises_the_clear_error(
    archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in [m for m in sys.modules if m == "warcio" or m.startswith("warcio.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "warcio", None)
    for call in (ticker_parse.read_ticker, ticker_parse.iter_quotes):
        with pytest.raises(TickerWarcError) as info:
            call(archive)
        assert str(info.value) == MISSING_EXTRA_MESSAGE


def test_captured_at_mtime_stamps_a_path_with_its_modification_time(tmp_path: Path) -> None:
    path = tmp_path / "seed.txt"
    path.write_text(SEED, encoding="utf-8")
    when = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
    os.utime(path, (when.timestamp(), when.timestamp()))
    frame = ticker_parse.read_ticker(path, captured_at="mtime")
    assert (frame["captured_at"] == pd.Timestamp(when)).all()
    with pytest.raises(TickerArgumentError, match="mtime"):
        ticker_parse.read_ticker(io.StringIO(SEED), captured_at="mtime")
