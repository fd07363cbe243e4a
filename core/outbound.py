"""Outbound calls through an outbound trunk (livekit-api CreateSIPParticipant), for the two
things that place them: the callback scheduler (API) and warm transfer (agent). One request
shape and one reading of how a call went, so both record the same results."""

from __future__ import annotations

from datetime import timedelta

from google.protobuf.duration_pb2 import Duration
from livekit import api

# SIP final responses -> what happened (RFC 3261: 486 Busy Here, 600 Busy Everywhere,
# 603 Decline; 408 Request Timeout, 480 Temporarily Unavailable, 487 Request Terminated:
# nobody picked up before the ringing timeout)
BUSY = frozenset({486, 600})
DECLINED = frozenset({603})
NO_ANSWER = frozenset({408, 480, 487})


def dial_target(target: str | None) -> str | None:
    """What CreateSIPParticipant calls (`sip_call_to`) for a human line: the number of a
    `tel:` target, the user of a `sip:` one (the trunk's address is the host)."""
    if not target:
        return None
    if target.startswith("tel:"):
        return target[4:]
    if target.startswith(("sip:", "sips:")):
        return target.split(":", 1)[1].split("@", 1)[0] or None
    return target


def _duration(seconds: float) -> Duration:
    value = Duration()
    value.FromTimedelta(timedelta(seconds=seconds))
    return value


def call_request(*, trunk_id: str, to: str, room: str, identity: str, name: str,
                 ring_seconds: float, max_call_seconds: float | None = None,
                 attributes: dict[str, str] | None = None) -> api.CreateSIPParticipantRequest:
    """Dial `to` into `room` as `identity` and wait until answered. The number stays out of
    the participant (identity, attributes): livekit logs those on every line."""
    request = api.CreateSIPParticipantRequest(
        sip_trunk_id=trunk_id, sip_call_to=to, room_name=room, participant_identity=identity,
        participant_name=name, wait_until_answered=True, hide_phone_number=True,
        play_dialtone=False, ringing_timeout=_duration(ring_seconds),
        participant_attributes=attributes or {})
    if max_call_seconds:
        request.max_call_duration.CopyFrom(_duration(max_call_seconds))
    return request


def dial_outcome(error: BaseException) -> tuple[str, int | None]:
    """(result, SIP status) of a failed CreateSIPParticipant: busy, declined, no_answer or
    failed (trunk missing, network, refused by livekit-sip). At its ringing timeout
    livekit-sip CANCELs the INVITE and answers "sip request timed out", with no SIP status:
    nobody answered."""
    if not isinstance(error, api.TwirpError):
        return "failed", None
    status = getattr(error, "sip_status_code", None)
    if status in BUSY:
        return "busy", status
    if status in DECLINED:
        return "declined", status
    if status in NO_ANSWER or (status is None and "timed out" in error.message):
        return "no_answer", status
    return "failed", status
