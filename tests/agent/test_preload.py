"""agent.preload, the module livekit-agents' forkserver imports once for every call's process:
it must leave the welcome lines synthesized, the ORM ready and no database connection open
(job processes are forked from it), and the worker must ask for it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from agent.worker import LOOP_BLOCK_ENV, build_server
from core.config import Settings

# the pool is read right after the preload import, before the probe queries anything itself
PROBE = r"""
import json, sys
import agent.preload
from core.db import get_engine
POOL = get_engine().pool.checkedin()
from agent.offline import tts
from agent.greeting import first_greeting
from agent.personas import load_directory
from core.config import get_settings
from livekit.agents.tokenize import _basic_hyphenator
settings = get_settings()
directory = load_directory(settings)
get_engine().dispose()
personas = list(map(directory.resolve, directory.slugs))
expected = sorted({p.welcome_for(lang) for p in personas for lang in ("ar", "en")} | {
    first_greeting(p, directory, settings.dtmf_menu, lang, source=source, voice=True,
                   explain=True)
    for p in personas for lang in ("ar", "en") for source in ("sip", "browser")})
print(json.dumps({
    "phrases": sorted(text for (_v, _s, text) in tts._PHRASES),
    "expected": expected,
    "sizes": [len(pcm) for pcm in tts._PHRASES.values()],
    "hyphenator": _basic_hyphenator._get_hyphenator.cache_info().currsize,
    "pool_after_preload": POOL,
}))
"""


def _run_probe(env: dict[str, str]) -> dict:
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True,
                         text=True, timeout=300)  # espeak-ng on a busy 2-core box
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_preload_speaks_every_welcome_line_and_leaves_no_connection(settings: Settings):
    env = {**os.environ, "DATABASE_URL": settings.database_url}
    for key in ("OPENAI_API_KEY", "ELEVEN_API_KEY", "TTS_PROVIDER", "STT_PROVIDER"):
        env.pop(key, None)
    got = _run_probe(env)
    # each welcome line, and each first greeting (phone, browser) in both languages
    assert got["phrases"] == got["expected"] and len(got["expected"]) >= 18
    assert all(size > 22050 for size in got["sizes"])  # over half a second of audio each
    assert got["hyphenator"] == 1
    assert got["pool_after_preload"] == 0


def test_preload_without_a_database_still_imports(settings: Settings, tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/missing/cc.db"}
    out = subprocess.run([sys.executable, "-c", "import agent.preload"], env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "preload incomplete: OperationalError" in out.stderr


def test_the_worker_preloads_it_and_sets_the_loop_watchdog(settings: Settings, monkeypatch):
    monkeypatch.delenv(LOOP_BLOCK_ENV, raising=False)
    server = build_server(settings.model_copy(update={"agent_loop_block_warn_ms": 400}))
    assert "agent.preload" in server._preload_modules
    assert os.environ[LOOP_BLOCK_ENV] == "400"
