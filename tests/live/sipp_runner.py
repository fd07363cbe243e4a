"""Run sipp (the test phone) against the live livekit-sip.

Scenarios are composed from the templates in tests/sipp/: `uac.xml` plus what happens during
the call (pauses, DTMF digits) and how it ends (caller BYE, REFER accepted or rejected,
hang-up by the other side). Every SIP message is traced to a file so tests can read exactly
what the phone received (e.g. the REFER's Refer-To).

The other direction: `answer_call` runs sipp as the phone livekit-sip dials out to (`uas.xml`:
a human line or the person a callback calls), answering, rejecting (486, 603) or letting it
ring, as its `Callee` says."""

from __future__ import annotations

import asyncio
import re
import shutil
import socket
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from string import Template
from typing import Literal

from livekit_stack import LocalStack
from livekit_stack.probes import free_even_port_run, free_port

SCENARIOS = Path(__file__).resolve().parents[1] / "sipp"


def sipp_binary() -> str:
    path = shutil.which("sipp")
    if path is None:  # a live test never skips: a missing phone is a failure
        raise AssertionError("sipp not found on PATH; run `make install` (Debian sip-tester)")
    return path


def make_caller_audio(workdir: Path, text: str | None = None, seconds: float = 4.0) -> Path:
    """caller.ulaw, what sipp loops into the call: raw 8 kHz G.711 u-law of espeak-ng speech
    padded to `seconds`, or `seconds` of silence (the default: the agent listens, and a
    looped phrase would be answered over and over)."""
    out = workdir / "caller.ulaw"
    if text is None:
        out.write_bytes(b"\xff" * int(8000 * seconds))
        return out
    wav = workdir / "caller.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-w", str(wav), text], check=True)
    subprocess.run(["sox", str(wav), "-r", "8000", "-c", "1", "-t", "ul", str(out),
                    "pad", "0", str(seconds)], check=True)
    return out


def make_tone(path: Path, freq: float, seconds: float = 4.0, volume: float = 0.4) -> Path:
    """Raw 8 kHz u-law of a sine tone (what a test phone loops into its call, so the far
    side can tell whose audio it hears by frequency)."""
    subprocess.run(["sox", "-n", "-r", "8000", "-c", "1", "-e", "u-law", "-t", "raw",
                    str(path), "synth", str(seconds), "sine", str(freq), "vol", str(volume)],
                   check=True)
    return path


def _fragment(name: str, **values: object) -> str:
    return Template((SCENARIOS / name).read_text()).substitute(values)


def pause(ms: int) -> str:
    return f'  <pause milliseconds="{int(ms)}"/>\n'


def dtmf(digits: str, tone_ms: int = 200) -> str:
    """RFC 2833 digits; digit n starts (2n+2)*tone_ms after this step (sipp leaves a gap as
    long as each tone). One DTMF step per call: sipp starts every play_dtmf at the same RTP
    timestamp and livekit-sip drops an event whose timestamp it has already seen, so digits
    that must be seconds apart go in one step with a long tone (at most 2000 ms)."""
    if not re.fullmatch(r"[0-9*#A-D]+", digits):
        raise ValueError(f"not DTMF digits: {digits!r}")
    if not 50 <= tone_ms <= 2000:
        raise ValueError("sipp accepts tone lengths of 50..2000 ms")
    return f'  <nop><action><exec play_dtmf="{digits},{tone_ms}"/></action></nop>\n'


def hang_up() -> str:
    return _fragment("end_bye.xml")


def hung_up_by_peer(timeout_ms: int = 20000) -> str:
    return _fragment("hangup_by_peer.xml", bye_timeout_ms=timeout_ms)


def transferred(sipfrag: str = "200 OK", after: str | None = None,
                refer_timeout_ms: int = 20000) -> str:
    """Accept the REFER and report `sipfrag`; then `after` (default: the peer hangs up)."""
    return _fragment("end_refer.xml", sipfrag=sipfrag, refer_timeout_ms=refer_timeout_ms,
                     after_refer=after if after is not None else hung_up_by_peer())


@dataclass
class Call:
    """One scripted phone call."""
    number: str
    steps: list[str] = field(default_factory=list)
    ending: str = ""
    caller: str = "+15551230000"
    auth: tuple[str, str] | None = None
    refused_with: int | None = None  # expect this final response instead of an answer
    invite_headers: dict[str, str] = field(default_factory=dict)
    # sipp streams caller.ulaw; False: the test speaks itself (rtp_capture.CallerMouth)
    sipp_audio: bool = True

    def scenario(self) -> str:
        if sum(step.count("play_dtmf") for step in self.steps) > 1:
            raise ValueError("one dtmf() step per call (see dtmf)")
        headers = "".join(f"\n      {k}: {v}" for k, v in self.invite_headers.items())
        return Template((SCENARIOS / "uac.xml").read_text()).substitute(
            steps="".join(self.steps), ending=self.ending or hang_up(),
            challenge=(_fragment("refused.xml", status=self.refused_with) if self.refused_with
                       else _fragment("challenge.xml") if self.auth else ""),
            invite_headers=headers,
            media=_fragment("media.xml") if self.sipp_audio else "")


@dataclass
class SippResult:
    returncode: int
    stdout: str
    stderr: str
    error_log: str
    messages: str

    def _received_messages(self) -> list[str]:
        """What the phone received, one SIP message each (sipp logs every message as a
        block headed `UDP message received [...]` or `UDP message sent (...)`)."""
        blocks = re.split(r"^-{20,}[^\n]*\n", self.messages, flags=re.M)
        return [b.split("\n", 1)[1].strip() for b in blocks
                if b.startswith(("UDP message received", "TCP message received")) and "\n" in b]

    def received(self, method: str) -> list[str]:
        """Every SIP request with `method` that the phone received, as text."""
        return [m for m in self._received_messages() if m.startswith(f"{method} ")]

    def final_responses(self) -> list[int]:
        """Status codes (>= 200) of the responses the phone received, in order."""
        return [int(m[8:11]) for m in self._received_messages()
                if re.match(r"SIP/2\.0 [2-6]\d\d ", m)]

    def header(self, method: str, name: str) -> list[str]:
        """The value of header `name` in each received `method` request (without <>)."""
        return [m.group(1).strip().strip("<>") for req in self.received(method)
                for m in [re.search(rf"^\s*{name}:\s*(.+)$", req, re.M | re.I)] if m]


async def place_call(stack: LocalStack, call: Call, workdir: Path, *, ear_port: int,
                     timeout: float = 90, node: int = 0) -> SippResult:
    """Place `call` with sipp to the livekit-sip of the stack's node `node` and wait until
    sipp finishes."""
    workdir = workdir.resolve()  # sipp runs inside it
    workdir.mkdir(parents=True, exist_ok=True)
    if not (workdir / "caller.ulaw").exists():
        make_caller_audio(workdir)
    scenario = workdir / "scenario.xml"
    scenario.write_text(call.scenario())
    host = stack.cfg.host
    argv = [
        sipp_binary(), stack.cfg.nodes[node].sip_address, "-sf", str(scenario), "-s", call.number,
        "-key", "caller", call.caller, "-key", "ear_port", str(ear_port),
        "-i", host, "-p", str(free_port(host, socket.SOCK_DGRAM)),
        "-mi", host, "-mp", str(free_even_port_run(host)),
        "-m", "1", "-l", "1", "-timeout", f"{int(timeout)}s", "-timeout_error", "-nostdin",
        "-trace_err", "-error_file", "errors.log", "-trace_msg", "-message_file", "messages.log",
    ]
    if call.auth:
        argv += ["-au", call.auth[0], "-ap", call.auth[1]]
    proc = await asyncio.create_subprocess_exec(
        *argv, cwd=workdir, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    return await _finish(proc, workdir, timeout)


@dataclass
class Callee:
    """How the phone livekit-sip dials behaves: picks up after `ring_ms` (then `steps` and
    `ending`, by default waiting for the other side's BYE), refuses with `status`, or never
    answers (livekit-sip gives up with CANCEL at its ringing timeout)."""
    outcome: Literal["answer", "reject", "no_answer"] = "answer"
    status: str = "486 Busy Here"
    ring_ms: int = 300
    steps: list[str] = field(default_factory=list)
    ending: str = ""
    audio: bool = True  # loop callee.ulaw into the call (else: silent)
    cancel_timeout_ms: int = 60000

    def scenario(self) -> str:
        on_invite = ""
        if self.outcome == "reject":
            outcome = _fragment("reject.xml", ring_ms=self.ring_ms, status=self.status)
        elif self.outcome == "no_answer":
            outcome = _fragment("no_answer.xml", cancel_timeout_ms=self.cancel_timeout_ms)
            on_invite = _fragment("remember_cseq.xml")
        else:
            ending = self.ending or hung_up_by_peer(120000)
            outcome = _fragment(
                "answer.xml", ring_ms=self.ring_ms, steps="".join(self.steps), ending=ending,
                media=_fragment("callee_media.xml") if self.audio else "",
                on_ack=_fragment("remember_dialog.xml") if "remote_target" in ending else "")
        return Template((SCENARIOS / "uas.xml").read_text()).substitute(outcome=outcome,
                                                                        on_invite=on_invite)


def callee_hangs_up() -> str:
    return _fragment("callee_bye.xml")


@dataclass
class AnsweringPhone:
    """A sipp UAS listening on `port` of `host` for one call; `result` when it is done."""
    host: str
    port: int
    task: asyncio.Task[SippResult]

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    async def result(self, timeout: float = 90) -> SippResult:
        return await asyncio.wait_for(asyncio.shield(self.task), timeout)


async def answer_call(host: str, port: int, callee: Callee, workdir: Path, *, ear_port: int,
                      timeout: float = 120) -> AnsweringPhone:
    """Start sipp answering one call on host:port (returns once it listens)."""
    workdir = workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    if callee.audio and not (workdir / "callee.ulaw").exists():
        make_caller_audio(workdir).rename(workdir / "callee.ulaw")
    (workdir / "scenario.xml").write_text(callee.scenario())
    argv = [sipp_binary(), "-sf", str(workdir / "scenario.xml"), "-key", "ear_port",
            str(ear_port), "-i", host, "-p", str(port), "-mi", host,
            "-mp", str(free_even_port_run(host)), "-m", "1", "-timeout", f"{int(timeout)}s",
            "-timeout_error", "-nostdin", "-trace_err", "-error_file", "errors.log",
            "-trace_msg", "-message_file", "messages.log"]
    proc = await asyncio.create_subprocess_exec(
        *argv, cwd=workdir, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    task = asyncio.create_task(_finish(proc, workdir, timeout))
    deadline = asyncio.get_running_loop().time() + 10
    while not _udp_port_taken(host, port):  # listening: the port is no longer free
        if task.done() or asyncio.get_running_loop().time() > deadline:
            result = await task
            raise AssertionError(f"sipp did not listen on {host}:{port}: {result.stderr}")
        await asyncio.sleep(0.02)
    return AnsweringPhone(host, port, task)


def _udp_port_taken(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.bind((host, port))
        except OSError:
            return True
    return False


async def _finish(proc: asyncio.subprocess.Process, workdir: Path,
                  timeout: float) -> SippResult:
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout=timeout + 15)
    except TimeoutError:
        proc.kill()
        out, err = await proc.communicate()
    except asyncio.CancelledError:
        proc.kill()
        await proc.wait()
        raise

    def read(name: str) -> str:
        path = workdir / name
        return path.read_text(errors="replace") if path.exists() else ""

    return SippResult(proc.returncode if proc.returncode is not None else -1,
                      out.decode(errors="replace"), err.decode(errors="replace"),
                      read("errors.log"), read("messages.log"))

