"""Coalition forming and the tender set-up: procedure, award criteria,
deadlines, minimum partners, the contact log and the public interest board."""

from dataclasses import dataclass
from datetime import date, datetime
from types import EllipsisType

from flask_babel import gettext as _
from sqlmodel import Session, select

from .. import access
from ..core import audit
from ..core.errors import DomainError, NotAllowed, NotFound
from ..core.i18n import utc_to_local
from ..models import AwardCriterion, Case, ContactKind, ContactMoment, Interest, Organisation, User, utcnow
from ..procurement import stages
from ..workflow.engine import workflows
from ..workflow.phases import in_phase
from .tender_lock import needs_amendment, tender_change
from .tender_rules import check_standstill


@dataclass
class CriterionFields:
    name: str
    weight: int
    scale_max: int = 10
    description: str = ""
    is_price: bool = False
    price_formula: str = ""
    stage: str = ""  # a ProposalStage value, asked in the two-stage variant only (`stages.criterion_stage`)


def criteria_of(session: Session, case: Case) -> list[AwardCriterion]:
    return list(
        session.exec(
            select(AwardCriterion)
            .where(AwardCriterion.case_id == case.id)
            .order_by(AwardCriterion.position, AwardCriterion.id)
        ).all()
    )


def weight_total(criteria: list[AwardCriterion]) -> int:
    return sum(c.weight for c in criteria)


def price_outweighs_the_rest(criteria: list[AwardCriterion]) -> bool:
    """The method's warning: price weighs more than all other criteria together."""
    price = sum(c.weight for c in criteria if c.is_price)
    return price > 0 and price > weight_total(criteria) - price


def _validate_criterion(fields: CriterionFields) -> None:
    if not fields.name.strip():
        raise DomainError(_("Give the criterion a name."))
    if not 0 <= fields.weight <= 100:
        raise DomainError(_("A weight lies between 0 and 100."))
    if not 1 <= fields.scale_max <= 100:
        raise DomainError(_("The scoring scale runs from 0 to at least 1 and at most 100."))
    if fields.price_formula and not fields.is_price:
        raise DomainError(_("A price formula applies only to the price criterion."))


def add_criterion(
    session: Session, case: Case, *, actor: User, fields: CriterionFields, amendment_note: str = ""
) -> AwardCriterion:
    _validate_criterion(fields)
    fields.stage = stages.criterion_stage(case, fields.stage)
    with tender_change(session, case, actor=actor, amendment_note=amendment_note):
        criterion = AwardCriterion(case_id=case.id, position=len(criteria_of(session, case)), **vars(fields))
        session.add(criterion)
        audit.record(
            session,
            action="criterion_added",
            actor=actor,
            case=case,
            details={"name": fields.name, "weight": fields.weight},
        )
    return criterion


def get_criterion(session: Session, case: Case, criterion_id: int) -> AwardCriterion:
    criterion = session.get(AwardCriterion, criterion_id)
    if criterion is None or criterion.case_id != case.id:
        raise NotFound(_("This criterion does not exist."))
    return criterion


def remove_criterion(
    session: Session, case: Case, criterion: AwardCriterion, *, actor: User, amendment_note: str = ""
) -> None:
    with tender_change(session, case, actor=actor, amendment_note=amendment_note):
        session.delete(criterion)
        audit.record(session, action="criterion_removed", actor=actor, case=case, details={"name": criterion.name})


def set_procedure(
    session: Session,
    case: Case,
    *,
    actor: User,
    clarification_deadline: datetime | None,
    submission_deadline: datetime | None,
    min_partners: int,
    standstill_days: int | None = None,
    national_procedure: bool | None = None,
    standstill_reason: str | None = None,
    expected_award_on: date | None | EllipsisType = ...,
    amendment_note: str = "",
) -> None:
    """Set the deadlines, the minimum number of partners per coalition and, when given, the standstill period that
    follows the award decision, whether the procedure is national and why a shorter standstill (`tender_rules`),
    and the expected award date (None: none; left out: unchanged), which falls after the submission deadline's day."""
    if min_partners < 1:
        raise DomainError(_("A coalition has at least one partner organisation."))
    national = case.national_procedure if national_procedure is None else national_procedure
    reason = (case.standstill_reason if standstill_reason is None else standstill_reason).strip()
    check_standstill(
        case.standstill_days if standstill_days is None else standstill_days, national=national, reason=reason
    )
    if clarification_deadline and submission_deadline and clarification_deadline >= submission_deadline:
        raise DomainError(_("The clarification deadline must come before the submission deadline."))
    if needs_amendment(case) and any(d is None or d <= utcnow() for d in (clarification_deadline, submission_deadline)):
        raise DomainError(_("An amendment cannot move a deadline into the past."))
    expected = case.expected_award_on if expected_award_on is ... else expected_award_on
    if expected is not None and submission_deadline is None:
        raise DomainError(_("Set the submission deadline before the expected award date."))
    if expected is not None and expected <= utc_to_local(submission_deadline).date():
        raise DomainError(_("The expected award date must fall after the day of the submission deadline."))
    with tender_change(session, case, actor=actor, amendment_note=amendment_note):
        case.clarification_deadline = clarification_deadline
        case.submission_deadline = submission_deadline
        case.min_partners = min_partners
        if standstill_days is not None:
            case.standstill_days = standstill_days
        case.national_procedure, case.standstill_reason = national, reason
        case.expected_award_on = expected
        case.updated_at = utcnow()
        session.add(case)
        audit.record(
            session,
            action="procedure_set",
            actor=actor,
            case=case,
            details={
                "clarification_deadline": clarification_deadline.isoformat() if clarification_deadline else None,
                "submission_deadline": submission_deadline.isoformat() if submission_deadline else None,
                "min_partners": min_partners,
                "standstill_days": case.standstill_days,
                "national_procedure": national,
                "standstill_reason": reason,
                "expected_award_on": expected.isoformat() if expected else None,
            },
        )


def set_variant(session: Session, case: Case, *, actor: User, workflow: str) -> None:
    """Choose the procedure (one stage or two); only before publication."""
    access.require(session, access.Capability.steer_case, actor)
    if workflow not in workflows():
        raise DomainError(_("Unknown workflow."))
    if not in_phase(case, "procedure_choosable"):
        raise DomainError(_("The procedure can only be chosen before publication."))
    if case.workflow != workflow:
        audit.record(
            session, action="variant_set", actor=actor, case=case, details={"from": case.workflow, "to": workflow}
        )
        case.workflow = workflow
        session.add(case)
        stages.restage_criteria(session, case)
        session.flush()


def contact_moments_of(session: Session, case: Case) -> list[ContactMoment]:
    return list(
        session.exec(
            select(ContactMoment).where(ContactMoment.case_id == case.id).order_by(ContactMoment.held_on.desc())
        ).all()
    )


def log_contact(
    session: Session, case: Case, *, actor: User, kind: ContactKind, held_on: date, with_whom: str, result: str
) -> ContactMoment:
    """A visit, invitation, meeting or letter that mobilises possible partners."""
    access.require(session, access.Capability.steer_case, actor)
    if not with_whom.strip():
        raise DomainError(_("Say with whom the contact was."))
    moment = ContactMoment(
        case_id=case.id,
        kind=kind,
        held_on=held_on,
        with_whom=with_whom.strip(),
        result=result.strip(),
        recorded_by_id=actor.id,
    )
    session.add(moment)
    audit.record(
        session,
        action="contact_logged",
        actor=actor,
        case=case,
        details={"kind": kind.value, "with": with_whom.strip()},
    )
    session.flush()
    return moment


def interests_of(session: Session, case: Case) -> list[tuple[Interest, Organisation]]:
    return list(
        session.exec(
            select(Interest, Organisation)
            .join(Organisation, Organisation.id == Interest.organisation_id)
            .where(Interest.case_id == case.id)
            .order_by(Interest.created_at)
        ).all()
    )


def register_interest(session: Session, case: Case, *, actor: User, offer: str) -> Interest:
    """An organisation says publicly that it wants to contribute, and with what."""
    access.require(session, access.Capability.take_part_in_tender, actor)
    if actor.organisation_id is None:
        raise NotAllowed(_("Only members of an organisation can register interest."))
    if not in_phase(case, "coalitions_forming"):
        raise DomainError(_("Interest can be registered during coalition forming and while the tender is open."))
    offer = offer.strip()
    if not offer:
        raise DomainError(_("Say what your organisation can bring."))
    interest = session.exec(
        select(Interest).where(Interest.case_id == case.id, Interest.organisation_id == actor.organisation_id)
    ).first() or Interest(case_id=case.id, organisation_id=actor.organisation_id, offer=offer)
    interest.offer = offer
    session.add(interest)
    audit.record(
        session,
        action="interest_registered",
        actor=actor,
        case=case,
        details={"organisation_id": actor.organisation_id},
    )
    session.flush()
    return interest
