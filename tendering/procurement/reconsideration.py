"""A round that ends without award, and the new round that follows it.

When no proposal is good enough (or none came), the owner records what must
change before trying again: the question, the frameworks including the
budget, or the urgency. `rearticulate` then starts the next round in
articulation; proposals, evaluations and openings of earlier rounds stay
where they are, tagged with their round, so the history is never lost.
"""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from ..core import audit
from ..core.errors import DomainError, NotAllowed
from ..models import Case, Reconsideration, User, utcnow
from ..workflow.effects import effect
from ..workflow.phases import in_phase

CHANGES = {
    "question": _l("The question itself"),
    "frameworks": _l("The frameworks, including the budget"),
    "urgency": _l("The urgency and the timeline"),
}


def of_round(session: Session, case: Case, round_: int | None = None) -> Reconsideration | None:
    round_ = case.round if round_ is None else round_
    return session.exec(
        select(Reconsideration).where(Reconsideration.case_id == case.id, Reconsideration.round == round_)
    ).first()


def history(session: Session, case: Case) -> list[Reconsideration]:
    """Every recorded reconsideration of the case, first round first."""
    return list(
        session.exec(
            select(Reconsideration).where(Reconsideration.case_id == case.id).order_by(Reconsideration.round)
        ).all()
    )


def record(session: Session, case: Case, *, actor: User, changes: list[str], note: str) -> Reconsideration:
    """The owner writes down what changes before a new round; it can be revised until the round starts."""
    if actor.id != case.owner_id:
        raise NotAllowed(_("Only the case owner records the reconsideration."))
    if not in_phase(case, "reconsidering"):
        raise DomainError(_("A reconsideration is recorded in the phase “Reconsideration”."))
    changes = [c for c in CHANGES if c in changes]
    if not changes:
        raise DomainError(_("Choose what must change: the question, the frameworks or the urgency."))
    if not note.strip():
        raise DomainError(_("Describe what changes and why."))
    row = of_round(session, case) or Reconsideration(
        case_id=case.id, round=case.round, note="", recorded_by_id=actor.id
    )
    row.changes, row.note, row.recorded_by_id, row.recorded_at = changes, note.strip(), actor.id, utcnow()
    session.add(row)
    audit.record(
        session,
        action="reconsideration_recorded",
        actor=actor,
        case=case,
        details={"round": case.round, "changes": changes},
    )
    session.flush()
    return row


@effect("start_new_round")
def start_new_round(session: Session, case: Case, actor: User | None) -> None:
    """Workflow effect of `rearticulate`: the next round; deadlines are set anew before publication."""
    case.round += 1
    case.clarification_deadline = None
    case.submission_deadline = None
    session.add(case)
