"""Generated configuration for livekit-server and livekit-sip.

Network rules: every listener binds to `host` (loopback, or an address of a private network
namespace the tests create); no public STUN server is ever configured; external-IP discovery is
off. The files are written as JSON, which is valid YAML for both servers' strict parsers.
"""

from __future__ import annotations

import json
import random
import socket
from dataclasses import dataclass
from pathlib import Path

from livekit_stack.probes import free_port


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
            sip=free_port(host, socket.SOCK_DGRAM),
            sip_health=tcp[3],
            sip_rtp_start=start,
            sip_rtp_end=start + 199,
        )


def free_udp_block(host: str, size: int, attempts: int = 50) -> int:
    rng = random.Random()
    for _ in range(attempts):
        start = rng.randrange(20000, 60000 - size, 2)
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
class StackConfig:
    host: str = "127.0.0.1"
    ports: StackPorts = StackPorts()
    api_key: str = "devkey"
    api_secret: str = "devsecret-local-only-change-me-0000"
    workdir: Path = Path(".run/stack")
    log_level: str = "info"

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
    def redis_address(self) -> str:
        return f"{self.host}:{self.ports.redis}"

    @property
    def sip_address(self) -> str:
        return f"{self.host}:{self.ports.sip}"


def livekit_server_config(cfg: StackConfig) -> dict:
    return {
        "port": cfg.ports.livekit,
        "bind_addresses": [cfg.host],
        "keys": {cfg.api_key: cfg.api_secret},
        "redis": {"address": cfg.redis_address},
        "logging": {"level": cfg.log_level},
        "rtc": {
            "tcp_port": cfg.ports.rtc_tcp,
            "udp_port": cfg.ports.rtc_udp,
            "use_external_ip": False,
            # An explicit node IP stops the server from adding STUN servers for itself.
            "node_ip": cfg.host,
            # Clients are told about this address only: no public STUN (the default list is
            # Google's). Nothing listens there; a STUN probe to it just gets no answer.
            "stun_servers": [f"{cfg.host}:{cfg.ports.rtc_udp}"],
            "enable_loopback_candidate": cfg.loopback,
            "ips": {"includes": [f"{cfg.host}/32"]},
        },
    }


def livekit_sip_config(cfg: StackConfig) -> dict:
    return {
        "api_key": cfg.api_key,
        "api_secret": cfg.api_secret,
        "ws_url": cfg.livekit_url,
        "redis": {"address": cfg.redis_address},
        "sip_port": cfg.ports.sip,
        "listen_ip": cfg.host,
        "nat_1_to_1_ip": cfg.host,
        "use_external_ip": False,
        "rtp_port": f"{cfg.ports.sip_rtp_start}-{cfg.ports.sip_rtp_end}",
        "health_port": cfg.ports.sip_health,
        "logging": {"level": cfg.log_level},
        # livekit-sip refuses to place calls (CreateSIPParticipant: "cpu exhausted") while
        # the whole machine's CPU is over this share, whoever uses it; the local stack shares
        # its cores with the agent, the speech service and the tests, so only a saturated
        # machine (1.0) may refuse. Production keeps livekit-sip's 0.9 (docker-compose.yml).
        "max_cpu_utilization": 1.0,
    }


def write_config(path: Path, data: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2))
    return path
