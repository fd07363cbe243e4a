"""Business hours of a department: a weekly schedule in the department's time zone, and
closure dates (holidays). Pure: every question takes `now`, nothing reads a clock.

Stored as JSON on the department (null = always open):
`{"time_zone": "Asia/Riyadh", "weekly": {"sun": [["09:00", "17:00"]], ...},
"closed_dates": ["2026-12-25"]}`. A range whose end is not after its start runs past
midnight ("22:00"-"02:00": until 02:00 the next day); "24:00" is the end of the day. A
closure date closes the whole local calendar day, also the part of a night range that falls
on it. Times are wall-clock times in the zone: across a DST change a range keeps its local
times (zoneinfo resolves the skipped or repeated hour).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # datetime.weekday() order
DAY_MINUTES = 24 * 60
LOOKAHEAD_DAYS = 400  # a holiday list can close the next opening far away; a year is enough

Segment = tuple[int, int]  # [start, end) in minutes of one local day, 0..1440


def parse_clock(text: str) -> int:
    """'09:30' -> 570; '24:00' -> 1440 (ValueError otherwise)."""
    hours, _, minutes = text.partition(":")
    if len(hours) != 2 or len(minutes) != 2 or not (hours + minutes).isdigit():
        raise ValueError(f"'{text}' is not a time HH:MM")
    value = int(hours) * 60 + int(minutes)
    if int(minutes) >= 60 or value > DAY_MINUTES:
        raise ValueError(f"'{text}' is not a time between 00:00 and 24:00")
    return value


@dataclass(frozen=True)
class HoursStatus:
    open: bool
    closes_at: datetime | None = None  # open: when it closes (None: open around the clock)
    opens_at: datetime | None = None  # closed: when it opens next (None: not scheduled)

    def as_dict(self) -> dict[str, Any]:
        return {"open": self.open,
                "closes_at": self.closes_at.isoformat() if self.closes_at else None,
                "opens_at": self.opens_at.isoformat() if self.opens_at else None}


@dataclass(frozen=True)
class BusinessHours:
    time_zone: str
    # weekday (0 = Monday) -> the ranges starting that day, as (start, end) minutes; an end
    # not after the start runs into the next day
    weekly: Mapping[int, tuple[Segment, ...]]
    closed_dates: frozenset[date] = frozenset()

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> BusinessHours:
        weekly = {DAYS.index(day): tuple((parse_clock(a), parse_clock(b)) for a, b in ranges)
                  for day, ranges in (data.get("weekly") or {}).items()}
        return cls(time_zone=data.get("time_zone") or "UTC", weekly=weekly,
                   closed_dates=frozenset(date.fromisoformat(d)
                                          for d in data.get("closed_dates") or ()))

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def segments(self, day: date) -> list[Segment]:
        """The open minutes of one local calendar day, sorted: that day's ranges and the
        part after midnight of the previous day's night ranges; none on a closure date."""
        if day in self.closed_dates:
            return []
        out = []
        for start, end in self.weekly.get(day.weekday(), ()):
            out.append((start, end if end > start else DAY_MINUTES))
        for start, end in self.weekly.get((day - timedelta(days=1)).weekday(), ()):
            if end <= start and end > 0:
                out.append((0, end))
        return sorted(s for s in out if s[1] > s[0])

    def _at(self, day: date, minute: int) -> datetime:
        return datetime.combine(day, time()).replace(tzinfo=self.zone) + timedelta(minutes=minute)

    def _intervals(self, start_day: date) -> Iterator[tuple[datetime, datetime]]:
        """Open intervals from `start_day` on, in order, touching ones merged (a night range
        and the next day's morning are one interval)."""
        current: tuple[datetime, datetime] | None = None
        for offset in range(LOOKAHEAD_DAYS):
            day = start_day + timedelta(days=offset)
            for start, end in self.segments(day):
                begins, ends = self._at(day, start), self._at(day, end)
                if current and begins <= current[1]:
                    current = (current[0], max(current[1], ends))
                    continue
                if current:
                    yield current
                current = (begins, ends)
        if current:
            yield current

    def status(self, now: datetime) -> HoursStatus:
        """Open or closed at `now` (an aware datetime), and until / from when."""
        local = now.astimezone(self.zone)
        for begins, ends in self._intervals(local.date() - timedelta(days=1)):
            if ends <= now:
                continue
            if begins <= now:
                horizon = now + timedelta(days=LOOKAHEAD_DAYS - 8)  # no end in sight: 24/7
                return HoursStatus(open=True, closes_at=None if ends > horizon else ends)
            return HoursStatus(open=False, opens_at=begins)
        return HoursStatus(open=False)

    def is_open(self, now: datetime) -> bool:
        return self.status(now).open


ALWAYS_OPEN = HoursStatus(open=True)


def hours_of(data: Mapping[str, Any] | None) -> BusinessHours | None:
    """A department's stored hours (None: always open)."""
    return BusinessHours.from_json(data) if data else None


def status_of(hours: BusinessHours | None, now: datetime) -> HoursStatus:
    """A department without hours is always open."""
    return hours.status(now) if hours is not None else ALWAYS_OPEN
