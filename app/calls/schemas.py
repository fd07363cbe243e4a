"""Response bodies for call records and their events."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from app.pagination import UtcDateTime


class CallEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: UtcDateTime
    kind: str
    data: dict[str, Any]


class CallOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    room_name: str
    source: str
    caller: str | None
    called_number: str | None
    customer_id: str | None
    customer_name: str | None
    first_department: str
    current_department: str
    language: str
    status: str
    end_reason: str | None
    started_at: UtcDateTime
    ended_at: UtcDateTime | None
    duration_seconds: float | None
    parent_call_id: str | None


class CallDetailOut(CallOut):
    events: list[CallEventOut]
    # the journey across SIP handoffs: parent_call_id is where the caller came from,
    # these are the calls this one was handed on to
    child_call_ids: list[str] = []
