"""Request and response bodies for routing examples."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.departments.schemas import Language
from app.pagination import UtcDateTime

MAX_TEXT = 300
ExampleText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                               max_length=MAX_TEXT)]


class ExampleCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    department_id: int = Field(description="The department callers saying this want")
    language: Language = Field(examples=["en"])
    text: ExampleText = Field(description=f"One phrasing, as people say it (≤ {MAX_TEXT} "
                                          "characters)", examples=["I'd like to buy a plan"])


class ExampleUpdate(BaseModel):
    """Only the fields sent are changed."""

    model_config = ConfigDict(extra="forbid")

    department_id: int | None = None
    language: Language | None = None
    text: ExampleText | None = None


class ExampleOut(BaseModel):
    id: int
    department_id: int
    department: str = Field(description="Department slug")
    language: str
    text: str
    created_at: UtcDateTime
    updated_at: UtcDateTime
