"""Offline providers: a deterministic dialogue engine (llm.LLM) and espeak-ng speech (tts.TTS).

This is a real, documented mode of the product, used when no provider API keys are set (and in
all tests): callers talk by text (`lk.chat`) or DTMF and hear espeak-ng speech.
"""

from agent.offline.llm import OfflineLLM
from agent.offline.tts import EspeakTTS

__all__ = ["EspeakTTS", "OfflineLLM"]
