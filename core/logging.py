"""Our loggers on stderr at LOG_LEVEL (uvicorn configures only its own)."""

from __future__ import annotations

import logging


def show_logs(names: tuple[str, ...], level: str, *filters: logging.Filter) -> None:
    for name in names:
        logger = logging.getLogger(name)
        logger.setLevel(level.upper())
        if not logger.handlers:
            handler = logging.StreamHandler()
            handler.setFormatter(logging.Formatter("%(levelname)s:     %(name)s: %(message)s"))
            for log_filter in filters:
                handler.addFilter(log_filter)
            logger.addHandler(handler)
