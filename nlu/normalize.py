"""Text normalisation for matching what callers say (typed, or recognised from speech).

Arabic: diacritics and tatweel go; alef, hamza, alef maqsura and ta marbuta spellings are
unified (أ إ آ ٱ → ا, ؤ → و, ئ → ي, ى → ي, ة → ه); Arabic-Indic digits become ASCII; common
dialect words are mapped onto one form (`nlu/lexicon.py`), and the article and one-letter
clitics are split off words (`tokens`), so "بالفاتورة", "الفاتوره" and "فاتورة" meet.
English: lower case. Both: punctuation goes and speech fillers ("um", "يعني") are dropped.
"""

from __future__ import annotations

import re

from nlu.lexicon import FILLERS, VARIANTS

_ARABIC_CHARS = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF]")
_DIACRITICS = re.compile(r"[\u064B-\u0652\u0670\u0640]")  # harakat, dagger alef, tatweel
_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه",
                          "ؤ": "و", "ئ": "ي", "گ": "ك", "ڤ": "ف", "پ": "ب", "چ": "ج"})
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_NOT_WORD = re.compile(r"[^\w\s']|_", re.UNICODE)
# the article with the one-letter clitics that can stand before it: (و|ف)(ب|ك|ل)ال, (و|ف)لل
_ARTICLE = re.compile(r"^(?:[وف]?[بكل]?ال|[وف]?لل)(?=\S{2,})")


def is_arabic(text: str) -> bool:
    """True when most letters are Arabic script."""
    arabic = len(_ARABIC_CHARS.findall(text))
    latin = len(re.findall(r"[A-Za-z]", text))
    return arabic > 0 and arabic >= latin


def normalize(text: str) -> str:
    """Lower-case Latin, strip Arabic diacritics and unify alef/ya/ta-marbuta/hamza forms."""
    return _DIACRITICS.sub("", text).translate(_LETTERS).translate(_DIGITS).lower()


def _stem(word: str) -> str:
    """Split the article (and clitics before it) off an Arabic word; other affixes are left
    to the character n-grams the classifier compares."""
    return _ARTICLE.sub("", word) if _ARABIC_CHARS.match(word) else word


def words(text: str) -> list[str]:
    """The words of `text`, normalised, without punctuation."""
    return _NOT_WORD.sub(" ", normalize(text)).split()


def tokens(text: str) -> list[str]:
    """Words of `text` for matching: normalised, no punctuation or fillers, dialect words
    mapped to one form, Arabic article and clitics split off."""
    out: list[str] = []
    for word in words(text):
        if word in FILLERS:
            continue
        word = VARIANTS.get(word, word)
        out.extend(_stem(w) for w in word.split())
    return out


def canonical(text: str) -> str:
    """`tokens` joined by spaces: the form the classifier and retrieval compare."""
    return " ".join(tokens(text))


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
