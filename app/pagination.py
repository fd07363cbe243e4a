"""Shared response building blocks: limit/offset pagination with a total count, and UTC
timestamps (SQLite hands timezone-aware columns back naive; they are UTC)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import AfterValidator, BaseModel
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from app.limits import MAX_OFFSET, MAX_PAGE
from core.clock import utc

T = TypeVar("T")


UtcDateTime = Annotated[datetime, AfterValidator(utc)]


class PageParams(BaseModel):
    limit: int
    offset: int


def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page size")] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip")] = 0,
) -> PageParams:
    return PageParams(limit=limit, offset=offset)


PageDep = Annotated[PageParams, Depends(page_params)]


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


def paginate(session: Session, stmt: Select, page: PageParams) -> tuple[list, int]:
    """Rows of one page of `stmt` (which must be ordered) and the total count."""
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = list(session.scalars(stmt.limit(page.limit).offset(page.offset)))
    return rows, int(total or 0)
