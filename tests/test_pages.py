"""Read HTML as a browser shows it, and never make a quote out of text that is not a ticker.

Three parts: a case table with one row per quirk of real pages (every entry, every field,
nothing else); whole generated pages (``ticker_parse.testing.html_page``) whose strip is
known, read by both paths; and hostile texts, which must finish (or time out) promptly.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

import ticker_parse
from ticker_parse.testing import TrueQuote, hostile_texts, html_page

_AGL = "AGL38.02▲ 0.08 (0.21%)"
_BOP = "BOP9.54▲ 0.22 (2.36%)"
_AGL_READ = "AGL 38.02 up 0.08 0.21"
_BOP_READ = "BOP 9.54 up 0.22 2.36"
_AIRLINK_READ = "AIRLINK 61.80 up 1.37 2.27"
_PORTAL_CELLS = (
    *("KSE100", "86,057.51", "807.42", "(0.95%)"),
    *("ALLSHR", "53,123.45", "-120.10", "(-0.23%)"),
)
_PORTAL_READ = ["KSE100 86057.51 up 807.42 0.95", "ALLSHR 53123.45 down -120.10 -0.23"]
_VISIBLE = f'<div class="ticker">{_BOP}</div>'
#: An old strip kept in an HTML comment: 1,000 entries, 22,000 characters.
_LONG_COMMENT = "<!-- ticker cache: " + _AGL * 1000 + " -->"


def _page(head: str, body: str) -> str:
    return (
        f"<!DOCTYPE html><html><head><title>Markets</title>{head}</head><body>{body}</body></html>"
    )


@dataclass(frozen=True)
class Case:
    source: str
    title: str
    text: str
    #: "SYMBOL price direction change percent" per entry, in order; nothing else may be read.
    entries: list[str]
    symbols: tuple[str, ...] = ()
    #: Why the library gets this case wrong today (a strict xfail), or "".
    wrong_today: str = ""


CASES = [
    # --- markup around the fields --------------------------------------------------------
    Case(
        "pakistan-observer",
        "a strip with one <span> per field",
        '<div class="ticker"><span>AGL</span><span>38.02</span><span>&#9650;</span> '
        "<span>0.08</span> <span>(0.21%)</span><span>BOP</span><span>9.54</span>"
        "<span>&#9650;</span> <span>0.22</span> <span>(2.36%)</span></div>",
        [_AGL_READ, _BOP_READ],
    ),
    Case(
        "business-recorder",
        "pretty-printed rows: one field per <span>, each on its own line",
        '<div class="row">\n      <span class="sym">AIRLINK</span>\n'
        '      <span class="price">61.80</span>\n      <span class="words">Increased By</span>\n'
        '      <span class="arrow">&#9650;</span>\n      <span class="chg">1.37</span>\n'
        '      <span class="pct">(2.27%)</span>\n    </div>\n<div class="row">\n'
        "      <span>BOP</span>\n      <span>5.33</span>\n      <span>Decreased By</span>\n"
        "      <span>&#9660;</span>\n      <span>-0.02</span>\n      <span>(-0.37%)</span>\n"
        "    </div>",
        [_AIRLINK_READ, "BOP 5.33 down -0.02 -0.37"],
    ),
    Case(
        "psx-portal",
        "figures in <td> cells, one cell a row",
        "<table>" + "".join(f"<tr><td>{c}</td></tr>" for c in _PORTAL_CELLS) + "</table>",
        _PORTAL_READ,
    ),
    Case(
        "psx-portal",
        "figures in <td> cells, one entry a row",
        "<table><tr>"
        + "".join(f"<td>{c}</td>" for c in _PORTAL_CELLS[:4])
        + "</tr><tr>"
        + "".join(f"<td>{c}</td>" for c in _PORTAL_CELLS[4:])
        + "</tr></table>",
        _PORTAL_READ,
    ),
    # --- hidden text ---------------------------------------------------------------------
    Case(
        "noise",
        "ticker-like strings inside <script>",
        _page(f'<script>var t = "{_AGL}"; var rows = ["{_AGL}{_AGL}"];</script>', _VISIBLE),
        [_BOP_READ],
    ),
    Case(
        "noise",
        "ticker-like strings inside JSON-LD",
        _page(
            '<script type="application/ld+json">{"@type":"NewsArticle",'
            f'"description":"Market snapshot: {_AGL}{_AGL}"}}</script>',
            _VISIBLE,
        ),
        [_BOP_READ],
    ),
    Case(
        "noise",
        "an HTML comment of 22,000 characters holding an old strip, before the strip",
        _page("", _LONG_COMMENT + _VISIBLE),
        [_BOP_READ],
    ),
    Case(
        "noise",
        "an HTML comment of 22,000 characters holding an old strip, after the strip",
        _page("", _VISIBLE + _LONG_COMMENT),
        [_BOP_READ],
    ),
    Case(
        "noise",
        "an HTML comment of 22,000 characters after a paragraph, no strip shown",
        "<p>Markets closed for Eid</p>" + _LONG_COMMENT,
        [],
    ),
    Case(
        "noise",
        "a capture that is nothing but an HTML comment of 22,000 characters",
        _LONG_COMMENT,
        [],
    ),
    # --- entities ------------------------------------------------------------------------
    Case(
        "noise",
        "an escaped ampersand in a symbol, inside an element",
        "<div>S&amp;P5000.12▲ 10 (0.2%)</div>",
        ["S&P 5000.12 up 10 0.2"],
    ),
    Case(
        "noise",
        "an escaped ampersand in a symbol, text with a <br>",
        "S&amp;P5000.12▲ 10 (0.2%)<br>",
        ["S&P 5000.12 up 10 0.2"],
    ),
    Case(
        "noise",
        "an escaped ampersand in a symbol, bare",
        "S&amp;P5000.12▲ 10 (0.2%)",
        ["S&P 5000.12 up 10 0.2"],
    ),
    # --- widgets that are not tickers ----------------------------------------------------
    Case(
        "noise",
        "open-market currency rates, buying and selling",
        "USD 278.50 279.80 | EUR 301.20 303.50 |",
        [],
    ),
    Case("noise", "cricket scores, runs and wickets", "PAK 245 7 | IND 250 3 |", []),
    Case(
        "noise",
        "weather in degrees",
        "Karachi 34°C | Lahore 41°C | Islamabad 29°C |",
        [],
    ),
    Case("noise", "weather highs and lows", "KARACHI 34 28 | LAHORE 41 30 |", []),
    Case(
        "noise",
        "weather highs and lows with decimals",
        "KHI 32.5 24.1 | LHE 30.2 18.4 | ISB 28.7 16.2 |",
        [],
    ),
    Case("noise", "an interbank currency pair with an arrow", "USD/PKR 278.50 ▲ 0.25 (0.09%)", []),
    Case("noise", "a currency pair glued", "EUR/USD1.0850▼ -0.0012 (-0.11%)", []),
    Case(
        "noise",
        "an election table in cells",
        "<table><tr><td>PTI</td><td>93</td><td>+12</td><td>(31.2%)</td></tr>"
        "<tr><td>PMLN</td><td>75</td><td>-7</td><td>(24.1%)</td></tr></table>",
        [],
    ),
    Case("noise", "a statistic one field a line", "GDP\n2023\n2024\n(5%)", []),
    # --- text glued to a strip -----------------------------------------------------------
    Case(
        "pakistan-observer",
        "a capitalised headline glued before the first entry, its symbol known",
        "MARKETS" + _AGL + _BOP,
        [_AGL_READ, _BOP_READ],
        symbols=("AGL",),
    ),
    Case(
        "pakistan-observer",
        "a date glued before the first entry",
        "2024-03-28" + _AGL,
        [_AGL_READ],
    ),
    Case("pakistan-observer", "a time glued before the first entry", "10:45" + _AGL, [_AGL_READ]),
    Case(
        "pakistan-observer",
        "a thousands separator in a glued price",
        "AGL1,038.02▲ 2.08 (0.20%)",
        ["AGL 1038.02 up 2.08 0.20"],
    ),
    Case(
        "pakistan-observer",
        "an index name with a hyphen",
        "KSE-100 67,194 ▲ 646.5 (0.97%)",
        ["KSE-100 67194 up 646.5 0.97"],
    ),
    Case(
        "pakistan-observer",
        "a flat stock drawn with an arrow",
        "TOMCL35▼ 0 (0.00%)" + _AGL,
        ["TOMCL 35 unchanged 0 0.00", _AGL_READ],
    ),
    Case(
        "pakistan-observer",
        "a digit-ending symbol on the strip twice, once flat (no figure pins the flat one)",
        "TPLRF1124.13▼ -0.61 (-0.49%)TPLRF1119.23▲ 0 (0.00%)",
        ["TPLRF1 124.13 down -0.61 -0.49", "TPLRF 1119.23 unchanged 0 0.00"],
    ),
    Case(
        "pakistan-observer",
        "a wrong percent that a longer symbol would fit, its symbol on the strip",
        "BOP36.11▼ -0.8 (-2.17%)BOP65▲ 0.04 (0.81%)",
        ["BOP 36.11 down -0.8 -2.17", "BOP 65 up 0.04 0.81"],
    ),
    Case(
        "noise",
        "direction marks of a bilingual page inside and between entries",
        "AGL38.02\u200f▲ 0.08 (0.21%)\u200fAIR\u200eLINK61.8▲ 1.37 (2.27%)",
        [_AGL_READ, "AIRLINK 61.8 up 1.37 2.27"],
    ),
    Case(
        "noise",
        "a soft hyphen inside a symbol",
        "AIR&shy;LINK61.8▲ 1.37 (2.27%)<br>",
        ["AIRLINK 61.8 up 1.37 2.27"],
    ),
    Case(
        "noise",
        "Arabic digits, decimal separator and percent sign",
        "AGL٣٨٫٠٢▲ ٠٫٠٨ (٠٫٢١٪)",
        [_AGL_READ],
    ),
    # --- whitespace inside an entry ------------------------------------------------------
    Case(
        "pakistan-observer",
        "a strip wrapped at a space",
        "AGL38.02▲ 0.08\n(0.21%)" + _BOP,
        [_AGL_READ, _BOP_READ],
    ),
    Case(
        "pakistan-observer",
        "a strip wrapped after an arrow",
        "AGL38.02▲\n0.08 (0.21%)" + _BOP,
        [_AGL_READ, _BOP_READ],
    ),
    Case("pakistan-observer", "a tab inside a glued entry", "AGL38.02▲\t0.08 (0.21%)", [_AGL_READ]),
    Case(
        "business-recorder",
        "a tab between symbol and price",
        "AIRLINK\t61.80 Increased By ▲ 1.37 (2.27%)",
        [_AIRLINK_READ],
    ),
    Case(
        "business-recorder",
        "two spaces inside 'Increased By'",
        "AIRLINK 61.80 Increased  By ▲ 1.37 (2.27%)",
        [_AIRLINK_READ],
    ),
]


def _case_params() -> list[object]:
    return [
        pytest.param(
            case,
            id=case.title,
            marks=[pytest.mark.xfail(strict=True, reason=case.wrong_today)]
            if case.wrong_today
            else [],
        )
        for case in CASES
    ]


def _read(q: ticker_parse.Quote) -> str:
    percent = "-" if q.percent is None else str(q.percent)
    return f"{q.symbol} {q.price} {q.direction.value} {q.change} {percent}"


def test_case_table_has_no_duplicates() -> None:
    """Each quirk is listed once, so a copied row cannot hide a missing one."""
    assert len({c.text for c in CASES}) == len(CASES)
    assert len({c.title for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", _case_params())
def test_page_quirk_gives_exactly_its_entries(case: Case) -> None:
    """parse() reads every entry a browser shows, exact on all fields, and nothing else."""
    result = ticker_parse.parse(case.text, symbols=case.symbols or None)
    assert [_read(q) for q in result.quotes] == case.entries
    for q in result.quotes:
        assert case.text[q.start : q.end] == q.raw


@pytest.mark.parametrize("case", _case_params())
def test_page_quirk_gives_the_same_rows_as_a_dataframe(case: Case) -> None:
    """read_ticker() on the same text gives the same entries (figures as displayed)."""
    frame = ticker_parse.read_ticker(
        io.StringIO(case.text), symbols=case.symbols or None, exact="text"
    )
    rows = [
        f"{r.symbol} {r.price} {r.direction} {r.change} {r.percent}"
        for r in frame.itertuples(index=False)
    ]
    assert rows == case.entries


# --- whole generated pages ---------------------------------------------------------------

PAGE_SEEDS = range(12)
_PAGE_KINDS = [
    (strip, markup)
    for strip in ("concatenated", "brecorder", "none")
    for markup in ("plain", "spans", "pretty")
]
_PAGE_WRONG_TODAY: dict[tuple[str, str], str] = {}


def _page_params() -> list[object]:
    return [
        pytest.param(
            strip,
            markup,
            id=f"{strip}-{markup}",
            marks=[pytest.mark.xfail(strict=True, reason=_PAGE_WRONG_TODAY[(strip, markup)])]
            if (strip, markup) in _PAGE_WRONG_TODAY
            else [],
        )
        for strip, markup in _PAGE_KINDS
    ]


Figures = tuple[str, str, str, str]


def _truth(quotes: list[TrueQuote]) -> list[Figures]:
    return [(q.symbol, str(q.price), str(q.change), str(q.percent)) for q in quotes]


@pytest.mark.parametrize(("strip", "markup"), _page_params())
def test_generated_pages_give_exactly_their_strip(strip: str, markup: str, tmp_path: Path) -> None:
    """On every seed, parse(page) and read_ticker(file) find the strip's quotes and no other."""
    wrong: dict[int, object] = {}
    for seed in PAGE_SEEDS:
        page, truth = html_page(seed=seed, strip=strip, markup=markup)
        expected = _truth(truth)
        parsed = [
            (q.symbol, str(q.price), str(q.change), str(q.percent))
            for q in ticker_parse.parse(page).quotes
        ]
        path = tmp_path / f"page{seed}.html"
        path.write_text(page, encoding="utf-8")
        frame = ticker_parse.read_ticker(path, exact="text")
        read = [
            (str(r.symbol), str(r.price), str(r.change), str(r.percent))
            for r in frame.itertuples(index=False)
        ]
        if parsed != expected or read != expected:
            wrong[seed] = {"parse": parsed[:3], "read_ticker": read[:3], "truth": expected[:3]}
    assert wrong == {}


def test_pages_without_a_strip_are_generated_with_noise() -> None:
    """The strip-less pages still hold ticker-like strings in scripts and comments."""
    page, truth = html_page(seed=0, strip="none")
    assert truth == []
    assert page.count("▲") + page.count("▼") >= 8


# --- hostile input finishes promptly -----------------------------------------------------

_HOSTILE = {
    "comment openers, 400 KB": "<!--" * 100_000,
    "an unclosed comment, 400 KB": "<!--" + "a" * 400_000,
    "tag openers, 400 KB": "<" * 400_000,
    "unclosed tags": "<a " * 130_000,
    "character-reference openers": "&#" * 200_000,
    "script openers": "<script>" * 50_000,
    "empty comments": "<!--x-->" * 50_000,
    "a comment opener in a paragraph": "<p>" + "<!--" * 100_000,
}
_HOSTILE.update({f"hostile_texts #{i}": text for i, text in enumerate(hostile_texts(1))})
_HOSTILE.update(
    {
        f"hostile_texts #{i}, x12 in a page": f"<p>{t * 12}</p>"
        for i, t in enumerate(hostile_texts(2))
    }
)


@pytest.mark.parametrize("text", list(_HOSTILE.values()), ids=list(_HOSTILE))
def test_hostile_text_returns_or_times_out_promptly(text: str) -> None:
    """parse(text, timeout=0.5) returns or raises TickerTimeoutError, well within seconds."""
    started = time.monotonic()
    try:
        result = ticker_parse.parse(text, timeout=0.5)
    except ticker_parse.TickerTimeoutError:
        result = None
    elapsed = time.monotonic() - started
    assert elapsed < 5.0
    if result is not None:
        assert all(text[q.start : q.end] == q.raw for q in result.quotes)
