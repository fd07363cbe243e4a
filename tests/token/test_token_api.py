"""POST /api/v1/token, POST /api/token and the department list, through the real app."""

from __future__ import annotations

import json
import re

import jwt
from fastapi.testclient import TestClient
from livekit.api import TokenVerifier

from tests.token.conftest import ADMIN_KEY, API_KEY, API_SECRET


def verify(token: str):  # type: ignore[no-untyped-def]
    return TokenVerifier(API_KEY, API_SECRET).verify(token)


def test_token_joins_only_its_room_and_dispatches_the_agent(client: TestClient) -> None:
    r = client.post("/api/v1/token",
                    json={"department": "sales", "language": "ar", "participant_name": "Test"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert set(body) == {"server_url", "participant_token", "room_name"}
    assert body["server_url"] == "ws://10.0.0.9:7880"
    assert re.fullmatch(r"web-sales-[0-9a-f]{10}", body["room_name"])

    claims = verify(body["participant_token"])
    video = claims.video
    assert video.room_join is True and video.room == body["room_name"]
    assert video.can_publish and video.can_subscribe and video.can_publish_data
    for admin_grant in ("room_admin", "room_create", "room_list", "room_record", "recorder",
                        "ingress_admin", "hidden", "agent"):
        assert not getattr(video, admin_grant), admin_grant
    assert claims.name == "Test"
    assert claims.identity.startswith("web-")

    agents = list(claims.room_config.agents)
    assert [a.agent_name for a in agents] == ["cc-test-agent"]
    meta = json.loads(agents[0].metadata)
    assert meta["department"] == "sales" and meta["language"] == "ar"
    assert meta["source"] == "browser"
    assert meta["participant_identity"] == claims.identity


def test_token_ttl_is_short_and_configurable(make_client) -> None:  # type: ignore[no-untyped-def]
    for env, expected in (({}, 600), ({"TOKEN_TTL_SECONDS": "90"}, 90)):
        r = make_client(**env).post("/api/v1/token", json={"department": "reception"})
        raw = jwt.decode(r.json()["participant_token"], options={"verify_signature": False})
        assert raw["exp"] - raw["nbf"] == expected


def test_given_room_name_and_public_url(make_client) -> None:  # type: ignore[no-untyped-def]
    client = make_client(LIVEKIT_PUBLIC_URL="wss://lk.example.test")
    r = client.post("/api/v1/token",
                    json={"department": "complaints", "room_name": "web-my_Room-1"})
    assert r.status_code == 201, r.text
    assert r.json()["room_name"] == "web-my_Room-1"
    assert r.json()["server_url"] == "wss://lk.example.test"
    assert verify(r.json()["participant_token"]).video.room == "web-my_Room-1"


def test_public_tokens_never_join_phone_call_rooms(make_client) -> None:  # type: ignore[no-untyped-def]
    payload = {"department": "sales", "room_name": "call-sales_15550100_abc"}
    r = make_client().post("/api/v1/token", json=payload)
    assert r.status_code == 403 and r.json()["field"] == "room_name"
    authed = make_client(TOKEN_REQUIRES_AUTH="true")
    r = authed.post("/api/v1/token", json=payload,
                    headers={"Authorization": f"Bearer {ADMIN_KEY}"})
    assert r.status_code == 201 and r.json()["room_name"] == payload["room_name"]


def test_language_defaults_to_the_departments(client: TestClient) -> None:
    r = client.post("/api/v1/token", json={"department": "reception"})
    meta = json.loads(verify(r.json()["participant_token"]).room_config.agents[0].metadata)
    assert meta["language"] == "ar"


def test_unknown_department_is_404(client: TestClient) -> None:
    r = client.post("/api/v1/token", json={"department": "nope", "language": "en"})
    assert r.status_code == 404
    assert r.json() == {"error": "not_found",
                        "detail": "No department with slug 'nope'", "field": "department"}


def test_bad_input_is_422_naming_the_field(client: TestClient) -> None:
    cases = [
        ({"language": "ar"}, "department"),
        ({"department": "sales", "language": "fr"}, "language"),
        ({"department": "sales", "room_name": "bad room!"}, "room_name"),
        ({"department": "sales", "room_name": "x" * 65}, "room_name"),
        ({"department": "sales", "participant_name": ""}, "participant_name"),
        ({"department": "../etc"}, "department"),
    ]
    for payload, field in cases:
        r = client.post("/api/v1/token", json=payload)
        assert r.status_code == 422, (payload, r.text)
        body = r.json()
        assert body["error"] == "invalid" and body["field"] == field, (payload, body)
        assert field in body["detail"]

    r = client.post("/api/v1/token", content=b"{not json",
                    headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and r.json()["error"] == "invalid"


def test_rate_limited_per_client_with_retry_after(make_client) -> None:  # type: ignore[no-untyped-def]
    client = make_client(TOKEN_RATE_LIMIT_PER_MINUTE="3")
    for _ in range(3):
        assert client.post("/api/v1/token", json={"department": "sales"}).status_code == 201
    r = client.post("/api/token", json={"department": "sales"})  # same bucket for both shapes
    assert r.status_code == 429
    assert int(r.headers["Retry-After"]) >= 1
    assert r.json()["error"] == "rate_limited" and "retry in" in r.json()["detail"]


def test_auth_required_when_configured(make_client) -> None:  # type: ignore[no-untyped-def]
    client = make_client(TOKEN_REQUIRES_AUTH="true")
    payload = {"department": "sales"}
    r = client.post("/api/v1/token", json=payload)
    assert r.status_code == 401 and r.json()["error"] == "unauthorized"
    assert r.headers["WWW-Authenticate"] == "Bearer"
    r = client.post("/api/v1/token", json=payload, headers={"Authorization": "Bearer wrong"})
    assert r.status_code == 401
    r = client.post("/api/v1/token", json=payload,
                    headers={"Authorization": f"Bearer {ADMIN_KEY}"})
    assert r.status_code == 201
    assert client.get("/api/v1/token/departments").json()["requires_auth"] is True


def test_public_by_default(client: TestClient) -> None:
    assert client.get("/api/v1/token/departments").json()["requires_auth"] is False


def test_legacy_token_endpoint_accepts_the_seed_front_end_body(client: TestClient) -> None:
    r = client.post("/api/token", json={"customer_name": "Test", "department": "reception",
                                        "language": "en", "customer_id": "c-42"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["token"] == body["participant_token"]
    assert body["url"] == body["server_url"] == "ws://10.0.0.9:7880"
    assert body["room_name"].startswith("web-reception-")
    claims = verify(body["token"])
    assert claims.video.room == body["room_name"] and claims.name == "Test"
    meta = json.loads(claims.room_config.agents[0].metadata)
    assert meta == {**meta, "department": "reception", "language": "en", "source": "browser",
                    "customer_id": "c-42", "customer_name": "Test"}


def test_legacy_token_endpoint_minimal_and_invalid(client: TestClient) -> None:
    r = client.post("/api/token", json={"customer_name": "Test", "department": "reception"})
    assert r.status_code == 200  # the seed guide's curl example
    r = client.post("/api/token", json={})
    meta = json.loads(verify(r.json()["token"]).room_config.agents[0].metadata)
    assert meta["department"] == "reception"
    r = client.post("/api/token", json={"department": "ghost"})
    assert r.status_code == 404 and r.json()["field"] == "department"
    r = client.post("/api/token", json={"department": "sales", "customer_id": "x" * 200})
    assert r.status_code == 422 and r.json()["field"] == "customer_id"


def test_department_list_for_the_page(client: TestClient) -> None:
    body = client.get("/api/v1/token/departments").json()
    by_slug = {d["slug"]: d for d in body["departments"]}
    assert {"reception", "sales", "complaints"} <= set(by_slug)
    assert by_slug["sales"]["persona_name"]["en"] == "Sarah"
    assert by_slug["complaints"]["persona_name"]["ar"] == "محمد"
    assert body["languages"] == ["ar", "en"]


def test_openapi_documents_errors_and_auth_as_configured(make_client) -> None:  # type: ignore[no-untyped-def]
    """Public by default: the key is optional and a 401 cannot happen; with
    TOKEN_REQUIRES_AUTH=true the document says the key is required."""
    for path in ("/api/v1/token", "/api/token"):
        public = make_client().get("/openapi.json").json()["paths"][path]["post"]
        assert {"403", "404", "413", "422", "429"} <= set(public["responses"])
        assert "401" not in public["responses"] and {} in public["security"]
        private = make_client(TOKEN_REQUIRES_AUTH="true").get("/openapi.json").json()
        operation = private["paths"][path]["post"]
        assert "401" in operation["responses"] and operation["security"] == [
            {"HTTPBearer": []}]
