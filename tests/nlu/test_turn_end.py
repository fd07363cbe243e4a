"""Words that trail off never end a turn early; complete ones may (agent/turn_end.py)."""

from __future__ import annotations

import pytest

from nlu.turn_end import trails_off


@pytest.mark.parametrize("text", [
    "I would like to", "I have a problem with my", "can you tell me about the",
    "so I want", "um", "ok and uh", "my order number is,", "I was wondering...",
    "أريد أن", "عندي مشكلة في", "اتصلت بخصوص", "ابغى", "يعني", "", "  ",
])
def test_trails_off(text):
    assert trails_off(text)


@pytest.mark.parametrize("text", [
    "I have a complaint about my bill.", "how much is the premium plan", "hello",
    "I'd like to place an order", "لدي شكوى", "أريد شراء خدمة", "كم سعر الباقة المميزة؟",
    "Where is your office?",
])
def test_complete_phrases_do_not_trail_off(text):
    assert not trails_off(text)
