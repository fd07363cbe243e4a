"""Request and response bodies for knowledge entries."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from app.departments.schemas import _languages
from app.pagination import UtcDateTime
from app.routing_examples.schemas import MAX_TEXT

MAX_ANSWER = 2000
MAX_QUESTIONS = 20  # per language
MAX_LANGUAGES = 10
Key = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
Question = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                            max_length=MAX_TEXT)]
AnswerText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                              max_length=MAX_ANSWER)]


def _some_questions(value: dict[str, list[str]]) -> dict[str, list[str]]:
    _languages(value)  # type: ignore[arg-type]
    if not any(value.values()):
        raise ValueError("give at least one question variant")
    return value


Questions = Annotated[dict[str, Annotated[list[Question], Field(max_length=MAX_QUESTIONS)]],
                      Field(min_length=1, max_length=MAX_LANGUAGES),
                      AfterValidator(_some_questions)]
Answers = Annotated[dict[str, AnswerText], Field(min_length=1, max_length=MAX_LANGUAGES),
                    AfterValidator(_languages)]


class EntryCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: Key = Field(description="Unique name, e.g. opening-hours", examples=["opening-hours"])
    department_id: int | None = Field(
        None, description="The department whose assistant answers it; null = every department")
    questions: Questions = Field(
        description=f"Ways callers ask, per language (≤ {MAX_QUESTIONS} per language, "
                    f"≤ {MAX_TEXT} characters each)",
        examples=[{"en": ["when are you open", "opening hours"], "ar": ["متى تفتحون"]}])
    answers: Answers = Field(
        description=f"The answer per language (≤ {MAX_ANSWER} characters; may use {{company}})",
        examples=[{"en": "We are open 9 to 6, Sunday to Thursday.",
                   "ar": "نعمل من التاسعة حتى السادسة من الأحد إلى الخميس."}])
    example: bool = Field(False, description="Seeded example data that is still to be replaced")


class EntryUpdate(BaseModel):
    """Only the fields sent are changed; `department_id: null` makes the entry global. Changing
    questions or answers clears `example` unless it is sent too."""

    model_config = ConfigDict(extra="forbid")

    key: Key | None = None
    department_id: int | None = None
    questions: Questions | None = None
    answers: Answers | None = None
    example: bool | None = None


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
