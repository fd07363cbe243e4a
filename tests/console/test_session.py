"""Console sign-in: the session cookie stands for the admin key on the admin API; changes
need the CSRF token; forged, expired and signed-out cookies are refused."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.console.session import COOKIE, new_session, read_session
from core.config import Settings
from tests.support.fixtures import ADMIN_KEY
from tests.support.http import assert_error


@pytest.fixture
def browser(app: FastAPI) -> Iterator[TestClient]:
    """A client without the Bearer key, like the console page."""
    with TestClient(app) as test_client:
        yield test_client


def sign_in(browser: TestClient) -> str:
    resp = browser.post("/console/session", json={"admin_key": ADMIN_KEY})
    assert resp.status_code == 200, resp.text
    assert resp.json()["signed_in"] is True
    return resp.json()["csrf_token"]


def test_sign_in_sets_an_http_only_strict_cookie(browser: TestClient) -> None:
    resp = browser.post("/console/session", json={"admin_key": ADMIN_KEY})
    assert resp.status_code == 200, resp.text
    cookie = resp.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # dev: the page runs on plain http://127.0.0.1
    assert ADMIN_KEY not in cookie and ADMIN_KEY not in resp.text
    assert len(resp.json()["csrf_token"]) >= 32
    status = browser.get("/console/session").json()
    assert status["signed_in"] is True and status["csrf_token"] == resp.json()["csrf_token"]


def test_cookie_is_secure_outside_dev(browser: TestClient, settings: Settings) -> None:
    settings.environment = "production"
    resp = browser.post("/console/session", json={"admin_key": ADMIN_KEY})
    assert "Secure" in resp.headers["set-cookie"]


def test_wrong_key_is_refused_at_its_field(browser: TestClient) -> None:
    assert_error(browser.post("/console/session", json={"admin_key": "nope"}), 401,
                 "unauthorized", "admin_key")
    assert COOKIE not in browser.cookies
    assert browser.get("/console/session").json() == {
        "signed_in": False, "csrf_token": None, "expires_at": None}


def test_sign_in_attempts_are_rate_limited(browser: TestClient) -> None:
    codes = [browser.post("/console/session", json={"admin_key": "guess"}).status_code
             for _ in range(12)]
    assert codes[:10] == [401] * 10
    assert codes[-1] == 429


def test_session_reads_and_changes_with_csrf(browser: TestClient) -> None:
    assert_error(browser.get("/api/v1/departments"), 401, "unauthorized")
    csrf = sign_in(browser)
    assert browser.get("/api/v1/departments").status_code == 200
    body = {"slug": "billing", "display_name": {"en": "Billing"}}
    forged = ("y" if csrf[0] == "x" else "x") + csrf[1:]  # one character changed, always
    assert_error(browser.post("/api/v1/departments", json=body), 403, "forbidden",
                 "X-CSRF-Token")
    assert_error(browser.post("/api/v1/departments", json=body,
                              headers={"X-CSRF-Token": forged}),
                 403, "forbidden", "X-CSRF-Token")
    created = browser.post("/api/v1/departments", json=body, headers={"X-CSRF-Token": csrf})
    assert created.status_code == 201, created.text
    # validation errors keep naming their field for the page
    assert_error(browser.post("/api/v1/numbers", json={"e164": "12", "department_id": 1},
                              headers={"X-CSRF-Token": csrf}), 422, "invalid", "e164")


def test_forged_or_expired_cookie_is_refused(browser: TestClient, settings: Settings) -> None:
    value, _ = new_session(settings)
    payload, signature = value.split(".")
    for bad in (f"{payload}.{signature[:-2]}AA", "garbage", f"{payload}x.{signature}"):
        browser.cookies.set(COOKIE, bad)
        assert_error(browser.get("/api/v1/calls"), 401, "unauthorized", COOKIE)
    expired, _ = new_session(settings, now=0)
    assert read_session(settings, expired) is None
    browser.cookies.set(COOKIE, expired)
    assert_error(browser.get("/api/v1/calls"), 401, "unauthorized", COOKIE)


def test_rotating_the_admin_key_ends_sessions(settings: Settings) -> None:
    value, _ = new_session(settings)
    assert read_session(settings, value) is not None
    rotated = settings.model_copy(update={"admin_api_key": type(settings.admin_api_key)("new")})
    assert read_session(rotated, value) is None


def test_sign_out_clears_the_cookie(browser: TestClient) -> None:
    sign_in(browser)
    resp = browser.delete("/console/session")
    assert resp.status_code == 204
    assert f'{COOKIE}=""' in resp.headers["set-cookie"] and "Max-Age=0" in resp.headers[
        "set-cookie"]
    assert_error(browser.get("/api/v1/departments"), 401, "unauthorized")
    assert browser.get("/console/session").json()["signed_in"] is False


def test_bearer_key_still_works_and_wins(client: TestClient) -> None:
    assert client.post("/api/v1/departments", json={"slug": "bearer"}).status_code == 201
    client.cookies.set(COOKIE, "garbage")
    assert client.get("/api/v1/departments").status_code == 200


def test_page_is_served_with_a_strict_policy(browser: TestClient) -> None:
    resp = browser.get("/console")
    assert resp.status_code == 200
    assert "default-src 'self'" in resp.headers["content-security-policy"]
    assert resp.headers["x-frame-options"] == "DENY"
    assert ADMIN_KEY not in resp.text
    assert browser.get("/console/static/js/main.js").status_code == 200
