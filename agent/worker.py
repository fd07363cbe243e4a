"""The LiveKit Agents worker: one AgentSession per call, persona chosen from the dispatch.

Department resolution: job metadata JSON {"department", "number", "language", "source",
"customer_id", "customer_name"} -> the SIP participant's `sip.trunkPhoneNumber` looked up in
the PhoneNumber table -> "reception". Turn handling is set explicitly (VAD, or manual in the
offline mode) so nothing ever calls a LiveKit Cloud gateway, in `dev` mode too.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import math
import os
from typing import Any

from livekit import rtc
from livekit.agents import (
    AgentServer,
    AgentSession,
    AutoSubscribe,
    CloseEvent,
    ConversationItemAddedEvent,
    JobContext,
    JobExecutorType,
    JobProcess,
    llm,
    room_io,
)

from agent import callback_call, dtmf, handoff_refs, logs, recording, refer
from agent.assistant import PersonaAgent
from agent.capacity import admission
from agent.early_recognition import EarlyRecognition, early_recognition
from agent.heartbeat import Heartbeat
from agent.limits import CallLimits
from agent.logs import bind, log
from agent.metrics import CallMetrics
from agent.personas import LANGUAGES, department_for_number, load_directory
from agent.phrases import line
from agent.providers import build_providers, describe_mode, hears_speech
from agent.records import CallRecorder
from agent.sip_handoff import acknowledged_welcome, carried_context
from agent.speech import CallListener, switch_language
from agent.state import CallState
from agent.turn_end import words_complete
from core.config import Settings, get_settings
from core.pii import mask_number, redact_numbers
from sip.handoff import HANDOFF_ATTRIBUTE

LOOP_BLOCK_ENV = "LIVEKIT_AGENTS_LOOP_BLOCK_WARN_MS"
SETTLE_SECONDS = 30.0  # how long an agent that joined with us may take to stay or leave
ANSWERING = "cc.answering"  # attribute of an agent that stays in its room
_settling: set[asyncio.Task[None]] = set()
# no STT: turns arrive as text (lk.chat) or DTMF, audio from the caller is not analysed
TURN_HANDLING_TEXT: dict[str, Any] = {"turn_detection": "manual",
                                      "interruption": {"mode": "vad"}}


def voice_turn_handling(settings: Settings) -> dict[str, Any]:
    """VAD end-of-turn and VAD interruptions (barge-in): no model gateway, no adaptive (cloud)
    detector. The endpointing delay runs from the end of speech, alongside recognition."""
    return {"turn_detection": "vad", "interruption": {"mode": "vad"},
            "endpointing": {"min_delay": settings.endpointing_min_delay_seconds}}


def turn_silence_seconds(settings: Settings) -> float:
    """The silence after which the session's VAD says the caller stopped: the endpointing
    delay, the least silence a turn whose words are complete ends after (agent/turn_end.py);
    the utterances themselves are cut by the recogniser's VAD, at VAD_MIN_SILENCE_SECONDS."""
    return max(0.1, min(settings.endpointing_min_delay_seconds,
                        settings.vad_min_silence_seconds))


def prewarm(proc: JobProcess) -> None:
    """Once per job process, before it is given a call: load Silero VAD (its model ships in
    the wheel) when calls get speech-to-text (the offline mode takes text and DTMF only), and
    open the database connection, so the call's first query does not pay for it."""
    logs.install()
    settings = get_settings()
    if hears_speech(settings):
        from livekit.plugins import silero

        proc.userdata["vad"] = silero.VAD.load(
            min_silence_duration=settings.vad_min_silence_seconds)
        proc.userdata["turn_vad"] = silero.VAD.load(
            min_silence_duration=turn_silence_seconds(settings))
    try:
        load_directory(settings)
    except Exception as exc:  # the call reads the directory again and reports a real failure
        log.warning("could not warm the database connection: %s", type(exc).__name__)


def parse_metadata(raw: str | None) -> dict[str, Any]:
    try:
        data = json.loads(raw or "{}")
    except ValueError:
        log.warning("job metadata is not JSON: %r", redact_numbers((raw or "")[:200]))
        return {}
    return data if isinstance(data, dict) else {}


def _caller_info(participant: rtc.RemoteParticipant) -> dict[str, Any]:
    attrs = participant.attributes
    is_sip = participant.kind == rtc.ParticipantKind.PARTICIPANT_KIND_SIP
    return {
        "source": "sip" if is_sip else "browser",
        "sip_identity": participant.identity if is_sip else None,
        "caller": attrs.get("sip.phoneNumber") if is_sip else participant.identity,
        "called_number": attrs.get("sip.trunkPhoneNumber") if is_sip else None,
    }


async def resolve_department(meta: dict[str, Any], called_number: str | None,
                             known: list[str]) -> str:
    slug = meta.get("department")
    if slug in known:
        return str(slug)
    if slug:
        log.warning("unknown department %r in job metadata", slug)
    number = meta.get("number") or called_number
    if number:
        by_number = await asyncio.to_thread(department_for_number, str(number))
        if by_number in known:
            return str(by_number)
    return "reception"


async def entrypoint(ctx: JobContext) -> None:
    settings = get_settings()
    logs.install()
    logs.new_call()
    meta = parse_metadata(ctx.job.metadata)
    bind(room=ctx.room.name, job_id=ctx.job.id)
    directory = await asyncio.to_thread(load_directory, settings)
    # the classifier of this data: already fitted in the forkserver (agent/preload.py) unless
    # examples or knowledge changed since the worker started; fitting is CPU work off the loop
    await asyncio.to_thread(directory.understanding)
    providers = build_providers(settings, directory)

    voice = providers.hears_speech
    # the department is known from the dispatch (else from the called number, below): a
    # recorded call needs the caller's audio even when nothing listens to it
    records = bool((known := directory.get(meta.get("department"))) and known.record_calls)
    # without speech-to-text nothing listens to the caller: do not receive (decode) the audio
    await ctx.connect(auto_subscribe=AutoSubscribe.SUBSCRIBE_ALL if voice or records
                      else AutoSubscribe.SUBSCRIBE_NONE)
    if await _another_agent_answers(ctx):
        return
    participant = await ctx.wait_for_participant()
    info = _caller_info(participant)
    callback = None
    if meta.get("source") == "callback":  # we called: speak once the person answers
        callback = await callback_call.wait_for_answer(
            ctx.room, participant, meta.get("callback_id"), settings.callback_ring_seconds + 30)
        if callback is None:
            return  # unanswered or unknown: no call to record (the scheduler records it)
        info["caller"] = callback.number
    if meta.get("source") in ("sip", "browser") and info["source"] != "sip":
        info["source"] = meta["source"]
    department = await resolve_department(meta, info["called_number"], directory.slugs)
    persona = directory.resolve(department)
    if persona.record_calls and not (voice or records):
        _subscribe_audio(ctx.room, participant)
    # picked on the page or the callback's; else a guess
    chosen = meta.get("language") in LANGUAGES
    language = meta["language"] if chosen else persona.default_language

    recorder = CallRecorder()
    state = CallState(room_name=ctx.room.name, department=persona.slug, language=language,
                      directory=directory, providers=providers, recorder=recorder,
                      customer_id=meta.get("customer_id"), customer_name=meta.get("customer_name"),
                      visited=[persona.slug], **info)
    if not state.called_number and meta.get("number"):
        state.called_number = str(meta["number"])
    recorder.open(room_name=state.room_name, source=state.source,
                  department=state.department, language=language, caller=state.caller,
                  called_number=state.called_number, customer_id=state.customer_id,
                  customer_name=state.customer_name)
    bind(call_id=recorder.call_id, department=state.department)
    metrics = state.metrics = CallMetrics(state, None if meta.get("previous_call_id")
                                          else _arrived_at(ctx.job.room))
    _record_redispatch(meta, state)
    if meta.get("unassigned"):  # a trusted trunk's catch-all: the number has no department
        state.record("unassigned_number")
    state.recording = await recording.prepare(state, settings)
    carried, greeting = callback_call.begin(state, callback) if callback else \
        await _claim_handoff(participant, state)
    if greeting is None and meta.get("previous_call_id"):
        greeting = f"{line('resumed', state.language)} {persona.welcome_for(state.language)}"
    log.info("call started: %s caller=%s dept=%s lang=%s providers: %s", state.source,
             mask_number(state.caller), state.department, state.language,
             describe_mode(settings))
    listener = _listen(state, identify=not chosen and carried is None)
    vad_model = ctx.proc.userdata.get("vad") if voice else None
    recogniser = early_recognition(listener, vad_model, settings.speech_early_seconds,
                                   complete=words_complete(state),
                                   identify_after=settings.speech_identify_after_seconds)
    # with early recognition the recogniser cuts utterances (VAD_MIN_SILENCE_SECONDS) and
    # ends complete ones sooner, so the session's VAD must let a turn end that soon
    turn_vad = ctx.proc.userdata.get("turn_vad", vad_model) \
        if isinstance(recogniser, EarlyRecognition) else vad_model

    session = AgentSession[CallState](
        llm=providers.llm,
        stt=recogniser,
        vad=turn_vad,
        turn_handling=voice_turn_handling(settings) if voice else TURN_HANDLING_TEXT,  # type: ignore[arg-type]
        # livekit ignores the first 3 s of a caller talking over the agent, for echo that a
        # browser's AEC has not learnt yet; a phone line has no such echo path here, and a
        # caller who answers the greeting at once must be heard (barge-in)
        **({"aec_warmup_duration": None} if state.source == "sip" else {}),
        user_away_timeout=settings.idle_prompt_seconds,
        userdata=state,
    )
    state.session = session
    _record_session_events(session, state, ctx)
    metrics.attach(session)
    CallLimits(session, state, settings).attach()
    dtmf.attach(ctx.room, session, state, settings.dtmf_menu)

    await session.start(
        PersonaAgent(persona, state, chat_ctx=carried, greeting=greeting), room=ctx.room,
        room_options=room_io.RoomOptions(participant_identity=participant.identity,
                                         audio_input=voice or state.recording is not None,
                                         text_input=True,
                                         text_output=_transcript_options(state.source)),
        record=False,
    )


def _arrived_at(room: Any) -> float | None:
    """When the caller arrived: the room's creation (livekit-sip or the browser made it), in
    seconds since the epoch; None when the job does not say."""
    millis = room.creation_time_ms or room.creation_time * 1000
    return millis / 1000 if millis else None


def _listen(state: CallState, *, identify: bool) -> CallListener | None:
    """The call's recogniser, in the call's language; `identify`: the language was only
    guessed (a phone call), so the caller's first words may switch it."""
    failed: list[str] = []

    def on_failure(error: str) -> None:
        if not failed:  # once per call: the service is down or overloaded
            failed.append(error)
            state.record("stt_unavailable", provider=state.providers.stt_kind, error=error)

    listener = state.providers.listen(
        state.language, identify=identify,
        on_language=lambda heard: switch_language(state, heard, via="speech"),
        on_failure=on_failure)
    if listener is not None:
        state.record("listening", provider=listener.provider, language=state.language,
                     identify=identify)
    return listener


def _record_redispatch(meta: dict[str, Any], state: CallState) -> None:
    """A call the API dispatched again (app/supervision): the caller waited, or their agent
    died mid-call; link this record to the one the supervisor closed."""
    if not meta.get("redispatch"):
        return
    state.record("answered_after_wait", waited_seconds=meta.get("waited_seconds"),
                 dispatches=meta.get("redispatch"))
    previous = meta.get("previous_call_id")
    if previous and state.recorder is not None:
        state.record("resumed", previous_call_id=previous)
        state.recorder.update(parent_call_id=str(previous)[:32])


async def _another_agent_answers(ctx: JobContext) -> bool:
    """A room gets one agent. The API dispatches again when no agent joined in time
    (app/supervision); should the first one arrive after all, the newcomer leaves at once if
    it finds an agent there. An agent that stays says so (attribute ANSWERING); two that both
    stayed (each joined before seeing the other) settle it by identity: the greater leaves.
    An agent never leaves because another merely joined: that one may be a newcomer about to
    leave, however long a loaded machine takes to show it gone."""
    me = ctx.room.local_participant.identity

    def is_agent(p: rtc.RemoteParticipant) -> bool:
        return p.kind == rtc.ParticipantKind.PARTICIPANT_KIND_AGENT

    if any(is_agent(p) for p in ctx.room.remote_participants.values()):
        log.warning("another agent already answers this room; leaving")
        ctx.shutdown(reason="another agent answers this room")
        return True
    await ctx.room.local_participant.set_attributes({ANSWERING: "1"})

    async def settle(other: rtc.RemoteParticipant) -> None:
        for _ in range(int(SETTLE_SECONDS / 0.2)):
            if other.identity not in ctx.room.remote_participants:
                return  # it left: it saw us
            if other.attributes.get(ANSWERING) == "1":  # it stays too: joined together
                if other.identity < me:
                    log.warning("another agent joined this room with this one; leaving")
                    ctx.shutdown(reason="another agent answers this room")
                return
            await asyncio.sleep(0.2)

    @ctx.room.on("participant_connected")
    def _on_join(p: rtc.RemoteParticipant) -> None:
        if is_agent(p):
            task = asyncio.create_task(settle(p), name="one-agent-per-room")
            _settling.add(task)
            task.add_done_callback(_settling.discard)

    return False


def _transcript_options(source: str) -> room_io.TextOutputOptions:
    """Browser callers read the transcript word by word in step with the voice; a phone
    has no screen, so its transcript is sent as soon as it exists and the per-frame
    speaking-rate analysis (an FFT of every audio frame the agent speaks) is skipped."""
    return room_io.TextOutputOptions(sync_transcription=source != "sip")


async def _claim_handoff(participant: rtc.RemoteParticipant, state: CallState
                         ) -> tuple[llm.ChatContext | None, str | None]:
    """A call handed over by SIP transfer: claim its reference, link the records, and return
    the carried conversation and the acknowledging greeting (None, None otherwise)."""
    reference = participant.attributes.get(HANDOFF_ATTRIBUTE)
    if not reference or state.call_id is None:
        return None, None
    handed = await asyncio.to_thread(handoff_refs.consume, reference, state.call_id)
    if handed is None:  # unknown, expired or already used: an ordinary call
        log.warning("ignoring an unknown, expired or used handoff reference")
        state.record("handoff_reference_ignored")
        return None, None
    state.record("handoff_received", **{"from": handed.from_department,
                                        "from_call_id": handed.from_call_id,
                                        "reason": handed.reason})
    if state.recorder is not None:
        state.recorder.update(parent_call_id=handed.from_call_id, language=handed.language)
    state.language = handed.language
    greeting = acknowledged_welcome(state.persona, state.directory.get(handed.from_department),
                                    handed, state.language)
    return carried_context(handed.turns), greeting


def _record_session_events(session: AgentSession[CallState], state: CallState,
                           ctx: JobContext) -> None:
    @session.on("conversation_item_added")
    def _on_item(ev: ConversationItemAddedEvent) -> None:
        item = ev.item
        if item.type == "message" and item.role in ("user", "assistant") and item.text_content:
            state.record("transcript", role=item.role, text=item.text_content,
                         department=state.department, interrupted=item.interrupted)
            state.recent.append({"role": item.role, "text": item.text_content})

    closing: list[asyncio.Task[None]] = []

    @session.on("close")
    def _on_close(ev: CloseEvent) -> None:
        if ev.error:
            state.record("error", error=str(ev.error)[:500])
        closing.append(asyncio.create_task(
            _close("error" if ev.error else "caller_hangup", last=False)))

    async def _close(otherwise: str, last: bool) -> None:
        await refer.settled(state)  # the caller may leave before the transfer's answer
        reason = state.end_reason or otherwise
        if state.metrics is not None:  # counted once: when the session closed, or now
            state.metrics.end(reason)
        if last or not state.bridged:  # caller and colleague talk on: closed at the end
            await _finish(state, reason)

    async def _flush_records(_reason: str = "") -> None:
        for task in closing:
            await task
        if not closing or state.bridged:
            await _close("caller_hangup", last=True)

    ctx.add_shutdown_callback(_flush_records)


async def _finish(state: CallState, reason: str) -> None:
    """The recording's file completed, then the record closed with it and the summary."""
    result = await state.recording.stop() if state.recording is not None else None
    if state.recorder is not None:
        await state.recorder.close(reason, recording=result)


def _subscribe_audio(room: rtc.Room, caller: rtc.RemoteParticipant) -> None:
    """Receive the caller's audio, published already or later (the call is recorded, though
    nothing listens to it)."""
    def subscribe(publication: rtc.RemoteTrackPublication,
                  participant: rtc.RemoteParticipant) -> None:
        if participant.identity == caller.identity and \
                publication.kind == rtc.TrackKind.KIND_AUDIO:
            publication.set_subscribed(True)

    room.on("track_published", subscribe)
    for publication in caller.track_publications.values():
        subscribe(publication, caller)


def build_server(settings: Settings | None = None) -> AgentServer:
    settings = settings or get_settings()
    # read by every job process livekit-agents starts (they inherit the environment)
    os.environ[LOOP_BLOCK_ENV] = str(settings.agent_loop_block_warn_ms)
    # executor and warm pool are measured in bench/README.md (density)
    pool: dict[str, Any] = {} if settings.agent_idle_processes is None else {
        "num_idle_processes": settings.agent_idle_processes}
    if settings.agent_job_executor == "thread":
        # plugins register on import, which livekit allows only on the main thread
        import livekit.plugins.elevenlabs
        import livekit.plugins.openai
        import livekit.plugins.silero  # noqa: F401
    server = AgentServer(
        setup_fnc=prewarm,
        ws_url=settings.livekit_url,
        api_key=settings.livekit_api_key,
        api_secret=settings.livekit_api_secret.get_secret_value(),
        port=settings.agent_http_port,
        # reported load (for the server's choice between workers); admission below
        load_fnc=lambda srv: len(srv.active_jobs) / max(1, settings.agent_max_calls),
        load_threshold=math.inf,
        job_executor_type=JobExecutorType(settings.agent_job_executor),
        preload_modules=["agent.preload"],
        drain_timeout=settings.agent_drain_timeout_seconds,
        # /metrics of the worker and its job processes (agent/metrics.py); the multiprocess
        # directory is PROMETHEUS_MULTIPROC_DIR (agent/cli.py sets it before anything imports
        # prometheus-client)
        prometheus_port=settings.agent_metrics_port or None,
        **pool,
    )
    admit = admission(server, settings.agent_max_calls, settings.browser_calls_share)
    server.rtc_session(entrypoint, agent_name=settings.agent_name, on_request=admit)
    heartbeat = Heartbeat(server, admit, settings)
    heartbeat.attach()
    atexit.register(heartbeat.remove)  # the main process only: job processes never build one
    return server
