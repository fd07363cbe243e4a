"""/api/v1/trunks on SQLite and PostgreSQL: inbound and outbound, write-only password."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from core.config import Settings
from core.encryption import SecretBox
from core.models import PhoneNumber, Trunk
from tests.support import factories
from tests.support.http import assert_error

SECRET = "s3cret-Pa55word"
INBOUND = {"name": "carrier-in", "direction": "inbound",
           "allowed_addresses": ["203.0.113.7", "198.51.100.0/24"],
           "auth_username": "carrier", "auth_password": SECRET}
OUTBOUND = {"name": "carrier-out", "direction": "outbound", "address": "sip.carrier.example",
            "transport": "tcp", "outbound_numbers": ["+12025550150"],
            "auth_username": "us", "auth_password": SECRET}


def test_inbound_trunk_never_echoes_the_password(client: TestClient, db: Session,
                                                 settings: Settings) -> None:
    resp = client.post("/api/v1/trunks", json=INBOUND)
    assert resp.status_code == 201, resp.text
    assert SECRET not in resp.text and "auth_password" not in resp.json()
    trunk = resp.json()
    assert trunk["has_auth"] is True and trunk["auth_username"] == "carrier"
    assert trunk["allowed_addresses"] == ["203.0.113.7/32", "198.51.100.0/24"]
    for text in (client.get(f"/api/v1/trunks/{trunk['id']}").text,
                 client.get("/api/v1/trunks").text):
        assert SECRET not in text
    stored = db.get(Trunk, trunk["id"]).auth_password_encrypted
    assert SECRET not in stored  # encrypted at rest, readable back for LiveKit only
    assert SecretBox.from_settings(settings).decrypt(stored) == SECRET

    cleared = client.patch(f"/api/v1/trunks/{trunk['id']}",
                           json={"auth_username": None, "auth_password": None}).json()
    assert cleared["has_auth"] is False


def test_outbound_trunk(client: TestClient) -> None:
    trunk = client.post("/api/v1/trunks", json=OUTBOUND).json()
    assert (trunk["address"], trunk["transport"], trunk["outbound_numbers"]) == (
        "sip.carrier.example", "tcp", ["+12025550150"])
    listed = client.get("/api/v1/trunks?direction=outbound").json()
    assert [t["name"] for t in listed["items"]] == ["carrier-out"] and listed["total"] == 1
    default_transport = client.post("/api/v1/trunks", json={
        "name": "plain", "direction": "outbound", "address": "10.0.0.1:5060"}).json()
    assert default_transport["transport"] == "auto"


def test_invalid_trunks_name_the_field(client: TestClient, db: Session) -> None:
    inbound = factories.trunk(db)
    cases = [
        ({**INBOUND, "allowed_addresses": ["not-an-ip"]}, "allowed_addresses.0"),
        ({**INBOUND, "address": "sip.example"}, "address"),
        ({**INBOUND, "auth_password": None}, "auth_password"),
        ({**OUTBOUND, "address": None}, "address"),
        ({**OUTBOUND, "transport": "carrier-pigeon"}, "transport"),
        ({**OUTBOUND, "outbound_numbers": ["12"]}, "outbound_numbers.0"),
        ({**INBOUND, "direction": "sideways"}, "direction"),
    ]
    for body, field in cases:
        assert_error(client.post("/api/v1/trunks", json=body), 422, "invalid", field)
    assert_error(client.patch(f"/api/v1/trunks/{inbound.id}", json={"direction": "outbound"}),
                 422, "invalid", "direction")
    # valid requests that the trunk as it is cannot take
    assert_error(client.patch(f"/api/v1/trunks/{inbound.id}", json={"auth_username": "x"}),
                 409, "conflict", "auth_password")
    assert_error(client.patch(f"/api/v1/trunks/{inbound.id}", json={"address": "pbx.example"}),
                 409, "conflict", "address")


def test_duplicate_name_is_409(client: TestClient, db: Session) -> None:
    existing = factories.trunk(db)
    assert_error(client.post("/api/v1/trunks", json={**INBOUND, "name": existing.name}), 409,
                 "conflict", "name")


def test_deleting_a_trunk_moves_its_numbers_to_the_default(client: TestClient,
                                                           db: Session) -> None:
    trunk = factories.trunk(db)
    num = factories.number(db, trunk_id=trunk.id, sync_status="synced")
    assert client.get(f"/api/v1/trunks/{trunk.id}").json()["numbers"] == [num.e164]
    assert client.delete(f"/api/v1/trunks/{trunk.id}").status_code == 204
    assert_error(client.get(f"/api/v1/trunks/{trunk.id}"), 404, "not_found", "trunk_id")
    db.expire_all()
    moved = db.get(PhoneNumber, num.id)
    assert moved.trunk_id is None and moved.sync_status == "pending"


def test_a_trusted_trunk_may_send_unassigned_numbers_to_a_department(client: TestClient,
                                                                     db: Session) -> None:
    reception = factories.department(db)
    catch_all = {**INBOUND, "unassigned_department_id": reception.id}
    trunk = client.post("/api/v1/trunks", json=catch_all).json()
    assert trunk["unassigned_department_id"] == reception.id
    # only one trunk may take any called number (livekit-server refuses two)
    assert_error(client.post("/api/v1/trunks", json={**catch_all, "name": "second"}), 409,
                 "conflict", "unassigned_department_id")
    # anonymous traffic to unknown numbers keeps livekit-sip's flood protection
    anonymous = {"name": "anonymous", "direction": "inbound",
                 "unassigned_department_id": reception.id}
    assert_error(client.post("/api/v1/trunks", json=anonymous), 422, "invalid",
                 "unassigned_department_id")
    assert_error(client.patch(f"/api/v1/trunks/{trunk['id']}", json={
        "allowed_addresses": [], "auth_username": None, "auth_password": None}), 409,
        "conflict", "unassigned_department_id")
    assert_error(client.post("/api/v1/trunks", json={
        **INBOUND, "name": "unknown", "unassigned_department_id": 999_999}), 409,
        "unknown_reference", "unassigned_department_id")
    assert_error(client.post("/api/v1/trunks", json={
        **OUTBOUND, "unassigned_department_id": reception.id}), 422, "invalid",
        "unassigned_department_id")
    # the department cannot go while it answers those calls
    assert_error(client.delete(f"/api/v1/departments/{reception.id}"), 409, "conflict",
                 "department_id")
    cleared = client.patch(f"/api/v1/trunks/{trunk['id']}",
                           json={"unassigned_department_id": None})
    assert cleared.status_code == 200 and cleared.json()["unassigned_department_id"] is None
    assert client.delete(f"/api/v1/departments/{reception.id}").status_code == 204
