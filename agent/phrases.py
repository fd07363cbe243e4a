"""Lines the offline assistant speaks, per language, from `phrases.toml` (data, one place)."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources


@cache
def _table() -> dict[str, dict[str, str]]:
    text = resources.files(__package__).joinpath("phrases.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def line(name: str, language: str, **values: str) -> str:
    """Phrase `name` in `language` (English if it has none), placeholders filled."""
    lines = _table()[name]
    text = lines.get(language) or lines["en"]
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text


def alternatives(words: list[str], language: str) -> str:
    """"Sales or Complaints" / "المبيعات أو الشكاوى"."""
    return line("or", language).join(words)


def listing(items: list[str], language: str) -> str:
    """'a, b, or c' in `language`."""
    if len(items) <= 1:
        return "".join(items)
    return line("list_and", language).join(items[:-1]) + line("list_or", language) + items[-1]
