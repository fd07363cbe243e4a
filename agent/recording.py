"""Recording a call, for departments with `record_calls`: livekit-agents' own recorder
(`voice.recorder_io.RecorderIO`) on the call's audio, into RECORDINGS_DIR.

One Ogg/Opus file, two channels on one timeline: left = the caller (what the agent received),
right = the agent (what it played out, as it played, so an interrupted sentence stops where
the caller stopped hearing it). Two channels rather than a mix, because a supervisor can
still hear both sides together in any player while a script (or a test) can tell who said
what, and a talking-over is not lost in a sum.

Why not `AgentSession.start(record=...)`: it writes into the job's temporary directory (gone
when the job ends), and the same option turns on uploading the audio, transcript and traces to
LiveKit Cloud wherever an observability URL is configured. Here the recorder wraps the
session's audio input and output only when the call is recorded, so calls that are not
recorded carry no extra work on their audio path. It is attached when the first assistant
enters, before its first word (the consent line), and stays for the whole call: in-room
handoffs change the assistant, not the session's audio, so a call handed to a department
that does not record is still recorded to the end (its caller heard the consent line).

It never delays or breaks the call: the encoding runs in the recorder's own thread; a
directory that cannot be written, or a disk with less than RECORDING_MIN_FREE_MB free, is
logged and the call goes on unrecorded (and without the consent line); a disk that fills
during the call ends the file there (livekit logs it) and the call goes on.
"""

from __future__ import annotations

import asyncio
import shutil
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from livekit.agents import AgentSession
from livekit.agents.voice.recorder_io import RecorderIO

from agent.logs import log
from agent.phrases import line
from core import recordings
from core.config import Settings

if TYPE_CHECKING:
    from agent.state import CallState

# telephone audio is 8 kHz and the voices are speech: 16 kHz (Opus wideband) keeps both
# clear at a third of the resampling and encoding work of livekit's 48 kHz default
SAMPLE_RATE = 16000


class RecordingUnavailable(Exception):
    pass


@dataclass(frozen=True)
class RecordingResult:
    file: str  # relative to RECORDINGS_DIR
    bytes: int
    seconds: float

    def fields(self) -> dict[str, Any]:
        return {"recording_file": self.file, "recording_bytes": self.bytes,
                "recording_seconds": round(self.seconds, 2)}


class CallRecording:
    def __init__(self, path: Path, relative: str) -> None:
        self.path, self.relative = path, relative
        self._io: RecorderIO | None = None

    @classmethod
    def prepare(cls, settings: Settings, call_id: str, started: datetime) -> CallRecording:
        """Check that the file can be written (blocking: run it in a thread).
        Raises RecordingUnavailable with the reason."""
        relative = recordings.relative_path(call_id, started)
        path = recordings.root(settings) / relative
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            free_mb = shutil.disk_usage(path.parent).free // 2**20
        except OSError as exc:
            raise RecordingUnavailable(f"{type(exc).__name__}: {exc.strerror or exc}") from exc
        if free_mb < settings.recording_min_free_mb:
            raise RecordingUnavailable(f"disk full: {free_mb} MB free, RECORDING_MIN_FREE_MB "
                                       f"is {settings.recording_min_free_mb}")
        return cls(path, relative)

    @property
    def started(self) -> bool:
        return self._io is not None

    async def start(self, session: AgentSession[Any]) -> bool:
        """Wrap the session's audio input and output and start writing (False: no audio)."""
        if self._io is not None or session.input.audio is None or session.output.audio is None:
            return self._io is not None
        recorder = RecorderIO(agent_session=session, sample_rate=SAMPLE_RATE)
        session.input.audio = recorder.record_input(session.input.audio)
        session.output.audio = recorder.record_output(session.output.audio)
        await recorder.start(output_path=self.path)
        self._io = recorder
        return True

    async def stop(self) -> RecordingResult | None:
        """Finish the file (waits for the encoder); None if nothing was written."""
        if self._io is None:
            return None
        began = self._io.recording_started_at or time.time()
        await self._io.aclose()
        seconds = time.time() - began
        try:
            size = (await asyncio.to_thread(self.path.stat)).st_size
        except OSError:
            size = 0
        if not size:
            log.warning("the recording was not written (see the recorder's error above)")
            return None
        return RecordingResult(self.relative, size, seconds)


async def prepare(state: CallState, settings: Settings) -> CallRecording | None:
    """The call's recording when its department records and the file can be written."""
    if not state.persona.record_calls or state.call_id is None or state.recorder is None:
        return None
    started = state.recorder.started_at
    try:
        return await asyncio.to_thread(CallRecording.prepare, settings, state.call_id, started)
    except RecordingUnavailable as exc:
        log.warning("call not recorded: %s", exc)
        state.record("recording_unavailable", error=str(exc)[:300])
        return None


async def begin(state: CallState, session: AgentSession[Any]) -> str | None:
    """Start the call's recording before the first greeting; returns the consent line to say
    first (None: the call is not recorded)."""
    recording = state.recording
    if recording is None or recording.started:
        return None
    if not await recording.start(session):
        log.warning("call not recorded: the session has no audio")
        state.record("recording_unavailable", error="no audio in this session")
        return None
    consent = line("recording_consent", state.language)
    state.record("recording_started", file=recording.relative, consent=consent)
    return consent
