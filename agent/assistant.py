"""The one assistant class: an `Agent` parameterized by a department's persona."""

from __future__ import annotations

from livekit.agents import Agent, get_job_context, llm

from agent import recording
from agent.greeting import first_greeting
from agent.human import check_hours
from agent.logs import bind, log
from agent.opening import status_line
from agent.personas import Persona
from agent.phrases import line
from agent.state import CallState
from agent.tools import tools_for
from agent.voice import FollowingVoice
from core import clock


class PersonaAgent(Agent):
    def __init__(self, persona: Persona, state: CallState, *,
                 chat_ctx: llm.ChatContext | None = None, greet: bool = True,
                 greeting: str | None = None) -> None:
        self.persona = persona
        self.language = state.language
        self.greet = greet
        self.greeting = greeting  # replaces the welcome line (e.g. after a SIP handoff)
        super().__init__(
            id=f"{persona.slug}_assistant",
            instructions=persona.instructions_for(state.language),
            chat_ctx=chat_ctx,
            tools=tools_for(persona.slug, state),
            tts=FollowingVoice(lambda: state.providers.tts_for(persona, state.language)),
        )

    def welcome_text(self, state: CallState) -> str:
        if self.greeting:
            return self.greeting
        if state.greeted:  # later personas of the call: their welcome line only
            return self.persona.welcome_for(self.language)
        providers = state.providers
        welcome = first_greeting(self.persona, state.directory, providers.settings.dtmf_menu,
                                 self.language, source=state.source,
                                 voice=providers.hears_speech, explain=providers.offline)
        now = clock.now()
        status = check_hours(state, now)
        if status.open:
            return welcome
        # the department's people are not there: said at once, with what the caller can do
        notice = line("closed_notice", self.language,
                      status=status_line(self.persona, now, self.language, status))
        return f"{welcome} {notice}"

    async def on_enter(self) -> None:
        state: CallState = self.session.userdata
        bind(department=self.persona.slug)
        text = self.welcome_text(state) if self.greet else line("confirm_language",
                                                                  self.language)
        # a recorded call: the recorder starts and the consent line is said before anything
        consent = None if state.greeted else await recording.begin(state, self.session)
        state.greeted = True
        log.info("%s (%s) on the line", self.persona.name("en"), self.persona.slug)
        if consent:
            self.session.say(consent, allow_interruptions=False)
        state.record("greeting" if self.greet else "language_confirmed",
                     department=self.persona.slug, language=self.language, text=text)
        self.session.say(text)
        # a round trip to livekit-server: while the greeting is synthesised, not before it
        await self._announce_persona()

    async def on_user_turn_completed(self, turn_ctx: llm.ChatContext,
                                     new_message: llm.ChatMessage) -> None:
        """The caller's first words may have changed the call's language (agent/speech.py):
        this persona answers them in that language, with that language's prompt and voice."""
        state: CallState = self.session.userdata
        if state.language != self.language:
            self.language = state.language
            await self.update_instructions(self.persona.instructions_for(self.language))
            await self._announce_persona()

    async def _announce_persona(self) -> None:
        """Publish who is speaking as participant attributes (the /call page shows them)."""
        try:
            room = get_job_context().room
        except RuntimeError:  # no room: the behaviour-test harness
            return
        await room.local_participant.set_attributes({
            "cc.department": self.persona.slug,
            "cc.persona_name": self.persona.name(self.language),
            "cc.language": self.language,
        })
