"""Knowledge retrieval: the stored entry that answers a caller's question, if any.

An entry has question variants per language and an answer per language; it is global
(`department` None) or belongs to one department. Entries are labels of the same classifier
that routes callers (`nlu.classifier`), learnt from their question variants and answers, so
"is the premium plan available to order" (a sale) and "how much is premium" (a price) are
told apart by one model; retrieval ranks the entries a department may answer from.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from nlu.classifier import IntentClassifier
from nlu.defaults import KNOWLEDGE_THRESHOLD as DEFAULT_THRESHOLD

PREFIX = "kb:"


@dataclass(frozen=True)
class KnowledgeEntry:
    key: str
    answers: Mapping[str, str]  # language -> answer
    questions: Mapping[str, Sequence[str]] = field(default_factory=dict)  # language -> variants
    department: str | None = None  # None: every department may answer it

    def answer(self, language: str) -> str | None:
        """The answer in `language`, else in any language it has."""
        return self.answers.get(language) or next(iter(self.answers.values()), None)

    @property
    def label(self) -> str:
        return PREFIX + self.key

    def training_pairs(self) -> list[tuple[str, str]]:
        """What the classifier learns this entry from: its questions and its answers."""
        texts = [q for qs in self.questions.values() for q in qs] + list(self.answers.values())
        return [(self.label, text) for text in texts if text.strip()]


@dataclass(frozen=True)
class Match:
    entry: KnowledgeEntry
    score: float


class KnowledgeIndex:
    def __init__(self, entries: Sequence[KnowledgeEntry], classifier: IntentClassifier, *,
                 threshold: float = DEFAULT_THRESHOLD) -> None:
        self.entries = list(entries)
        self.threshold = threshold
        self._classifier = classifier
        self._by_label = {e.label: e for e in self.entries}

    def labels_for(self, department: str | None) -> list[str]:
        """Labels of the entries `department`'s assistant may answer from."""
        return [e.label for e in self.entries if e.department in (None, department)]

    def entry(self, label: str) -> KnowledgeEntry | None:
        return self._by_label.get(label)

    def search(self, text: str, department: str | None = None, limit: int = 3) -> list[Match]:
        """Entries for `department` (and global ones), best first, whether or not they reach
        the threshold."""
        ranked = self._classifier.rank(text, self.labels_for(department))[:limit]
        return [Match(self._by_label[label], score) for label, score in ranked]

    def answer(self, text: str, department: str | None = None) -> Match | None:
        """The best entry if it reaches the threshold."""
        found = self.search(text, department, limit=1)
        return found[0] if found and found[0].score >= self.threshold else None
