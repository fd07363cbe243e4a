"""/api/v1/knowledge on SQLite and PostgreSQL: seeded example facts, CRUD, bounds, and an
edited answer is what the assistants answer from."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from agent.personas import nlu_snapshot
from core.config import Settings
from nlu.understand import Answer, build_understanding
from tests.support import factories
from tests.support.http import assert_error

PARKING = {
    "key": "parking",
    "questions": {"en": ["is there parking", "where can I park"], "ar": ["هل يوجد موقف سيارات"]},
    "answers": {"en": "Free parking is behind the building.", "ar": "يوجد موقف مجاني خلف المبنى."},
}


def test_seeded_facts_are_examples_to_replace(client: TestClient) -> None:
    page = client.get("/api/v1/knowledge?limit=500").json()
    keys = {e["key"]: e for e in page["items"]}
    assert {"hours", "address", "services", "plans", "payment", "delivery"} <= set(keys)
    assert all(e["example"] for e in page["items"])
    assert keys["hours"]["department"] is None and keys["trial"]["department"] == "sales"
    assert set(keys["hours"]["answers"]) == {"ar", "en"}
    only_global = client.get("/api/v1/knowledge?global=true&limit=500").json()["items"]
    assert only_global and all(e["department_id"] is None for e in only_global)


def test_create_get_update_delete(client: TestClient, db: Session) -> None:
    dept = factories.department(db)
    created = client.post("/api/v1/knowledge", json={**PARKING, "department_id": dept.id})
    assert created.status_code == 201, created.text
    entry = created.json()
    assert entry["department"] == dept.slug and entry["example"] is False
    assert client.get(f"/api/v1/knowledge/{entry['id']}").json() == entry

    made_global = client.patch(f"/api/v1/knowledge/{entry['id']}",
                               json={"department_id": None}).json()
    assert made_global["department"] is None and made_global["questions"] == PARKING["questions"]

    assert client.delete(f"/api/v1/knowledge/{entry['id']}").status_code == 204
    assert_error(client.get(f"/api/v1/knowledge/{entry['id']}"), 404, "not_found")


def test_editing_a_seeded_example_makes_it_real(client: TestClient) -> None:
    hours = next(e for e in client.get("/api/v1/knowledge?limit=500").json()["items"]
                 if e["key"] == "hours")
    changed = client.patch(f"/api/v1/knowledge/{hours['id']}", json={
        "answers": {"en": "Open daily 8 to 8.", "ar": "مفتوح يومياً من ٨ إلى ٨."}}).json()
    assert changed["example"] is False and changed["answers"]["en"] == "Open daily 8 to 8."


def test_invalid_input_names_the_field(client: TestClient) -> None:
    cases = [
        ({**PARKING, "key": "Has Spaces"}, "key"),
        ({**PARKING, "answers": {"en": "x" * 2001}}, "answers.en"),
        ({**PARKING, "answers": {}}, "answers"),
        ({**PARKING, "answers": {"english": "hi"}}, "answers"),
        ({**PARKING, "questions": {"en": ["q"] * 21}}, "questions.en"),
        ({**PARKING, "questions": {"en": ["x" * 301]}}, "questions.en.0"),
        ({**PARKING, "questions": {"en": []}}, "questions.en"),
    ]
    for body, field in cases:
        assert_error(client.post("/api/v1/knowledge", json=body), 422, "invalid", field)
    # an id in the body that names nothing is a 409 naming it, as everywhere in the API
    assert_error(client.post("/api/v1/knowledge", json={**PARKING, "department_id": 999999}),
                 409, "unknown_reference", "department_id")


def test_duplicate_key_is_409(client: TestClient) -> None:
    assert_error(client.post("/api/v1/knowledge", json={**PARKING, "key": "hours"}), 409,
                 "conflict", "key")


def test_the_assistants_answer_from_what_is_stored(client: TestClient, db: Session,
                                                   settings: Settings) -> None:
    assert client.post("/api/v1/knowledge", json=PARKING).status_code == 201
    understanding = build_understanding(nlu_snapshot(db, settings))
    meaning = understanding.interpret("is there somewhere to park my car", current="reception",
                                      offered=["sales", "complaints"])
    assert isinstance(meaning, Answer) and meaning.entry.key == "parking"
    assert meaning.entry.answer("en") == PARKING["answers"]["en"]
