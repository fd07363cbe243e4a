"""Start Redis, livekit-server and livekit-sip (one pair per node), wait until each is
healthy, stop them all."""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Callable
from pathlib import Path

from livekit_stack.config import (
    ServerNode,
    StackConfig,
    livekit_server_config,
    livekit_sip_config,
    write_config,
)
from livekit_stack.probes import http_ok, port_free, redis_pong
from livekit_stack.processes import ManagedProcess, StackError, wait_until

REPO_ROOT = Path(__file__).resolve().parents[1]


def find_binary(name: str) -> str:
    """A stack binary: $CC_BIN_DIR, the project's ./bin (filled by scripts/install.sh), PATH."""
    candidates = [Path(os.environ["CC_BIN_DIR"]) / name] if os.environ.get("CC_BIN_DIR") else []
    candidates.append(REPO_ROOT / "bin" / name)
    for path in candidates:
        if path.exists() and os.access(path, os.X_OK):
            return str(path)
    found = shutil.which(name)
    if found:
        return found
    raise StackError(f"{name} not found (looked in {', '.join(map(str, candidates))} and PATH); "
                     "run `make install`")


class LocalStack:
    """The three servers of the local telephony stack, as one unit."""

    def __init__(self, cfg: StackConfig, start_timeout: float = 30.0):
        self.cfg = cfg
        self.start_timeout = start_timeout
        self.processes: list[ManagedProcess] = []

    @property
    def log_dir(self) -> Path:
        return self.cfg.workdir / "logs"

    def _spawn(self, name: str, argv: list[str], env: dict | None = None) -> ManagedProcess:
        proc = ManagedProcess(name, argv, self.log_dir / f"{name}.log", env)
        proc.start()
        self.processes.append(proc)
        return proc

    def _ports_free(self) -> None:
        """Refuse to start over another stack: its servers would answer our health checks."""
        cfg = self.cfg
        checks = [(cfg.host, "redis", cfg.ports.redis, socket.SOCK_STREAM)]
        for node in cfg.nodes:
            checks += [(node.host, "livekit-server", node.ports.livekit, socket.SOCK_STREAM),
                       (node.host, "livekit-sip health", node.ports.sip_health,
                        socket.SOCK_STREAM),
                       (node.host, "livekit-sip SIP", node.ports.sip, socket.SOCK_DGRAM),
                       (node.host, "livekit-sip SIP/TCP", node.ports.sip, socket.SOCK_STREAM)]
        busy = [f"{name} {host}:{port}" for host, name, port, kind in checks
                if not port_free(host, port, kind)]
        if busy:
            raise StackError(f"ports in use: {', '.join(busy)} "
                             "(is another stack still running or stopping?)")

    def _healthy(self, proc: ManagedProcess, check: Callable[[], bool], what: str) -> None:
        wait_until(check, what=what, timeout=self.start_timeout, process=proc)
        if proc.exited() is not None:
            raise StackError(f"{proc.name} exited with code {proc.exited()}; log "
                             f"{proc.log_path}:\n{proc.log_tail()}")

    def start(self) -> LocalStack:
        cfg = self.cfg
        self._ports_free()
        try:
            redis_dir = cfg.workdir / "redis"
            redis_dir.mkdir(parents=True, exist_ok=True)
            redis = self._spawn("redis", [
                find_binary("redis-server"), "--bind", cfg.host, "--port", str(cfg.ports.redis),
                "--save", "", "--appendonly", "no", "--protected-mode", "no",
                "--dir", str(redis_dir.resolve()),
            ])
            self._healthy(redis, lambda: redis_pong(cfg.host, cfg.ports.redis), "redis PONG")

            for index, node in enumerate(cfg.nodes):
                self._start_node(index, node)
        except BaseException:
            self.stop()
            raise
        return self

    @staticmethod
    def node_suffix(index: int) -> str:
        """"" for the first node (its processes keep their plain names), "-2", "-3"..."""
        return f"-{index + 1}" if index else ""

    def _start_node(self, index: int, node: ServerNode) -> None:
        cfg, suffix = self.cfg, self.node_suffix(index)
        server_yaml = write_config(cfg.workdir / f"livekit-server{suffix}.yaml",
                                   livekit_server_config(cfg, node))
        server = self._spawn(f"livekit-server{suffix}", [
            find_binary("livekit-server"), "--config", str(server_yaml),
        ])
        self._healthy(server, lambda: http_ok(node.livekit_http_url), "livekit-server /")
        sip_yaml = write_config(cfg.workdir / f"livekit-sip{suffix}.yaml",
                                livekit_sip_config(cfg, node))
        sip = self._spawn(f"livekit-sip{suffix}", [find_binary("livekit-sip"), "--config",
                                                   str(sip_yaml)])
        # 429 is livekit-sip's "started, but the machine's CPU is over max_cpu_utilization"
        # (a busy machine, as when the tests run beside other work): it is up
        self._healthy(sip, lambda: http_ok(f"http://{node.host}:{node.ports.sip_health}/",
                                           also=(429,)), "livekit-sip health")

    def node_processes(self, index: int) -> list[ManagedProcess]:
        """The livekit-server and livekit-sip of node `index`."""
        suffix = self.node_suffix(index)
        return [p for p in self.processes
                if p.name in (f"livekit-server{suffix}", f"livekit-sip{suffix}")]

    def stop(self) -> None:
        """Stop in reverse order of start; always stops every process."""
        for proc in reversed(self.processes):
            proc.stop()
        self.processes.clear()

    def __enter__(self) -> LocalStack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def describe(self) -> dict[str, str]:
        cfg = self.cfg
        lines = {
            "LIVEKIT_URL": cfg.livekit_url,
            "LIVEKIT_API_KEY": cfg.api_key,
            "LIVEKIT_API_SECRET": cfg.api_secret,
            "SIP (UDP)": f"sip:{cfg.sip_address}",
        }
        for index, node in enumerate(cfg.extra_nodes, start=2):
            lines[f"node {index}"] = f"{node.livekit_url}, SIP sip:{node.sip_address}"
        return {**lines, "Redis": cfg.redis_address, "logs": str(self.log_dir)}
