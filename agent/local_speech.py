"""The worker's local speech service: one per machine, shared by every call of every worker.

With STT_PROVIDER local (the default without an OpenAI key) the worker checks SPEECH_URL at
start. A service already answering there is used (another worker on this machine started it,
or it runs as its own service: `contact-center speech`, the compose `speech` service). If
nothing answers at a loopback address, the worker starts one itself and stops it when it
exits. A remote SPEECH_URL that does not answer is logged; calls still work by keys and text
and are heard once the service is up (agent/speech.py never fails a call on it).
"""

from __future__ import annotations

import atexit
import json
import sys
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

from agent.logs import log
from agent.providers import stt_kind
from core.config import Settings
from livekit_stack.processes import ManagedProcess, StackError, wait_until

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
START_TIMEOUT = 120.0  # loading the models takes a few seconds; a cold disk more


def health_url(settings: Settings) -> str:
    return settings.speech_base_url.rstrip("/").removesuffix("/v1") + "/health"


def speech_service_answers(url: str) -> bool:
    """Our speech service is up at `url` (its /health names the languages it serves; another
    server's health endpoint on that port is not mistaken for it)."""
    try:
        with urllib.request.urlopen(url, timeout=2.0) as resp:  # noqa: S310 (local URL)
            return resp.status == 200 and "languages" in json.loads(resp.read() or b"{}")
    except (OSError, ValueError):
        return False


def ensure_local_speech(settings: Settings, log_dir: Path) -> ManagedProcess | None:
    """Make sure the local speech service answers; returns the process if we started it."""
    if stt_kind(settings) != "local":
        return None
    health = health_url(settings)
    if speech_service_answers(health):
        log.info("using the speech service at %s", settings.speech_base_url)
        return None
    url = urlparse(settings.speech_base_url)
    if not settings.speech_autostart or url.hostname not in LOOPBACK:
        log.warning("no speech service answers at %s: callers can press keys or type until "
                    "it does", settings.speech_base_url)
        return None
    service = ManagedProcess(
        "speech", [sys.executable, "-m", "cli.main", "speech", "--host", url.hostname or "",
                   "--port", str(url.port or 80), "--exit-with-parent"],
        log_dir / "speech.log")
    service.start()
    atexit.register(service.stop)
    try:
        wait_until(lambda: speech_service_answers(health), what="the speech service",
                   timeout=START_TIMEOUT, process=service, interval=0.2)
    except StackError as exc:
        service.stop()
        log.error("the speech service did not start: %s", exc)
        return None
    log.info("started the speech service at %s (log %s)", settings.speech_base_url,
             service.log_path)
    return service
