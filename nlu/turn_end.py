"""Whether a caller's words trail off: a phrase that stops on a word that needs more after it
("I would like to", "my bill and", "أريد أن", "عندي مشكلة في"), on a filler, or that the speech
recogniser closed with a comma or an ellipsis. Words that trail off never end a turn before the
full silence (agent/turn_end.py), however sure the classifier is of them."""

from __future__ import annotations

from nlu.lexicon import FILLERS
from nlu.normalize import words

# in their normalised spelling (nlu.normalize: ى→ي, ة→ه, one alef)
TRAILING = frozenset({
    # English: articles, conjunctions, prepositions, pronouns and verbs that need an object
    "a", "an", "the", "and", "or", "but", "so", "because", "if", "that", "than", "then", "as",
    "to", "for", "about", "with", "of", "in", "on", "at", "from", "into", "by", "like",
    "my", "your", "our", "their", "his", "her", "its", "this", "some", "any", "me",
    "i", "i'm", "im", "i'd", "id", "it's", "is", "are", "was", "were", "am", "be",
    "want", "need", "would", "could", "can", "will", "just", "also", "not", "very", "really",
    # Arabic: conjunctions, prepositions, "that", "I want", "I have", "about"
    "و", "او", "ف", "ثم", "لكن", "بس", "في", "من", "علي", "الي", "عن", "مع", "ل", "ب",
    "ان", "لان", "اذا", "لو", "حتي", "اللي", "الذي", "التي", "بخصوص", "حول", "انا",
    "اريد", "ابغي", "ابي", "بدي", "عايز", "ودي", "حابب", "عندي", "لدي",
})
CLOSED_OPEN = (",", "،", "...", "…", "-", "—")


def trails_off(text: str) -> bool:
    """True when `text` stops where more must follow (or is empty)."""
    stripped = text.strip()
    if stripped.endswith(CLOSED_OPEN):
        return True
    said = words(stripped)
    return not said or said[-1] in TRAILING or said[-1] in FILLERS
