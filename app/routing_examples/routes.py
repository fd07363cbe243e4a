"""/api/v1/routing-examples"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from app.departments.schemas import Language
from app.deps import AdminDep, SessionDep
from app.errors import responses
from app.limits import MAX_ID, path_id
from app.pagination import Page, PageDep
from app.routing_examples import service
from app.routing_examples.schemas import ExampleCreate, ExampleOut, ExampleUpdate

router = APIRouter(prefix="/api/v1/routing-examples", tags=["routing examples"],
                   dependencies=[AdminDep], responses=responses(401, 422))
ExampleId = path_id("Routing example id")


@router.get("", response_model=Page[ExampleOut], summary="List routing examples")
def list_examples(
    session: SessionDep, page: PageDep,
    department_id: Annotated[int | None, Query(ge=1, le=MAX_ID,
                                               description="Only this department's")] = None,
    language: Annotated[Language | None, Query(description="Only this language's")] = None,
) -> Page[ExampleOut]:
    rows, total = service.list_page(session, page, department_id=department_id,
                                    language=language)
    return Page(items=[service.to_out(r) for r in rows], total=total, **page.model_dump())


@router.post("", response_model=ExampleOut, status_code=status.HTTP_201_CREATED,
             responses=responses(409),
             summary="Add a phrasing that reaches a department (used from the next call on)")
def create_example(body: ExampleCreate, session: SessionDep) -> ExampleOut:
    row = service.create(session, body)
    return service.to_out(service.get(session, row.id))


@router.get("/{example_id}", response_model=ExampleOut, responses=responses(404),
            summary="Get a routing example")
def get_example(example_id: ExampleId, session: SessionDep) -> ExampleOut:
    return service.to_out(service.get(session, example_id))


@router.patch("/{example_id}", response_model=ExampleOut, responses=responses(404, 409),
              summary="Change a routing example (only the fields sent)")
def update_example(example_id: ExampleId, body: ExampleUpdate, session: SessionDep
                   ) -> ExampleOut:
    return service.to_out(service.update(session, service.get(session, example_id), body))


@router.delete("/{example_id}", status_code=status.HTTP_204_NO_CONTENT,
               responses=responses(404), summary="Remove a routing example")
def delete_example(example_id: ExampleId, session: SessionDep) -> None:
    service.delete(session, service.get(session, example_id))
