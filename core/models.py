"""The data model. The DB is the source of truth; LiveKit is reconciled from it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return uuid.uuid4().hex


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class Department(Timestamped, Base):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # {"ar","en"}
    persona_name: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # {"ar","en"}
    default_language: Mapped[str] = mapped_column(String(8), default="ar")
    instructions: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # per language
    welcome: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # per language
    # {"openai": {"ar": "alloy", "en": "nova"}, "elevenlabs": {...}, "espeak": {...}}
    voices: Mapped[dict[str, dict[str, str]]] = mapped_column(JSON, default=dict)
    human_transfer_target: Mapped[str | None] = mapped_column(String(255), default=None)
    handoff_mode: Mapped[str | None] = mapped_column(String(16), default=None)
    # calls answered by this department are recorded (consent line first); decided when the
    # call starts and kept for the whole call, handoffs included
    record_calls: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # business hours (core/hours.py): {"time_zone", "weekly", "closed_dates"}; null = always
    # open. Outside them no caller is transferred to the human line.
    hours: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    # how callers reach the human line: "cold" (SIP REFER to human_transfer_target) or "warm"
    # (dialled into the call through human_trunk, briefed, then connected)
    transfer_mode: Mapped[str] = mapped_column(String(8), default="cold")
    human_trunk_id: Mapped[int | None] = mapped_column(
        ForeignKey("trunks.id", ondelete="SET NULL"), default=None)
    # the outbound trunk that places this department's callbacks
    callback_trunk_id: Mapped[int | None] = mapped_column(
        ForeignKey("trunks.id", ondelete="SET NULL"), default=None)

    numbers: Mapped[list[PhoneNumber]] = relationship(back_populates="department")
    human_trunk: Mapped[Trunk | None] = relationship(foreign_keys=[human_trunk_id])
    callback_trunk: Mapped[Trunk | None] = relationship(foreign_keys=[callback_trunk_id])
    routing_examples: Mapped[list[RoutingExample]] = relationship(
        back_populates="department", cascade="all, delete-orphan", passive_deletes=True)
    knowledge: Mapped[list[KnowledgeEntry]] = relationship(
        back_populates="department", cascade="all, delete-orphan", passive_deletes=True)


class RoutingExample(Timestamped, Base):
    """One way a caller may ask for a department; the intent classifier learns from these."""

    __tablename__ = "routing_examples"
    __table_args__ = (UniqueConstraint("department_id", "language", "text"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    department_id: Mapped[int] = mapped_column(
        ForeignKey("departments.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(String(300))

    department: Mapped[Department] = relationship(back_populates="routing_examples")


class KnowledgeEntry(Timestamped, Base):
    """A fact the assistants may tell callers: question variants and an answer per language,
    for every department (department_id NULL) or one."""

    __tablename__ = "knowledge_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="CASCADE"), index=True, default=None)
    questions: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)  # {lang: [...]}
    answers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # {lang: answer}
    example: Mapped[bool] = mapped_column(Boolean, default=False)  # seeded example, replace it

    department: Mapped[Department | None] = relationship(back_populates="knowledge")


class Trunk(Timestamped, Base):
    __tablename__ = "trunks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    direction: Mapped[str] = mapped_column(String(16))  # "inbound" | "outbound"
    allowed_addresses: Mapped[list[str]] = mapped_column(JSON, default=list)
    auth_username: Mapped[str | None] = mapped_column(String(128), default=None)
    # digest password, encrypted (core/encryption.py: LiveKit needs it back in clear)
    auth_password_encrypted: Mapped[str | None] = mapped_column(Text, default=None)
    # outbound only
    address: Mapped[str | None] = mapped_column(String(255), default=None)
    transport: Mapped[str | None] = mapped_column(String(8), default=None)
    outbound_numbers: Mapped[list[str]] = mapped_column(JSON, default=list)
    # inbound, trusted (addresses or digest auth) only: calls to a number that has no
    # department go to this department; NULL: never answered (README, "Numbers that are not
    # provisioned")
    unassigned_department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL"), default=None)
    # reconciliation with LiveKit
    livekit_id: Mapped[str | None] = mapped_column(String(64), default=None)
    sync_status: Mapped[str] = mapped_column(String(16), default="pending")
    sync_error: Mapped[str | None] = mapped_column(Text, default=None)

    numbers: Mapped[list[PhoneNumber]] = relationship(back_populates="trunk")
    unassigned_department: Mapped[Department | None] = relationship(
        foreign_keys=[unassigned_department_id])


class PhoneNumber(Timestamped, Base):
    __tablename__ = "phone_numbers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    e164: Mapped[str] = mapped_column(String(20), unique=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id", ondelete="RESTRICT"))
    trunk_id: Mapped[int | None] = mapped_column(
        ForeignKey("trunks.id", ondelete="SET NULL"), default=None
    )
    livekit_rule_id: Mapped[str | None] = mapped_column(String(64), default=None)
    sync_status: Mapped[str] = mapped_column(String(16), default="pending")
    sync_error: Mapped[str | None] = mapped_column(Text, default=None)
    synced_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)

    department: Mapped[Department] = relationship(back_populates="numbers")
    trunk: Mapped[Trunk | None] = relationship(back_populates="numbers")


class CallRecord(Base):
    __tablename__ = "call_records"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    room_name: Mapped[str] = mapped_column(String(255), index=True)
    source: Mapped[str] = mapped_column(String(16))  # "sip" | "browser"
    # phone calls: the raw SIP From user, not always E.164 (anonymous, long carrier ids);
    # the agent cuts longer values to fit
    caller: Mapped[str | None] = mapped_column(String(255), default=None)
    called_number: Mapped[str | None] = mapped_column(String(20), default=None)
    customer_id: Mapped[str | None] = mapped_column(String(128), default=None)
    customer_name: Mapped[str | None] = mapped_column(String(128), default=None)
    first_department: Mapped[str] = mapped_column(String(64))
    current_department: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), default="active", index=True)
    end_reason: Mapped[str | None] = mapped_column(String(64), default=None)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # indexed for the retention purge (app/calls/retention.py)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None,
                                                      index=True)
    duration_seconds: Mapped[float | None] = mapped_column(Float, default=None)
    parent_call_id: Mapped[str | None] = mapped_column(
        ForeignKey("call_records.id", ondelete="SET NULL"), default=None
    )
    # written when the call ends (agent/summary.py): resolved | handed_over |
    # transferred_to_human | callback_requested | abandoned | failed
    outcome: Mapped[str | None] = mapped_column(String(32), default=None, index=True)
    summary: Mapped[str | None] = mapped_column(Text, default=None)  # one or two sentences
    summary_source: Mapped[str | None] = mapped_column(String(8), default=None)  # rules | llm
    # departments, reasons, the caller's request, durations
    summary_details: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    # the recording, relative to RECORDINGS_DIR; NULL when none (or deleted by retention)
    recording_file: Mapped[str | None] = mapped_column(String(255), default=None)
    recording_bytes: Mapped[int | None] = mapped_column(Integer, default=None)
    recording_seconds: Mapped[float | None] = mapped_column(Float, default=None)

    events: Mapped[list[CallEvent]] = relationship(
        back_populates="call", order_by="CallEvent.id", cascade="all, delete-orphan"
    )

    @property
    def has_recording(self) -> bool:
        return self.recording_file is not None


class CallEvent(Base):
    __tablename__ = "call_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[str] = mapped_column(
        ForeignKey("call_records.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # started | greeting | transcript | handoff | dtmf | language | transfer_requested |
    # transfer_succeeded | transfer_failed | callback_requested | hours_checked |
    # callback_created | callback_attempted | callback_answered | callback_failed |
    # warm_transfer_* (started, dialled, answered, briefed, connected, failed, ended) |
    # unassigned_number | ended | error
    kind: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    call: Mapped[CallRecord] = relationship(back_populates="events")


class Handoff(Base):
    """A department handoff that moves the call itself (SIP REFER to the other department's
    number). The reference travels in a SIP header; the context stays here. One use only."""

    __tablename__ = "handoffs"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # opaque reference
    from_call_id: Mapped[str] = mapped_column(
        ForeignKey("call_records.id", ondelete="CASCADE"), index=True)
    from_department: Mapped[str] = mapped_column(String(64))
    to_department: Mapped[str] = mapped_column(String(64))
    to_number: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(Text, default="")
    # recent turns [{"role": "user"|"assistant", "text": ...}], newest last
    turns: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    used_by_call_id: Mapped[str | None] = mapped_column(String(32), default=None)


class Worker(Base):
    """An agent worker's heartbeat: what /ready and the token endpoint know of capacity."""

    __tablename__ = "workers"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # LiveKit's worker id
    agent_name: Mapped[str] = mapped_column(String(128))
    host: Mapped[str] = mapped_column(String(255))
    max_calls: Mapped[int] = mapped_column(Integer)
    active_calls: Mapped[int] = mapped_column(Integer, default=0)
    browser_calls: Mapped[int] = mapped_column(Integer, default=0)
    draining: Mapped[bool] = mapped_column(Boolean, default=False)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                              index=True)


class RoomWatch(Base):
    """A room a caller is in, watched until an agent answers or the call ends, so no call
    waits for a worker that is not coming and no record stays open when one dies.

    Filled from LiveKit's webhooks; checked by the API's supervisor (app/supervision), one
    API process at a time per room (a lease)."""

    __tablename__ = "room_watches"

    room_name: Mapped[str] = mapped_column(String(255), primary_key=True)
    source: Mapped[str] = mapped_column(String(16))  # "sip" | "browser"
    # waiting (no agent yet) | answered | lost (the agent left, caller still there) | closed
    state: Mapped[str] = mapped_column(String(16), default="waiting", index=True)
    caller: Mapped[str | None] = mapped_column(String(255), default=None)
    department: Mapped[str | None] = mapped_column(String(64), default=None)
    first_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    waiting_since: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    dispatches: Mapped[int] = mapped_column(Integer, default=0)  # re-dispatches sent
    next_check_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True),
                                                           default=None, index=True)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    outcome: Mapped[str | None] = mapped_column(String(64), default=None)
    # the record the supervisor closed when the caller's agent died (the next one links to it)
    lost_call_id: Mapped[str | None] = mapped_column(String(32), default=None)


class WebhookSubscription(Timestamped, Base):
    """A receiver of webhook events. The secret signs every delivery; it is stored encrypted
    (core/encryption.py) because signing needs it back, and shown only when created."""

    __tablename__ = "webhook_subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str] = mapped_column(String(200), default="")
    event_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    secret_encrypted: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class WebhookEvent(Base):
    """One event as sent (the body of every delivery of it), written in the same transaction
    as the call event it reports (core/webhooks.py)."""

    __tablename__ = "webhook_events"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # msg_<hex>: webhook-id
    type: Mapped[str] = mapped_column(String(32))
    call_id: Mapped[str] = mapped_column(
        ForeignKey("call_records.id", ondelete="CASCADE"), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class WebhookDelivery(Base):
    """The outbox: one event to one subscription. pending -> sending (claimed with a lease)
    -> delivered, or back to pending with a later next_attempt_at, or failed after
    WEBHOOK_MAX_ATTEMPTS."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_order", "subscription_id", "call_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[str] = mapped_column(
        ForeignKey("webhook_events.id", ondelete="CASCADE"), index=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"))
    call_id: Mapped[str] = mapped_column(String(32))  # deliveries of one call go in order
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    last_status_code: Mapped[int | None] = mapped_column(Integer, default=None)
    last_error: Mapped[str | None] = mapped_column(String(500), default=None)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    event: Mapped[WebhookEvent] = relationship()
    attempt_log: Mapped[list[WebhookAttempt]] = relationship(
        order_by="WebhookAttempt.id", cascade="all, delete-orphan", passive_deletes=True)


class WebhookAttempt(Base):
    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    status_code: Mapped[int | None] = mapped_column(Integer, default=None)
    error: Mapped[str | None] = mapped_column(String(500), default=None)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)


class Callback(Timestamped, Base):
    """Someone to call back: who, for which department, in which language, why, from which
    call, not before when. The API's scheduler places it (callback_attempts) within the
    department's hours until it is answered or out of attempts; an admin may cancel it or
    mark it done. Statuses: pending (waits for next_attempt_at), dialing (claimed by a
    scheduler until lease_until), answered, failed, cancelled, done."""

    __tablename__ = "callbacks"
    __table_args__ = (Index("ix_callbacks_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    department_id: Mapped[int] = mapped_column(
        ForeignKey("departments.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(20))  # E.164
    language: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(String(300), default="")
    # assistant | dtmf | after_hours | transfer_failed | api
    via: Mapped[str] = mapped_column(String(16), default="api")
    call_id: Mapped[str | None] = mapped_column(
        ForeignKey("call_records.id", ondelete="SET NULL"), default=None, index=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    earliest_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=3)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    last_result: Mapped[str | None] = mapped_column(String(16), default=None)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True),
                                                          default=None)

    department: Mapped[Department] = relationship()
    attempt_log: Mapped[list[CallbackAttempt]] = relationship(
        back_populates="callback", order_by="CallbackAttempt.id", cascade="all, delete-orphan",
        passive_deletes=True)


class CallbackAttempt(Base):
    """One outbound call placed for a callback, and how it went: answered, busy, declined,
    no_answer or failed (with the SIP status when there was one)."""

    __tablename__ = "callback_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    callback_id: Mapped[int] = mapped_column(
        ForeignKey("callbacks.id", ondelete="CASCADE"), index=True)
    attempt: Mapped[int] = mapped_column(Integer)  # 1, 2, ...
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    result: Mapped[str | None] = mapped_column(String(16), default=None)
    sip_status: Mapped[int | None] = mapped_column(Integer, default=None)
    error: Mapped[str | None] = mapped_column(String(500), default=None)
    room_name: Mapped[str | None] = mapped_column(String(255), default=None)

    callback: Mapped[Callback] = relationship(back_populates="attempt_log")
