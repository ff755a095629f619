"""The README's Python example runs as written, and its set-up commands stay two."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_python_example_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """The first python block executes against the bundled seed and finds its 30 quotes."""
    block = re.search(r"```python\n(.*?)```", README, re.S)
    assert block is not None
    monkeypatch.chdir(ROOT)
    namespace: dict[str, object] = {}
    exec(compile(block.group(1), "README.md", "exec"), namespace)
    result = namespace["result"]
    assert len(result.quotes) == 30  # type: ignore[attr-defined]
    assert namespace["quote"].symbol == "AIRLINK"  # type: ignore[attr-defined]
    seeds = namespace["seeds"]  # every bundled capture, one frame, rows in file order
    assert isinstance(seeds, pd.DataFrame)
    assert seeds["source"].unique().tolist() == sorted(
        f"seeds/{p.name}" for p in (ROOT / "seeds").glob("*.txt")
    )


def test_readme_has_exactly_two_set_up_commands() -> None:
    """One command runs the main job on the seed, one runs the tests; .ci/run reads the latter."""
    commands = re.findall(r"^python3 -m venv .venv && .*$", README, re.M)
    assert len(commands) == 2
    assert "ticker-parse seeds/000_b6ae8b35eee2fbd0.txt" in commands[0]
    assert commands[1].endswith("python -m pytest -q")
    assert "pytest" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
