"""parse(): the records path, its options, errors and the residue accounting."""

from __future__ import annotations

import itertools

import pytest

import ticker_parse
from ticker_parse import (
    Dialect,
    ParseResult,
    ResidueReason,
    TickerParseError,
    TickerTimeoutError,
    TickerValidationError,
    UnknownDialectError,
)


def covered(result: ParseResult) -> str:
    """The input with every quote and residue span blanked out: only white space is left."""
    chars = list(result.text)
    spans = [(q.start, q.end) for q in result.quotes] + [(r.start, r.end) for r in result.residue]
    for start, end in spans:
        for i in range(start, end):
            chars[i] = " "
    return "".join(chars)


def test_empty_text_gives_an_empty_result() -> None:
    """No text, no quotes, no residue."""
    result = ticker_parse.parse("")
    assert (result.quotes, result.residue, result.strips) == ((), (), ())
    assert result.summary().quotes == 0
    assert result.summary().diagnosis is None


def test_whitespace_only_gives_no_residue() -> None:
    """White space is neither a quote nor residue."""
    assert ticker_parse.parse(" \n\t \n").residue == ()


def test_prose_only_gives_no_quotes_and_one_residue_span_per_line() -> None:
    """An article without a strip is all residue, one span per non-blank line."""
    text = "THE political pundits said so.\n\n  Markets rose 2% (on Monday).  \n"
    result = ticker_parse.parse(text)
    assert result.quotes == ()
    assert [r.text for r in result.residue] == [
        "THE political pundits said so.",
        "Markets rose 2% (on Monday).",
    ]
    assert all(r.reason is ResidueReason.UNPARSED_TEXT for r in result.residue)
    assert all(text[r.start : r.end] == r.text for r in result.residue)


def test_residue_and_quotes_cover_every_non_space_character_once(observer_text: str) -> None:
    """Whitespace aside, each character lies in exactly one quote or residue span."""
    result = ticker_parse.parse(observer_text)
    spans = sorted(
        [(q.start, q.end) for q in result.quotes] + [(r.start, r.end) for r in result.residue]
    )
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))  # no overlap
    assert covered(result).strip() == ""


def test_validate_false_skips_the_checks(observer_text: str) -> None:
    """With validate=False no quote carries issues, even on the seed."""
    result = ticker_parse.parse(observer_text, validate=False)
    assert len(result.quotes) == 30
    assert not result.flagged


def test_strict_raises_a_validation_error_listing_the_flagged_quotes(observer_text: str) -> None:
    """strict=True raises TickerValidationError, a TickerParseError, with the quotes."""
    with pytest.raises(TickerValidationError) as info:
        ticker_parse.parse(observer_text, strict=True)
    assert len(info.value.quotes) == 30
    assert isinstance(info.value, TickerParseError)
    assert "AGL at 0-22: percent_as_fraction" in str(info.value)


def test_strict_passes_quietly_on_consistent_figures() -> None:
    """strict=True returns normally when nothing is flagged."""
    assert len(ticker_parse.parse("AGL38.02▲ 0.08 (0.21%)", strict=True).quotes) == 1


def test_strict_without_validation_is_a_call_error() -> None:
    """Asking to be strict about checks that are skipped is refused."""
    with pytest.raises(TickerParseError):
        ticker_parse.parse("x", strict=True, validate=False)


def test_dialect_can_be_forced_by_name_or_enum() -> None:
    """A forced dialect reads only that format."""
    text = "AGL38.02▲ 0.08 (0.21%)\nAIRLINK 61.80 Increased By ▲ 1.37 (2.27%)"
    assert [q.symbol for q in ticker_parse.parse(text, dialect="brecorder").quotes] == ["AIRLINK"]
    only = ticker_parse.parse(text, dialect=Dialect.CONCATENATED).quotes
    assert [q.symbol for q in only] == ["AGL"]


def test_unknown_dialect_is_a_clear_error() -> None:
    """A misspelt dialect names the ones that exist."""
    with pytest.raises(UnknownDialectError, match="concatenated, brecorder"):
        ticker_parse.parse("x", dialect="bloomberg")


def test_non_string_input_is_a_type_error() -> None:
    """Bytes must be decoded first; parse() says so instead of guessing."""
    with pytest.raises(TypeError, match="str"):
        ticker_parse.parse(b"AGL38.02")  # type: ignore[arg-type]


def test_timeout_surfaces_as_a_ticker_error() -> None:
    """A tiny time budget on a large input raises TickerTimeoutError."""
    text = "AB1▲ 2 (" * 500_000
    with pytest.raises(TickerTimeoutError):
        ticker_parse.parse(text, timeout=1e-6)


def test_quotes_are_frozen_records() -> None:
    """Quote is immutable: figures cannot be overwritten after parsing."""
    quote = ticker_parse.parse("AGL38.02▲ 0.08 (0.21%)").quotes[0]
    with pytest.raises(Exception, match="frozen"):
        quote.price = quote.change  # type: ignore[misc]


def test_strips_are_reported_with_their_dialect_and_convention() -> None:
    """Consecutive entries of one dialect form a strip; prose between strips splits them."""
    text = (
        "AGL38.02▲ 0.08 (0.21%)WTL1.6▲ 0.08 (5.26%)\nNews today\n"
        "BOP 5.33 Decreased By ▼ -0.02 (-0.37%)"
    )
    strips = ticker_parse.parse(text).strips
    assert [(s.dialect, s.count, s.convention) for s in strips] == [
        (Dialect.CONCATENATED, 2, "percent"),
        (Dialect.BRECORDER, 1, "percent"),
    ]
    assert text[strips[1].start : strips[1].end].startswith("BOP")


def test_each_strip_gets_its_own_summary() -> None:
    """A page with a broken strip and an honest one is diagnosed strip by strip."""
    text = (
        "AGL38.02▲ 0.08 (0.00%)AIRLINK197.36▲ 3.45 (0.02%)\nHeadline\n"
        "BOP 5.33 Decreased By ▼ -0.02 (-0.37%)\nKEL 4.57 Increased By ▲ 0.02 (0.44%)"
    )
    (first, broken), (second, honest) = ticker_parse.parse(text).strip_summaries()
    assert (first.count, broken.diagnosis) == (
        2,
        "2 of 2 percent figures are fractions of the previous close, 100× too small",
    )
    assert (second.count, honest.flagged, honest.diagnosis) == (2, 0, None)


def test_summary_has_no_diagnosis_when_no_cause_dominates() -> None:
    """One flagged quote in three is counted but not called the strip's cause."""
    text = "AGL38.02▲ 0.08 (0.21%)WTL1.6▲ 0.08 (-5.26%)BOP9.54▲ 0.22 (2.36%)"
    summary = ticker_parse.parse(text).summary()
    assert summary.counts == {"percent_sign": 1}
    assert summary.flagged == 1
    assert summary.diagnosis is None
    assert "percent_sign: 1" in str(summary)


def test_parse_leaves_the_garbage_collector_as_it_found_it() -> None:
    """parse() pauses the cyclic GC while it builds records; afterwards the GC is on or off
    as before, and objects the program froze (gc.freeze, before forking) stay frozen."""
    import gc

    text = "AGL38.02▲ 0.08 (0.21%)" * 50
    assert gc.isenabled()
    ticker_parse.parse(text)
    assert gc.isenabled()
    gc.disable()
    try:
        ticker_parse.parse(text)
        assert not gc.isenabled()
    finally:
        gc.enable()
    gc.freeze()
    try:
        assert gc.get_freeze_count() > 0
        ticker_parse.parse(text)
        # still frozen (unfreezing would empty it; a few frozen objects may die meanwhile)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_a_glued_strip_is_one_line_and_a_list_of_single_entries_is_one_strip() -> None:
    """Lines of several glued entries are strips of their own (one capture a line);
    glued entries one a line (a rendered list) form one strip."""
    two_lines = (
        "AGL38.02▲ 0.08 (0.21%)BOP9.54▲ 0.22 (2.36%)\nAGL38.1▲ 0.16 (0.42%)BOP9.5▲ 0.18 (1.93%)"
    )
    assert [s.count for s in ticker_parse.parse(two_lines).strips] == [2, 2]
    listed = "AGL38.02▲ 0.08 (0.21%)\nBOP9.54▲ 0.22 (2.36%)\nPSO150▼ -1.5 (-0.99%)"
    assert [s.count for s in ticker_parse.parse(listed).strips] == [3]


@pytest.mark.parametrize("separator", [" • ", " | ", "·", " / ", "/", " - ", ", ", " ; ", " ◆ "])
def test_entries_set_apart_by_a_separator_are_one_strip(separator: str) -> None:
    """A bullet or bar between the entries keeps the strip whole: its convention is voted
    by all its entries (here the seed's fractions), and each separator is residue."""
    entries = [
        "AGL38.02▲ 0.08 (0.00%)",
        "AIRLINK197.36▲ 3.45 (0.02%)",
        "BOP9.54▲ 0.22 (0.02%)",
        "KSE10067194.5▲ 646.5 (0.01%)",
    ]
    result = ticker_parse.parse(separator.join(entries))
    assert [(s.count, s.convention) for s in result.strips] == [(4, "fraction")]
    assert [q.symbol for q in result.quotes] == ["AGL", "AIRLINK", "BOP", "KSE100"]
    assert [r.text.strip() for r in result.residue] == [separator.strip()] * 3


def test_a_word_between_entries_still_breaks_the_strip() -> None:
    text = "AGL38.02▲ 0.08 (0.21%) and BOP9.54▲ 0.22 (2.36%)"
    assert [s.count for s in ticker_parse.parse(text).strips] == [1, 1]


@pytest.mark.parametrize(
    ("text", "symbols", "expected"),
    [
        # real symbols that end in another real symbol stay whole
        (
            "PSX: FABL45.5▲ 0.5 (1.11%)HBL100.5▲ 1 (1.01%)ABL90.1▲ 1.1 (1.24%)",
            None,
            ["FABL", "HBL", "ABL"],
        ),
        ("BAHL60.5▲ 0.5 (0.83%)AHL80.1▲ 1.1 (1.39%)", None, ["BAHL", "AHL"]),
        # a headline is cut off on evidence: a known symbol, or a symbol of the same strip
        ("MARKETSAGL38.02▲ 0.08 (0.21%)BOP9.54▲ 0.22 (2.36%)", ["AGL"], ["AGL", "BOP"]),
        ("TODAYSPSO150▼ -1.5 (-0.99%)PSO150▼ -1.5 (-0.99%)", None, ["PSO", "PSO"]),
        ("MARKETSAGL38.02▲ 0.08 (0.21%)BOP9.54▲ 0.22 (2.36%)", None, ["MARKETSAGL", "BOP"]),
    ],
)
def test_a_headline_is_cut_from_a_symbol_only_on_evidence(
    text: str, symbols: list[str] | None, expected: list[str]
) -> None:
    """Capitals glued before an entry become residue only when a known symbol or another
    entry of the strip says where the symbol starts."""
    assert [q.symbol for q in ticker_parse.parse(text, symbols=symbols).quotes] == expected


def test_a_headline_is_cut_to_a_known_symbol_among_thousands(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Known symbols are matched against glued names in batches; the batch that holds the
    symbol cuts the headline off, whichever batch it is."""
    monkeypatch.setattr(ticker_parse.checks, "_ENDINGS_PER_PATTERN", 7)
    ticker_parse.checks._known_endings.cache_clear()
    many = [f"Z{i:04d}" for i in range(100)] + ["AGL"]
    text = "MARKETSAGL38.02▲ 0.08 (0.21%)BOP9.54▲ 0.22 (2.36%)"
    try:
        assert [q.symbol for q in ticker_parse.parse(text, symbols=many).quotes] == ["AGL", "BOP"]
    finally:
        ticker_parse.checks._known_endings.cache_clear()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("AGL38.02▲ 0.08 (0.21%)-HBL100.5▲ 1 (1.01%)", ["AGL 38.02 0.08", "HBL 100.5 1"]),
        ("AGL38.02▲ 0.08 (0.21%).HBL100.5▲ 1 (1.01%)", ["AGL 38.02 0.08", "HBL 100.5 1"]),
        ("KSE10078444.35▲ 1,646.5 (2.14%)", ["KSE100 78444.35 1646.5"]),
        ("KSE100\t86,057.51\t807.42\t(0.95%)", ["KSE100 86057.51 807.42"]),
        (
            "KSE100\n86,057.51\n807.42\n(0.95%)\nNote: <b>closing</b> figures\n",
            ["KSE100 86057.51 807.42"],
        ),
    ],
)
def test_separators_grouped_changes_and_stray_formatting_lose_no_entry(
    text: str, expected: list[str]
) -> None:
    """A separator before a symbol, a change with thousands separators, a tab-separated
    portal row and a stray <b> in a text keep every entry."""
    quotes = ticker_parse.parse(text).quotes
    assert [f"{q.symbol} {q.price} {q.change}" for q in quotes] == expected


@pytest.mark.parametrize(
    "entry",
    [
        "AGL38.02▲ 0.08 (0.21%)",
        "AIRLINK 61.80 Increased By ▲ 1.37 (2.27%)",
        "KSE100\n86,057.51\n807.42\n(0.95%)",
    ],
)
@pytest.mark.parametrize("before", [" ", "\n", "x", "Q"])
def test_an_entry_after_a_long_paragraph_is_read_as_after_a_short_one(
    entry: str, before: str
) -> None:
    """Patterns run over a piece's last 512 characters; what comes before an entry, however
    long, changes neither whether it is read nor its offsets."""
    for filler in ("Markets were calm.\n", "Markets were calm today. " * 400 + "\n"):
        text = f"{filler}{before}{entry}"
        short = ticker_parse.parse(f"{before}{entry}").quotes
        quotes = ticker_parse.parse(text).quotes
        assert [(q.symbol, q.price, q.raw) for q in quotes] == [
            (q.symbol, q.price, q.raw) for q in short
        ]
        assert all(text[q.start : q.end] == q.raw for q in quotes)
        offset = len(filler)
        assert [q.start for q in quotes] == [q.start + offset for q in short]
