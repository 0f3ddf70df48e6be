"""The clarification round: questions from coalitions, answers to all at once.

Answers are published bundled in a numbered nota van inlichtingen. Askers stay
anonymous to everyone outside the municipality: nothing public names them.
"""

from itertools import groupby

from flask_babel import gettext as _
from sqlalchemy import func
from sqlmodel import Session, select

from .. import access
from ..core import audit
from ..core.errors import DomainError, NotFound
from ..models import Case, Clarification, User, utcnow
from ..notifications import Kind, link_to, notify
from ..notifications import recipients as notification_recipients
from ..workflow.phases import in_phase


def ask(session: Session, case: Case, *, actor: User, question: str) -> Clarification:
    access.require(session, access.Capability.take_part_in_tender, actor)
    if not in_phase(case, "tender_open"):
        raise DomainError(_("Questions can only be asked while the tender is open."))
    if case.clarification_deadline is None or utcnow() >= case.clarification_deadline:
        raise DomainError(_("The deadline for clarification questions has passed; questions are no longer accepted."))
    question = question.strip()
    if len(question) < 10:
        raise DomainError(_("Write out your question (at least 10 characters)."))
    clarification = Clarification(case_id=case.id, asked_by_id=actor.id, question=question)
    session.add(clarification)
    # The audit trail is internal; it may name the asker.
    audit.record(session, action="clarification_asked", actor=actor, case=case)
    session.flush()
    return clarification


def get(session: Session, case: Case, clarification_id: int) -> Clarification:
    clarification = session.get(Clarification, clarification_id)
    if clarification is None or clarification.case_id != case.id:
        raise NotFound(_("This question does not exist."))
    return clarification


def answer(session: Session, case: Case, clarification: Clarification, *, actor: User, text: str) -> None:
    access.require(session, access.Capability.steer_case, actor)
    if not in_phase(case, "tender_open"):
        raise DomainError(_("Questions can only be answered while the tender is open."))
    if clarification.nota_number is not None:
        raise DomainError(_("This answer is already published and can no longer change."))
    text = text.strip()
    if not text:
        raise DomainError(_("Write the answer."))
    clarification.answer, clarification.answered_by_id, clarification.answered_at = text, actor.id, utcnow()
    session.add(clarification)
    audit.record(
        session, action="clarification_answered", actor=actor, case=case, details={"clarification_id": clarification.id}
    )
    session.flush()


def publish_nota(session: Session, case: Case, *, actor: User) -> int:
    """Publish every answered, unpublished question as the next nota van inlichtingen."""
    access.require(session, access.Capability.steer_case, actor)
    if not in_phase(case, "tender_open"):
        raise DomainError(_("A nota van inlichtingen can only be published while the tender is open."))
    ready = session.exec(
        select(Clarification).where(
            Clarification.case_id == case.id,
            Clarification.nota_number.is_(None),
            Clarification.answered_at.is_not(None),
        )
    ).all()
    if not ready:
        raise DomainError(_("There are no answered questions to publish."))
    number = (
        session.exec(select(func.max(Clarification.nota_number)).where(Clarification.case_id == case.id)).one() or 0
    ) + 1
    for clarification in ready:
        clarification.nota_number = number
        session.add(clarification)
    audit.record(
        session, action="nota_published", actor=actor, case=case, details={"number": number, "questions": len(ready)}
    )
    audience = notification_recipients.interested(session, case.id)
    askers = session.exec(select(User).where(User.id.in_({c.asked_by_id for c in ready}), User.active)).all()
    notify(  # each asker is told on their own: nobody learns who else asked
        session,
        Kind.answers,
        users=[*audience.users, *askers],
        addresses=audience.addresses,
        case=case,
        template="answers",
        context={
            "title": case.title,
            "reference": case.reference,
            "number": number,
            "questions": len(ready),
            "link": link_to("public.nota", reference=case.reference, number=number),
        },
    )
    session.flush()
    return number


def notas_of(session: Session, case: Case) -> dict[int, list[Clarification]]:
    """Published answers by nota number, for everyone to read."""
    rows = session.exec(
        select(Clarification)
        .where(Clarification.case_id == case.id, Clarification.nota_number.is_not(None))
        .order_by(Clarification.nota_number, Clarification.id)
    ).all()
    return {number: list(items) for number, items in groupby(rows, key=lambda c: c.nota_number)}


def all_questions(session: Session, case: Case) -> list[tuple[Clarification, User]]:
    """For the municipality only: every question with its asker."""
    return list(
        session.exec(
            select(Clarification, User)
            .join(User, User.id == Clarification.asked_by_id)
            .where(Clarification.case_id == case.id)
            .order_by(Clarification.asked_at)
        ).all()
    )


def own_questions(session: Session, case: Case, user: User) -> list[Clarification]:
    return list(
        session.exec(
            select(Clarification)
            .where(Clarification.case_id == case.id, Clarification.asked_by_id == user.id)
            .order_by(Clarification.asked_at)
        ).all()
    )
