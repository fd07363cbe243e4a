"""Phone number validation with `phonenumbers`: input in any spacing, stored as E.164.

The OpenAPI document marks these strings with the formats below, so clients (and the API
fuzz test) know that a pattern alone does not make a valid number. The format bounds the
length (checked here, first), so the schema carries no maxLength of its own."""

from __future__ import annotations

from core.phone import check_length, normalize_e164

__all__ = ["check_length", "normalize_e164"]  # schemas validate numbers with these

E164_FORMAT = "e164"  # a valid number in international format: +<country><number>
TRANSFER_TARGET_FORMAT = "transfer-target"  # tel:+E164, a bare E.164 number, or sip:user@host
MAX_TRANSFER_TARGET = 255  # departments.human_transfer_target


def normalize_transfer_target(value: str) -> str:
    """A human line for SIP transfer: 'tel:+E164', 'sip:user@host', or a bare E.164 number."""
    text = check_length(value, MAX_TRANSFER_TARGET).strip()
    if text.startswith("sip:") or text.startswith("sips:"):
        if "@" not in text and "." not in text.split(":", 1)[1]:
            raise ValueError("a SIP URI needs a host, e.g. sip:agent@pbx.example.com")
        return text
    number = text[4:] if text.startswith("tel:") else text
    return f"tel:{normalize_e164(number)}"
