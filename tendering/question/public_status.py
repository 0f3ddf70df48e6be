"""What a tender's public page says about where it stands, once it is no longer open.

Read from the phase groups (never from state names), so every workflow variant is told the same way. It says what
happened, never who bid: while proposals are sealed or being evaluated the page names no coalition and no count;
the award notice (`procurement.award.public_notice`) is the first to name the winner.
"""

from dataclasses import dataclass

from sqlmodel import Session, select

from ..models import AuditEvent, Case
from ..workflow.phases import in_phase


@dataclass(frozen=True)
class PublicStatus:
    kind: str  # open, evaluating, strategy_chosen, award_made, completed, reconsidering, rearticulating, called_off, withdrawn
    reason: str = ""  # why the case was cancelled or the question withdrawn, as the official recorded it

    @property
    def closed(self) -> bool:
        return self.kind != "open"


def _ending(session: Session, case: Case) -> AuditEvent | None:
    """The transition that ended the case."""
    return session.exec(
        select(AuditEvent)
        .where(AuditEvent.case_id == case.id, AuditEvent.action == "transition")
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(1)
    ).first()


def status_of(session: Session, case: Case) -> PublicStatus:
    """Where a published case stands, for the public."""
    if in_phase(case, "tender_open"):
        return PublicStatus("open")
    if in_phase(case, "concluded"):
        return PublicStatus("completed")
    if in_phase(case, "award_known"):
        return PublicStatus("award_made")
    if in_phase(case, "strategy_chosen"):
        return PublicStatus("strategy_chosen")
    if in_phase(case, "proposals_scorable"):
        return PublicStatus("evaluating")
    if in_phase(case, "reconsidering"):
        return PublicStatus("reconsidering")
    if in_phase(case, "stopped"):
        ending = _ending(session, case)
        withdrawn = ending is not None and ending.trigger == "withdraw"
        return PublicStatus("withdrawn" if withdrawn else "called_off", ending.reason if ending is not None else "")
    return PublicStatus("rearticulating")  # published before, now back before publication for a new round
