"""Where call recordings live: RECORDINGS_DIR/<YYYY-MM-DD>/<call id>.ogg (the day the call
started, UTC). The agent writes them, the API streams and deletes them; the call record keeps
the path relative to the directory, so the directory can move (or be mounted elsewhere).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

from core.config import Settings

SUFFIX = ".ogg"
MEDIA_TYPE = "audio/ogg"
DAY_FORMAT = "%Y-%m-%d"
# what the agent writes, and so all the API will ever open or delete
RELATIVE = re.compile(r"^\d{4}-\d{2}-\d{2}/[0-9a-f]{32}\.ogg$")


def root(settings: Settings) -> Path:
    return Path(settings.recordings_dir)


def relative_path(call_id: str, started: datetime) -> str:
    return f"{started.strftime(DAY_FORMAT)}/{call_id}{SUFFIX}"


def absolute(settings: Settings, relative: str) -> Path | None:
    """The file of a stored relative path; None for anything the agent would not write."""
    return root(settings) / relative if RELATIVE.match(relative) else None


def day_of(directory: Path) -> date | None:
    """The day a day directory holds, or None for anything else."""
    try:
        return datetime.strptime(directory.name, DAY_FORMAT).date()
    except ValueError:
        return None
