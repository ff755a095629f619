"""ticker_parse.markup: an HTML page rendered to the text a browser shows, as edits.

Each case reads as a rule of the renderer: the page on the left, the text a reader of the
rendered page sees on the right.
"""

from __future__ import annotations

import contextlib
import json
import random
import time

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ticker_parse.errors import TickerTimeoutError
from ticker_parse.grammar import _ODD_CHARS, NEEDS_NORMALIZING, NEEDS_NORMALIZING_RE2
from ticker_parse.markup import FOCUS_RADIUS, looks_like_html, render_edits
from ticker_parse.normalize import _CHAR_MAP, _RE2_SEARCH_FROM, needs_normalizing, normalize


def apply_edits(text: str, edits: list[tuple[int, int, str]]) -> str:
    """Replace each ``text[start:end]`` by its replacement; check the edits on the way."""
    pieces: list[str] = []
    last = 0
    for start, end, replacement in edits:
        assert last <= start <= end <= len(text), (last, start, end, len(text))
        pieces.append(text[last:start])
        pieces.append(replacement)
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


def render(html: str, *, focus: bool = False) -> str:
    return apply_edits(html, render_edits(html, focus=focus))


# --- the rules, one case each ------------------------------------------------------------

CASES: list[tuple[str, str, str]] = [
    # inline elements join their text without a space
    ("spans per field", "<span>AGL</span><span>38.02</span>", "AGL38.02"),
    (
        "Pakistan Observer strip",
        '<div class="ticker"><span>AGL</span><span>38.02</span><span>&#9650;</span> '
        "<span>0.08</span> <span>(0.21%)</span></div>",
        "\nAGL38.02▲ 0.08 (0.21%)\n",
    ),
    ("inline tags of all kinds", "<b>A</b><i>G</i><font color=red>L</font><em>1</em>", "AGL1"),
    ("unknown tags are inline", "<x-price>38.02</x-price><foo>%</foo>", "38.02%"),
    ("space between inline tags is kept", "<span>AGL</span> <span>38.02</span>", "AGL 38.02"),
    # pretty-printed source: a field split over source lines is one space
    (
        "pretty-printed Business Recorder row",
        '<div class="row">\n  <span>AIRLINK</span>\n  <span>61.80</span>\n'
        "  <span>Increased By</span>\n  <span>▲</span>\n  <span>1.37</span>\n"
        "  <span>(2.27%)</span>\n</div>",
        "\nAIRLINK 61.80 Increased By ▲ 1.37 (2.27%)\n",
    ),
    ("line break inside text", "<p>Increased\n    By</p>", "\nIncreased By\n"),
    ("tab and spaces before a line end", "A \t\n  B", "A B"),
    ("double space in text is left alone", "A  B", "A  B"),
    # block elements and <br> break lines; consecutive ones give one break
    ("paragraphs", "<p>A</p><p>B</p>", "\nA\nB\n"),
    ("list items", "<ul>\n  <li>A</li>\n  <li>B</li>\n</ul>", "\nA\nB\n"),
    ("headings and sections", "<section><h2>Top</h2><article>A</article></section>", "\nTop\nA\n"),
    ("br in its spellings", "A<br>B<br/>C<BR />D<br\n>E", "A\nB\nC\nD\nE"),
    ("marquee", "x<marquee>AGL 1</marquee>y", "x\nAGL 1\ny"),
    ("space next to a block tag vanishes", "A <div> B </div> C", "A\nB\nC"),
    # table cells: a tab between cells, rows on their own lines
    (
        "table cells",
        "<table>\n<tr>\n  <td>AGL</td>\n  <td>38.02</td>\n</tr>\n"
        "<tr><th>PSO</th><td>1.5</td></tr>\n</table>",
        "\nAGL\t38.02\nPSO\t1.5\n",
    ),
    # hidden content: nothing at all, tags included
    ("script", 'AGL<script>var s = "<span>X</span> 5%";</script>38.02', "AGL38.02"),
    (
        "JSON-LD",
        '<script type="application/ld+json">{"headline": "AGL 38.02 ▲ 0.08 (0.21%)"}</script>'
        "<p>x</p>",
        "\nx\n",
    ),
    ("style", "<style>.up { width: 100% }</style>A", "A"),
    ("template", "<template><span>AGL 1.0</span></template>A", "A"),
    ("noscript", "<noscript><p>Enable JS</p></noscript>A", "A"),
    ("textarea", "<textarea>AGL 1.0</textarea>A", "A"),
    ("iframe", '<iframe src="x">fallback</iframe>A', "A"),
    ("mixed-case script", "<SCRIPT>x</SCRIPT>A<Script>y</Script>B", "AB"),
    ("end tag inside a script string", '<script>s = "</scr" + "ipt>";</script>A', "A"),
    ("script-like names are not scripts", "<scripts>A</scripts><styled>B</styled>", "AB"),
    ("unterminated script hides the rest", "A<script>var x = 1; B C", "A"),
    ("comment", "AGL<!-- 38.02 ▲ -->38.02", "AGL38.02"),
    ("comment of 30,000 characters", "AGL<!--" + "x <b>y</b> " * 2727 + "-->38.02", "AGL38.02"),
    ("unterminated comment runs to the end", "AGL 1.0<!-- PSO 2.0 ▲ 0.1 (5%)", "AGL 1.0"),
    ("empty comments", "<!-->A<!--->B", "AB"),
    ("space around a comment collapses", "A <!-- c --> B", "A B"),
    ("doctype", "<!DOCTYPE html>A", "A"),
    ("CDATA", "<![CDATA[AGL 1.0]]>A", "A"),
    ("processing instruction", '<?xml version="1.0"?>A', "A"),
    ("a comment ended by --!>", "<!-- x --!>A", "A"),
    ("'<' in one attribute, '<!--' in the next", '<p data-a="1<2" data-b="<!--">A</p>B', "\nA\nB"),
    ("the title is not page text", "<head><title>AGL38.02▲ 0.08 (0.21%)</title></head>A", "\nA"),
    # character references
    ("&amp;", "S&amp;P500", "S&P500"),
    ("decimal reference", "&#9650; &#9660;", "▲ ▼"),
    ("hex references, any case", "&#x25BC; &#x25b2; &#X25B2;", "▼ ▲ ▲"),
    ("named references", "&nbsp;A&copy;&euro;&hellip;", " A©€…"),
    ("&lt; and &gt; become the characters", "&lt;b&gt;", "<b>"),
    ("legacy reference without semicolon", "&copy 2024 &amp more", "© 2024 & more"),
    ("unknown reference stays", "&zzz; & x &#;", "&zzz; & x &#;"),
    # tags and attributes
    ("attribute holding >", "<a title=\"x > y\" href='a>b'>AGL</a>", "AGL"),
    ("attribute holding a comment start", '<a title="<!--">A</a>B', "AB"),
    ("attribute holding a script tag", '<a data-x="<script>">A</a>B', "AB"),
    ("unquoted attributes", "<font color=red size=2>A</font>", "A"),
    ("uppercase tags", "<DIV><SPAN>AGL</SPAN><SPAN>38.02</SPAN></DIV>", "\nAGL38.02\n"),
    ("self-closing tags", '<span/>A<img src="x.png"/>B<br/>C', "AB\nC"),
    ("stray <", "a < b and 1 <2", "a < b and 1 <2"),
    ("a tag left open at the end shows nothing", "AGL<span class='x", "AGL"),
    ("plain text is left alone", "AGL38.02▲ 0.08 (0.21%)", "AGL38.02▲ 0.08 (0.21%)"),
    ("empty page", "", ""),
]


@pytest.mark.parametrize(("html", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rendering(html: str, expected: str) -> None:
    assert render(html) == expected


@pytest.mark.parametrize(("html", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_edits_are_minimal_and_sorted(html: str, expected: str) -> None:
    """Edits are sorted and disjoint, and none replaces a stretch by the same text."""
    edits = render_edits(html)
    ends = [0]
    for start, end, replacement in edits:
        assert start >= ends[-1]
        assert html[start:end] != replacement
        ends.append(end)


def test_everything_outside_edits_is_kept() -> None:
    html = "<p>AGL  38.02</p>"
    edits = render_edits(html)
    assert [(s, e) for s, e, _ in edits] == [(0, 3), (13, 17)]


# --- looks_like_html -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "<!DOCTYPE html><p>x</p>",
        "<html>",
        "<BODY onload=x>",
        "<div><span>AGL</span></div>",
        '<span class="x">AGL</span>',
        "AGL 1.0<br>PSO 2.0<br>",
        "<td>AGL</td>",
        "<!-- a cached strip --> AGL38.02▲ 0.08 (0.21%)",
    ],
)
def test_looks_like_html(text: str) -> None:
    assert looks_like_html(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "AGL38.02▲ 0.08 (0.21%)AIRLINK197.36▲ 3.45 (1.78%)",
        "a < b and c > d",
        "x<y and y>z",
        "<3 <3 <3",
        "one tag only: <br>",
        "<<<<<<<<",
        "<spanner> <divide>",
        "AGL38.02▲ 0.08 (0.21%) <!-- a stray comment opener in a text dump",
    ],
)
def test_does_not_look_like_html(text: str) -> None:
    assert not looks_like_html(text)


# --- a generated news page -------------------------------------------------------------


def make_page(seed: int = 0, entries: int = 30, size: int = 60_000) -> tuple[str, list[str]]:
    """A news page of about ``size`` characters, and the ticker lines it should render to.

    Like the pages the scrapers fetch: a head full of meta and link tags, JavaScript and JSON-LD
    scripts (with ``%``, ``|`` and ``<`` in them), a style sheet, a menu of 100 links, a glued
    Observer-style strip, a pretty-printed Business Recorder block, an article and a footer.
    """
    rng = random.Random(seed)
    words = [
        "market",
        "index",
        "shares",
        "trading",
        "session",
        "investors",
        "rose",
        "fell",
        "points",
        "volume",
    ]

    def sentence(n: int) -> str:
        return " ".join(rng.choice(words) for _ in range(n))

    def symbol() -> str:
        return "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(rng.randint(3, 7)))

    js = "".join(f"  var x{i} = a{i} < b ? '<div>' + c : d || e; // 100%\n" for i in range(80))
    ld = json.dumps({"@type": "NewsArticle", "headline": "KSE ▲ 2%", "body": sentence(400)})
    parts = [
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n',
        "<title>Markets | News</title>\n",
    ]
    for i in range(25):
        parts.append(f'<meta name="m{i}" content="{sentence(8)}">\n')
        parts.append(f'<link rel="stylesheet" href="/css/s{i}.css?v=1.{i}" media="all">\n')
    parts.append(f'<script type="text/javascript">\n{js}</script>\n')
    parts.append(f'<script type="application/ld+json">{ld}</script>\n')
    parts.append("<style>\n")
    parts.extend(f".c{i} {{ width: {i}%; color: #{i:06x}; }}\n" for i in range(120))
    parts.append("</style>\n</head>\n<body>\n<!-- header -->\n<header><nav><ul>\n")
    for i in range(100):
        parts.append(
            f'  <li class="menu-item menu-item-{i}"><a href="https://example.com/c/{i}/" '
            f'title="{rng.choice(words)}">{rng.choice(words).title()} {i}</a></li>\n'
        )
    parts.append('</ul></nav></header>\n<div class="ticker-wrap"><marquee class="ticker">')
    strip = []
    for _ in range(entries):
        price = rng.uniform(5, 500)
        change = rng.uniform(-5, 5)
        arrow, char = ("&#9650;", "▲") if change >= 0 else ("&#x25BC;", "▼")
        sym = symbol()
        pct = f"({abs(change) / price * 100:.2f}%)"
        parts.append(
            f'<span class="sym">{sym}</span><span class="price">{price:.2f}</span>'
            f'<span class="arr">{arrow}</span> <span class="ch">{abs(change):.2f}</span> '
            f'<span class="pct">{pct}</span>'
        )
        strip.append(f"{sym}{price:.2f}{char} {abs(change):.2f} {pct}")
    lines = ["".join(strip)]
    parts.append("</marquee></div>\n")
    parts.append("<main><article>\n<h1>Stocks close higher</h1>\n<!--FILLER-->")
    parts.append('<div class="br-rates">\n')
    for _ in range(10):
        sym, price, change = symbol(), rng.uniform(5, 500), rng.uniform(0.01, 5)
        pct = f"({change / price * 100:.2f}%)"
        parts.append(
            f'  <div class="row">\n    <span>{sym}</span>\n    <span>{price:.2f}</span>\n'
            f"    <span>Increased By</span>\n    <span>&#9650;</span>\n"
            f"    <span>{change:.2f}</span>\n    <span>{pct}</span>\n  </div>\n"
        )
        lines.append(f"{sym} {price:.2f} Increased By ▲ {change:.2f} {pct}")
    parts.append("</div>\n</article></main>\n<footer>\n")
    parts.extend(f'<div class="f"><a href="/f/{i}">Footer link {i}</a></div>\n' for i in range(40))
    parts.append(f"<script>\n{js * 3}</script>\n</footer>\n</body>\n</html>\n")
    page = "".join(parts)
    filler: list[str] = []
    while len(page) + sum(len(p) for p in filler) < size:
        filler.append(f"<p>{sentence(60)} &amp; more.</p>\n")
    return page.replace("<!--FILLER-->", "".join(filler)), lines


def rendered_lines(text: str) -> list[str]:
    return [line for line in text.split("\n") if line.strip()]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_page_renders_its_ticker_lines(seed: int) -> None:
    page, lines = make_page(seed)
    shown = rendered_lines(render(page))
    for line in lines:
        assert line in shown
    assert not any("var x" in line or "width:" in line or "@type" in line for line in shown)
    assert "Markets | News" not in shown  # the title
    assert "Footer link 39" in shown


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_focus_renders_the_same_ticker_lines(seed: int) -> None:
    page, lines = make_page(seed)
    full = rendered_lines(render(page))
    focused = rendered_lines(render(page, focus=True))
    for line in lines:
        assert line in focused
    # focus mode shows pieces of the full render, cut at most at the window edges
    whole = "\n".join(full)
    for line in focused:
        assert line.strip() in whole
    assert len("\n".join(focused)) < len("\n".join(full)) / 2


def test_focus_replaces_each_stretch_between_windows_by_one_line_break() -> None:
    far = "<p>" + "plain words " * 1000 + "</p>"
    page = f"{far}<div>AGL38.02▲ 0.08 (0.21%)</div>{far}<div>PSO 1.0 (5%)</div>{far}"
    edits = render_edits(page, focus=True)
    gaps = [e for e in edits if e[2] == "\n" and e[1] - e[0] > 2 * FOCUS_RADIUS]
    assert len(gaps) == 3
    text = render(page, focus=True)
    assert "AGL38.02▲ 0.08 (0.21%)" in text
    assert "PSO 1.0 (5%)" in text
    assert len(text) < 4 * (2 * FOCUS_RADIUS + 100)


def test_focus_ignores_anchors_in_hidden_content() -> None:
    page = (
        "<style>" + ".a { width: 50%; }\n" * 500 + "</style>"
        "<script>" + "x = a || b; // 10% ▲\n" * 500 + "</script>"
        "<!--" + " Increased ▲ " * 500 + "-->"
        "<p>" + "nothing to see " * 500 + "</p>"
    )
    assert render_edits(page, focus=True) == [(0, len(page), "\n")]


def test_focus_never_lets_hidden_content_into_a_window() -> None:
    secret = "SECRET 1.0 ▲ 0.1 (2%)"
    page = (
        f"<script>var s = '{secret}';</script><div>AGL38.02▲ 0.08 (0.21%)</div>"
        f"<!-- {secret} --><style>/* {secret} */</style><template>{secret}</template>"
    )
    text = render(page, focus=True)
    assert "AGL38.02▲ 0.08 (0.21%)" in text
    assert "SECRET" not in text


def test_focus_windows_never_cut_a_tag() -> None:
    long_tag = '<span title="' + "t" * 3000 + '">Z</span>'
    for pad in range(0, 3000, 97):
        page = long_tag + "x" * pad + "<b>AGL 1.0 (5%)</b>" + "y" * pad + long_tag
        text = render(page, focus=True)
        assert "AGL 1.0 (5%)" in text
        assert "title=" not in text
        assert "ttt" not in text


def test_focus_windows_never_cut_a_character_reference() -> None:
    for pad in range(FOCUS_RADIUS - 12, FOCUS_RADIUS + 12):
        page = "&#9650;" + "x" * pad + "(5%)" + "y" * pad + "&#9660;"
        text = render(page, focus=True)
        assert "#96" not in text


def test_focus_without_anchors_is_one_line_break() -> None:
    assert render_edits("<p>hello</p>", focus=True) == [(0, 12, "\n")]
    assert render_edits("", focus=True) == []


# --- properties on tag soup ---------------------------------------------------------------

SOUP = st.lists(
    st.sampled_from(
        [
            "<",
            ">",
            "</",
            "/>",
            "<span>",
            "</span>",
            "<div class='a>b'>",
            "</div>",
            "<td>",
            "<br>",
            "<!--",
            "-->",
            "<!",
            "<?",
            "<script>",
            "</script>",
            "<STYLE>",
            "&amp;",
            "&#9650;",
            "&#x25bc",
            "&",
            "#",
            '"',
            "'",
            "=",
            " ",
            "  ",
            "\n",
            "\t",
            "AGL",
            "38.02",
            "▲",
            "%",
            "|",
            "Increased",
            "x" * 40,
        ]
    )
    | st.text(max_size=5),
    max_size=60,
).map("".join)


def check_edits(text: str, edits: list[tuple[int, int, str]]) -> None:
    last = 0
    for start, end, replacement in edits:
        assert isinstance(replacement, str)
        assert last <= start <= end <= len(text)
        assert start < end or replacement  # no empty no-op edits
        last = end


@given(SOUP)
def test_tag_soup_gives_valid_deterministic_edits(text: str) -> None:
    edits = render_edits(text)
    check_edits(text, edits)
    assert render_edits(text) == edits
    focused = render_edits(text, focus=True)
    check_edits(text, focused)
    assert render_edits(text, focus=True) == focused


@given(SOUP, SOUP)
def test_text_after_a_closed_element_renders_the_same(before: str, after: str) -> None:
    """Whatever precedes a closed element cannot change how plain text after it renders."""
    tail = "<p>AGL 38.02</p>"
    for prefix in ("", "<div>x</div>", "<script>" + before.replace("</", "") + "</script>"):
        assert render(prefix + tail).endswith("AGL 38.02\n")


@given(st.text(alphabet="<>/!-?&#;= \n\"'abpsrcit", max_size=80))
def test_small_alphabet_soup(text: str) -> None:
    check_edits(text, render_edits(text))
    check_edits(text, render_edits(text, focus=True))


# --- hostile input: linear time, and the deadline -----------------------------------------

HOSTILE = {
    "400 KB of comment starts": "<!--" * 100_000,
    "a million <": "<" * 1_000_000,
    "< and letters": "<a" * 100_000,
    "unterminated quoted attributes": '<a title="' * 40_000,
    "quote soup": "<a \"'=" * 40_000,
    "a 1 MB attribute": '<a title="' + "x" * 1_000_000 + '">AGL</a>',
    "deeply nested spans": "<span>" * 40_000 + "AGL" + "</span>" * 40_000,
    "ampersands": "&" * 200_000,
    "references": "&amp" * 50_000,
    "script starts": "<script>" * 50_000,
    "end tags": "</" * 200_000,
    "bangs": "<!" * 200_000,
    "anchors everywhere": "%|" * 100_000,
    "spaces and newlines": " \n" * 200_000,
    "spaces before a comment": "x" + " " * 200_000 + "<!---->",
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_input_completes_quickly(name: str) -> None:
    text = HOSTILE[name]
    for focus in (False, True):
        started = time.monotonic()
        check_edits(text, render_edits(text, focus=focus))
        assert time.monotonic() - started < 2.0, (name, focus)


def test_deadline_on_comment_soup() -> None:
    started = time.monotonic()
    with contextlib.suppress(TickerTimeoutError):
        render_edits("<!--" * 100_000, deadline=time.monotonic() + 0.05)
    assert time.monotonic() - started < 1.0


def test_deadline_raises_and_says_how_far_it_got() -> None:
    text = "<span>A</span>" * 200_000
    with pytest.raises(TickerTimeoutError, match=r"offset [\d,]+ of 2,800,000"):
        render_edits(text, deadline=time.monotonic() + 0.01)


def test_deadline_already_past() -> None:
    with pytest.raises(TickerTimeoutError):
        render_edits("<p>x</p>", deadline=time.monotonic() - 1)


def test_a_generous_deadline_changes_nothing() -> None:
    page, _ = make_page()
    assert render_edits(page, deadline=time.monotonic() + 60) == render_edits(page)
    focused = render_edits(page, focus=True, deadline=time.monotonic() + 60)
    assert focused == render_edits(page, focus=True)


# --- speed ------------------------------------------------------------------------------


def benchmark(rounds: int = 200) -> dict[str, float]:
    """Milliseconds per call on a generated 60 KB page (best of 5 batches); not a test.

    Run with ``python -c "from tests.test_markup import benchmark; print(benchmark())"``.
    """
    page, _ = make_page()
    result: dict[str, float] = {"page_kb": len(page) / 1000}
    for name, focus in (("focus_ms", True), ("full_ms", False)):
        best = float("inf")
        for _ in range(5):
            started = time.perf_counter()
            for _ in range(rounds):
                render_edits(page, focus=focus)
            best = min(best, (time.perf_counter() - started) / rounds)
        result[name] = best * 1000
    return result


def test_speed_sanity() -> None:
    """Generous bounds (the targets are 0.5 ms and 3 ms): catches a slow path, not jitter."""
    timings = benchmark(rounds=5)
    assert timings["focus_ms"] < 10
    assert timings["full_ms"] < 30


def test_every_character_the_quick_check_finds_has_a_replacement() -> None:
    """The fold step's character class and its table agree: nothing found goes unfolded."""
    found = [chr(c) for lo, hi in _ODD_CHARS for c in range(lo, hi + 1)]
    assert [c for c in found if c not in _CHAR_MAP] == []
    assert normalize("".join(found)).text == "".join(_CHAR_MAP[c] for c in found)


def test_the_quick_check_finds_the_same_characters_in_re2_and_re() -> None:
    """A big text is searched by RE2 (``NEEDS_NORMALIZING_RE2``), a small one by ``re``:
    both find exactly the same characters, every one of the Basic Multilingual Plane."""
    chars = [chr(c) for c in range(0x10000) if not 0xD800 <= c <= 0xDFFF]
    by_re2 = pc.match_substring_regex(pa.array(chars), NEEDS_NORMALIZING_RE2).to_pylist()
    assert by_re2 == [NEEDS_NORMALIZING.search(c) is not None for c in chars]
    assert sum(by_re2) == 4 + sum(hi - lo + 1 for lo, hi in _ODD_CHARS)  # & â Â \r
    big = "AGL38.02▲ 0.08 (0.21%)" * (_RE2_SEARCH_FROM // 20)
    for odd, found in (("", False), ("\u2212", True), ("&amp;", True), ("\ud800", False)):
        # (a lone surrogate is no UTF-8: ``re`` searches that text)
        assert needs_normalizing(big + odd) is found, repr(odd)
        assert (normalize(big + odd).text != big + odd) is found, repr(odd)
