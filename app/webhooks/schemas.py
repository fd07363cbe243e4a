"""Request and response bodies for webhook subscriptions and their deliveries. The secret is
write-only: shown once, in the response that creates the subscription."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool

from app.limits import length_of, text
from app.pagination import UtcDateTime
from app.webhooks.signing import SECRET_PATTERN
from core.models import WebhookSubscription
from core.webhooks import EventType

URL_FORMAT = "http-url"  # an absolute http:// or https:// URL with a host
MAX_URL = length_of(WebhookSubscription.url)


def _http_url(value: str) -> str:
    try:
        parts = urlsplit(value)
        host = parts.hostname
        parts.port  # noqa: B018  (raises on a port that is not a number or out of range)
    except ValueError:
        raise ValueError("not a valid URL") from None
    if parts.scheme not in ("http", "https") or not host:
        raise ValueError("must be an http:// or https:// URL with a host")
    if any(c.isspace() for c in value):
        raise ValueError("a URL has no spaces")
    return value


Url = Annotated[str, Field(min_length=1, max_length=MAX_URL,
                           json_schema_extra={"format": URL_FORMAT},
                           examples=["https://crm.example.com/hooks/contact-center"]),
                AfterValidator(_http_url)]
EventTypes = Annotated[list[EventType], Field(min_length=1, max_length=5),
                       AfterValidator(lambda types: list(dict.fromkeys(types)))]
Secret = Annotated[str, Field(pattern=SECRET_PATTERN, description=(
    "Signing secret: whsec_ and the base64 of 24-48 random bytes; omit it to get one "
    "generated. Write-only."))]
Description = text(length_of(WebhookSubscription.description))


class SubscriptionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: Url = Field(description="Where events are POSTed. Receivers on private networks are "
                                 "allowed: that is the operator's choice")
    event_types: EventTypes = Field(description="Events to send")
    description: Description = ""
    secret: Secret | None = None
    active: StrictBool = True


class SubscriptionUpdate(BaseModel):
    """Only the fields sent are changed; none may be null. A new `secret` is not shown."""

    model_config = ConfigDict(extra="forbid")

    url: Url = None
    event_types: EventTypes = None
    description: Description = None
    secret: Secret = None
    active: StrictBool = None


class SubscriptionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    url: str
    event_types: list[str]
    description: str
    active: bool
    created_at: UtcDateTime
    updated_at: UtcDateTime


class SubscriptionCreated(SubscriptionOut):
    secret: str = Field(description="The signing secret; never shown again")


DeliveryStatus = Literal["pending", "sending", "delivered", "failed"]


class AttemptOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: UtcDateTime
    status_code: int | None = Field(description="The receiver's HTTP status; null: no answer")
    error: str | None
    duration_ms: int


class DeliveryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    subscription_id: int
    event_id: str
    event_type: str
    call_id: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: UtcDateTime = Field(description="When a pending delivery is tried next")
    last_status_code: int | None
    last_error: str | None
    delivered_at: UtcDateTime | None
    created_at: UtcDateTime


class DeliveryDetailOut(DeliveryOut):
    attempt_log: list[AttemptOut]
    payload: dict[str, Any] = Field(description="The body sent (see the document's webhooks)")
