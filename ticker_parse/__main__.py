"""``python -m ticker_parse``: the command line."""

from __future__ import annotations

import sys

from ticker_parse.cli import main

if __name__ == "__main__":
    sys.exit(main())
