"""The LiveKit objects we want, as livekit-api messages, and the fields we compare.

Only the fields we set are compared, so a server that fills in defaults (timestamps, empty
media settings) never makes a sync think something changed.
"""

from __future__ import annotations

from typing import Any

from livekit import api

from sip.handoff import HANDOFF_ATTRIBUTE, HANDOFF_HEADER
from sip.provisioning.desired import DispatchRule, InboundTrunk, OutboundTrunk

# A department handoff by SIP transfer arrives as a new INVITE carrying this header; the
# trunk turns it into a participant attribute the agent reads.
HEADERS_TO_ATTRIBUTES = {HANDOFF_HEADER: HANDOFF_ATTRIBUTE}

TRANSPORTS = {
    "auto": api.SIPTransport.SIP_TRANSPORT_AUTO,
    "udp": api.SIPTransport.SIP_TRANSPORT_UDP,
    "tcp": api.SIPTransport.SIP_TRANSPORT_TCP,
    "tls": api.SIPTransport.SIP_TRANSPORT_TLS,
}
SECRET_FIELDS = {"auth_password"}


def inbound_info(d: InboundTrunk) -> api.SIPInboundTrunkInfo:
    return api.SIPInboundTrunkInfo(
        name=d.name, metadata=d.metadata, numbers=list(d.numbers),
        allowed_addresses=list(d.allowed_addresses), auth_username=d.auth_username,
        auth_password=d.auth_password, headers_to_attributes=HEADERS_TO_ATTRIBUTES)


def outbound_info(d: OutboundTrunk) -> api.SIPOutboundTrunkInfo:
    return api.SIPOutboundTrunkInfo(
        name=d.name, metadata=d.metadata, address=d.address, transport=TRANSPORTS[d.transport],
        numbers=list(d.numbers), auth_username=d.auth_username, auth_password=d.auth_password)


def rule_info(d: DispatchRule, trunk_ids: list[str]) -> api.SIPDispatchRuleInfo:
    """A callee rule: one new room per call named `<prefix>_<called number>_<random>`.
    (An "individual" rule would put the caller's number in the room name, and livekit logs
    the room name on every line of the call.)"""
    return api.SIPDispatchRuleInfo(
        name=d.name, metadata=d.metadata, numbers=[d.number] if d.number else [],
        trunk_ids=trunk_ids,
        rule=api.SIPDispatchRule(dispatch_rule_callee=api.SIPDispatchRuleCallee(
            room_prefix=d.room_prefix, randomize=True)),
        attributes=d.attributes,
        room_config=api.RoomConfiguration(agents=[api.RoomAgentDispatch(
            agent_name=d.agent_name, metadata=d.agent_metadata)]),
    )


def inbound_fields(info: api.SIPInboundTrunkInfo) -> dict[str, Any]:
    return {"name": info.name, "metadata": info.metadata, "numbers": sorted(info.numbers),
            "allowed_addresses": sorted(info.allowed_addresses),
            "auth_username": info.auth_username, "auth_password": info.auth_password,
            "headers_to_attributes": dict(sorted(info.headers_to_attributes.items()))}


def outbound_fields(info: api.SIPOutboundTrunkInfo) -> dict[str, Any]:
    return {"name": info.name, "metadata": info.metadata, "address": info.address,
            "transport": api.SIPTransport.Name(info.transport), "numbers": sorted(info.numbers),
            "auth_username": info.auth_username, "auth_password": info.auth_password}


def rule_fields(info: api.SIPDispatchRuleInfo) -> dict[str, Any]:
    return {
        "name": info.name, "metadata": info.metadata, "numbers": sorted(info.numbers),
        "trunk_ids": sorted(info.trunk_ids),
        "rule": info.rule.WhichOneof("rule"),
        "room_prefix": info.rule.dispatch_rule_callee.room_prefix,
        "randomize": info.rule.dispatch_rule_callee.randomize,
        "attributes": dict(sorted(info.attributes.items())),
        "agents": [[a.agent_name, a.metadata] for a in info.room_config.agents],
    }


def differences(current: dict[str, Any], wanted: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [current, wanted]} for every field that differs; secrets shown as "***"."""
    out = {}
    for name, value in wanted.items():
        if current.get(name) != value:
            old, new = current.get(name), value
            if name in SECRET_FIELDS:
                old, new = ("***" if old else ""), ("***" if new else "")
            out[name] = [old, new]
    return out
