"""Personal data in logs: phone numbers are shown by their last digits only.

A call record keeps the caller's number (it is the record); log lines never carry it in
clear. `mask_number` is for a value known to be a number or SIP address, `redact_numbers`
for free text (an error message, a participant identity) that may contain one, and
`RedactNumbers` is a logging filter for lines written by libraries we do not control
(livekit-agents puts the SIP participant's identity, `sip_<caller>`, on some lines).
"""

from __future__ import annotations

import logging
import re

# a run of 6+ digits (an optional +) that is not part of a longer word: phone numbers and
# SIP users made of digits; ids such as "AJ_4yWy..." or hex call ids are left alone
NUMBER = re.compile(r"(?<![A-Za-z0-9])\+?\d{6,}(?![A-Za-z0-9])")
KEEP_DIGITS = 4
KEEP_SIP_USER = 3


def _mask_digits(number: str) -> str:
    return "***" + number[-KEEP_DIGITS:]


def redact_numbers(text: str) -> str:
    """Every phone-number-like run of digits in `text` cut to its last digits."""
    return NUMBER.sub(lambda m: _mask_digits(m.group(0)), text)


def mask_number(value: str | None) -> str:
    """A caller id or transfer target with only its last digits (or characters) left:
    '+15551230000' -> '***0000', 'tel:+442079460103' -> 'tel:***0103',
    'sip:alice@pbx.example' -> 'sip:***ice@pbx.example', 'anonymous' -> '***mous'."""
    if not value:
        return "-"
    scheme, sep, rest = value.partition(":") if value.startswith(("sip:", "sips:", "tel:")) \
        else ("", "", value)
    user, at, host = rest.partition("@")
    keep = KEEP_DIGITS if user.lstrip("+").isdigit() else KEEP_SIP_USER
    user = "***" + (user[-keep:] if len(user) > keep else "")
    return f"{scheme}{sep}{user}{at}{host}"


class RedactNumbers(logging.Filter):
    """Cuts numbers out of a record's message and of its personal-data fields
    (livekit's `lk.pii.*` and participant identities); other fields are left as they are."""

    FIELDS = ("participant", "identity", "participant_identity", "caller_identity")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_numbers(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        for key, value in list(vars(record).items()):
            if isinstance(value, str) and (key.startswith("lk.pii.") or key in self.FIELDS):
                setattr(record, key, redact_numbers(value))
        return True
