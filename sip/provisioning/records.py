"""Write the outcome of a sync onto the DB rows: numbers and trunks get `sync_status`
("synced" or "pending"), `sync_error` and their LiveKit id. Rows are only touched when
something changed, so a quiet sync leaves `updated_at` alone."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import PhoneNumber, Trunk, utcnow
from sip.provisioning.apply import Outcome
from sip.provisioning.desired import DesiredState, rule_key, trunk_key, unassigned_rule_key


def _set(row: PhoneNumber | Trunk, id_attr: str, livekit_id: str | None,
         error: str | None) -> None:
    status = "pending" if error or not livekit_id else "synced"
    wanted = {"sync_status": status, "sync_error": error}
    if status == "synced":
        wanted[id_attr] = livekit_id
    if all(getattr(row, k) == v for k, v in wanted.items()):
        return
    for k, v in wanted.items():
        setattr(row, k, v)
    if isinstance(row, PhoneNumber) and status == "synced":
        row.synced_at = utcnow()


def record_outcome(session: Session, desired: DesiredState, outcome: Outcome) -> None:
    for num in session.scalars(select(PhoneNumber)):
        key = rule_key(num.e164)
        error = outcome.errors.get(key)
        rule_id = outcome.ids.get(key)
        _set(num, "livekit_rule_id", rule_id, error or (None if rule_id else "not provisioned"))
    for trunk in session.scalars(select(Trunk)):
        key = trunk_key(trunk.id)
        error = desired.skipped.get(key) or outcome.errors.get(key) or \
            outcome.errors.get(unassigned_rule_key(trunk.id))  # its catch-all rule
        lk_id = outcome.ids.get(key)
        _set(trunk, "livekit_id", lk_id, error or (None if lk_id else "not provisioned"))


def record_unreachable(session: Session, reason: str) -> None:
    """Rows not confirmed in sync keep "pending" and learn why; synced rows stay as they are."""
    for row in [*session.scalars(select(PhoneNumber)), *session.scalars(select(Trunk))]:
        if row.sync_status != "synced" and row.sync_error != reason:
            row.sync_error = reason
