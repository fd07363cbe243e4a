"""Request and response bodies of the token endpoints."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.seed import LANGUAGES

ROOM_NAME_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"

Language = Literal["ar", "en"]
assert set(LANGUAGES) == {"ar", "en"}, "keep Language in step with app.seed.LANGUAGES"

Slug = Annotated[str, StringConstraints(min_length=1, max_length=64,
                                        pattern=r"^[A-Za-z0-9_-]+$")]
RoomName = Annotated[str, StringConstraints(pattern=ROOM_NAME_PATTERN)]
# stripped; "\S": not blank (said in the schema too, so blank names are invalid input)
Name = Annotated[str, StringConstraints(strip_whitespace=True, max_length=128, pattern=r"\S")]


class TokenRequest(BaseModel):
    """LiveKit's standard token-endpoint request, plus the department and language."""

    model_config = ConfigDict(extra="ignore", json_schema_extra={
        "examples": [{"department": "sales", "language": "ar", "participant_name": "Test"}]})

    department: Slug = Field(description="Department slug, e.g. reception, sales, complaints")
    language: Language | None = Field(
        default=None, description="Call language; the department's default when omitted")
    participant_name: Name = Field(default="Web caller", description="Shown to the agent")
    room_name: RoomName | None = Field(
        default=None, description="[A-Za-z0-9_-], at most 64; generated when omitted")


class TokenResponse(BaseModel):
    server_url: str = Field(description="LiveKit URL the browser connects to")
    participant_token: str = Field(description="JWT joining only `room_name`")
    room_name: str


class LegacyTokenRequest(BaseModel):
    """The body the existing front end sends to `POST /api/token`."""

    model_config = ConfigDict(extra="ignore", json_schema_extra={
        "examples": [{"customer_name": "Test", "department": "reception", "language": "ar",
                      "customer_id": "c-42"}]})

    customer_name: Name = "Customer"
    department: Slug = "reception"
    language: Language | None = None
    customer_id: Annotated[str, StringConstraints(strip_whitespace=True, max_length=128)] | None \
        = None


class LegacyTokenResponse(TokenResponse):
    token: str = Field(description="Same as participant_token")
    url: str = Field(description="Same as server_url")


class DepartmentOption(BaseModel):
    slug: str
    display_name: dict[str, str]
    persona_name: dict[str, str]
    default_language: str


class TokenOptions(BaseModel):
    departments: list[DepartmentOption]
    languages: list[str]
    requires_auth: bool = Field(description="Whether the token endpoints need the admin key")


