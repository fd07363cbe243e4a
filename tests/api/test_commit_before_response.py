"""A 2xx means the change is stored: a request's transaction commits before its response
starts. (FastAPI runs a yield dependency's code after `yield` once the response has been
sent unless the dependency is function-scoped; then a client that reads right after a 200 —
the console reloading a list after "Mark done" — can see the old row, and a commit that fails
would follow a 200 nobody can take back.)"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.orm import Session

from tests.support import factories
from tests.support.fixtures import ADMIN_KEY

Asgi = Callable[..., Any]


def _noting_responses(app: FastAPI, order: list[str]) -> Asgi:
    async def wrapped(scope: dict, receive: Asgi, send: Asgi) -> None:  # type: ignore[type-arg]
        async def send_noted(message: dict) -> None:  # type: ignore[type-arg]
            if message["type"] == "http.response.start":
                order.append(f"response {message['status']}")
            await send(message)
        await app(scope, receive, send_noted)
    return wrapped


def test_the_transaction_commits_before_the_response_starts(app: FastAPI, db: Session) -> None:
    sales = factories.department(db)
    order: list[str] = []

    def committed(session: Session) -> None:
        if session is db:
            order.append("commit")

    event.listen(Session, "after_commit", committed)
    try:
        with TestClient(_noting_responses(app, order),
                        headers={"Authorization": f"Bearer {ADMIN_KEY}"}) as client:
            made = client.post("/api/v1/callbacks", json={
                "number": "+44 20 7946 0102", "department_id": sales.id, "language": "en"})
            assert made.status_code == 201, made.text
            assert order == ["commit", "response 201"]
            order.clear()
            done = client.post(f"/api/v1/callbacks/{made.json()['id']}/done")
            assert done.status_code == 200, done.text
            assert order == ["commit", "response 200"]
    finally:
        event.remove(Session, "after_commit", committed)
