"""Carry a plan out with livekit-api, counting every write call.

A refused action (e.g. LiveKit rejects a rule) is recorded against its key and the rest goes
on; losing the connection stops the run (the next sync repairs what is left).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import aiohttp
from livekit import api

from sip.provisioning import messages as m
from sip.provisioning.actual import ActualState
from sip.provisioning.plan import Action, Plan

UNREACHABLE = (aiohttp.ClientError, asyncio.TimeoutError, OSError)


class LiveKitUnreachable(Exception):
    pass


@dataclass
class Outcome:
    writes: int = 0
    ids: dict[str, str] = field(default_factory=dict)  # key -> LiveKit id, for what is in place
    errors: dict[str, str] = field(default_factory=dict)  # key -> why it is not


def _describe(exc: BaseException) -> str:
    if isinstance(exc, api.TwirpError):
        return f"LiveKit refused: {exc.code}: {exc.message}"[:500]
    return f"{type(exc).__name__}: {exc}"[:500]


async def _create(client: api.LiveKitAPI, a: Action) -> str:
    if a.kind == "inbound_trunk":
        info = await client.sip.create_inbound_trunk(
            api.CreateSIPInboundTrunkRequest(trunk=a.payload))
        return info.sip_trunk_id
    if a.kind == "outbound_trunk":
        info = await client.sip.create_outbound_trunk(
            api.CreateSIPOutboundTrunkRequest(trunk=a.payload))
        return info.sip_trunk_id
    rule = await client.sip.create_dispatch_rule(
        api.CreateSIPDispatchRuleRequest(dispatch_rule=a.payload))
    return rule.sip_dispatch_rule_id


async def _update(client: api.LiveKitAPI, a: Action) -> str:
    assert a.livekit_id
    if a.kind == "inbound_trunk":
        await client.sip.update_inbound_trunk(a.livekit_id, a.payload)
    elif a.kind == "outbound_trunk":
        await client.sip.update_outbound_trunk(a.livekit_id, a.payload)
    else:
        await client.sip.update_dispatch_rule(a.livekit_id, a.payload)
    return a.livekit_id


async def _delete(client: api.LiveKitAPI, a: Action) -> None:
    if a.kind == "dispatch_rule":
        await client.sip.delete_dispatch_rule(
            api.DeleteSIPDispatchRuleRequest(sip_dispatch_rule_id=a.livekit_id))
    else:
        await client.sip.delete_trunk(api.DeleteSIPTrunkRequest(sip_trunk_id=a.livekit_id))


def _resolve_rule_trunk(a: Action, out: Outcome) -> None:
    """Rules name their trunk by key; a trunk created in this run has its id only now."""
    if a.rule is None or a.rule.trunk_key is None:
        return
    trunk_id = out.ids.get(a.rule.trunk_key)
    if trunk_id is None:
        reason = out.errors.get(a.rule.trunk_key, "its trunk is not provisioned")
        raise ValueError(f"trunk {a.rule.trunk_key} missing: {reason}")
    a.payload = m.rule_info(a.rule, [trunk_id])


async def apply_plan(client: api.LiveKitAPI, plan: Plan, actual: ActualState) -> Outcome:
    out = Outcome()
    for group in (actual.inbound, actual.outbound, actual.rules):
        for key, info in group.items():
            out.ids[key] = getattr(info, "sip_trunk_id", "") or info.sip_dispatch_rule_id
    for a in plan.actions:
        try:
            _resolve_rule_trunk(a, out)
        except ValueError as exc:
            out.errors[a.key] = str(exc)
            continue
        out.writes += 1
        try:
            if a.op == "delete":
                await _delete(client, a)
                if out.ids.get(a.key) == a.livekit_id:
                    out.ids.pop(a.key)
            else:
                out.ids[a.key] = await (_create if a.op == "create" else _update)(client, a)
        except UNREACHABLE as exc:
            raise LiveKitUnreachable(_describe(exc)) from exc
        except api.TwirpError as exc:
            out.errors[a.key] = _describe(exc)
    return out
