"""The intended award, the letters to every coalition, the standstill and objections.

The owner chooses the winner among the best-ranked proposals that meet the
minimum requirements; the ranking itself is computed (see `scoring`). When
`propose_award` fires, every coalition in competition gets its letter in the
same transaction, with one timestamp: its own scores and motivations, the
winner's name, what made the winning proposal better, and the exact end of the
standstill. During the standstill coalitions may object; an open objection
blocks the agreement.
"""

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func
from sqlmodel import Session, select

from ..core import audit
from ..core.errors import DomainError, NotAllowed, NotFound
from ..models import (
    AwardDecision,
    AwardLetter,
    Case,
    Coalition,
    CoalitionMember,
    MembershipStatus,
    Objection,
    Organisation,
    Proposal,
    Role,
    User,
    utcnow,
)
from ..notifications import Kind, notify
from ..notifications import recipients as notification_recipients
from ..question.question_document import DOCUMENT_LOCALE
from ..workflow import guards
from ..workflow.effects import effect
from ..workflow.phases import in_phase
from . import scoring, stages


def current_decision(session: Session, case: Case) -> AwardDecision | None:
    """The latest award decision of the current round (not a strategy selection)."""
    return session.exec(
        select(AwardDecision).where(AwardDecision.id == current_decision_id(case.id, case.round))
    ).first()


def current_decision_id(case_id, case_round):
    """The current decision's id as a subquery; given `Case.id` and `Case.round` it correlates with an outer query."""
    return (
        select(AwardDecision.id)
        .join(Proposal, Proposal.id == AwardDecision.proposal_id)
        .where(AwardDecision.case_id == case_id, Proposal.round == case_round, AwardDecision.stage != "strategy")
        .order_by(AwardDecision.decided_at.desc(), AwardDecision.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def _stage(case: Case) -> str:
    """In the two-stage variant the award rests on the realisation plan (the strategy choice is `strategy`)."""
    return stages.stage_of(case).value


def eligible(session: Session, case: Case) -> list[scoring.Ranked]:
    """The proposals that may win: complete consensus, minimum requirements met, best total (ties included)."""
    passed = scoring.requirements_passed(session, case)
    candidates = [r for r in scoring.ranking(session, case) if r.complete and passed.get(r.entry.proposal_id)]
    if not candidates:
        return []
    best = max(r.total for r in candidates)
    return [r for r in candidates if r.total == best]


def decide(
    session: Session, case: Case, *, actor: User, proposal_id: int, motivation: str, advantages: str
) -> AwardDecision:
    """Record (or revise, until the letters go out) the intended award decision."""
    if actor.id != case.owner_id:
        raise NotAllowed(_("Only the case owner records the award decision."))
    if not in_phase(case, "award_decidable"):
        raise DomainError(_("The award decision is recorded in the phase “Evaluation”."))
    unfinished = guards.unmet(session, case, guards.JUDGEMENTS_COMPLETE)
    if unfinished:
        raise DomainError(" ".join(unfinished))
    if proposal_id not in {r.entry.proposal_id for r in eligible(session, case)}:
        raise DomainError(
            _(
                "Only a best-ranked proposal that meets the minimum requirements can be awarded. If none does, declare the tender unsuccessful."
            )
        )
    if not motivation.strip() or not advantages.strip():
        raise DomainError(
            _("Give the motivation and the characteristics and relative advantages of the winning proposal.")
        )
    stage = _stage(case)
    decision = session.exec(
        select(AwardDecision)
        .join(Proposal, Proposal.id == AwardDecision.proposal_id)
        .where(AwardDecision.case_id == case.id, Proposal.round == case.round, AwardDecision.stage == stage)
    ).first() or AwardDecision(
        case_id=case.id, proposal_id=proposal_id, stage=stage, motivation="", decided_by_id=actor.id
    )
    decision.proposal_id, decision.motivation, decision.advantages = proposal_id, motivation.strip(), advantages.strip()
    decision.decided_by_id, decision.decided_at = actor.id, utcnow()
    session.add(decision)
    audit.record(
        session,
        action="award_decision_recorded",
        actor=actor,
        case=case,
        details={"proposal_id": proposal_id, "stage": stage},
    )
    session.flush()
    return decision


def standstill_end(sent_at: datetime, days: int) -> datetime:
    """The end of the last calendar day of the standstill, midnight in the municipality's time zone."""
    zone = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Europe/Amsterdam"))
    last_day = sent_at.astimezone(zone).date() + timedelta(days=days)
    return datetime.combine(last_day + timedelta(days=1), datetime.min.time(), tzinfo=zone).astimezone(ZoneInfo("UTC"))


def last_day(decision: AwardDecision) -> date | None:
    """The last calendar day of the standstill, as letters and notices state it."""
    return end_day(decision.standstill_ends_at) if decision.standstill_ends_at else None


def end_day(ends_at: datetime) -> date:
    """The calendar day a term ending at midnight (`standstill_end`) ends on, in the municipality's time zone."""
    zone = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Europe/Amsterdam"))
    return (ends_at.astimezone(zone) - timedelta(seconds=1)).date()


@dataclass(frozen=True)
class LetterFacts:
    """What one letter says; rendered once, frozen with its hash."""

    case: Case
    decision: AwardDecision
    coalition: Coalition
    winner: Coalition
    is_winner: bool
    own: scoring.Ranked
    criteria: list
    consensus: dict
    competitors: int
    standstill_last_day: date
    on_strategy: bool = False  # two-stage: the addressee competed with a strategy that was not worked out
    plan_rejection: str = ""  # two-stage: why the addressee's worked-out plan was not accepted


def recipients(session: Session, coalition_ids: list[int]) -> dict[int, set[str]]:
    """Addresses per coalition: its accepted organisations' users and contact addresses, in one query."""
    rows = session.exec(
        select(CoalitionMember.coalition_id, User.email, Organisation.contact_email)
        .join(Organisation, Organisation.id == CoalitionMember.organisation_id)
        .outerjoin(User, (User.organisation_id == Organisation.id) & (User.role == Role.coalition_member) & User.active)
        .where(CoalitionMember.coalition_id.in_(coalition_ids), CoalitionMember.status == MembershipStatus.accepted)
    ).all()
    addresses: dict[int, set[str]] = {}
    for coalition_id, user_email, contact in rows:
        addresses.setdefault(coalition_id, set()).update(a for a in (user_email, contact) if a)
    return addresses


@effect("send_award_letters")
def send_letters(session: Session, case: Case, actor: User | None) -> None:
    """Workflow effect of `propose_award`: every coalition's letter at the same moment."""
    decision = current_decision(session, case)
    if decision is None:
        raise DomainError(_("No intended award decision with a motivation is recorded."))
    now = utcnow()
    decision.letters_sent_at, decision.standstill_ends_at = now, standstill_end(now, case.standstill_days)
    session.add(decision)
    ranked = scoring.ranking(session, case)
    write_letters(session, case, decision, ranked, scoring.criteria(session, case), scoring.consensus_of(session, case))
    audit.record(
        session,
        action="award_letters_sent",
        actor=actor,
        case=case,
        at=now,
        details={"letters": len(ranked), "standstill_ends_at": decision.standstill_ends_at.isoformat()},
    )


def write_letters(
    session: Session,
    case: Case,
    decision: AwardDecision,
    ranked: list[scoring.Ranked],
    criteria: list,
    consensus: dict,
    *,
    competitors: int | None = None,
    on_strategy: bool = False,
    plan_rejections: dict[int, str] | None = None,
) -> None:
    """Freeze one letter per ranked coalition (in Dutch, with its hash, at the decision's moment) and mail its
    members the link. `competitors`: how many competed, if more than `ranked`; `on_strategy`: the coalitions were
    judged on their strategy only (two-stage variant), `plan_rejections` says why a worked-out plan was not accepted."""
    winner = session.exec(
        select(Coalition)
        .join(Proposal, Proposal.coalition_id == Coalition.id)
        .where(Proposal.id == decision.proposal_id)
    ).one()
    facts = {
        "case": case,
        "decision": decision,
        "winner": winner,
        "criteria": criteria,
        "consensus": consensus,
        "competitors": competitors or len(ranked),
        "standstill_last_day": last_day(decision),
        "on_strategy": on_strategy,
    }
    audiences = notification_recipients.of_coalitions(session, [r.entry.coalition.id for r in ranked])
    with force_locale(DOCUMENT_LOCALE):
        for row in ranked:
            letter_facts = LetterFacts(
                coalition=row.entry.coalition,
                is_winner=row.entry.coalition.id == winner.id,
                own=row,
                plan_rejection=(plan_rejections or {}).get(row.entry.coalition.id, ""),
                **facts,
            )
            html = render_template("award/letter.html", letter=letter_facts)
            session.add(
                AwardLetter(
                    award_decision_id=decision.id,
                    coalition_id=row.entry.coalition.id,
                    is_winner=letter_facts.is_winner,
                    content_html=html,
                    sha256=hashlib.sha256(html.encode()).hexdigest(),
                    sent_at=decision.letters_sent_at,
                )
            )
            audience = audiences.get(row.entry.coalition.id, notification_recipients.Audience())
            notify(  # mandatory; in the recipient's language, else the letter's
                session,
                Kind.award_letter,
                users=audience.users,
                addresses=audience.addresses,
                case=case,
                template="award_letter",
                context={
                    "title": case.title,
                    "reference": case.reference,
                    "link": url_for("award.own_letter", coalition_id=row.entry.coalition.id, _external=True),
                },
                default_locale=DOCUMENT_LOCALE,
            )


def letters(session: Session, decision: AwardDecision) -> list[tuple[AwardLetter, Coalition]]:
    return list(
        session.exec(
            select(AwardLetter, Coalition)
            .join(Coalition, Coalition.id == AwardLetter.coalition_id)
            .where(AwardLetter.award_decision_id == decision.id)
            .order_by(AwardLetter.is_winner.desc(), Coalition.name)
        ).all()
    )


def letter_for(session: Session, case: Case, coalition: Coalition) -> AwardLetter | None:
    decision = current_decision(session, case)
    if decision is None:
        return None
    return session.exec(
        select(AwardLetter).where(
            AwardLetter.award_decision_id == decision.id, AwardLetter.coalition_id == coalition.id
        )
    ).first()


def get_letter(session: Session, case: Case, letter_id: int) -> tuple[AwardLetter, Coalition]:
    row = session.exec(
        select(AwardLetter, Coalition)
        .join(Coalition, Coalition.id == AwardLetter.coalition_id)
        .where(AwardLetter.id == letter_id, Coalition.case_id == case.id)
    ).first()
    if row is None:
        raise NotFound(_("This letter does not exist."))
    return row


def in_standstill(decision: AwardDecision | None, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return (
        decision is not None
        and decision.standstill_ends_at is not None
        and decision.letters_sent_at is not None
        and now < decision.standstill_ends_at
    )


def lodge_objection(session: Session, case: Case, coalition: Coalition, *, actor: User, text: str) -> Objection:
    """A coalition that received a letter objects, before the standstill ends."""
    decision = current_decision(session, case)
    if not in_phase(case, "award_intended") or letter_for(session, case, coalition) is None:
        raise DomainError(_("Objections are lodged against an award decision your coalition received."))
    if not in_standstill(decision):
        raise DomainError(_("The standstill period is over: objections can no longer be lodged here."))
    if not text.strip():
        raise DomainError(_("Describe your objection."))
    objection = Objection(
        award_decision_id=decision.id,
        organisation_id=actor.organisation_id,
        coalition_id=coalition.id,
        lodged_by_id=actor.id,
        text=text.strip(),
    )
    session.add(objection)
    session.flush()
    audit.record(
        session,
        action="objection_lodged",
        actor=actor,
        case=case,
        details={"objection_id": objection.id, "coalition_id": coalition.id},
    )
    owner = session.get(User, case.owner_id)
    notify(
        session,
        Kind.objection,
        users=[owner] if owner else [],
        case=case,
        template="objection_lodged",
        context={
            "title": case.title,
            "reference": case.reference,
            "coalition": coalition.name,
            "link": url_for("award.index", case_id=case.id, _external=True),
        },
    )
    return objection


def objections(session: Session, case: Case) -> list[tuple[Objection, Organisation]]:
    return list(
        session.exec(
            select(Objection, Organisation)
            .join(Organisation, Organisation.id == Objection.organisation_id)
            .join(AwardDecision, AwardDecision.id == Objection.award_decision_id)
            .where(AwardDecision.case_id == case.id)
            .order_by(Objection.lodged_at)
        ).all()
    )


def objections_by(session: Session, case: Case, coalition_id: int) -> list[Objection]:
    """The objections lodged for one coalition: a partner shared with a rival sees, on each coalition's page, only
    what was lodged for that coalition."""
    return [o for o, _org in objections(session, case) if o.coalition_id == coalition_id]


@dataclass(frozen=True)
class Notice:
    """The public award notice: who won, when, and until when the standstill runs."""

    decision: AwardDecision
    winner: Coalition
    lead: Organisation
    proposals: int


def public_notice(session: Session, case: Case) -> Notice | None:
    decision = current_decision(session, case)
    if decision is None or decision.letters_sent_at is None:
        return None
    winner, lead = session.exec(
        select(Coalition, Organisation)
        .join(Proposal, Proposal.coalition_id == Coalition.id)
        .join(Organisation, Organisation.id == Coalition.lead_organisation_id)
        .where(Proposal.id == decision.proposal_id)
    ).one()
    count = session.exec(
        select(func.count()).select_from(AwardLetter).where(AwardLetter.award_decision_id == decision.id)
    ).one()
    return Notice(decision, winner, lead, count)
