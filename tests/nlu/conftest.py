"""The product's seeded data (app/seed) as the nlu package sees it (built as the evaluation
builds it)."""

from __future__ import annotations

import pytest

from bench.nlu import seed_data
from nlu.understand import Understanding, build_understanding

__all__ = ["seed_data"]


@pytest.fixture(scope="session")
def seeded() -> Understanding:
    return build_understanding(seed_data())
