"""A call's recording over HTTP, with byte ranges (RFC 9110 §14): players seek, downloads
resume. One range per request is served (206 with Content-Range); a Range this server does
not take (another unit, several ranges, a malformed one) is ignored and the whole file is
sent (200), as the RFC allows; a range starting past the end is 416. The file is read in
chunks in a worker thread, never loaded whole."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from fastapi.responses import StreamingResponse

from app.errors import NotFound, RangeNotSatisfiable
from core import recordings
from core.config import Settings
from core.models import CallRecord

RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 64 * 1024


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """[start, end) of the one range asked for; None: send the whole file."""
    match = RANGE.match(header.strip()) if header else None
    if match is None or match.groups() == ("", ""):
        return None
    first, last = match.groups()
    if not first:  # "-N": the last N bytes
        if int(last) == 0:
            raise RangeNotSatisfiable(size)
        return max(0, size - int(last)), size
    start = int(first)
    if last and int(last) < start:  # invalid: ignored
        return None
    if start >= size:
        raise RangeNotSatisfiable(size)
    return start, min(int(last) + 1, size) if last else size


def _chunks(path: Path, start: int, end: int) -> Iterator[bytes]:
    with path.open("rb") as file:
        file.seek(start)
        while start < end:
            chunk = file.read(min(CHUNK, end - start))
            if not chunk:
                return
            start += len(chunk)
            yield chunk


def stream(call: CallRecord, settings: Settings, range_header: str | None) -> StreamingResponse:
    path = recordings.absolute(settings, call.recording_file) if call.recording_file else None
    try:
        size = path.stat().st_size if path else None
    except FileNotFoundError:
        size = None
    if path is None or size is None:
        raise NotFound(f"call {call.id} has no recording", field="call_id")
    span = byte_range(range_header, size)
    start, end = span or (0, size)
    headers = {"Accept-Ranges": "bytes", "Content-Length": str(end - start),
               "Content-Disposition": f'inline; filename="{call.id}{recordings.SUFFIX}"'}
    if span is not None:
        headers["Content-Range"] = f"bytes {start}-{end - 1}/{size}"
    return StreamingResponse(_chunks(path, start, end), status_code=206 if span else 200,
                             media_type=recordings.MEDIA_TYPE, headers=headers)
