"""/api/v1/departments"""

from __future__ import annotations

from fastapi import APIRouter, status

from app.departments import service
from app.departments.schemas import DepartmentCreate, DepartmentOut, DepartmentUpdate
from app.deps import AdminDep, SessionDep, SettingsDep
from app.errors import responses
from app.limits import path_id
from app.pagination import Page, PageDep
from app.sync.trigger import commit_and_sync

router = APIRouter(prefix="/api/v1/departments", tags=["departments"], dependencies=[AdminDep])
DepartmentId = path_id("Department id")


@router.get("", response_model=Page[DepartmentOut], summary="List departments")
def list_departments(session: SessionDep, page: PageDep) -> Page[DepartmentOut]:
    rows, total = service.list_page(session, page)
    return Page(items=[service.to_out(d) for d in rows], total=total, **page.model_dump())


@router.post("", response_model=DepartmentOut, status_code=status.HTTP_201_CREATED,
             responses=responses(409), summary="Create a department")
def create_department(body: DepartmentCreate, session: SessionDep,
                      settings: SettingsDep) -> DepartmentOut:
    dept = service.create(session, body)
    commit_and_sync(session, settings)
    return service.to_out(service.get(session, dept.id))


@router.get("/{department_id}", response_model=DepartmentOut, responses=responses(404),
            summary="Get a department")
def get_department(department_id: DepartmentId, session: SessionDep) -> DepartmentOut:
    return service.to_out(service.get(session, department_id))


@router.patch("/{department_id}", response_model=DepartmentOut, responses=responses(404, 409),
              summary="Change a department (only the fields sent)")
def update_department(department_id: DepartmentId, body: DepartmentUpdate, session: SessionDep,
                      settings: SettingsDep) -> DepartmentOut:
    dept = service.update(session, service.get(session, department_id), body)
    commit_and_sync(session, settings)
    return service.to_out(dept)


@router.delete("/{department_id}", status_code=status.HTTP_204_NO_CONTENT,
               responses=responses(404, 409), summary="Delete a department without numbers")
def delete_department(department_id: DepartmentId, session: SessionDep,
                      settings: SettingsDep) -> None:
    service.delete(session, service.get(session, department_id))
    commit_and_sync(session, settings)
