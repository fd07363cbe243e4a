"""Request and response bodies for departments. Every text is bounded: by its column, or for
the per-language JSON fields by sizes chosen for real prompts and names (app.limits)."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool

from app.limits import (
    MAX_LANGUAGES,
    MAX_LINE_CHARS,
    MAX_NAME_CHARS,
    MAX_PROMPT_CHARS,
    MAX_VOICE_PROVIDERS,
    Id,
    length_of,
    text,
)
from app.numbers.e164 import (
    MAX_TRANSFER_TARGET,
    TRANSFER_TARGET_FORMAT,
    normalize_transfer_target,
)
from app.pagination import UtcDateTime
from core.models import Department

LANG = re.compile(r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")
PROVIDER = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
Slug = text(length_of(Department.slug), pattern=r"^[a-z][a-z0-9_-]{0,62}[a-z0-9]$")
Language = text(length_of(Department.default_language), pattern=LANG.pattern)
# how callers are handed TO this department: in the room (persona switch) or by SIP transfer
# to its phone number; null = the deployment's HANDOFF_MODE
HandoffMode = Literal["in_room", "sip_transfer"]
# how callers reach the department's human line (README, "Two transfer kinds")
TransferMode = Literal["cold", "warm"]
TRANSFER_FIELDS = {
    "transfer_mode": "cold: SIP REFER to human_transfer_target; warm: the human line is dialled "
                     "into the call through human_trunk_id, briefed, then connected",
    "human_trunk_id": "Outbound trunk that reaches the human line (warm transfer)",
    "callback_trunk_id": "Outbound trunk that places this department's callbacks",
}


def _keys(pattern: re.Pattern[str], what: str):  # type: ignore[no-untyped-def]
    def check(value: dict[str, Any]) -> dict[str, Any]:
        for key in value:
            if not pattern.match(key):
                raise ValueError(f"'{key}' is not {what}")
        return value
    return check


def keyed(value: Any, pattern: re.Pattern[str], what: str, max_items: int,
          min_items: int = 0) -> Any:
    """A JSON object whose keys match `pattern` (checked, and said in the schema)."""
    return Annotated[dict[str, value],  # type: ignore[valid-type]
                     Field(max_length=max_items, min_length=min_items or None,
                           json_schema_extra={"propertyNames": {"pattern": pattern.pattern}}),
                     AfterValidator(_keys(pattern, what))]


def per_language(max_chars: int, value: Any = None, *, min_chars: int = 0,
                 min_languages: int = 0) -> Any:
    """{language: text} (or {language: `value`}) with language-code keys."""
    return keyed(value or text(max_chars, min_length=min_chars, strip=bool(min_chars)), LANG,
                 "a language code such as 'ar' or 'en'", MAX_LANGUAGES, min_languages)


DisplayName = per_language(MAX_NAME_CHARS)
PersonaName = per_language(MAX_NAME_CHARS)
Prompt = per_language(MAX_PROMPT_CHARS)
Welcome = per_language(MAX_LINE_CHARS)
Voices = keyed(per_language(MAX_NAME_CHARS), PROVIDER, "a provider name such as 'openai'",
                MAX_VOICE_PROVIDERS)
TransferTarget = Annotated[str, AfterValidator(normalize_transfer_target),
                           Field(json_schema_extra={"format": TRANSFER_TARGET_FORMAT})]


assert MAX_TRANSFER_TARGET == length_of(Department.human_transfer_target)


class DepartmentFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    display_name: DisplayName = Field(default_factory=dict, examples=[{"en": "Sales"}])
    persona_name: PersonaName = Field(default_factory=dict, examples=[{"en": "Sarah"}])
    default_language: Language = "ar"
    instructions: Prompt = Field(default_factory=dict,
                                 description="The assistant's prompt per language")
    welcome: Welcome = Field(default_factory=dict, description="First line per language")
    voices: Voices = Field(default_factory=dict,
                           description='TTS voice per provider and language, e.g. '
                                       '{"openai": {"ar": "nova", "en": "nova"}}')
    human_transfer_target: TransferTarget | None = Field(
        None, description="Human line for SIP transfer: tel:+E164 or sip:user@host")
    handoff_mode: HandoffMode | None = Field(
        None, description="How the agent hands callers on (free-form mode name for the agent)")
    record_calls: StrictBool = Field(
        False, description="Record this department's calls (a consent line is said first); "
                           "files under RECORDINGS_DIR, GET /api/v1/calls/{id}/recording")
    transfer_mode: TransferMode = Field("cold", description=TRANSFER_FIELDS["transfer_mode"])
    human_trunk_id: Id | None = Field(None, description=TRANSFER_FIELDS["human_trunk_id"])
    callback_trunk_id: Id | None = Field(None, description=TRANSFER_FIELDS["callback_trunk_id"])


class DepartmentCreate(DepartmentFields):
    slug: Slug = Field(description="Lowercase id used in room names (call-<slug>)")


class DepartmentUpdate(BaseModel):
    """Only the fields sent are changed; `null` clears the optional ones
    (`human_transfer_target`, `handoff_mode`, the trunks) and is refused for the others."""

    model_config = ConfigDict(extra="forbid")

    slug: Slug = None
    display_name: DisplayName = None
    persona_name: PersonaName = None
    default_language: Language = None
    instructions: Prompt = None
    welcome: Welcome = None
    voices: Voices = None
    human_transfer_target: TransferTarget | None = None
    handoff_mode: HandoffMode | None = None
    record_calls: StrictBool = None
    transfer_mode: TransferMode = None
    human_trunk_id: Id | None = None
    callback_trunk_id: Id | None = None


class DepartmentOut(BaseModel):
    """Plain types: stored values are shown as they are, never re-validated on the way out."""

    id: int
    slug: str
    display_name: dict[str, str]
    persona_name: dict[str, str]
    default_language: str
    instructions: dict[str, str]
    welcome: dict[str, str]
    voices: dict[str, dict[str, str]]
    human_transfer_target: str | None
    handoff_mode: str | None
    record_calls: bool
    transfer_mode: str
    human_trunk_id: int | None
    callback_trunk_id: int | None
    always_open: bool = Field(description="No business hours set (GET .../hours for them)")
    numbers: list[str] = Field(description="E.164 numbers routed to this department")
    created_at: UtcDateTime
    updated_at: UtcDateTime
