"""Run sipp (the test phone) as a subprocess against the live livekit-sip."""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sip.stack import LocalStack
from sip.stack.probes import free_port

SCENARIOS = Path(__file__).resolve().parents[1] / "sipp"


def sipp_binary() -> str:
    path = shutil.which("sipp")
    if path is None:  # a live test never skips: a missing phone is a failure
        raise AssertionError("sipp not found on PATH; run `make install` (Debian sip-tester)")
    return path


def make_caller_audio(workdir: Path, text: str = "Hello, I would like some help please.",
                      seconds: float = 4.0) -> Path:
    """caller.ulaw: raw 8 kHz G.711 u-law of espeak-ng speech, padded to `seconds`."""
    wav = workdir / "caller.wav"
    out = workdir / "caller.ulaw"
    subprocess.run(["espeak-ng", "-v", "en-us", "-w", str(wav), text], check=True)
    subprocess.run(["sox", str(wav), "-r", "8000", "-c", "1", "-t", "ul", str(out),
                    "pad", "0", str(seconds)], check=True)
    return out


@dataclass
class SippResult:
    returncode: int
    stdout: str
    stderr: str
    error_log: str


async def run_sipp(stack: LocalStack, scenario: str, number: str, workdir: Path, *,
                   ear_port: int, caller: str = "+15551230000", hold_ms: int = 3000,
                   timeout: float = 60,
                   extra: list[str] | None = None) -> SippResult:
    """Place one call with `scenario` to `number` and wait for sipp to finish."""
    workdir.mkdir(parents=True, exist_ok=True)
    if not (workdir / "caller.ulaw").exists():
        make_caller_audio(workdir)
    host = stack.cfg.host
    argv = [
        sipp_binary(), stack.cfg.sip_address, "-sf", str(SCENARIOS / scenario),
        "-s", number, "-key", "caller", caller, "-key", "ear_port", str(ear_port), "-d", str(hold_ms),
        "-i", host, "-p", str(free_port(host, socket.SOCK_DGRAM)),
        "-mi", host, "-mp", str(_free_even_udp_port(host)),
        "-m", "1", "-l", "1", "-timeout", f"{int(timeout)}s", "-timeout_error",
        "-trace_err", "-error_file", str(workdir / "errors.log"),
        *(extra or []),
    ]
    proc = await asyncio.create_subprocess_exec(
        *argv, cwd=workdir, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout=timeout + 15)
    except TimeoutError:
        proc.kill()
        out, err = await proc.communicate()
    error_log = (workdir / "errors.log").read_text(errors="replace") \
        if (workdir / "errors.log").exists() else ""
    return SippResult(proc.returncode if proc.returncode is not None else -1,
                      out.decode(errors="replace"), err.decode(errors="replace"), error_log)


def _free_even_udp_port(host: str) -> int:
    """RTP wants an even port with the next one (RTCP) free too."""
    for _ in range(100):
        port = free_port(host, socket.SOCK_DGRAM)
        if port % 2 == 0 and port < 65000:
            try:
                with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                    s.bind((host, port + 1))
                return port
            except OSError:
                continue
    raise RuntimeError("no free even UDP port pair")
