"""Business hours bodies: a weekly schedule of HH:MM ranges per day in an IANA time zone,
and closure dates. What the hours mean is core/hours.py's; this only says what is valid."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from typing import Annotated, Any
from zoneinfo import available_timezones

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from app.limits import iso, text
from app.pagination import UtcDateTime
from core.hours import DAYS

TIME_ZONE_FORMAT = "time-zone"  # an IANA zone name, e.g. Asia/Riyadh
MAX_RANGES_PER_DAY = 6
MAX_CLOSED_DATES = 366


@cache
def time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def _zone(value: str) -> str:
    if value not in time_zones():
        raise ValueError(f"'{value}' is not an IANA time zone such as 'Asia/Riyadh'")
    return value


Start = text(5, pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
End = text(5, pattern=r"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$")
TimeZone = Annotated[text(64), AfterValidator(_zone),
                     Field(json_schema_extra={"format": TIME_ZONE_FORMAT},
                           examples=["Asia/Riyadh"])]


Range = Annotated[tuple[Start, End],
                  Field(description='["HH:MM", "HH:MM"]; an end not after the start runs past '
                                    'midnight (to that time the next day), "24:00" is the end '
                                    'of the day')]
# JSON dates are strings: a number is not read as seconds since 1970
Date = iso(date)
DayRanges = Annotated[list[Range], Field(max_length=MAX_RANGES_PER_DAY)]


class WeeklyHours(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mon: DayRanges = Field(default_factory=list)
    tue: DayRanges = Field(default_factory=list)
    wed: DayRanges = Field(default_factory=list)
    thu: DayRanges = Field(default_factory=list)
    fri: DayRanges = Field(default_factory=list)
    sat: DayRanges = Field(default_factory=list)
    sun: DayRanges = Field(default_factory=list)


class HoursIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    time_zone: TimeZone
    weekly: WeeklyHours = Field(description="Open ranges per day; a day with none is closed")
    closed_dates: Annotated[list[Date], Field(max_length=MAX_CLOSED_DATES)] = Field(
        default_factory=list, description="Holidays: closed the whole local day")

    @model_validator(mode="after")
    def _distinct_dates(self) -> HoursIn:
        self.closed_dates = sorted(set(self.closed_dates))
        return self

    def stored(self) -> dict[str, Any]:
        """The JSON kept on the department (core/hours.py reads it)."""
        return {"time_zone": self.time_zone,
                "weekly": {day: [list(r) for r in getattr(self.weekly, day)] for day in DAYS
                           if getattr(self.weekly, day)},
                "closed_dates": [d.isoformat() for d in self.closed_dates]}


class HoursOut(BaseModel):
    department_id: int
    always_open: bool = Field(description="No hours set: the human line is always open")
    time_zone: str | None
    weekly: dict[str, list[list[str]]]
    closed_dates: list[str]
    open_now: bool
    closes_at: UtcDateTime | None = Field(description="When it closes (open now)")
    opens_at: UtcDateTime | None = Field(description="When it opens next (closed now)")
    checked_at: datetime = Field(description="The time the status is for (UTC)")
