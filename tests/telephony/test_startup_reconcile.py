"""The DB is the source of truth: an API that starts reconciles LiveKit from it, so SIP state
lost with Redis (the local stack keeps none) comes back without any admin change."""

from __future__ import annotations

from pathlib import Path

import pytest
from livekit import api as lkapi

from livekit_stack import LocalStack
from tests.live.rtc_helpers import wait_for
from tests.live_services import start_api
from tests.telephony.conftest import Directory

pytestmark = pytest.mark.live


async def _rules_for(lk: lkapi.LiveKitAPI, number: str) -> list[lkapi.SIPDispatchRuleInfo]:
    rules = await lk.sip.list_dispatch_rule(lkapi.ListSIPDispatchRuleRequest())
    return [rule for rule in rules.items if number in rule.numbers]


async def test_starting_the_api_recreates_rules_livekit_lost(
    directory: Directory, lk: lkapi.LiveKitAPI, live_stack: LocalStack,
    service_env: dict[str, str], artifacts_dir: Path,
) -> None:
    number = directory.numbers["complaints"]
    for rule in await _rules_for(lk, number):  # what an emptied Redis looks like
        await lk.sip.delete_dispatch_rule(lkapi.DeleteSIPDispatchRuleRequest(
            sip_dispatch_rule_id=rule.sip_dispatch_rule_id))
    assert await _rules_for(lk, number) == []

    restarted = start_api(live_stack.cfg.host, service_env, artifacts_dir)
    try:
        async def rule_back() -> bool:
            return len(await _rules_for(lk, number)) == 1
        await wait_for(rule_back, "the start-up sync to recreate the rule", timeout=30)
    finally:
        restarted.stop()

    (rule,) = await _rules_for(lk, number)
    assert dict(rule.attributes) == {"department": "complaints", "number": number}
    row = next(n for n in directory.api.get("/api/v1/numbers", params={"limit": 100})
               .json()["items"] if n["e164"] == number)
    assert (row["sync_status"], row["livekit_rule_id"]) == ("synced", rule.sip_dispatch_rule_id)
