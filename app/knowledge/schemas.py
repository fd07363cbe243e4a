"""Request and response bodies for knowledge entries."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from app.departments.schemas import per_language
from app.limits import Id, length_of, text
from app.pagination import UtcDateTime
from app.routing_examples.schemas import MAX_TEXT
from core.models import KnowledgeEntry

MAX_ANSWER = 2000
MAX_QUESTIONS = 20  # per language
Key = text(length_of(KnowledgeEntry.key), pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")
Question = text(MAX_TEXT, min_length=1, strip=True)
# at least one language, each with 1..MAX_QUESTIONS ways to ask (all of it in the schema)
Questions = per_language(MAX_TEXT, Annotated[list[Question], Field(
    min_length=1, max_length=MAX_QUESTIONS)], min_languages=1)
Answers = per_language(MAX_ANSWER, min_chars=1, min_languages=1)


class EntryCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: Key = Field(description="Unique name, e.g. opening-hours", examples=["opening-hours"])
    department_id: Id | None = Field(
        None, description="The department whose assistant answers it; null = every department")
    questions: Questions = Field(
        description=f"Ways callers ask, per language (≤ {MAX_QUESTIONS} per language, "
                    f"≤ {MAX_TEXT} characters each)",
        examples=[{"en": ["when are you open", "opening hours"], "ar": ["متى تفتحون"]}])
    answers: Answers = Field(
        description=f"The answer per language (≤ {MAX_ANSWER} characters; may use {{company}})",
        examples=[{"en": "We are open 9 to 6, Sunday to Thursday.",
                   "ar": "نعمل من التاسعة حتى السادسة من الأحد إلى الخميس."}])
    example: StrictBool = Field(False,
                                description="Seeded example data that is still to be replaced")


class EntryUpdate(BaseModel):
    """Only the fields sent are changed; `department_id: null` makes the entry global. Changing
    questions or answers clears `example` unless it is sent too."""

    model_config = ConfigDict(extra="forbid")

    key: Key = None
    department_id: Id | None = None
    questions: Questions = None
    answers: Answers = None
    example: StrictBool = None


class EntryOut(BaseModel):
    id: int
    key: str
    department_id: int | None
    department: str | None = Field(description="Department slug; null = every department")
    questions: dict[str, list[str]]
    answers: dict[str, str]
    example: bool
    created_at: UtcDateTime
    updated_at: UtcDateTime
