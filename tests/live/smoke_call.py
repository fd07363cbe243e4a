"""`make call DEPT=sales`: place one real phone call with sipp into the running local stack
(`make run`) and print what happened. A developer's smoke tool, not a test.

It dials the first number of the department (create one with POST /api/v1/numbers), listens
to what the caller hears, and prints the SIP exchange, the audio heard and the call record."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

from sqlalchemy import select

from cli.main import stack_config
from core.config import get_settings
from core.db import session_scope
from core.models import CallRecord, Department, PhoneNumber
from core.pii import mask_number
from livekit_stack import LocalStack
from tests.live.rtp_capture import CallerMouth, open_ear
from tests.live.sipp_runner import Call, dtmf, pause, place_call
from tests.support.speech import phone_ulaw


def _number_for(slug: str) -> str:
    with session_scope() as session:
        dept = session.scalar(select(Department).where(Department.slug == slug))
        if dept is None:
            sys.exit(f"no department {slug!r}")
        number = session.scalar(select(PhoneNumber.e164).where(
            PhoneNumber.department_id == dept.id).order_by(PhoneNumber.id))
    if number is None:
        sys.exit(f"department {slug!r} has no phone number yet; add one, e.g.\n"
                 f"  curl -X POST http://127.0.0.1:8000/api/v1/numbers -H 'Authorization: "
                 f"Bearer $ADMIN_API_KEY' -H 'Content-Type: application/json' "
                 f"-d '{{\"e164\": \"+12025550123\", \"department_id\": {dept.id}}}'")
    return number


def _latest_call(number: str, since: float) -> CallRecord | None:
    with session_scope() as session:
        record = session.scalars(select(CallRecord).where(CallRecord.called_number == number)
                                 .order_by(CallRecord.started_at.desc())).first()
        return record if record and record.started_at.timestamp() >= since - 5 else None


def _print_record(number: str, since: float) -> None:
    deadline = time.monotonic() + 10  # the agent closes the record just after the hang-up
    while time.monotonic() < deadline:
        record = _latest_call(number, since)
        if record is not None and record.status == "ended":
            break
        time.sleep(0.2)
    with session_scope() as session:
        found = _latest_call(number, since)
        record = session.merge(found) if found else None
        if record is None:
            print("call record: none (was the agent running?)")
            return
        print(f"call record {record.id}: {record.status}, {record.first_department} -> "
              f"{record.current_department}, end: {record.end_reason}, "
              f"{record.duration_seconds or 0:.1f} s")
        for event in record.events:
            text = event.data.get("text") or event.data.get("to") or event.data.get("digit") or ""
            print(f"  {event.at:%H:%M:%S} {event.kind:<20} {text}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("department", nargs="?", default="reception")
    parser.add_argument("--number", default="", help="dial this number instead of the "
                        "department's, e.g. one no department has (a trunk's catch-all)")
    parser.add_argument("--seconds", type=float, default=8.0, help="how long to stay on the line")
    parser.add_argument("--digits", default="", help="DTMF digits to press, e.g. 2")
    parser.add_argument("--say", default="", help="a sentence to say after the greeting "
                        "(espeak-ng), e.g. 'I want to make a complaint'")
    parser.add_argument("--language", default="en", choices=["en", "ar"],
                        help="the language --say is spoken in")
    args = parser.parse_args()

    number = args.number or _number_for(args.department)
    stack = LocalStack(stack_config(get_settings()))  # the running stack's addresses
    steps = [pause(2000), dtmf(args.digits, 1000)] if args.digits else []
    workdir = Path(".run/calls") / time.strftime("%Y%m%d-%H%M%S")
    speaking = args.say and phone_ulaw(args.say, workdir, language=args.language)
    steps.append(pause(int((args.seconds + (30 if speaking else 0)) * 1000)))
    transport, ear, ear_port = await open_ear(stack.cfg.host)
    mouth = CallerMouth(ear)
    started = time.time()
    print(f"calling {mask_number(number)} ({'as dialled' if args.number else args.department}) "
          f"at sip:{stack.cfg.sip_address} ...")
    try:
        call = asyncio.create_task(place_call(
            stack, Call(number, steps=steps, sipp_audio=not speaking), workdir,
            ear_port=ear_port, timeout=args.seconds + 80))
        if speaking:
            mouth.start()
            await ear.wait_until_quiet(heard=1.0, quiet=1.2, timeout=60)
            print(f"saying: {args.say}")
            await mouth.say(speaking)
        result = await call
    finally:
        await mouth.stop()
        transport.close()
    print(f"sipp exit code {result.returncode}; SIP responses: {result.final_responses()}")
    if ear.first_loud_at and ear.first_packet_at:
        print(f"heard {ear.heard_seconds():.1f} s of audio (first sound "
              f"{ear.first_loud_at - ear.first_packet_at:.2f} s after media started)")
    else:
        print("heard nothing")
    if result.returncode != 0:
        print(result.error_log[-1500:])
    _print_record(number, started)


if __name__ == "__main__":
    asyncio.run(main())
