"""Trunk rules: unique name; inbound trunks take addresses and auth, outbound trunks need an
address (the request schemas say so per direction); username and password go together.
A change that the trunk as it is cannot take (a field of the other direction, half of the
digest auth) is a 409. Numbers on a deleted trunk fall back to the managed default inbound
trunk. A catch-all department for unassigned numbers needs a trunk that identifies its
carrier: anonymous traffic to unknown numbers keeps livekit-sip's flood protection."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.errors import Conflict, DomainError, Invalid, NotFound, UnknownReference
from app.pagination import PageParams, paginate
from app.trunks.schemas import TrunkCreate, TrunkOut, TrunkUpdate
from core.encryption import SecretBox
from core.models import Department, Trunk

OUTBOUND_ONLY = ("address", "transport", "outbound_numbers")
INBOUND_ONLY = ("allowed_addresses", "unassigned_department_id")
CATCH_ALL = "unassigned_department_id"


def to_out(trunk: Trunk) -> TrunkOut:
    return TrunkOut(
        id=trunk.id, name=trunk.name, direction=trunk.direction,  # type: ignore[arg-type]
        allowed_addresses=trunk.allowed_addresses or [], auth_username=trunk.auth_username,
        has_auth=bool(trunk.auth_password_encrypted), address=trunk.address,
        transport=trunk.transport,
        outbound_numbers=trunk.outbound_numbers or [],
        numbers=sorted(n.e164 for n in trunk.numbers),
        unassigned_department_id=trunk.unassigned_department_id, livekit_id=trunk.livekit_id,
        sync_status=trunk.sync_status, sync_error=trunk.sync_error,  # type: ignore[arg-type]
        created_at=trunk.created_at, updated_at=trunk.updated_at)


def get(session: Session, trunk_id: int) -> Trunk:
    trunk = session.get(Trunk, trunk_id, options=[selectinload(Trunk.numbers)])
    if trunk is None:
        raise NotFound(f"no trunk with id {trunk_id}", field="trunk_id")
    return trunk


def list_page(session: Session, page: PageParams,
              direction: str | None = None) -> tuple[list[Trunk], int]:
    stmt = select(Trunk).options(selectinload(Trunk.numbers)).order_by(Trunk.id)
    if direction is not None:
        stmt = stmt.where(Trunk.direction == direction)
    return paginate(session, stmt, page)


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    secret = values.get("auth_password")
    if secret is not None and hasattr(secret, "get_secret_value"):
        values["auth_password"] = secret.get_secret_value()
    return values


def _store_password(trunk: Trunk, password: str | None, box: SecretBox) -> None:
    """Only the encrypted password is stored (core/encryption.py says why not a hash)."""
    trunk.auth_password_encrypted = box.encrypt(password) if password else None


def _auth_pair_missing(v: dict[str, Any]) -> str | None:
    """The digest auth field that is missing while its partner is set, if any."""
    if bool(v.get("auth_username")) != bool(v.get("auth_password")):
        return "auth_password" if v.get("auth_username") else "auth_username"
    return None


def _check_change(direction: str, changes: dict[str, Any], merged: dict[str, Any]) -> None:
    """A change that the trunk, as it is, cannot take: 409 (the request itself is valid)."""
    other_direction = OUTBOUND_ONLY if direction == "inbound" else INBOUND_ONLY
    for name in other_direction:
        if changes.get(name):
            raise Conflict(f"{name}: this trunk is {direction}; only "
                           f"{'outbound' if direction == 'inbound' else 'inbound'} trunks "
                           "have this", field=name)
    if missing := _auth_pair_missing(merged):
        raise Conflict(f"{missing}: digest auth needs both username and password; this "
                       f"change would leave only one", field=missing)


def _check_catch_all(session: Session, v: dict[str, Any], untrusted: type[DomainError],
                     own_id: int | None = None) -> None:
    """The trunk's catch-all department must exist (409), the trunk must identify its carrier
    (`untrusted`: 422 for a new trunk, 409 for a change), and no other trunk may have one:
    livekit-server accepts one trunk that takes any called number (409)."""
    department_id = v.get(CATCH_ALL)
    if department_id is None:
        return
    if session.get(Department, department_id) is None:
        raise UnknownReference(f"{CATCH_ALL}: no department with id {department_id}",
                               field=CATCH_ALL)
    if not (v.get("allowed_addresses") or v.get("auth_username")):
        raise untrusted(f"{CATCH_ALL}: only a trunk that identifies its carrier "
                        "(allowed_addresses or digest auth) may answer calls to unassigned "
                        "numbers", field=CATCH_ALL)
    other = session.scalar(select(Trunk.id).where(Trunk.unassigned_department_id.is_not(None),
                                                  Trunk.id != (own_id or 0)))
    if other is not None:
        raise Conflict(f"{CATCH_ALL}: trunk {other} already takes calls to unassigned numbers; "
                       "LiveKit allows one such trunk", field=CATCH_ALL)


def _check_name_free(session: Session, name: str, own_id: int | None = None) -> None:
    other = session.scalar(select(Trunk.id).where(Trunk.name == name))
    if other is not None and other != own_id:
        raise Conflict(f"a trunk named '{name}' already exists", field="name")


def create(session: Session, data: TrunkCreate, box: SecretBox) -> Trunk:
    values = _plain(data.model_dump())
    if missing := _auth_pair_missing(values):
        raise Invalid(f"{missing}: digest auth needs both username and password",
                      field=missing)
    _check_name_free(session, data.name)
    _check_catch_all(session, values, Invalid)
    password = values.pop("auth_password")
    trunk = Trunk(**values, sync_status="pending")
    _store_password(trunk, password, box)
    session.add(trunk)
    session.flush()
    return trunk


def update(session: Session, trunk: Trunk, data: TrunkUpdate, box: SecretBox) -> Trunk:
    changes = _plain(data.model_dump(exclude_unset=True))
    current = {name: getattr(trunk, name) for name in TrunkUpdate.model_fields
               if name != "auth_password"} | {"auth_password": trunk.auth_password_encrypted}
    _check_change(trunk.direction, changes, current | changes)
    if trunk.direction == "inbound":
        _check_catch_all(session, current | changes, Conflict, trunk.id)
    if "name" in changes:
        _check_name_free(session, changes["name"], trunk.id)
    if "auth_password" in changes:
        _store_password(trunk, changes.pop("auth_password"), box)
    for name, value in changes.items():
        setattr(trunk, name, value)
    if changes:
        trunk.sync_status = "pending"
        for number in trunk.numbers:
            number.sync_status = "pending"
    session.flush()
    return trunk


def delete(session: Session, trunk: Trunk) -> None:
    for number in trunk.numbers:
        number.trunk_id = None
        number.sync_status = "pending"
    session.delete(trunk)
    session.flush()
