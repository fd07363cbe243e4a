"""The classifiers and features measured before choosing `nlu.classifier` (bench/README.md).

Forced choice, no thresholds: routing phrasings pick one of the three departments, knowledge
questions one of the entries, from models fitted on the seeded examples, knowledge phrasings
and built-in intents, exactly the data the product fits. `python -m bench.nlu --compare`.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_union
from sklearn.svm import LinearSVC

from bench.nlu import LANGUAGES, NONE, SLUGS, heldout, seed_data, seed_entries
from bench.tables import markdown_table
from nlu.normalize import canonical, normalize
from nlu.understand import KNOWLEDGE_WEIGHT, builtin_examples


def _tfidf(analyzer: str, ngrams: tuple[int, int], prep: Callable[[str], str] = canonical
           ) -> TfidfVectorizer:
    words = {"token_pattern": r"\S+"} if analyzer == "word" else {}
    return TfidfVectorizer(analyzer=analyzer, ngram_range=ngrams, sublinear_tf=True,
                           lowercase=False, preprocessor=prep, **words)


class Nearest:
    """Mean cosine similarity of the 3 closest examples of each label."""

    def fit(self, matrix, labels):  # type: ignore[no-untyped-def]
        self._matrix, self.classes_ = matrix, np.array(sorted(set(labels)))
        self._labels = np.array(labels)
        return self

    def decision_function(self, rows):  # type: ignore[no-untyped-def]
        sims = (rows @ self._matrix.T).toarray()
        return np.stack([np.sort(sims[:, self._labels == c], axis=1)[:, -3:].mean(axis=1)
                         for c in self.classes_], axis=1)


VARIANTS: dict[str, tuple[Callable[[], object], Callable[[dict], object]]] = {
    "nearest examples, char 2-5": (lambda: _tfidf("char_wb", (2, 5)), lambda w: Nearest()),
    "linear SVM, char 2-5 (chosen)": (lambda: _tfidf("char_wb", (2, 5)),
                                      lambda w: LinearSVC(C=1.0, class_weight=w)),
    "linear SVM, char 2-5, no dialect/clitic normalisation": (
        lambda: _tfidf("char_wb", (2, 5), prep=normalize),
        lambda w: LinearSVC(C=1.0, class_weight=w)),
    "linear SVM, word 1-2": (lambda: _tfidf("word", (1, 2)),
                             lambda w: LinearSVC(C=1.0, class_weight=w)),
    "linear SVM, char 2-5 + word 1-2": (
        lambda: make_union(_tfidf("char_wb", (2, 5)), _tfidf("word", (1, 2))),
        lambda w: LinearSVC(C=1.0, class_weight=w)),
    "logistic regression, char 2-5": (lambda: _tfidf("char_wb", (2, 5)),
                                      lambda w: LogisticRegression(C=10.0, max_iter=2000,
                                                                   class_weight=w)),
}


def _accuracy(vectorizer, model, kind: str, language: str) -> float:  # type: ignore[no-untyped-def]
    items = [(e, t) for e, t in heldout(kind, language) if e != NONE]
    scores = model.decision_function(vectorizer.transform([t for _, t in items]))
    classes = list(model.classes_)
    if kind == "routing":
        wanted = [classes.index(s) for s in SLUGS]
        expected = [e for e, _ in items]
    else:
        wanted = [i for i, c in enumerate(classes) if c.startswith("kb:")]
        expected = [f"kb:{e}" for e, _ in items]
    picked = [classes[wanted[int(np.argmax(row[wanted]))]] for row in scores]
    return 100.0 * float(np.mean([p == e for p, e in zip(picked, expected, strict=True)]))


def compare() -> str:
    entries = seed_entries()
    pairs = [*seed_data().examples, *builtin_examples(),
             *(p for e in entries for p in e.training_pairs())]
    weights = {e.label: KNOWLEDGE_WEIGHT for e in entries}
    rows = []
    for name, (make_vectorizer, make_model) in VARIANTS.items():
        started = time.perf_counter()
        vectorizer = make_vectorizer()
        matrix = vectorizer.fit_transform([t for _, t in pairs])
        model = make_model({label: weights.get(label, 1.0) for label, _ in pairs})
        model.fit(matrix, [label for label, _ in pairs])
        fitted = (time.perf_counter() - started) * 1000
        rows.append([name, *(_accuracy(vectorizer, model, kind, lang)
                             for kind in ("routing", "knowledge") for lang in LANGUAGES),
                     fitted])
    return markdown_table(["model", "routing ar %", "routing en %", "knowledge ar %",
                           "knowledge en %", "fit ms"], rows, digits=1)
