"""The product's seeded data (app/seed) as the nlu package sees it."""

from __future__ import annotations

import pytest

from app.seed import DEFAULT_DEPARTMENTS, default_knowledge, default_routing_examples
from nlu.understand import KnowledgeEntry, NluData, Understanding, build_understanding


def seed_data() -> NluData:
    names = {d["slug"]: [*d["display_name"].values(), *d["persona_name"].values()]
             for d in DEFAULT_DEPARTMENTS}
    entries = [KnowledgeEntry(key=e["key"], department=e["department"], questions=e["questions"],
                              answers=e["answers"]) for e in default_knowledge()]
    return NluData.of(names, [(r["department"], r["text"]) for r in default_routing_examples()],
                      entries)


@pytest.fixture(scope="session")
def seeded() -> Understanding:
    return build_understanding(seed_data())
