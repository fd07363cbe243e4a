"""The console's UI text: one dictionary per language with the same keys, and every key the
page's scripts and markup ask for is in them."""

from __future__ import annotations

import json
import re
from pathlib import Path

STATIC = Path(__file__).resolve().parents[2] / "app" / "console" / "static"


def dictionary(language: str) -> dict[str, str]:
    return json.loads((STATIC / "i18n" / f"{language}.json").read_text())


def test_arabic_and_english_have_the_same_keys_and_placeholders() -> None:
    en, ar = dictionary("en"), dictionary("ar")
    assert set(en) == set(ar)
    for key, text in en.items():
        assert set(re.findall(r"\{\w+\}", text)) == set(re.findall(r"\{\w+\}", ar[key])), key
        assert ar[key].strip(), key


def test_every_key_used_is_defined() -> None:
    en = dictionary("en")
    scripts = " ".join(p.read_text() for p in (STATIC / "js").glob("*.js"))
    used = set(re.findall(r"\bt\('([\w.]+)'", scripts))
    used |= set(re.findall(r'data-i18n(?:-aria-label)?="([\w.]+)"',
                           (STATIC / "console.html").read_text()))
    assert len(used) > 100
    assert used - set(en) == set()
