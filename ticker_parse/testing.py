"""Generators of realistic, *flawed* ticker text whose correct reading is known by construction.

Every generator takes a ``seed`` and returns the same text for the same arguments, together
with the list of :class:`TrueQuote` records a correct reader should find in it, in order:

>>> text, truth = concatenated_strip(3, seed=1, fault_rate=0.5)
>>> text == "".join(q.text for q in truth)
True

- :func:`concatenated_strip` -- Pakistan Observer's glued strip (the bundled seed), honest or
  with a share of wrong percents of known kinds (:data:`FAULTS`), in the honest ``percent``
  convention or the seed's ``fraction`` one (change / previous close, 100x too small);
- :func:`brecorder_lines` -- Business Recorder's one-entry-a-line strip, index rows included;
- :func:`html_page` -- a whole news page (~60 KB) with one strip and the noise around it:
  scripts and JSON-LD holding ticker-like strings, a comment with an old strip, widgets of
  numbers, a menu, an article;
- :func:`hostile_texts` -- shapes that make careless patterns backtrack.

Only the standard library is used (and :data:`ticker_parse.grammar.PSX_INDICES`), so the
truth never depends on the code under test. Figures are built on the 0.01 tick as integers
(cents) and every percent is rounded half-up from those integers exactly.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from ticker_parse.grammar import PSX_INDICES

__all__ = [
    "CONVENTIONS",
    "FAULTS",
    "TrueQuote",
    "brecorder_lines",
    "concatenated_strip",
    "honest_percent",
    "hostile_texts",
    "html_page",
]

#: Kinds of wrong percent a faulty entry can show (see :func:`concatenated_strip`).
FAULTS = ("stale", "mistyped", "sign", "of_price", "x100", "fraction", "percent_amid_fractions")

#: How a strip prints its percents: honest percents, or the seed's fractions (100x too small).
CONVENTIONS = ("percent", "fraction")

# Faults that make sense in each convention: in a fraction strip "x100" would be the real
# percent (that is "percent_amid_fractions"), "fraction" would be the honest figure, and
# "of_price" would almost never differ from it in 2 decimals of a fraction.
_APPLICABLE = {
    "percent": frozenset(FAULTS) - {"percent_amid_fractions"},
    "fraction": frozenset(FAULTS) - {"x100", "fraction", "of_price"},
}

#: Real PSX symbols (the seed's and Business Recorder's strips) and a few more of the board.
_SYMBOLS = (
    "AGL", "AIRLINK", "ANL", "ASC", "ASL", "ATRL", "AVN", "BAFL", "BOP", "BYCO", "CNERGY",
    "DCL", "DFML", "DGKC", "EFERT", "ENGRO", "EPCL", "FABL", "FCCL", "FFBL", "FFC", "FFL",
    "FNEL", "GATM", "GGGL", "GGL", "GHNI", "HASCOL", "HBL", "HCAR", "HUBC", "HUMNL", "ISL",
    "JSCL", "KAPCO", "KEL", "KOSM", "LOTCHEM", "LUCK", "MARI", "MCB", "MDTL", "MEBL", "MLCF",
    "MUGHAL", "NBP", "NCL", "NESTLE", "NETSOL", "NML", "OGDC", "PACE", "PAEL", "PAKT", "PIAA",
    "PIBTL", "POL", "PPL", "PRL", "PSO", "PTC", "SAZEW", "SEARL", "SILK", "SNGP", "SSGC",
    "SYS", "TELE", "TOMCL", "TPLP", "TREET", "TRG", "UBL", "UNITY", "WAVES", "WTL",
)  # fmt: skip

#: Symbols ending in digits that are not PSX indices: rights (``R1``), REITs, futures.
_DIGIT_SYMBOLS = (
    "BOPR1", "TPLRF1", "VNF2", "ASCR1", "PIBTLR1", "FNELR2", "GGLR1", "HUMNLR1", "TREETR1",
    "WTLR1", "CNERGYR1", "KOSMR2", "DCR2", "TELER1", "UNITYR1", "PTCR3",
)  # fmt: skip

_INDEX_DIGIT_SYMBOLS = tuple(sorted(s for s in PSX_INDICES if s[-1].isdigit()))

# Levels PSX indices have traded at (2019-2025), in points.
_INDEX_LEVELS = {
    "KSE100": (30_000, 90_000),
    "KSE30": (10_000, 30_000),
    "KMI30": (50_000, 90_000),
    "BR100": (4_000, 12_000),
    "BR30": (15_000, 35_000),
    "MII30": (20_000, 60_000),
    "PSXDIV20": (20_000, 60_000),
    "UPP9": (10_000, 30_000),
}

# The four index rows under Business Recorder's strip (seeds: br_*.txt).
_BR_INDICES = ("BR100", "BR30", "KSE100", "KSE30")


@dataclass(frozen=True)
class TrueQuote:
    """One entry as a correct reader should find it.

    ``price`` and ``change`` are the figures as displayed (``Decimal("35")`` for ``35``);
    ``percent`` is the figure the strip *shows*, right or wrong; ``fault`` says which kind of
    wrong (one of :data:`FAULTS`) or is ``None`` for an honest figure; ``text`` is the entry
    exactly as printed (for :func:`html_page`, as a browser renders it).
    """

    symbol: str
    price: Decimal
    change: Decimal
    percent: Decimal | None
    direction: str
    fault: str | None
    text: str


def honest_percent(price: Decimal, change: Decimal, convention: str = "percent") -> Decimal:
    """The figure an honest strip of ``convention`` shows beside ``price`` and ``change``.

    change / (price - change) x 100 (x 1 for ``"fraction"``), rounded half-up to 2 decimals;
    a figure that rounds to zero is ``0.00`` without a sign, as JavaScript prints it.

    >>> honest_percent(Decimal("61.80"), Decimal("1.37"))
    Decimal('2.27')
    >>> honest_percent(Decimal("35"), Decimal("-0.03"), "fraction")
    Decimal('0.00')
    """
    if convention not in CONVENTIONS:
        raise ValueError(f"convention must be one of {CONVENTIONS}, not {convention!r}")
    scale = 10_000 if convention == "percent" else 100
    cents, change_cents = int(price * 100), int(change * 100)
    return _hundredths(_round_half_up(change_cents * scale, cents - change_cents))


# --- integer arithmetic on the 0.01 tick ------------------------------------------------


def _round_half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half away from zero (denominator > 0)."""
    magnitude = (2 * abs(numerator) + denominator) // (2 * denominator)
    return -magnitude if numerator < 0 else magnitude


def _fixed(hundredths: int) -> str:
    """``-1.05``, ``0.00``: two decimals, no sign on zero."""
    sign = "-" if hundredths < 0 else ""
    whole, frac = divmod(abs(hundredths), 100)
    return f"{sign}{whole}.{frac:02d}"


def _js(hundredths: int) -> str:
    """A number as JavaScript prints it: ``35``, ``13.5``, ``-0.03``, ``0``."""
    text = _fixed(hundredths)
    return text.rstrip("0").rstrip(".") if "." in text else text


def _br_percent(hundredths: int) -> str:
    """Business Recorder's percent: trailing zeros dropped, ``2.1``, ``-1``, ``0``."""
    return _js(hundredths)


def _hundredths(value: int) -> Decimal:
    return Decimal(_fixed(value))


# --- figures ------------------------------------------------------------------------------


def _log_uniform(rng: random.Random, low: float, high: float) -> float:
    return float(low * (high / low) ** rng.random())


def _figures(rng: random.Random, symbol: str) -> tuple[int, int]:
    """(price, change) in cents: a realistic price, a change within PSX's 7.5% band."""
    if symbol in PSX_INDICES:
        low, high = _INDEX_LEVELS.get(symbol, (5_000, 90_000))
        price = round(_log_uniform(rng, low, high) * 100)
        spread = 0.008
    elif rng.random() < 0.03:  # the few heavy shares (NESTLE, PAKT, SAPT ...)
        price = round(_log_uniform(rng, 1_000, 90_000) * 100)
        spread = 0.02
    else:  # most active shares trade between 1 and a few hundred rupees
        price = round(min(2_000.0, max(1.0, rng.lognormvariate(3.4, 1.2))) * 100)
        spread = 0.02
    shape = rng.random()
    if shape < 0.08:  # whole rupees: JavaScript prints "35"
        price = max(100, round(price, -2))
    elif shape < 0.2:  # one decimal: "13.5"
        price = max(10, round(price, -1))
    if rng.random() < 0.06 and symbol not in PSX_INDICES:  # indices are never flat
        return price, 0
    # |change| <= 6.9% of the price keeps it within 7.5% of the previous close.
    limit = price * 69 // 1000
    change = max(-limit, min(limit, round(rng.gauss(0, spread * price))))
    return price, change


def _faulty(
    fault: str, rng: random.Random, price: int, change: int, scale: int, honest: int
) -> int | None:
    """The wrong figure (in hundredths) of kind ``fault``, or None where it cannot differ."""
    previous = price - change
    if fault == "stale":  # yesterday's figure: another plausible change on yesterday's close
        for _ in range(20):
            other = round(rng.gauss(0, 0.02 * previous))
            other = max(-previous * 69 // 1000, min(previous * 69 // 1000, other))
            value = _round_half_up(other * scale, previous - other)
            if value != honest:
                return value
        return None
    if fault == "mistyped":
        typed = _mistype(rng, _fixed(honest))
        return None if typed is None else int(typed.replace(".", ""))
    if fault == "sign":
        value = -honest
    elif fault == "of_price":
        value = _round_half_up(change * scale, price)
    elif fault == "x100":
        value = _round_half_up(change * scale * 100, previous)
    elif fault == "fraction":
        value = _round_half_up(change * 100, previous)
    else:  # percent_amid_fractions: the real percent in a strip of fractions
        value = _round_half_up(change * 10_000, previous)
    return None if value == honest else value


def _mistype(rng: random.Random, text: str) -> str | None:
    """``text`` with one digit changed or two adjacent digits swapped (never a leading 0)."""
    digits = [i for i, c in enumerate(text) if c.isdigit()]
    for _ in range(20):
        chars = list(text)
        if rng.random() < 0.5:
            i = rng.choice(digits)
            chars[i] = rng.choice([d for d in "0123456789" if d != chars[i]])
        else:
            pairs = [i for i in digits if i + 1 in digits and chars[i] != chars[i + 1]]
            if not pairs:
                continue
            i = rng.choice(pairs)
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        typed = "".join(chars)
        whole = typed.lstrip("-").split(".")[0]
        if (len(whole) > 1 and whole[0] == "0") or typed.startswith("-0.00"):
            continue
        return typed
    return None


def _check_faults(fault_rate: float, faults: Sequence[str], convention: str) -> list[str]:
    if convention not in CONVENTIONS:
        raise ValueError(f"convention must be one of {CONVENTIONS}, not {convention!r}")
    if not 0.0 <= fault_rate <= 1.0:
        raise ValueError(f"fault_rate must be between 0 and 1, not {fault_rate!r}")
    unknown = sorted(set(faults) - set(FAULTS))
    if unknown:
        raise ValueError(f"unknown faults {unknown}; known: {FAULTS}")
    allowed = [f for f in FAULTS if f in faults and f in _APPLICABLE[convention]]
    if fault_rate > 0 and not allowed:
        raise ValueError(f"none of {list(faults)} can occur in a {convention!r} strip")
    return allowed


def _quote(
    rng: random.Random,
    symbol: str,
    *,
    is_faulty: bool,
    allowed: Sequence[str],
    scale: int,
    figures: tuple[int, int] | None = None,
) -> tuple[int, int, int, str | None]:
    """(price, change, shown percent in hundredths, fault) for one entry."""
    price, change = figures if figures is not None else _figures(rng, symbol)
    honest = _round_half_up(change * scale, price - change)
    if not is_faulty:
        return price, change, honest, None
    fault = rng.choice(allowed)
    for _ in range(200):
        value = _faulty(fault, rng, price, change, scale, honest)
        if value is not None:
            return price, change, value, fault
        if figures is not None:  # fixed figures: take any fault that fits them
            fits = [f for f in allowed if _faulty(f, rng, price, change, scale, honest) is not None]
            if not fits:
                return price, change, honest, None
            fault = rng.choice(fits)
        else:
            price, change = _figures(rng, symbol)
            honest = _round_half_up(change * scale, price - change)
    raise AssertionError(f"no {fault!r} figure found")  # pragma: no cover


def _direction(change: int) -> str:
    return "up" if change > 0 else "down" if change < 0 else "unchanged"


# --- symbols ------------------------------------------------------------------------------


class _SymbolPicker:
    """Mostly plain symbols; a share ending in digits, from indices, ``known`` and others."""

    def __init__(self, rng: random.Random, digit_share: float, known: Sequence[str]) -> None:
        known_set = {s.strip().upper() for s in known if s.strip()}
        self.rng = rng
        self.digit_share = digit_share
        self.plain = sorted(set(_SYMBOLS) | {s for s in known_set if not s[-1].isdigit()})
        self.known_digit = sorted(s for s in known_set if s[-1].isdigit())
        self.unknown_digit = sorted(set(_DIGIT_SYMBOLS) - known_set)

    def __call__(self) -> str:
        rng = self.rng
        if rng.random() >= self.digit_share:
            return rng.choice(self.plain)
        kind = rng.random()
        if self.known_digit and kind < 0.35:
            return rng.choice(self.known_digit)
        if kind < 0.7 and self.unknown_digit:
            return rng.choice(self.unknown_digit)
        return rng.choice(_INDEX_DIGIT_SYMBOLS)


# --- the generators -----------------------------------------------------------------------


def concatenated_strip(
    n: int,
    *,
    seed: int,
    fault_rate: float = 0.0,
    faults: Sequence[str] = FAULTS,
    convention: str = "percent",
    digit_symbols: float = 0.1,
    known: Sequence[str] = (),
    newline_every: int | None = None,
    separator: str = "",
) -> tuple[str, list[TrueQuote]]:
    """``n`` entries of Pakistan Observer's strip, glued: ``AGL38.02▲ 0.08 (0.21%)BOP9.54▼ …``.

    Prices and changes print like JavaScript numbers (``35``, ``13.5``, ``-0.03``); the arrow
    is ▲ for a rise and ▼ otherwise (``▼ 0 (0.00%)`` when flat); the percent has 2 decimals.
    ``convention="fraction"`` prints change / previous close instead (the seed's bug), where a
    figure that rounds to zero prints ``0.00`` without its sign.

    About ``fault_rate`` of the entries show a wrong figure of a kind drawn from ``faults``:
    ``stale`` (another day's figure), ``mistyped`` (a digit changed or two swapped), ``sign``,
    ``of_price`` (change / price), ``x100``, ``fraction`` (in a percent strip) and
    ``percent_amid_fractions`` (a real percent in a fraction strip). A wrong figure always
    differs from the honest one. ``digit_symbols`` of the symbols end in digits (``KSE100``,
    ``BOPR1``): some from ``known``, some indices, some neither. Entries are joined by
    ``separator`` and, if ``newline_every`` is set, a newline after every that many entries.
    """
    allowed = _check_faults(fault_rate, faults, convention)
    if n < 0:
        raise ValueError("n must be >= 0")
    if newline_every is not None and newline_every < 1:
        raise ValueError("newline_every must be >= 1")
    rng = random.Random(seed)
    pick = _SymbolPicker(rng, digit_symbols, known)
    scale = 10_000 if convention == "percent" else 100
    quotes: list[TrueQuote] = []
    parts: list[str] = []
    for i in range(n):
        symbol = pick()
        is_faulty = rng.random() < fault_rate
        price, change, shown, fault = _quote(
            rng, symbol, is_faulty=is_faulty, allowed=allowed, scale=scale
        )
        price_text, change_text, percent_text = _js(price), _js(change), _fixed(shown)
        arrow = "▲" if change > 0 else "▼"
        entry = f"{symbol}{price_text}{arrow} {change_text} ({percent_text}%)"
        quotes.append(
            TrueQuote(
                symbol=symbol,
                price=Decimal(price_text),
                change=Decimal(change_text),
                percent=Decimal(percent_text),
                direction=_direction(change),
                fault=fault,
                text=entry,
            )
        )
        if i:
            parts.append("\n" if newline_every and i % newline_every == 0 else separator)
        parts.append(entry)
    return "".join(parts), quotes


def _br_rows(
    rng: random.Random, n: int, fault_rate: float, stale: bool
) -> list[tuple[TrueQuote, list[str]]]:
    """Business Recorder rows: each quote and its fields (symbol, price, words, arrow, ...)."""
    allowed = _check_faults(fault_rate, FAULTS, "percent")
    rows: list[tuple[TrueQuote, list[str]]] = []
    stocks = list(_SYMBOLS)
    while len(rows) < n:
        # A strip: 30 of the most active stocks in alphabetical order, then 4 index rows.
        block = sorted(rng.sample(stocks, 30)) + list(_BR_INDICES)
        for symbol in block[: n - len(rows)]:
            is_index = symbol in PSX_INDICES
            is_faulty = rng.random() < fault_rate
            figures = None
            if is_index:
                # Index rows: whole points and a change of one decimal (seeds: br_*.txt).
                price, change = _figures(rng, symbol)
                price = round(price, -2)
                change = round(change, -1) or rng.choice((-10, 10))
                figures = price, change
            elif stale:  # yesterday's close, not moved
                figures = _figures(rng, symbol)[0], 0
            price, change, shown, fault = _quote(
                rng, symbol, is_faulty=is_faulty, allowed=allowed, scale=10_000, figures=figures
            )
            words = "Increased By" if change > 0 else "Decreased By" if change else "No Change"
            if is_index:
                price_text = f"{price // 100:,}"
                change_text = f"{change / 100:.1f}"  # a float only to format one decimal
                arrow = ""
            else:
                price_text, change_text = _fixed(price), _fixed(change)
                arrow = "▲" if change > 0 else "▼"
            percent_text = _br_percent(shown)
            fields = [symbol, price_text, words, arrow, change_text, f"({percent_text}%)"]
            quote = TrueQuote(
                symbol=symbol,
                price=Decimal(price_text.replace(",", "")),
                change=Decimal(change_text),
                percent=Decimal(percent_text),
                direction=_direction(change),
                fault=fault,
                text=" ".join(f for f in fields if f),
            )
            rows.append((quote, fields))
    return rows


def brecorder_lines(
    n: int, *, seed: int, fault_rate: float = 0.0, stale: bool = False
) -> tuple[str, list[TrueQuote]]:
    """``n`` lines of Business Recorder's strip, one entry a line.

    ``AIRLINK 61.80 Increased By ▲ 1.37 (2.27%)``, ``BOP 8.41 No Change ▼ 0.00 (0%)``, and
    after every 30 stocks the index rows ``KSE100 67,194 Increased By 646.5 (0.97%)`` (whole
    points, a one-decimal change, no arrow). Percents drop trailing zeros (``(2.1%)``).
    ``fault_rate`` of the figures are wrong in the percent convention's ways. ``stale=True``
    shows every stock as ``No Change`` at yesterday's close while the indices moved: those
    rows are consistent in themselves (``fault`` is None); only the strip as a whole is stale.
    """
    if n < 0:
        raise ValueError("n must be >= 0")
    rng = random.Random(seed)
    rows = _br_rows(rng, n, fault_rate, stale)
    return "\n".join(q.text for q, _ in rows), [q for q, _ in rows]


# --- whole pages --------------------------------------------------------------------------

_HEADLINES = (
    "Stocks extend rally as cement &amp; fertiliser shares gain",
    "KSE-100 sheds 412 points on profit-taking – analysts",
    "Rupee steady at 278.50 against the dollar",
    "PSX closes flat amid thin trading; volumes fall 12%",
    "Oil &amp; gas stocks lead gains in early trade",
    "Chinese and Russian technological ties",
    "IMF talks: market awaits clarity on FY25 budget",
)

_PROSE = (
    "The benchmark KSE-100 index gained {pts} points, or {pct}%, to close at {lvl} points.",
    "Traded volume rose to {vol} million shares from {vol2} million shares a day earlier.",
    "Oil &amp; Gas Development Company posted a profit of Rs {bn} billion ({pct}%) "
    "for the quarter ended September 30.",
    "Analysts at Topline Securities said the rally – the third this week – was led by "
    "cement &amp; fertiliser stocks, with 312 of 448 scrips advancing.",
    "The rupee closed at {usd} against the dollar in the inter-bank market, "
    "a change of {chg} rupees ({pct}%).",
    "In 2019–20 the government raised Rs {bn} billion through treasury bills at {pct}% "
    "against a target of Rs {vol} billion.",
    "Shares of OGDC rose {chg} rupees ({pct}%) to Rs {px}, while HBL fell {chg2} rupees.",
    "During (1956-1965) the two countries cooperated on {vol} industrial projects.",
    "Foreign investors were net sellers of ${mn} million, according to NCCPL data "
    "(down {pct}% on the week).",
    "The State Bank of Pakistan kept its policy rate at 22% for the {n}th meeting in a row.",
    "Inflation eased to {pct}% in March from {pct2}% in February, the PBS said on Monday.",
    "Market capitalisation stood at Rs {lvl} billion (US$ {bn} billion) at the close.",
)

_SECTIONS = (
    "National", "World", "Business", "Markets", "Sports", "Cricket", "Opinion", "Editorial",
    "Islamabad", "Karachi", "Lahore", "Peshawar", "Quetta", "Technology", "Health", "Entertainment",
    "Lifestyle", "Videos", "Photos", "E-Paper",
)  # fmt: skip

_CITIES = ("Karachi", "Lahore", "Islamabad", "Peshawar", "Quetta", "Multan", "Faisalabad")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _prose(rng: random.Random) -> str:
    def num(low: float, high: float, places: int) -> str:
        return f"{rng.uniform(low, high):,.{places}f}"

    template = rng.choice(_PROSE)
    return template.format(
        pts=num(50, 900, 2),
        pct=num(0.1, 9.9, rng.choice((1, 2))),
        pct2=num(0.1, 30, 1),
        lvl=num(40_000, 90_000, 2),
        vol=num(100, 900, 2),
        vol2=num(100, 900, 2),
        bn=num(1, 500, 1),
        usd=num(270, 290, 2),
        chg=num(0.1, 9, 2),
        chg2=num(0.1, 9, 2),
        px=num(50, 300, 2),
        mn=num(1, 50, 2),
        n=rng.randint(4, 9),
    )


def _concatenated_markup(
    quotes: list[TrueQuote], text: str, markup: str
) -> tuple[str, list[TrueQuote]]:
    if markup == "plain":
        return _escape(text), quotes
    out, truth = [], []
    for q in quotes:
        up = q.change > 0
        fields = [q.symbol, str(q.price), "▲" if up else "▼", str(q.change), f"({q.percent}%)"]
        if markup == "spans":
            arrow = "&#9650;" if up else "&#9660;"
            out.append(
                f'<span class="item"><span class="sym">{fields[0]}</span>'
                f'<span class="price">{fields[1]}</span>'
                f'<span class="arrow {"up" if up else "down"}">{arrow}</span> '
                f'<span class="chg">{fields[3]}</span> <span class="pct">{fields[4]}</span></span>'
            )
            truth.append(q)
        else:  # pretty: a field per line; a browser renders the line breaks as spaces
            classes = ("sym", "price", "arrow", "chg", "pct")
            lines = "".join(
                f'\n      <span class="{c}">{f}</span>'
                for c, f in zip(classes, fields, strict=True)
            )
            out.append(f'\n    <span class="item">{lines}\n    </span>')
            truth.append(_replace_text(q, " ".join(fields)))
    return "".join(out) + ("\n  " if markup == "pretty" else ""), truth


def _replace_text(q: TrueQuote, text: str) -> TrueQuote:
    return TrueQuote(q.symbol, q.price, q.change, q.percent, q.direction, q.fault, text)


def _brecorder_markup(rows: list[tuple[TrueQuote, list[str]]], markup: str) -> str:
    if markup == "plain":
        return "".join(f"{_escape(q.text)}<br>\n" for q, _ in rows)
    out = []
    classes = ("sym", "price", "words", "arrow", "chg", "pct")
    for _, fields in rows:
        pairs = [(c, f) for c, f in zip(classes, fields, strict=True) if f]
        if markup == "spans":
            spans = " ".join(
                f'<span class="{c}">{"&#9650;" if f == "▲" else "&#9660;" if f == "▼" else f}'
                "</span>"
                for c, f in pairs
            )
            out.append(f'<div class="row">{spans}</div>')
        else:
            spans = "".join(f'\n      <span class="{c}">{f}</span>' for c, f in pairs)
            out.append(f'\n    <div class="row">{spans}\n    </div>')
    return "".join(out) + ("\n  " if markup == "pretty" else "")


def _head(rng: random.Random, title: str, noise: bool, fakes: list[str]) -> list[str]:
    head = [
        "<!DOCTYPE html>",
        '<html lang="en-US">',
        "<head>",
        '<meta charset="UTF-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title} | Pakistan Observer</title>",
    ]
    if not noise:
        return [*head, "</head>"]
    head += [
        f'<meta name="description" content="{title}. Latest business news from Pakistan.">',
        f'<meta property="og:title" content="{title}">',
        '<meta property="og:type" content="article">',
        '<link rel="canonical" href="https://pakobserver.net/markets/">',
        '<link rel="stylesheet" href="/wp-content/themes/observer/style.css?ver=6.4.2">',
        '<link rel="preconnect" href="https://fonts.gstatic.com" crossorigin>',
    ]
    rules = []
    for i in range(rng.randint(120, 160)):
        rules.append(
            f".c{i}{{margin:{rng.randint(0, 40)}px {rng.randint(0, 40)}px;"
            f"color:#{rng.randrange(0x1000000):06x};font-size:{rng.randint(10, 24)}px}}"
        )
    head.append("<style>\n" + "\n".join(rules) + "\n.ticker{white-space:nowrap}\n</style>")
    head.append(
        '<script type="application/ld+json">{"@context":"https://schema.org",'
        f'"@type":"NewsArticle","headline":"{title}",'
        f'"description":"Market snapshot: {fakes[0]}{fakes[1]}",'
        '"datePublished":"2024-03-28T09:15:00+05:00",'
        '"publisher":{"@type":"Organization","name":"Pakistan Observer"}}</script>'
    )
    head.append(
        "<script>\n"
        f'var t = "{fakes[2]}";\n'
        f'var rows = ["{fakes[3]}", "{fakes[4]}"];\n'
        "function showTicker(el, s) {\n"
        "  if (el && s.length > 0 && s.length < 4096) {\n"
        "    el.innerHTML = '<div class=\"ticker\">' + s + '</div>'; // <!-- old markup\n"
        "  }\n"
        "}\n"
        'window.addEventListener("load", function () { showTicker(null, t); });\n'
        "</script>"
    )
    return [*head, "</head>"]


def _nav(rng: random.Random) -> str:
    links = []
    for i in range(100):
        section = _SECTIONS[i % len(_SECTIONS)]
        slug = f"{section.lower().replace(' ', '-')}/{rng.randint(1, 999)}"
        links.append(
            f'<li><a href="https://pakobserver.net/{slug}/">{section} {i // 20 + 1}</a></li>'
        )
    return '<nav class="menu"><ul>\n' + "\n".join(links) + "\n</ul></nav>"


def _widgets(rng: random.Random) -> str:
    weather = "".join(f"<li>{c} {rng.randint(12, 45)}°C</li>" for c in _CITIES)
    rates = "".join(
        f"<tr><td>{cur}</td><td>{buy:.2f}</td><td>{buy + rng.uniform(0.5, 2):.2f}</td></tr>"
        for cur, buy in (
            ("USD", rng.uniform(270, 290)),
            ("EUR", rng.uniform(290, 310)),
            ("GBP", rng.uniform(340, 360)),
            ("SAR", rng.uniform(72, 76)),
            ("AED", rng.uniform(74, 78)),
        )
    )
    runs, wickets = rng.randint(150, 330), rng.randint(1, 9)
    return (
        '<aside class="widgets">\n'
        f'<div class="weather"><h3>Weather</h3><ul>{weather}</ul></div>\n'
        '<div class="rates"><h3>Open market rates</h3><table>'
        f"<tr><th>Currency</th><th>Buying</th><th>Selling</th></tr>{rates}</table></div>\n"
        f'<div class="cricket"><h3>Live</h3>PAK {runs}/{wickets} (50 ov) vs IND '
        f"{runs - rng.randint(1, 60)}/{rng.randint(1, 10)}</div>\n"
        f'<div class="gold">Gold 24K Rs {rng.randint(200_000, 260_000):,} per tola</div>\n'
        "</aside>"
    )


def _filler_script(rng: random.Random, size: int, fakes: list[str]) -> str:
    """Minified-looking JavaScript of about ``size`` characters, ticker-like strings inside."""
    parts: list[str] = []
    total = 0
    i = 0
    while total < size:
        if i % 40 == 7:
            part = f'var s{i}="{rng.choice(fakes)}";'
        else:
            part = (
                f"function f{i}(a,b){{var c=a*{rng.randint(2, 999)}+b;"
                f"return c>{rng.randint(100, 99999)}?c/{rng.randint(2, 9)}:c-{rng.random():.4f}}}"
            )
        parts.append(part)
        total += len(part.encode())
        i += 1
    return "<script>" + "".join(parts) + "</script>"


def html_page(
    *,
    seed: int,
    strip: str = "concatenated",
    entries: int = 30,
    markup: str = "plain",
    noise: bool = True,
    fault_rate: float = 0.0,
) -> tuple[str, list[TrueQuote]]:
    """A news page (about 60 KB with ``noise``) carrying one strip, and the strip's quotes.

    ``strip`` is ``"concatenated"`` (Pakistan Observer), ``"brecorder"`` or ``"none"``;
    ``markup`` is ``"plain"`` (the entries as text), ``"spans"`` (a ``<span>`` per field,
    arrows as ``&#9650;``/``&#9660;``) or ``"pretty"`` (a field per line, which a browser
    renders with a space between fields). With ``noise`` the page also has what a real one
    has: head tags, a stylesheet, scripts and JSON-LD holding ticker-like strings, an HTML
    comment with an old strip, a menu of 100 links, widgets full of numbers; every page has
    an article whose prose holds numbers, ``(3.5%)``, ``&amp;`` and dashes, and sometimes a
    headline right before the strip. The truth is what a browser shows in the strip only;
    each quote's ``text`` is its rendered text (fields joined by one space for ``pretty``).
    """
    if strip not in ("concatenated", "brecorder", "none"):
        raise ValueError(f"strip must be 'concatenated', 'brecorder' or 'none', not {strip!r}")
    if markup not in ("plain", "spans", "pretty"):
        raise ValueError(f"markup must be 'plain', 'spans' or 'pretty', not {markup!r}")
    rng = random.Random(seed)
    title = rng.choice(_HEADLINES)
    _, fake_quotes = concatenated_strip(8, seed=rng.randrange(2**32), digit_symbols=0.3)
    fakes = [q.text for q in fake_quotes]

    truth: list[TrueQuote] = []
    body_strip = ""
    if strip == "concatenated":
        text, quotes = concatenated_strip(entries, seed=rng.randrange(2**32), fault_rate=fault_rate)
        body_strip, truth = _concatenated_markup(quotes, text, markup)
    elif strip == "brecorder":
        rows = _br_rows(random.Random(rng.randrange(2**32)), entries, fault_rate, False)
        body_strip, truth = _brecorder_markup(rows, markup), [q for q, _ in rows]
    ticker = ""
    if strip != "none":
        before = f'<h2 class="breaking">{rng.choice(_HEADLINES)}</h2>' if rng.random() < 0.5 else ""
        ticker = f'{before}<div class="ticker" id="ticker">{body_strip}</div>'

    article = "\n".join(
        "<p>" + " ".join(_prose(rng) for _ in range(rng.randint(2, 4))) + "</p>"
        for _ in range(rng.randint(8, 12))
    )
    body = ["<body>", '<header class="site"><a href="/">Pakistan Observer</a></header>']
    if noise:
        body += [_nav(rng), f"<!-- ticker cache: {''.join(fakes[5:])} -->"]
    body += [
        ticker,
        f'<article><h1 class="title">{title}</h1>\n{article}\n</article>',
    ]
    if noise:
        body.append(_widgets(rng))
    body += [
        "<footer><p>© 2024 Pakistan Observer. All rights reserved.</p>"
        '<a href="/privacy">Privacy</a> <a href="/contact">Contact</a></footer>',
    ]
    end = ["</body>", "</html>", ""]
    head = _head(rng, title, noise, fakes)
    page = "\n".join(head + body + end)
    if noise:  # a page is ~60 KB: the rest is the scripts every news page loads
        size = rng.randint(52_000, 68_000) - len(page.encode())
        script = _filler_script(rng, max(0, size), fakes)
        page = "\n".join([*head[:-1], script, head[-1], *body, *end])
    return page, truth


def hostile_texts(seed: int) -> list[str]:
    """Shapes that make careless patterns slow: runs of digits, capitals, arrows, ``<!--``."""
    rng = random.Random(seed)
    n = rng.randint(20_000, 40_000)
    capitals = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return [
        "".join(rng.choices("0123456789", k=n)),
        "7" * n,
        "".join(rng.choices(capitals, k=n)),
        "A" * n,
        "▲" * n,
        "▲ ▼ " * (n // 4),
        "<!--" * (n // 4),
        "<" * n,
        "KSE100" * (n // 6),
        "AGL38.02▲ 0.08 (0.21" * (n // 20),
        "(" * n + "%)",
        "1." * (n // 2),
        "A1" * (n // 2) + "▲",
    ]
