"""Real-world cases, grouped by where they came from; every field of every entry.

Each case names its source: a capture in ``seeds/`` or a constructed case for one quirk of
real pages (named after the quirk). A case lists the entries the text must give, exactly,
as ``symbol price direction change percent [codes]``; nothing else may become a quote.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd
import pytest

import ticker_parse
from tests.conftest import BR_SAMPLES, OBSERVER_SEED

_OBSERVER_STRIP = OBSERVER_SEED.read_text(encoding="utf-8").split("\n", 1)[0]


@dataclass(frozen=True)
class Case:
    source: str
    quirk: str
    text: str
    #: "SYMBOL price direction change percent" per entry; percent "-" when none is shown.
    entries: list[str]
    #: Issue codes per entry ("" when consistent); empty list means none flagged at all.
    codes: list[str] = field(default_factory=list)
    residue: list[str] = field(default_factory=list)
    symbols: tuple[str, ...] = ()


CASES: list[Case] = [
    # --- Pakistan Observer (concatenated) ---------------------------------------------
    Case(
        "pakistan-observer",
        "index rows glued to values without separators, settled by arithmetic and index names",
        _OBSERVER_STRIP + "KSE10067194▲ 646.5 (0.01%)BR306952▼ -74.5 (-0.01%)",
        [],  # checked through codes/last entries below
    ),
    Case(
        "pakistan-observer",
        "rights and futures symbols: BOPR1 glued to 0.5, HUBC-NOV",
        "BOPR10.5▲ 0.01 (2.04%)HUBC-NOV127.55▲ 6.94 (5.75%)",
        ["BOPR1 0.5 up 0.01 2.04", "HUBC-NOV 127.55 up 6.94 5.75"],
    ),
    Case(
        "pakistan-observer",
        "user symbol list settles a split the arithmetic cannot",
        "ABC1210.5▲ 0.01 (0.10%)",
        ["ABC12 10.5 up 0.01 0.10"],
        symbols=("ABC12",),
    ),
    Case(
        "pakistan-observer",
        "headline glued to the last entry",
        "WTL1.6▲ 0.08 (5.26%)PSX closes higher on banking gains",
        ["WTL 1.6 up 0.08 5.26"],
        residue=["unparsed_text"],
    ),
    Case(
        "pakistan-observer",
        "last entry cut off mid-number",
        "AGL38.02▲ 0.08 (0.21%)WTL1.6▲ 0.0",
        ["AGL 38.02 up 0.08 0.21"],
        residue=["incomplete_entry"],
    ),
    Case(
        "pakistan-observer",
        "strip repeated twice: both copies reported",
        "AGL38.02▲ 0.08 (0.21%)WTL1.6▲ 0.08 (5.26%)\nAGL38.02▲ 0.08 (0.21%)WTL1.6▲ 0.08 (5.26%)",
        ["AGL 38.02 up 0.08 0.21", "WTL 1.6 up 0.08 5.26"] * 2,
    ),
    Case(
        "pakistan-observer",
        "HTML list items and numeric entities for the arrows and minus",
        "<ul><li>AGL38.02&#9650; 0.08 (0.21%)</li><li>DFML35.74&#x25BC; &minus;0.72 "
        "(&minus;1.97%)</li></ul>",
        ["AGL 38.02 up 0.08 0.21", "DFML 35.74 down -0.72 -1.97"],
        residue=["markup", "markup", "markup"],
    ),
    Case(
        "pakistan-observer",
        "arrows mis-decoded as cp1252 (â–² / â–¼)",
        "AGL38.02â–² 0.08 (0.21%)DFML35.74â–¼ -0.72 (-1.97%)",
        ["AGL 38.02 up 0.08 0.21", "DFML 35.74 down -0.72 -1.97"],
    ),
    Case(
        "pakistan-observer",
        "Arabic-Indic digits",
        "AGL٣٨.٠٢▲ ٠.٠٨ (٠.٢١%)",
        ["AGL 38.02 up 0.08 0.21"],
    ),
    # --- Business Recorder ---------------------------------------------------------------
    Case(
        "business-recorder",
        "no-break spaces between the fields",
        "AIRLINK\u00a061.80\u00a0Increased By\u00a0▲\u00a01.37\u00a0(2.27%)",
        ["AIRLINK 61.80 up 1.37 2.27"],
    ),
    Case(
        "business-recorder",
        "thin, narrow and ideographic spaces, a zero-width space",
        "AIRLINK\u200961.80\u202fIncreased By\u3000▲ 1.37\u200b (2.27%)",
        ["AIRLINK 61.80 up 1.37 2.27"],
    ),
    Case(
        "business-recorder",
        "U+2212 and en-dash minus signs",
        "BOP 5.33 Decreased By ▼ \u22120.02 (\u22120.37%)\nPPL 106.30 Decreased By ▼ "
        "\u20131.07 (\u20131%)",
        ["BOP 5.33 down -0.02 -0.37", "PPL 106.30 down -1.07 -1"],
    ),
    Case(
        "business-recorder",
        "Windows line ends",
        "AIRLINK 61.80 Increased By ▲ 1.37 (2.27%)\r\nBOP 5.33 Decreased By ▼ -0.02 (-0.37%)\r\n",
        ["AIRLINK 61.80 up 1.37 2.27", "BOP 5.33 down -0.02 -0.37"],
    ),
    Case(
        "business-recorder",
        "fields wrapped in span tags",
        "<div><span>AIRLINK</span> <span>61.80</span> <span>Increased By</span> "
        "<span>▲ 1.37</span> <span>(2.27%)</span></div>",
        ["AIRLINK 61.80 up 1.37 2.27"],
        residue=["markup", "markup"],
    ),
    Case(
        "business-recorder",
        "last index row cut off mid-number",
        "AIRLINK 61.80 Increased By ▲ 1.37 (2.27%)\nKSE30 22,117 Increased By 20",
        ["AIRLINK 61.80 up 1.37 2.27"],
        residue=["incomplete_entry"],
    ),
    Case(
        "business-recorder",
        "words and arrow disagree",
        "AIRLINK 61.80 Increased By ▼ 1.37 (2.27%)",
        ["AIRLINK 61.80 up 1.37 2.27"],
        codes=["direction_mismatch"],
    ),
    # --- Broker marquee ----------------------------------------------------------------
    Case(
        "broker-marquee",
        "pipe separated, no arrows, no percent, 6-decimal prices, over two lines",
        "ABCR1 0.02  -0.05 | XYZ 27.30   0.89 | XYZ-MAR 10.65   0.23 |\nPQR 589.000000  1.5 |",
        [
            "ABCR1 0.02 down -0.05 -",
            "XYZ 27.30 up 0.89 -",
            "XYZ-MAR 10.65 up 0.23 -",
            "PQR 589.000000 up 1.5 -",
        ],
    ),
    Case(
        "broker-marquee",
        "last entry of the line without its pipe",
        "XYZ 27.30   0.89 | XYZ-MAR 10.65   0.00",
        ["XYZ 27.30 up 0.89 -", "XYZ-MAR 10.65 unchanged 0.00 -"],
    ),
    # --- PSX data portal -----------------------------------------------------------------
    Case(
        "psx-portal",
        "one field per line, positive change unsigned",
        "KSE100\n86,057.51\n807.42\n(0.95%)\nALLSHR\n53,123.45\n-120.10\n(-0.23%)\n",
        ["KSE100 86057.51 up 807.42 0.95", "ALLSHR 53123.45 down -120.10 -0.23"],
    ),
    # --- Noise that must not become quotes ---------------------------------------------
    Case(
        "noise",
        "prose with numbers, percents and index names",
        "By 11:00am the index stood at 67,187.00, up 639.22 points or 0.96%.\n"
        "PSX (KSE100) 2.5 (1%)\nKSE-100 gains 646 points (0.97 percent)",
        [],
        residue=["unparsed_text"] * 3,
    ),
    Case(
        "noise",
        "bond-index table rows that look almost like entries",
        "BMA-PGBI (Index Value) 98.0602 98.0332 0.0270 (0.03%)\n"
        "Interest Return % 16.44% 16.42% 0.0002 (0.13%)",
        [],
        residue=["unparsed_text"] * 2,
    ),
    Case(
        "noise",
        "number widget, one value a line",
        "Pakistan Deaths\n22,452\n2524hr\nPakistan Cases\n964,490\n83024hr\n2.22% positivity",
        [],
        residue=["unparsed_text"] * 7,
    ),
]


def _figures(q: ticker_parse.Quote) -> str:
    percent = "-" if q.percent is None else str(q.percent)
    return f"{q.symbol} {q.price} {q.direction.value} {q.change} {percent}"


@pytest.mark.parametrize("case", [c for c in CASES if c.entries], ids=lambda c: c.quirk)
def test_real_world_case_gives_exactly_its_entries(case: Case) -> None:
    """Every entry exact on all fields, in order, and nothing invented."""
    result = ticker_parse.parse(case.text, symbols=case.symbols or None)
    assert [_figures(q) for q in result.quotes] == case.entries
    if case.codes:
        assert [";".join(q.issue_codes) for q in result.quotes] == case.codes
    else:
        assert not result.flagged
    if case.residue:
        assert [r.reason.value for r in result.residue] == case.residue
    for q in result.quotes:
        assert case.text[q.start : q.end] == q.raw


@pytest.mark.parametrize("case", [c for c in CASES if c.source == "noise"], ids=lambda c: c.quirk)
def test_noise_yields_no_quotes(case: Case) -> None:
    """Text without a strip gives no quotes; all of it is residue."""
    result = ticker_parse.parse(case.text)
    assert result.quotes == ()
    assert [r.reason.value for r in result.residue] == case.residue


def test_case_table_has_no_duplicates() -> None:
    """Each case is listed once (a copied case would hide a missing one)."""
    texts = [c.text for c in CASES]
    assert len(texts) == len(set(texts))


def test_observer_strip_with_glued_index_rows_splits_by_arithmetic() -> None:
    """KSE10067194 and BR306952 split as KSE100 67194 and BR30 6952 in a fraction strip."""
    result = ticker_parse.parse(CASES[0].text)
    tail = [_figures(q) for q in result.quotes[-2:]]
    assert tail == ["KSE100 67194 up 646.5 0.01", "BR30 6952 down -74.5 -0.01"]
    assert len(result.quotes) == 32


def test_ambiguous_split_is_flagged_with_its_alternatives() -> None:
    """Where several splits fit and none is natural or known, the pick is flagged."""
    # "AB012.5": no price starts with 0, so the natural AB + 012.5 is out; with a change of
    # 0, both AB0 + 12.5 and AB01 + 2.5 fit. The fewest-digits symbol is taken, and flagged.
    quote = ticker_parse.parse("AB012.5▲ 0 (0.00%)").quotes[0]
    assert (quote.symbol, quote.price) == ("AB0", Decimal("12.5"))
    assert quote.issue_codes == ("ambiguous_symbol",)
    assert "AB01 2.5" in quote.issues[0].message


def test_known_symbol_settles_a_split_the_arithmetic_allows_twice() -> None:
    """A symbol passed in ``symbols=`` wins over the fewest-digits pick, unflagged."""
    quote = ticker_parse.parse("AB012.5▲ 0 (0.00%)", symbols=["AB01"]).quotes[0]
    assert (quote.symbol, quote.price, quote.issues) == ("AB01", Decimal("2.5"), ())


# --- The Business Recorder captures, checked against an independent reading -------------


def _read_br_line(line: str) -> str:
    """The figures of one Business Recorder strip line, read with plain str.split."""
    words = line.split()
    symbol, price = words[0], words[1].replace(",", "")
    direction = {"Increased": "up", "Decreased": "down", "No": "unchanged"}[words[2]]
    change = words[-2].replace(",", "")
    percent = words[-1].strip("()%")
    return f"{symbol} {Decimal(price)} {direction} {Decimal(change)} {Decimal(percent)}"


@pytest.mark.parametrize("path", BR_SAMPLES, ids=lambda p: p.name)
def test_business_recorder_capture_parses_exactly(path: object) -> None:
    """Each capture's 34 strip lines (30 stocks, 4 indices) give 34 exact, unflagged quotes."""
    from pathlib import Path

    assert isinstance(path, Path)
    text = path.read_text(encoding="utf-8")
    lines = [
        ln
        for ln in text.splitlines()
        if "Increased By" in ln or "Decreased By" in ln or "No Change" in ln
    ]
    lines[0] = (
        lines[0][lines[0].index("date") + len("date 2024-03-28 ") :]
        if "date" in lines[0]
        else lines[0]
    )
    expected = [_read_br_line(ln) for ln in lines]
    result = ticker_parse.parse(text)
    assert [_figures(q) for q in result.quotes] == expected
    assert len(result.quotes) == 34
    assert not result.flagged
    assert {q.dialect for q in result.quotes} == {ticker_parse.Dialect.BRECORDER}


@pytest.mark.parametrize("exact", [False, True, "text"])
@pytest.mark.parametrize(
    "text",
    [c.text for c in CASES] + [p.read_text(encoding="utf-8") for p in BR_SAMPLES],
    ids=[c.quirk for c in CASES] + [p.name for p in BR_SAMPLES],
)
def test_the_dataframe_path_gives_the_records_frame(text: str, exact: bool | str) -> None:
    """read_ticker on every case and capture equals parse().to_frame(), exact or not."""
    pd.testing.assert_frame_equal(
        ticker_parse.read_ticker(io.StringIO(text), exact=exact),  # type: ignore[arg-type]
        ticker_parse.parse(text).to_frame(exact=exact),  # type: ignore[arg-type]
    )
