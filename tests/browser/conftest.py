"""Browser fixtures: headless Debian Chromium driven by Playwright, with the flags that keep it
off the network (ARCHITECTURE.md), a fresh profile per launch.

The API (`api_server`), the agent worker (`agent_worker`) and their migrated DB (`agent_db`)
are the shared live fixtures of tests/live_services.py: same DB, same agent name."""

from __future__ import annotations

import wave
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import BrowserContext, Playwright, sync_playwright

from agent.personas import PersonaDirectory, load_directory
from core.config import get_settings

CHROMIUM = "/usr/bin/chromium"
FAKE_AUDIO_FILE = "--use-file-for-fake-audio-capture"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
    "--allow-loopback-in-peer-connection",
]


@pytest.fixture
def personas(agent_db: str) -> PersonaDirectory:
    """The personas of the test DB (greetings with the company name filled in)."""
    assert get_settings().database_url == agent_db
    return load_directory(get_settings())


@pytest.fixture(scope="package")
def playwright_driver() -> Iterator[Playwright]:
    # Package scope: the sync API runs an event loop in the main thread while it is open,
    # which would stop every async test after tests/browser from running its own loop.
    with sync_playwright() as p:
        yield p


def _wav(path: Path, samples: np.ndarray, rate: int = 48000) -> Path:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes((samples * 32767).astype("<i2").tobytes())
    return path


@pytest.fixture
def beeping_microphone(tmp_path: Path) -> str:
    """Chromium flag for a microphone that beeps (150 ms of 440 Hz each second), for a test
    that needs the caller's side to carry sound without words."""
    t = np.arange(48000) / 48000
    beep = np.where(t < 0.15, 0.3 * np.sin(2 * np.pi * 440 * t), 0.0)
    return f"{FAKE_AUDIO_FILE}={_wav(tmp_path / 'beeps.wav', beep)}"


@pytest.fixture
def launch_browser(playwright_driver: Playwright, tmp_path: Path
                   ) -> Iterator[Callable[..., BrowserContext]]:
    """launch_browser(origin, extra_flags=[], drop_flags=[]) -> a fresh Chromium context.

    Every launch gets its own empty --user-data-dir (a persistent context on a new temp dir).
    The page's origin (plain http on the test address) is marked secure so getUserMedia
    exists, as it does on https or localhost."""
    contexts: list[BrowserContext] = []
    silence = _wav(tmp_path / "silence.wav", np.zeros(48000))

    def launch(origin: str, extra_flags: list[str] | None = None,
               drop_flags: list[str] | None = None) -> BrowserContext:
        flags = [f for f in CHROMIUM_FLAGS if f not in (drop_flags or [])]
        flags += [f"--unsafely-treat-insecure-origin-as-secure={origin}", *(extra_flags or [])]
        if not any(f.startswith(FAKE_AUDIO_FILE) for f in flags):
            # the agent listens: a silent microphone, not Chromium's beeping fake device
            flags.append(f"{FAKE_AUDIO_FILE}={silence}")
        profile = tmp_path / f"chromium-profile-{len(contexts)}"
        context = playwright_driver.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=flags,
            viewport={"width": 1100, "height": 800}, locale="en-US")
        contexts.append(context)
        return context

    yield launch
    for context in contexts:
        context.close()
