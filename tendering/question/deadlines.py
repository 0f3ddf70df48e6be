"""Every dated moment of a case that someone should not miss, from where each date lives.

- `clarification`, `submission`: the tender's deadlines on the case, as in force (an amendment changes the case's
  columns and publishes a new question-document version, which raises the `sequence`). In the two-stage variant
  these are the strategy stage's; each call for realisation plans adds a `submission` of its own (the strategy
  choice's `plan_deadline`), which concerns only the coalitions called.
- `opening`: the four-eyes opening of a box: when it was opened, or until then the box's deadline (the earliest it
  may be opened). One per stage and call.
- `expected_award`: the day the municipality expects to decide on the award (`Case.expected_award_on`, set with
  the procedure, amended like the other dates): an all-day deadline of the tender, for everyone; not the user's
  own deadline, so it is never reminded of (`notifications.reminders.REMINDED`).
- `report_due`: per concluded agreement in the reporting phase, each progress-report period's due day and each
  indicator's next due day (`realisation.monitoring`); concerns the agreement's coalition (and the municipality).
- `standstill_end`: the end of the standstill of the round's current award decision; concerns the coalitions that
  received a letter (they bid) and the municipality.

Only published cases (a question document exists) that have not stopped have tender deadlines: before publication
dates are drafts. Nothing here is sealed by itself (a date says nothing about who bids), but a deadline with
`coalition_ids` concerns those coalitions only and must only reach them and the municipality: `concerning` does
that filtering, and `of_cases` / `falling_between` return everything for the jobs that route reminders.

Every function reads a fixed number of queries, whatever the number of cases.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from sqlalchemy import and_, func, or_
from sqlmodel import Session, select

from ..models import (
    Agreement,
    AwardDecision,
    AwardLetter,
    BoxOpening,
    Case,
    ChosenStrategy,
    Coalition,
    CoalitionMember,
    EvaluatorAssignment,
    Indicator,
    MembershipStatus,
    ProgressReport,
    ProposalStage,
    QuestionDocument,
    Role,
    StrategyChoice,
    User,
)
from ..procurement import award, stages
from ..realisation import monitoring
from ..workflow.phases import in_phase

UID_DOMAIN = "deadlines.maatschappelijk-aanbesteden"  # host-independent: a moved install keeps its UIDs
KINDS = ("clarification", "submission", "opening", "expected_award", "report_due", "standstill_end")
PUBLIC_KINDS = frozenset({"clarification", "submission", "opening", "expected_award"})  # of the tender, to all


@dataclass(frozen=True)
class Deadline:
    case_id: int
    kind: str  # one of KINDS
    at: datetime  # aware UTC: the moment it passes
    uid: str  # stable across edits: the same deadline moved keeps it
    case_title: str
    case_reference: str
    sequence: int = 0  # grows whenever the deadline may have moved (iCalendar SEQUENCE)
    last_modified: datetime | None = None
    stage: str = ProposalStage.single.value  # single, strategy or realisation (the two-stage variant)
    plan_call: int = 0  # the call for realisation plans, 0 outside it
    day: date | None = None  # set for a deadline of a whole day (expected award, report due, standstill end)
    coalition_ids: frozenset[int] | None = None  # None: the tender's, for everyone; else only these coalitions
    coalition_id: int | None = None  # for a report due: the coalition holding the agreement
    agreement_id: int | None = None
    indicator_id: int | None = None
    subject: str = ""  # what is due (an indicator's name), empty for the tender's own deadlines
    period: date | None = None  # the reporting period a report due is for
    settled: bool = False  # already done (the report is in, the box is open): a reminder is pointless
    round: int = 1

    @property
    def public(self) -> bool:
        """A tender deadline anyone may see (the public feed, a follower)."""
        return self.kind in PUBLIC_KINDS and self.coalition_ids is None


def _zone() -> ZoneInfo:
    name = current_app.config.get("BABEL_DEFAULT_TIMEZONE") if has_app_context() else None
    return ZoneInfo(name or "Europe/Amsterdam")


def _end_of(day: date) -> datetime:
    """The moment a due day has passed: the following midnight in the municipality's time zone, in UTC."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=_zone()).astimezone(timezone.utc)


def _last_day(ends_at: datetime) -> date:
    """The calendar day a term ending at midnight ends on (as `award.end_day`, also outside a request)."""
    return (ends_at.astimezone(_zone()) - timedelta(seconds=1)).date()


def _uid(kind: str, case_id: int, *extra) -> str:
    tail = "".join(f"-{e}" for e in extra if e not in (None, ""))
    return f"{kind}-{case_id}{tail}@{UID_DOMAIN}"


def _round_tag(case: Case) -> str:
    return f"r{case.round}" if case.round > 1 else ""


def of_case(session: Session, case: Case) -> list[Deadline]:
    return of_cases(session, [case.id])


def of_cases(session: Session, case_ids) -> list[Deadline]:
    """Every deadline of these cases, by time (eight queries whatever their number)."""
    ids = sorted({int(i) for i in case_ids})
    if not ids:
        return []
    cases = {c.id: c for c in session.exec(select(Case).where(Case.id.in_(ids))).all()}
    documents = {
        case_id: (versions, latest, published_round)
        for case_id, versions, latest, published_round in session.exec(
            select(
                QuestionDocument.case_id,
                func.max(QuestionDocument.version),
                func.max(QuestionDocument.published_at),
                func.max(QuestionDocument.round),
            )
            .where(QuestionDocument.case_id.in_(ids))
            .group_by(QuestionDocument.case_id)
        ).all()
    }
    openings = {
        (o.case_id, o.round, o.stage, o.plan_call): o
        for o in session.exec(
            select(BoxOpening).where(BoxOpening.case_id.in_(ids), BoxOpening.opened_at.is_not(None))
        ).all()
    }
    choices = {
        (choice.case_id, choice.round): choice
        for choice in session.exec(select(StrategyChoice).where(StrategyChoice.case_id.in_(ids))).all()
    }
    called: dict[int, set[int]] = {}
    for choice_id, coalition_id, plan_call in session.exec(
        select(ChosenStrategy.choice_id, ChosenStrategy.coalition_id, ChosenStrategy.plan_call)
        .join(StrategyChoice, StrategyChoice.id == ChosenStrategy.choice_id)
        .where(StrategyChoice.case_id.in_(ids), ChosenStrategy.rejected_at.is_(None))
    ).all():
        called.setdefault((choice_id, plan_call), set()).add(coalition_id)
    decisions = {
        d.case_id: d
        for d in session.exec(
            select(AwardDecision)
            .join(Case, Case.id == AwardDecision.case_id)
            .where(Case.id.in_(ids), AwardDecision.id == award.current_decision_id(Case.id, Case.round))
        ).all()
    }
    letters: dict[int, set[int]] = {}
    if decisions:
        for decision_id, coalition_id in session.exec(
            select(AwardLetter.award_decision_id, AwardLetter.coalition_id).where(
                AwardLetter.award_decision_id.in_([d.id for d in decisions.values()])
            )
        ).all():
            letters.setdefault(decision_id, set()).add(coalition_id)
    reporting = [c.id for c in cases.values() if in_phase(c, "reporting_open")]
    agreements = (
        list(
            session.exec(
                select(Agreement).where(Agreement.case_id.in_(reporting), Agreement.concluded_at.is_not(None))
            ).all()
        )
        if reporting
        else []
    )
    reports: set[tuple[int, date]] = set()
    indicators: list[Indicator] = []
    if agreements:
        agreement_ids = [a.id for a in agreements]
        reports = {
            (agreement_id, period)
            for agreement_id, period in session.exec(
                select(ProgressReport.agreement_id, ProgressReport.period).where(
                    ProgressReport.agreement_id.in_(agreement_ids)
                )
            ).all()
        }
        indicators = list(
            session.exec(
                select(Indicator).where(Indicator.agreement_id.in_(agreement_ids), Indicator.next_due_on.is_not(None))
            ).all()
        )

    found: list[Deadline] = []
    for case in cases.values():
        base = {"case_id": case.id, "case_title": case.title, "case_reference": case.reference, "round": case.round}
        versions, amended, published_round = documents.get(case.id, (None, None, None))
        # Dates of a round not yet published (a new round after reconsideration) are drafts: no event, no reminder.
        if versions is not None and published_round == case.round and not in_phase(case, "stopped"):
            found.extend(_tender_deadlines(case, base, versions - 1, amended, openings))
            choice = choices.get((case.id, case.round))
            if choice is not None:
                found.extend(_plan_deadlines(case, base, choice, called, openings))
        decision = decisions.get(case.id)
        if decision is not None and decision.standstill_ends_at is not None:
            found.append(
                Deadline(
                    kind="standstill_end",
                    at=decision.standstill_ends_at,
                    uid=_uid("standstill_end", case.id, f"d{decision.id}"),
                    sequence=0,
                    last_modified=decision.letters_sent_at,
                    day=_last_day(decision.standstill_ends_at),
                    coalition_ids=frozenset(letters.get(decision.id, ())),
                    stage=decision.stage,
                    **base,
                )
            )
    by_agreement = {a.id: a for a in agreements}
    for agreement in agreements:
        case = cases[agreement.case_id]
        base = {"case_id": case.id, "case_title": case.title, "case_reference": case.reference, "round": case.round}
        for period in monitoring.periods(agreement.report_cadence, agreement.starts_on, agreement.ends_on):
            found.append(
                Deadline(
                    kind="report_due",
                    at=_end_of(period.due_on),
                    uid=_uid("report_due", case.id, f"a{agreement.id}", f"p{period.starts_on.isoformat()}"),
                    sequence=agreement.version,
                    last_modified=agreement.concluded_at,
                    day=period.due_on,
                    coalition_ids=frozenset({agreement.coalition_id}),
                    coalition_id=agreement.coalition_id,
                    agreement_id=agreement.id,
                    period=period.starts_on,
                    settled=(agreement.id, period.starts_on) in reports,
                    **base,
                )
            )
    for indicator in indicators:
        agreement = by_agreement[indicator.agreement_id]
        case = cases[agreement.case_id]
        base = {"case_id": case.id, "case_title": case.title, "case_reference": case.reference, "round": case.round}
        found.append(
            Deadline(
                kind="report_due",
                at=_end_of(indicator.next_due_on),
                uid=_uid("report_due", case.id, f"i{indicator.id}", indicator.next_due_on.isoformat()),
                sequence=agreement.version,
                last_modified=agreement.concluded_at,
                day=indicator.next_due_on,
                coalition_ids=frozenset({agreement.coalition_id}),
                coalition_id=agreement.coalition_id,
                agreement_id=agreement.id,
                indicator_id=indicator.id,
                subject=indicator.name,
                **base,
            )
        )
    return sorted(found, key=lambda d: (d.at, d.case_id, KINDS.index(d.kind), d.uid))


def _tender_deadlines(case: Case, base: dict, sequence: int, amended, openings) -> list[Deadline]:
    stage = stages.tender_stage(case).value
    tag = _round_tag(case)
    found = [
        Deadline(
            kind=kind,
            at=at,
            uid=_uid(kind, case.id, tag),
            sequence=sequence,
            last_modified=amended,
            stage=stage,
            **base,
        )
        for kind, at in (("clarification", case.clarification_deadline), ("submission", case.submission_deadline))
        if at is not None
    ]
    if case.submission_deadline is not None:
        opened = openings.get((case.id, case.round, stage, 0))
        found.append(
            Deadline(
                kind="opening",
                at=opened.opened_at if opened else case.submission_deadline,
                uid=_uid("opening", case.id, tag),
                sequence=sequence + (1 if opened else 0),
                last_modified=opened.opened_at if opened else amended,
                stage=stage,
                settled=opened is not None,
                **base,
            )
        )
    if case.expected_award_on is not None:
        found.append(
            Deadline(
                kind="expected_award",
                at=_end_of(case.expected_award_on),
                uid=_uid("expected_award", case.id, tag),
                sequence=sequence,
                last_modified=amended,
                day=case.expected_award_on,
                **base,
            )
        )
    return found


def _plan_deadlines(case: Case, base: dict, choice: StrategyChoice, called, openings) -> list[Deadline]:
    """The current call for realisation plans: its deadline and its opening, for the coalitions called."""
    stage = ProposalStage.realisation.value
    tag = _round_tag(case)
    coalitions = frozenset(called.get((choice.id, choice.plan_call), ()))
    opened = openings.get((case.id, case.round, stage, choice.plan_call))
    extra = f"plan{choice.plan_call}"
    common = {"stage": stage, "plan_call": choice.plan_call, "coalition_ids": coalitions, **base}
    return [
        Deadline(
            kind="submission",
            at=choice.plan_deadline,
            uid=_uid("submission", case.id, tag, extra),
            last_modified=choice.decided_at,
            **common,
        ),
        Deadline(
            kind="opening",
            at=opened.opened_at if opened else choice.plan_deadline,
            uid=_uid("opening", case.id, tag, extra),
            sequence=1 if opened else 0,
            last_modified=opened.opened_at if opened else choice.decided_at,
            settled=opened is not None,
            **common,
        ),
    ]


def falling_between(session: Session, start: datetime, end: datetime) -> list[Deadline]:
    """Every deadline of every case with `start <= at < end` (for reminders; six queries plus `of_cases`)."""
    candidates: set[int] = set()
    candidates.update(
        session.exec(
            select(Case.id).where(
                or_(
                    and_(Case.clarification_deadline >= start, Case.clarification_deadline < end),
                    and_(Case.submission_deadline >= start, Case.submission_deadline < end),
                    # an expected award day passes at the following midnight (local): a day either side covers it
                    and_(
                        Case.expected_award_on >= (start - timedelta(days=1)).date(),
                        Case.expected_award_on <= (end + timedelta(days=1)).date(),
                    ),
                )
            )
        ).all()
    )
    candidates.update(
        session.exec(select(BoxOpening.case_id).where(BoxOpening.opened_at >= start, BoxOpening.opened_at < end)).all()
    )
    candidates.update(
        session.exec(
            select(StrategyChoice.case_id).where(
                StrategyChoice.plan_deadline >= start, StrategyChoice.plan_deadline < end
            )
        ).all()
    )
    candidates.update(
        session.exec(
            select(AwardDecision.case_id).where(
                AwardDecision.standstill_ends_at >= start, AwardDecision.standstill_ends_at < end
            )
        ).all()
    )
    # Report due days: an agreement running (with its grace) over the window; indicators by their next due day.
    first, last = (start - timedelta(days=2)).date(), (end + timedelta(days=2)).date()
    candidates.update(
        session.exec(
            select(Agreement.case_id).where(
                Agreement.concluded_at.is_not(None),
                Agreement.starts_on <= last,
                Agreement.ends_on >= first - timedelta(days=monitoring.GRACE_DAYS),
            )
        ).all()
    )
    candidates.update(
        session.exec(
            select(Agreement.case_id)
            .join(Indicator, Indicator.agreement_id == Agreement.id)
            .where(Indicator.next_due_on >= first, Indicator.next_due_on <= last)
        ).all()
    )
    return [d for d in of_cases(session, candidates) if start <= d.at < end]


@dataclass(frozen=True)
class Concern:
    """Why a user's calendar holds a case: which of its deadlines they get."""

    everything: set[int]  # cases whose every deadline concerns the user (the municipality's own)
    tender: set[int]  # cases whose public tender deadlines concern the user (followed, or their coalition's)
    coalition_ids: set[int]  # the user's own coalitions: deadlines for these coalitions only


def concern_of(session: Session, user: User) -> Concern:
    """What concerns the user (a few queries):

    - a coalition member: the tenders they follow, and the cases their organisation's coalitions take part in
      (accepted membership; the coalition is the user's own, so nothing of another coalition is named); of those,
      deadlines meant for some coalitions only (a call for plans, a report due, the standstill end after a letter)
      only when one of theirs is among them;
    - an official: every deadline of the cases they own, that an official of their team owns, or that they
      evaluate, plus the public deadlines of tenders they follow;
    - a council member or an admin: the public deadlines of the tenders they follow (the council has no deadlines
      of its own in a case; the accountability dates are not modelled as dates).
    """
    from .following import followed_case_ids  # the follow model imports nothing of this module

    tender = set(followed_case_ids(session, user))
    everything: set[int] = set()
    coalition_ids: set[int] = set()
    if user.role == Role.coalition_member and user.organisation_id is not None:
        for coalition_id, case_id in session.exec(
            select(Coalition.id, Coalition.case_id)
            .join(CoalitionMember, CoalitionMember.coalition_id == Coalition.id)
            .where(
                CoalitionMember.organisation_id == user.organisation_id,
                CoalitionMember.status == MembershipStatus.accepted,
            )
        ).all():
            coalition_ids.add(coalition_id)
            tender.add(case_id)
    elif user.role == Role.official:
        owners = [Case.owner_id == user.id]
        if user.team_id is not None:
            team = select(User.id).where(User.team_id == user.team_id, User.role == Role.official)
            owners.append(Case.owner_id.in_(team))
        evaluated = select(EvaluatorAssignment.case_id).where(EvaluatorAssignment.user_id == user.id)
        everything.update(session.exec(select(Case.id).where(or_(*owners, Case.id.in_(evaluated)))).all())
    return Concern(everything, tender, coalition_ids)


def concerning(session: Session, user: User) -> list[Deadline]:
    """What concerns this user (see `concern_of`), by time."""
    concern = concern_of(session, user)
    return select_concerning(of_cases(session, concern.everything | concern.tender), concern)


def select_concerning(found: list[Deadline], concern: Concern) -> list[Deadline]:
    kept = []
    for deadline in found:
        if deadline.case_id in concern.everything:
            kept.append(deadline)
        elif deadline.coalition_ids is not None:
            if deadline.coalition_ids & concern.coalition_ids:
                kept.append(deadline)
        elif deadline.case_id in concern.tender and deadline.public:
            kept.append(deadline)
    return kept
