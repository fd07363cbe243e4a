"""The local stack never starts over another one: that one's servers would answer our health
checks while our own servers failed to bind, and the stack would die under us later."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from livekit_stack import LocalStack, StackConfig, StackError
from livekit_stack.probes import http_ok
from tests.conftest import REPO_ROOT, TEST_HOST


def test_a_second_stack_on_the_same_ports_is_refused(live_stack: LocalStack,
                                                     tmp_path: Path) -> None:
    twin = LocalStack(StackConfig(host=live_stack.cfg.host, ports=live_stack.cfg.ports,
                                  workdir=tmp_path / "twin"))
    with pytest.raises(StackError, match="ports in use"):
        twin.start()
    assert twin.processes == []


def test_stack_command_stops_on_sigint_even_as_a_background_job(live_stack: LocalStack,
                                                                 tmp_path: Path) -> None:
    """A shell's background job inherits SIGINT as ignored; `stack` must still stop on it.
    It runs two nodes here (`--nodes 2`): node 2 serves on node 1's ports + 10."""
    from livekit_stack.config import StackPorts

    ports = StackPorts.free(TEST_HOST)
    env = {**os.environ, "STACK_HOST": TEST_HOST, "STACK_REDIS_PORT": str(ports.redis),
           "STACK_SIP_PORT": str(ports.sip), "STACK_WORKDIR": str(tmp_path / "bg"),
           "LIVEKIT_URL": f"ws://{TEST_HOST}:{ports.livekit}"}
    proc = subprocess.Popen(
        [sys.executable, "-c", "import signal, sys; signal.signal(signal.SIGINT, signal.SIG_IGN);"
         " from cli.main import main; sys.argv = ['contact-center', 'stack', '--nodes', '2'];"
         " main()"],
        cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        start_new_session=True)
    try:
        deadline = time.monotonic() + 45
        output = b""
        while time.monotonic() < deadline and b"stack is up" not in output:
            line = proc.stdout.readline()  # type: ignore[union-attr]
            if not line:
                break
            output += line
        assert b"stack is up" in output, output.decode(errors="replace")
        node2 = f"ws://{TEST_HOST}:{ports.livekit + 10}"
        assert f"node 2               {node2}, SIP sip:{TEST_HOST}:{ports.sip + 10}" in \
            output.decode()
        assert http_ok(node2.replace("ws:", "http:"))
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
        assert b"stack stopped" in proc.stdout.read()  # type: ignore[union-attr]
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
