"""The AI agent worker: one LiveKit AgentSession per call, a persona per department.

Modules:
- `worker`     AgentServer + entrypoint: department/language resolution, session wiring.
- `cli`        `contact-center agent start|dev` (livekit's CLI runner underneath).
- `personas`   Persona (frozen, from a Department row) and the per-call PersonaDirectory.
- `assistant`  PersonaAgent: the one Agent class, greets with the exact welcome line.
- `tools`      transfer_to_department (handoff with history), transfer_to_human (SIP REFER),
               set_language, end_call.
- `dtmf`       SIP key presses -> handoff / human transfer (DTMF_MENU).
- `records`    CallRecord / CallEvent writer (off the event loop, in order).
- `providers`  OpenAI / ElevenLabs from settings, or the offline mode.
- `offline`    rules-based dialogue engine (llm.LLM) and espeak-ng speech (tts.TTS).

Offline mode: with no OPENAI_API_KEY the dialogue engine answers (Arabic and English intent
phrases -> the same tool calls a model would make) and, with no TTS key, espeak-ng speaks.
There is no STT then: callers type over `lk.chat` (the test page) or press DTMF keys.
"""
