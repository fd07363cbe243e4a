"""Knowledge rules: unique key; the department, if any, must exist; editing the text of a
seeded example makes it the operator's own (example = false)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.departments.service import require
from app.errors import Conflict, NotFound, reject_nulls
from app.knowledge.schemas import EntryCreate, EntryOut, EntryUpdate
from app.pagination import PageParams, paginate
from core.models import KnowledgeEntry

NULLABLE = {"department_id"}


def to_out(row: KnowledgeEntry) -> EntryOut:
    data = {k: getattr(row, k) for k in EntryOut.model_fields if k != "department"}
    return EntryOut.model_validate({**data, "department": row.department.slug
                                    if row.department else None})


def get(session: Session, entry_id: int) -> KnowledgeEntry:
    row = session.get(KnowledgeEntry, entry_id, options=[joinedload(KnowledgeEntry.department)])
    if row is None:
        raise NotFound(f"no knowledge entry with id {entry_id}", field="entry_id")
    return row


def list_page(session: Session, page: PageParams, *, department_id: int | None = None,
              global_only: bool = False) -> tuple[list[KnowledgeEntry], int]:
    stmt = select(KnowledgeEntry).options(joinedload(KnowledgeEntry.department))
    if global_only:
        stmt = stmt.where(KnowledgeEntry.department_id.is_(None))
    elif department_id is not None:
        stmt = stmt.where(KnowledgeEntry.department_id == department_id)
    return paginate(session, stmt.order_by(KnowledgeEntry.id), page)


def _check_key_free(session: Session, key: str, own_id: int | None = None) -> None:
    other = session.scalar(select(KnowledgeEntry.id).where(KnowledgeEntry.key == key))
    if other is not None and other != own_id:
        raise Conflict(f"a knowledge entry with key '{key}' already exists", field="key")


def create(session: Session, data: EntryCreate) -> KnowledgeEntry:
    if data.department_id is not None:
        require(session, data.department_id)
    _check_key_free(session, data.key)
    row = KnowledgeEntry(**data.model_dump())
    session.add(row)
    session.flush()
    return row


def update(session: Session, row: KnowledgeEntry, data: EntryUpdate) -> KnowledgeEntry:
    changes = data.model_dump(exclude_unset=True)
    reject_nulls(changes, NULLABLE)
    if changes.get("department_id") is not None:
        require(session, changes["department_id"])
    if "key" in changes:
        _check_key_free(session, changes["key"], row.id)
    if changes.keys() & {"questions", "answers"} and "example" not in changes:
        changes["example"] = False
    for name, value in changes.items():
        setattr(row, name, value)
    session.flush()
    session.refresh(row, ["department"])
    return row


def delete(session: Session, row: KnowledgeEntry) -> None:
    session.delete(row)
    session.flush()
