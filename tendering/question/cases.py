"""Operations on cases: open, edit, list. They flush; the caller commits."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from .. import access
from ..core import audit, locking
from ..core.errors import DomainError, NotFound
from ..models import Case, Outcome, QuestionDocument, User, utcnow
from ..workflow.engine import workflows
from ..workflow.phases import where_in_phase
from .tender_lock import tender_change

EDITABLE_FIELDS = (
    "title",
    "question",
    "problem_analysis",
    "signals",
    "target_group",
    "ambition",
    "theme",
    "budget_ceiling",
    "current_role",
    "desired_role",
    "council_decision_date",
    "council_decision_reference",
)


@dataclass
class CaseFields:
    """What an official types about a case; validated by the form layer."""

    title: str
    question: str = ""
    problem_analysis: str = ""
    signals: str = ""
    target_group: str = ""
    ambition: str = ""
    theme: str = ""
    budget_ceiling: Decimal | None = None
    current_role: str = ""
    desired_role: str = ""
    council_decision_date: date | None = None
    council_decision_reference: str = ""


@access.rule("case_owner", "the official who owns the case", lambda: _("Only the case owner may do this."))
def _owner_rule(_session: Session, user: User, subject: access.Subject) -> bool:
    return subject.case is not None and user.id == subject.case.owner_id


def _next_reference(session: Session, year: int) -> str:
    prefix = f"MA-{year}-"
    count = session.exec(select(func.count()).select_from(Case).where(Case.reference.startswith(prefix))).one()
    return f"{prefix}{count + 1:04d}"


def open_case(session: Session, *, actor: User, fields: CaseFields, workflow: str = "social_tender") -> Case:
    """Open a new societal question in the articulation phase, owned by `actor`."""
    access.require(session, access.Capability.open_case, actor)
    definition = workflows().get(workflow)
    if definition is None:
        raise DomainError(_("Unknown workflow."))
    now = utcnow()
    case = Case(
        reference=_next_reference(session, now.year),
        workflow=workflow,
        state=definition.initial,
        owner_id=actor.id,
        created_at=now,
        updated_at=now,
        **vars(fields),
    )
    session.add(case)
    try:
        session.flush()
    except IntegrityError:  # the request is refused; its error handler drops the transaction
        raise DomainError(_("Another case was opened at the same moment. Please submit again.")) from None
    audit.record(session, action="case_opened", actor=actor, case=case, at=now, details={"workflow": workflow})
    session.flush()
    return case


def edit_case(
    session: Session, case: Case, *, actor: User, fields: CaseFields, expected_version: int, amendment_note: str = ""
) -> Case:
    """Change the basic fields; the audit event lists which ones changed."""
    locking.check_version(case, expected_version)
    changed = [name for name in EDITABLE_FIELDS if getattr(case, name) != getattr(fields, name)]
    if not changed:
        return case
    with tender_change(session, case, actor=actor, amendment_note=amendment_note):
        for name in changed:
            setattr(case, name, getattr(fields, name))
        case.updated_at = utcnow()
        audit.record(session, action="case_edited", actor=actor, case=case, details={"fields": changed})
        locking.flush(session)
    return case


def add_outcome(
    session: Session, case: Case, *, actor: User, description: str, indicator_hint: str = "", amendment_note: str = ""
) -> Outcome:
    """Record a desired outcome: what will really change."""
    description = description.strip()
    if not description:
        raise DomainError(_("Describe the outcome."))
    with tender_change(session, case, actor=actor, amendment_note=amendment_note):
        position = session.exec(select(func.count()).select_from(Outcome).where(Outcome.case_id == case.id)).one()
        outcome = Outcome(
            case_id=case.id, description=description, indicator_hint=indicator_hint.strip(), position=position
        )
        session.add(outcome)
        audit.record(session, action="outcome_added", actor=actor, case=case, details={"description": description})
    return outcome


def get_outcome(session: Session, case: Case, outcome_id: int) -> Outcome:
    outcome = session.get(Outcome, outcome_id)
    if outcome is None or outcome.case_id != case.id:
        raise NotFound(_("This outcome does not exist."))
    return outcome


def update_outcome(
    session: Session,
    case: Case,
    outcome: Outcome,
    *,
    actor: User,
    description: str,
    indicator_hint: str = "",
    amendment_note: str = "",
) -> Outcome:
    """Rewrite a desired outcome (an inherited one too: it stays marked as inherited from the earlier case)."""
    description = description.strip()
    if not description:
        raise DomainError(_("Describe the outcome."))
    with tender_change(session, case, actor=actor, amendment_note=amendment_note):
        before = outcome.description
        outcome.description, outcome.indicator_hint = description, indicator_hint.strip()
        session.add(outcome)
        audit.record(
            session,
            action="outcome_updated",
            actor=actor,
            case=case,
            details={"before": before, "description": description},
        )
    return outcome


def outcomes_of(session: Session, case: Case) -> list[Outcome]:
    return list(session.exec(select(Outcome).where(Outcome.case_id == case.id).order_by(Outcome.position)).all())


def was_published(session: Session, case: Case) -> bool:
    """A case is public from its publication on (its question document exists), whatever happened after."""
    return (
        session.exec(
            select(func.count()).select_from(QuestionDocument).where(QuestionDocument.case_id == case.id)
        ).one()
        > 0
    )


def get_case(session: Session, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(_("This case does not exist."))
    return case


def list_cases(session: Session, *, state: str | None = None, owner: User | None = None) -> list[tuple[Case, User]]:
    """Cases for the officials' list with their owners, in one query."""
    statement = select(Case, User).join(User, User.id == Case.owner_id).order_by(Case.updated_at.desc())
    if state:
        statement = statement.where(Case.state == state)
    if owner is not None:
        statement = statement.where(Case.owner_id == owner.id)
    return list(session.exec(statement).all())


TENDERS_PER_PAGE = 20


@dataclass(frozen=True)
class TenderBoard:
    tenders: list[Case]
    total: int
    page: int
    next_deadline: datetime | None  # the board changes then, when that tender closes

    @property
    def pages(self) -> int:
        return _tender_pages(self.total)


def _tender_pages(total: int) -> int:
    return max((total + TENDERS_PER_PAGE - 1) // TENDERS_PER_PAGE, 1)


def open_tenders(session: Session, page: int = 1) -> TenderBoard:
    """One page of published cases still accepting proposals, soonest deadline first."""
    now = utcnow()
    still_open = (where_in_phase("tender_open"), Case.submission_deadline > now)
    total, next_deadline = session.exec(
        select(func.count(), func.min(Case.submission_deadline)).where(*still_open)
    ).one()
    page = min(page, _tender_pages(total))
    tenders = session.exec(
        select(Case)
        .where(*still_open)
        .order_by(Case.submission_deadline, Case.id)
        .offset((page - 1) * TENDERS_PER_PAGE)
        .limit(TENDERS_PER_PAGE)
    ).all()
    return TenderBoard(list(tenders), total, page, next_deadline)
