"""Intent classification: which label (department, knowledge entry, built-in intent) a
caller's sentence is about, with a confidence.

A linear support-vector classifier (one-vs-rest) on character n-gram features, fitted on the
labelled phrasings it is given. It generalises beyond them because it learns which pieces of
words tell the labels apart ("شكو", "broke", "اشتر") rather than matching whole sentences;
bench/README.md compares it with nearest-example similarity and logistic regression.
A label's confidence is the logistic of its margin (0.5 = on the boundary); only the labels
allowed at this point of the call compete. Fitting takes tens of milliseconds for a few
hundred phrasings; `nlu.understand` caches fitted models by content.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from sklearn.svm import LinearSVC

from nlu.defaults import ROUTE_THRESHOLD as DEFAULT_THRESHOLD
from nlu.features import vectorizer

MARGIN_SCALE = 2.0  # confidence = logistic(MARGIN_SCALE * margin)


@dataclass(frozen=True)
class Prediction:
    label: str | None  # None: the best label did not reach the threshold
    confidence: float
    ranking: list[tuple[str, float]] = field(default_factory=list)  # best first

    def score(self, label: str) -> float:
        return next((s for name, s in self.ranking if name == label), 0.0)


class IntentClassifier:
    def __init__(self, examples: Sequence[tuple[str, str]], *,
                 weights: Mapping[str, float] | None = None,
                 threshold: float = DEFAULT_THRESHOLD) -> None:
        """`examples`: (label, text) pairs, languages mixed, at least two labels;
        `weights`: label -> weight of its examples (default 1)."""
        self.threshold = threshold
        self.labels = sorted({label for label, _ in examples})
        if len(self.labels) < 2:
            raise ValueError("a classifier needs examples of at least two labels")
        self._vectorizer = vectorizer()
        matrix = self._vectorizer.fit_transform([text for _, text in examples])
        self._analyzer = self._vectorizer.build_analyzer()
        weights = weights or {}
        self._model = LinearSVC(C=1.0, class_weight={x: weights.get(x, 1.0)
                                                     for x in self.labels})
        self._model.fit(matrix, [label for label, _ in examples])
        self._column = {label: i for i, label in enumerate(self._model.classes_)}

    def known_fraction(self, text: str) -> float:
        """The share of `text`'s n-grams that occur in the examples (0 for no n-grams): how
        much of it the margins are about. Mash and foreign words have few known n-grams, and
        a linear model's margins then mostly reflect the labels' sizes."""
        grams = self._analyzer(text)
        vocabulary = self._vectorizer.vocabulary_
        return sum(g in vocabulary for g in grams) / len(grams) if grams else 0.0

    def rank(self, text: str, labels: Collection[str] | None = None) -> list[tuple[str, float]]:
        """(label, confidence) for `labels` (default all), best first."""
        margins = np.atleast_1d(self._model.decision_function(
            self._vectorizer.transform([text]))[0])
        if len(self._column) == 2:  # binary: one margin, for the second class
            margins = np.array([-margins[0], margins[0]])
        wanted = self.labels if labels is None else [x for x in self.labels if x in labels]
        scored = [(x, 1.0 / (1.0 + math.exp(-MARGIN_SCALE * float(margins[self._column[x]]))))
                  for x in wanted]
        return sorted(scored, key=lambda pair: pair[1], reverse=True)

    def predict(self, text: str, labels: Collection[str] | None = None) -> Prediction:
        """The best of `labels` (default all) for `text`, None below the threshold."""
        ranking = self.rank(text, labels)
        if not ranking:
            return Prediction(None, 0.0, [])
        top, confidence = ranking[0]
        return Prediction(top if confidence >= self.threshold else None, confidence, ranking)
