"""Callback bodies. A callback is created by the assistants (a caller asked for a person
when nobody could take the call, or asked to be called back) or here; the scheduler fills in
its attempts."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.limits import Id, iso, length_of, text
from app.numbers.schemas import E164
from app.pagination import UtcDateTime
from app.token.schemas import Language
from core.models import Callback

Status = Literal["pending", "dialing", "answered", "failed", "cancelled", "done"]
Result = Literal["answered", "busy", "declined", "no_answer", "failed"]


class CallbackCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    number: E164 = Field(description="Whom to call")
    department_id: Id = Field(description="Whose persona calls, within whose hours")
    language: Language = Field(description="The language the person is greeted in")
    reason: text(length_of(Callback.reason)) = Field(
        "", description='What it is about ("calling you back about ...")')
    earliest_at: iso(UtcDateTime) | None = Field(
        None, description="Not before (default: CALLBACK_DELAY_SECONDS from now); the first "
                          "call waits for the department's hours")
    max_attempts: int | None = Field(None, ge=1, le=20,
                                     description="Default CALLBACK_MAX_ATTEMPTS")


class AttemptOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    attempt: int
    started_at: UtcDateTime
    ended_at: UtcDateTime | None
    result: Result | None = Field(description="None while the call is being placed")
    sip_status: int | None
    error: str | None


class CallbackOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    department_id: int
    number: str
    language: str
    reason: str
    via: str = Field(description="assistant, dtmf, after_hours, transfer_failed or api")
    call_id: str | None = Field(description="The call it came from")
    status: Status
    earliest_at: UtcDateTime
    next_attempt_at: UtcDateTime
    attempts: int
    max_attempts: int
    last_result: Result | None
    completed_at: UtcDateTime | None
    created_at: UtcDateTime
    updated_at: UtcDateTime


class CallbackDetailOut(CallbackOut):
    attempt_log: list[AttemptOut] = Field(description="Every call placed, oldest first")
