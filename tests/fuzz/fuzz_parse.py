"""Coverage-guided fuzzing of parse() and the DataFrame path with atheris.

Not collected by pytest. See tests/fuzz/README.md:

    pip install -e '.[fuzz]'
    python tests/fuzz/fuzz_parse.py -max_total_time=600 corpus/

A finding is any exception other than TickerParseError, a quote whose raw text is not the
slice its offsets name, a character neither in a quote nor in residue, or a DataFrame that
differs from the records path's (from the polars engine or the compiled scanner).
"""

from __future__ import annotations

import io
import sys

import atheris
import numba  # noqa: F401 - third-party code is imported uninstrumented: instrumenting
import pandas as pd  # polars' Python layer broke Series methods (is_not_null gave None)
import polars  # noqa: F401

with atheris.instrument_imports(include=["ticker_parse"]):
    import ticker_parse
    from ticker_parse import TickerParseError
    from ticker_parse._columnar import columnar_frame
    from ticker_parse._utf8 import read_utf8


def check(data: bytes) -> None:
    provider = atheris.FuzzedDataProvider(data)
    text = provider.ConsumeUnicodeNoSurrogates(len(data))
    try:
        result = ticker_parse.parse(text)
    except TickerParseError:
        return
    chars = list(text)
    for q in result.quotes:
        if text[q.start : q.end] != q.raw:
            raise AssertionError(f"raw mismatch at {q.start}-{q.end}")
        chars[q.start : q.end] = " " * (q.end - q.start)
    for r in result.residue:
        chars[r.start : r.end] = " " * (r.end - r.start)
    if "".join(chars).strip():
        raise AssertionError("characters neither in a quote nor in residue")
    pd.testing.assert_frame_equal(ticker_parse.frame_from_text(text), result.to_frame())
    # the compiled scanner (used for big inputs) on this text too, from str and from bytes
    for source in (text, read_utf8(io.StringIO(text))):
        scanned = columnar_frame(source, engine="scan")
        if scanned is not None:
            pd.testing.assert_frame_equal(scanned, result.to_frame())


def main() -> None:
    atheris.Setup(sys.argv, check)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
