"""Render an HTML page to the text a browser would show, as edits on the original text.

:func:`render_edits` never builds the rendered text itself: it returns sorted,
non-overlapping edits ``(start, end, replacement)`` on the page, so that a caller can apply
them and still map every rendered character back to its offset in the page.

The rules, for our purpose of reading ticker strips:

* Hidden content contributes no text: ``<script>`` (JSON-LD included), ``<style>``,
  ``<template>``, ``<noscript>``, ``<textarea>``, ``<iframe>``, ``<noembed>``,
  ``<noframes>`` (the whole element, tags included), comments of any length (an
  unterminated comment runs to the end of the page), ``<!DOCTYPE …>``, CDATA sections and
  processing instructions. Hidden regions are found for the whole page with one regular
  expression search per region and ``str.find`` for its end, never per tag.
* Tags are *markup*: a run of tags and the white space around and between them (and hidden
  regions inside the run) becomes a single edit, whose replacement is the strongest break
  in the run: ``"\\n"`` if it holds a block tag (``div``, ``p``, ``li``, ``tr``, ``br``,
  ``h1``-``h6``, ``table``, ``title``, ``body`` …, opening or closing), else ``"\\t"`` if it
  holds a table cell tag (``td``, ``th``), else ``" "`` if it holds any white space, else
  ``""``. So inline elements (``span``, ``b``, ``a``, ``font``, unknown tags …) join their
  text without a space (``<span>AGL</span><span>38.02</span>`` is ``AGL38.02``); a field
  split over source lines (``<span>AIRLINK</span>\\n  <span>61.80</span>``) is
  ``AIRLINK 61.80``; white space between a block tag and text vanishes; cells of a row are
  tab-separated on one line; consecutive block tags give one line break, not blank lines.
* White space inside text (not next to a tag) is collapsed where it holds a tab or a line
  break: the run, with any spaces before it, becomes one space. Runs of plain spaces are left
  as they are (the ticker grammars accept them), and ``<pre>`` is not special.
* Character references are decoded with the standard library (``html.unescape`` semantics),
  ``&lt;`` and ``&amp;`` included; a no-break space becomes a plain space.
* A ``<`` that does not start a tag (``a < b``) is text. Quoted attribute values may hold
  ``>`` (and ``<!--``, ``<script>``). A tag still open at the end of the page shows nothing,
  as in a browser.
* Tag names are matched in lower case, upper case or capitalized (``div``, ``DIV``, ``Div``);
  other mixtures (``dIV``) count as unknown, inline tags, and ``<sCRIPT>`` is not hidden.

``focus=True`` renders only windows of about ±1,500 characters around anchors that mark ticker
text (arrows and their character references, ``%``, ``|``, ``Increased``, ``Decreased``,
``No Change``, ``Unchanged``) found in the visible part of the page; each stretch between
windows becomes one ``"\\n"`` edit. Windows that touch are merged, and an edge never cuts a tag
or a character reference in half. Hidden regions are known for the whole page first, so no
script, style or comment text reaches a window.

Everything is linear in the size of the page: every pattern either always succeeds once it has
started (a tag runs to its ``>`` or to the end) or uses bounded repeats, and every scan moves
forward. ``deadline`` (a :func:`time.monotonic` value) is checked every 32 K characters of
rendering, every 256 hidden regions and every 64 visible stretches.
"""

from __future__ import annotations

import html
import re
import time
from bisect import bisect_right
from collections.abc import Iterable

from ticker_parse.errors import TickerTimeoutError

__all__ = [
    "BLOCK_TAGS",
    "FOCUS_RADIUS",
    "HIDDEN_ELEMENTS",
    "looks_like_html",
    "render_columns",
    "render_edits",
]

Edit = tuple[int, int, str]

#: How far a focus window reaches on each side of an anchor.
FOCUS_RADIUS = 1500

# Break strengths of markup runs, and what each becomes.
_NONE, _SPACE, _CELL, _LINE = 0, 1, 2, 3
_BREAK = ("", " ", "\t", "\n")

#: Tags that start or end a line (``br`` included); ``td``/``th`` separate cells.
BLOCK_TAGS = frozenset(
    (
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "br",
        "caption",
        "center",
        "dd",
        "details",
        "dialog",
        "dir",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "frameset",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "head",
        "header",
        "hgroup",
        "hr",
        "html",
        "legend",
        "li",
        "main",
        "marquee",
        "menu",
        "nav",
        "ol",
        "optgroup",
        "option",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "tfoot",
        "thead",
        "title",
        "tr",
        "ul",
    )
)
#: Elements whose content never shows (the whole element is hidden).
HIDDEN_ELEMENTS = (
    "script",
    "style",
    "template",
    "noscript",
    "textarea",
    "iframe",
    "noembed",
    "noframes",
    "title",  # the tab's title, not page text
)


def _trie(names: Iterable[str]) -> str:
    """A pattern for exactly the given names, shaped as a trie of literals.

    Every alternative starts with a literal character, which the regex engine checks before
    trying it: much faster than a plain alternation or character classes.
    """
    branches: dict[str, list[str]] = {}
    optional = False
    for name in names:
        if name:
            branches.setdefault(name[0], []).append(name[1:])
        else:
            optional = True
    if not branches:
        return ""
    alternatives = [re.escape(c) + _trie(rest) for c, rest in sorted(branches.items())]
    if len(alternatives) == 1 and not optional:
        return alternatives[0]
    return "(?:" + "|".join(alternatives) + ")" + ("?" if optional else "")


def _any_case(names: Iterable[str]) -> list[str]:
    """The names in lower case, in upper case and capitalized (``div``, ``DIV``, ``Div``)."""
    return sorted({form for name in names for form in (name, name.upper(), name.capitalize())})


_WS = r"[ \t\n\f\r]"
_DELIM = r"(?=[\t\n\f\r />])"
# The rest of a tag after its name: up to the first ``>`` outside a quoted attribute value,
# or to the end of the scanned range (an unterminated tag). Possessive throughout: linear.
# Written as "plain run, then (``=value`` or a stray quote, plain run) repeated": the same
# matches as repeating the three alternatives, but one repetition per attribute value
# instead of three, which the engine takes about a tenth faster per tag.
_TAG_REST = r"""[^>"'=]*+(?:(?:=[ \t\n\f\r]*+(?:"[^"]*+"?|'[^']*+'?|)|["'])[^>"'=]*+)*+>?"""
_TAG_NAME = r"[a-zA-Z][^\t\n\f\r />]*+"
_ENTITY_BODY = r"(?:\#[0-9]{1,8};?|\#[xX][0-9a-fA-F]{1,8};?|[a-zA-Z][a-zA-Z0-9]{0,31};?)"

#: One tag (start or end tag), from its ``<``.
_TAG = re.compile(rf"</?{_TAG_NAME}{_TAG_REST}")
_ENTITY = re.compile(rf"&{_ENTITY_BODY}")


_BLOCK_TRIE = _trie(_any_case(BLOCK_TAGS))
_CELL_TRIE = _trie(_any_case(("td", "th")))


def _tag_in_run(n: str) -> str:
    # One tag of a run and the white space after it; ``blk``/``cell`` capture block and cell
    # tag names (a group keeps its last capture, so they tell whether *any* tag of the run
    # was one).
    return (
        rf"</?(?:(?P<blk{n}>{_BLOCK_TRIE}){_DELIM}|(?P<cell{n}>{_CELL_TRIE}){_DELIM}"
        rf"|{_TAG_NAME}){_TAG_REST}(?:(?P<ws{n}>{_WS}++)|)"
    )


#: The tokens of visible text: a run of tags (and white space between and after them), a
#: character reference, or white space holding a tab or a line break. Every alternative starts
#: with a literal character, so the engine skips plain text quickly.
_TOKEN = re.compile(
    _tag_in_run("")
    + rf"(?>(?:{_tag_in_run('2')})*)"
    + rf"|&(?P<ent>{_ENTITY_BODY})"
    + rf"|\n{_WS}*+|\t{_WS}*+|\r{_WS}*+|\f{_WS}*+"
)
_SPACES = re.compile(" +")

_RAW_END = {
    name: re.compile(rf"</{name}(?=[\t\n\f\r />])", re.IGNORECASE) for name in HIDDEN_ELEMENTS
}
#: Where a hidden region starts: ``<!``, ``<?`` or a hidden element's start tag.
_HIDDEN_START = re.compile(rf"<(?:!|\?|(?P<raw>{_trie(_any_case(HIDDEN_ELEMENTS))}){_DELIM})")

#: What marks ticker text for ``focus=True``: the arrows and their character references
#: (``&#9650; &#9660; &#x25b2; &#x25bc;``, any case), ``%``, ``|``, ``Increased``,
#: ``Decreased``, ``No Change``, ``Unchanged``. Looked for as these needles, hits checked.
_ANCHOR_NEEDLES = ("▲", "▼", "%", "|", "&", "creased", "hange")  # the arrows first

_HTML_HINT = re.compile(
    r"<(?:(?P<strong>!doctype|html|body)"
    # text formatting alone (``Note: <b>closing</b> figures``) does not make a page
    r"|/?(?P<weak>b|i|u|em|strong|font|small|sup|sub|abbr|mark)"
    r"|/?(?:"
    r"head|div|span|p|br|td|tr|th|table|tbody|thead|li|ul|ol|a|img|meta|"
    r"link|script|style|section|article|header|footer|nav|aside|main|h[1-6]|marquee|label|"
    r"hr|form|input|button|iframe|title|center|select|option"
    r"))(?=[\t\n\f\r />])",
    re.IGNORECASE,
)
# Tags looked at, at most, before deciding a text is not HTML.
_HINTS_LOOKED_AT = 64

# How many characters of rendering between two looks at the clock.
_CHECK_SPAN = 32_768

_entity_cache: dict[str, str] = {}


def looks_like_html(text: str) -> bool:
    """Whether ``text`` holds HTML markup: a doctype, ``<html``/``<body``, two real tags, or
    a whole comment (``<!-- ... -->``: a capture that is only a comment is still a page; a
    text with a stray ``<!--`` is not).

    A stray ``<`` (``a < b``, ``x<y``) does not count. At most two matches are looked at.
    """
    comment = text.find("<!--")
    if comment >= 0 and text.find("-->", comment + 4) >= 0:
        return True
    seen = 0
    for looked, m in enumerate(_HTML_HINT.finditer(text), 1):
        if m.group("strong") is not None:
            return True
        seen += m.group("weak") is None
        if seen >= 2:
            return True
        if looked >= _HINTS_LOOKED_AT:
            break
    return False


def _decode(body: str) -> str:
    decoded = _entity_cache.get(body)
    if decoded is None:
        decoded = html.unescape("&" + body).replace("\xa0", " ")
        if len(_entity_cache) < 4096:
            _entity_cache[body] = decoded
    return decoded


def _timeout(where: str, pos: int, n: int) -> TickerTimeoutError:
    return TickerTimeoutError(
        f"HTML rendering ran past its deadline while {where}, at offset {pos:,} of {n:,}"
    )


#: How many ``<`` before a hidden region's start are tried as the tag it may sit in.
_TAG_LOOKBACK = 8


def _inside_tag(text: str, lo: int, at: int) -> int:
    """The end of the tag that holds position ``at`` in an attribute value, or 0: a tag
    starting at one of the last few ``<`` between ``lo`` and ``at``."""
    end = at
    for _ in range(_TAG_LOOKBACK):
        lt = text.rfind("<", lo, end)
        if lt < 0:
            return 0
        tag = _TAG.match(text, lt)
        if tag is not None and tag.end() > at:
            return tag.end()
        end = lt
    return 0


def _hidden_regions(text: str, deadline: float | None) -> list[tuple[int, int]]:
    """Sorted, disjoint ``(start, end)`` of every hidden region of the page.

    One regular expression search (literal prefix ``<``) finds where each region starts, one
    more search or ``str.find`` where it ends; nothing is done per ordinary tag.
    """
    n = len(text)
    regions: list[tuple[int, int]] = []
    search = _HIDDEN_START.search
    pos = 0
    count = 0
    while pos < n:
        m = search(text, pos)
        if m is None:
            break
        start = m.start()
        count += 1
        if deadline is not None and not count & 255 and time.monotonic() > deadline:
            raise _timeout("looking for scripts, styles and comments", start, n)
        # Inside an earlier tag's attribute (``<a title="<!--">``)? Then it is not markup.
        # The tag may hold other ``<`` in its attributes (``data-a="1<2"``): look back
        # over a few.
        inside = _inside_tag(text, pos, start)
        if inside:
            pos = inside
            continue
        kind = text[start + 1]
        if kind == "!":  # <!-- comment -->, <!DOCTYPE …>, <![CDATA[ … ]]>
            if text.startswith("--", start + 2):
                if text.startswith(">", start + 4):  # <!--> is a whole (empty) comment
                    end = start + 5
                elif text.startswith("->", start + 4):  # and so is <!--->
                    end = start + 6
                else:  # ends at --> (or --!>, as in a browser)
                    j = text.find("-->", start + 4)
                    k = text.find("--!>", start + 4, n if j < 0 else j)
                    end = k + 4 if k >= 0 else n if j < 0 else j + 3
            elif text.startswith("[CDATA[", start + 2):
                j = text.find("]]>", start + 9)
                end = n if j < 0 else j + 3
            else:
                j = text.find(">", start + 2)
                end = n if j < 0 else j + 1
        elif kind == "?":  # <?processing instruction>
            j = text.find(">", start + 2)
            end = n if j < 0 else j + 1
        else:  # <script …> … </script>: the whole element
            close = _RAW_END[m.group("raw").lower()].search(text, m.end())
            if close is None:
                end = n
            else:
                j = text.find(">", close.end())
                end = n if j < 0 else j + 1
        regions.append((start, end))
        pos = end
    return regions


def _pieces(hidden: list[tuple[int, int]], lo: int, hi: int) -> list[tuple[int, int, bool]]:
    """``[lo, hi)`` cut into pieces ``(start, end, visible)``; hidden pieces are clipped."""
    pieces: list[tuple[int, int, bool]] = []
    i = max(0, bisect_right(hidden, (lo, lo)) - 1)  # the region holding lo, if any
    pos = lo
    for j in range(i, len(hidden)):
        hs, he = hidden[j]
        if hs >= hi:
            break
        if he <= pos:
            continue
        if hs > pos:
            pieces.append((pos, hs, True))
            pos = hs
        end = min(he, hi)
        pieces.append((pos, end, False))
        pos = end
    if pos < hi:
        pieces.append((pos, hi, True))
    return pieces


def _anchors(text: str, hidden: list[tuple[int, int]], deadline: float | None) -> list[int]:
    """Sorted positions of the anchors in the visible part of the page.

    Found with ``str.find`` in each visible stretch (hidden regions are never scanned): single
    characters (``▲ ▼ % | &``) and two word pieces (``creased``, ``hange``), each hit of ``&``
    and of the word pieces then checked.
    """
    n = len(text)
    found: list[int] = []
    append = found.append
    find = text.find
    startswith = text.startswith
    needles = _ANCHOR_NEEDLES[2:] if text.isascii() else _ANCHOR_NEEDLES
    count = 0
    for a, b, visible in _pieces(hidden, 0, n):
        if not visible:
            continue
        if deadline is not None:
            count += 1
            if not count & 63 and time.monotonic() > deadline:
                raise _timeout("looking for ticker anchors", a, n)
        for needle in needles:
            p = find(needle, a, b)
            while p >= 0:
                if needle == "&":
                    if startswith("&#", p) and (
                        startswith(("9650", "9660"), p + 2)
                        or text[p + 2 : p + 7].lower() in ("x25b2", "x25bc")
                    ):
                        append(p)
                elif needle == "creased":  # Increased, Decreased
                    if text[p - 2 : p] in ("In", "De"):
                        append(p - 2)
                elif needle == "hange":  # No Change, Unchanged
                    if startswith("No C", p - 4):
                        append(p - 4)
                    elif startswith("Unc", p - 3) and startswith("d", p + 5):
                        append(p - 3)
                else:
                    append(p)
                p = find(needle, p + 1, b)
    found.sort()
    return found


def _safe_edge(text: str, x: int, lo: int, is_start: bool) -> int:
    """Move a window edge ``x`` so that it cuts no tag and no character reference.

    A window start moves back to the start of the tag or reference it cuts; a window end moves
    on to the end of the tag (back to its start if the tag does not close within 16 KB) or of
    the reference.
    """
    lt = text.rfind("<", max(lo, x - 8192), x)
    if lt >= 0:
        tag = _TAG.match(text, lt, min(len(text), lt + 16384))
        if tag is not None and tag.end() > x:
            if is_start:
                return lt
            return tag.end() if text[tag.end() - 1] == ">" else lt
    amp = text.rfind("&", max(lo, x - 34), x)
    if amp >= 0:
        ref = _ENTITY.match(text, amp)
        if ref is not None and ref.end() > x:
            return amp if is_start else ref.end()
    return x


def _windows(text: str, anchors: list[int]) -> list[tuple[int, int]]:
    """Merged windows of about ``FOCUS_RADIUS`` around the anchors, cutting no tag."""
    n = len(text)
    rough: list[list[int]] = []
    for p in anchors:
        if rough and p - FOCUS_RADIUS <= rough[-1][1]:
            rough[-1][1] = p + FOCUS_RADIUS
        else:
            rough.append([p - FOCUS_RADIUS, p + FOCUS_RADIUS])
    windows: list[tuple[int, int]] = []
    for s, e in rough:
        s = _safe_edge(text, max(0, s), 0, True)
        e = _safe_edge(text, min(n, e), s, False)
        if windows and s <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(e, windows[-1][1]))
        else:
            windows.append((s, e))
    return windows


def render_edits(text: str, *, focus: bool = False, deadline: float | None = None) -> list[Edit]:
    """The edits that turn the HTML page ``text`` into the text a browser shows.

    Returns sorted, non-overlapping ``(start, end, replacement)``; replacing each
    ``text[start:end]`` by its replacement gives the rendered text, and everything outside the
    edits is kept as is. See the module documentation for the rules. ``focus=True`` renders
    only windows around ticker anchors (each stretch between windows becomes ``"\\n"``).
    ``deadline`` is a :func:`time.monotonic` value; past it, :class:`TickerTimeoutError` is
    raised.
    """
    starts, ends, news = render_columns(text, focus=focus, deadline=deadline)
    return list(zip(starts, ends, news, strict=True))


def render_columns(
    text: str, *, focus: bool = False, deadline: float | None = None
) -> tuple[list[int], list[int], list[str]]:
    """The edits of :func:`render_edits` as three parallel lists: starts, ends and
    replacements (what a caller building arrays wants, without a tuple per edit)."""
    n = len(text)
    if deadline is not None and time.monotonic() > deadline:
        raise _timeout("starting", 0, n)
    hidden = _hidden_regions(text, deadline)
    windows = _windows(text, _anchors(text, hidden, deadline)) if focus else [(0, n)]

    starts: list[int] = []
    ends: list[int] = []
    news: list[str] = []
    add_start = starts.append
    add_end = ends.append
    add_new = news.append
    breaks = _BREAK
    decode = _decode
    finditer = _TOKEN.finditer
    # The markup run being built: text[run_start:run_end] becomes breaks[run_break]. A run of
    # one character that already is its replacement is no edit.
    run_start = run_end = -1
    run_break = _NONE
    # Where to look at the clock next (never, without a deadline).
    check_at = n + 1 if deadline is None else _CHECK_SPAN
    prev_end = 0
    windows.append((n, n))  # a sentinel, for the stretch after the last window
    for w_start, w_end in windows:
        if w_start > prev_end:  # a stretch between windows: one line break
            if run_end != prev_end:
                if run_start >= 0 and (
                    run_end - run_start != 1 or text[run_start] != breaks[run_break]
                ):
                    add_start(run_start)
                    add_end(run_end)
                    add_new(breaks[run_break])
                run_start = prev_end
            run_end = w_start
            run_break = _LINE
        prev_end = w_end
        for a, b, visible in _pieces(hidden, w_start, w_end):
            if not visible:  # a hidden region: markup that breaks nothing
                if run_end != a:
                    if run_start >= 0 and (
                        run_end - run_start != 1 or text[run_start] != breaks[run_break]
                    ):
                        add_start(run_start)
                        add_end(run_end)
                        add_new(breaks[run_break])
                    lo = w_start if run_end < w_start else run_end
                    run_start, run_break = a, _NONE
                    while run_start > lo and text[run_start - 1] == " ":
                        run_start -= 1  # the spaces before it join it
                        run_break = _SPACE
                run_end = b
                continue
            if run_end == a and text[a] == " ":  # spaces after a run join it
                a = run_end = _SPACES.match(text, a, b).end()  # type: ignore[union-attr]
                if run_break == _NONE:
                    run_break = _SPACE
            for m in finditer(text, a, b):
                s, e = m.span()
                if e > check_at:
                    if time.monotonic() > deadline:  # type: ignore[operator]
                        raise _timeout("rendering", s, n)
                    check_at = e + _CHECK_SPAN
                blk, cell, ws, blk2, cell2, ws2, ent = m.groups()
                if ent is not None:
                    decoded = decode(ent)
                    if decoded != text[s:e]:
                        if run_start >= 0:
                            if run_end - run_start != 1 or text[run_start] != breaks[run_break]:
                                add_start(run_start)
                                add_end(run_end)
                                add_new(breaks[run_break])
                            run_start = run_end = -1
                        add_start(s)
                        add_end(e)
                        add_new(decoded)
                    continue
                if blk is not None or blk2 is not None:
                    k = _LINE
                elif cell is not None or cell2 is not None:
                    k = _CELL
                elif ws is not None or ws2 is not None or text[s] != "<":
                    k = _SPACE
                else:
                    k = _NONE
                if s == run_end:
                    run_end = e
                    if k > run_break:
                        run_break = k
                    continue
                lo = a if run_end < a else run_end
                if run_start >= 0 and (
                    run_end - run_start != 1 or text[run_start] != breaks[run_break]
                ):
                    add_start(run_start)
                    add_end(run_end)
                    add_new(breaks[run_break])
                run_start, run_end, run_break = s, e, k
                if s > lo and text[s - 1] == " ":  # spaces before a run join it
                    while run_start > lo and text[run_start - 1] == " ":
                        run_start -= 1
                    if k == _NONE:
                        run_break = _SPACE
    if run_start >= 0 and (run_end - run_start != 1 or text[run_start] != breaks[run_break]):
        add_start(run_start)
        add_end(run_end)
        add_new(breaks[run_break])
    return starts, ends, news
