"""Whisper transcription of one utterance, with a language forced or identified.

Whisper's encoder is trained on 30 s windows, and faster-whisper pads every utterance to 30 s:
most of a short utterance's CPU time went into encoding silence (tiny.en: 0.5 s of 0.65 s for
a 2.5 s phrase on 2 cores). CTranslate2 also encodes shorter windows, so an utterance is
encoded in a window of `window_seconds` (10 s by default; longer utterances use their own
length, up to 30 s per chunk): 3-4x faster with the same words on our clips
(bench/README.md, voice). faster-whisper still supplies the model, the mel features and the
tokenizer; the greedy decode with a bounded length is CTranslate2's own `generate`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import ctranslate2
import numpy as np
from faster_whisper.tokenizer import Tokenizer

from speech.models import LoadedModel

SAMPLE_RATE = 16000
FRAMES_PER_SECOND = 100  # mel frames (hop 160 at 16 kHz)
MAX_FRAMES = 3000  # Whisper's 30 s window
# Identification window: 20 s. A 10 s window identified our offline clips as well in half the
# time, but through the phone stack English scores lower in it (0.49-0.52 against 0.55-0.56,
# the switch confidence is 0.4), and with it a quiet CI run misheard an English caller's first
# words in Arabic (bench/README.md, speech recognition).
IDENTIFY_SECONDS = 20.0
# bounded decoding: at most this many tokens per second of audio (plus a few), so a model
# that loops on noise stops early instead of filling 448 tokens
TOKENS_PER_SECOND = 10
# Whisper's own rule for "this was not speech": high no-speech probability and an unsure text
NO_SPEECH_PROB = 0.6
LOW_LOGPROB = -1.0
# Second opinion on first words kept in the call's language: when another language had at
# least SECOND_OPINION_PROB and the kept decode averaged below UNSURE_LOGPROB, the words are
# decoded in the other language too, which wins when its average is above UNSURE_LOGPROB and
# CLEARER_BY above the kept one's. Measured over clean, clipped, noisy, lossy and quiet lines
# in bench/README.md (speech recognition): at -0.6 a lossy Arabic clip decoded as a looping
# English phrase at -0.58 and switched.
SECOND_OPINION_PROB = 0.1
UNSURE_LOGPROB = -0.5
CLEARER_BY = 0.2
# Identification of a caller's first words while they go on speaking (`sure_language`): it
# may leave the call's language only for another this likely. On our clips, Arabic callers on
# an Arabic number (bench.speech_accuracy --early, bench/README.md): after 1.5 s of words at
# 0.6, as many misheard as by identifying the whole words (2 of 60), and 48 of 48 English
# callers known early; after 1 s at 0.6, 3-5 of 60 Arabic callers were switched to English.
EARLY_SWITCH_CONFIDENCE = 0.6


class UnsupportedLanguage(ValueError):
    pass


@dataclass(frozen=True)
class Transcript:
    text: str
    language: str
    model: str
    audio_seconds: float
    seconds: float  # compute time
    detected: Mapping[str, float] = field(default_factory=dict)  # LID probabilities, if run
    avg_logprob: float = 0.0
    no_speech_prob: float = 0.0


class Recognizer:
    """One Whisper model per language; the first multilingual one also identifies languages.

    Not thread-safe by design: callers run one transcription at a time per Recognizer (the
    service bounds concurrency)."""

    def __init__(self, models: Mapping[str, LoadedModel], *, window_seconds: float = 10.0,
                 switch_confidence: float = 0.4,
                 identify_seconds: float = IDENTIFY_SECONDS) -> None:
        if not models:
            raise ValueError("no speech models configured")
        self.models = dict(models)
        self.window_frames = _frames(window_seconds)
        self.identify_frames = _frames(identify_seconds)
        self.switch_confidence = switch_confidence
        self.identifier = next((m for m in self.models.values() if m.multilingual), None)

    @property
    def languages(self) -> list[str]:
        return list(self.models)

    def transcribe(self, audio: np.ndarray, language: str | None = None,
                   prior: str | None = None) -> Transcript:
        """Text of `audio` (16 kHz mono float32). `language` forces the language and so the
        model; without it the language is identified among the served ones, keeping `prior`
        (the call's current language) unless another is at least `switch_confidence` likely,
        or its words decode clearly surer in the other language (`_second_opinion`)."""
        started = time.perf_counter()
        detected: dict[str, float] = {}
        if language is None:
            language, detected = self.identify(audio, prior)
        heard = self._transcribe_in(language, audio)
        if detected and language == prior:
            heard = self._second_opinion(heard, audio, detected)
        return replace(heard, seconds=time.perf_counter() - started, detected=detected)

    def _second_opinion(self, heard: Transcript, audio: np.ndarray,
                        detected: Mapping[str, float]) -> Transcript:
        """Words identification kept in the call's language, decoded unsure, while another
        language was somewhat likely: decoded in that one too, which wins if clearly surer
        (a short or clipped English phrase on an Arabic number: bench/README.md)."""
        other = max((lang for lang in detected if lang != heard.language),
                    key=lambda lang: detected[lang], default=None)
        if other is None or detected[other] < SECOND_OPINION_PROB \
                or heard.avg_logprob >= UNSURE_LOGPROB:
            return heard
        alternative = self._transcribe_in(other, audio)
        if alternative.text and alternative.avg_logprob > max(
                UNSURE_LOGPROB, heard.avg_logprob + CLEARER_BY):
            return alternative
        return heard

    def _transcribe_in(self, language: str, audio: np.ndarray) -> Transcript:
        loaded = self.models.get(language)
        if loaded is None:
            raise UnsupportedLanguage(f"language {language!r} is not served; one of "
                                      f"{', '.join(self.models)}")
        texts, logprobs, no_speech = [], [], []
        chunk = MAX_FRAMES * (SAMPLE_RATE // FRAMES_PER_SECOND)
        for start in range(0, max(1, len(audio)), chunk):
            text, logprob, silent = self._decode(loaded, audio[start:start + chunk], language)
            texts.append(text)
            logprobs.append(logprob)
            no_speech.append(silent)
        return Transcript(text=" ".join(t for t in texts if t).strip(), language=language,
                          model=loaded.spec, audio_seconds=len(audio) / SAMPLE_RATE,
                          seconds=0.0, avg_logprob=min(logprobs), no_speech_prob=max(no_speech))

    def identify(self, audio: np.ndarray, prior: str | None = None
                 ) -> tuple[str, dict[str, float]]:
        """The language of `audio` among the served ones, with their probabilities."""
        served = list(self.models)
        fallback = prior if prior in self.models else served[0]
        if len(served) == 1 or self.identifier is None:
            return fallback, {}
        encoded = self._encode(self.identifier, audio[:MAX_FRAMES * 160],
                               window=max(self.window_frames, self.identify_frames))
        ranking = self.identifier.model.model.detect_language(encoded)[0]
        probs = {token.strip("<|>"): float(p) for token, p in ranking}
        candidates = {lang: probs.get(lang, 0.0) for lang in served}
        best = max(candidates, key=lambda lang: candidates[lang])
        if prior in candidates and best != prior and candidates[best] < self.switch_confidence:
            best = prior  # not sure enough to leave the call's language
        return best, candidates

    def sure_language(self, audio: np.ndarray, prior: str,
                      switch_confidence: float = EARLY_SWITCH_CONFIDENCE
                      ) -> tuple[str | None, dict[str, float]]:
        """The language the words that begin with `audio` can be transcribed in without
        identifying them again (`sure_of`), or None, with the probabilities."""
        _, probs = self.identify(audio, prior)
        return sure_of(probs, prior, switch_confidence), probs

    def _encode(self, loaded: LoadedModel, audio: np.ndarray, window: int | None = None
                ) -> ctranslate2.StorageView:
        features = loaded.model.feature_extractor(audio)
        frames = min(features.shape[1], MAX_FRAMES)
        window = min(MAX_FRAMES, max(window or self.window_frames,
                                     math.ceil(frames / FRAMES_PER_SECOND) * FRAMES_PER_SECOND))
        padded = np.zeros((features.shape[0], window), dtype=np.float32)
        padded[:, :frames] = features[:, :frames]
        return loaded.model.model.encode(ctranslate2.StorageView.from_array(padded[None]))

    def _decode(self, loaded: LoadedModel, audio: np.ndarray, language: str
                ) -> tuple[str, float, float]:
        model = loaded.model
        tokenizer = Tokenizer(model.hf_tokenizer, model.model.is_multilingual,
                              task="transcribe", language=language)
        prompt = [*tokenizer.sot_sequence, tokenizer.no_timestamps]
        seconds = len(audio) / SAMPLE_RATE
        result = model.model.generate(
            self._encode(loaded, audio), [prompt], beam_size=1,
            max_length=min(448, len(prompt) + 8 + int(TOKENS_PER_SECOND * seconds)),
            return_scores=True, return_no_speech_prob=True, suppress_blank=True)[0]
        tokens = [t for t in result.sequences_ids[0] if t < tokenizer.eot]
        logprob = float(result.scores[0]) if result.scores else 0.0
        if result.no_speech_prob > NO_SPEECH_PROB and logprob < LOW_LOGPROB:
            return "", logprob, float(result.no_speech_prob)  # noise, not words
        return tokenizer.decode(tokens).strip(), logprob, float(result.no_speech_prob)


def sure_of(probs: Mapping[str, float], prior: str,
            switch_confidence: float = EARLY_SWITCH_CONFIDENCE) -> str | None:
    """Another language at least `switch_confidence` likely, or `prior` when no other reaches
    SECOND_OPINION_PROB (`transcribe` would neither switch nor ask a second opinion then);
    None when unsure, or when `prior` was not among the languages identified."""
    if prior not in probs:
        return None
    others = {lang: p for lang, p in probs.items() if lang != prior}
    best = max(others, key=lambda lang: others[lang], default=None)
    if best is None or others[best] < SECOND_OPINION_PROB:
        return prior
    return best if others[best] >= switch_confidence else None


def _frames(seconds: float) -> int:
    return int(min(30.0, max(1.0, seconds)) * FRAMES_PER_SECOND)


def load_recognizer(specs: Mapping[str, str], *, threads: int, window_seconds: float,
                    switch_confidence: float) -> Recognizer:
    """Load every language's model once (a spec shared by two languages is loaded once) and
    run one short transcription on each, so the first caller does not pay for warm-up."""
    from speech.models import load_model

    loaded: dict[str, LoadedModel] = {}
    by_spec: dict[str, LoadedModel] = {}
    for language, spec in specs.items():
        if spec not in by_spec:
            by_spec[spec] = load_model(spec, threads=threads)
        loaded[language] = by_spec[spec]
    recognizer = Recognizer(loaded, window_seconds=window_seconds,
                            switch_confidence=switch_confidence)
    silence = np.zeros(SAMPLE_RATE // 2, dtype=np.float32)
    for language in recognizer.languages:
        recognizer.transcribe(silence, language)
    return recognizer
