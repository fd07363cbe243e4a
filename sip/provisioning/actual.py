"""What LiveKit holds now, split into the objects we manage (by key) and everything else."""

from __future__ import annotations

from dataclasses import dataclass, field

from livekit import api

from sip.provisioning.desired import managed_key


@dataclass
class ActualState:
    inbound: dict[str, api.SIPInboundTrunkInfo] = field(default_factory=dict)
    outbound: dict[str, api.SIPOutboundTrunkInfo] = field(default_factory=dict)
    rules: dict[str, api.SIPDispatchRuleInfo] = field(default_factory=dict)
    # managed objects with a key already taken (e.g. a create repeated after a crash)
    duplicates: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, key, id)
    unmanaged: int = 0


def _split(state: ActualState, kind: str, items, id_attr: str, into: dict) -> None:  # type: ignore[no-untyped-def]
    for item in items:
        key = managed_key(item.metadata)
        if key is None:
            state.unmanaged += 1
        elif key in into:
            state.duplicates.append((kind, key, getattr(item, id_attr)))
        else:
            into[key] = item


async def read_actual(client: api.LiveKitAPI) -> ActualState:
    state = ActualState()
    inbound = await client.sip.list_inbound_trunk(api.ListSIPInboundTrunkRequest())
    outbound = await client.sip.list_outbound_trunk(api.ListSIPOutboundTrunkRequest())
    rules = await client.sip.list_dispatch_rule(api.ListSIPDispatchRuleRequest())
    _split(state, "inbound_trunk", inbound.items, "sip_trunk_id", state.inbound)
    _split(state, "outbound_trunk", outbound.items, "sip_trunk_id", state.outbound)
    _split(state, "dispatch_rule", rules.items, "sip_dispatch_rule_id", state.rules)
    return state
