"""POST /api/v1/livekit/webhook: livekit-server's webhooks (participant joined/left, room
finished), verified with the LiveKit API key and secret (a JWT over the body's SHA-256 in
the Authorization header); anything else is a 401. Configure livekit-server with
`webhook: {api_key: <LIVEKIT_API_KEY>, urls: [http://<api>/api/v1/livekit/webhook]}`."""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated

from fastapi import APIRouter, Header, Request, status
from livekit import api as lkapi

from app.deps import SessionDep, SettingsDep
from app.errors import Unauthorized, responses
from app.supervision.watches import apply_event
from core.models import utcnow

log = logging.getLogger("app.supervision")
router = APIRouter(tags=["livekit"])
LIVEKIT_WEBHOOK_PATH = "/api/v1/livekit/webhook"
EVENTS = ("participant_joined", "participant_left", "participant_connection_aborted",
          "room_finished")


@router.post(LIVEKIT_WEBHOOK_PATH, status_code=status.HTTP_204_NO_CONTENT,
             responses=responses(401), summary="livekit-server webhooks (signed by LiveKit)",
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/webhook+json": {"schema": {"type": "object"}}}}})
async def livekit_webhook(
    request: Request, settings: SettingsDep, session: SessionDep,
    authorization: Annotated[str | None, Header(
        description="The JWT livekit-server signs each webhook with")] = None,
) -> None:
    body = (await request.body()).decode("utf-8", errors="replace")
    receiver = lkapi.WebhookReceiver(lkapi.TokenVerifier(
        settings.livekit_api_key, settings.livekit_api_secret.get_secret_value()))
    try:
        event = receiver.receive(body, authorization or "")
    except Exception as exc:  # a bad signature, an expired token, a body that is not ours
        raise Unauthorized(f"not a webhook signed by this deployment's LiveKit: "
                           f"{type(exc).__name__}", field="Authorization") from exc
    if event.event in EVENTS and event.room.name:
        participant = event.participant if event.HasField("participant") else None
        # committed by the session dependency; two events of one room at once may collide
        # on the watch's insert: the loser's 500 makes livekit-server send it again
        await asyncio.to_thread(apply_event, session, event.event, event.room.name,
                                participant, utcnow())
