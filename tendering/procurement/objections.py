"""The decision on an objection to the intended award, and the letter that tells the objecting coalition.

Who decided the award does not judge the objection against it: another official records the decision (the rule
`not_the_award_decider`), upheld or rejected, with a motivation. The coalition receives a letter, frozen with its
hash like the award letters, that names the legal remedy and its term: summary proceedings (kort geding) before
the interim relief judge (voorzieningenrechter) of the civil court. The term is derived from the tender's own
standstill (20 calendar days in a European procedure), counted from the letter, and never shorter than
`REMEDY_MIN_DAYS`, since a national procedure's standstill may be 0 and a coalition still needs time to go to
court. The agreement waits until the term has passed (guard `no_open_objections`). An upheld objection does not
change the award by itself: its motivation states what the municipality does about it.
"""

import hashlib
from dataclasses import dataclass
from datetime import date

from flask import render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlmodel import Session, select

from .. import access
from ..core import audit
from ..core.errors import DomainError, NotFound
from ..models import Case, Coalition, Objection, ObjectionLetter, User, utcnow
from ..notifications import Kind, notify
from ..notifications import recipients as notification_recipients
from ..question.question_document import DOCUMENT_LOCALE
from . import award

OUTCOMES = ("upheld", "rejected")
REMEDY_MIN_DAYS = 10


@access.rule(
    "not_the_award_decider",
    "an award decision exists and the official did not take it",
    lambda: _("The decision on an objection is recorded by another official than the one who took the award decision."),
)
def _not_the_award_decider(session: Session, user: User, subject: access.Subject) -> bool:
    decision = award.current_decision(session, subject.case) if subject.case is not None else None
    return decision is not None and decision.decided_by_id != user.id


def remedy_days(case: Case) -> int:
    return max(case.standstill_days, REMEDY_MIN_DAYS)


@dataclass(frozen=True)
class DecisionLetterFacts:
    case: Case
    coalition: Coalition
    objection: Objection
    decided_by: User
    remedy_days: int
    remedy_last_day: date


def decide(
    session: Session, case: Case, objection_id: int, *, actor: User, outcome: str, motivation: str
) -> ObjectionLetter:
    """Record the decision on one open objection and send the objecting coalition its letter, in one transaction."""
    access.require(session, access.Capability.decide_objection, actor, case=case)
    objection = next((o for o, _org in award.objections(session, case) if o.id == objection_id), None)
    if objection is None:
        raise NotFound(_("This objection does not exist."))
    if objection.resolved_at is not None:
        raise DomainError(_("This objection is already decided."))
    if outcome not in OUTCOMES:
        raise DomainError(_("Choose whether the objection is upheld or rejected."))
    if not motivation.strip():
        raise DomainError(_("Give the motivation of the decision on the objection."))
    coalition = session.get(Coalition, objection.coalition_id) if objection.coalition_id else None
    if coalition is None:
        raise DomainError(_("This objection names no coalition, so no letter can be sent."))
    now = utcnow()
    objection.resolved_at, objection.resolved_by_id = now, actor.id
    objection.outcome, objection.resolution = outcome, motivation.strip()
    session.add(objection)
    days = remedy_days(case)
    remedy_ends = award.standstill_end(now, days)
    with force_locale(DOCUMENT_LOCALE):
        html = render_template(
            "award/objection_letter.html",
            letter=DecisionLetterFacts(case, coalition, objection, actor, days, award.end_day(remedy_ends)),
        )
    letter = ObjectionLetter(
        objection_id=objection.id,
        coalition_id=coalition.id,
        content_html=html,
        sha256=hashlib.sha256(html.encode()).hexdigest(),
        sent_at=now,
        remedy_ends_at=remedy_ends,
    )
    session.add(letter)
    audience = notification_recipients.of_coalitions(session, [coalition.id]).get(
        coalition.id, notification_recipients.Audience()
    )
    notify(
        session,
        Kind.objection_decision,
        users=audience.users,
        addresses=audience.addresses,
        case=case,
        template="objection_decision",
        context={
            "title": case.title,
            "reference": case.reference,
            "link": url_for("award.own_letter", coalition_id=coalition.id, _external=True) + "#objections",
        },
    )
    audit.record(
        session,
        action="objection_decided",
        actor=actor,
        case=case,
        at=now,
        details={
            "objection_id": objection.id,
            "outcome": outcome,
            "remedy_ends_at": remedy_ends.isoformat(),
            "letter_sha256": letter.sha256,
        },
    )
    session.flush()
    return letter


def letters_for(session: Session, objection_ids: list[int]) -> dict[int, ObjectionLetter]:
    rows = session.exec(select(ObjectionLetter).where(ObjectionLetter.objection_id.in_(objection_ids))).all()
    return {row.objection_id: row for row in rows}


def deciders(session: Session, objections: list[Objection]) -> dict[int, User]:
    ids = {o.resolved_by_id for o in objections if o.resolved_by_id}
    return {u.id: u for u in session.exec(select(User).where(User.id.in_(ids))).all()}
