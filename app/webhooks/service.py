"""Webhook subscriptions and their deliveries. Secrets are stored encrypted (signing needs
them back: core/encryption.py) and returned only by `create`."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.errors import NotFound
from app.pagination import PageParams, paginate
from app.webhooks.schemas import (
    DeliveryDetailOut,
    DeliveryOut,
    DeliveryStatus,
    SubscriptionCreate,
    SubscriptionCreated,
    SubscriptionOut,
    SubscriptionUpdate,
)
from app.webhooks.signing import new_secret
from core.encryption import SecretBox
from core.models import WebhookDelivery, WebhookSubscription


def get(session: Session, subscription_id: int) -> WebhookSubscription:
    row = session.get(WebhookSubscription, subscription_id)
    if row is None:
        raise NotFound(f"no webhook subscription with id {subscription_id}",
                       field="subscription_id")
    return row


def list_page(session: Session, page: PageParams) -> tuple[list[WebhookSubscription], int]:
    return paginate(session, select(WebhookSubscription).order_by(WebhookSubscription.id), page)


def create(session: Session, data: SubscriptionCreate, box: SecretBox) -> SubscriptionCreated:
    secret = data.secret or new_secret()
    row = WebhookSubscription(**data.model_dump(exclude={"secret"}),
                              secret_encrypted=box.encrypt(secret))
    session.add(row)
    session.flush()
    return SubscriptionCreated(**SubscriptionOut.model_validate(row).model_dump(),
                               secret=secret)


def update(session: Session, row: WebhookSubscription, data: SubscriptionUpdate,
           box: SecretBox) -> WebhookSubscription:
    changes = data.model_dump(exclude_unset=True)
    if "secret" in changes:
        row.secret_encrypted = box.encrypt(changes.pop("secret"))
    for name, value in changes.items():
        setattr(row, name, value)
    session.flush()
    return row


def delete(session: Session, row: WebhookSubscription) -> None:
    """The subscription and its deliveries (pending ones are never sent)."""
    session.delete(row)
    session.flush()


def to_out(delivery: WebhookDelivery) -> DeliveryOut:
    return DeliveryOut.model_validate(
        {**{k: getattr(delivery, k) for k in DeliveryOut.model_fields if k != "event_type"},
         "event_type": delivery.event.type})


def deliveries(session: Session, subscription: WebhookSubscription, page: PageParams, *,
               status: DeliveryStatus | None = None, call_id: str | None = None
               ) -> tuple[list[WebhookDelivery], int]:
    stmt = (select(WebhookDelivery).options(selectinload(WebhookDelivery.event))
            .where(WebhookDelivery.subscription_id == subscription.id))
    if status is not None:
        stmt = stmt.where(WebhookDelivery.status == status)
    if call_id is not None:
        stmt = stmt.where(WebhookDelivery.call_id == call_id)
    return paginate(session, stmt.order_by(WebhookDelivery.id.desc()), page)


def delivery(session: Session, subscription: WebhookSubscription,
             delivery_id: int) -> DeliveryDetailOut:
    row = session.get(WebhookDelivery, delivery_id, options=[
        selectinload(WebhookDelivery.event), selectinload(WebhookDelivery.attempt_log)])
    if row is None or row.subscription_id != subscription.id:
        raise NotFound(f"no delivery {delivery_id} of webhook subscription {subscription.id}",
                       field="delivery_id")
    return DeliveryDetailOut.model_validate(
        {**to_out(row).model_dump(), "attempt_log": row.attempt_log,
         "payload": row.event.payload})
