"""Shared fixtures: the bundled seeds, and Hypothesis settings for CI."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from ticker_parse._entries import Entries

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
OBSERVER_SEED = SEEDS / "000_b6ae8b35eee2fbd0.txt"
BR_SAMPLES = sorted(SEEDS.glob("br_*.txt"))

# CI runs a fixed, reproducible set of examples; locally every run explores new ones.
settings.register_profile(
    "ci",
    deadline=None,
    derandomize=True,
    max_examples=150,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", deadline=None, suppress_health_check=[HealthCheck.too_slow])
# HYPOTHESIS_PROFILE=deep: a long hunt (the hypothesis-driven fuzzing of tests/fuzz/README.md).
settings.register_profile(
    "deep", deadline=None, max_examples=5000, suppress_health_check=list(HealthCheck)
)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)


@pytest.fixture(scope="session")
def observer_text() -> str:
    """The Pakistan Observer seed page, as scraped."""
    return OBSERVER_SEED.read_text(encoding="utf-8")


def assert_same_entries(got: Entries | None, expected: Entries | None) -> None:
    """Both None (the text needs the general path), or the same rows."""
    if expected is None:
        assert got is None
        return
    assert got is not None
    assert got.equals(expected)
