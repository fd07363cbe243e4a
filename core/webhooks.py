"""Webhook events: their JSON (pydantic models, in the OpenAPI document under `webhooks`) and
the outbox they are written to.

The agent writes a call's events through `agent.records.CallRecorder`; `enqueue` runs in the
same transaction as the call event it reports and adds the event body once
(`webhook_events`) and one delivery per active subscription to its type
(`webhook_deliveries`). So an event is in the outbox if and only if it happened: nothing is
lost when the API (which delivers) is down, and nothing is written twice. A cursor over
committed `call_events` read by the API would skip rows whose ids were taken before, and
committed after, a later one (PostgreSQL sequences), which is why the writer fills the outbox.

Every body is `{"id", "type", "timestamp", "data"}`; `id` is the `webhook-id` header too
(the same for every subscription and every retry: receivers de-duplicate on it).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import CallEvent, CallRecord, WebhookDelivery, WebhookEvent, WebhookSubscription

EventType = Literal["call.started", "call.handed_over", "call.transferred",
                    "callback.requested", "call.ended"]
EVENT_TYPES: tuple[str, ...] = EventType.__args__  # type: ignore[attr-defined]


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


class CallInfo(BaseModel):
    """The call, as it is when the event happens (in every event's `data`)."""

    call_id: str
    source: Literal["sip", "browser"]
    caller: str | None = Field(description="SIP From user (phone) or the browser identity")
    called_number: str | None = Field(description="The department number dialled (E.164)")
    customer_id: str | None
    department: str = Field(description="Department slug the caller is with")
    language: str
    started_at: datetime
    parent_call_id: str | None = Field(
        description="The call this one was handed over from (SIP handoff), if any")


class CallStartedData(CallInfo):
    pass


class CallHandedOverData(CallInfo):
    from_department: str
    to_department: str
    reason: str
    via: str = Field(description="assistant | dtmf")
    mode: Literal["in_room", "sip_transfer"] = Field(
        description="in_room: same call, another assistant; sip_transfer: the call moved to "
                    "the other department's number (a new call record follows)")


class CallTransferredData(CallInfo):
    target: str = Field(description="The human line the caller was transferred to")
    reason: str


class CallbackRequestedData(CallInfo):
    reason: str
    via: str = Field(description="assistant | dtmf")


class CallEndedData(CallInfo):
    ended_at: datetime
    duration_seconds: float
    end_reason: str
    outcome: str = Field(description="resolved | handed_over | transferred_to_human | "
                                     "callback_requested | abandoned | failed")
    summary: str
    summary_source: Literal["rules", "llm"]
    departments: list[str]
    reasons: list[str]
    request: str | None = Field(description="The caller's request in their words")
    has_recording: bool


class _Event(BaseModel):
    id: str = Field(description="Unique per event; also the webhook-id header")
    timestamp: datetime = Field(description="When it happened")


class CallStarted(_Event):
    type: Literal["call.started"]
    data: CallStartedData


class CallHandedOver(_Event):
    type: Literal["call.handed_over"]
    data: CallHandedOverData


class CallTransferred(_Event):
    type: Literal["call.transferred"]
    data: CallTransferredData


class CallbackRequested(_Event):
    type: Literal["callback.requested"]
    data: CallbackRequestedData


class CallEnded(_Event):
    type: Literal["call.ended"]
    data: CallEndedData


EVENT_MODELS: dict[str, type[_Event]] = {
    "call.started": CallStarted, "call.handed_over": CallHandedOver,
    "call.transferred": CallTransferred, "callback.requested": CallbackRequested,
    "call.ended": CallEnded}


def _info(record: CallRecord) -> dict[str, Any]:
    return {"call_id": record.id, "source": record.source, "caller": record.caller,
            "called_number": record.called_number, "customer_id": record.customer_id,
            "department": record.current_department, "language": record.language,
            "started_at": _utc(record.started_at), "parent_call_id": record.parent_call_id}


def _handed_over(mode: str) -> Callable[[dict[str, Any], CallRecord], dict[str, Any]]:
    def data(event: dict[str, Any], _: CallRecord) -> dict[str, Any]:
        return {"from_department": event.get("from", ""), "to_department": event.get("to", ""),
                "reason": event.get("reason", ""), "via": event.get("via", ""), "mode": mode}
    return data


def _ended(_: dict[str, Any], record: CallRecord) -> dict[str, Any]:
    details = record.summary_details or {}
    return {"ended_at": _utc(record.ended_at or datetime.now(UTC)),
            "duration_seconds": record.duration_seconds or 0.0,
            "end_reason": record.end_reason or "", "outcome": record.outcome or "",
            "summary": record.summary or "", "summary_source": record.summary_source or "rules",
            "departments": details.get("departments", [record.first_department]),
            "reasons": details.get("reasons", []), "request": details.get("request"),
            "has_recording": record.recording_file is not None}


# call event kind -> (webhook event type, its data beyond CallInfo)
FROM_CALL_EVENT: dict[str, tuple[str, Callable[[dict[str, Any], CallRecord], dict[str, Any]]]] = {
    "started": ("call.started", lambda e, r: {}),
    "handoff": ("call.handed_over", _handed_over("in_room")),
    "handoff_transferred": ("call.handed_over", _handed_over("sip_transfer")),
    "transfer_succeeded": ("call.transferred",
                           lambda e, r: {"target": e.get("target", ""),
                                         "reason": e.get("reason", "")}),
    "callback_requested": ("callback.requested",
                           lambda e, r: {"reason": e.get("reason", ""), "via": e.get("via", "")}),
    "ended": ("call.ended", _ended),
}


def new_event_id() -> str:
    return "msg_" + uuid.uuid4().hex


def build(kind: str, data: dict[str, Any], record: CallRecord, at: datetime,
          event_id: str | None = None) -> _Event | None:
    """The webhook event a call event of `kind` is reported as (None: not reported)."""
    mapping = FROM_CALL_EVENT.get(kind)
    if mapping is None:
        return None
    type_, extra = mapping
    model = EVENT_MODELS[type_]
    return model.model_validate({"id": event_id or new_event_id(), "type": type_,
                                 "timestamp": _utc(at),
                                 "data": _info(record) | extra(data, record)})


def subscribers(db: Session, event_type: str) -> list[WebhookSubscription]:
    rows = db.scalars(select(WebhookSubscription).where(WebhookSubscription.active.is_(True))
                      .order_by(WebhookSubscription.id))
    return [s for s in rows if event_type in (s.event_types or [])]


def enqueue(db: Session, event: CallEvent) -> WebhookEvent | None:
    """Put `event` (just added to `db`) in the outbox of every subscription to its type, in
    the caller's transaction. Returns the stored event (None: nobody subscribes)."""
    mapping = FROM_CALL_EVENT.get(event.kind)
    if mapping is None:
        return None
    targets = subscribers(db, mapping[0])
    record = db.get(CallRecord, event.call_id)
    if not targets or record is None:
        return None
    body = build(event.kind, event.data or {}, record, event.at or datetime.now(UTC))
    assert body is not None
    stored = WebhookEvent(id=body.id, type=mapping[0], call_id=record.id,
                          payload=body.model_dump(mode="json"), created_at=body.timestamp)
    db.add(stored)
    db.flush()
    now = datetime.now(UTC)
    db.add_all(WebhookDelivery(event_id=stored.id, subscription_id=s.id, call_id=record.id,
                               next_attempt_at=now, created_at=now) for s in targets)
    return stored
