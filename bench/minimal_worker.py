"""The floor LiveKit itself gives: a livekit-agents worker that only answers and greets.

Same livekit-agents version, same TTS (espeak-ng, the greeting synthesized once in the
forkserver, as the product's is: bench/minimal_preload.py), same room options as a phone call of the
product, and the same log lines the answer-latency bench reads ("call started", agent state
"speaking"); no database, no personas, no speech recognition, no call records, no
supervision. bench.answer_latency runs it in the same run as the product's worker: the ratio
of the two is the product's own cost, on a machine whose absolute numbers are noisy.
`python -m bench.minimal_worker` (AGENT_NAME, LIVEKIT_* from the environment)."""

from __future__ import annotations

import logging
import sys
import time

from livekit.agents import (
    Agent,
    AgentServer,
    AgentSession,
    AgentStateChangedEvent,
    AutoSubscribe,
    JobContext,
    room_io,
)

from agent.offline.tts import EspeakTTS
from core.config import get_settings

log = logging.getLogger("contact_center.bench")
# the length of reception's Arabic welcome line
GREETING = "أهلاً وسهلاً بكم في أورنينا. أنا أحمد، كيف يمكنني مساعدتك اليوم؟"


async def entrypoint(ctx: JobContext) -> None:
    await ctx.connect(auto_subscribe=AutoSubscribe.SUBSCRIBE_NONE)
    caller = await ctx.wait_for_participant()
    room = ctx.room.name
    log.info("call started (minimal worker)", extra={"room": room})
    session = AgentSession(tts=EspeakTTS(), turn_handling={"turn_detection": "manual"})

    @session.on("agent_state_changed")
    def _state(ev: AgentStateChangedEvent) -> None:
        log.info("bench agent state", extra={"bench": "state", "room": room,
                                             "old": ev.old_state, "new": ev.new_state,
                                             "ts": time.time()})

    await session.start(Agent(instructions=""), room=ctx.room, room_options=room_io.RoomOptions(
        participant_identity=caller.identity, audio_input=False, text_input=False,
        text_output=room_io.TextOutputOptions(sync_transcription=False)), record=False)
    session.say(GREETING)


def main() -> None:
    from livekit.agents import cli as lk_cli

    s = get_settings()
    server = AgentServer(ws_url=s.livekit_url, api_key=s.livekit_api_key,
                         api_secret=s.livekit_api_secret.get_secret_value(),
                         port=s.agent_http_port, load_threshold=float("inf"),
                         preload_modules=["bench.minimal_preload"])
    server.rtc_session(entrypoint, agent_name=s.agent_name)
    print(f"minimal worker {s.agent_name!r} -> {s.livekit_url}", flush=True)
    sys.argv = ["bench-minimal-worker", "start", "--log-level", s.log_level.upper()]
    lk_cli.run_app(server)


if __name__ == "__main__":
    main()
