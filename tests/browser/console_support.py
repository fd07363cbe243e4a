"""Helpers of the console's browser tests: sign in, check a page with axe-core, keep a
screenshot, hold a sipp phone call in a thread of its own (Playwright's sync API owns the
test's thread)."""

from __future__ import annotations

import asyncio
import threading
import uuid
from pathlib import Path

from livekit import api as lkapi
from playwright.sync_api import Page, expect

from livekit_stack import LocalStack
from tests.browser.test_call_page import run_async
from tests.conftest import ARTIFACTS
from tests.live.rtp_capture import open_ear
from tests.live.sipp_runner import Call, SippResult, hung_up_by_peer, place_call
from tests.live_services import ADMIN_KEY, REPO_ROOT

AXE = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
TIMEOUT = 30_000  # ms: a shared two-core machine; never a timing assertion


def open_console(context, base_url: str) -> Page:  # type: ignore[no-untyped-def]
    page = context.new_page()
    page.on("console", lambda msg: print(f"[browser {msg.type}] {msg.text}"))
    page.on("pageerror", lambda err: print(f"[browser pageerror] {err}"))
    page.goto(f"{base_url}/console")
    expect(page.locator("#sign-in-form")).to_be_visible(timeout=TIMEOUT)
    return page


def sign_in(page: Page) -> None:
    page.fill("#admin_key", ADMIN_KEY)
    page.click("#sign-in-form button[type=submit]")
    expect(page.locator("#counters")).to_be_visible(timeout=TIMEOUT)


def no_serious_violations(page: Page, what: str) -> None:
    """axe-core (the npm package, evaluated in the page: its CSP allows no injected script
    tag) finds nothing serious or critical."""
    assert AXE.is_file(), f"{AXE} is missing: run `npm ci`"
    page.evaluate(AXE.read_text() + "\n;0")
    violations = page.evaluate("""async () => (await axe.run(document)).violations.map(
        v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))}))""")
    print(f"axe on {what}: {violations}")
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not serious, f"axe on {what}: {serious}"


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"console-{name}.png"), full_page=True)


class HeldCall:
    """A sipp call to `number` that stays up until the far side hangs up (end())."""

    def __init__(self, stack: LocalStack, number: str, workdir: Path) -> None:
        self.stack, self.number, self.workdir = stack, number, workdir
        self.result: SippResult | None = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        async def call() -> SippResult:
            transport, _, ear_port = await open_ear(self.stack.cfg.host)
            try:
                return await place_call(self.stack, Call(self.number,
                                                         ending=hung_up_by_peer(150_000)),
                                        self.workdir, ear_port=ear_port, timeout=180)
            finally:
                transport.close()
        try:
            self.result = asyncio.run(call())
        except BaseException as exc:  # reported by wait()
            self.error = exc

    def start(self) -> HeldCall:
        self.thread.start()
        return self

    def end(self, room: str) -> None:
        """Hang up from the far side (deleting the room makes livekit-sip send BYE)."""
        async def delete() -> None:
            cfg = self.stack.cfg
            async with lkapi.LiveKitAPI(cfg.livekit_http_url, cfg.api_key, cfg.api_secret) as lk:
                await lk.room.delete_room(lkapi.DeleteRoomRequest(room=room))
        run_async(delete)  # in a thread: Playwright's sync API owns this thread's loop

    def wait(self, timeout: float = 60) -> SippResult:
        self.thread.join(timeout)
        assert not self.thread.is_alive(), "the phone call did not end"
        if self.error:
            raise self.error
        assert self.result is not None
        return self.result


def unique_number() -> str:
    """A UK drama-range number (valid for phonenumbers, never a real line) that the
    telephony fixtures do not use (they take +442079460200..499)."""
    return f"+4420794606{uuid.uuid4().int % 100:02d}"
