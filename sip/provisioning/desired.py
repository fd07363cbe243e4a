"""Desired LiveKit state, built from the database (the source of truth).

Every object we create carries metadata `{"managed_by": "contact-center", "key": ...}`; the key
ties a LiveKit object to the row it comes from, so a second sync finds it again and objects
without our marker are never touched.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from core.encryption import SecretBox, SecretUnreadable
from core.models import PhoneNumber, Trunk

MANAGED_BY = "contact-center"
DEFAULT_INBOUND_KEY = "inbound:default"
DEFAULT_INBOUND_NAME = "contact-center default inbound"


def managed_metadata(key: str) -> str:
    return json.dumps({"managed_by": MANAGED_BY, "key": key}, sort_keys=True)


def managed_key(metadata: str | None) -> str | None:
    """The key of an object we manage, or None for anything else (left alone)."""
    try:
        data = json.loads(metadata or "")
    except ValueError:
        return None
    if isinstance(data, dict) and data.get("managed_by") == MANAGED_BY:
        key = data.get("key")
        return key if isinstance(key, str) else None
    return None


def trunk_key(trunk_id: int) -> str:
    return f"trunk:{trunk_id}"


def rule_key(e164: str) -> str:
    return f"number:{e164}"


def unassigned_rule_key(trunk_id: int) -> str:
    return f"unassigned:{trunk_key(trunk_id)}"


@dataclass(frozen=True)
class ManagedTrunk:
    """What every trunk we manage has: our key (in its metadata), a name, digest auth."""
    key: str
    name: str
    auth_username: str = field(default="", kw_only=True)
    auth_password: str = field(default="", kw_only=True)
    db_id: int | None = field(default=None, kw_only=True)

    @property
    def metadata(self) -> str:
        return managed_metadata(self.key)


@dataclass(frozen=True)
class InboundTrunk(ManagedTrunk):
    numbers: tuple[str, ...]
    allowed_addresses: tuple[str, ...] = ()

    @property
    def matchable(self) -> bool:
        """LiveKit refuses a trunk with no numbers, no addresses and no auth."""
        return bool(self.numbers or self.allowed_addresses or self.auth_username)


@dataclass(frozen=True)
class OutboundTrunk(ManagedTrunk):
    address: str
    transport: str  # auto | udp | tcp | tls
    numbers: tuple[str, ...] = ()


@dataclass(frozen=True)
class DispatchRule:
    key: str
    name: str
    number: str  # "": any called number (a trunk's catch-all for unassigned numbers)
    department: str
    trunk_key: str | None  # None: applies on any trunk (trunk-less numbers)
    agent_name: str

    @property
    def metadata(self) -> str:
        return managed_metadata(self.key)

    @property
    def room_prefix(self) -> str:
        return f"call-{self.department}"

    @property
    def attributes(self) -> dict[str, str]:
        return {"department": self.department, **({"number": self.number} if self.number
                                                  else {"unassigned": "true"})}

    @property
    def agent_metadata(self) -> str:
        extra = {} if self.number else {"unassigned": True}
        return json.dumps({"department": self.department, "number": self.number, **extra})


@dataclass
class DesiredState:
    inbound: list[InboundTrunk] = field(default_factory=list)
    outbound: list[OutboundTrunk] = field(default_factory=list)
    rules: list[DispatchRule] = field(default_factory=list)
    # keys of DB trunks that cannot exist on LiveKit as they are, and why
    skipped: dict[str, str] = field(default_factory=dict)
    # keys whose LiveKit object is left as it is (its row cannot be read now: an unreadable
    # password must not take a working trunk down)
    untouched: set[str] = field(default_factory=set)


def _auth(trunk: Trunk, box: SecretBox) -> dict[str, str]:
    """The digest credentials LiveKit needs, the password decrypted (only here)."""
    password = box.decrypt(trunk.auth_password_encrypted) \
        if trunk.auth_password_encrypted else ""
    return {"auth_username": trunk.auth_username or "", "auth_password": password}


def _inbound(trunk: Trunk, numbers: list[str], box: SecretBox) -> InboundTrunk:
    """A trunk with a catch-all department lists no numbers: livekit-server then gives it
    every call from its carrier, and the trunk's number rules take precedence over its
    catch-all rule (a rule naming the called number ranks above one that names none)."""
    if trunk.unassigned_department_id is not None:
        numbers = []
    return InboundTrunk(
        key=trunk_key(trunk.id), name=trunk.name, numbers=tuple(sorted(numbers)),
        allowed_addresses=tuple(sorted(trunk.allowed_addresses or [])),
        db_id=trunk.id, **_auth(trunk, box),
    )


def _outbound(trunk: Trunk, box: SecretBox) -> OutboundTrunk:
    return OutboundTrunk(
        key=trunk_key(trunk.id), name=trunk.name, address=trunk.address or "",
        transport=trunk.transport or "auto",
        numbers=tuple(sorted(trunk.outbound_numbers or [])),
        db_id=trunk.id, **_auth(trunk, box),
    )


def build_desired(session: Session, agent_name: str, box: SecretBox) -> DesiredState:
    state = DesiredState()
    numbers = list(session.scalars(
        select(PhoneNumber).options(selectinload(PhoneNumber.department))
        .order_by(PhoneNumber.e164)))
    trunks = list(session.scalars(select(Trunk).options(
        selectinload(Trunk.unassigned_department)).order_by(Trunk.id)))

    by_trunk: dict[int, list[str]] = {}
    trunkless: list[str] = []
    for num in numbers:
        (by_trunk.setdefault(num.trunk_id, []) if num.trunk_id else trunkless).append(num.e164)

    for trunk in trunks:
        try:
            if trunk.direction == "outbound":
                state.outbound.append(_outbound(trunk, box))
                continue
            inbound = _inbound(trunk, by_trunk.get(trunk.id, []), box)
        except SecretUnreadable as exc:  # left as it is on LiveKit until the password is set
            state.skipped[trunk_key(trunk.id)] = f"auth_password: {exc}"
            state.untouched.add(trunk_key(trunk.id))
            continue
        if inbound.matchable:
            state.inbound.append(inbound)
        else:
            state.skipped[inbound.key] = ("nothing to match calls on: give the trunk numbers, "
                                          "allowed addresses or auth")
    if trunkless:
        state.inbound.append(InboundTrunk(key=DEFAULT_INBOUND_KEY, name=DEFAULT_INBOUND_NAME,
                                          numbers=tuple(trunkless)))

    outbound_ids = {t.id for t in trunks if t.direction == "outbound"}
    for num in numbers:
        slug = num.department.slug
        trunk = trunk_key(num.trunk_id) if num.trunk_id else None
        if num.trunk_id in outbound_ids:  # not an inbound trunk: the API forbids it; be safe
            trunk = None
        state.rules.append(DispatchRule(
            key=rule_key(num.e164), name=f"{slug} {num.e164}", number=num.e164,
            department=slug, trunk_key=trunk, agent_name=agent_name))
    on_livekit = {t.key for t in state.inbound}  # inbound trunks only, as they will exist
    for t in trunks:
        catch_all = t.unassigned_department
        if catch_all is not None and trunk_key(t.id) in on_livekit:
            state.rules.append(DispatchRule(
                key=unassigned_rule_key(t.id), name=f"{catch_all.slug} unassigned via {t.name}",
                number="", department=catch_all.slug, trunk_key=trunk_key(t.id),
                agent_name=agent_name))
    return state
