"""/api/v1/departments/{department_id}/hours"""

from __future__ import annotations

from fastapi import APIRouter

from app.departments import service as departments
from app.departments.routes import DepartmentId
from app.deps import AdminDep, SessionDep
from app.errors import responses
from app.hours import service
from app.hours.schemas import HoursIn, HoursOut
from core import clock

router = APIRouter(prefix="/api/v1/departments/{department_id}/hours", tags=["hours"],
                   dependencies=[AdminDep])


@router.get("", response_model=HoursOut, responses=responses(404),
            summary="A department's business hours and whether it is open now")
def get_hours(department_id: DepartmentId, session: SessionDep) -> HoursOut:
    return service.to_out(departments.get(session, department_id), clock.now())


@router.put("", response_model=HoursOut, responses=responses(404),
            summary="Set a department's weekly hours, time zone and closure dates")
def put_hours(department_id: DepartmentId, body: HoursIn, session: SessionDep) -> HoursOut:
    dept = service.put(session, departments.get(session, department_id), body)
    return service.to_out(dept, clock.now())


@router.delete("", response_model=HoursOut, responses=responses(404),
               summary="Remove a department's hours (always open)")
def delete_hours(department_id: DepartmentId, session: SessionDep) -> HoursOut:
    dept = service.clear(session, departments.get(session, department_id))
    return service.to_out(dept, clock.now())
