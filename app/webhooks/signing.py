"""Signatures as Standard Webhooks (standardwebhooks.com) define them, so receivers can use
its libraries or a few lines of their own (README, "Webhooks"):

    webhook-id: msg_...            the event id (same on every retry and every subscription)
    webhook-timestamp: 1764190000  seconds since the epoch, when this attempt was sent
    webhook-signature: v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">

keyed with the secret's bytes: the base64 text after "whsec_". A receiver recomputes it over
the raw body, compares in constant time and rejects timestamps far from its clock (replays).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

PREFIX = "whsec_"
SECRET_BYTES = 24
# "whsec_" + unpadded base64 of 24 to 48 bytes: always decodes
SECRET_PATTERN = r"^whsec_(?:[A-Za-z0-9+/]{4}){8,16}$"


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def signature(secret: str, event_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix(PREFIX))
    mac = hmac.new(key, f"{event_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def headers(secret: str, event_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {"content-type": "application/json", "user-agent": "contact-center-webhooks/1",
            "webhook-id": event_id, "webhook-timestamp": str(timestamp),
            "webhook-signature": signature(secret, event_id, timestamp, body)}
