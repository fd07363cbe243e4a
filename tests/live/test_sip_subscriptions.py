"""The experiment warm transfer is built on: what a phone on livekit-sip hears when the
server changes what its participant is subscribed to.

livekit-sip subscribes its participant to every audio track in the room and mixes all of them
into the call. Two phones are dialled into one room with CreateSIPParticipant (sipp answering,
each looping its own tone) next to a participant publishing a third tone; each phone's RTP
receiver tells by frequency whose audio it hears while the server:

1. unsubscribes phone A from phone B's track (`UpdateSubscriptions`): A stops hearing B,
   B still hears A: one direction at a time;
2. limits the publisher's track to phone B (track subscription permissions): A stops hearing
   it, B still does;
3. subscribes A to B again and lifts the permission: A hears both again (livekit-sip takes
   back a track the server gives it: the subscription is the server's to decide);
4. takes `can_subscribe` from phone B and gives it back: B hears nothing, then everything
   it had asked for (what keeps a phone that picks up from hearing anyone before the agent
   has chosen what it may hear).
"""

from __future__ import annotations

import asyncio
import socket
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from livekit import api as lkapi
from livekit import rtc

from livekit_stack import LocalStack
from livekit_stack.probes import free_port
from tests.live.rtc_helpers import join, publish_tone, wait_for
from tests.live.rtp_capture import CallerEar, open_ear
from tests.live.sipp_runner import AnsweringPhone, Callee, answer_call, make_tone

PUBLISHER_HZ, A_HZ, B_HZ = 600, 1800, 2600
SETTLE = 1.0  # seconds for a subscription change to reach the phone
WINDOW = 2.0  # seconds listened to after each change
SETTLE_LIMIT = 15.0  # a busy machine may take longer: windows are listened to until this


@dataclass
class Phone:
    identity: str
    ear: CallerEar
    sipp: AnsweringPhone
    track_sid: str = ""


async def _dial(lk: lkapi.LiveKitAPI, stack: LocalStack, room: str, identity: str, hz: int,
                workdir: Path, transports: list) -> Phone:  # type: ignore[type-arg]
    host = stack.cfg.host
    transport, ear, ear_port = await open_ear(host)
    transports.append(transport)
    workdir.mkdir(parents=True, exist_ok=True)
    make_tone(workdir / "callee.ulaw", hz)
    sipp = await answer_call(host, free_port(host, socket.SOCK_DGRAM), Callee(ring_ms=200),
                             workdir, ear_port=ear_port, timeout=60)
    await lk.sip.create_sip_participant(lkapi.CreateSIPParticipantRequest(
        sip_call_to="+15550100200", sip_number="+15550100100", room_name=room,
        participant_identity=identity, wait_until_answered=True,
        trunk=lkapi.SIPOutboundConfig(hostname=sipp.address)))
    return Phone(identity, ear, sipp)


def _heard(shares: dict[str, float]) -> set[str]:
    return {k for k, v in shares.items() if v >= 0.3}


def _silent(shares: dict[str, float]) -> set[str]:
    return {k for k, v in shares.items() if v <= 0.02}


def _share(phone: Phone, hz: int, since: float) -> float:
    """Share of the packets heard in [since, since + WINDOW] that carry `hz`."""
    packets = [t for t, _ in phone.ear.timeline if since <= t <= since + WINDOW]
    return len(phone.ear.tone_times(hz, since, since + WINDOW)) / max(1, len(packets))


@pytest.fixture
async def room_with_two_phones(live_stack: LocalStack, lk: lkapi.LiveKitAPI,
                               artifacts_dir: Path) -> AsyncIterator[tuple]:  # type: ignore[type-arg]
    name = f"subs-{uuid.uuid4().hex[:8]}"
    publisher = await join(live_stack, name, "publisher")
    stop = asyncio.Event()
    tone = asyncio.create_task(publish_tone(publisher, stop, PUBLISHER_HZ))
    transports: list = []  # type: ignore[type-arg]
    phones: list[Phone] = []
    try:
        workdir = artifacts_dir / name
        for identity, hz in (("phone-a", A_HZ), ("phone-b", B_HZ)):
            phones.append(await _dial(lk, live_stack, name, identity, hz,
                                      workdir / identity, transports))
        a, b = phones
        for phone in phones:
            await wait_for(lambda p=phone: bool(_audio_tracks(publisher, p.identity)),  # type: ignore[misc]
                           f"{phone.identity}'s track", timeout=10)
            phone.track_sid = _audio_tracks(publisher, phone.identity)[0]
        yield publisher, a, b
    finally:
        stop.set()
        await tone
        await publisher.disconnect()
        await lk.room.delete_room(lkapi.DeleteRoomRequest(room=name))
        for phone in phones:  # deleting the room hung them up (BYE)
            assert (await phone.sipp.result(timeout=20)).returncode == 0
        for transport in transports:
            transport.close()


def _audio_tracks(room: rtc.Room, identity: str) -> list[str]:
    participant = room.remote_participants.get(identity)
    return [sid for sid, pub in (participant.track_publications.items() if participant else ())
            if pub.kind == rtc.TrackKind.KIND_AUDIO]


async def test_livekit_sip_hears_exactly_what_the_server_subscribes_it_to(
    room_with_two_phones: tuple, lk: lkapi.LiveKitAPI  # type: ignore[type-arg]
) -> None:
    publisher, a, b = room_with_two_phones
    room = publisher.name
    seen: dict[str, dict[str, float]] = {}

    everything = {"phone-a<-publisher", "phone-a<-b", "phone-b<-publisher", "phone-b<-a"}

    def shares(since: float) -> dict[str, float]:
        return {f"{phone.identity}<-{who}": round(_share(phone, hz, since), 2)
                for phone in (a, b)
                for who, hz in (("publisher", PUBLISHER_HZ), ("a", A_HZ), ("b", B_HZ))
                if not phone.identity.endswith(who)}

    async def hears(label: str, silent: set[str]) -> None:
        """Listen in windows until the phones hear everything but `silent` (or SETTLE_LIMIT
        passed: the last window is what the assertions below judge)."""
        await asyncio.sleep(SETTLE)
        deadline = time.monotonic() + SETTLE_LIMIT
        while True:
            start = time.monotonic()
            await asyncio.sleep(WINDOW)
            seen[label] = shares(start)
            if _heard(seen[label]) == everything - silent and _silent(seen[label]) == silent \
                    or time.monotonic() > deadline:
                return

    await hears("everyone", set())

    await lk.room.update_subscriptions(lkapi.UpdateSubscriptionsRequest(
        room=room, identity=a.identity, track_sids=[b.track_sid], subscribe=False))
    await hears("a unsubscribed from b", {"phone-a<-b"})

    track_sid = next(iter(publisher.local_participant.track_publications))
    publisher.local_participant.set_track_subscription_permissions(
        allow_all_participants=False, participant_permissions=[
            rtc.ParticipantTrackPermission(participant_identity=b.identity,
                                           allowed_track_sids=[track_sid])])
    await hears("publisher allowed to b only", {"phone-a<-b", "phone-a<-publisher"})

    await lk.room.update_subscriptions(lkapi.UpdateSubscriptionsRequest(
        room=room, identity=a.identity, track_sids=[b.track_sid], subscribe=True))
    publisher.local_participant.set_track_subscription_permissions(allow_all_participants=True)
    await hears("all given back", set())

    no_subscribe = lkapi.ParticipantPermission()
    no_subscribe.CopyFrom((await lk.room.get_participant(lkapi.RoomParticipantIdentity(
        room=room, identity=b.identity))).permission)
    no_subscribe.can_subscribe = False
    await lk.room.update_participant(lkapi.UpdateParticipantRequest(
        room=room, identity=b.identity, permission=no_subscribe))
    await hears("b may not subscribe", {"phone-b<-publisher", "phone-b<-a"})
    no_subscribe.can_subscribe = True
    await lk.room.update_participant(lkapi.UpdateParticipantRequest(
        room=room, identity=b.identity, permission=no_subscribe))
    await hears("b may subscribe again", set())

    print("share of packets carrying each tone:", seen)
    heard = {label: _heard(got) for label, got in seen.items()}
    silent = {label: _silent(got) for label, got in seen.items()}
    assert heard["everyone"] == everything, seen
    assert silent["a unsubscribed from b"] == {"phone-a<-b"}, seen
    assert heard["a unsubscribed from b"] == everything - {"phone-a<-b"}, seen
    assert silent["publisher allowed to b only"] == {"phone-a<-b", "phone-a<-publisher"}, seen
    assert heard["publisher allowed to b only"] == {"phone-b<-publisher", "phone-b<-a"}, seen
    assert heard["all given back"] == everything, seen
    assert silent["b may not subscribe"] == {"phone-b<-publisher", "phone-b<-a"}, seen
    assert heard["b may not subscribe"] == {"phone-a<-publisher", "phone-a<-b"}, seen
    assert heard["b may subscribe again"] == everything, seen
