"""The first thing a caller hears: the persona's welcome line and, in the offline mode, how
they may reach us (speak, press a key on the phone, type in the browser).

A model-driven assistant (OpenAI) says what its prompt asks; the offline engine cannot explain
itself, so its first greeting says it. The text depends only on data (the department, the
DTMF menu, the call's source), so the worker synthesizes each variant once (agent/preload.py).
"""

from __future__ import annotations

from collections.abc import Mapping

from agent.personas import Persona, PersonaDirectory
from agent.phrases import line, listing


def menu_text(directory: PersonaDirectory, menu: Mapping[str, str], language: str) -> str:
    """'press 1 for Reception, 2 for Sales, or 0 for a colleague' from the DTMF menu."""
    items = []
    for digit, action in sorted(menu.items(), key=lambda item: (item[1] == "human", item[0])):
        if action == "human":
            items.append(line("menu_human", language, digit=digit))
        elif (persona := directory.get(action)) is not None:
            items.append(line("menu_item", language, digit=digit,
                                target=persona.department_name(language)))
    return line("press", language, items=listing(items, language)) if items else ""


def how_to_reach_us(directory: PersonaDirectory, menu: Mapping[str, str], language: str, *,
                    source: str, voice: bool) -> str:
    if source != "sip":
        return line("speak_or_type" if voice else "type_only", language)
    keys = menu_text(directory, menu, language)
    if not keys:
        return ""
    return line("speak_or_press" if voice else "press_only", language, menu=keys)


def first_greeting(persona: Persona, directory: PersonaDirectory, menu: Mapping[str, str],
                   language: str, *, source: str, voice: bool, explain: bool) -> str:
    """The welcome line, followed (when `explain`: the offline engine) by how to reach us."""
    welcome = persona.welcome_for(language)
    if not explain:
        return welcome
    hint = how_to_reach_us(directory, menu, language, source=source, voice=voice)
    return f"{welcome} {hint}".strip()
