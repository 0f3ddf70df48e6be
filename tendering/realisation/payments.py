"""The financial part of the agreement: the payment schedule and what an outcome payment earns.

A payment is fixed (due on a date), tied to a milestone (a deliverable the
municipality accepts) or tied to an outcome (an agreed indicator reaching a
value by a date, paid per unit or per step of progress up to a cap, or only
when the target is reached). The schedule is part of the text both sides
approve: a change raises the agreement's version and withdraws both approvals,
and it never commits more than the budget.
"""

import math
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_DOWN, Decimal, InvalidOperation

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from .. import access
from ..core import audit
from ..core.errors import DomainError, NotFound
from ..models import (
    Agreement,
    Case,
    CoalitionMember,
    Direction,
    Indicator,
    MembershipStatus,
    Organisation,
    PartialRule,
    PaymentKind,
    PaymentTerm,
    User,
)
from . import agreement as agreements

KINDS = {
    PaymentKind.fixed: _l("Fixed payment on a date"),
    PaymentKind.milestone: _l("Payment for a milestone"),
    PaymentKind.outcome: _l("Payment for an outcome"),
}
PARTIAL_RULES = {
    PartialRule.per_unit: _l("Pays the rate for every unit of progress, up to the cap"),
    PartialRule.per_step: _l("Pays the rate for every whole step of progress, up to the cap"),
    PartialRule.nothing: _l("Pays the whole amount once the target is reached, nothing before"),
}
MAX_AMOUNT = Decimal("1000000000")
CENT = Decimal("0.01")
MAX_STEPS = 1e15  # more whole steps than this earn the cap whatever the rate


@dataclass
class TermFields:
    kind: PaymentKind
    description: str
    amount: Decimal
    due_on: date
    deliverable: str = ""
    indicator_id: int | None = None
    reference_value: float | None = None
    target_value: float | None = None
    partial: PartialRule | None = None
    rate: Decimal | None = None
    step: float | None = None
    shares: dict[int, Decimal] = field(default_factory=dict)  # organisation id -> percentage


def terms_of(session: Session, agreement: Agreement) -> list[PaymentTerm]:
    return list(
        session.exec(
            select(PaymentTerm)
            .where(PaymentTerm.agreement_id == agreement.id)
            .order_by(PaymentTerm.due_on, PaymentTerm.id)
        ).all()
    )


def _finite(value: float | None) -> bool:
    return value is None or math.isfinite(value)


def _check(session: Session, agreement: Agreement, fields: TermFields) -> Indicator | None:
    """Every rule of one payment; returns the indicator of an outcome payment."""
    if not fields.description.strip():
        raise DomainError(_("Describe what the payment is for."))
    if not (Decimal(0) < fields.amount <= MAX_AMOUNT):
        raise DomainError(_("The amount must be more than zero."))
    if not (agreement.starts_on <= fields.due_on <= agreement.ends_on):
        raise DomainError(_("A payment falls within the agreement's period."))
    if not all(_finite(v) for v in (fields.reference_value, fields.target_value, fields.step)):
        raise DomainError(_("Enter numbers."))
    if agreements.committed(session, agreement.id) + fields.amount > agreement.budget:
        raise DomainError(_("The schedule would commit more than the agreement's budget."))
    _check_shares(session, agreement, fields.shares)
    if fields.kind == PaymentKind.milestone and not fields.deliverable.strip():
        raise DomainError(_("Say which deliverable the municipality accepts for this payment."))
    if fields.kind != PaymentKind.outcome:
        return None
    indicator = session.get(Indicator, fields.indicator_id) if fields.indicator_id else None
    if indicator is None or indicator.agreement_id != agreement.id:
        raise DomainError(_("Choose the agreed indicator this payment rests on."))
    if fields.target_value is None or fields.partial is None:
        raise DomainError(_("Give the value that earns the payment and what a partly reached target pays."))
    reference = indicator.baseline_value if fields.reference_value is None else fields.reference_value
    if gain(indicator.direction, reference, fields.target_value) <= 0:
        raise DomainError(
            _(
                "The value that earns the whole amount must lie beyond the value progress counts from, in the indicator's direction."
            )
        )
    if fields.partial != PartialRule.nothing and (fields.rate is None or fields.rate.quantize(CENT) <= 0):
        raise DomainError(_("Give the amount per unit or per step of progress."))
    if fields.partial == PartialRule.per_step and (fields.step is None or fields.step <= 0):
        raise DomainError(_("Give the size of a step."))
    return indicator


def _check_shares(session: Session, agreement: Agreement, shares: dict[int, Decimal]) -> None:
    if not shares:
        return
    partners = set(
        session.exec(
            select(CoalitionMember.organisation_id).where(
                CoalitionMember.coalition_id == agreement.coalition_id,
                CoalitionMember.status == MembershipStatus.accepted,
            )
        ).all()
    )
    if not set(shares) <= partners or any(s <= 0 for s in shares.values()):
        raise DomainError(_("Shares go to partners of the coalition, each more than zero."))
    if sum(shares.values()) != 100:
        raise DomainError(_("The partners' shares must add up to 100%."))


def parse_shares(text: str, partners: dict[str, int]) -> dict[int, Decimal]:
    """`Partner name: 60` per line, as the form takes it; names are the coalition partners' names."""
    shares: dict[int, Decimal] = {}
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        name, sep, number = line.rpartition(":")
        organisation = partners.get(name.strip().casefold())
        try:
            share = Decimal(number.strip().rstrip("%").replace(",", "."))
        except InvalidOperation:
            share = None
        if not sep or organisation is None or share is None or not share.is_finite():
            raise DomainError(_("Write one partner per line: the partner's name, a colon and its percentage."))
        shares[organisation] = share
    return shares


def partner_names(session: Session, agreement: Agreement) -> dict[int, str]:
    return dict(
        session.exec(
            select(Organisation.id, Organisation.name)
            .join(CoalitionMember, CoalitionMember.organisation_id == Organisation.id)
            .where(
                CoalitionMember.coalition_id == agreement.coalition_id,
                CoalitionMember.status == MembershipStatus.accepted,
            )
            .order_by(Organisation.name)
        ).all()
    )


def check(session: Session, case: Case, fields: TermFields) -> None:
    """The rules of a payment, for a proposal of the coalition before the owner takes it in."""
    _check(session, agreements.negotiated(session, case), fields)


def add_term(session: Session, case: Case, *, actor: User, fields: TermFields) -> PaymentTerm:
    """A payment in the schedule: the owner's own, or a proposal of the coalition the owner accepted."""
    access.require(session, access.Capability.edit_agreement, actor, case=case)
    current = agreements.negotiated(session, case)
    indicator = _check(session, current, fields)
    term = PaymentTerm(
        agreement_id=current.id,
        kind=fields.kind,
        description=fields.description.strip(),
        amount=fields.amount.quantize(CENT),
        due_on=fields.due_on,
        deliverable=fields.deliverable.strip() if fields.kind == PaymentKind.milestone else "",
        shares={str(k): str(v) for k, v in fields.shares.items()},
    )
    if indicator is not None:
        term.indicator_id, term.target_value, term.partial = indicator.id, fields.target_value, fields.partial
        term.reference_value = indicator.baseline_value if fields.reference_value is None else fields.reference_value
        if fields.partial != PartialRule.nothing:
            term.rate = fields.rate.quantize(CENT)
        if fields.partial == PartialRule.per_step:
            term.step = fields.step
    session.add(term)
    agreements.withdraw_approvals(session, case, current, actor=actor)
    session.flush()
    audit.record(
        session,
        action="payment_term_added",
        actor=actor,
        case=case,
        details={"term_id": term.id, "kind": term.kind.value, "amount": str(term.amount)},
    )
    return term


def remove_term(session: Session, case: Case, term_id: int, *, actor: User) -> None:
    access.require(session, access.Capability.edit_agreement, actor, case=case)
    current = agreements.negotiated(session, case)
    term = session.get(PaymentTerm, term_id)
    if term is None or term.agreement_id != current.id:
        raise NotFound(_("This payment does not exist."))
    session.delete(term)
    agreements.withdraw_approvals(session, case, current, actor=actor)
    audit.record(
        session,
        action="payment_term_removed",
        actor=actor,
        case=case,
        details={"kind": term.kind.value, "amount": str(term.amount), "description": term.description[:200]},
    )
    session.flush()


# What an outcome payment earns ----------------------------------------------------------------------------------------


def gain(direction: Direction, reference: float, value: float) -> float:
    """Progress from the reference value, in the indicator's good direction (negative when it went the wrong way)."""
    return value - reference if direction == Direction.higher_is_better else reference - value


def reached(term: PaymentTerm, indicator: Indicator, value: float) -> bool:
    return gain(indicator.direction, term.reference_value, value) >= gain(
        indicator.direction, term.reference_value, term.target_value
    )


def earned(term: PaymentTerm, indicator: Indicator, value: float) -> Decimal:
    """What the value earns under the term's rule, never more than the cap and never less than nothing."""
    progress = gain(indicator.direction, term.reference_value, value)
    if term.partial == PartialRule.nothing:
        amount = term.amount if reached(term, indicator, value) else Decimal(0)
    elif progress <= 0:
        amount = Decimal(0)
    elif term.partial == PartialRule.per_step:
        steps = progress / term.step  # a tiny step may make this infinite: then the cap is earned
        amount = Decimal(math.floor(steps + 1e-9)) * term.rate if steps < MAX_STEPS else term.amount
    else:
        amount = Decimal(str(progress)) * term.rate
    return max(Decimal(0), min(term.amount, amount)).quantize(CENT, rounding=ROUND_DOWN)
