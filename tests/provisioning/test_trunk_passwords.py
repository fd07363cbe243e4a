"""Trunk digest passwords at rest: encrypted with DATA_ENCRYPTION_KEY, decrypted only to
build what LiveKit should hold; one that cannot be decrypted (the key changed) leaves the
trunk as it is on LiveKit and says why. On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from livekit import api as lkapi
from sqlalchemy.orm import Session

from core.encryption import SecretBox, SecretUnreadable
from sip.provisioning.actual import ActualState
from sip.provisioning.desired import build_desired, managed_metadata, trunk_key
from sip.provisioning.plan import make_plan
from tests.support import factories

BOX = SecretBox("the-key-of-this-deployment-0123456789")
OTHER = SecretBox("a-key-that-was-replaced-9876543210")


def test_encryption_round_trip_and_wrong_key() -> None:
    token = BOX.encrypt("pa55-w0rd")
    assert "pa55" not in token and BOX.decrypt(token) == "pa55-w0rd"
    assert BOX.encrypt("pa55-w0rd") != token  # random IV: equal passwords look different
    with pytest.raises(SecretUnreadable):
        OTHER.decrypt(token)


def test_desired_state_has_the_plain_password_for_livekit(db: Session) -> None:
    trunk = factories.trunk(db, auth_username="carrier",
                            auth_password_encrypted=BOX.encrypt("pa55-w0rd"))
    desired = build_desired(db, "agent", BOX)
    (inbound,) = [t for t in desired.inbound if t.db_id == trunk.id]
    assert (inbound.auth_username, inbound.auth_password) == ("carrier", "pa55-w0rd")


def test_an_unreadable_password_leaves_the_livekit_trunk_alone(db: Session) -> None:
    trunk = factories.trunk(db, auth_username="carrier",
                            auth_password_encrypted=OTHER.encrypt("pa55-w0rd"))
    key = trunk_key(trunk.id)
    desired = build_desired(db, "agent", BOX)
    assert key in desired.skipped and "DATA_ENCRYPTION_KEY" in desired.skipped[key]
    assert all(t.key != key for t in desired.inbound)

    on_livekit = lkapi.SIPInboundTrunkInfo(sip_trunk_id="ST_1", name=trunk.name,
                                           metadata=managed_metadata(key),
                                           auth_username="carrier", auth_password="pa55-w0rd")
    plan = make_plan(desired, ActualState(inbound={key: on_livekit}))
    assert all(a.key != key for a in plan.actions)  # neither deleted nor changed
