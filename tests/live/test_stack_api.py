"""Smoke tests (a) and (b): the local livekit-server really serves room and SIP APIs."""

from __future__ import annotations

import uuid

from livekit import api as lkapi


async def test_room_is_created_and_listed(lk: lkapi.LiveKitAPI) -> None:
    name = f"smoke-{uuid.uuid4().hex[:8]}"
    created = await lk.room.create_room(lkapi.CreateRoomRequest(name=name, empty_timeout=60))
    assert created.name == name and created.sid.startswith("RM_")

    listed = await lk.room.list_rooms(lkapi.ListRoomsRequest(names=[name]))
    assert [room.name for room in listed.rooms] == [name]

    await lk.room.delete_room(lkapi.DeleteRoomRequest(room=name))
    after = await lk.room.list_rooms(lkapi.ListRoomsRequest(names=[name]))
    assert after.rooms == []


async def test_inbound_trunk_and_dispatch_rule_round_trip(lk: lkapi.LiveKitAPI) -> None:
    number = "+15550109999"
    trunk = await lk.sip.create_inbound_trunk(lkapi.CreateSIPInboundTrunkRequest(
        trunk=lkapi.SIPInboundTrunkInfo(name="smoke-trunk", numbers=[number],
                                        metadata='{"managed_by": "smoke-test"}')))
    rule = await lk.sip.create_dispatch_rule(lkapi.CreateSIPDispatchRuleRequest(
        dispatch_rule=lkapi.SIPDispatchRuleInfo(
            name="smoke-rule",
            trunk_ids=[trunk.sip_trunk_id],
            rule=lkapi.SIPDispatchRule(dispatch_rule_individual=lkapi.SIPDispatchRuleIndividual(
                room_prefix="call-smoke")),
            attributes={"department": "sales"},
            room_config=lkapi.RoomConfiguration(agents=[lkapi.RoomAgentDispatch(
                agent_name="contact-center", metadata='{"department": "sales"}')]),
        )))
    try:
        trunks = await lk.sip.list_inbound_trunk(lkapi.ListSIPInboundTrunkRequest(
            trunk_ids=[trunk.sip_trunk_id]))
        assert [(t.name, list(t.numbers)) for t in trunks.items] == [("smoke-trunk", [number])]

        rules = await lk.sip.list_dispatch_rule(lkapi.ListSIPDispatchRuleRequest(
            dispatch_rule_ids=[rule.sip_dispatch_rule_id]))
        (got,) = rules.items
        assert got.rule.dispatch_rule_individual.room_prefix == "call-smoke"
        assert list(got.trunk_ids) == [trunk.sip_trunk_id]
        assert dict(got.attributes) == {"department": "sales"}
        assert got.room_config.agents[0].agent_name == "contact-center"
        assert got.room_config.agents[0].metadata == '{"department": "sales"}'
    finally:
        await lk.sip.delete_dispatch_rule(lkapi.DeleteSIPDispatchRuleRequest(
            sip_dispatch_rule_id=rule.sip_dispatch_rule_id))
        await lk.sip.delete_trunk(lkapi.DeleteSIPTrunkRequest(sip_trunk_id=trunk.sip_trunk_id))
