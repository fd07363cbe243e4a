"""Request and response bodies for webhook subscriptions and their deliveries. The secret is
write-only: shown once, in the response that creates the subscription."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool

from app.limits import length_of, text
from app.pagination import UtcDateTime
from app.webhooks.signing import SECRET_PATTERN
from core.models import WebhookSubscription
from core.webhooks import EventType

MAX_URL = length_of(WebhookSubscription.url)
# an absolute http(s) URL: a host (no user:password@, no IPv6 literal), an optional port
# 1-65535, then printable ASCII (non-ASCII characters percent-encoded). The pattern is the
# whole check, so the document says exactly what is accepted.
PORT = r"(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3})"
URL_PATTERN = (r"^https?://[A-Za-z0-9._~%!$&'()*+,;=-]+(:" + PORT + r")?([/?#][\x21-\x7e]*)?$")
Url = Annotated[str, Field(max_length=MAX_URL, pattern=URL_PATTERN,
                           examples=["https://crm.example.com/hooks/contact-center"])]
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
