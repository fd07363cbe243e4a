"""What recording costs per call: livekit-agents' RecorderIO as the agent uses it
(agent/recording.py: 16 kHz, two channels, Ogg/Opus, its own encoder thread), fed the audio
of N simultaneous calls, each of `--seconds` of call: the caller at 24 kHz (RoomIO's input
rate) and the agent at 22 050 Hz (espeak-ng), in 20 ms frames, speech-like (a voiced tone
with pauses) on both sides.

Time is simulated: frames carry the timestamps a live call would give them and are pushed as
fast as the encoder takes them (2.5 s at a time, as RecorderIO flushes), so a minute of call
costs only its CPU. Reported per call: CPU (all threads of the process, over the whole run)
per second of call audio, as a share of one core; memory (the process's peak RSS above its
baseline, divided by N: frames in flight, the two channels' timelines and one Opus encoder);
file size per minute.

    python -m bench.recording --calls 1,10 --seconds 60
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import tempfile
import time
import types
from pathlib import Path

import numpy as np
from livekit import rtc
from livekit.agents.voice.recorder_io import recorder_io
from livekit.agents.voice.recorder_io.recorder_io import RecorderIO, _Captured, _Flush

from agent.recording import SAMPLE_RATE
from bench.tables import markdown_table

FRAME = 0.02
CHUNK = recorder_io.WRITE_INTERVAL


class Clock:
    """The recorder's wall clock, moved by the benchmark instead of by time."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def time(self) -> float:
        return self.now


def _speech(rate: int, seconds: float, pitch: float) -> np.ndarray:
    """A voiced tone, on for 1.2 s and off for 0.6 s: int16 mono."""
    t = np.arange(int(rate * seconds)) / rate
    voiced = (t % 1.8) < 1.2
    wave = 0.3 * np.sin(2 * np.pi * pitch * t) * (1 + 0.5 * np.sin(2 * np.pi * 3 * t))
    return (wave * voiced * 32767).astype(np.int16)


def _frames(pcm: np.ndarray, rate: int) -> list[rtc.AudioFrame]:
    size = int(rate * FRAME)
    return [rtc.AudioFrame(data=pcm[i:i + size].tobytes(), sample_rate=rate, num_channels=1,
                           samples_per_channel=size)
            for i in range(0, len(pcm) - size + 1, size)]


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def _record(calls: int, seconds: float, directory: Path) -> dict[str, float]:
    clock = Clock()
    recorder_io.time = types.SimpleNamespace(time=clock.time)  # type: ignore[attr-defined]
    caller = _frames(_speech(24000, CHUNK, 180), 24000)
    agent = _frames(_speech(22050, CHUNK, 120), 22050)
    recorders = []
    for i in range(calls):
        io = RecorderIO(agent_session=None, sample_rate=SAMPLE_RATE)  # type: ignore[arg-type]
        io._in_record = io._out_record = object()  # type: ignore[assignment]  # fed directly
        await io.start(output_path=directory / f"call-{i}.ogg")
        recorders.append(io)
    baseline, peak = _rss_mb(), 0.0
    cpu = time.process_time()
    for _ in range(int(seconds / CHUNK)):
        for io in recorders:
            for n, (heard, said) in enumerate(zip(caller, agent, strict=True)):
                at = clock.now + n * FRAME
                io._put(_Captured(channel=0, started_at=at, frame=heard))
                io._put(_Captured(channel=1, started_at=at, frame=said))
        clock.now += CHUNK
        for io in recorders:
            io._put(_Flush(until=clock.now))
        while any(io._q.qsize() for io in recorders):  # the encoders caught up
            await asyncio.sleep(0.001)
        peak = max(peak, _rss_mb())
    for io in recorders:
        io._write_atask.cancel()  # type: ignore[union-attr]  # its flushes use real time
        await io.aclose()
    cpu = time.process_time() - cpu
    size = sum((directory / f"call-{i}.ogg").stat().st_size for i in range(calls))
    audio = calls * seconds
    return {"cpu_share": cpu / audio * 100, "memory_mb": (peak - baseline) / calls,
            "kb_per_minute": size / 1024 / audio * 60}


def run(calls: list[int], seconds: float) -> str:
    rows = []
    for n in calls:
        with tempfile.TemporaryDirectory() as directory:
            result = asyncio.run(_record(n, seconds, Path(directory)))
        rows.append([n, seconds, result["cpu_share"], result["memory_mb"],
                     result["kb_per_minute"]])
    table = markdown_table(["calls recorded at once", "s of call each",
                            "CPU per call, % of one core", "memory per call, MB",
                            "file, KB per minute"], rows, digits=1)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return f"{table}\n\n(process peak RSS {peak:.0f} MB, pid {os.getpid()})"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--calls", default="1,10", help="simultaneous recorded calls per level")
    p.add_argument("--seconds", type=float, default=60.0, help="length of each call")
    args = p.parse_args()
    print(run([int(x) for x in args.calls.split(",") if x], args.seconds))


if __name__ == "__main__":
    main()
