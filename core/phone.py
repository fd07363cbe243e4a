"""Phone numbers with `phonenumbers`: input in any spacing, stored as E.164; and the number a
caller gives in a sentence ("call me on +44 20 7946 0101")."""

from __future__ import annotations

import phonenumbers

MAX_NUMBER_INPUT = 32  # E.164 is at most 16 characters; the rest is room for spacing


def check_length(value: str, limit: int) -> str:
    if len(value) > limit:
        raise ValueError(f"too long: at most {limit} characters")
    return value


def normalize_e164(value: str) -> str:
    """'+1 202-555-0123' -> '+12025550123'; ValueError (naming the problem) otherwise."""
    text = check_length(value, MAX_NUMBER_INPUT).strip()
    if not text.startswith("+"):
        raise ValueError("must be in international format, starting with '+' and country code")
    try:
        parsed = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"not a phone number ({exc})") from None
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError("not a valid phone number for its country")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def find_number(text: str, region: str | None = None) -> str | None:
    """The first valid phone number in `text`, as E.164: international format always,
    national format too when `region` (ISO 3166 code, PHONE_REGION) says whose it is."""
    for match in phonenumbers.PhoneNumberMatcher(text[:500], region,
                                                 leniency=phonenumbers.Leniency.VALID):
        return phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
    return None


def valid_e164(value: str | None) -> str | None:
    """`value` as E.164 if it is a valid number (a SIP caller id may be anything), else None."""
    try:
        return normalize_e164(value) if value else None
    except ValueError:
        return None
