"""The portfolio of commissions: every case of the municipality in one view, for officials and the council.

Per case: its phase, ambitions, owner, budget ceiling, awarded value, coalition, the next deadline or milestone, and
how its outcomes stand; filtered, sorted and searched on the server, exported as CSV/XLSX, and drawn as a timeline
of the phases each case went through. Beside it the capacity: how many running cases each official owns, against
the number the municipality has said one official can steer well ("pull", not "push").

A page costs the same handful of queries whatever the number of cases.
"""

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_
from sqlmodel import Session, select

from .. import access
from ..core import audit
from ..core.errors import DomainError
from ..models import (
    Agreement,
    AuditEvent,
    AwardDecision,
    Case,
    ClaimStatus,
    Coalition,
    Indicator,
    PaymentClaim,
    PaymentTerm,
    PortfolioDecision,
    PortfolioReview,
    Proposal,
    Role,
    User,
)
from ..procurement import award
from ..realisation import monitoring
from ..web.numbers import whole
from ..workflow.labels import state_label
from ..workflow.phases import states_in
from . import contributions

SORTS = ("reference", "title", "phase", "owner", "budget", "next")


@dataclass(frozen=True)
class Filters:
    query: str = ""
    state: str = ""
    ambition_id: int | None = None
    owner_id: int | None = None
    sort: str = "next"

    def args(self, **changes) -> dict:
        current = replace(self, **changes)
        return {
            k: v
            for k, v in (
                ("q", current.query),
                ("state", current.state),
                ("ambition", current.ambition_id),
                ("owner", current.owner_id),
                ("sort", current.sort if current.sort != "next" else None),
            )
            if v
        }


def parse_filters(args, states: set[str]) -> Filters:
    """Filters from the query string; anything unknown is ignored rather than refused."""

    def number(name):
        return whole(args.get(name, ""))

    return Filters(
        query=args.get("q", "").strip()[:100],
        state=args.get("state", "") if args.get("state", "") in states else "",
        ambition_id=number("ambition"),
        owner_id=number("owner"),
        sort=args.get("sort", "") if args.get("sort", "") in SORTS else "next",
    )


@dataclass(frozen=True)
class Milestone:
    on: date | datetime
    what: str

    @property
    def day(self) -> date:
        return self.on.date() if isinstance(self.on, datetime) else self.on


@dataclass
class Row:
    case: Case
    owner: str
    ambitions: list = field(default_factory=list)
    coalition: str = ""
    awarded: object = None  # the concluded agreement's budget, else the winning proposal's price
    next: Milestone | None = None
    statuses: Counter = field(default_factory=Counter)
    phases: list[tuple[str, datetime]] = field(default_factory=list)  # (state, entered at), oldest first
    reviewed: tuple | None = None  # the latest review's decision about it, with the review's date

    @property
    def phase(self) -> str:
        return str(state_label(self.case.state))


def rows(session: Session, filters: Filters, *, today: date, now: datetime) -> list[Row]:
    """Every case that matches the filters, with what the portfolio shows of it."""
    query = select(Case, User.name).join(User, User.id == Case.owner_id)
    if filters.query:
        like = f"%{filters.query.lower()}%"
        query = query.where(
            or_(
                func.lower(Case.title).like(like),
                func.lower(Case.reference).like(like),
                func.lower(Case.question).like(like),
            )
        )
    if filters.state:
        query = query.where(Case.state == filters.state)
    if filters.owner_id:
        query = query.where(Case.owner_id == filters.owner_id)
    found = {case.id: Row(case, owner) for case, owner in session.exec(query).all()}
    ambitions = contributions.ambitions_of_cases(session, list(found))
    if filters.ambition_id:
        found = {i: r for i, r in found.items() if any(a.id == filters.ambition_id for a in ambitions[i])}
    ids = list(found)
    for case_id, row in found.items():
        row.ambitions = ambitions[case_id]
    _agreements(session, found, ids, today)
    _awards(session, found, ids, now)
    _phases(session, found, ids)
    for case_id, decided in latest_decisions(session, ids).items():
        found[case_id].reviewed = decided
    for row in found.values():
        row.next = min(
            (m for m in [row.next, *_deadlines(row.case, now)] if m is not None), key=lambda m: m.day, default=None
        )
    return sorted(found.values(), key=_sort_key(filters.sort))


def _deadlines(case: Case, now: datetime) -> list[Milestone]:
    found = []
    if case.clarification_deadline and case.clarification_deadline > now:
        found.append(Milestone(case.clarification_deadline, _("clarification questions close")))
    if case.submission_deadline and case.submission_deadline > now:
        found.append(Milestone(case.submission_deadline, _("submission deadline")))
    return found


def _agreements(session: Session, found: dict[int, Row], ids: list[int], today: date) -> None:
    """The latest agreement of each case with its coalition, its indicators' statuses, the next report due and the
    next payment not yet claimed: three queries."""
    latest = {}
    for agreement, coalition in session.exec(
        select(Agreement, Coalition.name)
        .join(Coalition, Coalition.id == Agreement.coalition_id)
        .where(Agreement.case_id.in_(ids))
        .order_by(Agreement.id)
    ).all():
        latest[agreement.case_id] = (agreement, coalition)
    by_agreement = {}
    for case_id, (agreement, coalition) in latest.items():
        row = found[case_id]
        row.coalition = coalition
        if agreement.concluded_at is not None:
            row.awarded = agreement.budget
            by_agreement[agreement.id] = row
    if not by_agreement:
        return
    for indicator in session.exec(select(Indicator).where(Indicator.agreement_id.in_(list(by_agreement)))).all():
        row = by_agreement[indicator.agreement_id]
        row.statuses[monitoring.status_on(indicator, today)] += 1
        if indicator.next_due_on and indicator.next_due_on >= today:
            _sooner(row, Milestone(indicator.next_due_on, _("report due: %(name)s", name=indicator.name)))
    claimed = select(PaymentClaim.term_id).where(PaymentClaim.status != ClaimStatus.rejected)
    for term in session.exec(
        select(PaymentTerm).where(
            PaymentTerm.agreement_id.in_(list(by_agreement)), PaymentTerm.due_on >= today, ~PaymentTerm.id.in_(claimed)
        )
    ).all():
        _sooner(by_agreement[term.agreement_id], Milestone(term.due_on, _("payment: %(what)s", what=term.description)))


def _awards(session: Session, found: dict[int, Row], ids: list[int], now: datetime) -> None:
    """The awarded value before the agreement (the winning price) and the end of a standstill still running."""
    for case_id, decision, price, coalition in session.exec(
        select(Case.id, AwardDecision, Proposal.price, Coalition.name)
        .select_from(Case)
        .join(AwardDecision, AwardDecision.id == award.current_decision_id(Case.id, Case.round))
        .join(Proposal, Proposal.id == AwardDecision.proposal_id)
        .join(Coalition, Coalition.id == Proposal.coalition_id)
        .where(Case.id.in_(ids), AwardDecision.letters_sent_at.is_not(None))
    ).all():
        row = found[case_id]
        row.coalition = row.coalition or coalition
        row.awarded = row.awarded if row.awarded is not None else price
        if decision.standstill_ends_at and decision.standstill_ends_at > now:
            _sooner(row, Milestone(decision.standstill_ends_at, _("standstill ends")))


def _phases(session: Session, found: dict[int, Row], ids: list[int]) -> None:
    for case_id, state, at in session.exec(
        select(AuditEvent.case_id, AuditEvent.to_state, AuditEvent.at)
        .where(AuditEvent.case_id.in_(ids), AuditEvent.action == "transition")
        .order_by(AuditEvent.at, AuditEvent.id)
    ).all():
        found[case_id].phases.append((state, at))


def _sooner(row: Row, milestone: Milestone) -> None:
    if row.next is None or milestone.day < row.next.day:
        row.next = milestone


def _sort_key(sort: str):
    far = date.max
    return {
        "reference": lambda r: r.case.reference,
        "title": lambda r: r.case.title.lower(),
        "phase": lambda r: (r.phase, r.case.reference),
        "owner": lambda r: (r.owner, r.case.reference),
        "budget": lambda r: (-(r.case.budget_ceiling or 0), r.case.reference),
        "next": lambda r: (r.next.day if r.next else far, r.case.reference),
    }[sort]


# Capacity -------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Load:
    official: User
    running: int
    limit: int

    @property
    def full(self) -> bool:
        return self.running >= self.limit


def limit() -> int:
    return int(current_app.config["CASES_PER_OFFICIAL"])


def capacity(session: Session) -> list[Load]:
    """Each official's running cases against the limit, the busiest first, in one query."""
    running = states_in("running")
    counts = dict(
        session.exec(select(Case.owner_id, func.count()).where(Case.state.in_(running)).group_by(Case.owner_id)).all()
    )
    officials = session.exec(select(User).where(User.role == Role.official, User.active).order_by(User.name)).all()
    found = [Load(o, counts.get(o.id, 0), limit()) for o in officials]
    return sorted(found, key=lambda load: (-load.running, load.official.name))


def load_of(session: Session, official: User) -> Load:
    """One official's load, for the warning before a new case is opened."""
    running = session.exec(
        select(func.count()).where(Case.owner_id == official.id, Case.state.in_(states_in("running")))
    ).one()
    return Load(official, running, limit())


def table(found: list[Row]) -> tuple[list[str], list[list]]:
    header = [
        _("Case"),
        _("Title"),
        _("Phase"),
        _("Ambitions"),
        _("Owner"),
        _("Budget ceiling"),
        _("Awarded value"),
        _("Coalition"),
        _("Next deadline or milestone"),
        _("On"),
        _("Indicators on track"),
        _("At risk"),
        _("Off track"),
        _("No data or overdue"),
        _("Latest review"),
    ]
    data = []
    for row in found:
        s = row.statuses
        data.append(
            [
                row.case.reference,
                row.case.title,
                row.phase,
                "; ".join(a.title for a in row.ambitions),
                row.owner,
                float(row.case.budget_ceiling) if row.case.budget_ceiling is not None else "",
                float(row.awarded) if row.awarded is not None else "",
                row.coalition,
                row.next.what if row.next else "",
                row.next.day.isoformat() if row.next else "",
                s[monitoring.Status.on_track],
                s[monitoring.Status.at_risk],
                s[monitoring.Status.off_track],
                s[monitoring.Status.no_data] + s[monitoring.Status.overdue],
                f"{DECISIONS[row.reviewed[0].decision]} ({row.reviewed[1].isoformat()}): {row.reviewed[0].reason}"
                if row.reviewed
                else "",
            ]
        )
    return header, data


# Portfolio reviews: short-cycle steering with the partners --------------------------------------------------------

DECISIONS = {
    "take_on": _l("Take on"),
    "continue": _l("Continue"),
    "pause": _l("Pause"),
    "stop": _l("Stop"),
}


def review(
    session: Session,
    *,
    actor: User,
    held_on: date,
    participants: str,
    summary: str,
    decisions: dict[int, tuple[str, str]],
    today: date,
) -> PortfolioReview:
    """Record a review held with partners and what it decided per case (case id -> (decision, reason)); each
    decision is written to its case's audit trail too. Cases left undecided keep their course."""
    access.require(session, access.Capability.review_portfolio, actor)
    present = [line.strip() for line in (participants or "").splitlines() if line.strip()]
    if not present:
        raise DomainError(_("Name who took part in the review, one per line."))
    if held_on > today:
        raise DomainError(_("A review is recorded once it is held: the date lies in the future."))
    if len(participants) > 5000 or len(summary or "") > 20000:
        raise DomainError(_("The text is too long."))
    chosen = {case_id: (d, (r or "").strip()) for case_id, (d, r) in decisions.items() if d}
    if not chosen:
        raise DomainError(_("Record a decision for at least one case."))
    if unknown := [d for d, _r in chosen.values() if d not in DECISIONS]:
        raise DomainError(_("Unknown decision: %(decision)s.", decision=unknown[0]))
    if any(not reason or len(reason) > 5000 for _d, reason in chosen.values()):
        raise DomainError(_("Give the reason of every decision (at most 5,000 characters)."))
    cases = {c.id: c for c in session.exec(select(Case).where(Case.id.in_(list(chosen)))).all()}
    if set(chosen) - set(cases):
        raise DomainError(_("This case does not exist."))
    found = PortfolioReview(
        held_on=held_on, participants="\n".join(present), summary=(summary or "").strip(), recorded_by_id=actor.id
    )
    session.add(found)
    session.flush()
    for case_id, (decision, reason) in sorted(chosen.items()):
        session.add(PortfolioDecision(review_id=found.id, case_id=case_id, decision=decision, reason=reason))
        audit.record(
            session,
            action="portfolio_decision",
            actor=actor,
            case=cases[case_id],
            reason=reason,
            details={"review_id": found.id, "decision": decision, "held_on": held_on.isoformat()},
        )
    audit.record(session, action="portfolio_reviewed", actor=actor, details={"review_id": found.id})
    return found


def reviews(session: Session) -> list[tuple[PortfolioReview, list[tuple[PortfolioDecision, Case]]]]:
    """Every review, the latest first, with its decisions and their cases, in two queries."""
    held = session.exec(
        select(PortfolioReview).order_by(PortfolioReview.held_on.desc(), PortfolioReview.id.desc())
    ).all()
    decided: dict[int, list] = {r.id: [] for r in held}
    if held:
        for decision, case in session.exec(
            select(PortfolioDecision, Case)
            .join(Case, Case.id == PortfolioDecision.case_id)
            .where(PortfolioDecision.review_id.in_(list(decided)))
            .order_by(Case.reference)
        ).all():
            decided[decision.review_id].append((decision, case))
    return [(r, decided[r.id]) for r in held]


def latest_decisions(session: Session, case_ids: list[int]) -> dict[int, tuple[PortfolioDecision, date]]:
    """Each case's latest review decision with the review's date, in one query."""
    found: dict[int, tuple[PortfolioDecision, date]] = {}
    if case_ids:
        for decision, held_on in session.exec(
            select(PortfolioDecision, PortfolioReview.held_on)
            .join(PortfolioReview, PortfolioReview.id == PortfolioDecision.review_id)
            .where(PortfolioDecision.case_id.in_(case_ids))
            .order_by(PortfolioReview.held_on, PortfolioDecision.id)
        ).all():
            found[decision.case_id] = (decision, held_on)
    return found
