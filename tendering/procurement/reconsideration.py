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
from ..workflow.labels import summarises
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
    """The owner writes down what changes before a new round; it can be revised until the round starts.

    The three kinds of change are independent: any one of them, or more, is enough. The audit event carries what
    was chosen and written, and what it replaced when the owner revises it.
    """
    if actor.id != case.owner_id:
        raise NotAllowed(_("Only the case owner records the reconsideration."))
    if not in_phase(case, "reconsidering"):
        raise DomainError(_("A reconsideration is recorded in the phase “Reconsideration”."))
    changes = [c for c in CHANGES if c in changes]
    if not changes:
        raise DomainError(_("Choose at least one thing that must change: the question, the frameworks or the urgency."))
    if not note.strip():
        raise DomainError(_("Describe what changes and why."))
    row = of_round(session, case)
    details = {"round": case.round, "changes": changes, "note": note.strip()}
    if row is None:
        row = Reconsideration(case_id=case.id, round=case.round, note="", recorded_by_id=actor.id)
    else:
        details.update(previous_changes=list(row.changes), previous_note=row.note)
    row.changes, row.note, row.recorded_by_id, row.recorded_at = changes, note.strip(), actor.id, utcnow()
    session.add(row)
    audit.record(session, action="reconsideration_recorded", actor=actor, case=case, details=details)
    session.flush()
    return row


def change_labels(changes: list[str]) -> str:
    """The chosen kinds of change in words, in the order of `CHANGES`."""
    return "; ".join(str(label) for key, label in CHANGES.items() if key in changes)


@summarises("reconsideration_recorded")
def _summary(details: dict) -> list[str]:
    lines = [
        _(
            "Round %(n)s: must change: %(changes)s",
            n=details.get("round", "?"),
            changes=change_labels(details.get("changes", [])),
        )
    ]
    if details.get("note"):
        lines.append(_("Why: %(note)s", note=details["note"]))
    if "previous_changes" in details:
        lines.append(_("Before this revision: %(changes)s", changes=change_labels(details["previous_changes"])))
    return lines


def reflection(session: Session, case: Case) -> Reconsideration | None:
    """What was learned from the round before the current one, for the articulation of the new round."""
    return of_round(session, case, case.round - 1) if case.round > 1 else None


@effect("start_new_round")
def start_new_round(session: Session, case: Case, actor: User | None) -> None:
    """Workflow effect of `rearticulate`: the next round; deadlines are set anew before publication."""
    case.round += 1
    case.clarification_deadline = None
    case.submission_deadline = None
    case.expected_award_on = None
    session.add(case)
