"""ticker_parse.testing: generated text and the truth built with it agree, seed by seed."""

from __future__ import annotations

import doctest
import re
from decimal import ROUND_HALF_UP, Decimal
from html.parser import HTMLParser

import pytest

from ticker_parse import testing
from ticker_parse.grammar import PSX_INDICES
from ticker_parse.testing import (
    FAULTS,
    TrueQuote,
    brecorder_lines,
    concatenated_strip,
    honest_percent,
    hostile_texts,
    html_page,
)

_CENT = Decimal("0.01")


def _round(value: Decimal) -> Decimal:
    """Half-up to 2 decimals; zero without a sign (JavaScript prints -0 as 0)."""
    rounded = value.quantize(_CENT, rounding=ROUND_HALF_UP)
    return abs(rounded) if rounded == 0 else rounded


def _previous(q: TrueQuote) -> Decimal:
    return q.price - q.change


def _honest(q: TrueQuote, scale: int = 100) -> Decimal:
    """The honest figure, recomputed in Decimal arithmetic (not the module's integers)."""
    return _round(q.change / _previous(q) * scale)


def _expected(fault: str, q: TrueQuote, scale: int) -> Decimal | None:
    """What a figure of kind ``fault`` must be (None where it is checked otherwise)."""
    formulas = {
        "sign": lambda: -_honest(q, scale),
        "of_price": lambda: _round(q.change / q.price * scale),
        "x100": lambda: _round(q.change / _previous(q) * scale * 100),
        "fraction": lambda: _round(q.change / _previous(q)),
        "percent_amid_fractions": lambda: _round(q.change / _previous(q) * 100),
    }
    return formulas[fault]() if fault in formulas else None


def _is_mistyped(shown: str, honest: str) -> bool:
    """One digit changed, or two adjacent digits swapped."""
    if len(shown) != len(honest):
        return False
    diff = [i for i, (a, b) in enumerate(zip(shown, honest, strict=True)) if a != b]
    if len(diff) == 1:
        return shown[diff[0]].isdigit() and honest[diff[0]].isdigit()
    return (
        len(diff) == 2
        and diff[1] == diff[0] + 1
        and (shown[diff[0]], shown[diff[1]]) == (honest[diff[1]], honest[diff[0]])
    )


@pytest.mark.parametrize(
    "make",
    [
        lambda seed: concatenated_strip(200, seed=seed, fault_rate=0.3, digit_symbols=0.3),
        lambda seed: concatenated_strip(200, seed=seed, convention="fraction", fault_rate=0.3),
        lambda seed: brecorder_lines(100, seed=seed, fault_rate=0.2),
        lambda seed: html_page(seed=seed, markup="spans"),
        lambda seed: (hostile_texts(seed), []),
    ],
    ids=["concatenated", "fraction", "brecorder", "html", "hostile"],
)
def test_generators_are_deterministic_per_seed(make: object) -> None:
    """The same seed gives the same text and truth; another seed gives other text."""
    assert callable(make)
    assert make(1) == make(1)
    assert make(1)[0] != make(2)[0]


def test_doctests() -> None:
    """The module's examples run."""
    assert doctest.testmod(testing).failed == 0


@pytest.mark.parametrize("separator", ["", " ", "\x1c"])
@pytest.mark.parametrize("newline_every", [None, 1, 7])
def test_text_is_the_entries_joined(separator: str, newline_every: int | None) -> None:
    """The text is the entries' texts, the separator between and a newline every N."""
    text, truth = concatenated_strip(
        50, seed=4, fault_rate=0.2, separator=separator, newline_every=newline_every
    )
    lines = [truth[i : i + (newline_every or 50)] for i in range(0, 50, newline_every or 50)]
    assert text == "\n".join(separator.join(q.text for q in line) for line in lines)


@pytest.mark.parametrize("convention", ["percent", "fraction"])
def test_entries_print_their_figures(convention: str) -> None:
    """Each entry prints symbol, JS-style price, arrow, change and 2-decimal figure."""
    _, truth = concatenated_strip(1000, seed=5, fault_rate=0.2, convention=convention)
    for q in truth:
        body = q.text[len(q.symbol) :]
        price, rest = re.split("[▲▼]", body)
        assert price == str(q.price)
        assert not price.endswith((".0", ".00"))
        assert body[len(price)] == ("▲" if q.change > 0 else "▼")
        change, percent = rest.split(" (")
        assert change.strip() == str(q.change)
        assert percent == f"{q.percent}%)"
        assert re.fullmatch(r"-?[0-9]+\.[0-9]{2}%\)", percent)
        assert q.direction == ("up" if q.change > 0 else "down" if q.change < 0 else "unchanged")


@pytest.mark.parametrize(("convention", "scale"), [("percent", 100), ("fraction", 1)])
def test_honest_figures_recompute_exactly(convention: str, scale: int) -> None:
    """An honest figure is change / previous close (x 100 for percents), half-up to 0.01."""
    _, truth = concatenated_strip(3000, seed=6, convention=convention, digit_symbols=0.2)
    assert all(q.fault is None for q in truth)
    for q in truth:
        assert q.percent == _honest(q, scale), q
        assert q.percent == honest_percent(q.price, q.change, convention)


def test_fraction_strip_drops_the_sign_of_a_zero() -> None:
    """In a fraction strip a falling figure that rounds to zero prints 0.00, not -0.00."""
    _, truth = concatenated_strip(2000, seed=7, convention="fraction")
    lost = [q for q in truth if q.change < 0 and q.percent == 0]
    assert len(lost) > 100
    assert all(q.text.endswith("(0.00%)") for q in lost)
    assert not any("(-0.00%)" in q.text for q in truth)


@pytest.mark.parametrize(("convention", "scale"), [("percent", 100), ("fraction", 1)])
@pytest.mark.parametrize("fault", FAULTS)
def test_faulty_figures_differ_and_match_their_kind(
    fault: str, convention: str, scale: int
) -> None:
    """Every faulty figure differs from the honest one and is what its kind says."""
    if fault not in testing._APPLICABLE[convention]:
        with pytest.raises(ValueError, match="can occur"):
            concatenated_strip(10, seed=1, fault_rate=1.0, faults=[fault], convention=convention)
        return
    _, truth = concatenated_strip(
        300, seed=8, fault_rate=1.0, faults=[fault], convention=convention, digit_symbols=0.2
    )
    assert {q.fault for q in truth} == {fault}
    for q in truth:
        honest = _honest(q, scale)
        assert q.percent is not None
        assert q.percent != honest, q
        expected = _expected(fault, q, scale)
        if expected is not None:
            assert q.percent == expected, q
        elif fault == "mistyped":
            assert _is_mistyped(f"{q.percent:.2f}", f"{honest:.2f}"), q
        else:  # stale: another day's figure, within the 7.5% band
            assert abs(q.percent) <= Decimal("7.5") * scale / 100, q


@pytest.mark.parametrize("rate", [0.1, 0.3])
def test_fault_rate_is_respected(rate: float) -> None:
    """About fault_rate of the entries are faulty, of every allowed kind."""
    _, truth = concatenated_strip(4000, seed=9, fault_rate=rate)
    faulty = [q for q in truth if q.fault is not None]
    assert abs(len(faulty) / len(truth) - rate) < 0.03
    assert {q.fault for q in faulty} == set(FAULTS) - {"percent_amid_fractions"}


def test_bad_arguments_raise() -> None:
    """Unknown faults or conventions and rates outside [0, 1] are errors in the call."""
    with pytest.raises(ValueError, match="unknown faults"):
        concatenated_strip(3, seed=1, faults=["typo"])
    with pytest.raises(ValueError, match="convention"):
        concatenated_strip(3, seed=1, convention="permille")
    with pytest.raises(ValueError, match="fault_rate"):
        concatenated_strip(3, seed=1, fault_rate=1.5)
    with pytest.raises(ValueError, match="markup"):
        html_page(seed=1, markup="fancy")


def test_figures_are_realistic() -> None:
    """Prices from 1 to 90,000 with 0-2 decimals; changes within 7.5%; some flat."""
    _, truth = concatenated_strip(5000, seed=10, digit_symbols=0.1)
    prices = [q.price for q in truth]
    assert min(prices) >= 1
    assert max(prices) <= 90_000
    assert max(prices) > 10_000
    assert sorted(prices)[len(prices) // 2] < 200
    places = {-q.price.as_tuple().exponent for q in truth}  # type: ignore[operator]
    assert places == {0, 1, 2}
    assert all(abs(q.change) <= Decimal("0.075") * _previous(q) for q in truth)
    flat = [q for q in truth if q.change == 0]
    assert 0.02 < len(flat) / len(truth) < 0.15
    assert all(q.text[len(q.symbol) + len(str(q.price)) :].startswith("▼ 0 (0.00%)") for q in flat)
    for q in truth:
        if q.symbol in PSX_INDICES:
            assert q.price >= 4000


def test_digit_symbols_known_and_unknown() -> None:
    """A share of symbols end in digits: indices, symbols in ``known`` and others."""
    known = ["BOPR1", "TPLRF1", "HBL"]
    _, truth = concatenated_strip(3000, seed=11, digit_symbols=0.2, known=known)
    digit = [q.symbol for q in truth if q.symbol[-1].isdigit()]
    assert 0.15 < len(digit) / len(truth) < 0.25
    assert {"BOPR1", "TPLRF1"} <= set(digit)
    assert set(digit) & PSX_INDICES
    assert set(digit) - PSX_INDICES - set(known)
    glued = [q for q in truth if q.symbol == "KSE100"]
    assert glued
    assert glued[0].text.startswith(f"KSE100{glued[0].price}")
    _, plain = concatenated_strip(500, seed=11, digit_symbols=0.0)
    assert not any(q.symbol[-1].isdigit() for q in plain)


_BR_LINE = re.compile(
    r"(?P<sym>[A-Z0-9]+) (?P<price>[0-9,]+(?:\.[0-9]{2})?) "
    r"(?P<words>Increased By|Decreased By|No Change)(?P<arrow> [▲▼])? "
    r"(?P<chg>-?[0-9]+\.[0-9]{1,2}) \((?P<pct>-?[0-9]+(?:\.[0-9]{1,2})?)%\)"
)


def test_brecorder_lines_format_and_figures() -> None:
    """BR lines: 2-decimal prices, index rows with thousands and no arrow, honest percents."""
    text, truth = brecorder_lines(340, seed=12)
    lines = text.split("\n")
    assert lines == [q.text for q in truth]
    indices = 0
    for line, q in zip(lines, truth, strict=True):
        m = _BR_LINE.fullmatch(line)
        assert m, line
        assert not m["pct"].endswith("0") or m["pct"] == "0" or "." not in m["pct"]
        assert q.percent == _honest(q)
        if q.symbol in PSX_INDICES:
            indices += 1
            assert m["arrow"] is None
            assert "." not in m["price"]
            assert len(m["chg"].split(".")[1]) == 1
        else:
            assert m["arrow"] == (" ▲" if q.change > 0 else " ▼")
            if q.change == 0:
                assert line.endswith("No Change ▼ 0.00 (0%)")
    assert indices == 40
    assert any("," in line for line in lines)


def test_brecorder_faults_and_stale() -> None:
    """BR faulty figures differ; a stale strip shows stocks flat and indices moving."""
    _, truth = brecorder_lines(1000, seed=13, fault_rate=0.2)
    faulty = [q for q in truth if q.fault]
    assert 0.15 < len(faulty) / len(truth) < 0.25
    assert all(q.percent != _honest(q) for q in faulty)
    _, stale = brecorder_lines(68, seed=13, stale=True)
    for q in stale:
        if q.symbol in PSX_INDICES:
            assert q.change != 0
            assert q.percent == _honest(q)
        else:
            assert q.text.endswith("No Change ▼ 0.00 (0%)")
            assert q.fault is None


class _Renderer(HTMLParser):
    """What a browser shows, split into the ticker div's text and everything else."""

    _HIDDEN = frozenset({"script", "style", "title", "head"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hidden = 0
        self.ticker_depth = 0
        self.ticker: list[str] = []
        self.rest: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._HIDDEN:
            self.hidden += 1
        if self.ticker_depth:
            self.ticker_depth += tag == "div"
        elif tag == "div" and ("class", "ticker") in attrs:
            self.ticker_depth = 1
        if tag in ("br", "div", "p"):
            (self.ticker if self.ticker_depth else self.rest).append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._HIDDEN:
            self.hidden -= 1
        if self.ticker_depth and tag == "div":
            self.ticker_depth -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            # A browser shows any run of white space in a text as one space.
            (self.ticker if self.ticker_depth else self.rest).append(re.sub(r"\s+", " ", data))


def _render(page: str) -> tuple[str, str]:
    renderer = _Renderer()
    renderer.feed(page)
    renderer.close()
    return "".join(renderer.ticker).strip(), "".join(renderer.rest)


@pytest.mark.parametrize("markup", ["plain", "spans", "pretty"])
@pytest.mark.parametrize("strip", ["concatenated", "brecorder", "none"])
def test_html_page_holds_the_strip_and_only_it(strip: str, markup: str) -> None:
    """~60 KB; the ticker div renders to the truth; no arrow is visible anywhere else."""
    page, truth = html_page(seed=14, strip=strip, markup=markup, fault_rate=0.1)
    assert 40_000 <= len(page.encode()) <= 80_000
    assert page.startswith("<!DOCTYPE html>")
    assert page.rstrip().endswith("</html>")
    ticker, rest = _render(page)
    assert len(truth) == (0 if strip == "none" else 30)
    if strip == "concatenated" and markup != "pretty":
        assert ticker == "".join(q.text for q in truth)
    else:
        assert ticker.split() == " ".join(q.text for q in truth).split()
    if strip == "brecorder":
        assert [" ".join(r.split()) for r in ticker.split("\n") if r.strip()] == [
            q.text for q in truth
        ]
    if markup == "spans" and strip != "none":
        assert "&#9650;" in page or "&#9660;" in page
    assert "▲" not in rest
    assert "▼" not in rest
    for needle in ("<script>", "application/ld+json", "<style>", "<!-- ticker cache", "°C"):
        assert needle in page
    assert page.count("▲") + page.count("▼") > sum(q.text.count("▲") for q in truth) + 5
    assert "&amp;" in page
    assert "%)" in rest


def test_html_page_without_noise_is_small() -> None:
    """noise=False keeps only the strip, the article and the frame of the page."""
    page, truth = html_page(seed=15, noise=False, markup="pretty", entries=5)
    assert "<script" not in page
    assert "<!--" not in page
    assert len(truth) == 5
    assert len(page.encode()) < 20_000


def test_hostile_texts() -> None:
    """Hostile shapes are long runs of one kind of character."""
    texts = hostile_texts(16)
    assert len(texts) >= 5
    assert all(len(t) >= 20_000 for t in texts)
    assert any(set(t) == {"<", "!", "-"} for t in texts)
    assert any(set(t) == {"▲"} for t in texts)
