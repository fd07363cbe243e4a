"""Call record filters and response bodies."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.limits import length_of, text
from app.pagination import UtcDateTime, UtcQueryDateTime
from core.models import CallRecord

Outcome = Literal["resolved", "handed_over", "transferred_to_human", "callback_requested",
                  "abandoned", "failed"]


class CallFilters(BaseModel):
    """Query parameters of the call list; every one given must match."""

    status: text(length_of(CallRecord.status)) | None = Field(
        None, description="e.g. active, ended")
    department: text(length_of(CallRecord.first_department)) | None = Field(
        None, description="Department slug (where the call started, or is / ended)")
    number: text(length_of(CallRecord.called_number)) | None = Field(
        None, description="Called number, E.164")
    source: text(length_of(CallRecord.source)) | None = Field(
        None, description="sip or browser")
    outcome: Outcome | None = Field(None, description="Outcome of ended calls")
    started_from: UtcQueryDateTime | None = Field(
        None, description="Started at or after (RFC 3339, e.g. 2026-11-26T00:00:00Z)")
    started_to: UtcQueryDateTime | None = Field(
        None, description="Started before (RFC 3339, e.g. 2026-11-27T00:00:00+03:00)")


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
    outcome: str | None = Field(description="Set when the call ends (README: outcomes)")
    summary: str | None = Field(description="One or two sentences, by rules or a model")
    summary_source: str | None = Field(description="rules | llm")
    summary_details: dict[str, Any] | None = Field(
        description="departments, reasons, request (the caller's words), language, "
                    "end_reason, durations")
    has_recording: bool = Field(description="GET /api/v1/calls/{id}/recording")
    recording_bytes: int | None
    recording_seconds: float | None


class CallDetailOut(CallOut):
    events: list[CallEventOut]
    # the journey across SIP handoffs: parent_call_id is where the caller came from,
    # these are the calls this one was handed on to
    child_call_ids: list[str] = []
