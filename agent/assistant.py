"""The one assistant class: an `Agent` parameterized by a department's persona."""

from __future__ import annotations

from livekit.agents import Agent, get_job_context, llm

from agent.logs import bind, log
from agent.personas import Persona
from agent.state import CallState
from agent.tools import tools_for

CONFIRM_LANGUAGE = {
    "ar": "بكل سرور، سنكمل بالعربية. كيف يمكنني مساعدتك؟",
    "en": "Of course, let's continue in English. How can I help you?",
}


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
            tts=state.providers.tts_for(persona, state.language),
        )

    @property
    def welcome(self) -> str:
        return self.greeting or self.persona.welcome_for(self.language)

    async def on_enter(self) -> None:
        state: CallState = self.session.userdata
        bind(department=self.persona.slug)
        text = self.welcome if self.greet else CONFIRM_LANGUAGE.get(self.language,
                                                                    CONFIRM_LANGUAGE["en"])
        log.info("%s (%s) on the line", self.persona.name("en"), self.persona.slug)
        await self._announce_persona()
        state.record("greeting" if self.greet else "language_confirmed",
                     department=self.persona.slug, language=self.language, text=text)
        self.session.say(text)

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
