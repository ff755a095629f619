"""Shared fixtures: the bundled seeds, and Hypothesis settings for CI."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

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
