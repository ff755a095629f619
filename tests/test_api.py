"""The Python API's conventions: argument errors, models, dtypes, streaming options."""

from __future__ import annotations

import gzip
import io
import os
from importlib.metadata import version
from pathlib import Path

import pandas as pd
import pytest

import ticker_parse
from tests.conftest import OBSERVER_SEED
from ticker_parse import TickerArgumentError, reading

STRIP = "AGL38.02▲ 0.08 (0.21%)AIRLINK197.36▲ 3.45 (1.78%)"


@pytest.mark.parametrize(
    "call",
    [
        lambda: ticker_parse.read_ticker(io.StringIO(STRIP), chunksize=True),
        lambda: ticker_parse.parse(STRIP, symbols=[None]),  # type: ignore[list-item]
        lambda: ticker_parse.parse(STRIP, symbols="AGL"),
        lambda: ticker_parse.frame_from_text(STRIP, exact="yes"),  # type: ignore[arg-type]
        lambda: ticker_parse.parse(STRIP, markup="xml"),
        lambda: ticker_parse.parse(STRIP, timeout=-1),
        lambda: ticker_parse.summarize_frame(pd.DataFrame()),
        lambda: ticker_parse.summarize_frame(pd.DataFrame({"issues": ["", "stale_row"]})),
    ],
)
def test_wrong_arguments_raise_a_ticker_argument_error(call: object) -> None:
    """Every wrong argument is rejected up front with a TickerParseError subclass."""
    with pytest.raises(TickerArgumentError):
        call()  # type: ignore[operator]


def test_a_lone_surrogate_is_text_not_a_crash() -> None:
    """Text decoded with surrogateescape parses; offsets still index the caller's text."""
    text = STRIP + "\udcff tail"
    frame = ticker_parse.frame_from_text(text)
    assert list(frame["symbol"]) == ["AGL", "AIRLINK"]
    assert len(ticker_parse.read_ticker(io.StringIO(text), chunksize=1).__next__()) == 1


def test_model_dump_includes_the_computed_figures() -> None:
    """previous_close and expected_percent are computed fields of a Quote."""
    dumped = ticker_parse.parse(STRIP).quotes[0].model_dump()
    assert str(dumped["previous_close"]) == "37.94"
    assert round(float(dumped["expected_percent"]), 2) == 0.21


def test_parse_result_and_strips_are_pydantic_models() -> None:
    """ParseResult is a frozen pydantic model; a strip's convention is a closed set."""
    result = ticker_parse.parse(STRIP)
    assert result.model_dump()["strips"][0]["convention"] in ("percent", "fraction")
    with pytest.raises(ValueError, match="frozen"):
        result.text = "x"  # type: ignore[misc]


def test_iter_quotes_yields_the_residue_in_text_order() -> None:
    """residue=True yields quotes and residue together, ordered by position."""
    items = list(ticker_parse.iter_quotes(io.StringIO("Markets today\n" + STRIP), residue=True))
    assert isinstance(items[0], ticker_parse.Residue)
    assert [type(i).__name__ for i in items[1:]] == ["Quote", "Quote"]


def test_text_columns_use_pandas_default_str_dtype() -> None:
    """symbol and issues have the dtype pandas itself gives text."""
    frame = ticker_parse.frame_from_text(STRIP)
    assert frame["symbol"].dtype == pd.Series(["x"]).dtype


def test_read_ticker_takes_encoding_errors(tmp_path: object) -> None:
    """encoding_errors='replace' reads bytes that do not decode; 'strict' raises."""
    path = tmp_path / "bad.txt"  # type: ignore[operator]
    path.write_bytes(STRIP.encode() + b"\xff\n")
    with pytest.raises(ticker_parse.TickerDecodeError):
        ticker_parse.read_ticker(path)
    assert len(ticker_parse.read_ticker(path, encoding_errors="replace")) == 2


def test_chunked_reading_drops_duplicates_across_chunks() -> None:
    """drop_duplicates=True with chunksize= drops a strip repeated in a later chunk."""
    text = (STRIP + "\nSome article text.\n") * 3
    chunks = list(ticker_parse.read_ticker(io.StringIO(text), chunksize=1, drop_duplicates=True))
    assert sum(len(c) for c in chunks) == 2


def test_a_zero_change_expects_a_plain_zero_percent() -> None:
    quote = ticker_parse.parse("BOP9.54▼ 0 (0.00%)").quotes[0]
    assert str(quote.expected_percent) == "0"
    assert '"expected_percent":"0"' in quote.model_dump_json()


def test_an_empty_quotes_frame_summarizes_to_nothing() -> None:
    summary = ticker_parse.summarize_frame(ticker_parse.frame_from_text(""))
    assert (summary.quotes, summary.flagged, summary.diagnosis) == (0, 0, None)


def test_version_comes_from_the_installed_metadata() -> None:
    """__version__ is the installed distribution's version, written in one place."""
    assert ticker_parse.__version__ == version("ticker_parse")


@pytest.mark.parametrize("text", ["", "   \n", "no quotes here\n"])
def test_read_ticker_of_nothing_is_an_empty_frame_with_the_full_schema(text: str) -> None:
    """Empty or entry-less input gives zero rows with every column and dtype."""
    frame = ticker_parse.read_ticker(io.StringIO(text))
    assert len(frame) == 0
    pd.testing.assert_series_equal(frame.dtypes, ticker_parse.empty_frame().dtypes)


@pytest.mark.parametrize(
    "call",
    [
        lambda: ticker_parse.frame_from_text(None),  # type: ignore[arg-type]
        lambda: ticker_parse.frame_from_text(STRIP, timeout="a"),  # type: ignore[arg-type]
        lambda: ticker_parse.frame_from_text(STRIP, timeout=-1),
        lambda: ticker_parse.parse(STRIP, timeout=float("nan")),
        lambda: ticker_parse.parse(STRIP, timeout=True),
        lambda: ticker_parse.frame_from_text(STRIP, captured_at="garbage"),  # type: ignore[arg-type]
        lambda: ticker_parse.frame_from_text(STRIP, source=1),  # type: ignore[arg-type]
        lambda: ticker_parse.read_ticker(io.StringIO(STRIP), captured_at="3000-01-01"),
        lambda: ticker_parse.read_ticker(OBSERVER_SEED, encoding=None),  # type: ignore[call-overload]
        lambda: list(ticker_parse.iter_quotes(io.StringIO(STRIP), block_size=0)),
        lambda: list(ticker_parse.iter_quotes(io.StringIO(STRIP), block_size=True)),
        lambda: ticker_parse.read_ticker(io.StringIO(STRIP), dialect="bad", chunksize=3),
    ],
)
def test_more_wrong_arguments_are_rejected_up_front(call: object) -> None:
    """Wrong text, timeouts, times, sources, block sizes and dialects are call errors."""
    with pytest.raises(ticker_parse.TickerParseError):
        call()  # type: ignore[operator]


@pytest.mark.parametrize("encoding", ["hex", "rot13", "utf-16"])
def test_encodings_that_cannot_read_the_file_are_clear_errors(
    tmp_path: Path, encoding: str
) -> None:
    """Not a text encoding, or UTF-16 without its BOM: a TickerParseError, no traceback."""
    path = tmp_path / "s.txt"
    path.write_text(STRIP, encoding="utf-8")
    with pytest.raises(ticker_parse.TickerParseError):
        ticker_parse.read_ticker(path, encoding=encoding)


def test_bytes_that_do_not_decode_are_replaced_and_counted(tmp_path: Path) -> None:
    """encoding_errors='replace' counts every bad byte, however many there are."""
    from ticker_parse.reading import DecodeStats, iter_decoded

    path = tmp_path / "bad.bin"
    path.write_bytes(STRIP.encode() + b"\xff" * 200_000 + b"\n" + STRIP.encode())
    stats = DecodeStats()
    with path.open("rb") as fh:
        text = "".join(iter_decoded(fh, errors="replace", stats=stats))
    assert stats.replaced == 200_000
    assert text.count("\ufffd") == 200_000
    assert len(ticker_parse.read_ticker(path, encoding_errors="replace")) == 4


def test_the_timeout_covers_accounting_for_the_residue() -> None:
    """A text of many unparsed lines hits timeout= while its residue is built."""
    with pytest.raises(ticker_parse.TickerTimeoutError):
        ticker_parse.parse("x\n" * 300_000, timeout=0.01)


# --- many paths in one call ---------------------------------------------------------------


@pytest.fixture
def many_inputs(tmp_path: Path) -> list[str]:
    """Pages of every markup, the seed twice in one file, a file without quotes, Business
    Recorder, a gzipped page and a WARC, each file with its own modification time."""
    from tests import warcgen
    from tests.conftest import BR_SAMPLES
    from ticker_parse.testing import html_page

    paths: list[str] = []
    for i, markup in enumerate(("plain", "spans", "pretty")):
        page, _ = html_page(seed=i, strip="concatenated", markup=markup)
        path = tmp_path / f"page-{i}.html"
        path.write_text(page, encoding="utf-8")
        paths.append(str(path))
    seed = OBSERVER_SEED.read_text(encoding="utf-8")
    (tmp_path / "twice.txt").write_text(seed + "\n" + seed, encoding="utf-8")
    (tmp_path / "empty.txt").write_text("no quotes\n", encoding="utf-8")
    page, _ = html_page(seed=9, strip="brecorder")
    (tmp_path / "page-9.html.gz").write_bytes(gzip.compress(page.encode()))
    warc = warcgen.write_mixed_warc(tmp_path).path
    names = ["twice.txt", "empty.txt", "page-9.html.gz"]
    inputs = [paths[0], *(str(tmp_path / n) for n in names), str(BR_SAMPLES[0]), str(warc)]
    inputs += paths[1:]
    for i, name in enumerate(inputs):
        if Path(name).parent == tmp_path:
            os.utime(name, (1_700_000_000 + 3600 * i,) * 2)
    return inputs


@pytest.mark.parametrize(
    ("small", "batch"),
    [(1, 1), (10_000, 100_000), (1 << 20, 1), (1 << 20, 8 << 20)],
    ids=["all-streamed", "mixed", "batch-per-file", "default"],
)
def test_a_list_of_paths_gives_each_file_as_if_read_alone(
    many_inputs: list[str], monkeypatch: pytest.MonkeyPatch, small: int, batch: int
) -> None:
    """Small files are read together, big ones stream: each keeps its own source, offsets,
    strips, duplicates dropped within it and modification time, in input order."""
    options: dict[str, object] = {"drop_duplicates": True, "captured_at": "mtime"}
    alone = [ticker_parse.read_ticker(p, **options) for p in many_inputs]  # type: ignore[call-overload]
    monkeypatch.setattr(reading, "SMALL_CHARS", small)
    monkeypatch.setattr(reading, "BATCH_CHARS", batch)
    together = ticker_parse.read_ticker(many_inputs, **options)  # type: ignore[call-overload]
    expected = pd.concat([f for f in alone if len(f)], ignore_index=True)
    pd.testing.assert_frame_equal(together, expected)
    assert together["captured_at"].nunique() > 5  # the WARC's own dates and every mtime
    assert len(together) > 150


def test_a_list_of_paths_in_chunks_and_as_decimals(many_inputs: list[str]) -> None:
    whole = ticker_parse.read_ticker(many_inputs, exact="decimal")
    chunks = list(ticker_parse.read_ticker(many_inputs, exact="decimal", chunksize=64))
    assert all(len(c) <= 64 for c in chunks)
    assert len(chunks) > 3
    pd.testing.assert_frame_equal(pd.concat(chunks, ignore_index=True), whole)
    assert ticker_parse.read_ticker((), exact="decimal").equals(
        ticker_parse.empty_frame(exact="decimal")
    )


@pytest.mark.parametrize(
    ("options", "error", "match"),
    [
        ({"captured_at": "yesterday"}, TickerArgumentError, "captured_at"),
        ({"encoding": "utf-99"}, TickerArgumentError, "unknown encoding"),
        ({"encoding": "hex"}, TickerArgumentError, "not a text encoding"),
        ({"encoding": 5}, TickerArgumentError, "encoding="),
        ({"encoding_errors": "ignore"}, TickerArgumentError, "encoding_errors="),
        ({"warc_stats": "x"}, TickerArgumentError, "warc_stats="),
    ],
)
@pytest.mark.parametrize("many", [True, False], ids=["list", "one path"])
def test_bad_arguments_fail_at_the_call_even_in_chunks(
    tmp_path: Path, options: dict[str, object], error: type[Exception], match: str, many: bool
) -> None:
    path = tmp_path / "a.txt"
    path.write_text(STRIP, encoding="utf-8")
    with pytest.raises(error, match=match):
        ticker_parse.read_ticker([str(path)] if many else str(path), chunksize=10, **options)  # type: ignore[call-overload]


def test_a_list_of_paths_is_checked_up_front(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(STRIP, encoding="utf-8")
    with pytest.raises(TickerArgumentError, match="paths only"):
        ticker_parse.read_ticker([str(path), io.StringIO(STRIP)], chunksize=10)  # type: ignore[list-item]
    with pytest.raises(ticker_parse.TickerReadError, match="missing"):
        ticker_parse.read_ticker([str(path), str(tmp_path / "missing.txt")], chunksize=10)
    with pytest.raises(TickerArgumentError, match="list of paths"):
        ticker_parse.read_ticker(p for p in [str(path)])  # type: ignore[call-overload]
    with pytest.raises(TickerArgumentError, match="paths only"):
        ticker_parse.read_ticker([1], captured_at="mtime")  # type: ignore[list-item]
    with pytest.raises(TickerArgumentError, match="list of paths, not int"):
        ticker_parse.read_ticker(5, chunksize=10)  # type: ignore[call-overload]
    with pytest.raises(TickerArgumentError, match="a path or a text buffer, not list"):
        list(ticker_parse.iter_quotes([str(path)]))  # type: ignore[call-overload]
    with pytest.raises(TickerArgumentError, match="unknown encoding"):
        ticker_parse.read_ticker([str(path)], encoding="utf\x00-8")
    with pytest.raises(TickerArgumentError, match="list of paths"):
        reading.iter_path_frames(str(path))
    with pytest.raises(TickerArgumentError, match="warc_stats"):
        reading.iter_path_frames([str(path)], warc_stats="x")  # type: ignore[arg-type]
    # any iterable of paths, taken once (captured_at="mtime" looks at every path first)
    frames = reading.iter_path_frames((p for p in [str(path)]), captured_at="mtime")
    assert sum(len(f) for f in frames) == 2
