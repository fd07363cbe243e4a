"""The console's session: a signed, expiring cookie that stands for the admin key.

Stateless on purpose (several API processes, no session table): the cookie carries
`{"exp", "csrf"}` and an HMAC-SHA256 over it whose key is derived from ADMIN_API_KEY, so
rotating the admin key signs every console user out. The CSRF token is random per sign-in,
returned to the page in the sign-in (and /console/session) body, kept in page memory only,
and sent back in `X-CSRF-Token` on every change: a cross-site form can neither read it nor
set that header (and the cookie is SameSite=Strict on top). Sign-out clears the cookie; a
copy taken before stays valid until it expires (CONSOLE_SESSION_HOURS).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass

from core.config import Settings

COOKIE = "cc_console"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class ConsoleSession:
    csrf: str
    expires_at: int  # unix seconds


def _key(settings: Settings) -> bytes:
    admin_key = settings.admin_api_key.get_secret_value().encode()
    return hmac.new(admin_key, b"contact-center console session v1", hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(settings: Settings, payload: str) -> str:
    return _b64(hmac.new(_key(settings), payload.encode(), hashlib.sha256).digest())


def new_session(settings: Settings, now: float | None = None) -> tuple[str, ConsoleSession]:
    """(cookie value, session) for a fresh sign-in."""
    now = time.time() if now is None else now
    session = ConsoleSession(csrf=secrets.token_urlsafe(32),
                             expires_at=int(now + settings.console_session_hours * 3600))
    payload = _b64(json.dumps({"exp": session.expires_at, "csrf": session.csrf}).encode())
    return f"{payload}.{_sign(settings, payload)}", session


def read_session(settings: Settings, value: str | None,
                 now: float | None = None) -> ConsoleSession | None:
    """The session a cookie value stands for, or None (missing, forged, expired, garbled)."""
    if not value or value.count(".") != 1:
        return None
    payload, signature = value.split(".")
    if not hmac.compare_digest(signature.encode(), _sign(settings, payload).encode()):
        return None
    try:
        data = json.loads(_unb64(payload))
        session = ConsoleSession(csrf=str(data["csrf"]), expires_at=int(data["exp"]))
    except (ValueError, KeyError, TypeError):
        return None
    return session if session.expires_at > (time.time() if now is None else now) else None


def csrf_matches(session: ConsoleSession, sent: str | None) -> bool:
    return bool(sent) and hmac.compare_digest(session.csrf.encode(), str(sent).encode())


def secure_cookie(settings: Settings) -> bool:
    """Secure (HTTPS only) everywhere but dev, where the page runs on plain http://127.0.0.1."""
    return settings.environment != "dev"
