"""Voice turns on the phone: the caller stops speaking -> the caller hears the agent.

Each call dials reception (which greets in Arabic) with sipp; the bench is the phone's
mouth and ear (tests/live/rtp_capture: RTP from the advertised port, as phones send it).
After the greeting the caller says, in English, espeak-ng sentences the offline engine
answers with a line of its own (knowledge questions, a request for help), waiting for each
answer to end, and finally "Goodbye", after which the agent hangs up. The first turn of a
call is the one where the language is identified (Arabic number, English caller).

A turn is measured from the last voiced RTP packet the caller sent to the first loud RTP
packet it got back, and split with the worker's log (bench.worker: livekit-agents' STT,
LLM, TTS metrics and agent state; the job's "utterance recognised" line) into: uplink + VAD
end of speech (the caller's last sound -> the VAD's end of speech), speech recognition after
the end of speech (-> the transcript is there; recognition may have started earlier,
agent/early_recognition.py), endpointing + LLM (transcript -> first TTS frame, minus TTS),
TTS first frame, downlink (first frame pushed -> first loud RTP at the caller).

`--levels 1,4` runs that many calls at once per level: turn and answer latency per level,
CPU seconds per call-minute of each process, worker and speech-service memory.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.harness import Bench, cpu_seconds, pss_mb, tree, worker_events
from bench.phone import MONO_TO_EPOCH, CallTiming, attach_server_logs, caller_number, sip_trace
from bench.tables import SUMMARY_HEADERS, markdown_table, summary, summary_row
from tests.live.rtp_capture import CallerEar, CallerMouth, open_ear
from tests.live.sipp_runner import Call, hung_up_by_peer, place_call
from tests.support.speech import phone_ulaw

SENTENCES = ["What are your opening hours?", "Where is your office?",
             "How much does the premium plan cost?", "I would like some help please."]
GOODBYE = "Goodbye."
ANSWER_TIMEOUT = 20.0


@dataclass
class VoiceTurn:
    caller: str
    index: int
    said_at: float  # epoch: last voiced RTP packet sent
    heard_at: float | None = None  # epoch: first loud RTP packet back
    ended_at: float | None = None  # the VAD declared the end of speech
    sent_at: float | None = None  # the utterance went to speech recognition (maybe earlier)
    ready_at: float | None = None  # its transcript was there
    early: bool = False
    complete: bool = False  # ended on complete words, before the VAD's end of speech
    identified_early: str | None = None  # its language, identified while it was spoken
    speaking_at: float | None = None
    tts_ttfb: float = 0.0
    llm_ttft: float = 0.0

    @property
    def total(self) -> float | None:
        return None if self.heard_at is None else self.heard_at - self.said_at

    def parts(self) -> dict[str, float | None]:
        def span(a: float | None, b: float | None) -> float | None:
            return None if a is None or b is None else b - a

        llm = span(self.ready_at, self.speaking_at)
        return {
            "uplink + VAD end of speech": span(self.said_at, self.ended_at),
            "speech recognition, after the end of speech": span(self.ended_at, self.ready_at),
            "(recognition started before the end of speech)": span(self.sent_at, self.ended_at),
            "endpointing + LLM": None if llm is None else llm - self.tts_ttfb,
            "TTS first frame": self.tts_ttfb if self.speaking_at else None,
            "downlink (first frame -> caller)": span(self.speaking_at, self.heard_at),
        }


@dataclass
class VoiceCall:
    timing: CallTiming
    turns: list[VoiceTurn] = field(default_factory=list)
    seconds: float = 0.0


async def _talk(ear: CallerEar, mouth: CallerMouth, clips: list[bytes], caller: str,
                turns: list[VoiceTurn]) -> None:
    await ear.wait_until_quiet(heard=1.0, quiet=1.2, timeout=60)
    for i, clip in enumerate(clips):
        said = await mouth.say(clip)
        turn = VoiceTurn(caller, i, said + MONO_TO_EPOCH)
        turns.append(turn)
        deadline = time.monotonic() + ANSWER_TIMEOUT
        while (heard := ear.first_loud_after(said)) is None and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        turn.heard_at = None if heard is None else heard + MONO_TO_EPOCH
        if i < len(clips) - 1:
            await ear.wait_until_quiet(heard=0.0, quiet=1.2, timeout=60)


async def one_call(bench: Bench, number: str, caller: str, clips: list[bytes],
                   workdir: Path) -> VoiceCall:
    assert bench.stack is not None
    transport, ear, port = await open_ear(bench.stack.cfg.host)
    mouth = CallerMouth(ear)
    call = VoiceCall(CallTiming(caller))
    started = time.monotonic()
    sipp = asyncio.create_task(place_call(
        bench.stack, Call(number, caller=caller, sipp_audio=False,
                          ending=hung_up_by_peer(90_000)),
        workdir, ear_port=port, timeout=240))
    mouth.start()
    try:
        await _talk(ear, mouth, clips, caller, call.turns)
        result = await sipp
    except BaseException:
        sipp.cancel()
        raise
    finally:
        await mouth.stop()
        transport.close()
    call.seconds = time.monotonic() - started
    call.timing.ok = result.returncode == 0
    if ear.first_loud_at is not None:
        call.timing.first_loud_at = ear.first_loud_at + MONO_TO_EPOCH
    invite = next((at for at, way, first in sip_trace(result.messages)
                   if way == "sent" and first.startswith("INVITE")), None)
    call.timing.invite_at = invite
    return call


def attach_turns(calls: list[VoiceCall], worker_log: Path) -> None:
    """Each turn's utterance timing, LLM and TTS metrics and the agent's speaking state, from
    the worker's log."""
    by_room: dict[str, list[dict]] = {}
    for ev in worker_events(worker_log):
        if ev.get("room"):
            by_room.setdefault(ev["room"], []).append(ev)
    for call in calls:
        events = sorted(by_room.get(call.timing.room or "", []), key=lambda e: e["at"])
        for turn in call.turns:
            after = [e for e in events if turn.said_at - 0.5 <= e["at"] <= turn.said_at + 15]
            heard = next((e["utterance"] for e in after if isinstance(e.get("utterance"), dict)),
                         None)
            if heard is None:
                continue
            turn.ended_at, turn.sent_at = heard["detected_at"], heard["sent_at"]
            turn.ready_at, turn.early = heard["ready_at"], bool(heard["early"])
            turn.complete = bool(heard.get("complete"))
            turn.identified_early = heard.get("identified_early")
            later = [e for e in after if e["at"] >= turn.ready_at]
            speaking = next((e for e in later if e.get("bench") == "state"
                             and e.get("new") == "speaking"), None)
            turn.speaking_at = speaking["at"] if speaking else None
            for ev in later:
                if ev.get("metric_type") == "tts_metrics" and not turn.tts_ttfb:
                    turn.tts_ttfb = max(0.0, float(ev.get("ttfb") or 0.0))
                if ev.get("metric_type") == "llm_metrics" and not turn.llm_ttft:
                    turn.llm_ttft = max(0.0, float(ev.get("ttft") or 0.0))


def _processes(bench: Bench) -> dict[str, list[int]]:
    assert bench.stack is not None and bench.worker is not None and bench.speech is not None
    by_name = {p.name: p.pid for p in bench.stack.processes}
    out = {"agent worker (all job processes)": tree(bench.worker.pid or 0),
           "speech service": tree(bench.speech.pid or 0)}
    for name in ("livekit-server", "livekit-sip"):
        if by_name.get(name):
            out[name] = tree(by_name[name] or 0)
    return out


async def run_level(bench: Bench, level: int, calls_per_level: int, clips: list[bytes],
                    run: int) -> tuple[list[VoiceCall], dict[str, float], dict[str, float]]:
    """`calls_per_level` calls in waves of `level` at once; CPU per process, peak memory."""
    procs = _processes(bench)
    cpu_before = {name: cpu_seconds(tree(pids[0])) for name, pids in procs.items()}
    peak: dict[str, float] = {"worker PSS": 0.0, "speech PSS": 0.0}
    done: list[VoiceCall] = []
    number = bench.numbers["reception"]

    async def sample() -> None:
        while True:
            p = _processes(bench)
            peak["worker PSS"] = max(peak["worker PSS"],
                                     pss_mb(p["agent worker (all job processes)"]))
            peak["speech PSS"] = max(peak["speech PSS"], pss_mb(p["speech service"]))
            await asyncio.sleep(2.0)

    sampler = asyncio.create_task(sample())
    try:
        for wave in range(0, calls_per_level, level):
            size = min(level, calls_per_level - wave)
            done += await asyncio.gather(*(
                one_call(bench, number, caller_number(wave + i, run), clips,
                         bench.dir / f"voice-{run}-{wave + i:03d}")
                for i in range(size)))
    finally:
        sampler.cancel()
    cpu = {name: cpu_seconds(tree(pids[0])) - cpu_before[name] for name, pids in procs.items()}
    return done, cpu, peak


async def measure(levels: list[int], calls: int, sentences: list[str]) -> str:
    with Bench("voice") as bench:
        url = bench.start_speech()
        bench.restart_worker(SPEECH_URL=url, SPEECH_AUTOSTART="false")
        clips = [phone_ulaw(text, bench.dir / "speech") for text in [*sentences, GOODBYE]]
        out = []
        for run, level in enumerate(levels, start=1):
            voice_calls, cpu, peak = await run_level(bench, level, max(calls, level), clips,
                                                     run)
            assert bench.worker is not None
            attach_server_logs([c.timing for c in voice_calls], bench.worker.log_path,
                               bench.sip_log)
            attach_turns(voice_calls, bench.worker.log_path)
            out.append(report(level, voice_calls, cpu, peak))
        return "\n\n".join(out)


def report(level: int, calls: list[VoiceCall], cpu: dict[str, float],
           peak: dict[str, float]) -> str:
    turns = [t for c in calls for t in c.turns[:-1]]  # the goodbye's answer hangs up
    first = [t for t in turns if t.index == 0]
    later = [t for t in turns if t.index > 0]
    rows = [summary_row("turn: caller stops -> hears the agent (all)", [t.total for t in turns]),
            summary_row("... first words (language identified)", [t.total for t in first]),
            summary_row("... later turns (language known)", [t.total for t in later])]
    for name in VoiceTurn("", 0, 0).parts():
        rows.append(summary_row(f"  {name}", [t.parts()[name] for t in turns]))
    rows.append(summary_row("answer: INVITE -> first greeting audio",
                            [c.timing.answer_latency for c in calls]))
    minutes = sum(c.seconds for c in calls) / 60
    unanswered = sum(1 for t in turns if t.heard_at is None)
    early = sum(1 for t in turns if t.early)
    complete = sum(1 for t in turns if t.complete)
    identified = sum(1 for t in turns if t.identified_early)
    table = markdown_table(SUMMARY_HEADERS, rows)
    cpu_rows = [[name, f"{seconds:.1f}", f"{seconds / minutes:.2f}" if minutes else "-"]
                for name, seconds in cpu.items()]
    cpu_table = markdown_table(["process", "CPU s", "CPU s per call-minute"], cpu_rows)
    ok = sum(1 for c in calls if c.timing.ok)
    return (f"### Voice turns, {level} call(s) at once ({len(calls)} calls, {ok} completed, "
            f"{len(turns)} turns, {unanswered} unanswered, {early} recognised early, "
            f"{complete} ended on complete words, {identified} identified while spoken; "
            f"{minutes:.1f} call-minutes)\n\n"
            f"{table}\n\n{cpu_table}\n\npeak memory: agent worker {peak['worker PSS']:.0f} MB "
            f"PSS, speech service {peak['speech PSS']:.0f} MB PSS; turn p95 "
            f"{_p95(turns):.2f} s")


def _p95(turns: list[VoiceTurn]) -> float:
    return summary([t.total for t in turns])["p95"] or float("nan")  # type: ignore[return-value]


def run(levels: list[int] | None = None, calls: int = 5, opening: str | None = None) -> str:
    """`opening`: the callers' first words instead of SENTENCES[0] (a caller who explains
    why they call speaks longer first words than a short question)."""
    sentences = [opening, *SENTENCES[1:]] if opening else SENTENCES
    return asyncio.run(measure(levels or [1], calls, sentences))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--levels", default="1", help="calls at once, per level (e.g. 1,4,8)")
    p.add_argument("--calls", type=int, default=5, help="calls per level (>= the level)")
    p.add_argument("--opening", default=None,
                   help=f"the callers' first words (default {SENTENCES[0]!r})")
    args = p.parse_args()
    print(run([int(x) for x in args.levels.split(",") if x], args.calls, args.opening))


if __name__ == "__main__":
    main()
