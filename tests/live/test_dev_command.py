"""`make run` = `contact-center dev`: stack + migrations + API up, and Ctrl-C leaves nothing."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from livekit_stack.probes import free_port
from tests.conftest import REPO_ROOT, TEST_HOST


def _free_port_triple(host: str) -> int:
    for _ in range(50):
        port = free_port(host)
        try:
            for offset, kind in ((1, socket.SOCK_STREAM), (2, socket.SOCK_DGRAM)):
                with socket.socket(socket.AF_INET, kind) as s:
                    s.bind((host, port + offset))
            return port
        except OSError:
            continue
    raise RuntimeError("no free port triple")


def _get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:  # noqa: S310 (test-local URL)
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")
    except OSError:
        return 0, {}


def _processes_mentioning(*markers: str) -> list[str]:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if any(marker in cmd for marker in markers):
            found.append(f"{pid}: {cmd[:200]}")
    return found


def test_dev_brings_up_stack_and_api_and_ctrl_c_stops_everything(
    artifacts_dir: Path, tmp_path: Path
) -> None:
    workdir = artifacts_dir / f"dev-{int(time.time())}"
    api_port, lk_port = free_port(TEST_HOST), _free_port_triple(TEST_HOST)
    redis_port = free_port(TEST_HOST)
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'dev.db'}",
        "LIVEKIT_URL": f"ws://{TEST_HOST}:{lk_port}",
        "STACK_HOST": TEST_HOST,
        "STACK_REDIS_PORT": str(redis_port),
        "STACK_SIP_PORT": str(free_port(TEST_HOST, socket.SOCK_DGRAM)),
        "STACK_WORKDIR": str(workdir),
        "API_HOST": TEST_HOST,
        "API_PORT": str(api_port),
        "AGENT_HTTP_PORT": str(free_port(TEST_HOST)),
        "AGENT_METRICS_PORT": str(free_port(TEST_HOST)),
    }
    log = open(workdir.with_suffix(".log"), "wb")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen([sys.executable, "-m", "cli.main", "dev"], cwd=REPO_ROOT, env=env,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://{TEST_HOST}:{api_port}"
    markers = (str(workdir), f"redis-server {TEST_HOST}:{redis_port}")
    try:
        deadline = time.monotonic() + 120  # ready for calls: an agent worker registered
        ready: tuple[int, dict] = (0, {})
        while time.monotonic() < deadline and proc.poll() is None:
            ready = _get(f"{base}/ready")
            if ready[0] == 200:
                break
            time.sleep(0.2)
        output = workdir.with_suffix(".log").read_text()[-3000:]
        assert ready[0] == 200, output
        assert ready[1]["checks"] == {"database": "ok", "agents": "ok", "livekit": "ok"}
        assert ready[1]["capacity"]["workers"] == 1 and ready[1]["capacity"]["free_calls"] > 0
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and "ready for calls" not in output:
            time.sleep(0.2)
            output = workdir.with_suffix(".log").read_text()
        assert "ready for calls: 1 agent worker(s)" in output
        assert _get(f"{base}/health") == (200, {"status": "ok"})
        assert len(_processes_mentioning(*markers)) == 3  # redis, server, sip
        agent_log = workdir / "logs" / "agent.log"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and "registered worker" not in (
                agent_log.read_text(errors="replace") if agent_log.exists() else ""):
            time.sleep(0.2)
        assert "registered worker" in agent_log.read_text(errors="replace")
        markers = (*markers, "cli.main agent start", "cli.main speech")  # the worker's

        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        assert proc.wait(timeout=30) == 0
        assert _processes_mentioning(*markers) == []
        assert _get(f"{base}/health")[0] == 0
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()
