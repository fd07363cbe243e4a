"""The speech service: Whisper behind the OpenAI transcription API.

`POST /v1/audio/transcriptions` (multipart `file`, `model`, `language`, `response_format`)
answers like OpenAI's endpoint, so livekit's OpenAI STT plugin talks to it with a `base_url`:
one copy of each model per machine serves every call of every worker there (a GPU box later,
with no change to the agent). The language selects the model (SPEECH_MODELS); `model` is
accepted and ignored. Without `language` the language is identified among the served ones;
the `X-Language-Prior` header names the call's current language, kept unless another is at
least SPEECH_SWITCH_CONFIDENCE likely. `POST /v1/audio/language` (ours, not OpenAI's) tells,
from the beginning of a caller's words, the language to transcribe them in, when sure.

Transcriptions run off the event loop, SPEECH_CONCURRENCY at a time; at most
SPEECH_QUEUE_LIMIT more wait, beyond that the answer is 503 at once, so a burst of talking
callers queues briefly instead of starving every call.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

import anyio
import numpy as np
from fastapi import FastAPI, File, Form, Header, Request, UploadFile
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

from core.config import Settings, get_settings
from speech.audio import decode
from speech.recognizer import SAMPLE_RATE, Recognizer, Transcript, UnsupportedLanguage

log = logging.getLogger("contact_center.speech")

MAX_UPLOAD_BYTES = 16 * 1024 * 1024  # ~3 min of 48 kHz 16-bit mono WAV
TRANSCRIPTIONS = Counter("speech_transcriptions_total", "Transcriptions by language, model "
                         "and outcome", ["language", "model", "outcome"])
AUDIO_SECONDS = Counter("speech_audio_seconds_total", "Seconds of audio transcribed",
                        ["language"])
COMPUTE = Histogram("speech_transcription_seconds", "Compute time per transcription",
                    ["language"], buckets=(0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5))
WAIT = Histogram("speech_queue_wait_seconds", "Time a request waited for a transcription slot",
                 buckets=(0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5))
QUEUED = Gauge("speech_requests_waiting", "Requests waiting for a transcription slot")


class SpeechError(Exception):
    def __init__(self, status: int, message: str, param: str | None = None,
                 kind: str = "invalid_request_error") -> None:
        super().__init__(message)
        self.status, self.message, self.param, self.kind = status, message, param, kind


class Slots:
    """At most `concurrency` transcriptions at once, at most `queue_limit` waiting."""

    def __init__(self, concurrency: int, queue_limit: int) -> None:
        self._semaphore = asyncio.Semaphore(max(1, concurrency))
        self._queue_limit = max(0, queue_limit)
        self.waiting = 0

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[float]:
        if self._semaphore.locked() and self.waiting >= self._queue_limit:
            raise SpeechError(503, "speech service busy; try again", kind="server_busy")
        self.waiting += 1
        QUEUED.set(self.waiting)
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            await self._semaphore.acquire()
        finally:
            self.waiting -= 1
            QUEUED.set(self.waiting)
        try:
            waited = loop.time() - started
            WAIT.observe(waited)
            yield waited
        finally:
            self._semaphore.release()


def _decode(data: bytes) -> np.ndarray:
    try:
        return decode(data, SAMPLE_RATE)
    except Exception as exc:  # PyAV raises many kinds for a file it cannot read
        raise SpeechError(400, f"cannot decode the audio file: {type(exc).__name__}",
                          "file") from exc


def _body(result: Transcript, response_format: str) -> Response:
    if response_format == "text":
        return PlainTextResponse(result.text)
    body: dict[str, Any] = {"text": result.text, "languages": [{"code": result.language}],
                            "usage": {"type": "duration",
                                      "seconds": round(result.audio_seconds, 3)}}
    if response_format == "verbose_json":
        body.update(task="transcribe", language=result.language,
                    duration=round(result.audio_seconds, 3), model=result.model,
                    language_probabilities=dict(result.detected))
    return JSONResponse(body)


def exit_when_orphaned(interval: float = 1.0) -> None:
    """Exit when the process that started us is gone (a worker killed with -9 must not leave
    its speech service running)."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval)
        log.warning("the worker that started the speech service is gone; exiting")
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def create_app(settings: Settings | None = None, recognizer: Recognizer | None = None
               ) -> FastAPI:
    settings = settings or get_settings()
    state: dict[str, Any] = {"recognizer": recognizer}
    slots = Slots(settings.speech_concurrency, settings.speech_queue_limit)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if state["recognizer"] is None:
            from speech.recognizer import load_recognizer

            state["recognizer"] = await anyio.to_thread.run_sync(lambda: load_recognizer(
                settings.speech_models, threads=settings.speech_threads,
                window_seconds=settings.speech_window_seconds,
                switch_confidence=settings.speech_switch_confidence))
            log.info("speech models loaded: %s", settings.speech_models)
        yield

    app = FastAPI(title="contact-center speech", version="1", lifespan=lifespan,
                  docs_url=None, redoc_url=None)

    @app.exception_handler(SpeechError)
    async def _speech_error(_: Request, exc: SpeechError) -> JSONResponse:
        return JSONResponse({"error": {"message": exc.message, "type": exc.kind,
                                       "param": exc.param, "code": None}},
                            status_code=exc.status)

    def _ready(authorization: str | None) -> Recognizer:
        _authorize(authorization)
        recognizer: Recognizer | None = state["recognizer"]
        if recognizer is None:
            raise SpeechError(503, "speech models are still loading", kind="server_busy")
        return recognizer

    def _authorize(authorization: str | None) -> None:
        key = settings.speech_api_key
        if key is not None and key.get_secret_value() and \
                authorization != f"Bearer {key.get_secret_value()}":
            raise SpeechError(401, "invalid or missing API key", kind="authentication_error")

    @app.get("/health")
    async def health() -> JSONResponse:
        ready = state["recognizer"] is not None
        return JSONResponse({"status": "ok" if ready else "loading",
                             "languages": settings.speech_models},
                            status_code=200 if ready else 503)

    @app.get("/v1/models")
    async def models(authorization: Annotated[str | None, Header()] = None) -> dict[str, Any]:
        _authorize(authorization)
        return {"object": "list", "data": [
            {"id": spec, "object": "model", "owned_by": "local", "language": language}
            for language, spec in settings.speech_models.items()]}

    @app.get("/metrics")
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    @app.post("/v1/audio/transcriptions")
    async def transcriptions(
        file: Annotated[UploadFile, File()],
        model: Annotated[str, Form()] = "auto",
        language: Annotated[str | None, Form()] = None,
        response_format: Annotated[str, Form()] = "json",
        authorization: Annotated[str | None, Header()] = None,
        x_language_prior: Annotated[str | None, Header()] = None,
    ) -> Response:
        recognizer = _ready(authorization)
        if response_format not in ("json", "text", "verbose_json"):
            raise SpeechError(400, "response_format must be json, text or verbose_json",
                              "response_format")
        language = _code(language)
        if language is not None and language not in recognizer.models:
            raise SpeechError(400, f"language {language!r} is not served; one of "
                                   f"{', '.join(recognizer.languages)}", "language")
        audio = await _audio(file)
        prior = _code(x_language_prior)
        async with slots.slot() as waited:
            try:
                result = await anyio.to_thread.run_sync(
                    recognizer.transcribe, audio, language, prior)
            except UnsupportedLanguage as exc:
                raise SpeechError(400, str(exc), "language") from exc
        TRANSCRIPTIONS.labels(result.language, result.model, "ok").inc()
        AUDIO_SECONDS.labels(result.language).inc(result.audio_seconds)
        COMPUTE.labels(result.language).observe(result.seconds)
        identified = ", identified " + " ".join(
            f"{lang}={p:.2f}" for lang, p in result.detected.items()) if result.detected else ""
        log.info("transcribed %.2f s of %s audio in %.0f ms (waited %.0f ms, %s%s, "
                 "logprob %.2f)", result.audio_seconds, result.language, result.seconds * 1000,
                 waited * 1000, result.model, identified, result.avg_logprob)
        return _body(result, response_format)

    @app.post("/v1/audio/language")
    async def language(
        file: Annotated[UploadFile, File()],
        authorization: Annotated[str | None, Header()] = None,
        x_language_prior: Annotated[str | None, Header()] = None,
    ) -> dict[str, Any]:
        """Not in OpenAI's API: the language the words that begin with `file` can be
        transcribed in without identifying them again (`Recognizer.sure_language`), or null;
        the prior (`X-Language-Prior`, the call's current language) is required."""
        recognizer = _ready(authorization)
        prior = _code(x_language_prior)
        if prior not in recognizer.models:
            raise SpeechError(400, "X-Language-Prior must name a served language: one of "
                                   f"{', '.join(recognizer.languages)}", "X-Language-Prior")
        audio = await _audio(file)
        async with slots.slot() as waited:
            started = time.perf_counter()
            sure, probabilities = await anyio.to_thread.run_sync(
                recognizer.sure_language, audio, prior, settings.speech_early_switch_confidence)
        seconds = time.perf_counter() - started
        log.info("identified %.2f s of audio in %.0f ms (waited %.0f ms, prior %s): %s (%s)",
                 len(audio) / SAMPLE_RATE, seconds * 1000, waited * 1000, prior,
                 sure or "unsure", " ".join(f"{lang}={p:.2f}"
                                            for lang, p in probabilities.items()))
        return {"language": sure, "language_probabilities": probabilities,
                "duration": round(len(audio) / SAMPLE_RATE, 3)}

    return app


def _code(language: str | None) -> str | None:
    """A language code as the service keys its models (`en-US` -> `en`), or None."""
    return (language or "").strip().lower()[:2] or None


async def _audio(file: UploadFile) -> np.ndarray:
    data = await file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise SpeechError(413, "audio file too large", "file")
    return await anyio.to_thread.run_sync(_decode, data)
