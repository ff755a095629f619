"""Quickstart: parse the bundled seed page, look at the records, the table and the diagnosis.

Run from the repository root:  python examples/quickstart.py
"""

from __future__ import annotations

from pathlib import Path

import ticker_parse

SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_b6ae8b35eee2fbd0.txt"


def main() -> None:
    text = SEED.read_text(encoding="utf-8")

    # Exact records: Decimal figures, offsets into the text, issues found by validation.
    result = ticker_parse.parse(text)
    first = result.quotes[0]
    print(f"{len(result.quotes)} quotes; first: {first.symbol} {first.price} {first.change}")
    print(f"  issues: {[issue.message for issue in first.issues]}")
    print(f"  not parsed: {len(result.residue)} stretches, e.g. {result.residue[0].text!r}")

    # The same as a DataFrame, and the one-sentence diagnosis of the strip.
    frame = ticker_parse.read_ticker(SEED)
    print(frame[["symbol", "price", "change", "percent", "expected_percent", "issues"]].head())
    print(result.summary().diagnosis)


if __name__ == "__main__":
    main()
