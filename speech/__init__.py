"""Local speech recognition: Whisper (faster-whisper / CTranslate2, int8 on CPU) served over the
OpenAI transcription API, so every call on a machine shares one copy of each model and the
agent reaches it through livekit's own OpenAI STT plugin (`base_url`)."""
