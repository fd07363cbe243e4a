"""Diff desired against actual into an ordered list of actions (pure: no I/O).

Order matters to LiveKit, which refuses two trunks or two rules claiming the same number:
obsolete rules and trunks go first, then trunk updates that only give numbers up, then the
remaining trunk updates and creates, and rules last (they need the trunks' ids).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any, Literal

from google.protobuf.message import Message

from sip.provisioning import messages as m
from sip.provisioning.actual import ActualState
from sip.provisioning.desired import DesiredState, DispatchRule

Op = Literal["create", "update", "delete"]
Kind = Literal["inbound_trunk", "outbound_trunk", "dispatch_rule"]


@dataclass
class Action:
    op: Op
    kind: Kind
    key: str
    name: str
    livekit_id: str | None = None
    changes: dict[str, list[Any]] = field(default_factory=dict)
    payload: Message | None = None  # what create/update sends
    rule: DispatchRule | None = None  # rules get their trunk ids resolved when applied

    def as_dict(self) -> dict[str, Any]:
        return {"op": self.op, "kind": self.kind, "key": self.key, "name": self.name,
                "livekit_id": self.livekit_id, "changes": self.changes}


@dataclass
class Plan:
    actions: list[Action] = field(default_factory=list)
    in_sync: list[str] = field(default_factory=list)  # keys already as wanted

    def as_dicts(self) -> list[dict[str, Any]]:
        return [a.as_dict() for a in self.actions]


def _trunk_ids(rule: DispatchRule, known: dict[str, str]) -> list[str]:
    if rule.trunk_key is None:
        return []
    return [known.get(rule.trunk_key, f"<new {rule.trunk_key}>")]


def _diff(plan: Plan, kind: Kind, wanted: dict[str, tuple[str, Message]],
          current: dict[str, Message], fields, id_attr: str,  # type: ignore[no-untyped-def]
          untouched: Collection[str] = ()) -> list[Action]:
    """Creates and updates for one kind; deletes (except of `untouched` keys) are added to
    the plan directly."""
    out = []
    for key, (name, info) in wanted.items():
        if key not in current:
            out.append(Action("create", kind, key, name, None,
                              m.differences({}, fields(info)), info))
            continue
        changes = m.differences(fields(current[key]), fields(info))
        if changes:
            out.append(Action("update", kind, key, name, getattr(current[key], id_attr),
                              changes, info))
        else:
            plan.in_sync.append(key)
    for key, info in current.items():
        if key not in wanted and key not in untouched:
            plan.actions.append(Action("delete", kind, key, info.name, getattr(info, id_attr)))
    return out


def _gives_up_numbers_only(action: Action) -> bool:
    old, new = action.changes.get("numbers", [[], []])
    return action.op == "update" and set(new) <= set(old)


def make_plan(desired: DesiredState, actual: ActualState) -> Plan:
    plan = Plan()
    for kind, key, lk_id in actual.duplicates:
        plan.actions.append(Action("delete", kind, key, "(duplicate)", lk_id))  # type: ignore[arg-type]

    rules_wanted = {}
    trunk_ids = {k: t.sip_trunk_id for k, t in actual.inbound.items()}
    for r in desired.rules:
        rules_wanted[r.key] = (r.name, m.rule_info(r, _trunk_ids(r, trunk_ids)))
    rule_changes = _diff(plan, "dispatch_rule", rules_wanted, actual.rules, m.rule_fields,
                         "sip_dispatch_rule_id")
    by_key = {r.key: r for r in desired.rules}
    for action in rule_changes:
        action.rule = by_key[action.key]

    inbound = _diff(plan, "inbound_trunk",
                    {t.key: (t.name, m.inbound_info(t)) for t in desired.inbound},
                    actual.inbound, m.inbound_fields, "sip_trunk_id", desired.untouched)
    outbound = _diff(plan, "outbound_trunk",
                     {t.key: (t.name, m.outbound_info(t)) for t in desired.outbound},
                     actual.outbound, m.outbound_fields, "sip_trunk_id", desired.untouched)
    inbound.sort(key=lambda a: (not _gives_up_numbers_only(a), a.op != "update"))
    plan.actions.sort(key=lambda a: a.kind != "dispatch_rule")  # deletes: rules, then trunks
    plan.actions += inbound + outbound + rule_changes
    return plan
