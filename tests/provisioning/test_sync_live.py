"""Provisioning against the real livekit-server: API changes become trunks and dispatch rules."""

from __future__ import annotations

import json

import httpx
from livekit import api as lkapi
from sqlalchemy.orm import Session

from core.config import Settings
from core.encryption import SecretBox
from core.models import PhoneNumber
from sip.provisioning import sync_database
from sip.provisioning.desired import DEFAULT_INBOUND_KEY, MANAGED_BY, managed_key, trunk_key
from tests.support import factories
from tests.support.livekit import managed_inbound, managed_rules, outbound_trunks, rules


async def _add_number(client: httpx.AsyncClient, dept_id: int, **kw: object) -> dict:
    resp = await client.post("/api/v1/numbers", json={
        "e164": factories.next_e164(), "department_id": dept_id, **kw})
    assert resp.status_code == 201, resp.text
    return resp.json()


async def test_numbers_become_rules_with_department_metadata(
        api_client: httpx.AsyncClient, db: Session, lk: lkapi.LiveKitAPI,
        lk_settings: Settings) -> None:
    dept = factories.department(db)
    created = [await _add_number(api_client, dept.id) for _ in range(2)]

    on_server = await managed_rules(lk)
    assert set(on_server) == {n["e164"] for n in created}
    for num in created:
        assert num["sync_status"] == "synced" and num["sync_error"] is None
        rule = on_server[num["e164"]]
        assert rule.sip_dispatch_rule_id == num["livekit_rule_id"]
        assert list(rule.numbers) == [num["e164"]] and list(rule.trunk_ids) == []
        # callee rule: rooms are named after the called number, never the caller's
        callee = rule.rule.dispatch_rule_callee
        assert (callee.room_prefix, callee.randomize) == (f"call-{dept.slug}", True)
        assert dict(rule.attributes) == {"department": dept.slug, "number": num["e164"]}
        (agent,) = rule.room_config.agents
        assert agent.agent_name == lk_settings.agent_name
        assert json.loads(agent.metadata) == {"department": dept.slug, "number": num["e164"]}
        assert json.loads(rule.metadata)["managed_by"] == MANAGED_BY

    default = (await managed_inbound(lk))[DEFAULT_INBOUND_KEY]
    assert sorted(default.numbers) == sorted(n["e164"] for n in created)
    # a handoff by SIP transfer arrives with X-CC-Handoff: the trunk maps it for the agent
    assert dict(default.headers_to_attributes) == {"X-CC-Handoff": "cc.handoff"}


async def test_number_on_its_own_trunk(api_client: httpx.AsyncClient, db: Session,
                                       lk: lkapi.LiveKitAPI, lk_settings: Settings) -> None:
    trunk = (await api_client.post("/api/v1/trunks", json={
        "name": "carrier-in", "direction": "inbound", "allowed_addresses": ["192.0.2.10"],
        "auth_username": "carrier", "auth_password": "pw-123456"})).json()
    assert trunk["sync_status"] == "synced" and trunk["livekit_id"]
    num = await _add_number(api_client, factories.department(db).id, trunk_id=trunk["id"])

    rule = (await managed_rules(lk))[num["e164"]]
    assert list(rule.trunk_ids) == [trunk["livekit_id"]]
    ours = await managed_inbound(lk)
    assert list(ours[trunk_key(trunk["id"])].numbers) == [num["e164"]]
    # stored encrypted, decrypted only for LiveKit, which computes the digest from it
    assert ours[trunk_key(trunk["id"])].auth_password == "pw-123456"
    assert DEFAULT_INBOUND_KEY not in ours  # no trunk-less numbers, no default trunk

    again = await sync_database(db, lk_settings)
    assert (again.writes, again.actions, again.ok) == (0, [], True)


async def test_moving_a_number_updates_its_rule_in_place(
        api_client: httpx.AsyncClient, db: Session, lk: lkapi.LiveKitAPI) -> None:
    sales, billing = factories.department(db), factories.department(db)
    num = await _add_number(api_client, sales.id)
    moved = (await api_client.patch(f"/api/v1/numbers/{num['id']}",
                                    json={"department_id": billing.id})).json()
    assert moved["sync_status"] == "synced"
    assert moved["livekit_rule_id"] == num["livekit_rule_id"]  # updated, not replaced
    rule = (await managed_rules(lk))[num["e164"]]
    assert rule.rule.dispatch_rule_callee.room_prefix == f"call-{billing.slug}"
    assert rule.attributes["department"] == billing.slug

    renamed = await api_client.patch(f"/api/v1/departments/{billing.id}",
                                     json={"slug": "billing-2"})
    assert renamed.status_code == 200
    rule = (await managed_rules(lk))[num["e164"]]
    assert json.loads(rule.room_config.agents[0].metadata)["department"] == "billing-2"


async def test_deleting_a_number_deletes_its_rule(api_client: httpx.AsyncClient, db: Session,
                                                  lk: lkapi.LiveKitAPI) -> None:
    dept = factories.department(db)
    keep, gone = await _add_number(api_client, dept.id), await _add_number(api_client, dept.id)
    assert (await api_client.delete(f"/api/v1/numbers/{gone['id']}")).status_code == 204
    assert set(await managed_rules(lk)) == {keep["e164"]}
    assert list((await managed_inbound(lk))[DEFAULT_INBOUND_KEY].numbers) == [keep["e164"]]


async def test_rule_deleted_behind_our_back_is_recreated(
        api_client: httpx.AsyncClient, db: Session, lk: lkapi.LiveKitAPI) -> None:
    num = await _add_number(api_client, factories.department(db).id)
    await lk.sip.delete_dispatch_rule(lkapi.DeleteSIPDispatchRuleRequest(
        sip_dispatch_rule_id=num["livekit_rule_id"]))

    result = (await api_client.post("/api/v1/sip/sync")).json()
    assert result["ok"] and result["writes"] == 1
    assert [(a["op"], a["kind"]) for a in result["actions"]] == [("create", "dispatch_rule")]
    new_id = (await managed_rules(lk))[num["e164"]].sip_dispatch_rule_id
    assert new_id != num["livekit_rule_id"]
    row = (await api_client.get(f"/api/v1/numbers/{num['id']}")).json()
    assert (row["livekit_rule_id"], row["sync_status"]) == (new_id, "synced")


async def test_unmanaged_objects_are_left_alone(api_client: httpx.AsyncClient, db: Session,
                                                lk: lkapi.LiveKitAPI) -> None:
    foreign_trunk = await lk.sip.create_inbound_trunk(lkapi.CreateSIPInboundTrunkRequest(
        trunk=lkapi.SIPInboundTrunkInfo(name="someone else's", numbers=["+12025559901"])))
    foreign_rule = await lk.sip.create_dispatch_rule(lkapi.CreateSIPDispatchRuleRequest(
        dispatch_rule=lkapi.SIPDispatchRuleInfo(
            name="someone else's", numbers=["+12025559901"], metadata='{"owner": "ops"}',
            rule=lkapi.SIPDispatchRule(dispatch_rule_direct=lkapi.SIPDispatchRuleDirect(
                room_name="ops-room")))))
    try:
        await _add_number(api_client, factories.department(db).id)
        result = (await api_client.post("/api/v1/sip/sync")).json()
        assert result["writes"] == 0 and result["unmanaged_left_alone"] >= 2
        assert foreign_rule.sip_dispatch_rule_id in {
            r.sip_dispatch_rule_id for r in await rules(lk)}
        kept = await lk.sip.list_inbound_trunk(lkapi.ListSIPInboundTrunkRequest(
            trunk_ids=[foreign_trunk.sip_trunk_id]))
        assert [t.name for t in kept.items] == ["someone else's"]
    finally:
        await lk.sip.delete_dispatch_rule(lkapi.DeleteSIPDispatchRuleRequest(
            sip_dispatch_rule_id=foreign_rule.sip_dispatch_rule_id))
        await lk.sip.delete_trunk(lkapi.DeleteSIPTrunkRequest(
            sip_trunk_id=foreign_trunk.sip_trunk_id))


async def test_second_sync_makes_zero_writes(api_client: httpx.AsyncClient, db: Session,
                                             lk: lkapi.LiveKitAPI, lk_settings: Settings) -> None:
    box = SecretBox.from_settings(lk_settings)
    inbound = factories.trunk(db, auth_username="u",
                              auth_password_encrypted=box.encrypt("p-123456"))
    factories.trunk(db, direction="outbound", auth_username="o",
                    auth_password_encrypted=box.encrypt("q-123456"),
                    outbound_numbers=["+12025550177"])
    dept = factories.department(db)
    factories.number(db, dept, trunk_id=inbound.id)
    factories.number(db, dept)

    first = await sync_database(db, lk_settings)
    assert first.ok and first.writes == 5  # 2 inbound trunks, 1 outbound, 2 rules
    second = await sync_database(db, lk_settings)
    assert (second.ok, second.writes, second.actions) == (True, 0, [])
    assert len(second.in_sync) == 5
    assert {n.sync_status for n in db.query(PhoneNumber)} == {"synced"}
    (out,) = [t for t in await outbound_trunks(lk) if managed_key(t.metadata)]
    assert (out.address, list(out.numbers)) == ("sip.carrier.example", ["+12025550177"])
    assert out.transport == lkapi.SIPTransport.SIP_TRANSPORT_UDP


async def test_dry_run_shows_the_plan_and_writes_nothing(
        api_client: httpx.AsyncClient, db: Session, lk: lkapi.LiveKitAPI) -> None:
    num = factories.number(db)  # in the DB only: nothing synced it yet
    plan = (await api_client.post("/api/v1/sip/sync?dry_run=true")).json()
    assert plan["dry_run"] and plan["writes"] == 0
    assert {(a["op"], a["kind"], a["key"]) for a in plan["actions"]} == {
        ("create", "inbound_trunk", DEFAULT_INBOUND_KEY),
        ("create", "dispatch_rule", f"number:{num.e164}")}
    assert await managed_rules(lk) == {}
    db.refresh(num)
    assert num.sync_status == "pending"

    applied = (await api_client.post("/api/v1/sip/sync")).json()
    assert applied["writes"] == 2 and applied["actions"] == plan["actions"]
    assert set(await managed_rules(lk)) == {num.e164}


async def test_moving_a_number_between_trunks(api_client: httpx.AsyncClient, db: Session,
                                              lk: lkapi.LiveKitAPI,
                                              lk_settings: Settings) -> None:
    """LiveKit refuses two trunks claiming one number: the giving trunk is updated first."""
    a, b = factories.trunk(db), factories.trunk(db)
    dept = factories.department(db)
    num = await _add_number(api_client, dept.id, trunk_id=a.id)
    await _add_number(api_client, dept.id, trunk_id=b.id)

    for target in (b.id, None, a.id):
        moved = (await api_client.patch(f"/api/v1/numbers/{num['id']}",
                                        json={"trunk_id": target})).json()
        assert moved["sync_status"] == "synced", moved
        ours = await managed_inbound(lk)
        holder = trunk_key(target) if target else DEFAULT_INBOUND_KEY
        assert num["e164"] in ours[holder].numbers
        assert [k for k, t in ours.items() if num["e164"] in t.numbers] == [holder]
        want = [ours[holder].sip_trunk_id] if target else []
        assert list((await managed_rules(lk))[num["e164"]].trunk_ids) == want
    assert (await sync_database(db, lk_settings)).writes == 0


async def test_a_catch_all_trunk_takes_any_number_and_its_own_numbers_keep_their_rules(
        api_client: httpx.AsyncClient, db: Session, lk: lkapi.LiveKitAPI,
        lk_settings: Settings) -> None:
    """livekit-server gives a trunk that lists no numbers every call from its carrier; the
    rule naming the called number outranks the trunk's catch-all rule, which names none."""
    reception, sales = factories.department(db), factories.department(db)
    trunk = (await api_client.post("/api/v1/trunks", json={
        "name": "carrier-catch-all", "direction": "inbound",
        "allowed_addresses": ["192.0.2.20"], "unassigned_department_id": reception.id})).json()
    num = await _add_number(api_client, sales.id, trunk_id=trunk["id"])
    key = f"unassigned:{trunk_key(trunk['id'])}"

    on_server = await managed_rules(lk)
    catch_all = on_server[key]
    assert (list(catch_all.numbers), list(catch_all.trunk_ids)) == ([], [trunk["livekit_id"]])
    assert json.loads(catch_all.room_config.agents[0].metadata) == {
        "department": reception.slug, "number": "", "unassigned": True}
    assert catch_all.rule.dispatch_rule_callee.room_prefix == f"call-{reception.slug}"
    assert list(on_server[num["e164"]].trunk_ids) == [trunk["livekit_id"]]
    assert list((await managed_inbound(lk))[trunk_key(trunk["id"])].numbers) == []
    again = await sync_database(db, lk_settings)
    assert (again.writes, again.ok) == (0, True)

    cleared = await api_client.patch(f"/api/v1/trunks/{trunk['id']}",
                                     json={"unassigned_department_id": None})
    assert cleared.json()["sync_status"] == "synced", cleared.text
    assert key not in await managed_rules(lk)
    assert list((await managed_inbound(lk))[trunk_key(trunk["id"])].numbers) == [num["e164"]]
