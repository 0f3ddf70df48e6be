"""Evaluators of a case: officials the owner assigns (scoring follows in the evaluation phase)."""

from flask_babel import gettext as _
from sqlmodel import Session, select

from ..core import audit
from ..core.errors import DomainError, NotAllowed
from ..models import Case, EvaluatorAssignment, Role, User


def evaluators_of(session: Session, case: Case) -> list[User]:
    return list(
        session.exec(
            select(User)
            .join(EvaluatorAssignment, EvaluatorAssignment.user_id == User.id)
            .where(EvaluatorAssignment.case_id == case.id)
            .order_by(User.name)
        ).all()
    )


def assignable_officials(session: Session, case: Case) -> list[User]:
    taken = select(EvaluatorAssignment.user_id).where(EvaluatorAssignment.case_id == case.id)
    return list(
        session.exec(
            select(User).where(User.role == Role.official, User.active, User.id.not_in(taken)).order_by(User.name)
        ).all()
    )


def assign_evaluator(session: Session, case: Case, *, actor: User, evaluator_id: int) -> None:
    if actor.id != case.owner_id:
        raise NotAllowed(_("Only the case owner assigns evaluators."))
    evaluator = session.get(User, evaluator_id)
    if evaluator is None or evaluator.role != Role.official or not evaluator.active:
        raise DomainError(_("Evaluators are active officials."))
    if session.exec(
        select(EvaluatorAssignment).where(
            EvaluatorAssignment.case_id == case.id, EvaluatorAssignment.user_id == evaluator_id
        )
    ).first():
        raise DomainError(_("This official is already an evaluator of the case."))
    session.add(EvaluatorAssignment(case_id=case.id, user_id=evaluator_id))
    audit.record(session, action="evaluator_assigned", actor=actor, case=case, details={"evaluator_id": evaluator_id})
    session.flush()
