"""Proposals that conflicts of interest leave with fewer than two evaluators.

The award rests on independent judgements: a proposal that, after declared conflicts, fewer than two evaluators can
score is flagged on the evaluation overview and the award page, and the award is blocked (the guard
`two_evaluators_per_proposal`) until the owner assigns another evaluator (`evaluation.assign_evaluator`) or records
here why the award may rest on fewer judgements: who, when and why, in the audit trail.
"""

from flask_babel import gettext as _
from sqlmodel import Session, select

from .. import access
from ..core import audit
from ..core.errors import DomainError
from ..models import Case, EvaluatorShortfallException, User
from ..workflow.guards import Scorers, scorers
from ..workflow.phases import in_phase
from .scoring import Entry
from .tender_box import is_open


def shortfalls(session: Session, case: Case) -> dict[int, Scorers]:
    """Proposals that fewer than two evaluators can score, excepted or not, by proposal id."""
    return {pid: row for pid, row in scorers(session, case).items() if row.possible < 2}


def exceptions_of(session: Session, case: Case) -> dict[int, tuple[EvaluatorShortfallException, User]]:
    proposal_ids = list(shortfalls(session, case))
    rows = session.exec(
        select(EvaluatorShortfallException, User)
        .join(User, User.id == EvaluatorShortfallException.recorded_by_id)
        .where(EvaluatorShortfallException.proposal_id.in_(proposal_ids))
    ).all()
    return {exception.proposal_id: (exception, user) for exception, user in rows}


def record_exception(session: Session, case: Case, entry: Entry, *, actor: User, reason: str) -> None:
    """The owner's motivated exception for one short proposal, before the award is known."""
    access.require(session, access.Capability.record_consensus, actor, case=case)
    if in_phase(case, "award_known") or not is_open(session, case):
        raise DomainError(_("An exception is recorded after the opening and before the award decision is sent."))
    row = shortfalls(session, case).get(entry.proposal_id)
    if row is None:
        raise DomainError(_("Two or more evaluators can score this proposal: no exception is needed."))
    if row.excepted:
        raise DomainError(_("An exception is already recorded for this proposal."))
    if not reason.strip():
        raise DomainError(_("Give the reason for the exception."))
    session.add(
        EvaluatorShortfallException(proposal_id=entry.proposal_id, reason=reason.strip(), recorded_by_id=actor.id)
    )
    audit.record(
        session,
        action="evaluator_shortfall_excepted",
        actor=actor,
        case=case,
        details={"proposal_id": entry.proposal_id, "coalition": entry.coalition.name, "reason": reason.strip()},
    )
    session.flush()
