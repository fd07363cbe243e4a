"""The webhook events in the OpenAPI document (its `webhooks` section, OpenAPI 3.1): what
this API POSTs to each subscription, the body's schema per event type and the signature
headers, so a receiver can be generated or checked from the document like a client.

(No `from __future__ import annotations` here: FastAPI reads the body type of each receiver
from its annotation at run time.)"""


from typing import Annotated, Any

from fastapi import FastAPI, Header

from core.webhooks import EVENT_MODELS

SIGNING = (
    "POSTed as JSON to every active subscription to the event type, signed as Standard "
    "Webhooks define: `webhook-signature` is `v1,` and the base64 HMAC-SHA256 of "
    "`{webhook-id}.{webhook-timestamp}.{raw body}`, keyed with the base64-decoded part of the "
    "secret after `whsec_`. Verify it over the raw bytes, in constant time, and refuse "
    "timestamps more than 5 minutes from your clock. Answer 2xx within "
    "WEBHOOK_TIMEOUT_SECONDS; anything else is retried with backoff. Delivery is at least "
    "once, in order per call: de-duplicate on `webhook-id`."
)
WHAT = {
    "call.started": "A call was answered by an assistant.",
    "call.handed_over": "The caller was handed to another department (in the room, or by "
                        "SIP transfer to its number).",
    "call.transferred": "The caller was transferred to a department's human line.",
    "callback.requested": "The caller asked for a person where no transfer is possible "
                          "(browser calls); someone should call back.",
    "call.ended": "The call ended: its outcome and summary.",
}


def _receiver(model: type[Any]) -> Any:
    def receive(
        body: model,  # type: ignore[valid-type]
        webhook_id: Annotated[str, Header(alias="webhook-id",
                                          description="The event id (body `id`)")],
        webhook_timestamp: Annotated[str, Header(alias="webhook-timestamp",
                                                 description="Unix seconds of this attempt")],
        webhook_signature: Annotated[str, Header(alias="webhook-signature",
                                                 description="v1,<base64 HMAC-SHA256>")],
    ) -> None:
        """Documentation only: the subscriber implements it."""

    return receive


def install(application: FastAPI) -> None:
    for event_type, model in EVENT_MODELS.items():
        application.webhooks.post(
            event_type, summary=WHAT[event_type], description=SIGNING,
            operation_id="webhook_" + event_type.replace(".", "_"),
            status_code=204, responses={204: {"description": "Received (any 2xx)"}},
        )(_receiver(model))


def receiver_answers_only(schema: dict[str, Any]) -> None:
    """An OpenAPI fix: FastAPI adds its own 422 to every operation with a body; a receiver
    answers what it answers (any 2xx counts), so the webhooks list only that."""
    for item in schema.get("webhooks", {}).values():
        for operation in item.values():
            operation.get("responses", {}).pop("422", None)
