"""Small text helpers shared by the offline engine: script detection and normalisation."""

from __future__ import annotations

import re

_ARABIC_CHARS = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF]")
_DIACRITICS = re.compile(r"[\u064B-\u0652\u0670\u0640]")  # harakat, dagger alef, tatweel
_ALEF = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})


def is_arabic(text: str) -> bool:
    """True when most letters are Arabic script."""
    arabic = len(_ARABIC_CHARS.findall(text))
    latin = len(re.findall(r"[A-Za-z]", text))
    return arabic > 0 and arabic >= latin


def normalize(text: str) -> str:
    """Lower-case Latin, strip Arabic diacritics and unify alef/ya/ta-marbuta forms."""
    return _DIACRITICS.sub("", text).translate(_ALEF).lower()


def contains_any(text: str, phrases: list[str] | tuple[str, ...]) -> str | None:
    """The first phrase found in normalised `text` (Latin phrases match whole words)."""
    norm = normalize(text)
    for phrase in phrases:
        p = normalize(phrase)
        if not p:
            continue
        if re.fullmatch(r"[a-z0-9 '\-]+", p):
            if re.search(rf"(?<![a-z]){re.escape(p)}(?![a-z])", norm):
                return phrase
        elif p in norm:
            return phrase
    return None
