"""/api/v1/webhooks: subscriptions, their deliveries and attempts. The events themselves are
documented under `webhooks` in the OpenAPI document (app/webhooks/docs.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from app.deps import AdminDep, SessionDep, SettingsDep
from app.errors import responses
from app.limits import length_of, path_id, text
from app.pagination import Page, PageDep
from app.webhooks import service
from app.webhooks.schemas import (
    DeliveryDetailOut,
    DeliveryOut,
    DeliveryStatus,
    SubscriptionCreate,
    SubscriptionCreated,
    SubscriptionOut,
    SubscriptionUpdate,
)
from core.encryption import SecretBox
from core.models import WebhookDelivery

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"], dependencies=[AdminDep])
SubscriptionId = path_id("Webhook subscription id")
DeliveryId = path_id("Delivery id")


@router.get("", response_model=Page[SubscriptionOut], summary="List webhook subscriptions")
def list_subscriptions(session: SessionDep, page: PageDep) -> Page[SubscriptionOut]:
    rows, total = service.list_page(session, page)
    return Page(items=[SubscriptionOut.model_validate(r) for r in rows], total=total,
                **page.model_dump())


@router.post("", response_model=SubscriptionCreated, status_code=status.HTTP_201_CREATED,
             summary="Subscribe a URL to events (the response shows the secret, once)")
def create_subscription(body: SubscriptionCreate, session: SessionDep,
                        settings: SettingsDep) -> SubscriptionCreated:
    return service.create(session, body, SecretBox.from_settings(settings))


@router.get("/{subscription_id}", response_model=SubscriptionOut, responses=responses(404),
            summary="Get a subscription (never its secret)")
def get_subscription(subscription_id: SubscriptionId, session: SessionDep) -> SubscriptionOut:
    return SubscriptionOut.model_validate(service.get(session, subscription_id))


@router.patch("/{subscription_id}", response_model=SubscriptionOut, responses=responses(404),
              summary="Change a subscription (only the fields sent)")
def update_subscription(subscription_id: SubscriptionId, body: SubscriptionUpdate,
                        session: SessionDep, settings: SettingsDep) -> SubscriptionOut:
    row = service.update(session, service.get(session, subscription_id), body,
                         SecretBox.from_settings(settings))
    return SubscriptionOut.model_validate(row)


@router.delete("/{subscription_id}", status_code=status.HTTP_204_NO_CONTENT,
               responses=responses(404),
               summary="Delete a subscription with its deliveries (pending ones are dropped)")
def delete_subscription(subscription_id: SubscriptionId, session: SessionDep) -> None:
    service.delete(session, service.get(session, subscription_id))


@router.get("/{subscription_id}/deliveries", response_model=Page[DeliveryOut],
            responses=responses(404), summary="The subscription's deliveries, newest first")
def list_deliveries(
    subscription_id: SubscriptionId, session: SessionDep, page: PageDep,
    status_: Annotated[DeliveryStatus | None, Query(alias="status")] = None,
    call_id: Annotated[text(length_of(WebhookDelivery.call_id)) | None,
                       Query(description="Only this call's")] = None,
) -> Page[DeliveryOut]:
    rows, total = service.deliveries(session, service.get(session, subscription_id), page,
                                     status=status_, call_id=call_id)
    return Page(items=[service.to_out(r) for r in rows], total=total, **page.model_dump())


@router.get("/{subscription_id}/deliveries/{delivery_id}", response_model=DeliveryDetailOut,
            responses=responses(404), summary="One delivery with its body and every attempt")
def get_delivery(subscription_id: SubscriptionId, delivery_id: DeliveryId,
                 session: SessionDep) -> DeliveryDetailOut:
    return service.delivery(session, service.get(session, subscription_id), delivery_id)
