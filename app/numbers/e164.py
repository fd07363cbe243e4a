"""Phone number validation with `phonenumbers`: input in any spacing, stored as E.164.

The OpenAPI document marks these strings with the formats below, so clients (and the API
fuzz test) know that a pattern alone does not make a valid number. The format bounds the
length (checked here, first), so the schema carries no maxLength of its own."""

from __future__ import annotations

import phonenumbers

E164_FORMAT = "e164"  # a valid number in international format: +<country><number>
TRANSFER_TARGET_FORMAT = "transfer-target"  # tel:+E164, a bare E.164 number, or sip:user@host
MAX_NUMBER_INPUT = 32  # E.164 is at most 16 characters; the rest is room for spacing
MAX_TRANSFER_TARGET = 255  # departments.human_transfer_target


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


def normalize_transfer_target(value: str) -> str:
    """A human line for SIP transfer: 'tel:+E164', 'sip:user@host', or a bare E.164 number."""
    text = check_length(value, MAX_TRANSFER_TARGET).strip()
    if text.startswith("sip:") or text.startswith("sips:"):
        if "@" not in text and "." not in text.split(":", 1)[1]:
            raise ValueError("a SIP URI needs a host, e.g. sip:agent@pbx.example.com")
        return text
    number = text[4:] if text.startswith("tel:") else text
    return f"tel:{normalize_e164(number)}"
