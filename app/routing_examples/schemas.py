"""Request and response bodies for routing examples."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from app.departments.schemas import Language
from app.limits import Id, length_of, text
from app.pagination import UtcDateTime
from core.models import RoutingExample

MAX_TEXT = length_of(RoutingExample.text)
ExampleText = text(MAX_TEXT, min_length=1, strip=True)


class ExampleCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    department_id: Id = Field(description="The department callers saying this want")
    language: Language = Field(examples=["en"])
    text: ExampleText = Field(description=f"One phrasing, as people say it (≤ {MAX_TEXT} "
                                          "characters)", examples=["I'd like to buy a plan"])


class ExampleUpdate(BaseModel):
    """Only the fields sent are changed."""

    model_config = ConfigDict(extra="forbid")

    department_id: Id = None
    language: Language = None
    text: ExampleText = None


class ExampleOut(BaseModel):
    id: int
    department_id: int
    department: str = Field(description="Department slug")
    language: str
    text: str
    created_at: UtcDateTime
    updated_at: UtcDateTime
