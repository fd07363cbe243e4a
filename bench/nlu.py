"""NLU evaluation: routing and knowledge answers on the held-out phrasings in bench/data/.

The product's understanding (seeded routing examples and knowledge of the default company,
`nlu.Understanding`, the thresholds it ships with) answers every held-out phrasing the way
the offline assistant would: routing phrasings are said to Reception (Reception phrasings
to Sales), knowledge questions to the department that owns the entry (Reception for global
ones). The held-out files are never loaded by the product and fit nothing.

    python -m bench.nlu                 # the evaluation tables
    python -m bench.nlu --sweep         # the same at other thresholds (how they were chosen)
    python -m bench.nlu --compare       # the classifiers and features that were measured
"""

from __future__ import annotations

import argparse
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from app.seed import DEFAULT_DEPARTMENTS, default_knowledge, default_routing_examples
from bench.tables import markdown_table
from nlu.understand import (
    KNOWLEDGE_THRESHOLD,
    ROUTE_THRESHOLD,
    Answer,
    Clarify,
    HumanRequest,
    KnowledgeEntry,
    NluData,
    Route,
    SmallTalk,
    Understanding,
)

DATA = Path(__file__).resolve().parent / "data"
# held-out sets: v1 (written before the examples existed; looked at since), v2 (written
# 2026-11-27 by someone who had seen neither the examples nor v1, before the examples grew;
# looked at since), v3 (written 2026-11-27 blind to the examples, v1 and v2, before a third
# round of changes; it measures that round; looked at since), v4 (written 2026-11-27 blind to the
# examples and v1-v3, before the fourth round of examples; it measures that round)
SETS = {"v1": DATA, "v2": DATA / "v2", "v3": DATA / "v3", "v4": DATA / "v4"}
LANGUAGES = ("ar", "en")
NONE = "none"  # knowledge questions nothing in the knowledge base answers


def heldout(kind: str, language: str, held: str = "v1") -> list[tuple[str, str]]:
    """(expected, text) pairs of bench/data[/vN]/<kind>.<language>.tsv."""
    rows = []
    path = SETS[held] / f"{kind}.{language}.tsv"
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            expected, text = line.split("\t", 1)
            rows.append((expected.strip(), text.strip()))
    return rows


def seed_entries() -> list[KnowledgeEntry]:
    return [KnowledgeEntry(key=e["key"], department=e["department"], questions=e["questions"],
                           answers=e["answers"]) for e in default_knowledge()]


def seed_data(**thresholds: float) -> NluData:
    """The default company's data, as the agent builds it from the seeded database."""
    names = {d["slug"]: [*d["display_name"].values(), *d["persona_name"].values()]
             for d in DEFAULT_DEPARTMENTS}
    examples = [(r["department"], r["text"]) for r in default_routing_examples()]
    return NluData.of(names, examples, seed_entries(), **thresholds)


def seed_understanding(**thresholds: float) -> Understanding:
    data = seed_data(**thresholds)
    return Understanding(dict(data.names), list(data.examples), data.entries(),
                         route_threshold=data.route_threshold,
                         knowledge_threshold=data.knowledge_threshold)


def outcome(meaning: object) -> str:
    """One word for the table: a department slug, "answer:<key>", "clarify" or "human"."""
    if isinstance(meaning, Route):
        return meaning.department
    if isinstance(meaning, Answer):
        return f"answer:{meaning.entry.key}"
    if isinstance(meaning, HumanRequest):
        return "human"
    if isinstance(meaning, SmallTalk):
        return "smalltalk"
    assert isinstance(meaning, Clarify)
    return "clarify"


SLUGS = [d["slug"] for d in DEFAULT_DEPARTMENTS]


@dataclass
class Result:
    language: str
    expected: str
    got: str
    current: str
    text: str

    @property
    def correct(self) -> bool:
        if self.expected.startswith("answer:") or self.expected == NONE:
            return self.got == self.expected if self.expected != NONE \
                else not self.got.startswith("answer:")
        return self.got == self.expected

    @property
    def wrong_transfer(self) -> bool:
        """Sent somewhere the caller did not ask for: another department or a person."""
        moved = self.got in SLUGS and self.got != self.current
        return (moved or self.got == "human") and self.got != self.expected


def run_routing(model: Understanding, language: str, held: str = "v1") -> list[Result]:
    results = []
    for expected, text in heldout("routing", language, held):
        current = "sales" if expected == "reception" else "reception"
        meaning = model.interpret(text, current=current,
                                  offered=[s for s in SLUGS if s != current])
        results.append(Result(language, expected, outcome(meaning), current, text))
    return results


def run_knowledge(model: Understanding, language: str, held: str = "v1") -> list[Result]:
    owner = {e.key: e.department for e in model.knowledge.entries}
    results = []
    for key, text in heldout("knowledge", language, held):
        current = owner.get(key) or "reception"
        meaning = model.interpret(text, current=current,
                                  offered=[s for s in SLUGS if s != current])
        results.append(Result(language, NONE if key == NONE else f"answer:{key}",
                              outcome(meaning), current, text))
    return results


def pct(part: int, whole: int) -> float | None:
    return 100.0 * part / whole if whole else None


def summary_rows(routing: Sequence[Result], knowledge: Sequence[Result]) -> list[list]:
    rows = []
    for language in LANGUAGES:
        r = [x for x in routing if x.language == language]
        k = [x for x in knowledge if x.language == language and x.expected != NONE]
        none = [x for x in knowledge if x.language == language and x.expected == NONE]
        rows.append([language, len(r), pct(sum(x.correct for x in r), len(r)),
                     pct(sum(x.got == "clarify" for x in r), len(r)),
                     pct(sum(x.wrong_transfer for x in r), len(r)),
                     len(k), pct(sum(x.correct for x in k), len(k)),
                     pct(sum(x.wrong_transfer for x in k), len(k)),
                     f"{sum(not x.correct for x in none)}/{len(none)}"])
    return rows


SUMMARY_HEADERS = ["language", "routing n", "routing %", "clarify %", "wrong transfer %",
                   "knowledge n", "knowledge %", "knowledge wrong transfer %",
                   "answered unanswerable"]


def per_department(routing: Sequence[Result]) -> str:
    rows = []
    for language in LANGUAGES:
        for slug in SLUGS:
            r = [x for x in routing if x.language == language and x.expected == slug]
            rows.append([language, slug, len(r), pct(sum(x.correct for x in r), len(r)),
                         pct(sum(x.got == "clarify" for x in r), len(r)),
                         pct(sum(x.wrong_transfer for x in r), len(r))])
    return markdown_table(["language", "department", "n", "correct %", "clarify %",
                           "wrong transfer %"], rows, digits=1)


def confusion(results: Sequence[Result]) -> str:
    """Expected (rows) against what the assistant did (columns), both languages."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for x in results:
        got = "answer" if x.got.startswith("answer:") else x.got
        counts[x.expected][got] += 1
    columns = [*SLUGS, "answer", "smalltalk", "human", "clarify"]
    rows = [[expected, *(counts[expected][c] for c in columns)] for expected in SLUGS]
    return markdown_table(["expected \\ got", *columns], rows)


def evaluate(model: Understanding, held: str = "v1") -> tuple[list[Result], list[Result]]:
    routing = [r for lang in LANGUAGES for r in run_routing(model, lang, held)]
    knowledge = [r for lang in LANGUAGES for r in run_knowledge(model, lang, held)]
    return routing, knowledge


def report(show_misses: bool = False, held: str = "v1") -> str:
    started = time.perf_counter()
    model = seed_understanding()
    fitted = time.perf_counter() - started
    routing, knowledge = evaluate(model, held)
    parts = [
        f"Held-out set {held}. "
        f"Route threshold {ROUTE_THRESHOLD}, knowledge threshold {KNOWLEDGE_THRESHOLD}; "
        f"{len(model.classifier.labels)} labels ({len(seed_data().examples)} routing examples, "
        f"{len(model.knowledge.entries)} knowledge entries, built-in intents); "
        f"fitted in {fitted * 1000:.0f} ms.",
        markdown_table(SUMMARY_HEADERS, summary_rows(routing, knowledge), digits=1),
        "Routing per department:\n\n" + per_department(routing),
        "Routing confusion (both languages):\n\n" + confusion(routing),
    ]
    if show_misses:
        parts.append("Misses:\n\n" + "\n".join(
            f"- [{x.language}] at {x.current}: expected {x.expected}, got {x.got}: {x.text}"
            for x in routing + knowledge if not x.correct))
    return "\n\n".join(parts)


def sweep(route: Sequence[float], knowledge: Sequence[float], held: str = "v1") -> str:
    rows = []
    for rt in route:
        for kt in knowledge:
            routing, known = evaluate(seed_understanding(route_threshold=rt,
                                                         knowledge_threshold=kt), held)
            for row in summary_rows(routing, known):
                rows.append([rt, kt, *row])
    return markdown_table(["route t", "knowledge t", *SUMMARY_HEADERS], rows, digits=2)


def main(argv: Sequence[str] | None = None, echo: Callable[[str], object] = print) -> None:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sweep", action="store_true", help="evaluate other thresholds")
    p.add_argument("--compare", action="store_true", help="compare classifier variants")
    p.add_argument("--misses", action="store_true", help="list every phrasing missed")
    p.add_argument("--set", dest="held", choices=sorted(SETS), action="append",
                   help="held-out set(s) to evaluate (default: all)")
    args = p.parse_args(argv)
    sets = args.held or sorted(SETS)
    echo("\n\n".join(report(args.misses, held) for held in sets))
    if args.sweep:
        for held in sets:
            echo(f"\nThreshold sweep ({held}):\n\n" + sweep(
                [0.2, 0.25, 0.3, 0.35, 0.4], [0.25, 0.3, 0.35, 0.4, 0.45], held))
    if args.compare:
        from bench.nlu_variants import compare

        echo("\nVariants:\n\n" + compare())


if __name__ == "__main__":
    main()
