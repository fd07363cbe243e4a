"""What a caller's sentence means for the assistant: go to a department, get an answer from the
knowledge base, ask for a person, or (nothing confident) be asked what they need.

One `Understanding` is built per set of data (departments' names and routing examples, the
knowledge entries) and cached by content, so every call with the same data reuses it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from nlu.classifier import DEFAULT_THRESHOLD as ROUTE_THRESHOLD
from nlu.classifier import IntentClassifier
from nlu.defaults import MIN_KNOWN
from nlu.lexicon import NOT_PERSON, PERSON_WORDS
from nlu.normalize import contains_any, normalize
from nlu.retrieval import DEFAULT_THRESHOLD as KNOWLEDGE_THRESHOLD
from nlu.retrieval import KnowledgeEntry, KnowledgeIndex, Match

HUMAN = "__human__"  # built-in intent: "let me talk to a person"
SMALLTALK = "__smalltalk__"  # built-in intent: greetings, thanks, yes/no
OTHER = "__other__"  # built-in: talk about nothing the contact center does (never routed)
# label -> nlu/intents/<name>.<lang>.txt
BUILTIN = {HUMAN: "human", SMALLTALK: "smalltalk", OTHER: "other"}
LANGUAGES = ("ar", "en")
# Knowledge entries have far fewer phrasings than departments; their examples count double
# so a question is not pulled to a department for lack of data (bench/README.md, NLU).
KNOWLEDGE_WEIGHT = 2.0


@dataclass(frozen=True)
class Route:
    department: str
    confidence: float


@dataclass(frozen=True)
class Answer:
    entry: KnowledgeEntry
    confidence: float


@dataclass(frozen=True)
class HumanRequest:
    confidence: float


@dataclass(frozen=True)
class SmallTalk:
    confidence: float


@dataclass(frozen=True)
class Clarify:
    confidence: float


Meaning = Route | Answer | HumanRequest | SmallTalk | Clarify


def asks_for_person(text: str) -> bool:
    """True when `text` has a word for a person ("agent", "موظف") outside idioms such as
    "in person" that only look like one."""
    norm = normalize(text)
    for idiom in NOT_PERSON:
        norm = norm.replace(normalize(idiom), " ")
    return contains_any(norm, PERSON_WORDS) is not None


def builtin_examples() -> list[tuple[str, str]]:
    """The packaged examples of the built-in intents, as (label, text) pairs."""
    pairs = []
    for label, name in BUILTIN.items():
        for language in LANGUAGES:
            path = resources.files(__package__).joinpath(f"intents/{name}.{language}.txt")
            pairs += [(label, line.strip())
                      for line in path.read_text(encoding="utf-8").splitlines()
                      if line.strip() and not line.startswith("#")]
    return pairs


class Understanding:
    def __init__(self, names: Mapping[str, Sequence[str]], examples: Sequence[tuple[str, str]],
                 knowledge: Sequence[KnowledgeEntry], *,
                 route_threshold: float = ROUTE_THRESHOLD,
                 knowledge_threshold: float = KNOWLEDGE_THRESHOLD) -> None:
        """`names`: slug -> names a caller may use for the department; `examples`: (slug,
        text) routing examples; `knowledge`: the entries the assistants may answer from."""
        self.names = {slug: [n for n in ns if len(normalize(n)) >= 3]
                      for slug, ns in names.items()}
        self.route_threshold = route_threshold
        pairs = [*examples, *builtin_examples(),
                 *(p for entry in knowledge for p in entry.training_pairs())]
        self.classifier = IntentClassifier(
            pairs, threshold=route_threshold,
            weights={entry.label: KNOWLEDGE_WEIGHT for entry in knowledge})
        self.knowledge = KnowledgeIndex(knowledge, self.classifier,
                                        threshold=knowledge_threshold)

    def named_department(self, text: str, offered: Collection[str]) -> str | None:
        """A department the caller names (slug, display or persona name)."""
        for slug in offered:
            if contains_any(text, [slug, *self.names.get(slug, ())]):
                return slug
        return None

    def interpret(self, text: str, *, current: str | None, offered: Collection[str]) -> Meaning:
        """What `text`, said to `current`'s assistant, asks for; `offered` are the departments
        the caller can be handed to."""
        departments = {*offered, *([current] if current else [])}
        answerable = self.knowledge.labels_for(current)
        ranking = self.classifier.rank(text, {*departments, *answerable, *BUILTIN})
        top, confidence = ranking[0]
        # mostly unknown n-grams (mash, a foreign language): the margins say little
        familiar = self.classifier.known_fraction(text) >= MIN_KNOWN
        sure = familiar and confidence >= self.route_threshold
        if top == HUMAN and asks_for_person(text):
            return HumanRequest(confidence)
        named = self.named_department(text, [s for s in offered if s != current])
        if named and not (sure and top in offered and top != named):  # "complain about sales"
            return Route(named, 1.0)
        best = next(((x, c) for x, c in ranking if x in answerable), None)
        answer = self.knowledge.entry(best[0]) if familiar and best and best[1] >= \
            self.knowledge.threshold else None
        if answer and (top == best[0] or top == current):  # an answer beats staying put
            return Answer(answer, best[1])
        if sure and top in departments:
            return Route(top, confidence)
        if sure and top == SMALLTALK:
            return SmallTalk(confidence)
        return Clarify(confidence)

    def lookup(self, text: str, department: str | None, limit: int = 3) -> list[Match]:
        """The entries closest to `text` for `department` (and global ones), best first."""
        return self.knowledge.search(text, department, limit)


@dataclass(frozen=True)
class NluData:
    """Everything an Understanding is built from, hashable, so equal data share one model."""

    names: tuple[tuple[str, tuple[str, ...]], ...]
    examples: tuple[tuple[str, str], ...]
    knowledge: tuple[tuple[str, str | None, tuple[tuple[str, tuple[str, ...]], ...],
                           tuple[tuple[str, str], ...]], ...]
    route_threshold: float = ROUTE_THRESHOLD
    knowledge_threshold: float = KNOWLEDGE_THRESHOLD

    @classmethod
    def of(cls, names: Mapping[str, Sequence[str]], examples: Sequence[tuple[str, str]],
           knowledge: Sequence[KnowledgeEntry], **thresholds: float) -> NluData:
        return cls(
            names=tuple((slug, tuple(ns)) for slug, ns in sorted(names.items())),
            examples=tuple(sorted(examples)),
            knowledge=tuple((e.key, e.department,
                             tuple((lang, tuple(qs)) for lang, qs in sorted(e.questions.items())),
                             tuple(sorted(e.answers.items())))
                            for e in knowledge),
            **thresholds)

    def entries(self) -> list[KnowledgeEntry]:
        return [KnowledgeEntry(key=key, department=dept, questions=dict(questions),
                               answers=dict(answers))
                for key, dept, questions, answers in self.knowledge]


@lru_cache(maxsize=8)
def build_understanding(data: NluData) -> Understanding:
    """The Understanding of `data`, fitted once per process for equal data."""
    return Understanding(dict(data.names), list(data.examples), data.entries(),
                         route_threshold=data.route_threshold,
                         knowledge_threshold=data.knowledge_threshold)
