"""Everything the assistants say that is not a department's own data (welcome lines and prompts
live with the department): one table per phrase, one entry per language."""

from __future__ import annotations

from collections.abc import Mapping

Phrase = Mapping[str, str]

CONFIRM_LANGUAGE: Phrase = {
    "ar": "بكل سرور، سنكمل بالعربية. كيف يمكنني مساعدتك؟",
    "en": "Of course, let's continue in English. How can I help you?",
}
ANNOUNCE_HANDOFF: Phrase = {
    "ar": "لحظة من فضلك، سأحولك إلى قسم {department}.",
    "en": "One moment please, I'm transferring you to {department}.",
}
ANNOUNCE_HUMAN: Phrase = {
    "ar": "لحظة من فضلك، سأحولك إلى أحد موظفينا.",
    "en": "One moment please, I'm transferring you to one of our team.",
}
CALLBACK: Phrase = {
    "ar": "لا يمكنني تحويل هذه المكالمة مباشرة، لكن سأطلب من أحد موظفينا الاتصال بك قريباً.",
    "en": "I can't transfer this call directly, but I've asked one of our team to call you "
          "back shortly.",
}
GOODBYE: Phrase = {
    "ar": "شكراً لاتصالك بـ {company}. مع السلامة!",
    "en": "Thank you for calling {company}. Goodbye!",
}
TRANSFER_FAILED: Phrase = {
    "ar": "عذراً، لم أتمكن من تحويلك إلى أحد الموظفين الآن. ما زلت معك، كيف أساعدك؟",
    "en": "Sorry, I couldn't reach a colleague right now. I'm still here; how can I help?",
}
ALREADY_HERE: Phrase = {
    "ar": "أنت الآن مع قسم {department}. كيف يمكنني مساعدتك؟",
    "en": "You're already with {department}. How can I help?",
}
ACKNOWLEDGE_HANDOFF: Phrase = {
    "ar": "{welcome} حوّل {persona} من قسم {department} مكالمتك إليّ{about}.",
    "en": "{welcome} {persona} from {department} passed your call to me{about}.",
}
HANDOFF_ABOUT: Phrase = {"ar": " بخصوص: {topic}", "en": ", about: {topic}"}

# How a caller may reach us, said once after the first welcome of a call.
SPEAK_OR_PRESS: Phrase = {"ar": "تحدث إليّ، أو {menu}.", "en": "Just tell me, or {menu}."}
PRESS: Phrase = {"ar": "اضغط {items}", "en": "press {items}"}
PRESS_ONLY: Phrase = {"ar": "من فضلك {menu}.", "en": "Please {menu}."}
MENU_ITEM: Phrase = {"ar": "{digit} لقسم {target}", "en": "{digit} for {target}"}
MENU_HUMAN: Phrase = {"ar": "{digit} للتحدث مع موظف", "en": "{digit} for a colleague"}
LIST_OR: Phrase = {"ar": "، أو ", "en": ", or "}
LIST_AND: Phrase = {"ar": "، ", "en": ", "}
SPEAK_OR_TYPE: Phrase = {
    "ar": "يمكنك التحدث أو كتابة طلبك.",
    "en": "You can speak or type your request.",
}
TYPE_ONLY: Phrase = {"ar": "يمكنك كتابة طلبك.", "en": "You can type your request."}


def phrase(table: Phrase, language: str, **values: str) -> str:
    return (table.get(language) or table["en"]).format(**values)


def listing(items: list[str], language: str) -> str:
    """'a, b, or c' in `language`."""
    if len(items) <= 1:
        return "".join(items)
    return phrase(LIST_AND, language).join(items[:-1]) + phrase(LIST_OR, language) + items[-1]
