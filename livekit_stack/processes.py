"""Child processes with log files, deadline-based readiness waits and guaranteed teardown."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path


class StackError(RuntimeError):
    """A stack component could not be started or did not become healthy."""


class ManagedProcess:
    """One server process in its own process group, its output in a log file."""

    def __init__(self, name: str, argv: list[str], log_path: Path, env: dict | None = None,
                 cwd: Path | None = None):
        self.name = name
        self.argv = argv
        self.log_path = log_path
        self.env = env
        self.cwd = cwd
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self._proc = subprocess.Popen(
                self.argv,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                env={**os.environ, **(self.env or {})},
                cwd=self.cwd,
            )

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def exited(self) -> int | None:
        """The exit code if the process has ended, else None."""
        return self._proc.poll() if self._proc else None

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM the whole process group, SIGKILL it if it outlives `timeout`."""
        proc = self._proc
        if proc is None or proc.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                return
            try:
                proc.wait(timeout=wait)
                return
            except subprocess.TimeoutExpired:
                continue


def wait_until(
    check: Callable[[], bool],
    *,
    what: str,
    timeout: float,
    process: ManagedProcess | None = None,
    interval: float = 0.1,
) -> None:
    """Poll `check` until it is true; fail with the process log if the deadline passes
    or the process dies first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        if process is not None and process.exited() is not None:
            raise StackError(
                f"{process.name} exited with code {process.exited()} before {what}; "
                f"log {process.log_path}:\n{process.log_tail()}"
            )
        time.sleep(interval)
    tail = f"; log {process.log_path}:\n{process.log_tail()}" if process else ""
    raise StackError(f"timed out after {timeout:.0f}s waiting for {what}{tail}")
