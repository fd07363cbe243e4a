"""The supervisor console (/console) in real headless Chromium against the real stack: sign
in; add a number to a department and see it synced (and a validation error at its field);
a sipp call appears in the live view while it lasts and leaves it when it ends; its record
shows the transcript; Arabic lays the page out right to left; sign-out. axe-core checks every
page; screenshots go to test-artifacts/console-*.png."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.browser.console_support import (
    TIMEOUT,
    HeldCall,
    no_serious_violations,
    open_console,
    screenshot,
    sign_in,
    unique_number,
)
from tests.browser.test_call_page import wait_for
from tests.live_services import ApiProcess

pytestmark = pytest.mark.live


@pytest.fixture(autouse=True)
def patient_expectations() -> Iterator[None]:
    """A shared two-core machine: every expectation may wait 30 s (none measures time)."""
    expect.set_options(timeout=TIMEOUT)
    yield
    expect.set_options(timeout=5_000)
CALLER_MASKED = "***0000"  # sipp's caller +15551230000 (tests/live/sipp_runner.py)


def add_number(page: Page, number: str, department_id: int) -> None:
    page.goto(page.url.split("#")[0] + "#/config/numbers")
    form = page.locator("#add-number")
    expect(form).to_be_visible(timeout=TIMEOUT)
    # the API's validation error appears next to the field it names
    form.get_by_label("Number (E.164)").fill("12345")
    form.get_by_role("button", name="Add a number").click()
    error = form.locator(".field-error[data-field=e164]")
    expect(error).to_contain_text("e164", timeout=TIMEOUT)
    expect(form.get_by_label("Number (E.164)")).to_have_attribute("aria-invalid", "true")
    screenshot(page, "validation-error")
    form.get_by_label("Number (E.164)").fill(number)
    form.get_by_label("Department").select_option(str(department_id))
    form.get_by_role("button", name="Add a number").click()
    row = page.locator(f"#numbers tr[data-number='{number}']")
    expect(row.locator(".badge")).to_have_attribute("data-value", "synced", timeout=TIMEOUT)
    expect(form.locator(".field-error")).to_have_count(0)
    screenshot(page, "numbers")
    no_serious_violations(page, "numbers")


def test_console_journey(live_stack, api_server, agent_worker, launch_browser, artifacts_dir):
    page = open_console(launch_browser(api_server.base_url), api_server.base_url)
    no_serious_violations(page, "sign-in")
    page.fill("#admin_key", "not-the-key")
    page.click("#sign-in-form button[type=submit]")
    expect(page.locator("#admin_key-error")).to_have_text("That is not the admin key.")
    sign_in(page)
    # the session is an HttpOnly cookie: no script sees it, nothing is kept in storage
    assert "cc_console" not in page.evaluate("document.cookie")
    assert page.evaluate("JSON.stringify(Object.entries(localStorage))") in (
        "[]", '[["cc-console-language","en"]]')

    number = unique_number()
    with api_server.client() as api:
        sales = next(d for d in api.get("/api/v1/departments").json()["items"]
                     if d["slug"] == "sales")
    add_number(page, number, sales["id"])

    try:
        page.goto(f"{api_server.base_url}/console#/live")
        expect(page.locator("#live-calls")).to_be_visible(timeout=TIMEOUT)
        phone = HeldCall(live_stack, number, artifacts_dir / f"console-phone-{number}").start()
        row = page.locator("#live-calls tr[data-state=active]", has_text=CALLER_MASKED)
        expect(row).to_have_count(1, timeout=60_000)
        # the department, and its persona now, named in the call's language (Arabic)
        expect(row).to_contain_text("Sales — سارة")
        expect(row).to_contain_text("phone")
        call_id = row.get_attribute("data-call-id")
        assert call_id
        expect(page.locator("[data-counter=calls_now] dd")).not_to_have_text("0")
        assert "+15551230000" not in page.content()
        screenshot(page, "live-call")
        no_serious_violations(page, "live view")

        with api_server.client() as api:
            record = wait_for(lambda: (r := api.get(f"/api/v1/calls/{call_id}").json()) and any(
                e["kind"] == "transcript" and e["data"]["role"] == "assistant"
                for e in r["events"]) and r, 60, "the greeting in the call's transcript")
        phone.end(record["room_name"])
        expect(page.locator(f"#live-calls tr[data-call-id='{call_id}']")).to_have_count(
            0, timeout=60_000)
        assert phone.wait().returncode == 0

        # its record: from the history to the call page, transcript lines in their direction
        page.goto(f"{api_server.base_url}/console#/history")
        page.get_by_label("Number called").fill(number)
        page.get_by_role("button", name="Show").click()
        expect(page.locator("#history-calls tbody tr")).to_have_count(1, timeout=TIMEOUT)
        screenshot(page, "history")
        no_serious_violations(page, "history")
        page.locator(f"#history-calls tr[data-call-id='{call_id}'] a").click()
        line = page.locator("#transcript .line[data-role=assistant]").first
        expect(line).to_be_visible(timeout=TIMEOUT)
        expect(line).to_have_attribute("dir", "auto")
        greeting = next(e["data"]["text"] for e in record["events"]
                        if e["kind"] == "transcript" and e["data"]["role"] == "assistant")
        expect(line.locator(".text")).to_have_text(greeting)
        expect(page.locator("#timeline li[data-kind=started]")).to_have_count(1)
        screenshot(page, "call")
        no_serious_violations(page, "call page")

        # Arabic: right to left, Arabic labels
        page.select_option("#language", "ar")
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        expect(page.locator("html")).to_have_attribute("lang", "ar")
        expect(page.locator("#transcript-title")).to_have_text("النص")
        box = page.locator("#nav").bounding_box()
        brand = page.locator(".brand").bounding_box()
        assert box and brand and brand["x"] > box["x"]  # the title sits on the right
        screenshot(page, "call-ar")
        no_serious_violations(page, "call page in Arabic")
        page.goto(f"{api_server.base_url}/console#/live")
        expect(page.locator("[data-counter=calls_now] dt")).to_have_text("المكالمات الآن",
                                                                         timeout=TIMEOUT)
        screenshot(page, "live-ar")
        page.select_option("#language", "en")

    finally:  # the number goes again: other tests' departments keep only their own numbers
        with api_server.client() as api:
            items = api.get("/api/v1/numbers", params={"department": "sales"}).json()["items"]
            for item in items:
                if item["e164"] == number:
                    api.delete(f"/api/v1/numbers/{item['id']}")

    # sign-out: the cookie is gone, the API refuses the browser, a reload asks to sign in
    page.click("#sign-out")
    expect(page.locator("#sign-in-form")).to_be_visible(timeout=TIMEOUT)
    status = page.evaluate("""async () => (await fetch('/api/v1/departments')).status""")
    assert status == 401
    page.reload()
    expect(page.locator("#sign-in-form")).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("#nav")).to_be_hidden()


def make_callback(api_server, last_digit: int) -> dict:  # type: ignore[no-untyped-def]
    """A pending callback to Sales, due since January."""
    with api_server.client() as api:
        sales = next(d for d in api.get("/api/v1/departments").json()["items"]
                     if d["slug"] == "sales")
        made = api.post("/api/v1/callbacks", json={
            "number": f"+44207946077{last_digit}", "department_id": sales["id"],
            "language": "ar", "reason": f"console test {last_digit}",
            "earliest_at": "2026-01-01T00:00:00Z"})
        assert made.status_code == 201, made.text
        return made.json()


@pytest.mark.parametrize("language", ["en", "ar"])
def test_every_page_is_labelled_and_accessible(api_server, launch_browser, language):
    # the callbacks page is checked with its action buttons on it
    pending = make_callback(api_server, 9)
    try:
        _check_every_page(api_server, launch_browser, language, pending["id"])
    finally:
        with api_server.client() as api:
            api.post(f"/api/v1/callbacks/{pending['id']}/cancel")


def _check_every_page(api_server, launch_browser, language, callback_id):  # type: ignore[no-untyped-def]
    page = open_console(launch_browser(api_server.base_url), api_server.base_url)
    page.select_option("#language", language)
    sign_in(page)
    for view, ready in (("live", "#counters"), ("history", "#history-calls"),
                        ("chart", "#chart"), ("config/departments", "#department-form"),
                        ("config/numbers", "#numbers"), ("config/trunks", "#trunks"),
                        ("callbacks", f"#callbacks tr[data-callback='{callback_id}']")):
        page.goto(f"{api_server.base_url}/console#/{view}")
        expect(page.locator(ready)).to_be_visible(timeout=TIMEOUT)
        # every control has an accessible name (axe checks it too; this says which)
        unnamed = page.evaluate("""() => [...document.querySelectorAll(
            'input, select, textarea, button')].filter(el => !el.labels?.length
            && !el.getAttribute('aria-label') && !el.textContent.trim()).map(el => el.outerHTML)""")
        assert unnamed == [], f"{view}: {unnamed}"
        no_serious_violations(page, f"{view} ({language})")
        screenshot(page, f"{view.replace('/', '-')}-{language}")
        # a tablet held upright: the page fits its width (wide tables scroll in their box)
        page.set_viewport_size({"width": 768, "height": 1024})
        expect(page.locator(ready)).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 768, view
        screenshot(page, f"{view.replace('/', '-')}-{language}-tablet")
        page.set_viewport_size({"width": 1100, "height": 800})


def test_callbacks_are_marked_done_and_cancelled(api_server, launch_browser):
    made = [make_callback(api_server, i) for i in (1, 2)]
    page = open_console(launch_browser(api_server.base_url), api_server.base_url)
    sign_in(page)
    page.goto(f"{api_server.base_url}/console#/callbacks")
    done, cancelled = (page.locator(f"#callbacks tr[data-callback='{c['id']}']") for c in made)
    expect(done).to_have_attribute("data-due", "true")
    expect(done).to_contain_text("***0771")
    assert "+442079460771" not in page.content()
    done.get_by_role("button", name="Mark done: the callback to ***0771").click()
    expect(done).to_have_count(0)  # the list shows pending ones
    cancelled.get_by_role("button", name="Cancel: the callback to ***0772").click()
    expect(cancelled).to_have_count(0)
    page.get_by_label("Status").select_option("done")
    expect(done.locator(".badge")).to_have_attribute("data-value", "done")
    with api_server.client() as api:
        assert [api.get(f"/api/v1/callbacks/{c['id']}").json()["status"] for c in made] == [
            "done", "cancelled"]


def test_configuration_errors_at_their_fields_and_a_saved_change(api_server, launch_browser):
    with api_server.client() as api:
        reception = next(d for d in api.get("/api/v1/departments").json()["items"]
                         if d["slug"] == "reception")
    page = open_console(launch_browser(api_server.base_url), api_server.base_url)
    sign_in(page)
    page.goto(f"{api_server.base_url}/console#/config/departments")
    form = page.locator("#department-form[data-slug=reception]")
    line = form.get_by_label("Human line (tel: or sip:)")
    line.fill("nonsense")
    form.get_by_role("button", name="Save").click()
    expect(form.locator(".field-error[data-field=human_transfer_target]")).to_be_visible()
    expect(line).to_have_attribute("aria-invalid", "true")
    line.fill(reception["human_transfer_target"] or "")
    voices = form.get_by_label("Voices (JSON: provider → language → voice)")
    voices.fill("{not json")
    form.get_by_role("button", name="Save").click()
    expect(form.locator(".field-error[data-field=voices]")).to_have_text("Not valid JSON.")
    expect(form.locator(".field-error")).to_have_count(1)  # the earlier one is gone
    screenshot(page, "department-error")
    page.reload()  # the form as stored again
    try:
        welcome = form.get_by_label("Welcome line (English)")
        welcome.fill(reception["welcome"]["en"] + " (console test)")
        form.get_by_role("button", name="Save").click()
        expect(page.locator("#status")).to_have_text("Saved.")
        with api_server.client() as api:
            stored = api.get(f"/api/v1/departments/{reception['id']}").json()
        assert stored["welcome"] == {**reception["welcome"],
                                     "en": reception["welcome"]["en"] + " (console test)"}
        assert {k: v for k, v in stored.items() if k not in ("welcome", "updated_at")} == {
            k: v for k, v in reception.items() if k not in ("welcome", "updated_at")}
    finally:
        with api_server.client() as api:
            api.patch(f"/api/v1/departments/{reception['id']}",
                      json={"welcome": reception["welcome"]}).raise_for_status()

    page.goto(f"{api_server.base_url}/console#/config/trunks")
    trunk = page.locator("#add-trunk")
    trunk.get_by_label("Name").fill("console-bad-trunk")
    trunk.get_by_label("Allowed addresses (inbound, comma separated)").fill("not-an-address")
    trunk.get_by_role("button", name="Add a trunk").click()
    expect(trunk.locator(".field-error")).to_have_attribute(
        "data-field", re.compile(r"^allowed_addresses"))
    expect(page.locator("#trunks tr[data-trunk=console-bad-trunk]")).to_have_count(0)
    _catch_all_through_the_console(page, api_server, reception)


def _catch_all_through_the_console(page: Page, api_server: ApiProcess, reception: dict) -> None:
    """A trusted trunk added in the console sends unassigned numbers to Reception, then to
    nobody again; the trunk is removed (a trunk listing no numbers takes every call from its
    addresses on LiveKit, and the phone tests after this one need theirs)."""
    trunk = page.locator("#add-trunk")
    trunk.get_by_label("Name").fill("console-carrier")
    trunk.get_by_label("Allowed addresses (inbound, comma separated)").fill("192.0.2.77")
    trunk.get_by_role("button", name="Add a trunk").click()
    catch_all = page.get_by_label(
        "Who answers calls through console-carrier to numbers no department has")
    try:
        catch_all.select_option(label="Reception (reception)")
        expect(page.locator("#trunks tr[data-trunk=console-carrier]")).to_contain_text("synced")
        with api_server.client() as api:
            stored = next(t for t in api.get("/api/v1/trunks").json()["items"]
                          if t["name"] == "console-carrier")
        assert stored["unassigned_department_id"] == reception["id"]
        screenshot(page, "trunk-catch-all")
        page.get_by_label("Who answers calls through console-carrier to numbers no department "
                          "has").select_option(label="Not answered")
        expect(page.get_by_label("Who answers calls through console-carrier to numbers no "
                                 "department has")).to_have_value("")
    finally:
        with api_server.client() as api:
            for t in api.get("/api/v1/trunks").json()["items"]:
                if t["name"] == "console-carrier":
                    api.delete(f"/api/v1/trunks/{t['id']}").raise_for_status()
