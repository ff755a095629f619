"""The examples a user copies from run as shipped."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_quickstart_runs_against_the_bundled_seed() -> None:
    """examples/quickstart.py prints the seed's 30 quotes and its diagnosis."""
    proc = subprocess.run(
        [sys.executable, str(EXAMPLES / "quickstart.py")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("30 quotes; first: AGL 38.02 0.08")
    assert "30 of 30 percent figures are fractions" in proc.stdout


def test_benchmark_runs_at_a_small_size() -> None:
    """examples/benchmark.py completes on a small input and reports every measurement."""
    proc = subprocess.run(
        [
            sys.executable,
            str(EXAMPLES / "benchmark.py"),
            "--entries",
            "3000",
            "--records",
            "1000",
            "--repeat",
            "1",
            "--hostile-chars",
            "2000",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    for needle in ("ours / floor", "naive / ours", "quotes/s", "bytes/entry", "hostile"):
        assert needle in proc.stdout
