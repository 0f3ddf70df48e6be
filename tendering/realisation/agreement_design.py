"""The agreement is designed together: the coalition proposes, both sides comment, both approve.

While the agreement is negotiated, the winning coalition's partners propose
indicators, changes of agreed ones, payments for the schedule and texts for the
monitoring arrangement and the risk sharing,
and both sides comment. The case owner accepts a proposal (it becomes part of
the text) or declines it with a reason. The thread is append-only: a proposal's
decision is set once, in columns of its own.
The case owner (for the municipality) and the lead (for the coalition) approve
a numbered version of the text; any change raises the version and withdraws both
approvals (`agreement.withdraw_approvals`), and `conclude_agreement` waits for both
(`workflow.guards.agreement_approved_by_both`).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from .. import access
from ..core import audit
from ..core.errors import DomainError, NotFound
from ..models import (
    Agreement,
    AgreementContribution,
    AuditEvent,
    Case,
    Direction,
    Indicator,
    PartialRule,
    PaymentKind,
    Role,
    User,
    utcnow,
)
from ..notifications import Kind, notify
from ..notifications import recipients as notification_recipients
from ..question.question_document import DOCUMENT_LOCALE
from . import agreement as agreements
from . import payments

MUNICIPALITY, COALITION = "municipality", "coalition"
SIDES = {MUNICIPALITY: _l("Municipality"), COALITION: _l("Coalition")}
PROPOSALS = {
    "indicator": _l("Proposed indicator"),
    "change": _l("Proposed change of the indicator"),
    "arrangement": _l("Proposed monitoring arrangement"),
    "payment": _l("Proposed payment"),
    "risk_sharing": _l("Proposed risk sharing"),
}
KINDS = PROPOSALS | {"comment": _l("Comment")}
DECISIONS = {"accepted": _l("Accepted"), "declined": _l("Declined")}
MAX_TEXT = 20000


def side_of(user: User) -> str:
    return MUNICIPALITY if user.role == Role.official else COALITION


def _indicator(session: Session, current: Agreement, indicator_id: int | None) -> Indicator | None:
    if indicator_id is None:
        return None
    found = session.get(Indicator, indicator_id)
    if found is None or found.agreement_id != current.id:
        raise NotFound(_("This indicator does not exist."))
    return found


def _text(body: str, *, required: str) -> str:
    body = (body or "").strip()
    if not body:
        raise DomainError(required)
    if len(body) > MAX_TEXT:
        raise DomainError(_("The text is too long."))
    return body


# Indicator fields travel in the proposal as JSON ----------------------------------------------------------------


def to_payload(fields: agreements.IndicatorFields) -> dict:
    values = vars(fields).copy()
    values["direction"] = fields.direction.value
    for name in ("baseline_date", "target_date"):
        values[name] = values[name].isoformat()
    return values


def from_payload(payload: dict) -> agreements.IndicatorFields:
    values = dict(payload)
    values["direction"] = Direction(values["direction"])
    for name in ("baseline_date", "target_date"):
        values[name] = date.fromisoformat(values[name])
    return agreements.IndicatorFields(**values)


def payment_payload(fields: payments.TermFields) -> dict:
    values = vars(fields).copy()
    values["kind"] = fields.kind.value
    values["partial"] = fields.partial.value if fields.partial else None
    values["due_on"] = fields.due_on.isoformat()
    for name in ("amount", "rate"):
        values[name] = None if values[name] is None else str(values[name])
    values["shares"] = {str(k): str(v) for k, v in fields.shares.items()}
    return values


def payment_from_payload(payload: dict) -> payments.TermFields:
    values = dict(payload)
    values["kind"] = PaymentKind(values["kind"])
    values["partial"] = PartialRule(values["partial"]) if values["partial"] else None
    values["due_on"] = date.fromisoformat(values["due_on"])
    for name in ("amount", "rate"):
        values[name] = None if values[name] is None else Decimal(values[name])
    values["shares"] = {int(k): Decimal(v) for k, v in values["shares"].items()}
    return payments.TermFields(**values)


def fields_of(indicator: Indicator) -> agreements.IndicatorFields:
    """An agreed indicator as the fields a change proposal starts from."""
    names = agreements.IndicatorFields.__dataclass_fields__
    return agreements.IndicatorFields(**{name: getattr(indicator, name) for name in names})


# Writing the thread ---------------------------------------------------------------------------------------------------


def _contribute(session: Session, case: Case, current: Agreement, *, actor: User, **values) -> AgreementContribution:
    entry = AgreementContribution(agreement_id=current.id, author_id=actor.id, side=side_of(actor), **values)
    session.add(entry)
    session.flush()
    audit.record(
        session,
        action="agreement_contribution_made",
        actor=actor,
        case=case,
        details={"contribution_id": entry.id, "kind": entry.kind, "side": entry.side},
    )
    return entry


def propose_indicator(
    session: Session, case: Case, *, actor: User, fields: agreements.IndicatorFields, note: str = ""
) -> AgreementContribution:
    """The coalition proposes a new indicator, checked as the official's own would be."""
    access.require(session, access.Capability.propose_to_agreement, actor, case=case)
    current = agreements.negotiated(session, case)
    agreements._check_indicator(session, case, fields)
    return _contribute(
        session,
        case,
        current,
        actor=actor,
        kind="indicator",
        subject=fields.name.strip()[:200],
        payload=to_payload(fields),
        body=(note or "").strip()[:MAX_TEXT],
    )


def propose_change(
    session: Session, case: Case, indicator_id: int, *, actor: User, fields: agreements.IndicatorFields, note: str = ""
) -> AgreementContribution:
    """The coalition proposes other definitions, sources, norms or targets for an agreed indicator."""
    access.require(session, access.Capability.propose_to_agreement, actor, case=case)
    current = agreements.negotiated(session, case)
    indicator = _indicator(session, current, indicator_id)
    agreements._check_indicator(session, case, fields)
    return _contribute(
        session,
        case,
        current,
        actor=actor,
        kind="change",
        indicator_id=indicator.id,
        subject=indicator.name,
        payload=to_payload(fields),
        body=(note or "").strip()[:MAX_TEXT],
    )


def propose_arrangement(session: Session, case: Case, *, actor: User, text: str) -> AgreementContribution:
    """The coalition proposes a text for the monitoring arrangement."""
    access.require(session, access.Capability.propose_to_agreement, actor, case=case)
    current = agreements.negotiated(session, case)
    body = _text(text, required=_("Write the monitoring arrangement you propose."))
    return _contribute(session, case, current, actor=actor, kind="arrangement", body=body)


def propose_payment(
    session: Session, case: Case, *, actor: User, fields: payments.TermFields, note: str = ""
) -> AgreementContribution:
    """The coalition proposes a payment for the schedule, checked as the owner's own would be."""
    access.require(session, access.Capability.propose_to_agreement, actor, case=case)
    current = agreements.negotiated(session, case)
    payments.check(session, case, fields)
    return _contribute(
        session,
        case,
        current,
        actor=actor,
        kind="payment",
        subject=fields.description.strip()[:200],
        payload=payment_payload(fields),
        body=(note or "").strip()[:MAX_TEXT],
    )


def propose_risk_sharing(session: Session, case: Case, *, actor: User, text: str) -> AgreementContribution:
    """The coalition proposes how the risk of not reaching the outcomes is shared, in words."""
    access.require(session, access.Capability.propose_to_agreement, actor, case=case)
    current = agreements.negotiated(session, case)
    body = _text(text, required=_("Write how you propose to share the risk."))
    return _contribute(session, case, current, actor=actor, kind="risk_sharing", body=body)


def comment(
    session: Session, case: Case, *, actor: User, text: str, indicator_id: int | None = None
) -> AgreementContribution:
    """A comment of either side, on the agreement or on one of its indicators."""
    access.require(session, access.Capability.comment_on_agreement, actor, case=case)
    current = agreements.negotiated(session, case)
    indicator = _indicator(session, current, indicator_id)
    body = _text(text, required=_("Write your comment."))
    return _contribute(
        session,
        case,
        current,
        actor=actor,
        kind="comment",
        indicator_id=indicator.id if indicator else None,
        subject=indicator.name if indicator else "",
        body=body,
    )


def _proposal(session: Session, current: Agreement, contribution_id: int) -> AgreementContribution:
    entry = session.get(AgreementContribution, contribution_id)
    if entry is None or entry.agreement_id != current.id or entry.kind not in PROPOSALS:
        raise NotFound(_("This proposal does not exist."))
    if entry.decision is not None:
        raise DomainError(_("This proposal has already been decided."))
    return entry


def _decided(session: Session, entry: AgreementContribution, *, actor: User, decision: str, reason: str) -> None:
    entry.decision, entry.decision_reason = decision, reason
    entry.decided_at, entry.decided_by_id = utcnow(), actor.id
    session.add(entry)
    session.flush()


def accept(session: Session, case: Case, contribution_id: int, *, actor: User, reason: str = "") -> None:
    """The case owner takes a proposal into the text: it becomes or changes an indicator, or the arrangement."""
    access.require(session, access.Capability.edit_agreement, actor, case=case)
    current = agreements.negotiated(session, case)
    entry = _proposal(session, current, contribution_id)
    if entry.kind == "indicator":
        agreements.add_indicator(session, case, actor=actor, fields=from_payload(entry.payload))
    elif entry.kind == "change":
        indicator = session.get(Indicator, entry.indicator_id) if entry.indicator_id else None
        if indicator is None or indicator.agreement_id != current.id:
            raise DomainError(_("The indicator this proposal changes was removed; decline the proposal."))
        agreements.change_indicator(session, case, indicator, actor=actor, fields=from_payload(entry.payload))
    elif entry.kind == "payment":
        payments.add_term(session, case, actor=actor, fields=payment_from_payload(entry.payload))
    else:
        if entry.kind == "risk_sharing":
            current.risk_sharing = entry.body
        else:
            current.monitoring_arrangement = entry.body
        current.updated_at, current.recorded_by_id = utcnow(), actor.id
        agreements.withdraw_approvals(session, case, current, actor=actor)
        session.add(current)
    _decided(session, entry, actor=actor, decision="accepted", reason=(reason or "").strip()[:MAX_TEXT])
    audit.record(
        session,
        action="agreement_proposal_accepted",
        actor=actor,
        case=case,
        details={"contribution_id": entry.id, "kind": entry.kind},
    )


def decline(session: Session, case: Case, contribution_id: int, *, actor: User, reason: str) -> None:
    """The case owner declines a proposal, saying why; the text does not change."""
    access.require(session, access.Capability.edit_agreement, actor, case=case)
    current = agreements.negotiated(session, case)
    entry = _proposal(session, current, contribution_id)
    reason = _text(reason, required=_("Say why the proposal is declined."))
    _decided(session, entry, actor=actor, decision="declined", reason=reason)
    audit.record(
        session,
        action="agreement_proposal_declined",
        actor=actor,
        case=case,
        details={"contribution_id": entry.id, "kind": entry.kind},
    )


# Approvals --------------------------------------------------------------------------------------------------------


def approve(session: Session, case: Case, *, actor: User, version: int | None) -> Agreement:
    """The case owner approves for the municipality, a user of the lead organisation for the coalition; the
    approval holds for the version the approver read. Approving again changes nothing."""
    access.require(session, access.Capability.approve_agreement, actor, case=case)
    current = agreements.negotiated(session, case)
    if version != current.version:
        raise DomainError(
            _("The agreement changed since you opened it. Read the current text and approve it again if you agree.")
        )
    if not agreements.indicators_of(session, current):
        raise DomainError(_("The agreement has no outcome indicators yet."))
    side = side_of(actor)
    if side == MUNICIPALITY:
        if current.municipality_approved_at is not None:
            return current
        current.municipality_approved_at, current.municipality_approved_by_id = utcnow(), actor.id
    else:
        if current.lead_approved_at is not None:
            return current
        current.lead_approved_at, current.lead_approved_by_id = utcnow(), actor.id
    session.add(current)
    session.flush()
    audit.record(
        session,
        action="agreement_approved",
        actor=actor,
        case=case,
        details={"agreement_id": current.id, "version": current.version, "side": side},
    )
    _tell_other_side(session, case, current, side)
    return current


def _tell_other_side(session: Session, case: Case, current: Agreement, side: str) -> None:
    if side == MUNICIPALITY:
        audience = notification_recipients.of_coalitions(session, [current.coalition_id]).get(
            current.coalition_id, notification_recipients.Audience()
        )
    else:
        owner = session.get(User, case.owner_id) if case.owner_id else None
        audience = notification_recipients.Audience(users=[owner] if owner is not None else [])
    notify(
        session,
        Kind.agreement_approval,
        users=audience.users,
        addresses=audience.addresses,
        case=case,
        template="agreement_approved",
        context={
            "title": case.title,
            "reference": case.reference,
            "side": SIDES[side],  # lazy: in the recipient's language
            "version": current.version,
        },
        default_locale=DOCUMENT_LOCALE,
    )


@dataclass(frozen=True)
class Entry:
    """One line of the history: the contribution with the names of who wrote and who decided it."""

    contribution: AgreementContribution
    author: str
    decider: str | None
    proposed: agreements.IndicatorFields | None = None
    payment: payments.TermFields | None = None


def history(session: Session, current: Agreement) -> list[Entry]:
    """The thread in time order, in one query whatever its length."""
    decider = aliased(User)
    rows = session.exec(
        select(AgreementContribution, User.name, decider.name)
        .join(User, User.id == AgreementContribution.author_id)
        .outerjoin(decider, decider.id == AgreementContribution.decided_by_id)
        .where(AgreementContribution.agreement_id == current.id)
        .order_by(AgreementContribution.created_at, AgreementContribution.id)
    ).all()
    return [
        Entry(e, author, decided_by, payment=payment_from_payload(e.payload))
        if e.kind == "payment"
        else Entry(e, author, decided_by, proposed=from_payload(e.payload) if e.payload else None)
        for e, author, decided_by in rows
    ]


@dataclass(frozen=True)
class Approvals:
    """What the approvals of the current version look like for the page."""

    version: int
    municipality_at: object
    municipality_by: str | None
    lead_at: object
    lead_by: str | None
    withdrawn: bool  # the text changed after an approval, which no longer holds

    @property
    def both(self) -> bool:
        return self.municipality_at is not None and self.lead_at is not None


def approvals(session: Session, case: Case, current: Agreement) -> Approvals:
    ids = [i for i in (current.municipality_approved_by_id, current.lead_approved_by_id) if i]
    names = dict(session.exec(select(User.id, User.name).where(User.id.in_(ids))).all()) if ids else {}
    withdrawn = False
    if current.municipality_approved_at is None and current.lead_approved_at is None:
        last = session.exec(
            select(AuditEvent.action)
            .where(
                AuditEvent.case_id == case.id,
                AuditEvent.action.in_(("agreement_approvals_withdrawn", "agreement_approved")),
            )
            .order_by(AuditEvent.id.desc())
            .limit(1)
        ).first()
        withdrawn = last == "agreement_approvals_withdrawn"
    return Approvals(
        current.version,
        current.municipality_approved_at,
        names.get(current.municipality_approved_by_id),
        current.lead_approved_at,
        names.get(current.lead_approved_by_id),
        withdrawn,
    )
