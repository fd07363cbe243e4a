"""The live view's event stream: a retry hint, then a snapshot per interval until the browser
leaves or the session runs out."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

from app.console.routes import _frames
from core.config import Settings


class Browser:
    """A request whose client leaves after `stays` disconnect checks."""

    def __init__(self, stays: int) -> None:
        self.stays = stays

    async def is_disconnected(self) -> bool:
        self.stays -= 1
        return self.stays < 0


async def frames(settings: Settings, stays: int, until: float) -> list[str]:
    fast = settings.model_copy(update={"console_live_seconds": 0.2})
    midnight = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return [f async for f in _frames(Browser(stays), fast, midnight, until)]  # type: ignore[arg-type]


async def test_snapshots_until_the_browser_leaves(process_db: str, settings: Settings) -> None:
    sent = await frames(settings, stays=2, until=time.time() + 60)
    assert sent[0] == "retry: 1200\n\n"
    assert len(sent) == 3
    for frame in sent[1:]:
        assert frame.startswith("event: snapshot\ndata: ") and frame.endswith("\n\n")
        picture = json.loads(frame.removeprefix("event: snapshot\ndata: "))
        assert picture["calls"] == [] and picture["counters"]["calls_now"] == 0


async def test_the_stream_ends_with_the_session(process_db: str, settings: Settings) -> None:
    assert await frames(settings, stays=100, until=time.time() - 1) == ["retry: 1200\n\n"]
