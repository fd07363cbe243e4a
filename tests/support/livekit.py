"""Reading LiveKit's SIP objects in tests."""

from __future__ import annotations

from livekit import api as lkapi

from sip.provisioning.desired import managed_key


async def rules(lk: lkapi.LiveKitAPI) -> list[lkapi.SIPDispatchRuleInfo]:
    return list((await lk.sip.list_dispatch_rule(lkapi.ListSIPDispatchRuleRequest())).items)


async def inbound_trunks(lk: lkapi.LiveKitAPI) -> list[lkapi.SIPInboundTrunkInfo]:
    return list((await lk.sip.list_inbound_trunk(lkapi.ListSIPInboundTrunkRequest())).items)


async def outbound_trunks(lk: lkapi.LiveKitAPI) -> list[lkapi.SIPOutboundTrunkInfo]:
    return list((await lk.sip.list_outbound_trunk(lkapi.ListSIPOutboundTrunkRequest())).items)


async def managed_rules(lk: lkapi.LiveKitAPI) -> dict[str, lkapi.SIPDispatchRuleInfo]:
    """Our rules by the number they route (a catch-all rule, which names none, by its key)."""
    return {r.numbers[0] if r.numbers else managed_key(r.metadata): r  # type: ignore[misc]
            for r in await rules(lk) if managed_key(r.metadata)}


async def managed_inbound(lk: lkapi.LiveKitAPI) -> dict[str, lkapi.SIPInboundTrunkInfo]:
    return {managed_key(t.metadata): t for t in await inbound_trunks(lk)  # type: ignore[misc]
            if managed_key(t.metadata)}


async def delete_managed(lk: lkapi.LiveKitAPI) -> None:
    for rule in await rules(lk):
        if managed_key(rule.metadata):
            await lk.sip.delete_dispatch_rule(lkapi.DeleteSIPDispatchRuleRequest(
                sip_dispatch_rule_id=rule.sip_dispatch_rule_id))
    for trunk in [*await inbound_trunks(lk), *await outbound_trunks(lk)]:
        if managed_key(trunk.metadata):
            await lk.sip.delete_trunk(lkapi.DeleteSIPTrunkRequest(sip_trunk_id=trunk.sip_trunk_id))
