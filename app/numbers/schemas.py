"""Request and response bodies for phone numbers."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from app.limits import Id
from app.numbers.e164 import E164_FORMAT, normalize_e164
from app.pagination import UtcDateTime

# input may carry spacing ("+1 202-555-0123"); what is stored is at most 16 characters
E164 = Annotated[str, AfterValidator(normalize_e164),
                 Field(examples=["+12025550123"], description="E.164 (spacing is accepted)",
                       json_schema_extra={"format": E164_FORMAT})]


class NumberCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    e164: E164
    department_id: Id = Field(description="The one department this number reaches")
    trunk_id: Id | None = Field(None, description="Inbound trunk; none = the managed default")


class NumberUpdate(BaseModel):
    """Only the fields sent are changed; `trunk_id: null` moves it to the default trunk."""

    model_config = ConfigDict(extra="forbid")

    e164: E164 = None
    department_id: Id = None
    trunk_id: Id | None = None


class NumberOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    e164: str
    department_id: int
    department: str = Field(description="Department slug")
    trunk_id: int | None
    livekit_rule_id: str | None
    sync_status: Literal["pending", "synced"]
    sync_error: str | None
    synced_at: UtcDateTime | None
    created_at: UtcDateTime
    updated_at: UtcDateTime
