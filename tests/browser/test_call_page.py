"""The /call page in real headless Chromium against the real LiveKit stack.

Needing no agent (they pass whether or not the suite's worker is up): the page loads, lists
departments, gets a token, joins the room, shows the connection state, sends typed text on
lk.chat, reports errors clearly, fits a phone screen, works from the keyboard. With the worker:
Sarah greets, "لدي شكوى" hands the call to Mohammed (the persona label follows the agent's
cc.* attributes), hanging up closes the call record."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from livekit import api, rtc
from playwright.sync_api import Page, expect
from sqlalchemy import select

from core.db import session_scope
from core.models import CallRecord
from tests.conftest import ARTIFACTS
from tests.support import recordings

pytestmark = pytest.mark.live


def open_call_page(launch_browser, server, flags=None) -> Page:  # type: ignore[no-untyped-def]
    context = launch_browser(server.base_url, flags)
    page = context.new_page()
    page.on("console", lambda msg: print(f"[browser {msg.type}] {msg.text}"))
    page.on("pageerror", lambda err: print(f"[browser pageerror] {err}"))
    page.goto(f"{server.base_url}/call")
    expect(page.locator("#department option[value=sales]")).to_have_count(1)
    return page


def start_call(page: Page, department: str, language: str) -> str:
    page.select_option("#department", department)
    page.select_option("#language", language)
    page.click("#call-btn")
    expect(page.locator("#connection-state")).to_have_attribute("data-state", "connected",
                                                                timeout=20_000)
    room = page.evaluate("window.ccCall.roomName")
    assert room and room.startswith(f"web-{department}-")
    return room


def run_async(coro_fn, *args, timeout: float = 60):  # type: ignore[no-untyped-def]
    """Run a coroutine function to completion in its own thread and loop (Playwright's sync
    API owns this thread's event loop)."""
    box: dict[str, object] = {}

    def target() -> None:
        try:
            box["value"] = asyncio.run(coro_fn(*args))
        except BaseException as exc:  # re-raised in the caller
            box["error"] = exc
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise AssertionError(f"{coro_fn.__name__} did not finish within {timeout}s")
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box.get("value")


def wait_for(check, timeout: float, what: str):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class Listener:
    """A second participant in the room (Python rtc SDK) that records lk.chat messages."""

    def __init__(self, cfg, room: str) -> None:  # type: ignore[no-untyped-def]
        self.cfg, self.room_name = cfg, room
        self.messages: list[tuple[str, str]] = []

    async def run_until(self, predicate, timeout: float) -> None:  # type: ignore[no-untyped-def]
        room = rtc.Room()
        tasks: set[asyncio.Task[None]] = set()

        def on_chat(reader: rtc.TextStreamReader, identity: str) -> None:
            async def read() -> None:
                self.messages.append((identity, await reader.read_all()))
            task = asyncio.ensure_future(read())
            tasks.add(task)

        room.register_text_stream_handler("lk.chat", on_chat)
        token = (api.AccessToken(self.cfg.api_key, self.cfg.api_secret)
                 .with_identity("test-listener")
                 .with_grants(api.VideoGrants(room_join=True, room=self.room_name)).to_jwt())
        await room.connect(self.cfg.livekit_url, token)
        try:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and not predicate(self):
                await asyncio.sleep(0.1)
        finally:
            await room.disconnect()


def test_page_joins_room_and_sends_text(live_stack, api_server, launch_browser):
    page = open_call_page(launch_browser, api_server)
    # the department list and the persona come from the DB
    expect(page.locator("#department")).to_contain_text("Sales — Sarah")
    page.select_option("#department", "complaints")
    expect(page.locator("#persona-name")).to_contain_text("Mohammed")
    expect(page.locator("#call-btn")).to_be_enabled()

    room = start_call(page, "sales", "ar")
    expect(page.locator("#persona-name")).to_contain_text("Sarah")
    expect(page.locator("#hangup-btn")).to_be_enabled()
    expect(page.locator("#mic-status")).to_have_text("on", timeout=10_000)

    # the page's participant is in the LiveKit room, with the token's name
    async def participants() -> list:
        cfg = live_stack.cfg
        async with api.LiveKitAPI(cfg.livekit_http_url, cfg.api_key, cfg.api_secret) as lk:
            res = await lk.room.list_participants(api.ListParticipantsRequest(room=room))
            # an agent may be in the room when the suite's worker is up; count the others
            return [p for p in res.participants if p.kind != api.ParticipantInfo.Kind.AGENT]
    people = run_async(participants)
    assert [p.name for p in people] == ["Web caller"]
    assert people[0].identity.startswith("web-")

    # typed text goes out on lk.chat (what the agent reads in the offline mode)
    listener = Listener(live_stack.cfg, room)
    listening = threading.Thread(
        target=lambda: run_async(listener.run_until, lambda lst: lst.messages, 20), daemon=True)
    listening.start()
    expect(page.locator("#chat-input")).to_be_enabled()
    wait_for(lambda: len(run_async(participants)) == 2, 15, "the listener to join")
    page.fill("#chat-input", "مرحبا من المتصفح")
    page.keyboard.press("Enter")
    listening.join(timeout=30)
    assert listener.messages == [(people[0].identity, "مرحبا من المتصفح")]
    line = page.locator("#transcript .line[data-speaker=user] .text").last
    expect(line).to_have_text("مرحبا من المتصفح")
    expect(line).to_have_attribute("dir", "auto")

    page.click("#hangup-btn")
    expect(page.locator("#connection-state")).to_have_attribute("data-state", "disconnected")
    expect(page.locator("#call-btn")).to_be_enabled()
    wait_for(lambda: not run_async(participants), 15, "the page to leave the room")


def test_clear_errors_server_unreachable_and_unknown_department(api_server, launch_browser):
    page = open_call_page(launch_browser, api_server)
    page.route("**/api/v1/token", lambda route: route.abort("connectionrefused"))
    page.click("#call-btn")
    expect(page.locator("#error")).to_contain_text("Cannot reach the contact-center server")
    expect(page.locator("#connection-state")).to_have_attribute("data-state", "failed")
    expect(page.locator("#call-btn")).to_be_enabled()
    page.unroute("**/api/v1/token")

    # a department deleted after the page loaded: the API's 404 detail is shown
    page.evaluate("""() => { const o = document.createElement('option');
                             o.value = 'gone'; o.textContent = 'Gone';
                             document.getElementById('department').append(o); }""")
    page.select_option("#department", "gone")
    page.click("#call-btn")
    expect(page.locator("#error")).to_contain_text("No department with slug 'gone'")


def test_microphone_denied_still_allows_typing(live_stack, api_server, launch_browser):
    context = launch_browser(api_server.base_url,
                             drop_flags=["--use-fake-ui-for-media-stream"],
                             extra_flags=["--deny-permission-prompts"])
    page = context.new_page()
    page.goto(f"{api_server.base_url}/call")
    expect(page.locator("#department option[value=sales]")).to_have_count(1)
    start_call(page, "sales", "en")
    expect(page.locator("#error")).to_contain_text("Microphone access was denied", timeout=15_000)
    expect(page.locator("#mic-status")).to_have_text("unavailable")
    expect(page.locator("#chat-input")).to_be_enabled()
    page.click("#hangup-btn")
    expect(page.locator("#connection-state")).to_have_attribute("data-state", "disconnected")


def test_phone_sized_screen_and_keyboard(api_server, launch_browser):
    context = launch_browser(api_server.base_url)
    page = context.new_page()
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{api_server.base_url}/call")
    expect(page.locator("#department option[value=sales]")).to_have_count(1)
    # nothing wider than the screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    # tab order: department, language, name, Call
    page.focus("#department")
    order = []
    for _ in range(3):
        page.keyboard.press("Tab")
        order.append(page.evaluate("document.activeElement.id"))
    assert order == ["language", "participant-name", "call-btn"]
    for control in ("department", "language", "participant-name", "chat-input", "mic-level"):
        assert page.locator(f"label[for={control}]").count() == 1, control
    assert page.get_attribute("#transcript", "aria-live") == "polite"
    page.screenshot(path=str(ARTIFACTS / "browser-phone.png"), full_page=True)


# ------------------------------------------------------------------ with the agent worker

def _record(room: str) -> CallRecord | None:
    with session_scope() as db:
        return db.scalar(select(CallRecord).where(CallRecord.room_name == room))


def test_call_sales_handoff_to_complaints_and_hang_up(live_stack, api_server, agent_worker,
                                                      launch_browser, personas,
                                                      beeping_microphone):
    """Sales records its calls: the recording has the consent line first, both sides (the
    caller's side is a fake microphone that beeps once a second), lasts the call and goes on
    after the handoff to complaints (which does not record)."""
    sarah = personas.resolve("sales").welcome_for("ar")
    mohammed = personas.resolve("complaints").welcome_for("ar")
    api = api_server.client()
    with recordings.recording(api, "sales"):
        page = open_call_page(launch_browser, api_server, [beeping_microphone])
        room = start_call(page, "sales", "ar")
        _handoff_to_complaints_and_hang_up(page, room, agent_worker, sarah, mohammed)
    detail = api.get(f"/api/v1/calls/{_record(room).id}").json()
    assert (detail["outcome"], detail["summary_details"]["departments"]) == \
        ("handed_over", ["sales", "complaints"])
    assert detail["summary_details"]["request"] == "لدي شكوى"
    (_, agent), rate = recordings.check(api, detail, personas.resolve("sales"))
    # recorded to the end: Mohammed (complaints does not record) is in it after the handoff
    handed = recordings.seconds_into(detail, "handoff")
    assert recordings.loud_seconds(agent[int((handed + 0.5) * rate):], rate) >= 1.0


def _handoff_to_complaints_and_hang_up(page: Page, room: str, agent_worker, sarah: str,  # type: ignore[no-untyped-def]
                                       mohammed: str) -> None:
    # LiveKit drops a room's dispatch (no queue) if the worker reports itself full; the worker's
    # load is its share of AGENT_MAX_CALLS, so a busy CPU must not make this fail
    try:
        expect(page.locator("#agent-state")).not_to_have_attribute("data-state", "waiting",
                                                                   timeout=20_000)
    except AssertionError:
        raise AssertionError(f"no agent joined {room}; worker log: {agent_worker.log_path}"
                             ) from None

    agent_lines = page.locator("#transcript .line[data-speaker=agent] .text")
    expect(agent_lines.filter(has_text=sarah)).to_have_count(1, timeout=45_000)
    expect(page.locator("#agent-state")).not_to_have_attribute("data-state", "waiting")
    expect(page.locator("#persona-name")).to_contain_text("Sarah")
    page.screenshot(path=str(ARTIFACTS / "browser-call.png"), full_page=True)

    page.fill("#chat-input", "لدي شكوى")
    page.click("#chat-send")
    expect(agent_lines.filter(has_text=mohammed)).to_have_count(1, timeout=30_000)
    # the label follows the agent participant's cc.department / cc.persona_name attributes
    expect(page.locator("#persona-name")).to_have_attribute("data-department", "complaints",
                                                            timeout=10_000)
    expect(page.locator("#persona-name")).to_contain_text("Mohammed")
    page.screenshot(path=str(ARTIFACTS / "browser-call-handoff.png"), full_page=True)

    record = wait_for(lambda: _record(room), 10, "the call record")
    assert (record.source, record.first_department, record.status) == ("browser", "sales",
                                                                       "active")
    page.click("#hangup-btn")
    expect(page.locator("#connection-state")).to_have_attribute("data-state", "disconnected")
    record = wait_for(lambda: (r := _record(room)) and r.status == "ended" and r, 30,
                      "the call record to be closed after hang-up")
    assert record.end_reason == "caller_hangup" and record.ended_at is not None
    assert record.current_department == "complaints"


def test_a_browser_caller_who_speaks_is_understood(live_stack, api_server, agent_worker,
                                                    launch_browser, personas, artifacts_dir):
    """Chromium's microphone plays espeak-ng saying a request for complaints, after the
    greeting: the page shows the recognised words and Mohammed takes the call."""
    from tests.browser.conftest import FAKE_AUDIO_FILE
    from tests.support.speech import microphone_wav

    said = microphone_wav("I want to make a complaint.", artifacts_dir / "speech",
                          lead_seconds=14, tail_seconds=60)
    context = launch_browser(api_server.base_url,
                             extra_flags=[f"{FAKE_AUDIO_FILE}={said}%noloop"])
    page = context.new_page()
    page.goto(f"{api_server.base_url}/call")
    expect(page.locator("#department option[value=reception]")).to_have_count(1)
    start_call(page, "reception", "en")
    user_lines = page.locator("#transcript .line[data-speaker=user] .text")
    expect(user_lines.filter(has_text="complaint")).to_have_count(1, timeout=60_000)
    expect(page.locator("#persona-name")).to_have_attribute("data-department", "complaints",
                                                            timeout=20_000)
    expect(page.locator("#persona-name")).to_contain_text("Mohammed")
    page.screenshot(path=str(ARTIFACTS / "browser-voice.png"), full_page=True)
    page.click("#hangup-btn")
    expect(page.locator("#connection-state")).to_have_attribute("data-state", "disconnected")
