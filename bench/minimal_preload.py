"""Imported once in the minimal worker's forkserver (as agent/preload.py is in the product's):
the worker's imports and its greeting's audio, so a call's process starts with them."""

from __future__ import annotations

import bench.minimal_worker as worker
from agent.offline.tts import EspeakTTS

EspeakTTS().remember(worker.GREETING)
