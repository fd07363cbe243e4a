"""Request and response bodies for trunks. An inbound and an outbound trunk are different
bodies (tagged by `direction`), so the document says which fields each takes.
`auth_password` is write-only: responses only say `has_auth`."""

from __future__ import annotations

import ipaddress
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, SecretStr

from app.limits import MAX_LIST_ITEMS, Id, length_of, text
from app.numbers.e164 import check_length
from app.numbers.schemas import E164
from app.pagination import UtcDateTime
from core.models import Trunk

NETWORK_FORMAT = "ip-network"  # an IPv4/IPv6 address or CIDR range (at most 64 characters)
MAX_PASSWORD = 128
# digest auth needs both or neither (the service checks it; the document says it)
AUTH_PAIR: dict[str, Any] = {"dependentRequired": {"auth_username": ["auth_password"],
                                                   "auth_password": ["auth_username"]}}

Transport = Literal["auto", "udp", "tcp", "tls"]
Name = text(length_of(Trunk.name), pattern=r"^\S(.*\S)?$")  # no blank ends
Username = text(length_of(Trunk.auth_username), min_length=1)
Password = Annotated[SecretStr, Field(min_length=1, max_length=MAX_PASSWORD)]
Host = text(length_of(Trunk.address), pattern=r"^[A-Za-z0-9.\-\[\]:]+$")


def _network(value: str) -> str:
    try:
        return str(ipaddress.ip_network(check_length(value, 64).strip(), strict=False))
    except ValueError:
        raise ValueError(f"'{value}' is not an IP address or CIDR range") from None


Address = Annotated[str, AfterValidator(_network),
                    Field(json_schema_extra={"format": NETWORK_FORMAT})]
Addresses = Annotated[list[Address], Field(max_length=MAX_LIST_ITEMS)]
CallerIds = Annotated[list[E164], Field(max_length=MAX_LIST_ITEMS)]
UNASSIGNED = ("Calls through this trunk to a number that has no department go to this "
              "department (a catch-all). Only for a trunk that identifies its carrier "
              "(allowed_addresses or digest auth). None: such calls are never answered "
              "(livekit-sip's flood protection; README, \"Numbers that are not provisioned\")")


class InboundTrunkCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra=AUTH_PAIR)

    name: Name
    direction: Literal["inbound"]
    allowed_addresses: Addresses = Field(
        default_factory=list, description="Carrier IPs/CIDRs allowed to call in")
    auth_username: Username = Field(None, description="SIP digest auth user")
    auth_password: Password = Field(None, description="Write-only")
    unassigned_department_id: Id | None = Field(None, description=UNASSIGNED)


class OutboundTrunkCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra=AUTH_PAIR)

    name: Name
    direction: Literal["outbound"]
    address: Host = Field(description="Carrier host[:port]",
                          examples=["sip.carrier.example:5060"])
    transport: Transport = "auto"
    outbound_numbers: CallerIds = Field(default_factory=list,
                                        description="Caller IDs we may present")
    auth_username: Username = Field(None, description="SIP digest auth user")
    auth_password: Password = Field(None, description="Write-only")


TrunkCreate = Annotated[InboundTrunkCreate | OutboundTrunkCreate,
                        Field(discriminator="direction")]


class TrunkUpdate(BaseModel):
    """Only the fields sent are changed; `null` clears the digest auth (both fields).
    Direction is fixed; fields of the other direction are refused (409)."""

    model_config = ConfigDict(extra="forbid")

    name: Name = None
    allowed_addresses: Addresses = None
    auth_username: Username | None = None
    auth_password: Password | None = None
    address: Host = None
    transport: Transport = None
    outbound_numbers: CallerIds = None
    unassigned_department_id: Id | None = Field(None, description=UNASSIGNED)


class TrunkOut(BaseModel):
    id: int
    name: str
    direction: Literal["inbound", "outbound"]
    allowed_addresses: list[str]
    auth_username: str | None
    has_auth: bool
    address: str | None
    transport: str | None
    outbound_numbers: list[str]
    numbers: list[str] = Field(description="Inbound: E.164 numbers routed through this trunk")
    unassigned_department_id: int | None = Field(description=UNASSIGNED)
    livekit_id: str | None
    sync_status: Literal["pending", "synced"]
    sync_error: str | None
    created_at: UtcDateTime
    updated_at: UtcDateTime
