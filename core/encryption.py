"""Secrets the product must be able to read back, encrypted at rest: trunk digest passwords
and webhook signing secrets (every delivery is signed with the secret itself, so it cannot
be hashed either; app/webhooks/signing.py).

Hashing them is not possible. LiveKit's SIP digest auth needs the plaintext: livekit-sip
(v1.8.0, pkg/sip/inbound.go) computes the expected digest response itself from the trunk's
stored `auth_password`, and accepts no pre-hashed form (not even HA1, which would also tie
the value to a realm livekit-sip chooses); an outbound trunk must answer the carrier's
challenge with the password. So the DB keeps the password encrypted with
DATA_ENCRYPTION_KEY (Fernet: AES-128-CBC with HMAC-SHA256, key derived with HKDF-SHA256),
the API never returns it, and it is decrypted only to reconcile LiveKit (sip/provisioning).
"""

from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from core.config import Settings

HKDF_INFO = b"contact-center data encryption v1"


class SecretUnreadable(Exception):
    """Not encrypted with this key (DATA_ENCRYPTION_KEY changed?), or damaged."""


class SecretBox:
    def __init__(self, key: str) -> None:
        if not key:
            raise ValueError("DATA_ENCRYPTION_KEY is empty")
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                       info=HKDF_INFO).derive(key.encode())
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))

    @staticmethod
    def from_settings(settings: Settings) -> SecretBox:
        return _box(settings.data_encryption_key.get_secret_value())

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except (InvalidToken, ValueError):
            raise SecretUnreadable("cannot decrypt with DATA_ENCRYPTION_KEY (was the key "
                                   "changed?); set the secret again") from None


@lru_cache(maxsize=4)
def _box(key: str) -> SecretBox:
    return SecretBox(key)
