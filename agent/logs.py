"""Logs that carry call_id, room and department on every line of a call.

`bind(...)` stores the fields in a context variable (each job runs in its own task tree, so
tasks created after binding inherit them); `CallContextFilter` copies them onto each record,
where livekit's log formatter prints them as extra fields. Numbers are cut to their last
digits on every line (core.pii): ours mask them where they are written, and `RedactNumbers`
catches what livekit logs (the SIP participant's identity is `sip_<caller>`).
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from typing import Any

from core.pii import RedactNumbers

_DEFAULT: dict[str, Any] = {}
_call_fields: ContextVar[dict[str, Any]] = ContextVar("call_fields", default=_DEFAULT)  # noqa: B039

log = logging.getLogger("contact_center.agent")


def new_call() -> None:
    """Start the log fields of a call: tasks created from here on share one mutable mapping,
    so fields bound later (call_id once the record exists) reach tasks started earlier too,
    e.g. the room's event tasks created when the job connects."""
    _call_fields.set({})


def bind(**fields: Any) -> None:
    """Add or replace fields for every log line of this call."""
    current = _call_fields.get()
    if current is _DEFAULT:
        current = {}
        _call_fields.set(current)
    current.update({k: v for k, v in fields.items() if v is not None})


def current_fields() -> dict[str, Any]:
    return dict(_call_fields.get())


class CallContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in _call_fields.get().items():
            if not hasattr(record, key):
                setattr(record, key, value)
        return True


LOGGERS = ("contact_center.agent", "livekit.agents", "livekit")


def install() -> None:
    """Attach the filters to our logger and livekit's (idempotent)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        for kind in (CallContextFilter, RedactNumbers):
            if not any(isinstance(f, kind) for f in logger.filters):
                logger.addFilter(kind())
