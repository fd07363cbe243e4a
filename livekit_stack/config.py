"""Generated configuration for livekit-server and livekit-sip.

Network rules: every listener binds to its node's host (loopback, or an address of a private
network namespace the tests create); no public STUN server is ever configured; external-IP
discovery is off. The files are written as JSON, which is valid YAML for both servers' strict
parsers.

Several nodes: each node is a livekit-server with a livekit-sip beside it; all of them share
the stack's one Redis, which is what makes them one LiveKit deployment (rooms are placed on a
node through it, signalling and agent jobs are relayed through it). What tells the nodes apart
is their own address (`node_ip`, the bind address and the ICE candidates) and ports; each
registers under a random node id.
"""

from __future__ import annotations

import json
import random
import socket
from dataclasses import dataclass, replace
from pathlib import Path

from livekit_stack.probes import free_dual_port, free_port


@dataclass(frozen=True)
class StackPorts:
    redis: int = 6390
    livekit: int = 7880
    rtc_tcp: int = 7881
    rtc_udp: int = 7882
    sip: int = 5060
    sip_health: int = 8090
    sip_rtp_start: int = 10000
    sip_rtp_end: int = 10199

    def for_node(self, index: int) -> StackPorts:
        """The ports of node `index` (0 = these) on the same host: 10 apart, the RTP ranges
        one after the other (`contact-center stack --nodes N`)."""
        rtp = self.sip_rtp_end - self.sip_rtp_start + 1
        step = 10 * index
        return replace(self, livekit=self.livekit + step, rtc_tcp=self.rtc_tcp + step,
                       rtc_udp=self.rtc_udp + step, sip=self.sip + step,
                       sip_health=self.sip_health + step,
                       sip_rtp_start=self.sip_rtp_start + rtp * index,
                       sip_rtp_end=self.sip_rtp_end + rtp * index)

    @classmethod
    def free(cls, host: str) -> StackPorts:
        """Free ports on `host` for a stack that must not collide with anything running."""
        tcp = [free_port(host) for _ in range(5)]
        start = free_udp_block(host, 200)
        return cls(
            redis=tcp[0],
            livekit=tcp[1],
            rtc_tcp=tcp[2],
            rtc_udp=free_port(host, socket.SOCK_DGRAM),
            sip=free_dual_port(host),
            sip_health=tcp[3],
            sip_rtp_start=start,
            sip_rtp_end=start + 199,
        )


def free_udp_block(host: str, size: int, attempts: int = 50) -> int:
    rng = random.Random()
    for _ in range(attempts):
        start = rng.randrange(20000, 32000 - size, 2)
        probe = [start, start + size // 2, start + size - 1]
        try:
            socks = []
            for port in probe:
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                socks.append(s)
                s.bind((host, port))
            return start
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError(f"no free UDP block of {size} ports on {host}")


@dataclass(frozen=True)
class ServerNode:
    """One livekit-server and the livekit-sip beside it, on `host` (its `ports.redis` is not
    used: every node uses the stack's Redis)."""
    host: str
    ports: StackPorts

    @property
    def loopback(self) -> bool:
        return self.host.startswith("127.")

    @property
    def livekit_url(self) -> str:
        return f"ws://{self.host}:{self.ports.livekit}"

    @property
    def livekit_http_url(self) -> str:
        return f"http://{self.host}:{self.ports.livekit}"

    @property
    def sip_address(self) -> str:
        return f"{self.host}:{self.ports.sip}"


@dataclass(frozen=True)
class StackConfig:
    host: str = "127.0.0.1"
    ports: StackPorts = StackPorts()
    api_key: str = "devkey"
    api_secret: str = "devsecret-local-only-change-me-0000"
    workdir: Path = Path(".run/stack")
    log_level: str = "info"
    # where livekit-server posts its webhooks (the API's /api/v1/livekit/webhook); every
    # node posts the events of the rooms it hosts
    webhook_urls: tuple[str, ...] = ()
    # more livekit-server nodes (each with its livekit-sip) on this stack's Redis; the first
    # node is `host` with `ports`
    extra_nodes: tuple[ServerNode, ...] = ()

    @property
    def nodes(self) -> tuple[ServerNode, ...]:
        return (ServerNode(self.host, self.ports), *self.extra_nodes)

    @property
    def loopback(self) -> bool:
        return self.nodes[0].loopback

    @property
    def livekit_url(self) -> str:
        return self.nodes[0].livekit_url

    @property
    def livekit_http_url(self) -> str:
        return self.nodes[0].livekit_http_url

    @property
    def redis_address(self) -> str:
        return f"{self.host}:{self.ports.redis}"

    @property
    def sip_address(self) -> str:
        return self.nodes[0].sip_address


def livekit_server_config(cfg: StackConfig, node: ServerNode | None = None) -> dict:
    node = node or cfg.nodes[0]
    return {
        "port": node.ports.livekit,
        "bind_addresses": [node.host],
        "keys": {cfg.api_key: cfg.api_secret},
        "redis": {"address": cfg.redis_address},
        "logging": {"level": cfg.log_level},
        "rtc": {
            "tcp_port": node.ports.rtc_tcp,
            "udp_port": node.ports.rtc_udp,
            "use_external_ip": False,
            # An explicit node IP stops the server from adding STUN servers for itself; it is
            # also the address the other nodes and clients are told for this node's media.
            "node_ip": node.host,
            # Clients are told about this address only: no public STUN (the default list is
            # Google's). Nothing listens there; a STUN probe to it just gets no answer.
            "stun_servers": [f"{node.host}:{node.ports.rtc_udp}"],
            "enable_loopback_candidate": node.loopback,
            "ips": {"includes": [f"{node.host}/32"]},
        },
        **({"webhook": {"api_key": cfg.api_key, "urls": list(cfg.webhook_urls)}}
           if cfg.webhook_urls else {}),
    }


def livekit_sip_config(cfg: StackConfig, node: ServerNode | None = None) -> dict:
    node = node or cfg.nodes[0]
    return {
        "api_key": cfg.api_key,
        "api_secret": cfg.api_secret,
        "ws_url": node.livekit_url,
        "redis": {"address": cfg.redis_address},
        "sip_port": node.ports.sip,
        "listen_ip": node.host,
        "nat_1_to_1_ip": node.host,
        "use_external_ip": False,
        "rtp_port": f"{node.ports.sip_rtp_start}-{node.ports.sip_rtp_end}",
        "health_port": node.ports.sip_health,
        "logging": {"level": cfg.log_level},
        # livekit-sip reports itself "under load" (health 429, outbound calls refused) above
        # 90 % CPU by default; on a 2-core development box or CI runner shared with the agent
        # and the tests that is ordinary, and a refused outbound call or a failed health
        # check there is a false alarm. Production (compose) keeps livekit-sip's default.
        "max_cpu_utilization": 1.0,
    }


def write_config(path: Path, data: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2))
    return path
