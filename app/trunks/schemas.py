"""Request and response bodies for trunks. `auth_password` is write-only: responses only say
`has_auth`."""

from __future__ import annotations

import ipaddress
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, SecretStr, StringConstraints

from app.numbers.schemas import E164
from app.pagination import UtcDateTime

Transport = Literal["auto", "udp", "tcp", "tls"]
Name = Annotated[str, StringConstraints(min_length=1, max_length=128, strip_whitespace=True)]
Username = Annotated[str, StringConstraints(min_length=1, max_length=128)]
Host = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9.\-\[\]:]+$", max_length=255)]


def _network(value: str) -> str:
    try:
        return str(ipaddress.ip_network(value.strip(), strict=False))
    except ValueError:
        raise ValueError(f"'{value}' is not an IP address or CIDR range") from None


Address = Annotated[str, AfterValidator(_network)]


class TrunkFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    allowed_addresses: list[Address] = Field(
        default_factory=list, description="Inbound: carrier IPs/CIDRs allowed to call in")
    auth_username: Username | None = Field(None, description="SIP digest auth user")
    auth_password: SecretStr | None = Field(None, description="Write-only")
    address: Host | None = Field(None, description="Outbound: carrier host[:port]",
                                 examples=["sip.carrier.example:5060"])
    transport: Transport | None = Field(None, description="Outbound only")
    outbound_numbers: list[E164] = Field(default_factory=list,
                                         description="Outbound: caller IDs we may present")


class TrunkCreate(TrunkFields):
    name: Name
    direction: Literal["inbound", "outbound"]


class TrunkUpdate(BaseModel):
    """Only the fields sent are changed; `null` clears optional ones. Direction is fixed."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    allowed_addresses: list[Address] | None = None
    auth_username: Username | None = None
    auth_password: SecretStr | None = None
    address: Host | None = None
    transport: Transport | None = None
    outbound_numbers: list[E164] | None = None


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
    livekit_id: str | None
    sync_status: Literal["pending", "synced"]
    sync_error: str | None
    created_at: UtcDateTime
    updated_at: UtcDateTime
