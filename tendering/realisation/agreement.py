"""The agreement with the winning coalition: budget, period, indicators, oversight.

It is negotiated while the standstill runs, starting from the winning
proposal's price and outcome commitments, and frozen as a document (HTML,
hash, PDF) when `conclude_agreement` fires. From then on the coalition reports
on these indicators at the agreed cadence.
"""

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func
from sqlmodel import Session, select

from .. import access
from ..core import audit
from ..core.errors import DomainError, NotFound
from ..models import (
    Agreement,
    AwardDecision,
    Case,
    Coalition,
    Direction,
    Indicator,
    Outcome,
    PaymentTerm,
    Proposal,
    Role,
    User,
    utcnow,
)
from ..notifications import Kind, notify
from ..notifications import recipients as notification_recipients
from ..parties import coalitions
from ..procurement import award
from ..question.question_document import DOCUMENT_LOCALE
from ..workflow.effects import effect
from . import monitoring

FREQUENCIES = {
    "monthly": _l("Monthly"),
    "quarterly": _l("Quarterly"),
    "half_yearly": _l("Every six months"),
    "yearly": _l("Yearly"),
}
OVERSEERS = {
    "municipality": _l("The municipality"),
    "client_panel": _l("A client panel"),
    "stakeholders": _l("Other stakeholders"),
}
DIRECTIONS = {Direction.higher_is_better: _l("Higher is better"), Direction.lower_is_better: _l("Lower is better")}


@dataclass
class AgreementFields:
    budget: Decimal
    starts_on: date
    ends_on: date
    overseers: list[str]
    monitoring_arrangement: str
    report_cadence: str
    risk_sharing: str = ""
    validator_email: str = ""  # the independent validator of outcome values, an account on the platform


@dataclass
class IndicatorFields:
    name: str
    definition: str
    unit: str
    direction: Direction
    data_source: str
    baseline_value: float
    baseline_date: date
    target_value: float
    target_date: date
    norm_at_risk: float | None
    norm_off_track: float | None
    frequency: str
    measured_by: str
    outcome_id: int | None = None
    confidential: bool = False


@dataclass(frozen=True)
class Basis:
    """What the agreement starts from: the current award and the winning proposal."""

    decision: object
    proposal: Proposal
    coalition: Coalition


def basis(session: Session, case: Case) -> Basis | None:
    decision = award.current_decision(session, case)
    if decision is None or decision.letters_sent_at is None:
        return None
    proposal, coalition = session.exec(
        select(Proposal, Coalition)
        .join(Coalition, Coalition.id == Proposal.coalition_id)
        .where(Proposal.id == decision.proposal_id)
    ).one()
    return Basis(decision, proposal, coalition)


def agreement_of(session: Session, case: Case) -> Agreement | None:
    """The agreement of the current award, if one is being negotiated or concluded."""
    current = award.current_decision_id(case.id, case.round)
    return session.exec(select(Agreement).where(Agreement.award_decision_id == current)).first()


def negotiated(session: Session, case: Case) -> Agreement:
    """The agreement while both sides design it: refused before its terms are recorded and once it is concluded."""
    current = agreement_of(session, case)
    if current is None:
        raise DomainError(_("The municipality first records the agreement's terms; then both sides design it."))
    if current.concluded_at is not None:
        raise DomainError(_("The agreement is concluded and can no longer change."))
    return current


@access.rule(
    "party_to_agreement",
    "the user's organisation is a partner in the coalition the agreement binds",
    lambda: _("There is nothing of this agreement for you: only its parties and the municipality see it."),
    hides=True,
)
def _party_rule(session: Session, user: User, subject: access.Subject) -> bool:
    current = agreement_of(session, subject.case) if subject.case is not None else None
    return current is not None and coalitions.is_member(session, current.coalition_id, user, accepted=True)


@access.rule(
    "winning_coalition",
    "the user's organisation accepted its place in the coalition the award letters name as the winner",
    lambda: _("There is nothing of this agreement for you: only its parties and the municipality see it."),
    hides=True,
)
def _winner_rule(session: Session, user: User, subject: access.Subject) -> bool:
    found = basis(session, subject.case) if subject.case is not None else None
    return found is not None and coalitions.is_member(session, found.coalition.id, user, accepted=True)


@access.rule(
    "lead_of_winning_coalition",
    "the user belongs to the lead organisation of the coalition the award letters name as the winner",
    lambda: _("Only the coalition's lead approves the agreement for the coalition."),
)
def _lead_rule(session: Session, user: User, subject: access.Subject) -> bool:
    found = basis(session, subject.case) if subject.case is not None else None
    return found is not None and coalitions.is_lead(session, found.coalition.id, user)


def withdraw_approvals(session: Session, case: Case, agreement: Agreement, *, actor: User) -> None:
    """A change of the text: a new version, and the approvals given to the old one no longer hold."""
    agreement.version += 1
    if agreement.municipality_approved_at is None and agreement.lead_approved_at is None:
        return
    agreement.municipality_approved_at = agreement.municipality_approved_by_id = None
    agreement.lead_approved_at = agreement.lead_approved_by_id = None
    session.add(agreement)
    audit.record(
        session,
        action="agreement_approvals_withdrawn",
        actor=actor,
        case=case,
        details={"agreement_id": agreement.id, "version": agreement.version},
    )


def indicators_of(session: Session, agreement: Agreement) -> list[Indicator]:
    return list(
        session.exec(select(Indicator).where(Indicator.agreement_id == agreement.id).order_by(Indicator.id)).all()
    )


def save(session: Session, case: Case, *, actor: User, fields: AgreementFields) -> Agreement:
    """Record or revise the agreement's terms with the winning coalition."""
    access.require(session, access.Capability.edit_agreement, actor, case=case)
    found = basis(session, case)
    if found is None:
        raise DomainError(_("The agreement follows the award letters."))
    if fields.budget <= 0:
        raise DomainError(_("The budget must be more than zero."))
    if case.budget_ceiling is not None and fields.budget > case.budget_ceiling:
        raise DomainError(_("The budget may not exceed the budget ceiling of the tender."))
    if fields.ends_on <= fields.starts_on:
        raise DomainError(_("The agreement must end after it starts."))
    if fields.report_cadence not in FREQUENCIES:
        raise DomainError(_("Choose how often progress is reported."))
    overseers = [o for o in OVERSEERS if o in fields.overseers]
    if not overseers:
        raise DomainError(_("Choose who oversees the outcomes."))
    existing = agreement_of(session, case)
    if existing is not None and fields.budget < committed(session, existing.id):
        raise DomainError(_("The payment schedule commits more than this budget."))
    validator = _validator(session, found.coalition.id, fields.validator_email)
    agreement = existing or Agreement(
        case_id=case.id,
        coalition_id=found.coalition.id,
        award_decision_id=found.decision.id,
        budget=fields.budget,
        starts_on=fields.starts_on,
        ends_on=fields.ends_on,
    )
    agreement.budget, agreement.starts_on, agreement.ends_on = fields.budget, fields.starts_on, fields.ends_on
    agreement.overseers, agreement.monitoring_arrangement = overseers, fields.monitoring_arrangement.strip()
    agreement.report_cadence, agreement.recorded_by_id, agreement.updated_at = fields.report_cadence, actor.id, utcnow()
    agreement.risk_sharing, agreement.validator_id = fields.risk_sharing.strip(), validator.id if validator else None
    if existing is not None:
        withdraw_approvals(session, case, agreement, actor=actor)
    session.add(agreement)
    session.flush()
    audit.record(session, action="agreement_saved", actor=actor, case=case, details={"agreement_id": agreement.id})
    return agreement


def committed(session: Session, agreement_id: int) -> Decimal:
    """What the payment schedule commits: every payment's amount, an outcome payment's cap."""
    total = session.exec(select(func.sum(PaymentTerm.amount)).where(PaymentTerm.agreement_id == agreement_id)).one()
    return Decimal(total or 0)


def _validator(session: Session, coalition_id: int, email: str) -> User | None:
    """The independent validator the agreement names: an account outside the coalition it checks."""
    email = (email or "").strip()
    if not email:
        return None
    found = session.exec(select(User).where(func.lower(User.email) == email.lower())).first()
    if found is None or found.role not in (Role.official, Role.coalition_member) or not found.active:
        raise DomainError(_("No account with this e-mail address can validate outcome values."))
    if coalitions.is_member(session, coalition_id, found, accepted=False):
        raise DomainError(_("The validator must be independent of the coalition."))
    return found


def check_norms(direction: Direction, at_risk: float | None, off_track: float | None) -> None:
    """The "off track" norm lies beyond the "at risk" one, away from the target: for agreed and city indicators."""
    if at_risk is not None and off_track is not None:
        worse = off_track < at_risk if direction == Direction.higher_is_better else off_track > at_risk
        if not worse:
            raise DomainError(
                _("The “off track” threshold must lie beyond the “at risk” threshold, away from the target.")
            )


def _check_indicator(session: Session, case: Case, fields: IndicatorFields) -> None:
    if not fields.name.strip() or not fields.definition.strip():
        raise DomainError(_("An indicator needs a name and a definition."))
    if fields.target_date <= fields.baseline_date:
        raise DomainError(_("The target date must come after the baseline date."))
    if fields.frequency not in FREQUENCIES:
        raise DomainError(_("Choose how often the indicator is measured."))
    if not fields.measured_by.strip() or not fields.data_source.strip():
        raise DomainError(_("Say who measures the indicator and from which data source."))
    check_norms(fields.direction, fields.norm_at_risk, fields.norm_off_track)
    if fields.outcome_id is not None and session.get(Outcome, fields.outcome_id) is None:
        raise DomainError(_("Unknown outcome."))


def _values(fields: IndicatorFields) -> dict:
    return vars(fields) | {"name": fields.name.strip(), "definition": fields.definition.strip()}


def change_indicator(session: Session, case: Case, indicator: Indicator, *, actor: User, fields: IndicatorFields):
    """An agreed indicator changed (a proposal of either side, accepted by the case owner): a new version."""
    access.require(session, access.Capability.edit_agreement, actor, case=case)
    agreement = agreement_of(session, case)
    if agreement is None or indicator.agreement_id != agreement.id:
        raise NotFound(_("This indicator does not exist."))
    _check_indicator(session, case, fields)
    for name, value in _values(fields).items():
        setattr(indicator, name, value)
    session.add(indicator)
    withdraw_approvals(session, case, agreement, actor=actor)
    session.flush()
    audit.record(
        session,
        action="indicator_changed",
        actor=actor,
        case=case,
        details={"indicator_id": indicator.id, "name": indicator.name},
    )
    return indicator


def add_indicator(session: Session, case: Case, *, actor: User, fields: IndicatorFields) -> Indicator:
    """An agreed outcome indicator, taken from the proposal's commitments and negotiated."""
    access.require(session, access.Capability.edit_agreement, actor, case=case)
    agreement = agreement_of(session, case)
    if agreement is None:
        raise DomainError(_("Record the agreement's terms before its indicators."))
    _check_indicator(session, case, fields)
    indicator = Indicator(agreement_id=agreement.id, **_values(fields))
    session.add(indicator)
    withdraw_approvals(session, case, agreement, actor=actor)
    session.flush()
    audit.record(
        session,
        action="indicator_agreed",
        actor=actor,
        case=case,
        details={"indicator_id": indicator.id, "name": indicator.name},
    )
    return indicator


def remove_indicator(session: Session, case: Case, indicator_id: int, *, actor: User) -> None:
    access.require(session, access.Capability.edit_agreement, actor, case=case)
    agreement = agreement_of(session, case)
    indicator = session.get(Indicator, indicator_id)
    if agreement is None or indicator is None or indicator.agreement_id != agreement.id:
        raise NotFound(_("This indicator does not exist."))
    session.delete(indicator)
    withdraw_approvals(session, case, agreement, actor=actor)
    audit.record(session, action="indicator_removed", actor=actor, case=case, details={"name": indicator.name})
    session.flush()


def document_context(session: Session, case: Case, agreement: Agreement) -> dict:
    from . import payments  # the schedule's module builds on this one

    outcomes = {o.id: o for o in session.exec(select(Outcome).where(Outcome.case_id == case.id)).all()}
    indicators = indicators_of(session, agreement)
    approvers = [agreement.municipality_approved_by_id, agreement.lead_approved_by_id]
    names = dict(session.exec(select(User.id, User.name).where(User.id.in_([i for i in approvers if i]))).all())
    return {
        "municipality_approver": names.get(agreement.municipality_approved_by_id),
        "lead_approver": names.get(agreement.lead_approved_by_id),
        "case": case,
        "agreement": agreement,
        "coalition": session.get(Coalition, agreement.coalition_id),
        "decision": session.get(AwardDecision, agreement.award_decision_id),
        "indicators": indicators,
        "outcomes": outcomes,
        "terms": payments.terms_of(session, agreement),
        "term_indicators": {i.id: i for i in indicators},
        "committed": committed(session, agreement.id),
        "partners": payments.partner_names(session, agreement),
        "payment_kinds": payments.KINDS,
        "partial_rules": payments.PARTIAL_RULES,
        "validator": session.get(User, agreement.validator_id) if agreement.validator_id else None,
        "frequencies": FREQUENCIES,
        "overseers": OVERSEERS,
        "directions": DIRECTIONS,
    }


def public_document_context(session: Session, case: Case, agreement: Agreement) -> dict:
    """The concluded agreement as anyone may read it: without its confidential indicators, what payments on them
    rest on, and the names of the people who approved it (the parties are named; their staff are not published)."""
    context = document_context(session, case, agreement)
    public = [i for i in context["indicators"] if not i.confidential]
    return context | {
        "indicators": public,
        "term_indicators": {i.id: i for i in public},
        "municipality_approver": None,
        "lead_approver": None,
        "public": True,
    }


@effect("freeze_agreement")
def freeze_on_conclusion(session: Session, case: Case, actor: User | None) -> None:
    """Workflow effect of `conclude_agreement`: the document in Dutch, with its hash; the coalition is told."""
    agreement = agreement_of(session, case)
    now = utcnow()
    agreement.concluded_at, agreement.concluded_by_id = now, actor.id if actor else None
    with force_locale(DOCUMENT_LOCALE):
        agreement.content_html = render_template(
            "agreement/document.html", **document_context(session, case, agreement)
        )
        agreement.sha256 = hashlib.sha256(agreement.content_html.encode()).hexdigest()
    audience = notification_recipients.of_coalitions(session, [agreement.coalition_id]).get(
        agreement.coalition_id, notification_recipients.Audience()
    )
    notify(
        session,
        Kind.agreement_approval,
        users=audience.users,
        addresses=audience.addresses,
        case=case,
        template="agreement_concluded",
        context={"title": case.title, "reference": case.reference, "sha": agreement.sha256},
        default_locale=DOCUMENT_LOCALE,
    )
    session.add(agreement)
    monitoring.refresh(session, indicators_of(session, agreement))
    audit.record(
        session, action="agreement_frozen", actor=actor, case=case, at=now, details={"sha256": agreement.sha256}
    )


def concluded(session: Session, case: Case) -> Agreement | None:
    """The concluded agreement, for the public notice; None while it is negotiated."""
    current = agreement_of(session, case)
    return current if current is not None and current.concluded_at is not None else None
