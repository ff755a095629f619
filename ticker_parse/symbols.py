"""Symbols ticker_parse knows before it reads a strip.

PSX index names end in digits (``KSE100``) and, in the concatenated dialect, are glued to
their values (``KSE10067194``), so knowing them settles where a symbol ends. Users add their
own with ``parse(..., symbols=[...])``.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["PSX_INDICES", "known_symbols"]

#: Index names published by the Pakistan Stock Exchange and by Business Recorder.
PSX_INDICES: frozenset[str] = frozenset(
    {
        "ALLSHR",
        "BKTI",
        "BR100",
        "BR30",
        "HBLTTI",
        "JSGBKTI",
        "JSMFI",
        "KMI30",
        "KMIALLSHR",
        "KSE100",
        "KSE100PR",
        "KSE30",
        "MII30",
        "MZNPI",
        "NBPPGI",
        "NITPGI",
        "OGTI",
        "PSXDIV20",
        "UPP9",
    }
)


def known_symbols(extra: Iterable[str] | None = None) -> frozenset[str]:
    """The built-in index names plus ``extra`` (upper-cased, stripped)."""
    if extra is None:
        return PSX_INDICES
    if isinstance(extra, str):
        raise TypeError("symbols= takes an iterable of symbols, not one string")
    return PSX_INDICES | {s.strip().upper() for s in extra if s.strip()}
