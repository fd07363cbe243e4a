"""The NLU evaluation: it runs end to end (as `contact-center eval`), its held-out set is kept
apart from what the product fits, and its counting rules are right."""

from __future__ import annotations

import itertools
from pathlib import Path

from typer.testing import CliRunner

from app.seed import default_knowledge, default_routing_examples
from bench.nlu import NONE, SETS, Result, heldout
from cli.main import cli
from nlu.normalize import canonical

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("core", "nlu", "app", "agent", "sip", "livekit_stack", "migrations")  # not cli: eval


def test_eval_prints_the_tables() -> None:
    out = CliRunner().invoke(cli, ["eval"])
    assert out.exit_code == 0, out.output
    for heading in ("| language | routing n | routing %", "Routing per department",
                    "Routing confusion", "| ar ", "| en "):
        assert heading in out.output


def test_the_held_out_set_is_big_enough_and_apart_from_the_examples() -> None:
    fitted = {canonical(r["text"]) for r in default_routing_examples()}
    fitted |= {canonical(q) for e in default_knowledge() for qs in e["questions"].values()
               for q in qs}
    for held, language in itertools.product(SETS, ("ar", "en")):
        items = heldout("routing", language, held) + heldout("knowledge", language, held)
        assert len(heldout("routing", language, held)) >= 150
        assert not {canonical(t) for _, t in items} & fitted, held
    for folder in PRODUCT:  # nothing the product runs reads the held-out files
        for path in (ROOT / folder).rglob("*.py"):
            assert "bench/data" not in path.read_text() and "heldout" not in path.read_text()


def test_counting_rules() -> None:
    moved = Result("en", "sales", "complaints", "reception", "x")
    assert not moved.correct and moved.wrong_transfer
    stayed = Result("en", "sales", "reception", "reception", "x")
    assert not stayed.correct and not stayed.wrong_transfer
    asked = Result("en", "sales", "clarify", "reception", "x")
    assert not asked.wrong_transfer
    assert Result("en", NONE, "clarify", "reception", "x").correct
    assert not Result("en", NONE, "answer:hours", "reception", "x").correct
    assert Result("en", "answer:hours", "answer:hours", "reception", "x").correct
    assert Result("en", "sales", "human", "reception", "x").wrong_transfer
