"""Shared response building blocks: limit/offset pagination with a total count, and UTC
timestamps (SQLite hands timezone-aware columns back naive; they are UTC)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import AfterValidator, BaseModel, BeforeValidator
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from app.limits import MAX_OFFSET, MAX_PAGE
from core.clock import utc

T = TypeVar("T")


UtcDateTime = Annotated[datetime, AfterValidator(utc)]


RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def _rfc3339(value: object) -> object:
    """Only what the document's `date-time` means (pydantic alone would also take a number
    of seconds or a date)."""
    if isinstance(value, str) and not RFC3339.match(value):
        raise ValueError("not an RFC 3339 date-time such as 2026-11-26T09:30:00Z")
    return value


def _to_utc(value: datetime) -> datetime:
    try:
        return value.astimezone(UTC)
    except OverflowError:  # within a day of year 1 or 9999: the first or last moment
        return (datetime.min if value.year == 1 else datetime.max).replace(tzinfo=UTC)


# a moment given by a client (a filter), with its offset; compared in UTC
UtcQueryDateTime = Annotated[datetime, BeforeValidator(_rfc3339), AfterValidator(_to_utc)]


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
