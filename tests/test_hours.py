"""Business hours as a pure function of explicit datetimes: time zones, night ranges past
midnight, closure dates, DST, and the production guard on the test clock."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from core.config import Settings
from core.hours import BusinessHours, HoursStatus, parse_clock, status_of

RIYADH = ZoneInfo("Asia/Riyadh")  # UTC+3, no DST
OFFICE = BusinessHours.from_json({
    "time_zone": "Asia/Riyadh",
    "weekly": {day: [["09:00", "17:00"]] for day in ("sun", "mon", "tue", "wed", "thu")}
    | {"sat": [["10:00", "14:00"]]},
    "closed_dates": ["2026-12-03"],  # a Thursday
})
NIGHT = BusinessHours.from_json({"time_zone": "Europe/London",
                                 "weekly": {"fri": [["22:00", "02:00"]],
                                            "sat": [["08:00", "12:00"]]}})


def at(zone: ZoneInfo, *fields: int) -> datetime:
    return datetime(*fields, tzinfo=zone)


def test_open_within_a_range_in_the_departments_zone() -> None:
    # Tuesday 1 Dec 2026, 12:00 in Riyadh = 09:00 UTC
    assert OFFICE.status(datetime(2026, 12, 1, 9, 0, tzinfo=UTC)) == \
        HoursStatus(open=True, closes_at=at(RIYADH, 2026, 12, 1, 17, 0))
    # 06:30 UTC = 09:30 Riyadh: open; 05:59 UTC = 08:59: closed, opens at 09:00 local
    assert OFFICE.is_open(datetime(2026, 12, 1, 6, 30, tzinfo=UTC))
    early = OFFICE.status(datetime(2026, 12, 1, 5, 59, tzinfo=UTC))
    assert not early.open and early.opens_at == at(RIYADH, 2026, 12, 1, 9, 0)


def test_the_end_of_a_range_is_closed_and_the_next_opening_skips_closed_days() -> None:
    friday_evening = OFFICE.status(at(RIYADH, 2026, 12, 4, 17, 0))  # Friday: no range
    assert friday_evening == HoursStatus(open=False, opens_at=at(RIYADH, 2026, 12, 5, 10, 0))
    assert not OFFICE.is_open(at(RIYADH, 2026, 12, 1, 17, 0))


def test_a_closure_date_closes_the_whole_day() -> None:
    holiday = OFFICE.status(at(RIYADH, 2026, 12, 3, 11, 0))
    assert not holiday.open
    assert holiday.opens_at == at(RIYADH, 2026, 12, 5, 10, 0)  # Sat (Fri has no range)
    # the evening before: closes at 17:00 and opens again only after the holiday
    assert OFFICE.status(at(RIYADH, 2026, 12, 2, 18, 0)).opens_at == at(RIYADH, 2026, 12, 5, 10)


def test_a_range_past_midnight_belongs_to_the_day_it_starts() -> None:
    # Fri 27 Nov 2026 22:00 -> Sat 02:00, then Sat 08:00-12:00 (London, winter: UTC+0)
    london = ZoneInfo("Europe/London")
    assert NIGHT.status(at(london, 2026, 11, 27, 21, 59)).opens_at == \
        at(london, 2026, 11, 27, 22, 0)
    assert NIGHT.status(at(london, 2026, 11, 27, 23, 30)) == \
        HoursStatus(open=True, closes_at=at(london, 2026, 11, 28, 2, 0))
    assert NIGHT.status(at(london, 2026, 11, 28, 1, 59)).open
    assert NIGHT.status(at(london, 2026, 11, 28, 2, 0)).opens_at == \
        at(london, 2026, 11, 28, 8, 0)
    # Thursday night has no range: the part after midnight is Friday's own schedule only
    assert not NIGHT.is_open(at(london, 2026, 11, 27, 1, 0))


def test_a_closure_date_cuts_the_part_of_a_night_range_that_falls_on_it() -> None:
    hours = BusinessHours.from_json({"time_zone": "UTC", "weekly": {"fri": [["22:00", "02:00"]]},
                                     "closed_dates": ["2026-11-28"]})
    assert hours.status(at(ZoneInfo("UTC"), 2026, 11, 27, 23, 0)) == \
        HoursStatus(open=True, closes_at=datetime(2026, 11, 28, tzinfo=ZoneInfo("UTC")))
    assert not hours.is_open(datetime(2026, 11, 28, 1, 0, tzinfo=UTC))


def test_touching_ranges_are_one_opening_and_24_7_never_closes() -> None:
    always = BusinessHours.from_json({"time_zone": "UTC",
                                      "weekly": {d: [["00:00", "24:00"]] for d in
                                                 ("mon", "tue", "wed", "thu", "fri", "sat",
                                                  "sun")}})
    assert always.status(datetime(2026, 12, 1, 3, tzinfo=UTC)) == HoursStatus(open=True)
    split = BusinessHours.from_json({"time_zone": "UTC",
                                     "weekly": {"mon": [["09:00", "12:00"], ["12:00", "18:00"]]}})
    assert split.status(datetime(2026, 11, 30, 10, tzinfo=UTC)).closes_at == \
        datetime(2026, 11, 30, 18, tzinfo=UTC)


def test_dst_keeps_local_times() -> None:
    # New York springs forward on Sun 8 Mar 2026: 09:00 local is 14:00 UTC before, 13:00 after
    ny = BusinessHours.from_json({"time_zone": "America/New_York",
                                  "weekly": {"sat": [["09:00", "17:00"]],
                                             "sun": [["09:00", "17:00"]]}})
    assert ny.status(datetime(2026, 3, 7, 13, 59, tzinfo=UTC)).opens_at == \
        datetime(2026, 3, 7, 14, 0, tzinfo=UTC)
    assert ny.status(datetime(2026, 3, 8, 12, 59, tzinfo=UTC)).opens_at == \
        datetime(2026, 3, 8, 13, 0, tzinfo=UTC)


def test_no_ranges_means_never_open_and_no_hours_means_always_open() -> None:
    closed = BusinessHours.from_json({"time_zone": "UTC", "weekly": {}})
    assert closed.status(datetime(2026, 12, 1, tzinfo=UTC)) == HoursStatus(open=False)
    assert status_of(None, datetime(2026, 12, 1, tzinfo=UTC)) == HoursStatus(open=True)


@pytest.mark.parametrize("text", ["9:00", "24:01", "12:60", "ab:cd", "12-00"])
def test_clock_times_are_strict(text: str) -> None:
    with pytest.raises(ValueError):
        parse_clock(text)


def test_the_test_clock_offset_is_refused_in_production() -> None:
    secrets = {"admin_api_key": "a" * 32, "livekit_api_secret": "b" * 40,
               "data_encryption_key": "c" * 32, "token_requires_auth": True}
    with pytest.raises(ValidationError, match="CLOCK_OFFSET_SECONDS"):
        Settings(_env_file=None, environment="production", clock_offset_seconds=60, **secrets)
    assert Settings(_env_file=None, environment="production", **secrets).clock_offset_seconds == 0
