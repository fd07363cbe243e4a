"""Phone numbers in log lines are cut to their last digits (core.pii)."""

from __future__ import annotations

import logging

import pytest

from core.pii import RedactNumbers, mask_number, redact_numbers


@pytest.mark.parametrize(("value", "masked"), [
    ("+15551230000", "***0000"),
    ("5551230000", "***0000"),
    ("tel:+442079460103", "tel:***0103"),
    ("sip:+15551230000@carrier.example", "sip:***0000@carrier.example"),
    ("sip:alice@pbx.example.com", "sip:***ice@pbx.example.com"),
    ("anonymous", "***ous"),
    ("101", "***"),
    (None, "-"),
])
def test_mask_number_keeps_only_the_last_digits(value: str | None, masked: str) -> None:
    assert mask_number(value) == masked


def test_redact_numbers_leaves_ids_alone() -> None:
    text = ("sip_+15551230000 in call-sales_+442079460201_GRw2t3 job AJ_4yWy123456 "
            "call 6e85a1fc08394b54870be151822066e9")
    assert redact_numbers(text) == ("sip_***0000 in call-sales_***0201_GRw2t3 job "
                                    "AJ_4yWy123456 call 6e85a1fc08394b54870be151822066e9")


def test_the_filter_redacts_the_message_and_personal_fields_only() -> None:
    record = logging.LogRecord("livekit.agents", logging.INFO, __file__, 1,
                               "linked to %s", ("sip_+15551230000",), None)
    record.__dict__.update({"lk.pii.participant_identity": "sip_+15551230000",
                            "participant": "sip_+15551230000",
                            "room": "call-sales_+442079460201_abc"})
    assert RedactNumbers().filter(record)
    assert record.getMessage() == "linked to sip_***0000"
    assert record.__dict__["lk.pii.participant_identity"] == "sip_***0000"
    assert record.__dict__["participant"] == "sip_***0000"
    assert record.__dict__["room"] == "call-sales_+442079460201_abc"  # a department's number
