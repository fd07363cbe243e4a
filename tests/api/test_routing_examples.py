"""/api/v1/routing-examples on SQLite and PostgreSQL; a department added through the API is
reachable by its examples with no code change."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from agent.personas import nlu_snapshot
from core.config import Settings
from core.models import RoutingExample
from nlu.understand import Route, build_understanding
from tests.support import factories
from tests.support.http import assert_error

BILLING_EXAMPLES = {
    "en": ["my invoice number is missing", "I need a copy of my invoice",
           "can you resend last month's invoice", "the invoice address must change",
           "I need a VAT invoice for my company"],
    "ar": ["أحتاج نسخة من الفاتورة", "أرسلوا لي فاتورة الشهر الماضي", "أريد فاتورة ضريبية",
           "عنوان الفاتورة يجب أن يتغير", "رقم الفاتورة غير موجود"],
}


def test_seeded_examples_are_listed_and_filtered(client: TestClient) -> None:
    sales = next(d for d in client.get("/api/v1/departments").json()["items"]
                 if d["slug"] == "sales")
    page = client.get(f"/api/v1/routing-examples?department_id={sales['id']}&language=ar"
                      "&limit=500").json()
    assert page["total"] >= 40 and len(page["items"]) == page["total"]
    assert {e["department"] for e in page["items"]} == {"sales"}
    assert {e["language"] for e in page["items"]} == {"ar"}


def test_create_get_update_delete(client: TestClient, db: Session) -> None:
    dept = factories.department(db)
    created = client.post("/api/v1/routing-examples", json={
        "department_id": dept.id, "language": "en", "text": "  I need my invoice  "})
    assert created.status_code == 201, created.text
    example = created.json()
    assert example["text"] == "I need my invoice" and example["department"] == dept.slug
    assert client.get(f"/api/v1/routing-examples/{example['id']}").json() == example

    changed = client.patch(f"/api/v1/routing-examples/{example['id']}",
                           json={"text": "invoice please"}).json()
    assert changed["text"] == "invoice please" and changed["language"] == "en"

    assert client.delete(f"/api/v1/routing-examples/{example['id']}").status_code == 204
    assert_error(client.get(f"/api/v1/routing-examples/{example['id']}"), 404, "not_found")


def test_invalid_input_names_the_field(client: TestClient, db: Session) -> None:
    dept = factories.department(db)
    ok = {"department_id": dept.id, "language": "en", "text": "hello"}
    cases = [
        ({**ok, "text": "x" * 301}, "text"),
        ({**ok, "text": "   "}, "text"),
        ({**ok, "language": "english"}, "language"),
        ({**ok, "extra": 1}, "extra"),
    ]
    for body, field in cases:
        assert_error(client.post("/api/v1/routing-examples", json=body), 422, "invalid", field)
    assert_error(client.post("/api/v1/routing-examples", json={**ok, "department_id": 999999}),
                 409, "unknown_reference", "department_id")
    created = client.post("/api/v1/routing-examples", json=ok).json()
    assert_error(client.patch(f"/api/v1/routing-examples/{created['id']}",
                              json={"text": None}), 422, "invalid", "text")


def test_duplicate_example_is_409_and_nothing_written(client: TestClient, db: Session) -> None:
    dept = factories.department(db)
    body = {"department_id": dept.id, "language": "en", "text": "refund my order"}
    assert client.post("/api/v1/routing-examples", json=body).status_code == 201
    before = db.scalar(select(func.count()).select_from(RoutingExample))
    assert_error(client.post("/api/v1/routing-examples", json=body), 409, "conflict", "text")
    assert db.scalar(select(func.count()).select_from(RoutingExample)) == before


def test_examples_go_with_their_department(client: TestClient, db: Session) -> None:
    dept = factories.department(db)
    client.post("/api/v1/routing-examples",
                json={"department_id": dept.id, "language": "en", "text": "tracking my parcel"})
    assert client.delete(f"/api/v1/departments/{dept.id}").status_code == 204
    assert db.scalar(select(func.count()).select_from(RoutingExample)
                     .where(RoutingExample.department_id == dept.id)) == 0


def test_a_department_added_through_the_api_is_reachable_by_its_examples(
        client: TestClient, db: Session, settings: Settings) -> None:
    billing = client.post("/api/v1/departments", json={
        "slug": "billing", "display_name": {"en": "Invoices desk", "ar": "مكتب الفواتير"},
        "persona_name": {"en": "Lina", "ar": "لينا"}, "default_language": "en"}).json()
    for language, texts in BILLING_EXAMPLES.items():
        for text in texts:
            resp = client.post("/api/v1/routing-examples", json={
                "department_id": billing["id"], "language": language, "text": text})
            assert resp.status_code == 201, resp.text

    understanding = build_understanding(nlu_snapshot(db, settings))
    offered = ["sales", "complaints", "billing"]
    for text in ("could you email me a copy of the invoice", "بدي نسخة عن الفاتورة"):
        meaning = understanding.interpret(text, current="reception", offered=offered)
        assert isinstance(meaning, Route) and meaning.department == "billing", (text, meaning)
    # the seeded departments are still told apart
    meaning = understanding.interpret("I want to buy the premium plan", current="reception",
                                      offered=offered)
    assert isinstance(meaning, Route) and meaning.department == "sales"
