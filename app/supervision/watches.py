"""A watch per room a caller is in, updated from LiveKit's webhooks (no LiveKit calls here:
the supervisor checks the room when the watch comes due)."""

from __future__ import annotations

from datetime import datetime, timedelta

from livekit.protocol import models
from sqlalchemy.orm import Session

from core.models import RoomWatch

# Rooms of our calls: phone calls (sip/provisioning: `call-<department>_...`) and browser
# calls (app/token: `web-<department>-...`). Other rooms (tests, consults) are not watched.
WATCHED_PREFIXES = ("call-", "web-")
FIRST_CHECK = timedelta(seconds=3)  # an agent normally joins within a second
GRACE = timedelta(seconds=5)  # after someone left: time for the agent's own last writes

AGENT = models.ParticipantInfo.Kind.AGENT
CALLERS = (models.ParticipantInfo.Kind.SIP, models.ParticipantInfo.Kind.STANDARD)


def watched(room: str) -> bool:
    return room.startswith(WATCHED_PREFIXES)


def department_of(room: str, attributes: dict[str, str]) -> str | None:
    """From the dispatch rule's attributes (phone) or the room name (`web-<dept>-...`)."""
    if attributes.get("department"):
        return attributes["department"]
    if room.startswith("web-"):
        return room.removeprefix("web-").rsplit("-", 1)[0] or None
    return None


def apply_event(db: Session, event: str, room: str, participant: models.ParticipantInfo | None,
                now: datetime) -> None:
    """Update the room's watch for one webhook event."""
    if not watched(room):
        return
    watch = db.get(RoomWatch, room)
    if event == "participant_joined" and participant is not None:
        if participant.kind == AGENT:
            watch = watch or _new(db, room, now, state="answered")
            watch.state, watch.next_check_at = "answered", None
        elif participant.kind in CALLERS:
            _caller_joined(db, watch, room, participant, now)
    elif event in ("participant_left", "participant_connection_aborted", "room_finished"):
        if watch is None:
            watch = _new(db, room, now, state="lost")
        if participant is not None and participant.kind == AGENT and watch.state == "answered":
            watch.state = "lost"  # the supervisor tells a clean end from a dead agent
        watch.next_check_at = now + GRACE


def _new(db: Session, room: str, now: datetime, state: str) -> RoomWatch:
    watch = RoomWatch(room_name=room, source="browser" if room.startswith("web-") else "sip",
                      state=state, first_seen_at=now, waiting_since=now, dispatches=0,
                      department=department_of(room, {}))
    db.add(watch)
    return watch


def _caller_joined(db: Session, watch: RoomWatch | None, room: str,
                   participant: models.ParticipantInfo, now: datetime) -> None:
    attributes = dict(participant.attributes)
    if watch is None:
        watch = _new(db, room, now, state="waiting")
        watch.next_check_at = now + FIRST_CHECK
    elif watch.caller:  # a second participant (a colleague dialled in): not the caller
        return
    watch.source = "sip" if participant.kind == models.ParticipantInfo.Kind.SIP else "browser"
    watch.caller = attributes.get("sip.phoneNumber") or participant.identity
    watch.department = department_of(room, attributes) or watch.department
