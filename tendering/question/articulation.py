"""Question articulation: coaching on the question, and the case's frameworks.

The coaching is advice, never a block: it flags a question phrased as a narrow
solution or output (counts of units, a named activity, "who delivers...") and
points to the method's broad-versus-narrow examples. Guards block only on what
must exist.
"""

import re
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from ..core import audit
from ..core.errors import DomainError, NotFound
from ..models import Case, Framework, FrameworkKind, User
from .tender_lock import tender_change

# Output phrasing in Dutch and English: a supplier or an activity is asked for.
_SUPPLIER = re.compile(
    r"\bwie\s+(levert|leveren|voert|verzorgt|organiseert|bezorgt|plaatst|bouwt|trekt|geeft|draait|exploiteert|"
    r"biedt)\b|\bwho\s+(delivers|supplies|provides|runs|organises|organizes|carries out|performs|puts on|builds)\b",
    re.IGNORECASE,
)
_COUNT = re.compile(
    r"\b\d[\d.,]*\s+(?!procent\b|percent\b|%)(?:[a-zà-ÿ-]+\s+){0,2}?"
    r"(ouderen|mensen|bewoners|kinderen|jongeren|uur|uren|fte|trajecten|plaatsen|bezoeken|maaltijden|"
    r"activiteiten|buurtactiviteiten|cursussen|woningen|huishoudens|gesprekken|elderly|people|residents|children|"
    r"hours|places|visits|meals|activities|courses|homes|households|sessions)\b",
    re.IGNORECASE,
)
_ACTIVITY = re.compile(
    r"\b(steunkousen|maaltijdservice|maaltijden bezorgen|huishoudelijke hulp|schoonmaak|cursus|"
    r"support stockings|meals on wheels|cleaning|course)\b",
    re.IGNORECASE,
)

METHOD_EXAMPLES = [
    (
        _l("Who puts on the support stockings of 500 elderly people?"),
        _l("Who helps us let elderly people grow old happily in our municipality?"),
    ),
    (
        _l("Who organises 20 activities a year in the community centre?"),
        _l("Who helps us make the neighbourhood a place where residents look out for each other again?"),
    ),
    (
        _l("Who delivers 3 FTE of school social work?"),
        _l("Who helps us reduce the educational disadvantage of children in our town?"),
    ),
]

ATTENTION_POINTS = [
    _l("Is the question open enough not to steer the answer?"),
    _l("Does it put the goals before the means?"),
    _l("Does it leave room for surprises and approaches nobody thought of?"),
    _l("Are the frameworks clear: budget, legal conditions, minimum requirements, public values?"),
    _l("Were the people who will carry it out, and those it is for, involved in asking it?"),
]


@dataclass(frozen=True)
class CoachingFlag:
    message: str
    fragment: str


def coach_question(question: str) -> list[CoachingFlag]:
    """Signs that a question asks for output or a supplier instead of an outcome."""
    flags = []
    if match := _COUNT.search(question):
        flags.append(
            CoachingFlag(
                _("It counts units of output (“%(fragment)s”); ask what must change instead.", fragment=match.group(0)),
                match.group(0),
            )
        )
    if match := _SUPPLIER.search(question):
        flags.append(
            CoachingFlag(
                _(
                    "It asks who delivers or carries out something (“%(fragment)s”); ask who helps reach the outcome.",
                    fragment=match.group(0),
                ),
                match.group(0),
            )
        )
    if match := _ACTIVITY.search(question):
        flags.append(
            CoachingFlag(
                _(
                    "It names the activity (“%(fragment)s”), which leaves no room for other approaches.",
                    fragment=match.group(0),
                ),
                match.group(0),
            )
        )
    return flags


FRAMEWORK_LABELS = {
    FrameworkKind.legal: _l("Legal condition"),
    FrameworkKind.minimum_requirement: _l("Minimum requirement"),
    FrameworkKind.public_value: _l("Public value to safeguard"),
    FrameworkKind.other: _l("Other framework"),
}


def frameworks_of(session: Session, case: Case) -> list[Framework]:
    return list(
        session.exec(select(Framework).where(Framework.case_id == case.id).order_by(Framework.kind, Framework.id)).all()
    )


def add_framework(
    session: Session, case: Case, *, actor: User, kind: FrameworkKind, description: str, amendment_note: str = ""
) -> Framework:
    """Add a randvoorwaarde; after publication only as part of an amendment."""
    description = description.strip()
    if not description:
        raise DomainError(_("Describe the framework."))
    with tender_change(session, case, actor=actor, amendment_note=amendment_note):
        framework = Framework(case_id=case.id, kind=kind, description=description)
        session.add(framework)
        audit.record(
            session,
            action="framework_added",
            actor=actor,
            case=case,
            details={"kind": kind.value, "description": description},
        )
    return framework


def remove_framework(session: Session, case: Case, framework_id: int, *, actor: User, amendment_note: str = "") -> None:
    framework = session.get(Framework, framework_id)
    if framework is None or framework.case_id != case.id:
        raise NotFound(_("This framework does not exist."))
    with tender_change(session, case, actor=actor, amendment_note=amendment_note):
        session.delete(framework)
        audit.record(
            session, action="framework_removed", actor=actor, case=case, details={"description": framework.description}
        )
