"""What a sentence means to the assistant, on the product's seeded data: the issue's
paraphrases, knowledge answers, one clarifying question, a person only when asked for."""

from __future__ import annotations

import pytest

from nlu.understand import (
    Answer,
    Clarify,
    HumanRequest,
    KnowledgeEntry,
    NluData,
    Route,
    SmallTalk,
    Understanding,
    build_understanding,
)
from tests.nlu.conftest import seed_data

AT_RECEPTION = {"current": "reception", "offered": ["sales", "complaints"]}


@pytest.mark.parametrize(("text", "department"), [
    ("I'd like to place an order", "sales"),
    ("ok so um I want to sign up for the premium plan", "sales"),
    ("can I speak to the failed department", "sales"),           # "sales" mis-recognised
    ("ابغى اشترك بالباقة المميزة", "sales"),
    ("the service was unacceptable", "complaints"),
    ("I'm not satisfied", "complaints"),
    ("I have a complaint about my last wheel", "complaints"),    # "bill" mis-recognised
    ("أنا مش راضي عن الخدمة", "complaints"),
    ("الموظف كان وقحا", "complaints"),                           # not "ask for a person"
    ("I want to talk to Sarah", "sales"),                        # persona name
])
def test_paraphrases_reach_the_department(seeded: Understanding, text: str,
                                          department: str) -> None:
    meaning = seeded.interpret(text, **AT_RECEPTION)
    assert isinstance(meaning, Route) and meaning.department == department, meaning


@pytest.mark.parametrize(("text", "key"), [
    ("What are your opening hours?", "hours"),
    ("Where is your office?", "address"),
    ("How much does the premium plan cost?", "plans"),
    ("متى تفتحون", "hours"),
    ("وين مكتبكم", "address"),
    ("قديش سعر الباقة المميزة", "plans"),
])
def test_factual_questions_get_the_stored_answer(seeded: Understanding, text: str,
                                                 key: str) -> None:
    meaning = seeded.interpret(text, **AT_RECEPTION)
    assert isinstance(meaning, Answer) and meaning.entry.key == key, meaning


def test_department_entries_are_answered_only_there(seeded: Understanding) -> None:
    question = "is there a free trial"
    at_sales = seeded.interpret(question, current="sales", offered=["reception", "complaints"])
    assert isinstance(at_sales, Answer) and at_sales.entry.key == "trial"
    assert "trial" not in {m.entry.key for m in seeded.lookup(question, "complaints")}
    assert seeded.lookup(question, "sales")[0].entry.key == "trial"


def test_an_answer_beats_staying_with_the_same_department(seeded: Understanding) -> None:
    meaning = seeded.interpret("how long until my complaint is answered", current="complaints",
                               offered=["reception", "sales"])
    assert isinstance(meaning, Answer) and meaning.entry.key == "complaint-time"


def test_a_person_only_when_asked_for(seeded: Understanding) -> None:
    for text in ("I want to talk to a real person", "أريد التحدث مع موظف", "بدي احكي مع موظف"):
        assert isinstance(seeded.interpret(text, **AT_RECEPTION), HumanRequest), text
    for text in ("your agent was rude to me", "الموظف ما كان محترم"):
        assert not isinstance(seeded.interpret(text, **AT_RECEPTION), HumanRequest), text


def test_unclear_turns_are_clarified_and_greetings_are_small_talk(seeded: Understanding) -> None:
    for text in ("hmm", "blue", "الطقس", "who won the game", "asdf qwerty"):
        assert isinstance(seeded.interpret(text, **AT_RECEPTION), Clarify), text
    assert isinstance(seeded.interpret("good morning", **AT_RECEPTION), SmallTalk)


def test_a_named_department_loses_to_a_clear_complaint_about_it(seeded: Understanding) -> None:
    meaning = seeded.interpret("the sales guy was rude to me, I want to file a complaint",
                               **AT_RECEPTION)
    assert isinstance(meaning, Route) and meaning.department == "complaints"


def test_equal_data_shares_one_fitted_model() -> None:
    assert build_understanding(seed_data()) is build_understanding(seed_data())
    other = NluData.of({"a": ["Alpha"]}, [("a", "alpha things")],
                       [KnowledgeEntry(key="k", answers={"en": "yes"}, questions={"en": ["q"]})])
    assert build_understanding(other) is not build_understanding(seed_data())


def test_answers_fall_back_to_another_language() -> None:
    entry = KnowledgeEntry(key="k", answers={"en": "Open 9 to 5."})
    assert entry.answer("ar") == "Open 9 to 5." and entry.answer("en") == "Open 9 to 5."


def test_mash_and_in_person_are_not_understood_as_requests(seeded: Understanding) -> None:
    for text in ("asdf qwerty", "zxcvb poiuy", "ضصثق فغعه"):  # few known n-grams
        assert isinstance(seeded.interpret(text, **AT_RECEPTION), Clarify), text
    meaning = seeded.interpret("can I come to see you in person", **AT_RECEPTION)
    assert not isinstance(meaning, HumanRequest), meaning


def test_questions_no_entry_answers_are_not_answered(seeded: Understanding) -> None:
    # (unseen synonyms still slip through: "any open positions" gets the opening hours)
    for text in ("who is the owner of the company", "فيه وظايف عندكم", "مين مؤسس الشركة"):
        assert not isinstance(seeded.interpret(text, **AT_RECEPTION), Answer), text


def test_an_operator_entry_on_an_unanswered_topic_wins_over_the_builtin_other() -> None:
    """The built-in "other" intent holds questions knowledge bases usually lack (careers,
    parking); an operator who adds such an entry gets it answered."""
    data = seed_data()
    careers = KnowledgeEntry(key="careers", answers={"en": "See our jobs page."},
                             questions={"en": ["are you hiring", "job vacancies",
                                               "how do i apply for a job"],
                                        "ar": ["عندكم وظائف", "كيف اقدم على وظيفة"]})
    model = build_understanding(NluData.of(dict(data.names), list(data.examples),
                                           [*data.entries(), careers]))
    for text in ("do you have any vacancies", "فيه وظايف عندكم"):
        meaning = model.interpret(text, **AT_RECEPTION)
        assert isinstance(meaning, Answer) and meaning.entry.key == "careers", (text, meaning)
