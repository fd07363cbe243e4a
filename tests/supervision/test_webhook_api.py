"""LiveKit's webhooks into the API: signature checked (401 otherwise), watches kept."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
from google.protobuf.json_format import MessageToJson
from livekit import api as lkapi
from livekit.protocol import models, webhook
from sqlalchemy import select

from core.models import RoomWatch
from tests.support.http import assert_error

PATH = "/api/v1/livekit/webhook"


def _signed(settings, body: str, secret: str | None = None) -> str:  # type: ignore[no-untyped-def]
    token = lkapi.AccessToken(settings.livekit_api_key,
                              secret or settings.livekit_api_secret.get_secret_value())
    token.claims.sha256 = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
    return token.to_jwt()


def _event(kind: str, room: str, identity: str, participant_kind: int,
           attributes: dict[str, str] | None = None) -> str:
    ev = webhook.WebhookEvent(event=kind, room=models.Room(name=room),
                              participant=models.ParticipantInfo(
                                  identity=identity, kind=participant_kind,
                                  attributes=attributes or {}))
    return MessageToJson(ev)


def test_a_webhook_without_a_valid_signature_is_refused(client, settings) -> None:  # type: ignore[no-untyped-def]
    body = _event("participant_joined", "call-sales_1_x", "sip_1", models.ParticipantInfo.SIP)
    assert_error(client.post(PATH, content=body), 401, "unauthorized", "Authorization")
    forged = _signed(settings, body, secret="x" * 40)
    assert_error(client.post(PATH, content=body, headers={"Authorization": forged}),
                 401, "unauthorized", "Authorization")
    other_body = _signed(settings, body.replace("sales", "other"))
    assert_error(client.post(PATH, content=body, headers={"Authorization": other_body}),
                 401, "unauthorized", "Authorization")


@pytest.mark.parametrize("room", ["call-sales_+442079460102_Ab12", "web-sales-k3j4"])
def test_a_caller_joining_is_watched_until_an_agent_joins(client, settings, db, room) -> None:  # type: ignore[no-untyped-def]
    kind = models.ParticipantInfo.SIP if room.startswith("call-") else \
        models.ParticipantInfo.STANDARD
    joined = _event("participant_joined", room, "caller-1", kind,
                    {"department": "sales", "sip.phoneNumber": "+15551230000"})
    resp = client.post(PATH, content=joined, headers={"Authorization": _signed(settings, joined)})
    assert resp.status_code == 204, resp.text
    watch = db.scalar(select(RoomWatch).where(RoomWatch.room_name == room))
    assert (watch.state, watch.department) == ("waiting", "sales")
    assert watch.source == ("sip" if room.startswith("call-") else "browser")
    assert watch.next_check_at is not None
    agent = _event("participant_joined", room, "agent-AJ_1", models.ParticipantInfo.AGENT)
    client.post(PATH, content=agent, headers={"Authorization": _signed(settings, agent)})
    db.refresh(watch)
    assert (watch.state, watch.next_check_at) == ("answered", None)
    left = _event("participant_left", room, "agent-AJ_1", models.ParticipantInfo.AGENT)
    client.post(PATH, content=left, headers={"Authorization": _signed(settings, left)})
    db.refresh(watch)
    assert watch.state == "lost" and watch.next_check_at is not None


def test_rooms_that_are_not_calls_are_not_watched(client, settings, db) -> None:  # type: ignore[no-untyped-def]
    body = _event("participant_joined", "lobby", "someone", models.ParticipantInfo.STANDARD)
    assert client.post(PATH, content=body,
                       headers={"Authorization": _signed(settings, body)}).status_code == 204
    assert db.get(RoomWatch, "lobby") is None
    assert json.loads(body)["event"] == "participant_joined"
