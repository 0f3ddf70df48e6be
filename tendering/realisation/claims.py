"""Claims: no euro of an outcome payment moves without validated values behind it.

The lead claims a payment that is due, with its evidence; an outcome claim
rests on the indicator's value in force at the payment's date, taken from the
reported measurements (never retyped) and kept on the claim as it was. Someone
outside the coalition confirms that value (an official who did not report it,
or the validator the agreement names) before the claim goes before the
municipality. Officials approve or reject it, two of them above the amount set
per install (`PAYMENT_FOUR_EYES_ABOVE`), never the one who validated its values;
an approved claim is marked paid with the financial administration's reference.
A correction of a value a claim rests on flags the claim (`ClaimCorrection`)
and is settled on the record; the claim itself does not change.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask import current_app, has_request_context, url_for
from flask_babel import force_locale, format_date, format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _p
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from .. import access
from ..core import audit, locking
from ..core.errors import DomainError, NotFound
from ..core.i18n import money
from ..models import (
    OPEN_CLAIMS,
    Agreement,
    Case,
    ClaimCorrection,
    ClaimStatus,
    Indicator,
    Measurement,
    MeasurementValidation,
    PartialRule,
    PaymentClaim,
    PaymentKind,
    PaymentTerm,
    User,
    utcnow,
)
from ..notifications import Kind, notify
from ..notifications import recipients as notification_recipients
from ..parties import coalitions
from ..question.question_document import DOCUMENT_LOCALE
from . import agreement as agreements
from . import monitoring, payments

MAX_TEXT = 20000
MAX_REFERENCE = 100
STATUS_LABELS = {
    ClaimStatus.awaiting_validation: _l("Awaiting validation of its value"),
    ClaimStatus.submitted: _l("Submitted"),
    ClaimStatus.approved: _l("Approved"),
    ClaimStatus.paid: _l("Paid"),
    ClaimStatus.rejected: _p("claim status", "Rejected"),
}


# Who may not read a claim before its approval (`read_open_claims`) sees none of these in the case's audit trail:
# they name claims, amounts, reasons and notes the finances page keeps from that reader.
OPEN_CLAIM_EVENTS = frozenset(
    {
        "payment_claimed",
        "measurement_validated",
        "measurement_not_confirmed",
        "payment_claim_first_approval",
        "payment_claim_rejected",
    }
)


def hidden_events(session: Session, case: Case, user: User) -> frozenset[str]:
    if access.decide(session, access.Capability.read_open_claims, user, case=case):
        return frozenset()
    return OPEN_CLAIM_EVENTS


@access.rule(
    "named_validator",
    "the user is the independent validator the case's concluded agreement names",
    lambda: _("Only the validator the agreement names checks its outcome values."),
    hides=True,
)
def _validator_rule(session: Session, user: User, subject: access.Subject) -> bool:
    found = agreements.concluded(session, subject.case) if subject.case is not None else None
    return found is not None and found.validator_id == user.id


def four_eyes_above() -> Decimal:
    return Decimal(str(current_app.config["PAYMENT_FOUR_EYES_ABOVE"]))


def needs_two(claim: PaymentClaim) -> bool:
    return claim.amount > four_eyes_above()


def _concluded(session: Session, case: Case) -> Agreement:
    found = agreements.concluded(session, case)
    if found is None:
        raise NotFound(_("This case has no concluded agreement."))
    return found


def _term(session: Session, current: Agreement, term_id: int) -> PaymentTerm:
    term = session.get(PaymentTerm, term_id)
    if term is None or term.agreement_id != current.id:
        raise NotFound(_("This payment does not exist."))
    return term


def _claim(session: Session, current: Agreement, claim_id: int, *, serialise: bool = False) -> PaymentClaim:
    if serialise:  # two officials or a double click take turns on the claim
        locking.serialise(session, PaymentClaim, claim_id)
    found = session.exec(
        locking.fresh(select(PaymentClaim).where(PaymentClaim.id == claim_id, PaymentClaim.agreement_id == current.id))
    ).first()
    if found is None:
        raise NotFound(_("This claim does not exist."))
    return found


def _text(value: str, *, required: str | None = None, limit: int = MAX_TEXT) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(required)
    if len(value) > limit:
        raise DomainError(_("The text is too long."))
    return value


# What may be claimed ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claimable:
    """What a claim of the payment would come to today, or why it cannot be made."""

    amount: Decimal
    measurement: Measurement | None = None
    problem: str | None = None


def value_at(values: dict[date, Measurement], term: PaymentTerm) -> Measurement | None:
    """Of an indicator's values in force, the one for the latest period that started by the payment's date."""
    periods = [p for p in values if p <= term.due_on]
    return values[max(periods)] if periods else None


def claimable(
    session: Session,
    term: PaymentTerm,
    indicator: Indicator | None,
    today: date,
    values: dict[int, dict[date, Measurement]] | None = None,
) -> Claimable:
    """What a claim of the payment comes to today, or why it cannot be made. `values` are the values in force of
    the indicators, when a page has read them for all its payments at once."""
    if term.kind == PaymentKind.fixed and today < term.due_on:
        return Claimable(
            term.amount, problem=_("This payment can be claimed from %(date)s.", date=format_date(term.due_on))
        )
    if term.kind != PaymentKind.outcome:
        return Claimable(term.amount)
    if values is None:
        values = monitoring.current_values(session, [term.indicator_id])
    found = value_at(values[term.indicator_id], term)
    if found is None:
        return Claimable(
            Decimal(0),
            problem=_("No value of “%(name)s” is reported for a period up to %(date)s.", **_about(term, indicator)),
        )
    amount = payments.earned(term, indicator, found.value)
    context = _about(term, indicator) | {"value": format_decimal(found.value), "period": format_date(found.period)}
    if not payments.reached(term, indicator, found.value) and today < term.due_on:
        if term.partial == PartialRule.nothing:
            problem = _(
                "The target of %(target)s is not reached: the value in force is %(value)s (period %(period)s). "
                "Only reaching the target pays.",
                **context,
            )
        else:
            problem = _(
                "The target of %(target)s is not reached: the value in force is %(value)s (period %(period)s). "
                "What is partly reached can be claimed from %(date)s.",
                **context,
            )
        return Claimable(amount, found, problem)
    if amount <= 0:
        return Claimable(
            amount,
            found,
            _("The value in force, %(value)s (period %(period)s), earns nothing under this payment.", **context),
        )
    return Claimable(amount, found)


def _about(term: PaymentTerm, indicator: Indicator | None) -> dict:
    return {
        "name": indicator.name if indicator else "",
        "target": format_decimal(term.target_value) if term.target_value is not None else "",
        "date": format_date(term.due_on),
    }


def validation_of(session: Session, measurement_id: int | None) -> MeasurementValidation | None:
    if measurement_id is None:
        return None
    return session.exec(
        select(MeasurementValidation).where(MeasurementValidation.measurement_id == measurement_id)
    ).first()


# The coalition claims -------------------------------------------------------------------------------------------------


def submit(session: Session, case: Case, term_id: int, *, actor: User, evidence: str, today: date) -> PaymentClaim:
    """The lead claims a payment that is due; an outcome claim waits for its values to be validated."""
    access.require(session, access.Capability.claim_payment, actor, case=case)
    current = _concluded(session, case)
    term = _term(session, current, term_id)
    indicator = session.get(Indicator, term.indicator_id) if term.indicator_id else None
    evidence = _text(
        evidence,
        required=_("Describe the deliverable the municipality is asked to accept.")
        if term.kind == PaymentKind.milestone
        else None,
    )
    found = claimable(session, term, indicator, today)
    if found.problem:
        raise DomainError(found.problem)
    validation = validation_of(session, found.measurement.id if found.measurement else None)
    if validation is not None and not validation.confirmed:
        raise DomainError(_("The value this claim rests on was not confirmed; correct it first."))
    waiting = term.kind == PaymentKind.outcome and validation is None
    claim = PaymentClaim(
        term_id=term.id,
        agreement_id=current.id,
        status=ClaimStatus.awaiting_validation if waiting else ClaimStatus.submitted,
        amount=found.amount,
        evidence=evidence,
        measurement_id=found.measurement.id if found.measurement else None,
        value=found.measurement.value if found.measurement else None,
        period=found.measurement.period if found.measurement else None,
        submitted_by_id=actor.id,
    )
    try:
        with session.begin_nested():
            session.add(claim)
    except IntegrityError:
        raise DomainError(_("This payment has already been claimed.")) from None
    audit.record(
        session,
        action="payment_claimed",
        actor=actor,
        case=case,
        details={"claim_id": claim.id, "term_id": term.id, "amount": str(claim.amount), "status": claim.status.value},
    )
    if waiting:
        _mail_validators(session, case, current, claim, indicator)
    return claim


def _mail_validators(session: Session, case: Case, current: Agreement, claim: PaymentClaim, indicator) -> None:
    ids = [i for i in (current.validator_id, case.owner_id) if i]
    users = list(session.exec(select(User).where(User.id.in_(ids), User.active).order_by(User.id)).all())
    with force_locale(DOCUMENT_LOCALE):  # the figures as the agreement writes them
        value, period = format_decimal(claim.value), format_date(claim.period)
    notify(
        session,
        Kind.payment_claim,
        users=users,
        case=case,
        template="claim_needs_validation",
        context={
            "title": case.title,
            "reference": case.reference,
            "indicator": indicator.name,
            "value": value,
            "period": period,
            "link": url_for("finances.validation", case_id=case.id, _external=True) if has_request_context() else "",
        },
        default_locale=DOCUMENT_LOCALE,
    )


# Validation of the values ---------------------------------------------------------------------------------------------


def validate(
    session: Session, case: Case, measurement_id: int, *, actor: User, confirmed: bool, note: str
) -> MeasurementValidation:
    """Confirm a value in force, or say why it is not confirmed (the claims resting on it are then rejected)."""
    access.require(session, access.Capability.validate_outcomes, actor, case=case)
    current = _concluded(session, case)
    measurement = session.get(Measurement, measurement_id)
    indicator = session.get(Indicator, measurement.indicator_id) if measurement else None
    if indicator is None or indicator.agreement_id != current.id:
        raise NotFound(_("This value does not exist."))
    in_force = monitoring.current_values(session, [indicator.id])[indicator.id].get(measurement.period)
    if in_force is None or in_force.id != measurement.id:
        raise DomainError(_("This value was corrected since; validate the value in force."))
    if measurement.reported_by_id == actor.id or coalitions.is_member(
        session, current.coalition_id, actor, accepted=False
    ):
        raise DomainError(_("A value is validated by someone outside the coalition who did not report it."))
    note = _text(note, required=None if confirmed else _("Say why the value is not confirmed."))
    validation = MeasurementValidation(
        measurement_id=measurement.id, confirmed=confirmed, note=note, validated_by_id=actor.id
    )
    try:
        with session.begin_nested():
            session.add(validation)
    except IntegrityError:
        raise DomainError(_("This value has already been validated.")) from None
    waiting = session.exec(
        select(PaymentClaim).where(
            PaymentClaim.measurement_id == measurement.id, PaymentClaim.status == ClaimStatus.awaiting_validation
        )
    ).all()
    for claim in waiting:
        if confirmed:
            claim.status = ClaimStatus.submitted
        else:
            _reject(claim, actor, _("The value the claim rests on was not confirmed: %(note)s", note=note))
        session.add(claim)
    session.flush()
    if not confirmed:
        for claim in waiting:
            _tell_coalition(session, case, current, claim, "claim_rejected")
    audit.record(
        session,
        action="measurement_validated" if confirmed else "measurement_not_confirmed",
        actor=actor,
        case=case,
        reason=note,
        details={"measurement_id": measurement.id, "indicator_id": indicator.id, "claims": [c.id for c in waiting]},
    )
    return validation


def awaiting_validation(session: Session, current: Agreement) -> list[tuple]:
    """The claims waiting for their value to be validated, with the payment, the indicator, the value and who
    reported it, in one query."""
    return list(
        session.exec(
            select(PaymentClaim, PaymentTerm, Indicator, Measurement, User.name)
            .join(PaymentTerm, PaymentTerm.id == PaymentClaim.term_id)
            .join(Indicator, Indicator.id == PaymentTerm.indicator_id)
            .join(Measurement, Measurement.id == PaymentClaim.measurement_id)
            .join(User, User.id == Measurement.reported_by_id)
            .where(PaymentClaim.agreement_id == current.id, PaymentClaim.status == ClaimStatus.awaiting_validation)
            .order_by(PaymentClaim.id)
        ).all()
    )


# The municipality decides -----------------------------------------------------------------------------------------------


def approval_problem(session: Session, claim: PaymentClaim, actor: User) -> str | None:
    """Why `actor` may not approve the claim now, or None."""
    if claim.status != ClaimStatus.submitted:
        return _("Only a submitted claim can be approved.")
    if actor.id == claim.submitted_by_id:
        return _("Who submitted a claim cannot approve it.")
    if claim.measurement_id is not None:
        validation = validation_of(session, claim.measurement_id)
        if validation is None or not validation.confirmed:
            return _("The values this claim rests on are not validated.")
        if validation.validated_by_id == actor.id:
            return _("Who validated the values cannot also approve the claim.")
    if open_corrections(session, [claim.id]):
        return _("A value this claim rests on was corrected; reject the claim so that it can be made again.")
    if claim.first_approved_by_id == actor.id:
        return _("A second official must approve this claim: it is above %(amount)s.", amount=money(four_eyes_above()))
    return None


def approve(session: Session, case: Case, claim_id: int, *, actor: User) -> PaymentClaim:
    access.require(session, access.Capability.approve_claim, actor, case=case)
    current = _concluded(session, case)
    claim = _claim(session, current, claim_id, serialise=True)
    if problem := approval_problem(session, claim, actor):
        raise DomainError(problem)
    now, details = utcnow(), {"claim_id": claim.id, "amount": str(claim.amount)}
    if needs_two(claim) and claim.first_approved_by_id is None:
        claim.first_approved_by_id, claim.first_approved_at = actor.id, now
        session.add(claim)
        audit.record(session, action="payment_claim_first_approval", actor=actor, case=case, details=details)
        return claim
    claim.status, claim.approved_by_id, claim.approved_at = ClaimStatus.approved, actor.id, now
    session.add(claim)
    audit.record(session, action="payment_claim_approved", actor=actor, case=case, details=details)
    _tell_coalition(session, case, current, claim, "claim_approved")
    return claim


def _reject(claim: PaymentClaim, actor: User, reason: str) -> None:
    claim.status, claim.rejected_by_id, claim.rejected_at, claim.rejection_reason = (
        ClaimStatus.rejected,
        actor.id,
        utcnow(),
        reason,
    )


def reject(session: Session, case: Case, claim_id: int, *, actor: User, reason: str) -> PaymentClaim:
    access.require(session, access.Capability.approve_claim, actor, case=case)
    current = _concluded(session, case)
    claim = _claim(session, current, claim_id, serialise=True)
    if claim.status not in OPEN_CLAIMS:
        raise DomainError(_("Only a claim that is not yet approved can be rejected."))
    _reject(claim, actor, _text(reason, required=_("Say why the claim is rejected.")))
    session.add(claim)
    session.flush()
    audit.record(
        session,
        action="payment_claim_rejected",
        actor=actor,
        case=case,
        reason=claim.rejection_reason,
        details={"claim_id": claim.id},
    )
    _tell_coalition(session, case, current, claim, "claim_rejected")
    return claim


def record_paid(
    session: Session, case: Case, claim_id: int, *, actor: User, paid_on: date, reference: str, today: date
) -> PaymentClaim:
    """The financial administration paid an approved claim: the date and its reference."""
    access.require(session, access.Capability.record_payment, actor, case=case)
    current = _concluded(session, case)
    claim = _claim(session, current, claim_id, serialise=True)
    if claim.status != ClaimStatus.approved:
        raise DomainError(_("Only an approved claim can be marked paid."))
    if paid_on > today or paid_on < claim.approved_at.date():
        raise DomainError(_("The payment date lies between the approval and today."))
    claim.payment_reference = _text(
        reference, required=_("Give the financial administration's reference."), limit=MAX_REFERENCE
    )
    claim.status, claim.paid_on = ClaimStatus.paid, paid_on
    claim.paid_recorded_by_id, claim.paid_recorded_at = actor.id, utcnow()
    session.add(claim)
    session.flush()
    audit.record(
        session,
        action="payment_recorded",
        actor=actor,
        case=case,
        details={"claim_id": claim.id, "paid_on": paid_on.isoformat(), "reference": claim.payment_reference},
    )
    return claim


def _tell_coalition(session: Session, case: Case, current: Agreement, claim: PaymentClaim, template: str) -> None:
    with force_locale(DOCUMENT_LOCALE):  # the amount as the agreement writes it
        amount = money(claim.amount)
    audience = notification_recipients.of_coalitions(session, [current.coalition_id]).get(
        current.coalition_id, notification_recipients.Audience()
    )
    notify(
        session,
        Kind.payment_claim,
        users=audience.users,
        addresses=audience.addresses,
        case=case,
        template=template,
        context={"title": case.title, "reference": case.reference, "amount": amount, "reason": claim.rejection_reason},
        default_locale=DOCUMENT_LOCALE,
    )


# Corrections after a claim --------------------------------------------------------------------------------------------


def flag_corrections(session: Session, case: Case, corrected_ids: list[int], *, actor: User) -> None:
    """Values were corrected (`measurements.report` and `store`). A claim rests on an indicator's value for a period,
    so every later correction of that period concerns it, however often the value was corrected before. A claim
    not yet approved is rejected with the reason, so that the lead can claim again on the value in force; an
    approved or paid one is never changed but flagged, with what the payment comes to on the new value. One query
    when no claim rests on the corrected values (the usual case)."""
    if not corrected_ids:
        return
    rows = session.exec(
        select(Measurement, PaymentClaim, PaymentTerm, Indicator)
        .join(PaymentTerm, PaymentTerm.indicator_id == Measurement.indicator_id)
        .join(PaymentClaim, (PaymentClaim.term_id == PaymentTerm.id) & (PaymentClaim.period == Measurement.period))
        .join(Indicator, Indicator.id == Measurement.indicator_id)
        .where(Measurement.supersedes_id.in_(corrected_ids), PaymentClaim.status != ClaimStatus.rejected)
        .order_by(PaymentClaim.id)
    ).all()
    current = _concluded(session, case) if rows else None
    for correction, claim, term, indicator in rows:
        details = {"claim_id": claim.id, "measurement_id": correction.id, "value": correction.value}
        if claim.status in OPEN_CLAIMS:
            _reject(
                claim,
                actor,
                _(
                    "The value this claim rests on was corrected to %(value)s; claim again on the value in force.",
                    value=format_decimal(correction.value),
                ),
            )
            session.add(claim)
            audit.record(
                session,
                action="payment_claim_rejected",
                actor=actor,
                case=case,
                reason=claim.rejection_reason,
                details=details,
            )
            _tell_coalition(session, case, current, claim, "claim_rejected")
            continue
        session.add(
            ClaimCorrection(
                claim_id=claim.id,
                corrected_id=correction.supersedes_id,
                correction_id=correction.id,
                new_value=correction.value,
                recomputed_amount=payments.earned(term, indicator, correction.value),
            )
        )
        audit.record(session, action="payment_claim_flagged", actor=actor, case=case, details=details)
    session.flush()


def open_corrections(session: Session, claim_ids: list[int]) -> list[ClaimCorrection]:
    if not claim_ids:
        return []
    return list(
        session.exec(
            select(ClaimCorrection).where(ClaimCorrection.claim_id.in_(claim_ids), ClaimCorrection.settled_at.is_(None))
        ).all()
    )


def settle(
    session: Session, case: Case, correction_id: int, *, actor: User, settlement: str, amount: Decimal
) -> ClaimCorrection:
    """The municipality records how a correction after an approved claim is settled: paid later, paid back, or
    nothing, and why. The claim keeps what was approved; the settlement is its own record."""
    access.require(session, access.Capability.record_payment, actor, case=case)
    current = _concluded(session, case)
    correction = session.get(ClaimCorrection, correction_id)
    claim = session.get(PaymentClaim, correction.claim_id) if correction else None
    if claim is None or claim.agreement_id != current.id:
        raise NotFound(_("This correction does not exist."))
    locking.serialise(session, ClaimCorrection, correction.id)
    session.refresh(correction)
    if correction.settled_at is not None:
        raise DomainError(_("This correction has already been settled."))
    if claim.status not in (ClaimStatus.approved, ClaimStatus.paid):
        raise DomainError(_("A claim that is not approved is rejected and made again, not settled."))
    if not amount.is_finite() or abs(amount) > payments.MAX_AMOUNT:
        raise DomainError(_("Enter an amount."))
    correction.settlement = _text(settlement, required=_("Say how the correction is settled."))
    correction.settlement_amount = amount.quantize(payments.CENT)
    correction.settled_at, correction.settled_by_id = utcnow(), actor.id
    session.add(correction)
    session.flush()
    audit.record(
        session,
        action="payment_claim_settled",
        actor=actor,
        case=case,
        reason=correction.settlement,
        details={"claim_id": claim.id, "correction_id": correction.id, "amount": str(correction.settlement_amount)},
    )
    return correction
