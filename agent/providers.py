"""Speech and language providers chosen from settings.

- OPENAI_API_KEY set: OpenAI LLM (OPENAI_LLM_MODEL, OPENAI_BASE_URL for compatible servers).
- STT (STT_PROVIDER): OpenAI with a key, else the local speech service (Whisper over the
  OpenAI transcription API at SPEECH_URL); both through livekit's OpenAI STT plugin, with the
  call's language forced (`agent.speech`). `none`: callers type or press keys only.
- TTS: ELEVEN_API_KEY -> ElevenLabs, else OPENAI_API_KEY -> OpenAI, else espeak-ng (TTS_PROVIDER
  forces one; forcing a provider without its key is an error, not a silent fallback).
- No keys at all: the offline mode — the rules engine (`agent.offline.OfflineLLM`), espeak-ng
  and local speech recognition; callers may also type over `lk.chat` or press DTMF keys.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from livekit.agents import llm, stt, tts
from livekit.agents.stt import STT as Recogniser

from agent.language_id import EarlyIdentifier
from agent.offline import EspeakTTS, OfflineLLM
from agent.offline.llm import OfflineKnowledge
from agent.opening import answer_values
from agent.personas import Persona, PersonaDirectory
from agent.speech import RECOGNIZE_OPTIONS, CallListener
from core import clock
from core.config import Settings

LANGUAGE_PRIOR_HEADER = "X-Language-Prior"
LOCAL_MODEL_NAME = "whisper-local"  # the local service picks the model by language


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


def stt_kind(settings: Settings) -> str:
    """local | openai | none (a configured OpenAI key is used, never silently ignored)."""
    wanted = settings.stt_provider
    if wanted == "auto":
        return "openai" if _secret(settings.openai_api_key) else "local"
    if wanted == "openai" and not _secret(settings.openai_api_key):
        raise ProviderConfigError("STT_PROVIDER=openai needs OPENAI_API_KEY")
    return wanted


def describe_mode(settings: Settings) -> str:
    llm_part = (f"llm=openai:{settings.openai_llm_model}"
                + (f"@{settings.openai_base_url}" if settings.openai_base_url else "")
                if _secret(settings.openai_api_key) else "llm=offline-rules")
    stt_part = {"openai": f"stt=openai:{settings.openai_stt_model}",
                "local": f"stt=local@{settings.speech_base_url}",
                "none": "stt=none (text/DTMF)"}[stt_kind(settings)]
    return f"{llm_part} {stt_part} tts={tts_kind(settings)}"


def openai_api_stt(settings: Settings, kind: str, language: str, *,
                   identify: bool) -> stt.STT:
    """livekit's OpenAI STT, for OpenAI itself or for the local speech service."""
    from livekit.plugins import openai

    if kind == "openai":
        base = {"base_url": settings.openai_base_url} if settings.openai_base_url else {}
        return openai.STT(model=settings.openai_stt_model,
                          api_key=_secret(settings.openai_api_key) or "", language=language,
                          detect_language=identify, **base)
    import openai as openai_sdk

    client = openai_sdk.AsyncClient(
        api_key=_secret(settings.speech_api_key) or "local", base_url=settings.speech_base_url,
        max_retries=0, timeout=RECOGNIZE_OPTIONS.timeout,
        default_headers={LANGUAGE_PRIOR_HEADER: language})
    return openai.STT(model=LOCAL_MODEL_NAME, language=language, detect_language=identify,
                      client=client, use_realtime=False)


def offline_knowledge(directory: PersonaDirectory, settings: Settings) -> OfflineKnowledge:
    labels = {slug: {lang: p.department_name(lang) for lang in ("ar", "en")}
              for slug, p in directory.personas.items()}
    return OfflineKnowledge(
        company={"ar": settings.company_name_ar, "en": settings.company_name},
        department_labels=labels, understanding=directory.understanding(),
        placeholders=lambda slug, language: answer_values(directory, slug, language,
                                                          clock.now()))


@dataclass
class Providers:
    settings: Settings
    llm: llm.LLM
    stt_kind: str
    tts_kind: str
    stt: CallListener | None = None  # made by listen() once the call's language is known
    _tts_cache: dict[tuple[str, str], tts.TTS] = field(default_factory=dict)

    @property
    def hears_speech(self) -> bool:
        return self.stt_kind != "none"

    def listen(self, language: str, *, identify: bool,
               on_language: Callable[[str], None] | None = None,
               on_failure: Callable[[str], None] | None = None) -> CallListener | None:
        """The call's recogniser, in `language`; `identify`: the first words may be in
        another language (identified among the served ones)."""
        if not self.hears_speech:
            return None
        inner = openai_api_stt(self.settings, self.stt_kind, language, identify=identify)
        self.stt = CallListener(inner, language=language, identify=identify,
                                provider=self.stt_kind, on_language=on_language,
                                on_failure=on_failure,
                                early=self._early_identification(language, identify))
        return self.stt

    def _early_identification(self, language: str, identify: bool
                              ) -> tuple[Recogniser, EarlyIdentifier] | None:
        """First words identified while spoken: the local speech service only (OpenAI's API
        has no identification of its own)."""
        if not identify or self.stt_kind != "local" \
                or self.settings.speech_identify_after_seconds <= 0:
            return None
        forced = openai_api_stt(self.settings, self.stt_kind, language, identify=False)
        return forced, EarlyIdentifier(self.settings.speech_base_url,
                                       api_key=_secret(self.settings.speech_api_key),
                                       prior_header=LANGUAGE_PRIOR_HEADER)

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
    """Whether calls get speech-to-text (and so need VAD)."""
    return stt_kind(settings) != "none"


def build_providers(settings: Settings, directory: PersonaDirectory) -> Providers:
    """The providers of one call (raises ProviderConfigError on inconsistent settings)."""
    kinds = {"stt_kind": stt_kind(settings), "tts_kind": tts_kind(settings)}
    key = _secret(settings.openai_api_key)
    if key:
        from livekit.plugins import openai

        base = {"base_url": settings.openai_base_url} if settings.openai_base_url else {}
        return Providers(settings=settings,
                         llm=openai.LLM(model=settings.openai_llm_model, api_key=key, **base),
                         **kinds)
    return Providers(settings=settings, llm=OfflineLLM(offline_knowledge(directory, settings)),
                     **kinds)
