"""The pipeline gives one answer: every reader, and every block cut, gives the same rows.

``parse()``, ``frame_from_text``, ``read_ticker`` (buffer, path, chunks), ``iter_quotes`` and
the CLI all run one pipeline; here they are held to it on generated strips whose right
answer is known (``ticker_parse.testing``): glued strips with wrong percents of every kind
in both conventions, with digit-ending symbols known and unknown, every separator between
entries; Business Recorder lines; and a file mixing the dialects with prose between. A row
is ``(symbol, price, change, percent, start, end, issues)`` with the figures as text, so
``61.8`` and ``61.80`` differ and the strip's convention shows in the issues column.

The truth checks then hold the one answer to the generator's: with every digit-ending
symbol passed in ``symbols=``, every entry's symbol and price are right, honest figures are
never flagged (but for ``percent_as_fraction`` in a fraction strip) and wrong ones always.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

import ticker_parse
from tests.conftest import OBSERVER_SEED
from ticker_parse.cli import main as cli_main
from ticker_parse.reading import iter_frames
from ticker_parse.testing import (
    CONVENTIONS,
    FAULTS,
    TrueQuote,
    brecorder_lines,
    concatenated_strip,
)

#: (symbol, price, change, percent, start, end, issues); figures as displayed, "" for none.
Row = tuple[str, str, str, str, int, int, str]

SEPARATORS = ("", "\n", " ", "\x1c")
ENTRIES = 200
BLOCK_SIZES = (64, 100, 333, 1000)

_PROSE = (
    "The benchmark KSE-100 index gained 412.5 points, or 0.61%, to close at 67,194 points.\n"
    "Traded volume rose to 312.4 million shares (up 12%) from 280.1 million shares a day "
    "earlier; OGDC rose 1.25 rupees (0.9%) to Rs 140.10.\n"
)
_MARQUEE = "ABCR1 0.02  -0.05 | XYZ 27.30   0.89 | XYZ-MAR 10.65   0.23 |\n"
_PORTAL = "KSE100\n86,057.51\n807.42\n(0.95%)\nALLSHR\n53,123.45\n-120.10\n(-0.23%)\n"


@dataclass(frozen=True)
class Sample:
    name: str
    text: str
    #: The generator's quotes, in text order (only for the generated parts of a mixed text).
    truth: list[TrueQuote]
    #: What a correct reader finds in all: the truth plus quotes of literal parts.
    count: int
    symbols: tuple[str, ...] | None
    convention: str = "percent"


def _digit_symbols(truth: Iterable[TrueQuote]) -> tuple[str, ...]:
    return tuple(sorted({q.symbol for q in truth if q.symbol[-1].isdigit()}))


def _size(entries: int) -> str:
    return "" if entries == ENTRIES else f"-n{entries}"


def _strip(
    convention: str,
    separator: str,
    known: bool,
    seed: int,
    entries: int = ENTRIES,
    line: int = 30,
) -> Sample:
    text, truth = concatenated_strip(
        entries,
        seed=seed,
        fault_rate=0.3,
        faults=FAULTS,
        convention=convention,
        digit_symbols=0.15,
        separator=separator,
        newline_every=line,
    )
    label = "known" if known else "unknown"
    return Sample(
        name=f"{convention}-sep{separator!r}-{label}-seed{seed}" + _size(entries),
        text=text,
        truth=truth,
        count=len(truth),
        symbols=_digit_symbols(truth) if known else None,
        convention=convention,
    )


def _brecorder(seed: int, entries: int = ENTRIES) -> Sample:
    text, truth = brecorder_lines(entries, seed=seed, fault_rate=0.3)
    return Sample(f"brecorder-seed{seed}" + _size(entries), text, truth, len(truth), None)


def _mixed(scale: int = 2) -> Sample:
    """A fraction strip, Business Recorder lines, marquee, portal, a percent strip, the seed."""
    fraction, fraction_truth = concatenated_strip(
        60 * scale, seed=11, fault_rate=0.3, convention="fraction", newline_every=30
    )
    lines, lines_truth = brecorder_lines(35 * scale, seed=12, fault_rate=0.3)
    percent, percent_truth = concatenated_strip(
        45 * scale, seed=13, fault_rate=0.3, convention="percent", separator=" ", newline_every=30
    )
    seed_page = OBSERVER_SEED.read_text(encoding="utf-8")
    parts = [fraction, _PROSE, lines, _PROSE, _MARQUEE + _PORTAL, _PROSE, percent, _PROSE]
    text = "\n".join([*parts, seed_page])
    truth = fraction_truth + lines_truth + percent_truth
    # 3 marquee entries, 2 portal entries and the seed's 30 entries are literal.
    return Sample(f"mixed-x{scale}", text, truth, len(truth) + 3 + 2 + 30, None)


STRIPS = [
    _strip(convention, separator, known, seed=100 + i)
    for i, (convention, separator, known) in enumerate(
        (c, s, k) for c in CONVENTIONS for s in SEPARATORS for k in (True, False)
    )
]
SAMPLES = [*STRIPS, _brecorder(7), _mixed()]
#: Tiny blocks are slow (a frame per block), so the cuts are tried on smaller texts: each
#: convention with known and unknown digit symbols, each with another separator, Business
#: Recorder lines and a smaller mixed file. 100 glued entries (~2,400 characters) are longer
#: than a strip the reader carries whole into the next block, so some cuts fall mid-strip
#: (a glued strip is one line, or one entry a line: the samples have lines of 100 entries).
CUT_SAMPLES = [
    # one line of 100 glued entries: a strip longer than a block carries whole
    _strip("percent", "", True, seed=200, entries=100, line=100),
    _strip("percent", " ", False, seed=201, entries=100, line=100),
    _strip("fraction", "\n", True, seed=202, entries=100),
    _strip("fraction", "\x1c", False, seed=203, entries=100, line=100),
    _brecorder(204, entries=80),
    _mixed(scale=1),
]


def _name(sample: Sample) -> str:
    return sample.name


# --- rows from every reader ----------------------------------------------------------------


def _quote_rows(quotes: Iterable[ticker_parse.Quote]) -> list[Row]:
    return [
        (
            q.symbol,
            str(q.price),
            str(q.change),
            "" if q.percent is None else str(q.percent),
            q.start,
            q.end,
            ";".join(q.issue_codes),
        )
        for q in quotes
    ]


def _frame_rows(frame: pd.DataFrame) -> list[Row]:
    columns = ["symbol", "price", "change", "percent", "start", "end", "issues"]
    return [
        (
            str(symbol),
            str(price),
            str(change),
            "" if pd.isna(percent) else str(percent),
            int(start),
            int(end),
            str(issues),
        )
        for symbol, price, change, percent, start, end, issues in frame[columns].itertuples(
            index=False
        )
    ]


def _frames_rows(frames: Iterable[pd.DataFrame]) -> list[Row]:
    return [row for frame in frames for row in _frame_rows(frame)]


def _cli_rows(path: Path, symbols: tuple[str, ...] | None) -> list[Row]:
    out = path.with_suffix(".csv")
    extra = ["--symbols", ",".join(symbols)] if symbols else []
    assert cli_main([str(path), "-o", str(out), "-q", *extra]) == 0
    with out.open(newline="", encoding="utf-8") as handle:
        return [
            (
                r["symbol"],
                r["price"],
                r["change"],
                r["percent"],
                int(r["start"]),
                int(r["end"]),
                r["issues"],
            )
            for r in csv.DictReader(handle)
        ]


Reader = Callable[[Sample, Path], list[Row]]

READERS: dict[str, Reader] = {
    "frame_from_text": lambda s, p: _frame_rows(
        ticker_parse.frame_from_text(s.text, symbols=s.symbols, exact="text")
    ),
    "read_ticker(buffer)": lambda s, p: _frame_rows(
        ticker_parse.read_ticker(io.StringIO(s.text), symbols=s.symbols, exact="text")
    ),
    "read_ticker(path)": lambda s, p: _frame_rows(
        ticker_parse.read_ticker(p, symbols=s.symbols, exact="text")
    ),
    "read_ticker(path, chunksize=25)": lambda s, p: _frames_rows(
        ticker_parse.read_ticker(p, symbols=s.symbols, exact="text", chunksize=25)
    ),
    "read_ticker(path, exact=decimal)": lambda s, p: _frame_rows(
        ticker_parse.read_ticker(p, symbols=s.symbols, exact="decimal")
    ),
    "iter_quotes(path)": lambda s, p: _quote_rows(ticker_parse.iter_quotes(p, symbols=s.symbols)),
    "cli": lambda s, p: _cli_rows(p, s.symbols),
}


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "strip.txt"
    path.write_text(text, encoding="utf-8", newline="")
    return path


def _whole(sample: Sample) -> list[Row]:
    return _quote_rows(ticker_parse.parse(sample.text, symbols=sample.symbols).quotes)


# --- the samples themselves ------------------------------------------------------------------


def test_the_samples_hold_every_fault_kind_of_each_convention() -> None:
    """The glued samples show every applicable fault kind and both known and unknown digits."""
    for convention in CONVENTIONS:
        strips = [s for s in STRIPS if s.convention == convention]
        faults = {q.fault for s in strips for q in s.truth} - {None}
        applicable = set(FAULTS) - (
            {"percent_amid_fractions"}
            if convention == "percent"
            else {"x100", "fraction", "of_price"}
        )
        assert faults == applicable
        assert all(_digit_symbols(s.truth) for s in strips)


def test_the_cut_samples_put_each_strips_convention_at_stake() -> None:
    """The cut samples hold strips of both conventions, cut mid-strip or carried whole."""
    conventions = []
    for sample in CUT_SAMPLES[:-1]:
        strips = ticker_parse.parse(sample.text, symbols=sample.symbols).strips
        conventions += [(s.dialect.value, s.convention) for s in strips]
        # longer than the 2,048 characters a block of under 4 K carries into the next one
        assert max(s.end - s.start for s in strips) > 2048
    assert ("concatenated", "fraction") in conventions
    assert ("concatenated", "percent") in conventions
    mixed = ticker_parse.parse(CUT_SAMPLES[-1].text).strips  # each short enough to carry
    assert max(s.end - s.start for s in mixed) < 2048
    assert [(s.dialect.value, s.convention) for s in mixed] == [
        ("concatenated", "fraction"),  # a glued strip is one line: 60 entries, 30 a line
        ("concatenated", "fraction"),
        ("brecorder", "percent"),
        ("marquee", "percent"),
        ("portal", "percent"),
        ("concatenated", "percent"),  # 45 entries, 30 a line
        ("concatenated", "percent"),
        ("concatenated", "fraction"),  # the seed
    ]


@pytest.mark.parametrize("sample", SAMPLES, ids=_name)
def test_parse_finds_every_entry_where_the_generator_put_it(sample: Sample) -> None:
    """parse() finds as many quotes as the text holds, the generated ones at their own text."""
    quotes = ticker_parse.parse(sample.text, symbols=sample.symbols).quotes
    assert len(quotes) == sample.count
    raws = [q.raw for q in quotes]
    position = 0
    for true in sample.truth:  # in order, each generated entry is one quote's raw text
        position = raws.index(true.text, position) + 1
    for q in quotes:
        assert sample.text[q.start : q.end] == q.raw


# --- every reader gives the records rows ---------------------------------------------------


@pytest.mark.parametrize("reader", list(READERS))
@pytest.mark.parametrize("sample", SAMPLES, ids=_name)
def test_every_reader_gives_the_rows_of_parse(sample: Sample, reader: str, tmp_path: Path) -> None:
    """Each reader gives parse()'s rows: same symbols, figures, offsets and issues, in order."""
    path = _write(tmp_path, sample.text)
    assert READERS[reader](sample, path) == _whole(sample)


# --- every block cut gives the whole-text rows ---------------------------------------------


@pytest.mark.parametrize("block_size", BLOCK_SIZES)
@pytest.mark.parametrize("sample", CUT_SAMPLES, ids=_name)
def test_iter_quotes_in_small_blocks_gives_the_whole_text_rows(
    sample: Sample, block_size: int, tmp_path: Path
) -> None:
    """iter_quotes read in blocks of a few hundred bytes gives the whole text's rows."""
    path = _write(tmp_path, sample.text)
    quotes = ticker_parse.iter_quotes(path, symbols=sample.symbols, block_size=block_size)
    assert _quote_rows(quotes) == _whole(sample)


@pytest.mark.parametrize("block_size", BLOCK_SIZES)
@pytest.mark.parametrize("sample", CUT_SAMPLES, ids=_name)
def test_chunked_frames_in_small_blocks_give_the_whole_text_rows(
    sample: Sample, block_size: int, tmp_path: Path
) -> None:
    """Frames of 25 rows read in small blocks give the whole text's rows, convention included."""
    path = _write(tmp_path, sample.text)
    frames = iter_frames(
        path, chunksize=25, symbols=sample.symbols, exact="text", block_size=block_size
    )
    assert _frames_rows(frames) == _whole(sample)


# --- the one answer is the generator's -----------------------------------------------------

#: Every glued sample with its digit-ending symbols known, and more seeds of each convention
#: (parse() alone is fast), and the Business Recorder lines (no glued symbols at all).
TRUTH_SAMPLES = [
    *(s for s in STRIPS if s.symbols is not None),
    *(
        _strip(convention, SEPARATORS[seed % len(SEPARATORS)], True, seed)
        for convention in CONVENTIONS
        for seed in range(12)
    ),
    SAMPLES[-2],
]


#: Where the library reads a generated entry wrongly today: "entry fault -> reading"
#: (none at present; a sample listed here runs as a strict xfail).
_WRONG_SPLITS: dict[str, tuple[str, ...]] = {}
#: The wrong figures those wrong splits hide: read the wrong way, they look honest.
_UNFLAGGED: dict[str, tuple[str, ...]] = {}


def _xfail_where(known_failures: dict[str, tuple[str, ...]], what: str) -> list[object]:
    """TRUTH_SAMPLES, the ones listed in ``known_failures`` marked as strict xfails."""
    return [
        pytest.param(
            s,
            marks=pytest.mark.xfail(
                strict=True, reason=f"{what}: " + "; ".join(known_failures[s.name])
            ),
            id=s.name,
        )
        if s.name in known_failures
        else pytest.param(s, id=s.name)
        for s in TRUTH_SAMPLES
    ]


def _truth_pairs(sample: Sample) -> list[tuple[TrueQuote, ticker_parse.Quote]]:
    quotes = ticker_parse.parse(sample.text, symbols=sample.symbols).quotes
    assert len(quotes) == len(sample.truth)
    return list(zip(sample.truth, quotes, strict=True))


def _honest_codes(convention: str) -> set[str]:
    """The codes an honest figure may carry: in a fraction strip, the strip's own fault."""
    return {"percent_as_fraction"} if convention == "fraction" else set()


@pytest.mark.parametrize(
    "sample", _xfail_where(_WRONG_SPLITS, "known symbol loses to the natural split")
)
def test_known_symbols_give_every_entry_its_true_symbol_and_price(sample: Sample) -> None:
    """With every digit-ending symbol in symbols=, each entry splits as the generator glued it."""
    wrong = [
        (true.text, true.fault, quote.symbol, str(quote.price), quote.issue_codes)
        for true, quote in _truth_pairs(sample)
        if (quote.symbol, quote.price, quote.change, quote.percent)
        != (true.symbol, true.price, true.change, true.percent)
        or str(quote.price) != str(true.price)
    ]
    assert wrong == []


@pytest.mark.parametrize("sample", TRUTH_SAMPLES, ids=_name)
def test_honest_figures_are_never_flagged(sample: Sample) -> None:
    """An honest entry carries no code, but percent_as_fraction where the strip prints those."""
    allowed = _honest_codes(sample.convention)
    flagged = [
        (true.text, quote.issue_codes)
        for true, quote in _truth_pairs(sample)
        if true.fault is None and not set(quote.issue_codes) <= allowed
    ]
    assert flagged == []


@pytest.mark.parametrize(
    "sample", _xfail_where(_UNFLAGGED, "wrong split makes a wrong figure look honest")
)
def test_wrong_figures_are_always_flagged(sample: Sample) -> None:
    """A faulty entry never gets an honest entry's verdict.

    In a percent strip it carries a code. In a fraction strip it never carries exactly
    ``percent_as_fraction`` (the verdict on an honest figure of that strip): a real percent
    amid fractions, or a stale figure that happens to equal one, is correct arithmetic and
    carries no code, which still sets it apart from its neighbours.
    """
    missed = [
        (true.text, true.fault, quote.issue_codes)
        for true, quote in _truth_pairs(sample)
        if true.fault is not None
        and (
            quote.issue_codes == ("percent_as_fraction",)
            if sample.convention == "fraction"
            else not quote.issue_codes
        )
    ]
    assert missed == []


@pytest.mark.parametrize(
    "sample", [s for s in TRUTH_SAMPLES if s.convention == "fraction"], ids=_name
)
def test_a_real_percent_amid_fractions_carries_no_code(sample: Sample) -> None:
    """The true percent in a strip of fractions is right arithmetic: it is not flagged."""
    codes = [
        quote.issue_codes
        for true, quote in _truth_pairs(sample)
        if true.fault == "percent_amid_fractions"
    ]
    assert codes
    assert all(c == () for c in codes)


# --- the same splits, one entry each -------------------------------------------------------

_PERCENT_BEFORE = "AGL38.02▲ 0.08 (0.21%)"
_PERCENT_AFTER = "BOP9.54▲ 0.22 (2.36%)"
_FRACTIONS = "AGL38.02▲ 0.08 (0.00%)BOP9.54▲ 0.22 (0.02%)"


@dataclass(frozen=True)
class SplitCase:
    quirk: str
    #: The glued entry under test, between honest neighbours that set the strip's convention.
    entry: str
    convention: str
    symbols: tuple[str, ...] | None
    #: "SYMBOL price" the entry must read as.
    expected: str
    #: Whether the entry's percent is wrong (then it must not get an honest verdict).
    faulty: bool


SPLIT_CASES = [
    SplitCase(
        "a PSX index with its honest percent",
        "KSE3029015.9▼ -111.03 (-0.38%)",
        "percent",
        None,
        "KSE30 29015.9",
        faulty=False,
    ),
    SplitCase(
        "a known symbol with its honest fraction",
        "DCR2100.89▼ -3.46 (-0.03%)",
        "fraction",
        ("DCR2",),
        "DCR2 100.89",
        faulty=False,
    ),
    SplitCase(
        "a PSX index, also in symbols=, showing its fraction in a percent strip",
        "KSE3029015.9▼ -111.03 (0.00%)",
        "percent",
        ("KSE30",),
        "KSE30 29015.9",
        faulty=True,
    ),
    SplitCase(
        "a PSX index showing its fraction in a percent strip",
        "MII3038447.21▼ -171.67 (0.00%)",
        "percent",
        None,
        "MII30 38447.21",
        faulty=True,
    ),
    SplitCase(
        "a known symbol showing its fraction in a percent strip",
        "FNELR229.96▼ -0.12 (0.00%)",
        "percent",
        ("FNELR2",),
        "FNELR2 29.96",
        faulty=True,
    ),
    SplitCase(
        "a known symbol showing a stale figure in a fraction strip",
        "DCR2100.89▼ -3.46 (0.00%)",
        "fraction",
        ("DCR2",),
        "DCR2 100.89",
        faulty=True,
    ),
    SplitCase(
        "a PSX index showing a stale figure in a fraction strip",
        "BR3019945.3▲ 163.31 (0.00%)",
        "fraction",
        None,
        "BR30 19945.3",
        faulty=True,
    ),
    SplitCase(
        "a plain symbol with a mistyped fraction, every digit-ending symbol in symbols=",
        "DCR2100.89▼ -3.46 (-0.03%)PSO10.74▼ -0.08 (-0.10%)",
        "fraction",
        ("DCR2",),
        "PSO 10.74",
        faulty=True,
    ),
]

_KNOWN_LOSES = (
    "known symbol loses to the natural split when the shown percent is wrong: the library "
    "reads {reading}"
)
_SPLIT_XFAILS: dict[str, str] = {}


def _split_params() -> list[object]:
    return [
        pytest.param(
            case,
            marks=[pytest.mark.xfail(strict=True, reason=_SPLIT_XFAILS[case.entry])]
            if case.entry in _SPLIT_XFAILS and case.faulty
            else [],
            id=case.quirk,
        )
        for case in SPLIT_CASES
    ]


@pytest.mark.parametrize("case", _split_params())
def test_a_known_symbol_settles_a_glued_split_whatever_the_percent(case: SplitCase) -> None:
    """A symbol the reader knows is taken, and a wrong percent then gets a wrong verdict."""
    before, after = (
        (_PERCENT_BEFORE, _PERCENT_AFTER) if case.convention == "percent" else (_FRACTIONS, "")
    )
    result = ticker_parse.parse(before + case.entry + after, symbols=case.symbols)
    assert [s.convention for s in result.strips] == [case.convention]
    quote = next(q for q in result.quotes if case.entry.endswith(q.raw))
    assert f"{quote.symbol} {quote.price}" == case.expected
    honest_verdicts = [(), ("percent_as_fraction",)] if case.convention == "fraction" else [()]
    assert (quote.issue_codes not in honest_verdicts) is case.faulty
