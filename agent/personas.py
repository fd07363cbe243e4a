"""Personas are data: one frozen dataclass per department row, rendered per call language.

The department table is the source (persona name, prompts, welcome lines, voices, human line),
so a department added through the admin API gets an assistant with no code change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import clock
from core.config import Settings
from core.db import session_scope
from core.hours import BusinessHours, HoursStatus, hours_of, status_of
from core.models import Department, PhoneNumber, RoutingExample, Trunk
from core.models import KnowledgeEntry as KnowledgeModel
from nlu.understand import KnowledgeEntry, NluData, Understanding, build_understanding

LANGUAGES = ("ar", "en")  # the languages calls are held in
LANGUAGE_NAMES = {"ar": {"ar": "العربية", "en": "Arabic"},
                  "en": {"ar": "الإنجليزية", "en": "English"}}

GENERIC_INSTRUCTIONS = (
    "You are {persona}, the {department} assistant of {company}'s contact center, answering a "
    "phone call. Current time: {current_time}. Speak {language}. Keep answers to two short "
    "sentences. Use transfer_to_department to reach another department, transfer_to_human "
    "when the caller asks for a person, and end_call when the caller says goodbye."
)
# Added to every persona's prompt: facts come from the knowledge base, never from the model.
KNOWLEDGE_RULE = (
    "Answer questions about the company (opening hours, address, contact details, services, "
    "plans and prices, payment, delivery, policies) only with what lookup_knowledge returns; "
    "if it has no answer, say you do not have that information and offer to transfer the "
    "caller. Never make up prices, hours or other facts."
)
# Added to every persona's prompt: people, hours and callbacks are the tools' business.
PEOPLE_RULE = (
    "When the caller asks for a person, use transfer_to_human: it knows whether the "
    "department's people are there and arranges a call back when they are not. Use "
    "request_callback when the caller asks to be called back or gives you a number for that. "
    "For whether a department is open now, use business_hours."
)
GENERIC_WELCOME = {
    "ar": "أهلاً بك في {company}، أنا {persona} من {department}. كيف يمكنني مساعدتك؟",
    "en": "Welcome to {company}. I'm {persona} from {department}. How can I help you?",
}


def _frozen(d: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(d or {}))


def render(template: str, values: Mapping[str, str]) -> str:
    """Fill `{name}` placeholders we know; leave any other braces alone (prompts may hold JSON)."""
    for key, value in values.items():
        template = template.replace("{" + key + "}", value)
    return template


@dataclass(frozen=True)
class Persona:
    slug: str
    display_name: Mapping[str, str]
    persona_name: Mapping[str, str]
    default_language: str
    instructions: Mapping[str, str]
    welcome: Mapping[str, str]
    voices: Mapping[str, Mapping[str, str]]
    company: Mapping[str, str]
    human_transfer_target: str | None = None
    handoff_mode: str | None = None  # how callers are handed to it; None = HANDOFF_MODE
    record_calls: bool = False  # its calls are recorded (decided when a call starts)
    hours: BusinessHours | None = None  # None: the human line is always open
    transfer_mode: str = "cold"  # cold: SIP REFER; warm: dialled in, briefed, connected
    human_trunk: str | None = None  # LiveKit id of the outbound trunk to the human line

    @classmethod
    def from_department(cls, dept: Any, settings: Settings,
                        trunks: Mapping[int, str] | None = None) -> Persona:
        """Build from an `core.models.Department` row (or anything with the same attributes);
        `trunks`: LiveKit ids of the trunks, by row id."""
        trunk_id = getattr(dept, "human_trunk_id", None)
        return cls(
            slug=dept.slug,
            display_name=_frozen(dept.display_name),
            persona_name=_frozen(dept.persona_name),
            default_language=dept.default_language or "ar",
            instructions=_frozen(dept.instructions),
            welcome=_frozen(dept.welcome),
            voices=_frozen({k: _frozen(v) for k, v in (dept.voices or {}).items()}),
            company=_frozen({"ar": settings.company_name_ar, "en": settings.company_name}),
            human_transfer_target=dept.human_transfer_target or None,
            handoff_mode=getattr(dept, "handoff_mode", None) or None,
            record_calls=bool(getattr(dept, "record_calls", False)),
            hours=hours_of(getattr(dept, "hours", None)),
            transfer_mode=getattr(dept, "transfer_mode", None) or "cold",
            human_trunk=(trunks or {}).get(trunk_id) if trunk_id else None,
        )

    def hours_at(self, now: datetime) -> HoursStatus:
        """Whether this department's people are there at `now` (no hours: always)."""
        return status_of(self.hours, now)

    def _pick(self, values: Mapping[str, str], language: str) -> str | None:
        return (values.get(language) or values.get(self.default_language)
                or next(iter(values.values()), None))

    def names(self) -> list[str]:
        """Every name a caller may use for this department (display and persona names)."""
        return [*self.display_name.values(), *self.persona_name.values()]

    def name(self, language: str) -> str:
        return self._pick(self.persona_name, language) or self.slug.title()

    def department_name(self, language: str) -> str:
        return self._pick(self.display_name, language) or self.slug

    def company_name(self, language: str) -> str:
        return self.company.get(language) or self.company.get("en", "")

    def _values(self, language: str, now: datetime | None = None) -> dict[str, str]:
        now = (now or clock.now()).astimezone()
        return {
            "company": self.company_name(language),
            "department": self.department_name(language),
            "persona": self.name(language),
            "language": LANGUAGE_NAMES.get(language, {}).get(language, language),
            "current_time": now.strftime("%Y-%m-%d %H:%M %Z").strip(),
        }

    def instructions_for(self, language: str, now: datetime | None = None) -> str:
        # the language-specific prompt only: a prompt in another language would make the
        # model answer in that language
        template = self.instructions.get(language) or GENERIC_INSTRUCTIONS
        return (render(template, self._values(language, now)) + "\n\n" + KNOWLEDGE_RULE
                + "\n\n" + PEOPLE_RULE)

    def welcome_for(self, language: str) -> str:
        template = self.welcome.get(language) or GENERIC_WELCOME.get(language) \
            or GENERIC_WELCOME["en"]
        return render(template, self._values(language))

    def voice(self, provider: str, language: str) -> str | None:
        return self.voices.get(provider, {}).get(language)


@dataclass(frozen=True)
class PersonaDirectory:
    """All personas of this call, by department slug, and what the assistants understand and
    know (routing examples, knowledge entries): loaded once when the call starts."""

    personas: Mapping[str, Persona] = field(default_factory=dict)
    fallback: str = "reception"
    nlu: NluData | None = None

    @classmethod
    def of(cls, personas: Iterable[Persona], fallback: str = "reception",
           nlu: NluData | None = None) -> PersonaDirectory:
        return cls(personas=MappingProxyType({p.slug: p for p in personas}), fallback=fallback,
                   nlu=nlu)

    def understanding(self) -> Understanding:
        """The fitted classifier and knowledge of this data (cached per process by content;
        without loaded data: the departments' names only)."""
        data = self.nlu or NluData.of({s: p.names() for s, p in self.personas.items()}, [], [])
        return build_understanding(data)

    def get(self, slug: str | None) -> Persona | None:
        return self.personas.get(slug or "")

    def resolve(self, slug: str | None) -> Persona:
        """The persona for `slug`, else the fallback department, else any department."""
        persona = self.get(slug) or self.get(self.fallback) or next(iter(self.personas.values()),
                                                                     None)
        if persona is None:
            raise LookupError("no departments configured")
        return persona

    @property
    def slugs(self) -> list[str]:
        return list(self.personas)

    def open_elsewhere(self, slug: str, now: datetime) -> Persona | None:
        """Another department whose people are there at `now`, one that is always open
        first (where a caller can go when `slug`'s are not)."""
        others = [p for p in self.personas.values() if p.slug != slug and p.hours_at(now).open]
        return min(others, key=lambda p: p.hours is not None, default=None)


def nlu_snapshot(db: Session, settings: Settings) -> NluData:
    """Departments' names, routing examples and knowledge entries, as the classifier's data."""
    slugs = dict(db.execute(select(Department.id, Department.slug)).all())
    names = {slug: [*d.values(), *p.values()] for slug, d, p in db.execute(
        select(Department.slug, Department.display_name, Department.persona_name))}
    examples = [(slugs[dept], text) for dept, text in db.execute(
        select(RoutingExample.department_id, RoutingExample.text))]
    entries = [KnowledgeEntry(key=row.key, department=slugs.get(row.department_id),
                              questions=row.questions or {}, answers=row.answers or {})
               for row in db.scalars(select(KnowledgeModel).order_by(KnowledgeModel.id))]
    return NluData.of(names, examples, entries, route_threshold=settings.nlu_route_threshold,
                      knowledge_threshold=settings.nlu_knowledge_threshold)


def load_directory(settings: Settings) -> PersonaDirectory:
    """Read all departments, their routing examples and the knowledge entries from the DB
    (blocking; call it with asyncio.to_thread)."""
    with session_scope() as db:
        rows = db.scalars(select(Department).order_by(Department.id)).all()
        trunks = {tid: lk_id for tid, lk_id in db.execute(select(Trunk.id, Trunk.livekit_id))
                  if lk_id}
        return PersonaDirectory.of((Persona.from_department(r, settings, trunks) for r in rows),
                                   nlu=nlu_snapshot(db, settings))


def department_for_number(e164: str) -> str | None:
    """The department slug a called number belongs to (blocking)."""
    with session_scope() as db:
        return db.scalar(select(Department.slug).join(PhoneNumber.department)
                         .where(PhoneNumber.e164 == e164))
