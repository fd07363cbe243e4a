"""/api/v1/departments on SQLite and PostgreSQL."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import Department
from tests.support import factories
from tests.support.http import assert_error

NEW = {
    "slug": "billing", "display_name": {"en": "Billing", "ar": "الفواتير"},
    "persona_name": {"en": "Lina"}, "default_language": "en",
    "instructions": {"en": "You handle invoices.", "ar": "أنت مسؤول عن الفواتير."},
    "welcome": {"en": "Billing, Lina speaking."},
    "voices": {"openai": {"en": "nova"}, "espeak": {"en": "en-us+f3"}},
    "human_transfer_target": "+1 202 555 0199", "handoff_mode": "sip_transfer",
}


def test_seeded_departments_are_listed_with_pagination(client: TestClient) -> None:
    page = client.get("/api/v1/departments").json()
    assert {"reception", "sales", "complaints"} <= {d["slug"] for d in page["items"]}
    assert page["total"] == len(page["items"]) and page["limit"] == 50
    second = client.get("/api/v1/departments?limit=1&offset=1").json()
    assert len(second["items"]) == 1 and second["total"] == page["total"]
    assert second["items"][0]["id"] == page["items"][1]["id"]


def test_create_get_update_delete(client: TestClient) -> None:
    created = client.post("/api/v1/departments", json=NEW)
    assert created.status_code == 201, created.text
    dept = created.json()
    assert dept["human_transfer_target"] == "tel:+12025550199"
    assert dept["instructions"]["ar"] == NEW["instructions"]["ar"] and dept["numbers"] == []

    assert client.get(f"/api/v1/departments/{dept['id']}").json() == dept
    changed = client.patch(f"/api/v1/departments/{dept['id']}",
                           json={"welcome": {"en": "Hi"}, "handoff_mode": None}).json()
    assert changed["welcome"] == {"en": "Hi"} and changed["handoff_mode"] is None
    assert changed["instructions"] == dept["instructions"]  # untouched

    assert client.delete(f"/api/v1/departments/{dept['id']}").status_code == 204
    assert_error(client.get(f"/api/v1/departments/{dept['id']}"), 404, "not_found")


def test_duplicate_slug_is_409_and_nothing_written(client: TestClient, db: Session) -> None:
    before = db.scalar(select(func.count()).select_from(Department))
    assert_error(client.post("/api/v1/departments", json={**NEW, "slug": "sales"}), 409,
                 "conflict", "slug")
    other = factories.department(db)
    assert_error(client.patch(f"/api/v1/departments/{other.id}", json={"slug": "sales"}), 409,
                 "conflict", "slug")
    assert db.scalar(select(func.count()).select_from(Department)) == before + 1
    assert db.get(Department, other.id).slug != "sales"


def test_invalid_input_names_the_field(client: TestClient) -> None:
    cases = [
        ({**NEW, "slug": "Has Spaces"}, "slug"),
        ({**NEW, "welcome": {"english": "hi"}}, "welcome"),
        ({**NEW, "voices": {"openai": {"EN!": "x"}}}, "voices.openai"),
        ({**NEW, "voices": {"Open AI": {"en": "x"}}}, "voices"),
        ({**NEW, "human_transfer_target": "12345"}, "human_transfer_target"),
        ({**NEW, "unknown": 1}, "unknown"),
    ]
    for body, field in cases:
        assert_error(client.post("/api/v1/departments", json=body), 422, "invalid", field)
    dept_id = client.get("/api/v1/departments").json()["items"][0]["id"]
    assert_error(client.patch(f"/api/v1/departments/{dept_id}", json={"slug": None}), 422,
                 "invalid", "slug")


def test_deleting_a_department_with_numbers_is_409(client: TestClient, db: Session) -> None:
    number = factories.number(db)
    body = assert_error(client.delete(f"/api/v1/departments/{number.department_id}"), 409,
                        "conflict", "department_id")
    assert number.e164 in body["detail"]
    assert db.get(Department, number.department_id) is not None


def test_unknown_department_is_404(client: TestClient) -> None:
    for method in ("get", "patch", "delete"):
        kwargs = {"json": {}} if method == "patch" else {}
        assert_error(getattr(client, method)("/api/v1/departments/999999", **kwargs), 404,
                     "not_found", "department_id")
