"""What the supervisor does about one room, decided from what is in it (pure: unit tested
with explicit numbers)."""

from __future__ import annotations

from dataclasses import dataclass

AGENT_LOST = "agent_lost"  # end reason of a record whose agent died mid-call
NO_AGENT = "no_agent_available"  # a caller no agent answered in time
ABANDONED = "abandoned"  # the caller left before any agent answered
REDISPATCH_AFTER = 4.0  # seconds: a dispatch younger than this may still be starting
JOB_START_LIMIT = 20.0  # seconds: a job still starting after this is not coming
MAX_CHECK_INTERVAL = 5.0


@dataclass(frozen=True)
class Room:
    agents: int  # agent participants in the room
    callers: int  # callers (SIP or browser participants)
    dispatch_age: float | None  # seconds since our newest dispatch to it (None: none)
    starting: bool = False  # a job of ours is pending or running (an agent on its way)


@dataclass(frozen=True)
class Records:
    active: int  # the room's records still open
    latest_reason: str | None  # end reason of its newest record (None: no record)
    any: bool


@dataclass(frozen=True)
class Plan:
    state: str  # the watch's next state: waiting | answered | closed
    close_open: bool = False  # close the open records as AGENT_LOST
    restart_wait: bool = False  # the caller waits again from now (their agent died)
    dispatch: bool = False
    delete_room: bool = False
    unanswered: str | None = None  # write a record for a call no agent took, this reason
    check_in: float | None = None  # seconds until the next check


def plan(room: Room, records: Records, waited: float, dispatches: int,
         answer_timeout: float) -> Plan:
    if room.agents:
        return Plan("answered")
    if not room.callers:  # everyone left: close what a dead agent left open
        return Plan("closed", close_open=records.active > 0,
                    unanswered=None if records.any else ABANDONED)
    died = records.active > 0
    if not died and records.any and records.latest_reason != AGENT_LOST:
        return Plan("closed")  # the agent left on purpose (a transfer): leave them be
    if died:
        waited = 0.0
    if waited >= answer_timeout:
        return Plan("closed", delete_room=True, unanswered=None if records.any else NO_AGENT)
    again = room.dispatch_age is None or (
        room.dispatch_age >= (JOB_START_LIMIT if room.starting else REDISPATCH_AFTER))
    return Plan("waiting", close_open=died, restart_wait=died, dispatch=again,
                check_in=min(MAX_CHECK_INTERVAL, 1.0 + dispatches))
