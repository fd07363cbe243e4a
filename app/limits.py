"""What the API accepts, in one place: id and paging ranges, and text bounds that match the
columns the values are stored in (or, for JSON columns, sizes chosen for real values).

Out-of-range input is a 422 in the error shape before it reaches the database."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path
from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints

from core.db import length_of

__all__ = ["length_of"]  # schemas bound texts by the columns they are stored in

# Integer primary keys are PostgreSQL `integer` (32-bit signed); offsets share the range.
MAX_ID = 2**31 - 1
MAX_OFFSET = MAX_ID
MAX_PAGE = 500

# Department texts live in JSON columns (one entry per language): sizes for real values.
MAX_LANGUAGES = 8  # entries per per-language field
MAX_PROMPT_CHARS = 20_000  # one language's instructions (the seed prompts are ~1 000)
MAX_LINE_CHARS = 1_000  # one language's welcome line
MAX_NAME_CHARS = 128  # display and persona names, TTS voice ids
MAX_VOICE_PROVIDERS = 8
MAX_LIST_ITEMS = 64  # addresses and caller ids on a trunk


# a character that Python's str.strip() keeps (spelled out: JSON Schema, Python's `re` and
# pydantic's Rust regex disagree on what `\s` covers)
NON_BLANK = (r"[^\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f"
             r"\u205f\u3000]")


def text(max_length: int, *, min_length: int = 0, pattern: str | None = None,
         strip: bool = False) -> Any:
    """A bounded string type. `strip`: stored without surrounding whitespace; the bounds
    (and, with a minimum, "not blank") apply to the text as sent, so the document says
    exactly what is accepted."""
    if not strip:
        return Annotated[str, StringConstraints(max_length=max_length, min_length=min_length,
                                                pattern=pattern)]
    return Annotated[str, StringConstraints(
        max_length=max_length, min_length=min_length,
        pattern=pattern or (NON_BLANK if min_length else None)), AfterValidator(str.strip)]


Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def path_id(description: str) -> Any:
    """An id in the path: 1..2^31-1, else 422 (never a database error)."""
    return Annotated[int, Path(ge=1, le=MAX_ID, description=description)]


def _text_only(value: Any) -> Any:
    if isinstance(value, (int, float)):
        raise ValueError("must be a string in ISO 8601 format")
    return value


def iso(kind: Any) -> Any:
    """A date or datetime given as ISO 8601 text only (pydantic would also read a JSON number
    as seconds since 1970, which the document does not allow)."""
    return Annotated[kind, BeforeValidator(_text_only)]
