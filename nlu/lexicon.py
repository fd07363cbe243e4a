"""Words normalisation treats specially, in their normalised spelling (see `normalize`).

FILLERS carry no meaning and are dropped (speech recognisers keep them). VARIANTS map dialect
and colloquial words onto one form, so Gulf "ابغى", Levantine "بدي", Egyptian "عايز" and MSA
"اريد" look alike to the classifier; a value may be several words.
"""

from __future__ import annotations

FILLERS = frozenset({
    "um", "umm", "uh", "uhh", "erm", "er", "hmm", "mm", "ah", "eh", "uhm",
    "يعني", "اه", "اها", "ام", "امم", "اممم", "ااه", "ايه", "هم", "ممم",
})

_WANT = "اريد"
_WHAT = "ماذا"
_HOW_MUCH = "كم"
VARIANTS: dict[str, str] = {
    # I want
    "ابغي": _WANT, "ابغا": _WANT, "ابي": _WANT, "ودي": _WANT, "بدي": _WANT, "بدنا": "نريد",
    "عايز": _WANT, "عاوز": _WANT, "عايزه": _WANT, "حابب": _WANT, "حابه": _WANT, "نبغي": "نريد",
    "نبي": "نريد",
    # what / how much / where / when / now
    "شو": _WHAT, "وش": _WHAT, "ايش": _WHAT, "شنو": _WHAT, "اشو": _WHAT,
    "قديش": _HOW_MUCH, "بكم": _HOW_MUCH, "بكام": _HOW_MUCH,
    "وين": "اين", "فين": "اين", "ايمتي": "متي", "امتي": "متي", "هلق": "الان", "هلا": "الان",
    "هلء": "الان",
    # things, money, broken, not
    "شيء": "شي", "اشي": "شي", "شغله": "شي", "مصاري": "مال", "فلوس": "مال", "فلوسي": "مالي",
    "خربان": "معطل", "خربانه": "معطل", "خربت": "تعطلت", "خرب": "تعطل",
    "مش": "ليس", "مو": "ليس", "مب": "ليس",
    # English contractions speech recognisers and typists use
    "wanna": "want to", "gonna": "going to", "gimme": "give me", "lemme": "let me",
}

# Words for "a person" in a request for one ("a real person", "موظف"). They only open the door:
# the classifier's built-in "human" intent must also rank first (nlu/intents/human.*.txt), so
# "the employee was rude" (a complaint) does not ask for a person.
PERSON_WORDS = ("موظف", "انسان", "شخص حقيقي", "شخص", "مندوب", "حدا", "human", "agent",
                "representative", "real person", "operator", "person", "someone real")
# Idioms that contain a person word without asking for one: "can I come in person" is about
# visiting, not about talking to a human colleague. Removed before PERSON_WORDS are looked for.
NOT_PERSON = ("in person", "شخصيا")
