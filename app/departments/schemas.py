"""Request and response bodies for departments."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from app.numbers.e164 import normalize_transfer_target
from app.pagination import UtcDateTime

LANG = re.compile(r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]{0,62}[a-z0-9]$")]
Language = Annotated[str, StringConstraints(pattern=LANG.pattern)]
# how callers are handed TO this department: in the room (persona switch) or by SIP transfer
# to its phone number; null = the deployment's HANDOFF_MODE
HandoffMode = Literal["in_room", "sip_transfer"]


def _languages(value: dict[str, str]) -> dict[str, str]:
    for lang in value:
        if not LANG.match(lang):
            raise ValueError(f"'{lang}' is not a language code such as 'ar' or 'en'")
    return value


def _voices(value: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    for per_language in value.values():
        _languages(per_language)
    return value


PerLanguage = Annotated[dict[str, str], AfterValidator(_languages)]
Voices = Annotated[dict[str, dict[str, str]], AfterValidator(_voices)]
TransferTarget = Annotated[str, AfterValidator(normalize_transfer_target)]


class DepartmentFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    display_name: PerLanguage = Field(default_factory=dict, examples=[{"en": "Sales"}])
    persona_name: PerLanguage = Field(default_factory=dict, examples=[{"en": "Sarah"}])
    default_language: Language = "ar"
    instructions: PerLanguage = Field(default_factory=dict,
                                      description="The assistant's prompt per language")
    welcome: PerLanguage = Field(default_factory=dict, description="First line per language")
    voices: Voices = Field(default_factory=dict,
                           description='TTS voice per provider and language, e.g. '
                                       '{"openai": {"ar": "nova", "en": "nova"}}')
    human_transfer_target: TransferTarget | None = Field(
        None, description="Human line for SIP transfer: tel:+E164 or sip:user@host")
    handoff_mode: HandoffMode | None = Field(
        None, description="How the agent hands callers on (free-form mode name for the agent)")


class DepartmentCreate(DepartmentFields):
    slug: Slug = Field(description="Lowercase id used in room names (call-<slug>)")


class DepartmentUpdate(BaseModel):
    """Only the fields sent are changed; `null` clears the optional ones."""

    model_config = ConfigDict(extra="forbid")

    slug: Slug | None = None
    display_name: PerLanguage | None = None
    persona_name: PerLanguage | None = None
    default_language: Language | None = None
    instructions: PerLanguage | None = None
    welcome: PerLanguage | None = None
    voices: Voices | None = None
    human_transfer_target: TransferTarget | None = None
    handoff_mode: HandoffMode | None = None


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
    numbers: list[str] = Field(description="E.164 numbers routed to this department")
    created_at: UtcDateTime
    updated_at: UtcDateTime
