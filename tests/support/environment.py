"""Settings, the engine and the sessionmaker are cached once per process; a test that points
them elsewhere through the environment clears them before and after."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from core.config import get_settings
from core.db import get_engine, get_sessionmaker


def clear_settings_caches() -> None:
    if get_engine.cache_info().currsize:
        get_engine().dispose()  # close the old database's pooled connections
    for cached in (get_sessionmaker, get_engine, get_settings):
        cached.cache_clear()


@contextmanager
def environment(monkeypatch: pytest.MonkeyPatch, **env: str) -> Iterator[None]:
    """The process's settings (and database) come from `env` until the block ends."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    clear_settings_caches()
    try:
        yield
    finally:
        monkeypatch.undo()
        clear_settings_caches()
