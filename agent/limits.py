"""Limits that keep the pool of agents for callers who use it: a caller who stays silent is
asked whether they are still there and, as long again later, told goodbye; no call lasts
longer than its source's maximum (MAX_CALL_SECONDS_SIP / _BROWSER). Both end the call the
way the assistant does (the room is deleted) with their own end reason.

Silence is livekit's "away" user state (no speech for IDLE_PROMPT_SECONDS while the agent is
listening: AgentSession's user_away_timeout); typing or a key press counts as being there.
"""

from __future__ import annotations

import asyncio

from livekit.agents import AgentSession, ConversationItemAddedEvent, UserStateChangedEvent

from agent.logs import log
from agent.phrases import line
from agent.state import CallState
from agent.tools import hang_up
from core.config import Settings


def max_call_seconds(settings: Settings, source: str) -> int:
    return settings.max_call_seconds_sip if source == "sip" else \
        settings.max_call_seconds_browser


class CallLimits:
    def __init__(self, session: AgentSession[CallState], state: CallState,
                 settings: Settings) -> None:
        self.session = session
        self.state = state
        self.settings = settings
        self.prompted = False
        self._goodbye: asyncio.TimerHandle | None = None
        self._ending = False

    def attach(self) -> None:
        loop = asyncio.get_running_loop()
        loop.call_later(max_call_seconds(self.settings, self.state.source),
                        self._end_soon, "time_limit", "goodbye_time_limit")
        self.session.on("user_state_changed", self._on_user_state)
        self.session.on("conversation_item_added", self._on_item)

    def _on_user_state(self, ev: UserStateChangedEvent) -> None:
        if ev.new_state == "away" and not self.prompted:
            self.prompted = True
            self.state.record("idle_prompt", after_seconds=self.settings.idle_prompt_seconds)
            handle = self.session.say(line("still_there", self.state.language))
            handle.add_done_callback(lambda _: self._arm_goodbye())
        elif ev.new_state == "speaking":
            self._caller_is_there()

    def _on_item(self, ev: ConversationItemAddedEvent) -> None:
        if ev.item.type == "message" and ev.item.role == "user":
            self._caller_is_there()  # typed text (the browser) or a transcript

    def _caller_is_there(self) -> None:
        self.prompted = False
        if self._goodbye is not None:
            self._goodbye.cancel()
            self._goodbye = None

    def _arm_goodbye(self) -> None:
        if self.prompted and self._goodbye is None:
            self._goodbye = asyncio.get_running_loop().call_later(
                self.settings.idle_prompt_seconds, self._end_soon, "idle", "goodbye_idle")

    def _end_soon(self, reason: str, phrase: str) -> None:
        if not self._ending:
            self._ending = True
            asyncio.get_running_loop().create_task(self._end(reason, phrase))

    async def _end(self, reason: str, phrase: str) -> None:
        state = self.state
        log.info("ending the call: %s", reason)
        state.end_reason = state.end_reason or reason
        state.record("limit_reached", limit=reason)
        self.session.interrupt()
        company = state.persona.company_name(state.language)
        await self.session.say(line(phrase, state.language, company=company),
                               allow_interruptions=False)
        hang_up(self.session)
