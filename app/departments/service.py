"""Department rules: unique slug; a department that still has numbers cannot be deleted;
its trunks (human line, callbacks) are outbound trunks; warm transfer needs the human line's
target and trunk."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.departments.schemas import DepartmentCreate, DepartmentOut, DepartmentUpdate
from app.errors import Conflict, NotFound, UnknownReference
from app.pagination import PageParams, paginate
from core.models import Department, Trunk

TRUNK_FIELDS = ("human_trunk_id", "callback_trunk_id")


def to_out(dept: Department) -> DepartmentOut:
    data = {k: getattr(dept, k) for k in DepartmentOut.model_fields
            if k not in ("numbers", "always_open")}
    return DepartmentOut.model_validate({**data, "always_open": not dept.hours,
                                         "numbers": sorted(n.e164 for n in dept.numbers)})


def _check_transfer(session: Session, dept: Department) -> None:
    """The trunks named are outbound; warm transfer has a target and a trunk to dial it."""
    for name in TRUNK_FIELDS:
        trunk_id = getattr(dept, name)
        if trunk_id is None:
            continue
        with session.no_autoflush:  # the department's new value is not written yet
            trunk = session.get(Trunk, trunk_id)
        if trunk is None:
            raise UnknownReference(f"{name}: no trunk with id {trunk_id}", field=name)
        if trunk.direction != "outbound":
            raise Conflict(f"{name}: trunk {trunk_id} is {trunk.direction}; calls are placed "
                           "through an outbound trunk", field=name)
    if dept.transfer_mode == "warm":
        for name in ("human_transfer_target", "human_trunk_id"):
            if getattr(dept, name) is None:
                raise Conflict(f"{name}: warm transfer dials the human line "
                               "(human_transfer_target) through an outbound trunk "
                               "(human_trunk_id); set both", field=name)


def get(session: Session, department_id: int) -> Department:
    dept = session.get(Department, department_id, options=[selectinload(Department.numbers)])
    if dept is None:
        raise NotFound(f"no department with id {department_id}", field="department_id")
    return dept


def list_page(session: Session, page: PageParams) -> tuple[list[Department], int]:
    stmt = select(Department).options(selectinload(Department.numbers)).order_by(Department.id)
    return paginate(session, stmt, page)


def _check_slug_free(session: Session, slug: str, own_id: int | None = None) -> None:
    other = session.scalar(select(Department.id).where(Department.slug == slug))
    if other is not None and other != own_id:
        raise Conflict(f"a department with slug '{slug}' already exists", field="slug")


def create(session: Session, data: DepartmentCreate) -> Department:
    _check_slug_free(session, data.slug)
    dept = Department(**data.model_dump())
    _check_transfer(session, dept)
    session.add(dept)
    session.flush()
    return dept


def update(session: Session, dept: Department, data: DepartmentUpdate) -> Department:
    changes = data.model_dump(exclude_unset=True)
    if "slug" in changes:
        _check_slug_free(session, changes["slug"], dept.id)
    for name, value in changes.items():
        setattr(dept, name, value)
    _check_transfer(session, dept)
    if changes.keys() & {"slug"}:  # rules carry the slug: their numbers must be re-synced
        for number in dept.numbers:
            number.sync_status = "pending"
    session.flush()
    return dept


def delete(session: Session, dept: Department) -> None:
    if dept.numbers:
        numbers = ", ".join(sorted(n.e164 for n in dept.numbers))
        raise Conflict(f"department '{dept.slug}' still has numbers ({numbers}); move or delete "
                       "them first", field="department_id")
    catching = session.scalar(select(Trunk.id).where(Trunk.unassigned_department_id == dept.id))
    if catching is not None:
        raise Conflict(f"department '{dept.slug}' answers unassigned numbers on trunk "
                       f"{catching}; change the trunk first", field="department_id")
    session.delete(dept)
    session.flush()


def require(session: Session, department_id: int) -> Department:
    """The department a request body points at (409 naming `department_id` if none)."""
    dept = session.get(Department, department_id)
    if dept is None:
        raise UnknownReference(f"department_id: no department with id {department_id}",
                               field="department_id")
    return dept
