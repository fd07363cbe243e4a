"""Number rules: unique E.164; the department must exist; the trunk must be inbound.

A department or trunk id in the body that does not exist is a 404 naming the field (as for
ids in the path); an outbound trunk is a 409 (the request is valid, the trunk's direction is
what refuses it). Any change marks the number `pending` until a sync confirms its dispatch
rule on LiveKit.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.errors import Conflict, NotFound, UnknownReference
from app.numbers.schemas import NumberCreate, NumberOut, NumberUpdate
from app.pagination import PageParams, paginate
from core.models import Department, PhoneNumber, Trunk


def to_out(num: PhoneNumber) -> NumberOut:
    data = {k: getattr(num, k) for k in NumberOut.model_fields if k != "department"}
    return NumberOut.model_validate({**data, "department": num.department.slug})


def get(session: Session, number_id: int) -> PhoneNumber:
    num = session.get(PhoneNumber, number_id, options=[joinedload(PhoneNumber.department)])
    if num is None:
        raise NotFound(f"no phone number with id {number_id}", field="number_id")
    return num


def list_page(session: Session, page: PageParams, *, department_id: int | None = None,
              department: str | None = None, trunk_id: int | None = None,
              sync_status: str | None = None) -> tuple[list[PhoneNumber], int]:
    stmt = select(PhoneNumber).options(joinedload(PhoneNumber.department))
    if department_id is not None:
        stmt = stmt.where(PhoneNumber.department_id == department_id)
    if department is not None:
        stmt = stmt.join(PhoneNumber.department).where(Department.slug == department)
    if trunk_id is not None:
        stmt = stmt.where(PhoneNumber.trunk_id == trunk_id)
    if sync_status is not None:
        stmt = stmt.where(PhoneNumber.sync_status == sync_status)
    return paginate(session, stmt.order_by(PhoneNumber.id), page)


def _check_references(session: Session, department_id: int | None,
                      trunk_id: int | None) -> None:
    if department_id is not None and session.get(Department, department_id) is None:
        raise UnknownReference(f"department_id: no department with id {department_id}",
                               field="department_id")
    if trunk_id is not None:
        trunk = session.get(Trunk, trunk_id)
        if trunk is None:
            raise UnknownReference(f"trunk_id: no trunk with id {trunk_id}", field="trunk_id")
        if trunk.direction != "inbound":
            raise Conflict(f"trunk_id: trunk {trunk_id} is {trunk.direction}; a number needs "
                           "an inbound trunk", field="trunk_id")


def _check_e164_free(session: Session, e164: str, own_id: int | None = None) -> None:
    other = session.scalar(select(PhoneNumber.id).where(PhoneNumber.e164 == e164))
    if other is not None and other != own_id:
        raise Conflict(f"{e164} is already configured (number id {other})", field="e164")


def create(session: Session, data: NumberCreate) -> PhoneNumber:
    _check_references(session, data.department_id, data.trunk_id)
    _check_e164_free(session, data.e164)
    num = PhoneNumber(**data.model_dump(), sync_status="pending")
    session.add(num)
    session.flush()
    return num


def update(session: Session, num: PhoneNumber, data: NumberUpdate) -> PhoneNumber:
    changes = data.model_dump(exclude_unset=True)
    _check_references(session, changes.get("department_id"), changes.get("trunk_id"))
    if "e164" in changes:
        _check_e164_free(session, changes["e164"], num.id)
    for name, value in changes.items():
        setattr(num, name, value)
    if changes:
        num.sync_status = "pending"
    session.flush()
    session.refresh(num, ["department"])
    return num


def delete(session: Session, num: PhoneNumber) -> None:
    session.delete(num)
    session.flush()
