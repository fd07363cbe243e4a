"""The diff on its own (no server): order of actions, secrets never shown, foreign objects
ignored."""

from __future__ import annotations

from livekit import api as lkapi

from sip.provisioning import messages as m
from sip.provisioning.actual import ActualState
from sip.provisioning.desired import (
    DesiredState,
    DispatchRule,
    InboundTrunk,
    managed_key,
    managed_metadata,
)
from sip.provisioning.plan import make_plan

NUM = "+12025550101"


def _trunk_on_server(trunk: InboundTrunk, lk_id: str) -> lkapi.SIPInboundTrunkInfo:
    info = m.inbound_info(trunk)
    info.sip_trunk_id = lk_id
    return info


def test_a_trunk_giving_up_a_number_is_updated_before_the_one_taking_it() -> None:
    old_a = InboundTrunk("trunk:1", "a", (NUM,), auth_username="u", auth_password="pw")
    old_b = InboundTrunk("trunk:2", "b", ("+12025550102",), allowed_addresses=("192.0.2.1/32",))
    actual = ActualState(inbound={"trunk:1": _trunk_on_server(old_a, "ST_a"),
                                  "trunk:2": _trunk_on_server(old_b, "ST_b")})
    new_a = InboundTrunk("trunk:1", "a", (), auth_username="u", auth_password="pw2")
    new_b = InboundTrunk("trunk:2", "b", (NUM, "+12025550102"),
                         allowed_addresses=("192.0.2.1/32",))
    rule = DispatchRule("number:" + NUM, "sales " + NUM, NUM, "sales", "trunk:2", "agent")
    plan = make_plan(DesiredState(inbound=[new_b, new_a], rules=[rule]), actual)

    assert [(a.op, a.key) for a in plan.actions] == [
        ("update", "trunk:1"), ("update", "trunk:2"), ("create", "number:" + NUM)]
    assert plan.actions[0].changes["auth_password"] == ["***", "***"]
    assert "pw" not in repr(plan.as_dicts())
    assert list(plan.actions[2].payload.trunk_ids) == ["ST_b"]


def test_only_managed_objects_are_deleted_and_duplicates_go() -> None:
    ours = lkapi.SIPDispatchRuleInfo(sip_dispatch_rule_id="SDR_1", name="old",
                                     metadata=managed_metadata("number:+12025550199"))
    actual = ActualState(rules={"number:+12025550199": ours},
                         duplicates=[("dispatch_rule", "number:+12025550199", "SDR_2")])
    plan = make_plan(DesiredState(), actual)
    assert sorted((a.op, a.livekit_id) for a in plan.actions) == [
        ("delete", "SDR_1"), ("delete", "SDR_2")]
    assert managed_key('{"owner": "ops"}') is None and managed_key("not json") is None


def test_a_rule_that_puts_the_caller_in_room_names_is_updated_to_a_callee_rule() -> None:
    """Rules made before rooms stopped carrying the caller's number are updated in place."""
    rule = DispatchRule("number:" + NUM, "sales " + NUM, NUM, "sales", None, "agent")
    old = m.rule_info(rule, [])
    old.rule.CopyFrom(lkapi.SIPDispatchRule(dispatch_rule_individual=lkapi.SIPDispatchRuleIndividual(
        room_prefix=rule.room_prefix)))
    old.sip_dispatch_rule_id = "SDR_old"
    plan = make_plan(DesiredState(rules=[rule]), ActualState(rules={rule.key: old}))
    (action,) = plan.actions
    assert (action.op, action.livekit_id) == ("update", "SDR_old")
    assert action.changes["rule"] == ["dispatch_rule_individual", "dispatch_rule_callee"]
    assert action.payload.rule.dispatch_rule_callee.randomize
