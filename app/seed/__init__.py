"""Default departments shipped with the product (from the user's seed guide).

Prompts live in `prompts/<slug>.<lang>.md` and are read with importlib.resources. Texts may
use `{company}`, `{department}`, `{persona}`, `{language}` and `{current_time}`; `{company}` is
filled from settings (COMPANY_NAME / COMPANY_NAME_AR) when a call starts, so renaming the
company needs no migration.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

LANGUAGES = ("ar", "en")


def prompt_text(slug: str, language: str) -> str:
    return resources.files(__package__).joinpath(f"prompts/{slug}.{language}.md").read_text(
        encoding="utf-8"
    )


DEFAULT_DEPARTMENTS: list[dict[str, Any]] = [
    {
        "slug": "reception",
        "display_name": {"ar": "الاستقبال", "en": "Reception"},
        "persona_name": {"ar": "أحمد", "en": "Ahmed"},
        "default_language": "ar",
        "welcome": {
            "ar": "أهلاً وسهلاً بكم في {company}. أنا أحمد، كيف يمكنني مساعدتك؟",
            "en": "Welcome to {company}. I'm Ahmed, how can I help you today?",
        },
        "voices": {
            "openai": {"ar": "onyx", "en": "onyx"},
            "elevenlabs": {"ar": "pNInz6obpgDQGcFmaJgB", "en": "pNInz6obpgDQGcFmaJgB"},
            "espeak": {"ar": "ar+m3", "en": "en-us+m3"},
        },
    },
    {
        "slug": "sales",
        "display_name": {"ar": "المبيعات", "en": "Sales"},
        "persona_name": {"ar": "سارة", "en": "Sarah"},
        "default_language": "ar",
        "welcome": {
            "ar": "مرحباً! أنا سارة من قسم المبيعات. سأساعدك في اختيار الخدمة المناسبة.",
            "en": "Hello! I'm Sarah from Sales. I'll help you choose the right service.",
        },
        "voices": {
            "openai": {"ar": "nova", "en": "nova"},
            "elevenlabs": {"ar": "EXAVITQu4vr4xnSDxMaL", "en": "EXAVITQu4vr4xnSDxMaL"},
            "espeak": {"ar": "ar+f3", "en": "en-us+f3"},
        },
    },
    {
        "slug": "complaints",
        "display_name": {"ar": "الشكاوى", "en": "Complaints"},
        "persona_name": {"ar": "محمد", "en": "Mohammed"},
        "default_language": "ar",
        "welcome": {
            "ar": "أهلاً بك. أنا محمد من قسم الشكاوى. سأستمع لمشكلتك وأساعدك في حلها.",
            "en": "Welcome. I'm Mohammed from Complaints. I'll listen and help resolve your issue.",
        },
        "voices": {
            "openai": {"ar": "echo", "en": "echo"},
            "elevenlabs": {"ar": "TxGEqnHWrfWFTfGW9XjX", "en": "TxGEqnHWrfWFTfGW9XjX"},
            "espeak": {"ar": "ar+m1", "en": "en-gb+m1"},
        },
    },
]


def default_department_rows() -> list[dict[str, Any]]:
    """The seed rows, with instructions loaded from the packaged prompt files."""
    rows = []
    for dept in DEFAULT_DEPARTMENTS:
        rows.append({**dept, "instructions": {lang: prompt_text(dept["slug"], lang)
                                              for lang in LANGUAGES}})
    return rows


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


ROUTING_BATCHES = ("", "batch2", "batch3", "batch4")
# routing/ (migration 0005), routing/batch2/ (0010), routing/batch3/ (0011), batch4/ (0012)


def default_routing_examples(batches: tuple[str, ...] = ROUTING_BATCHES
                             ) -> list[dict[str, str]]:
    """Seed routing examples: `routing[/<batch>]/<slug>.<lang>.txt`, one phrasing per line,
    as rows {"department": slug, "language": lang, "text": ...}."""
    rows = []
    routing = resources.files(__package__).joinpath("routing")
    for batch in batches:
        folder = routing.joinpath(batch) if batch else routing
        for dept in DEFAULT_DEPARTMENTS:
            for lang in LANGUAGES:
                text = folder.joinpath(f"{dept['slug']}.{lang}.txt").read_text(encoding="utf-8")
                rows += [{"department": dept["slug"], "language": lang, "text": line}
                         for line in _lines(text)]
    return rows


def default_knowledge() -> list[dict[str, Any]]:
    """Seed knowledge entries (EXAMPLE company facts, `example: true`): `knowledge.json`,
    each {"key", "department": slug | None, "questions": {lang: [...]}, "answers": {lang}}."""
    data = json.loads(resources.files(__package__).joinpath("knowledge.json")
                      .read_text(encoding="utf-8"))
    return [{**entry, "example": True} for entry in data["entries"]]
