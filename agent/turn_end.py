"""When the caller's words are complete, so that their turn ends without waiting out the whole
silence (agent/early_recognition.py): the call's understanding has a confident meaning for
them (a department, an answer, a person, small talk) and they do not trail off
(nlu/turn_end.py). Words it is unsure of keep VAD_MIN_SILENCE_SECONDS for the caller to go
on, as every turn had before."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from nlu.turn_end import trails_off
from nlu.understand import Clarify

if TYPE_CHECKING:
    from agent.state import CallState


def words_complete(state: CallState) -> Callable[[str], bool]:
    """A predicate on what the caller of `state` said, at the call's current department."""

    def complete(text: str) -> bool:
        if trails_off(text):
            return False
        offered = [slug for slug in state.directory.slugs if slug != state.department]
        meaning = state.directory.understanding().interpret(
            text, current=state.department, offered=offered)
        return not isinstance(meaning, Clarify)

    return complete
