"""What was paid, for what, and which outcomes it bought: per agreement and across all of them.

The reader decides what counts: officials and the coalition see every claim;
the council sees only what the municipality approved and paid
(`Capability.read_open_claims`). Every page here runs a fixed number of
queries, whatever the number of payments or agreements.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import format_date, format_decimal
from flask_babel import gettext as _
from sqlalchemy import func
from sqlalchemy.orm import aliased, load_only
from sqlmodel import Session, select

from ..models import (
    Agreement,
    Case,
    ClaimCorrection,
    ClaimStatus,
    Coalition,
    Indicator,
    MeasurementValidation,
    Organisation,
    PaymentClaim,
    PaymentKind,
    PaymentTerm,
    User,
)
from . import claims as claiming
from . import monitoring, payments

APPROVED = (ClaimStatus.approved, ClaimStatus.paid)
ZERO = Decimal("0.00")


@dataclass
class Totals:
    budget: Decimal = ZERO
    committed: Decimal = ZERO
    claimed: Decimal = ZERO  # every claim not rejected; only for readers of open claims
    approved: Decimal = ZERO  # approved, paid or not
    paid: Decimal = ZERO
    paid_for_outcomes: Decimal = ZERO

    @property
    def to_come(self) -> Decimal:
        return self.committed - self.paid


def totals(session: Session, agreements: dict[int, Decimal]) -> dict[int, Totals]:
    """Totals per agreement (id -> budget), in two queries."""
    found = {i: Totals(budget=Decimal(b)) for i, b in agreements.items()}
    if not found:
        return found
    for agreement_id, amount in session.exec(
        select(PaymentTerm.agreement_id, func.sum(PaymentTerm.amount))
        .where(PaymentTerm.agreement_id.in_(found))
        .group_by(PaymentTerm.agreement_id)
    ).all():
        found[agreement_id].committed = Decimal(amount)
    for agreement_id, status, kind, amount in session.exec(
        select(PaymentClaim.agreement_id, PaymentClaim.status, PaymentTerm.kind, func.sum(PaymentClaim.amount))
        .join(PaymentTerm, PaymentTerm.id == PaymentClaim.term_id)
        .where(PaymentClaim.agreement_id.in_(found), PaymentClaim.status != ClaimStatus.rejected)
        .group_by(PaymentClaim.agreement_id, PaymentClaim.status, PaymentTerm.kind)
    ).all():
        entry, amount = found[agreement_id], Decimal(amount)
        entry.claimed += amount
        if status in APPROVED:
            entry.approved += amount
        if status == ClaimStatus.paid:
            entry.paid += amount
            if kind == PaymentKind.outcome:
                entry.paid_for_outcomes += amount
    return found


@dataclass(frozen=True)
class ClaimLine:
    """One claim with what the page says about it."""

    claim: PaymentClaim
    submitter: str
    first_approver: str | None
    approver: str | None
    validation: MeasurementValidation | None
    validator: str | None
    corrections: list[ClaimCorrection]

    @property
    def flagged(self) -> bool:
        return any(c.settled_at is None for c in self.corrections)

    @property
    def settled(self) -> Decimal:
        """What the settlements of earlier corrections already paid (or took back) beside the claim."""
        return sum((c.settlement_amount for c in self.corrections if c.settled_at is not None), Decimal(0))

    def to_settle(self, correction: ClaimCorrection) -> Decimal:
        """What a correction leaves to settle: the new amount less the claim and what was settled before."""
        return correction.recomputed_amount - self.claim.amount - self.settled


@dataclass
class Line:
    """One payment of the schedule with its claims (newest first) and, for the lead, what a claim would come to."""

    term: PaymentTerm
    indicator: Indicator | None
    claims: list[ClaimLine] = field(default_factory=list)
    claimable: claiming.Claimable | None = None

    @property
    def live(self) -> ClaimLine | None:
        return next((c for c in self.claims if c.claim.status != ClaimStatus.rejected), None)

    def bought(self, line: ClaimLine) -> str:
        """What the payment bought, in words: the outcome value, the deliverable, or what it was for."""
        if self.term.kind == PaymentKind.outcome and line.claim.value is not None:
            unit = f" {self.indicator.unit}" if self.indicator and self.indicator.unit else ""
            return _(
                "%(indicator)s: %(value)s%(unit)s in the period from %(period)s",
                indicator=self.indicator.name if self.indicator else "",
                value=format_decimal(line.claim.value),
                unit=unit,
                period=format_date(line.claim.period),
            )
        if self.term.kind == PaymentKind.milestone:
            return self.term.deliverable
        return self.term.description


def schedule(session: Session, agreement: Agreement, *, open_claims: bool, today: date | None = None) -> list[Line]:
    """The schedule with its claims, in six queries. With `today`, each payment says what a claim would come to.
    (Everyone who reads it may see the agreement's confidential indicators: officials, the council, its parties.)"""
    terms = payments.terms_of(session, agreement)
    indicators = {
        i.id: i
        for i in session.exec(
            select(Indicator).where(Indicator.id.in_({t.indicator_id for t in terms if t.indicator_id}))
        ).all()
    }
    lines = {t.id: Line(t, indicators.get(t.indicator_id)) for t in terms}
    statement = select(PaymentClaim).where(PaymentClaim.agreement_id == agreement.id)
    if not open_claims:
        statement = statement.where(PaymentClaim.status.in_(APPROVED))
    found = session.exec(statement.order_by(PaymentClaim.id.desc())).all()
    validations = {
        v.measurement_id: v
        for v in session.exec(
            select(MeasurementValidation).where(
                MeasurementValidation.measurement_id.in_({c.measurement_id for c in found if c.measurement_id})
            )
        ).all()
    }
    corrections: dict[int, list[ClaimCorrection]] = {}
    for correction in session.exec(
        select(ClaimCorrection).where(ClaimCorrection.claim_id.in_([c.id for c in found])).order_by(ClaimCorrection.id)
    ).all():
        corrections.setdefault(correction.claim_id, []).append(correction)
    people = {c.submitted_by_id for c in found} | {c.first_approved_by_id for c in found}
    people |= {c.approved_by_id for c in found} | {v.validated_by_id for v in validations.values()}
    names = dict(session.exec(select(User.id, User.name).where(User.id.in_(people - {None}))).all())
    for claim in found:
        validation = validations.get(claim.measurement_id)
        lines[claim.term_id].claims.append(
            ClaimLine(
                claim,
                names.get(claim.submitted_by_id, ""),
                names.get(claim.first_approved_by_id),
                names.get(claim.approved_by_id),
                validation,
                names.get(validation.validated_by_id) if validation else None,
                corrections.get(claim.id, []),
            )
        )
    if today is not None:
        open_lines = [line for line in lines.values() if line.live is None]
        values = monitoring.current_values(session, list({t.indicator_id for t in terms if t.indicator_id}))
        for line in open_lines:
            line.claimable = claiming.claimable(session, line.term, line.indicator, today, values)
    return list(lines.values())


def totals_of(lines: list[Line], budget: Decimal) -> Totals:
    """The totals of one agreement from its schedule as the reader sees it."""
    found = Totals(budget=budget)
    for line in lines:
        found.committed += line.term.amount
        for entry in line.claims:
            claim = entry.claim
            if claim.status == ClaimStatus.rejected:
                continue
            found.claimed += claim.amount
            if claim.status in APPROVED:
                found.approved += claim.amount
            if claim.status == ClaimStatus.paid:
                found.paid += claim.amount
                if line.term.kind == PaymentKind.outcome:
                    found.paid_for_outcomes += claim.amount
    return found


# Across every agreement -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PortfolioRow:
    case_id: int
    reference: str
    title: str
    coalition: str
    agreement_id: int
    starts_on: date
    ends_on: date
    totals: Totals


def portfolio(session: Session) -> list[PortfolioRow]:
    """Every concluded agreement with its totals, in three queries."""
    rows = session.exec(
        select(Agreement, Case, Coalition.name)
        .join(Case, Case.id == Agreement.case_id)
        .join(Coalition, Coalition.id == Agreement.coalition_id)
        .where(Agreement.concluded_at.is_not(None))
        .options(
            load_only(Agreement.id, Agreement.case_id, Agreement.budget, Agreement.starts_on, Agreement.ends_on),
            load_only(Case.id, Case.reference, Case.title),
        )
        .order_by(Case.reference, Agreement.id)
    ).all()
    sums = totals(session, {a.id: a.budget for a, _c, _n in rows})
    return [
        PortfolioRow(c.id, c.reference, c.title, name, a.id, a.starts_on, a.ends_on, sums[a.id]) for a, c, name in rows
    ]


def portfolio_totals(rows: list[PortfolioRow]) -> Totals:
    found = Totals()
    for row in rows:
        for name in ("budget", "committed", "claimed", "approved", "paid", "paid_for_outcomes"):
            setattr(found, name, getattr(found, name) + getattr(row.totals, name))
    return found


# For the financial administration -------------------------------------------------------------------------------------

FINANCE_HEADER = (
    "claim_id",
    "approved_on",
    "creditor_name",
    "creditor_kvk",
    "case_reference",
    "agreement_id",
    "payment_kind",
    "description",
    "amount",
    "currency",
    "approved_by",
    "second_approver",
)


def approved_for_payment(session: Session) -> list[tuple]:
    """Every approved claim not yet marked paid, with the fields a municipal finance system imports, in one query."""
    first = aliased(User)
    final = aliased(User)
    rows = session.exec(
        select(PaymentClaim, PaymentTerm, Case.reference, Organisation, first.name, final.name)
        .join(PaymentTerm, PaymentTerm.id == PaymentClaim.term_id)
        .join(Agreement, Agreement.id == PaymentClaim.agreement_id)
        .join(Case, Case.id == Agreement.case_id)
        .join(Coalition, Coalition.id == Agreement.coalition_id)
        .join(Organisation, Organisation.id == Coalition.lead_organisation_id)
        .outerjoin(first, first.id == PaymentClaim.first_approved_by_id)
        .join(final, final.id == PaymentClaim.approved_by_id)
        .where(PaymentClaim.status == ClaimStatus.approved)
        .order_by(PaymentClaim.approved_at, PaymentClaim.id)
    ).all()
    return [
        (
            claim.id,
            claim.approved_at.date().isoformat(),
            lead.name,
            lead.kvk_number or "",
            reference,
            claim.agreement_id,
            term.kind.value,
            term.description,
            f"{claim.amount:.2f}",
            "EUR",
            first_name or final_name,
            final_name if first_name else "",
        )
        for claim, term, reference, lead, first_name, final_name in rows
    ]
