"""The portfolio of commissions: every case of the municipality in one view, for officials and the council.

Per case: its phase, ambitions, owner, budget ceiling, awarded value, coalition, the next deadline or milestone (the
earliest date that is still to come or overdue: a report the coalition owes, a deadline, the standstill's end, a
payment; none once the case has ended), and how its outcomes stand; filtered, sorted and searched on the server,
exported as CSV/XLSX, and drawn as a timeline of the phases each case went through. Beside it the capacity: how
many running cases each official owns, against the number the municipality has said one official can steer well, and
each team's against the limit its administrators set (`parties/teams.py`): a question is taken on when there is room
("pull", not "push").

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
    ProgressReport,
    Proposal,
    Role,
    Team,
    User,
)
from ..procurement import award
from ..realisation import monitoring
from ..web.numbers import whole
from ..workflow.labels import state_label
from ..workflow.phases import in_phase, where_in_phase
from . import contributions

SORTS = ("reference", "title", "phase", "owner", "budget", "next")


@dataclass(frozen=True)
class Filters:
    query: str = ""
    state: str = ""
    ambition_id: int | None = None
    owner_id: int | None = None
    sort: str = "next"
    page: int = 1

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
                ("page", current.page if current.page > 1 else None),
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
        page=max(number("page") or 1, 1),
    )


PER_PAGE = 50  # cases on one page of the portfolio; the exports hold every case the filters select


def page_of(rows: list, filters: Filters) -> tuple[list, int, int]:
    """The rows of the filters' page (past the last page: the last), that page's number and the number of pages."""
    pages = max((len(rows) + PER_PAGE - 1) // PER_PAGE, 1)
    page = min(filters.page, pages)
    return rows[(page - 1) * PER_PAGE : page * PER_PAGE], page, pages


@dataclass(frozen=True)
class Milestone:
    on: date | datetime
    what: str
    overdue: bool = False  # its date has passed and what was due is still missing

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
        _deadlines(row, now)
    return sorted(found.values(), key=_sort_key(filters.sort))


def _deadlines(row: Row, now: datetime) -> None:
    case = row.case
    if case.clarification_deadline and case.clarification_deadline > now:
        _sooner(row, Milestone(case.clarification_deadline, _("clarification questions close")))
    if case.submission_deadline and case.submission_deadline > now:
        _sooner(row, Milestone(case.submission_deadline, _("submission deadline")))


def _agreements(session: Session, found: dict[int, Row], ids: list[int], today: date) -> None:
    """The latest agreement of each case with its coalition and its indicators' statuses; while the coalition
    reports, the first value and the first progress report it owes (overdue or next), and the next payment not yet
    claimed: four queries."""
    latest = {}
    for agreement, coalition in session.exec(
        select(Agreement, Coalition.name)
        .join(Coalition, Coalition.id == Agreement.coalition_id)
        .where(Agreement.case_id.in_(ids))
        .order_by(Agreement.id)
    ).all():
        latest[agreement.case_id] = (agreement, coalition)
    by_agreement, concluded = {}, []
    for case_id, (agreement, coalition) in latest.items():
        row = found[case_id]
        row.coalition = coalition
        if agreement.concluded_at is not None:
            row.awarded = agreement.budget
            by_agreement[agreement.id] = row
            concluded.append(agreement)
    if not by_agreement:
        return
    shown = monitoring.shown_status(today)
    for agreement_id, status, count in session.exec(
        select(Indicator.agreement_id, shown, func.count())
        .where(Indicator.agreement_id.in_(list(by_agreement)))
        .group_by(Indicator.agreement_id, shown)
    ).all():
        by_agreement[agreement_id].statuses[monitoring.Status(status)] += count
    _values_due(
        session, [a.id for a in concluded if in_phase(by_agreement[a.id].case, "reporting_open")], by_agreement, today
    )
    _progress_reports(session, concluded, by_agreement, today)
    claimed = select(PaymentClaim.term_id).where(PaymentClaim.status != ClaimStatus.rejected)
    for term in session.exec(
        select(PaymentTerm).where(
            PaymentTerm.agreement_id.in_(list(by_agreement)), PaymentTerm.due_on >= today, ~PaymentTerm.id.in_(claimed)
        )
    ).all():
        _sooner(by_agreement[term.agreement_id], Milestone(term.due_on, _("payment: %(what)s", what=term.description)))


def _values_due(session: Session, agreement_ids: list[int], rows: dict[int, Row], today: date) -> None:
    """The first value each reporting agreement owes (overdue or next) and for which indicator: one query, one row
    per agreement, however many indicators it has."""
    if not agreement_ids:
        return
    first = (
        select(Indicator.agreement_id, func.min(Indicator.next_due_on).label("due_on"))
        .where(Indicator.agreement_id.in_(agreement_ids), Indicator.next_due_on.is_not(None))
        .group_by(Indicator.agreement_id)
        .subquery()
    )
    owed = {}
    for agreement_id, name, due_on in session.exec(
        select(Indicator.agreement_id, Indicator.name, Indicator.next_due_on)
        .join(first, (first.c.agreement_id == Indicator.agreement_id) & (first.c.due_on == Indicator.next_due_on))
        .order_by(Indicator.id.desc())
    ).all():
        owed[agreement_id] = (name, due_on)  # of indicators due the same day, the first made
    for agreement_id, (name, due_on) in owed.items():
        late = due_on < today
        what = _("report overdue: %(name)s", name=name) if late else _("report due: %(name)s", name=name)
        _sooner(rows[agreement_id], Milestone(due_on, what, overdue=late))


def _progress_reports(session: Session, agreements: list[Agreement], rows: dict[int, Row], today: date) -> None:
    """The first progress report each reporting agreement still owes, on its cadence: one query."""
    reporting = [a for a in agreements if in_phase(rows[a.id].case, "reporting_open")]
    if not reporting:
        return
    reported = {
        (agreement_id, period)
        for agreement_id, period in session.exec(
            select(ProgressReport.agreement_id, ProgressReport.period).where(
                ProgressReport.agreement_id.in_([a.id for a in reporting])
            )
        ).all()
    }
    for agreement in reporting:
        schedule = monitoring.periods(agreement.report_cadence, agreement.starts_on, agreement.ends_on)
        owed = next((p for p in schedule if (agreement.id, p.starts_on) not in reported), None)
        if owed is not None:
            late = owed.due_on < today
            what = _("progress report overdue") if late else _("progress report due")
            _sooner(rows[agreement.id], Milestone(owed.due_on, what, overdue=late))


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
    """Keep the earlier of the row's milestone and this one; an ended case has none."""
    if in_phase(row.case, "running") and (row.next is None or milestone.day < row.next.day):
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
    """Running cases against a limit: an official's (the municipality's number per official) or a team's."""

    running: int
    limit: int

    @property
    def full(self) -> bool:
        return self.running >= self.limit

    @property
    def room(self) -> int:
        return max(self.limit - self.running, 0)


@dataclass(frozen=True)
class OfficialLoad(Load):
    official: User
    team: str = ""  # the name of the official's team, if any


@dataclass(frozen=True)
class TeamLoad(Load):
    team: Team


def limit() -> int:
    return int(current_app.config["CASES_PER_OFFICIAL"])


def _running_per_owner():
    """How many running cases each official owns, as a subquery to join."""
    return (
        select(Case.owner_id, func.count().label("running"))
        .where(where_in_phase("running"))
        .group_by(Case.owner_id)
        .subquery()
    )


def capacity(session: Session) -> list[OfficialLoad]:
    """Each active official's running cases against the limit, with the official's team, the busiest first, in one
    query."""
    running = _running_per_owner()
    found = [
        OfficialLoad(count, limit(), official, team or "")
        for official, team, count in session.exec(
            select(User, Team.name, func.coalesce(running.c.running, 0))
            .outerjoin(Team, Team.id == User.team_id)
            .outerjoin(running, running.c.owner_id == User.id)
            .where(User.role == Role.official, User.active)
        ).all()
    ]
    return sorted(found, key=lambda load: (-load.running, load.official.name))


def team_capacity(session: Session) -> list[TeamLoad]:
    """Each team's running cases (those its officials own) against its limit, by name, in one query."""
    running = _running_per_owner()
    return [
        TeamLoad(count, team.case_limit, team)
        for team, count in session.exec(
            select(Team, func.coalesce(func.sum(running.c.running), 0))
            .outerjoin(User, User.team_id == Team.id)
            .outerjoin(running, running.c.owner_id == User.id)
            .group_by(Team.id)
            .order_by(Team.name, Team.id)
        ).all()
    ]


def load_of(session: Session, official: User) -> OfficialLoad:
    """One official's load, for the warning before a new case is opened."""
    running = session.exec(select(func.count()).where(Case.owner_id == official.id, where_in_phase("running"))).one()
    return OfficialLoad(running, limit(), official)


def team_load_of(session: Session, official: User) -> TeamLoad | None:
    """The load of the official's team (None outside a team), for the same warning, in one query."""
    if official.team_id is None:
        return None
    team, running = session.exec(
        select(Team, func.count(Case.id))
        .outerjoin(User, User.team_id == Team.id)
        .outerjoin(Case, (Case.owner_id == User.id) & where_in_phase("running"))
        .where(Team.id == official.team_id)
        .group_by(Team.id)
    ).one()
    return TeamLoad(running, team.case_limit, team)


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


class ReviewRefused(DomainError):
    """A review as typed breaks a rule: the form is shown again with what was typed, `problems` above it and
    `per_case` (case id -> problem) beside the decisions they are about."""

    def __init__(self, problems: list[str], per_case: dict[int, str]):
        super().__init__(problems[0], problems[1:])
        self.problems, self.per_case = problems, per_case


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
    decision is written to its case's audit trail too. Cases left undecided keep their course. Refused as a whole,
    with every problem at once (`ReviewRefused`)."""
    access.require(session, access.Capability.review_portfolio, actor)
    present = [line.strip() for line in (participants or "").splitlines() if line.strip()]
    chosen = {case_id: (d, (r or "").strip()) for case_id, (d, r) in decisions.items() if d}
    problems = []
    if not present:
        problems.append(_("Name who took part in the review, one per line."))
    if held_on > today:
        problems.append(_("A review is recorded once it is held: the date lies in the future."))
    if len(participants or "") > 5000 or len(summary or "") > 20000:
        problems.append(_("The text is too long."))
    if not chosen:
        problems.append(_("Record a decision for at least one case."))
    per_case = {}
    for case_id, (decision, reason) in chosen.items():
        if decision not in DECISIONS:
            per_case[case_id] = _("Unknown decision: %(decision)s.", decision=decision)
        elif not reason or len(reason) > 5000:
            per_case[case_id] = _("Give the reason of this decision (at most 5,000 characters).")
    if per_case:
        problems.append(_("Check the decisions marked below."))
    cases = {c.id: c for c in session.exec(select(Case).where(Case.id.in_(list(chosen)))).all()} if chosen else {}
    if set(chosen) - set(cases):
        problems.append(_("This case does not exist."))
    if problems:
        raise ReviewRefused(problems, per_case)
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
