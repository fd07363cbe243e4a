"""Business hours in words, in the caller's language: "Sales is closed now; we open on
Sunday at 09:00", "Our hours: Sunday to Thursday 09:00 to 17:00". The facts are
core/hours.py's; the words are agent/phrases.toml's. Both modes say the same: the offline
engine fills the `{hours_now}` and `{hours}` placeholders of knowledge answers with these,
and the LLM's `lookup_knowledge` does too (and its `business_hours` tool returns them)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from agent.personas import Persona, PersonaDirectory, render
from agent.phrases import line, listing
from core.hours import DAYS, HoursStatus

WEEK_FROM_SUNDAY = (6, 0, 1, 2, 3, 4, 5)  # how the schedule is read out (weekday numbers)


def _clock(moment: datetime) -> str:
    return moment.strftime("%H:%M")


def when(persona: Persona, moment: datetime, now: datetime, language: str) -> str:
    """'today at 09:00', 'tomorrow at 09:00', 'on Sunday at 09:00', 'on 2027-01-02 at ...',
    in the department's time zone."""
    zone = persona.hours.zone if persona.hours else moment.tzinfo
    local, today = moment.astimezone(zone), now.astimezone(zone).date()
    days = (local.date() - today).days
    if days == 0:
        return line("when_today", language, time=_clock(local))
    if days == 1:
        return line("when_tomorrow", language, time=_clock(local))
    if days < 7:
        return line("when_day", language, day=line(f"day_{DAYS[local.weekday()]}", language),
                    time=_clock(local))
    return line("when_date", language, date=local.date().isoformat(), time=_clock(local))


def status_line(persona: Persona, now: datetime, language: str,
                status: HoursStatus | None = None) -> str:
    """Open until when, or closed and when it opens."""
    status = status or persona.hours_at(now)
    department = persona.department_name(language)
    if status.open and status.closes_at is None:
        return line("hours_open_always", language, department=department)
    if status.open and status.closes_at is not None:
        local = status.closes_at.astimezone(persona.hours.zone if persona.hours else None)
        return line("hours_open_until", language, department=department, time=_clock(local))
    if status.opens_at is not None:
        return line("hours_closed_opens", language, department=department,
                    when=when(persona, status.opens_at, now, language))
    return line("hours_closed", language, department=department)


def week_line(persona: Persona, language: str) -> str:
    """The weekly schedule, days with the same ranges together ('' with no hours)."""
    if persona.hours is None:
        return ""
    groups: list[tuple[list[int], tuple[tuple[int, int], ...]]] = []
    for day in WEEK_FROM_SUNDAY:
        ranges = tuple(persona.hours.weekly.get(day, ()))
        if ranges and groups and groups[-1][1] == ranges and \
                WEEK_FROM_SUNDAY.index(groups[-1][0][-1]) + 1 == WEEK_FROM_SUNDAY.index(day):
            groups[-1][0].append(day)
        elif ranges:
            groups.append(([day], ranges))
    parts = []
    for days, ranges in groups:
        names = [line(f"day_{DAYS[d]}", language) for d in (days[0], days[-1])]
        label = names[0] if len(days) == 1 else line("day_span", language, first=names[0],
                                                      last=names[1])
        spans = [line("time_span", language, start=_minutes(a), end=_minutes(b))
                 for a, b in ranges]
        parts.append(f"{label} {listing(spans, language)}")
    return line("hours_week", language, schedule="; ".join(parts)) if parts else ""


def _minutes(value: int) -> str:
    return f"{value // 60:02d}:{value % 60:02d}"


def answer_values(directory: PersonaDirectory, slug: str | None, language: str,
                  now: datetime) -> Mapping[str, str]:
    """What the placeholders of a knowledge answer say for one department's caller."""
    persona = directory.resolve(slug)
    return {"company": persona.company_name(language),
            "hours_now": status_line(persona, now, language),
            "hours": week_line(persona, language)}


def fill(text: str, values: Mapping[str, str]) -> str:
    """`text` with the placeholders filled (an empty one leaves no double space)."""
    return " ".join(render(text, values).split())
