"""Speech and language providers chosen from settings.

- OPENAI_API_KEY set: OpenAI LLM (OPENAI_LLM_MODEL, OPENAI_BASE_URL for compatible servers) and
  OpenAI STT.
- TTS: ELEVEN_API_KEY -> ElevenLabs, else OPENAI_API_KEY -> OpenAI, else espeak-ng (TTS_PROVIDER
  forces one; forcing a provider without its key is an error, not a silent fallback).
- No keys at all: the offline mode — the rules engine (`agent.offline.OfflineLLM`) and espeak-ng,
  with no STT (callers type over `lk.chat` or press DTMF keys).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from livekit.agents import llm, stt, tts

from agent.offline import EspeakTTS, OfflineLLM
from agent.offline.llm import OfflineKnowledge
from agent.personas import Persona, PersonaDirectory
from core.config import Settings


class ProviderConfigError(RuntimeError):
    pass


def _secret(value: Any) -> str | None:
    return value.get_secret_value() if value is not None and value.get_secret_value() else None


def tts_kind(settings: Settings) -> str:
    """Which TTS this configuration uses (never espeak when a provider key is set in auto)."""
    wanted = settings.tts_provider
    if wanted == "auto":
        if _secret(settings.eleven_api_key):
            return "elevenlabs"
        if _secret(settings.openai_api_key):
            return "openai"
        return "espeak"
    if wanted == "elevenlabs" and not _secret(settings.eleven_api_key):
        raise ProviderConfigError("TTS_PROVIDER=elevenlabs needs ELEVEN_API_KEY")
    if wanted == "openai" and not _secret(settings.openai_api_key):
        raise ProviderConfigError("TTS_PROVIDER=openai needs OPENAI_API_KEY")
    return wanted


def describe_mode(settings: Settings) -> str:
    llm_part = (f"llm=openai:{settings.openai_llm_model}"
                + (f"@{settings.openai_base_url}" if settings.openai_base_url else "")
                + f" stt=openai:{settings.openai_stt_model}"
                if _secret(settings.openai_api_key) else "llm=offline-rules stt=none (text/DTMF)")
    return f"{llm_part} tts={tts_kind(settings)}"


def offline_knowledge(directory: PersonaDirectory, settings: Settings) -> OfflineKnowledge:
    labels = {slug: {lang: p.department_name(lang) for lang in ("ar", "en")}
              for slug, p in directory.personas.items()}
    return OfflineKnowledge(company={"ar": settings.company_name_ar, "en": settings.company_name},
                            department_labels=labels, understanding=directory.understanding())


@dataclass
class Providers:
    settings: Settings
    llm: llm.LLM
    stt: stt.STT | None
    tts_kind: str
    _tts_cache: dict[tuple[str, str], tts.TTS] = field(default_factory=dict)

    @property
    def offline(self) -> bool:
        return isinstance(self.llm, OfflineLLM)

    def tts_for(self, persona: Persona, language: str) -> tts.TTS:
        """The TTS voice of one persona in one language (cached per call)."""
        key = (persona.slug, language)
        if key not in self._tts_cache:
            self._tts_cache[key] = self._make_tts(persona, language)
        return self._tts_cache[key]

    def _make_tts(self, persona: Persona, language: str) -> tts.TTS:
        s = self.settings
        if self.tts_kind == "elevenlabs":
            from livekit.plugins import elevenlabs

            voice = persona.voice("elevenlabs", language)
            return elevenlabs.TTS(api_key=_secret(s.eleven_api_key) or "",
                                  model=s.elevenlabs_model, language=language,
                                  **({"voice_id": voice} if voice else {}))
        if self.tts_kind == "openai":
            from livekit.plugins import openai

            voice = persona.voice("openai", language) or "alloy"
            return openai.TTS(api_key=_secret(s.openai_api_key) or "", model=s.openai_tts_model,
                              voice=voice,
                              **({"base_url": s.openai_base_url} if s.openai_base_url else {}))
        return EspeakTTS(voices=dict(persona.voices.get("espeak", {})))


def hears_speech(settings: Settings) -> bool:
    """Whether calls get speech-to-text (and so need VAD): only with an OpenAI key."""
    return bool(_secret(settings.openai_api_key))


def build_providers(settings: Settings, directory: PersonaDirectory) -> Providers:
    """The providers of one call (raises ProviderConfigError on inconsistent settings)."""
    kind = tts_kind(settings)
    key = _secret(settings.openai_api_key)
    if hears_speech(settings):
        from livekit.plugins import openai

        base = {"base_url": settings.openai_base_url} if settings.openai_base_url else {}
        return Providers(settings=settings,
                         llm=openai.LLM(model=settings.openai_llm_model, api_key=key, **base),
                         stt=openai.STT(model=settings.openai_stt_model, api_key=key,
                                        detect_language=True, **base),
                         tts_kind=kind)
    return Providers(settings=settings, llm=OfflineLLM(offline_knowledge(directory, settings)),
                     stt=None, tts_kind=kind)
