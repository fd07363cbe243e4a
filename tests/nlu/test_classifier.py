"""The intent classifier on small data: generalises past its examples, says "not sure" below
the threshold, only lets allowed labels compete."""

from __future__ import annotations

import pytest

from nlu.understand import IntentClassifier

EXAMPLES = [
    ("sales", "I want to buy a plan"), ("sales", "I'd like to purchase a subscription"),
    ("sales", "can I order your service"), ("sales", "أريد شراء باقة"),
    ("sales", "ابغى اشترك"),
    ("complaints", "I have a complaint"), ("complaints", "the service is broken"),
    ("complaints", "my bill is wrong"), ("complaints", "لدي شكوى"),
    ("complaints", "الخدمة سيئة"),
    ("other", "hello"), ("other", "thank you"), ("other", "مرحبا"),
]


@pytest.fixture(scope="module")
def classifier() -> IntentClassifier:
    return IntentClassifier(EXAMPLES, threshold=0.3)


@pytest.mark.parametrize(("text", "label"), [
    ("i would like to buy the premium plan", "sales"),     # paraphrase, not an example
    ("purchasing a subscription please", "sales"),
    ("بدي اشتري الباقه", "sales"),                          # dialect + spelling variant
    ("i want to make a complaint", "complaints"),
    ("عندي شكوي على الخدمه", "complaints"),
])
def test_paraphrases_get_the_right_label(classifier: IntentClassifier, text: str,
                                         label: str) -> None:
    prediction = classifier.predict(text)
    assert prediction.label == label, prediction
    assert prediction.ranking[0] == (label, prediction.confidence)
    assert 0.0 <= prediction.confidence <= 1.0


def test_below_the_threshold_there_is_no_label() -> None:
    strict = IntentClassifier(EXAMPLES, threshold=0.6)
    assert strict.predict("I want to buy a plan").label == "sales"
    prediction = strict.predict("zzq xylophone quantum")
    assert prediction.label is None and prediction.confidence < 0.6
    assert len(prediction.ranking) == 3 and prediction.score("sales") > 0


def test_only_the_allowed_labels_compete(classifier: IntentClassifier) -> None:
    prediction = classifier.predict("I want to buy a plan", labels={"complaints", "other"})
    assert {label for label, _ in prediction.ranking} == {"complaints", "other"}
    assert prediction.label != "sales"


def test_two_labels_work_and_one_is_refused() -> None:
    two = IntentClassifier([("a", "buy a plan"), ("a", "purchase"), ("b", "complaint"),
                            ("b", "broken service")], threshold=0.0)
    assert two.predict("I want to purchase a plan").label == "a"
    assert two.predict("the service is broken").label == "b"
    with pytest.raises(ValueError):
        IntentClassifier([("a", "one"), ("a", "two")])
