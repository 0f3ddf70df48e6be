"""The two-stage variant: the strategy choice, its letters, the realisation plan and its judgement.

Coalitions first submit a strategy (the tender box of the strategy stage). The owner chooses one
strategy, or as many as the tender allows (`Case.strategies_to_choose`), among those whose consensus
is complete and that meet the minimum requirements, never passing over a better-ranked one; when
`select_strategy` fires, every coalition gets its letter at one moment.

A strategy choice is not an award: nothing is contracted and no standstill runs. The letters say so,
and that the award decision on the realisation plan follows with its own letters and standstill. The
strategies not chosen stay ranked in reserve: if no plan is accepted, the next-ranked coalition is
invited to work its strategy out (a new call for plans, sealed and opened like the first).

The chosen coalitions work their strategy out into a realisation plan (a `realisation` proposal with
its own sealed submission and receipt) while the municipality stays reachable (`PlanMessage`). The
plan is judged on the realisation-plan criteria, then accepted (the award: `award.decide` and
`propose_award`) or not (`reject_plan`, motivated; then `invite_next` or `declare_unsuccessful`).
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime

from flask import render_template, url_for
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlmodel import Session, select

from .. import access
from ..core import audit, locking
from ..core.errors import DomainError, NotAllowed, NotFound
from ..models import (
    Case,
    ChosenStrategy,
    Coalition,
    PlanMessage,
    Proposal,
    ProposalStage,
    ProposalStatus,
    StrategyChoice,
    StrategyLetter,
    User,
    utcnow,
)
from ..notifications import Kind, notify
from ..notifications import recipients as notification_recipients
from ..question.question_document import DOCUMENT_LOCALE
from ..question.tender_lock import tender_change
from ..workflow import guards
from ..workflow.effects import effect
from ..workflow.phases import in_phase
from . import award, scoring, stages, tender_box
from .tender_box import is_authorised_official

MAX_STRATEGIES = 10
choice_of = stages.choice_of
STRATEGY = ProposalStage.strategy


def set_strategies_to_choose(
    session: Session, case: Case, *, actor: User, count: int, amendment_note: str = ""
) -> None:
    """The tender says how many strategies may be chosen; part of the tender, so an amendment once published."""
    if not stages.two_stage(case):
        raise DomainError(_("Only the two-stage procedure chooses strategies."))
    if not 1 <= count <= MAX_STRATEGIES:
        raise DomainError(_("Between 1 and %(max)d strategies may be chosen.", max=MAX_STRATEGIES))
    with tender_change(session, case, actor=actor, amendment_note=amendment_note):
        case.strategies_to_choose = count
        case.updated_at = utcnow()
        session.add(case)
        audit.record(session, action="strategy_count_set", actor=actor, case=case, details={"count": count})


def candidates(session: Session, case: Case) -> list[scoring.Ranked]:
    """The strategies that may be chosen, best first: complete consensus and minimum requirements met."""
    passed = scoring.requirements_passed(session, case)
    return [r for r in scoring.ranking(session, case) if r.complete and passed.get(r.entry.proposal_id)]


def _require_owner(case: Case, actor: User, message: str) -> None:
    if actor.id != case.owner_id:
        raise NotAllowed(message)


def choice_problems(
    session: Session, case: Case, chosen_ids: list[int], plan_deadline: datetime, *, now: datetime
) -> tuple[list[str], list[scoring.Ranked]]:
    """What makes a choice of these strategies unlawful now, with the ranking it was judged against. Checked when
    the choice is recorded and again when its letters go out (guard `strategy_selected`): a consensus revised or
    a deadline passed in between must not send a letter that passes over a better strategy or is already late.
    That every judgement is in is the transition's own guards' (`guards.JUDGEMENTS_COMPLETE`)."""
    if not 1 <= len(chosen_ids) <= case.strategies_to_choose:
        allowed = case.strategies_to_choose
        return [ngettext("Choose one strategy.", "Choose at least one and at most %(num)d strategies.", allowed)], []
    ranked = candidates(session, case)
    by_id = {r.entry.proposal_id: r for r in ranked}
    problems = []
    if any(pid not in by_id for pid in chosen_ids):
        problems.append(
            _("Only a strategy with a complete consensus that meets the minimum requirements can be chosen.")
        )
    else:
        lowest_chosen = min(by_id[pid].total for pid in chosen_ids)
        if any(r.total > lowest_chosen and r.entry.proposal_id not in chosen_ids for r in ranked):
            problems.append(
                _("A better-ranked strategy cannot be passed over: choose the strategies in ranking order.")
            )
    if plan_deadline <= now:
        problems.append(_("The deadline for the realisation plan must lie in the future."))
    return problems, ranked


def first_chosen(session: Session, choice: StrategyChoice) -> list[int]:
    """The proposals of the strategies chosen in the first call (later calls invite from the reserve)."""
    return list(
        session.exec(
            select(ChosenStrategy.proposal_id).where(
                ChosenStrategy.choice_id == choice.id, ChosenStrategy.plan_call == 1
            )
        ).all()
    )


def choose(
    session: Session, case: Case, *, actor: User, proposal_ids: list[int], motivation: str, plan_deadline: datetime
) -> StrategyChoice:
    """Record (or revise, until the letters go out) which strategies are worked out into a realisation plan."""
    _require_owner(case, actor, _("Only the case owner chooses the strategy."))
    if not in_phase(case, "strategy_choice"):
        raise DomainError(_("The strategy is chosen in the phase “Evaluation” of the two-stage procedure."))
    unfinished = guards.unmet(session, case, guards.JUDGEMENTS_COMPLETE)
    if unfinished:
        raise DomainError(" ".join(unfinished))
    chosen_ids = list(dict.fromkeys(proposal_ids))
    if not motivation.strip():
        raise DomainError(_("Give the motivation of the strategy choice."))
    problems, ranked = choice_problems(session, case, chosen_ids, plan_deadline, now=utcnow())
    if problems:
        raise DomainError(" ".join(problems))
    by_id = {r.entry.proposal_id: r for r in ranked}
    choice = choice_of(session, case)
    if choice is not None and choice.letters_sent_at is not None:
        raise DomainError(_("The letters on the strategy choice are sent: the choice can no longer change."))
    if choice is None:
        choice = StrategyChoice(
            case_id=case.id, round=case.round, motivation="", decided_by_id=actor.id, plan_deadline=plan_deadline
        )
    choice.motivation, choice.plan_deadline = motivation.strip(), plan_deadline
    choice.decided_by_id, choice.decided_at = actor.id, utcnow()
    choice.reserve = [r.entry.proposal_id for r in ranked if r.entry.proposal_id not in chosen_ids]
    session.add(choice)
    session.flush()
    for old in session.exec(select(ChosenStrategy).where(ChosenStrategy.choice_id == choice.id)).all():
        session.delete(old)
    session.flush()
    session.add_all(
        ChosenStrategy(
            choice_id=choice.id, proposal_id=pid, coalition_id=by_id[pid].entry.coalition.id, plan_call=choice.plan_call
        )
        for pid in chosen_ids
    )
    audit.record(
        session,
        action="strategy_choice_recorded",
        actor=actor,
        case=case,
        details={"proposal_ids": chosen_ids, "plan_deadline": plan_deadline.isoformat()},
    )
    session.flush()
    return choice


@dataclass(frozen=True)
class Chosen:
    """A chosen strategy with its coalition, for the pages."""

    row: ChosenStrategy
    coalition: Coalition


def chosen(session: Session, case: Case) -> list[Chosen]:
    """Every strategy chosen or invited in this round, in the order of the calls."""
    choice = choice_of(session, case)
    if choice is None:
        return []
    rows = session.exec(
        select(ChosenStrategy, Coalition)
        .join(Coalition, Coalition.id == ChosenStrategy.coalition_id)
        .where(ChosenStrategy.choice_id == choice.id)
        .order_by(ChosenStrategy.plan_call, Coalition.name)
    ).all()
    return [Chosen(row, coalition) for row, coalition in rows]


@dataclass(frozen=True)
class LetterFacts:
    """What one letter on the strategy choice says; rendered once, frozen with its hash."""

    case: Case
    choice: StrategyChoice
    coalition: Coalition
    is_chosen: bool
    own: scoring.Ranked
    chosen_names: list[str]
    criteria: list
    consensus: dict
    competitors: int


@effect("send_strategy_letters")
def send_letters(session: Session, case: Case, actor: User | None) -> None:
    """Workflow effect of `select_strategy`: every coalition's letter at the same moment, and a mail to each."""
    choice = choice_of(session, case)
    if choice is None:
        raise DomainError(_("No strategy has been selected with a motivation."))
    now = utcnow()
    choice.letters_sent_at = now
    session.add(choice)
    ranked = scoring.ranking(session, case, STRATEGY)  # the case is in the plan phase already
    chosen_ids = {c.coalition.id for c in chosen(session, case)}
    facts = {
        "case": case,
        "choice": choice,
        "chosen_names": sorted(r.entry.coalition.name for r in ranked if r.entry.coalition.id in chosen_ids),
        "criteria": scoring.criteria(session, case, STRATEGY),
        "consensus": scoring.consensus_of(session, case, STRATEGY),
        "competitors": len(ranked),
    }
    audiences = notification_recipients.of_coalitions(session, [r.entry.coalition.id for r in ranked])
    with force_locale(DOCUMENT_LOCALE):
        for row in ranked:
            coalition = row.entry.coalition
            letter_facts = LetterFacts(coalition=coalition, is_chosen=coalition.id in chosen_ids, own=row, **facts)
            html = render_template("strategy/letter.html", letter=letter_facts)
            session.add(
                StrategyLetter(
                    choice_id=choice.id,
                    coalition_id=coalition.id,
                    is_chosen=letter_facts.is_chosen,
                    content_html=html,
                    sha256=hashlib.sha256(html.encode()).hexdigest(),
                    sent_at=now,
                )
            )
            audience = audiences.get(coalition.id, notification_recipients.Audience())
            notify(
                session,
                Kind.strategy_choice,
                users=audience.users,
                addresses=audience.addresses,
                case=case,
                template="strategy_chosen" if letter_facts.is_chosen else "strategy_not_chosen",
                context={
                    "title": case.title,
                    "reference": case.reference,
                    "link": url_for("strategy.own_letter", coalition_id=coalition.id, _external=True),
                    "plan_link": url_for("coalitions.plan", coalition_id=coalition.id, _external=True),
                },
                default_locale=DOCUMENT_LOCALE,
            )
    audit.record(
        session, action="strategy_letters_sent", actor=actor, case=case, at=now, details={"letters": len(ranked)}
    )


@effect("tell_strategies_of_the_award")
def tell_strategies_of_the_award(session: Session, case: Case, actor: User | None) -> None:
    """Workflow effect of `propose_award` in the two-stage variant, after the award letters: the coalitions whose
    strategy was not worked out competed for this tender too, so they get an award letter of their own (their
    scores on the strategy criteria, the winner, the standstill) and may object to the award like the others."""
    decision = award.current_decision(session, case)
    lettered = {letter.coalition_id for letter, _c in award.letters(session, decision)}
    strategies = scoring.ranking(session, case, STRATEGY)
    others = [row for row in strategies if row.entry.coalition.id not in lettered]
    if not others:
        return
    award.write_letters(
        session,
        case,
        decision,
        others,
        scoring.criteria(session, case, STRATEGY),
        scoring.consensus_of(session, case, STRATEGY),
        competitors=len(strategies),
        on_strategy=True,
        plan_rejections=_rejections(session, case),
    )
    audit.record(
        session,
        action="award_letters_sent",
        actor=actor,
        case=case,
        at=decision.letters_sent_at,
        details={"letters": len(others), "on_strategy": True},
    )


def _rejections(session: Session, case: Case) -> dict[int, str]:
    """Per coalition whose realisation plan was not accepted in this round: the recorded motivation."""
    choice = choice_of(session, case)
    rows = session.exec(
        select(ChosenStrategy.coalition_id, ChosenStrategy.rejection).where(
            ChosenStrategy.choice_id == choice.id, ChosenStrategy.rejected_at.is_not(None)
        )
    ).all()
    return dict(rows)


def letters(session: Session, case: Case) -> list[tuple[StrategyLetter, Coalition]]:
    choice = choice_of(session, case)
    if choice is None:
        return []
    return list(
        session.exec(
            select(StrategyLetter, Coalition)
            .join(Coalition, Coalition.id == StrategyLetter.coalition_id)
            .where(StrategyLetter.choice_id == choice.id)
            .order_by(StrategyLetter.is_chosen.desc(), Coalition.name)
        ).all()
    )


def letter_for(session: Session, case: Case, coalition: Coalition) -> StrategyLetter | None:
    choice = choice_of(session, case)
    if choice is None:
        return None
    return session.exec(
        select(StrategyLetter).where(StrategyLetter.choice_id == choice.id, StrategyLetter.coalition_id == coalition.id)
    ).first()


def get_letter(session: Session, case: Case, letter_id: int) -> tuple[StrategyLetter, Coalition]:
    found = next(((letter, c) for letter, c in letters(session, case) if letter.id == letter_id), None)
    if found is None:
        raise NotFound(_("This letter does not exist."))
    return found


@access.rule(
    "strategy_chosen",
    "the coalition's strategy is chosen (or invited) and its realisation plan is in the current call",
    lambda: _("This realisation plan does not exist or your coalition was not asked for one."),
    hides=True,
)
def _chosen_rule(session: Session, _user: User, subject: access.Subject) -> bool:
    return subject.case is not None and stages.box_of(session, subject.case).admits_only(subject.coalition_id)


def is_called(session: Session, case: Case, coalition: Coalition) -> bool:
    """The coalition is asked for a realisation plan in the current call."""
    return in_phase(case, "plan_open") and stages.box_of(session, case).admits_only(coalition.id)


# --- the municipality stays reachable -----------------------------------------------------------------


def messages(session: Session, case: Case, coalition: Coalition) -> list[tuple[PlanMessage, User]]:
    return list(
        session.exec(
            select(PlanMessage, User)
            .join(User, User.id == PlanMessage.author_id)
            .where(PlanMessage.case_id == case.id, PlanMessage.coalition_id == coalition.id)
            .order_by(PlanMessage.sent_at, PlanMessage.id)
        ).all()
    )


def all_messages(session: Session, case: Case) -> dict[int, list[tuple[PlanMessage, User]]]:
    """Every thread of the case, per coalition, in one query."""
    threads: dict[int, list[tuple[PlanMessage, User]]] = {}
    rows = session.exec(
        select(PlanMessage, User)
        .join(User, User.id == PlanMessage.author_id)
        .where(PlanMessage.case_id == case.id)
        .order_by(PlanMessage.sent_at, PlanMessage.id)
    ).all()
    for message, author in rows:
        threads.setdefault(message.coalition_id, []).append((message, author))
    return threads


def send_message(session: Session, case: Case, coalition: Coalition, *, actor: User, text: str) -> PlanMessage:
    """A question or answer between a chosen coalition and the municipality while the plan is worked out; the
    other side is mailed. Only the coalition and the case's owner and evaluators read the thread."""
    from_municipality = is_authorised_official(session, case, actor)
    if not from_municipality:
        access.require(session, access.Capability.work_out_plan, actor, case=case, coalition_id=coalition.id)
    if coalition.case_id != case.id or not is_called(session, case, coalition):
        raise NotFound(_("This coalition is not working out a realisation plan."))
    if not from_municipality and stages.box_of(session, case).deadline <= utcnow():
        raise DomainError(
            _("The deadline for the realisation plan has passed: nothing can be added to the plan any more.")
        )
    if not text.strip():
        raise DomainError(_("Write your message."))
    message = PlanMessage(
        case_id=case.id,
        coalition_id=coalition.id,
        author_id=actor.id,
        from_municipality=from_municipality,
        text=text.strip(),
    )
    session.add(message)
    session.flush()
    audit.record(
        session,
        action="plan_message_sent",
        actor=actor,
        case=case,
        details={"coalition_id": coalition.id, "from_municipality": from_municipality},
    )
    if from_municipality:
        audience = notification_recipients.of_coalitions(session, [coalition.id]).get(
            coalition.id, notification_recipients.Audience()
        )
        link = url_for("coalitions.plan", coalition_id=coalition.id, _external=True)
    else:
        owner = session.get(User, case.owner_id)
        audience = notification_recipients.Audience(users=[owner] if owner else [])
        link = url_for("strategy.index", case_id=case.id, _external=True) + f"#messages-{coalition.id}"
    notify(
        session,
        Kind.plan_message,
        users=audience.users,
        addresses=audience.addresses,
        case=case,
        template="plan_message",
        context={"title": case.title, "coalition": coalition.name, "text": message.text, "link": link},
        sealed=True,
    )
    return message


# --- the plan is accepted or not ---------------------------------------------------------------------------


def _require_judging(session: Session, case: Case, actor: User) -> StrategyChoice:
    _require_owner(case, actor, _("Only the case owner decides on a realisation plan."))
    choice = choice_of(session, case)
    if not in_phase(case, "plan_open") or choice is None:
        raise DomainError(_("Realisation plans are judged in the phase “Realisation plan”."))
    locking.serialise(session, StrategyChoice, choice.id)  # a double click or a second tab waits for the first
    session.refresh(choice)
    return choice


def reject_plan(session: Session, case: Case, *, actor: User, coalition_id: int, motivation: str) -> ChosenStrategy:
    """Record, with its motivation, that a coalition's realisation plan is not accepted (or none came in time)."""
    choice = _require_judging(session, case, actor)
    if utcnow() < choice.plan_deadline:
        raise DomainError(_("A realisation plan is judged after its deadline."))
    row = session.exec(
        locking.fresh(
            select(ChosenStrategy).where(
                ChosenStrategy.choice_id == choice.id,
                ChosenStrategy.coalition_id == coalition_id,
                ChosenStrategy.plan_call == choice.plan_call,
                ChosenStrategy.rejected_at.is_(None),
            )
        )
    ).first()
    if row is None:
        raise NotFound(_("This coalition has no realisation plan under judgement."))
    if _plan_submitted(session, case, coalition_id):
        if not tender_box.is_open(session, case):
            raise DomainError(_("A submitted realisation plan is judged only after the four-eyes opening of its box."))
        unfinished = guards.unmet(session, case, guards.JUDGEMENTS_COMPLETE)
        if unfinished:
            raise DomainError(" ".join(unfinished))
    if not motivation.strip():
        raise DomainError(_("Give the motivation why the realisation plan is not accepted."))
    row.rejected_at, row.rejected_by_id, row.rejection = utcnow(), actor.id, motivation.strip()
    session.add(row)
    audit.record(
        session,
        action="realisation_plan_rejected",
        actor=actor,
        case=case,
        details={"coalition_id": coalition_id, "plan_call": choice.plan_call},
    )
    audience = notification_recipients.of_coalitions(session, [coalition_id]).get(
        coalition_id, notification_recipients.Audience()
    )
    notify(
        session,
        Kind.strategy_choice,
        users=audience.users,
        addresses=audience.addresses,
        case=case,
        template="plan_not_accepted",
        context={"title": case.title, "reference": case.reference, "motivation": row.rejection},
    )
    session.flush()
    return row


def _plan_submitted(session: Session, case: Case, coalition_id: int) -> bool:
    """The coalition's realisation plan of this round is in the box (not: no plan came in time)."""
    return (
        session.exec(
            select(Proposal.id).where(
                Proposal.case_id == case.id,
                Proposal.round == case.round,
                Proposal.stage == ProposalStage.realisation,
                Proposal.coalition_id == coalition_id,
                Proposal.status == ProposalStatus.submitted,
            )
        ).first()
        is not None
    )


def next_in_reserve(session: Session, case: Case) -> tuple[int, Coalition] | None:
    """The best-ranked strategy not yet asked for a plan, once no plan of the current call is left to judge."""
    choice = choice_of(session, case)
    if choice is None or stages.box_of(session, case).coalition_ids or not choice.reserve:
        return None
    asked = {c.coalition.id for c in chosen(session, case)}
    rows = session.exec(
        select(Proposal.id, Coalition)
        .join(Coalition, Coalition.id == Proposal.coalition_id)
        .where(Proposal.id.in_(choice.reserve))
    ).all()
    by_id = {pid: coalition for pid, coalition in rows if coalition.id not in asked}
    return next(((pid, by_id[pid]) for pid in choice.reserve if pid in by_id), None)


def invite_next(
    session: Session, case: Case, *, actor: User, plan_deadline: datetime, motivation: str
) -> ChosenStrategy:
    """No plan of the chosen strategies is accepted: invite the next-ranked strategy's coalition (a new call)."""
    choice = _require_judging(session, case, actor)
    found = next_in_reserve(session, case)
    if found is None:
        raise DomainError(
            _(
                "No strategy is left in reserve, or a plan is still under judgement. Otherwise declare the tender unsuccessful."
            )
        )
    if plan_deadline <= utcnow():
        raise DomainError(_("The deadline for the realisation plan must lie in the future."))
    if not motivation.strip():
        raise DomainError(_("Give the motivation for inviting the next strategy."))
    proposal_id, coalition = found
    choice.plan_call += 1
    choice.plan_deadline = plan_deadline
    session.add(choice)
    row = ChosenStrategy(
        choice_id=choice.id, proposal_id=proposal_id, coalition_id=coalition.id, plan_call=choice.plan_call
    )
    session.add(row)
    audit.record(
        session,
        action="next_strategy_invited",
        actor=actor,
        case=case,
        reason=motivation.strip(),
        details={
            "coalition_id": coalition.id,
            "plan_call": choice.plan_call,
            "plan_deadline": plan_deadline.isoformat(),
        },
    )
    audience = notification_recipients.of_coalitions(session, [coalition.id]).get(
        coalition.id, notification_recipients.Audience()
    )
    notify(
        session,
        Kind.strategy_choice,
        users=audience.users,
        addresses=audience.addresses,
        case=case,
        template="strategy_invited",
        context={
            "title": case.title,
            "reference": case.reference,
            "deadline": plan_deadline,
            "motivation": motivation.strip(),
            "plan_link": url_for("coalitions.plan", coalition_id=coalition.id, _external=True),
        },
    )
    session.flush()
    return row
