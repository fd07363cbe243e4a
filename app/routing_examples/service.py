"""Routing example rules: the department must exist; a phrasing is stored once per department
and language; a department holds at most MAX_PER_DEPARTMENT examples."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from app.departments.service import require
from app.errors import Conflict, NotFound, reject_nulls
from app.pagination import PageParams, paginate
from app.routing_examples.schemas import ExampleCreate, ExampleOut, ExampleUpdate
from core.models import RoutingExample

MAX_PER_DEPARTMENT = 1000


def to_out(row: RoutingExample) -> ExampleOut:
    data = {k: getattr(row, k) for k in ExampleOut.model_fields if k != "department"}
    return ExampleOut.model_validate({**data, "department": row.department.slug})


def get(session: Session, example_id: int) -> RoutingExample:
    row = session.get(RoutingExample, example_id,
                      options=[joinedload(RoutingExample.department)])
    if row is None:
        raise NotFound(f"no routing example with id {example_id}", field="example_id")
    return row


def list_page(session: Session, page: PageParams, *, department_id: int | None = None,
              language: str | None = None) -> tuple[list[RoutingExample], int]:
    stmt = select(RoutingExample).options(joinedload(RoutingExample.department))
    if department_id is not None:
        stmt = stmt.where(RoutingExample.department_id == department_id)
    if language is not None:
        stmt = stmt.where(RoutingExample.language == language)
    return paginate(session, stmt.order_by(RoutingExample.id), page)


def _check(session: Session, department_id: int, language: str, text: str,
           own_id: int | None = None) -> None:
    require(session, department_id)
    same = session.scalar(select(RoutingExample.id).where(
        RoutingExample.department_id == department_id, RoutingExample.language == language,
        RoutingExample.text == text))
    if same is not None and same != own_id:
        raise Conflict(f"this example already exists (id {same})", field="text")
    count = session.scalar(select(func.count()).select_from(RoutingExample)
                           .where(RoutingExample.department_id == department_id))
    if own_id is None and (count or 0) >= MAX_PER_DEPARTMENT:
        raise Conflict(f"department {department_id} already has {MAX_PER_DEPARTMENT} "
                       "examples; remove some first", field="department_id")


def create(session: Session, data: ExampleCreate) -> RoutingExample:
    _check(session, data.department_id, data.language, data.text)
    row = RoutingExample(**data.model_dump())
    session.add(row)
    session.flush()
    return row


def update(session: Session, row: RoutingExample, data: ExampleUpdate) -> RoutingExample:
    changes = data.model_dump(exclude_unset=True)
    reject_nulls(changes)
    moved = changes.get("department_id", row.department_id) != row.department_id
    _check(session, changes.get("department_id", row.department_id),
           changes.get("language", row.language), changes.get("text", row.text),
           own_id=None if moved else row.id)
    for name, value in changes.items():
        setattr(row, name, value)
    session.flush()
    session.refresh(row, ["department"])
    return row


def delete(session: Session, row: RoutingExample) -> None:
    session.delete(row)
    session.flush()
