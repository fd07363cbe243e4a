"""Imported once in livekit-agents' forkserver (AgentServer `preload_modules`), so every job
process starts with the agent's code imported and its one-time work done.

Without it each call's process imported agent.worker itself (~0.6 s of CPU), fitted the
intent classifier on the routing examples and knowledge (nlu/, cached by content), configured
SQLAlchemy's mappers on its first query, ran espeak-ng for the welcome line, and stalled its
event loop on first use of livekit's transcript hyphenator, numpy's FFT module and pydantic
schema builds while the greeting started. With 25 calls arriving at once on 2 cores that
was most of the answer time (bench/README.md, density). Everything here is fork-safe:
imports, pure-Python objects, a finished subprocess and a database connection closed before
any fork; no threads, no event loop.
"""

from __future__ import annotations

import logging

import livekit.plugins.openai  # noqa: F401  the STT plugin (2.7 s of imports on a call's first use)
import pydantic
from livekit.agents import llm
from livekit.agents.tokenize import _basic_hyphenator

from agent.greeting import first_greeting
from agent.offline.tts import EspeakTTS
from agent.personas import LANGUAGES, PersonaDirectory, load_directory
from agent.phrases import line
from agent.providers import build_providers
from core.config import Settings, get_settings
from core.db import get_engine

log = logging.getLogger("contact_center.agent")


def _complete_models() -> None:
    """Build the schemas of pydantic models that defer it to first use (forward refs)."""
    pending: list[type[pydantic.BaseModel]] = [pydantic.BaseModel]
    seen: set[type] = set()
    while pending:
        for sub in pending.pop().__subclasses__():
            if sub in seen:
                continue
            seen.add(sub)
            pending.append(sub)
            generic = sub.__pydantic_generic_metadata__["parameters"]
            if not getattr(sub, "__pydantic_complete__", True) and not generic:
                try:
                    sub.model_rebuild()
                except Exception:  # refs not resolvable yet: first use tries again
                    continue


def _speak_welcome_lines(settings: Settings, directory: PersonaDirectory) -> int:
    """Synthesize every department's first greeting (phone and browser), welcome line and,
    where calls are recorded, the consent line in each language with the offline voice
    (cached by text: a line edited later is synthesized on its first call, as before)."""
    providers = build_providers(settings, directory)
    spoken = 0
    for slug in directory.slugs:
        persona = directory.resolve(slug)
        for language in LANGUAGES:
            voice = providers.tts_for(persona, language)
            if not isinstance(voice, EspeakTTS):
                continue
            lines = {persona.welcome_for(language)} | {
                first_greeting(persona, directory, settings.dtmf_menu, language, source=source,
                               voice=providers.hears_speech, explain=providers.offline)
                for source in ("sip", "browser")}
            if persona.record_calls:
                lines.add(line("recording_consent", language))
            spoken += sum(voice.remember(line) for line in sorted(lines))
    return spoken


def warm() -> None:
    _basic_hyphenator._get_hyphenator()  # transcript sync's word splitter, built on first use
    import numpy.fft  # noqa: F401  imported lazily by livekit's speaking-rate estimator

    _complete_models()
    ctx = llm.ChatContext.empty()
    ctx.add_message(role="system", content="warm")
    ctx.copy().to_dict()
    settings = get_settings()
    try:  # the ORM, the SQL dialect and the directory query's compiled form
        directory = load_directory(settings)
        directory.understanding()  # scikit-learn imported, the classifier of today's data fitted
        _speak_welcome_lines(settings, directory)
    except Exception as exc:  # no database or espeak-ng yet: calls do it as they go
        log.warning("preload incomplete: %s", type(exc).__name__)
    finally:
        get_engine().dispose()  # no process may inherit a connection


warm()
