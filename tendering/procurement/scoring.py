"""Evaluation of the opened proposals: conflicts, scores, consensus and ranking.

An evaluator declares any conflict of interest with a coalition before seeing
its proposal; a conflict excludes them from it. Scores need a motivation and
stay hidden from other evaluators until their own are submitted. The owner
records the consensus score per criterion; the ranking is computed from the
weights, never typed, and ties are shown as ties.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _
from sqlmodel import Session, select

from .. import access
from ..core import audit
from ..core.errors import DomainError, NotAllowed
from ..core.locking import fresh, serialise
from ..models import (
    AwardCriterion,
    Case,
    Coalition,
    ConsensusScore,
    CriterionScore,
    Evaluation,
    EvaluatorAssignment,
    Proposal,
    ProposalStage,
    ProposalSubmission,
    User,
    utcnow,
)
from ..workflow.phases import in_phase
from . import consensus_panel, stages
from .tender_box import is_open, submissions_of

PRICE_FORMULAS = ("lowest", "ceiling")


@dataclass(frozen=True)
class Entry:
    """One proposal in competition: its sealed submission and coalition."""

    submission: ProposalSubmission
    coalition: Coalition

    @property
    def proposal_id(self) -> int:
        return self.submission.proposal_id

    @property
    def price(self) -> Decimal:
        return Decimal(self.submission.content["price"])


@dataclass(frozen=True)
class Ranked:
    rank: int
    entry: Entry
    total: float  # 0–100: the weighted share of the maximum score
    complete: bool


# `stage`, where a function takes it, defaults to the stage in play; the strategy letters, sent as the case enters
# the realisation-plan phase, ask for the strategy stage.


def entries(session: Session, case: Case, stage: ProposalStage | None = None) -> list[Entry]:
    return [Entry(submission, coalition) for submission, coalition in submissions_of(session, case, stage)]


def criteria(session: Session, case: Case, stage: ProposalStage | None = None) -> list[AwardCriterion]:
    """The criteria that judge the proposals of the stage (strategy, realisation plan, or the one)."""
    stage = stage or stages.stage_of(case)
    return list(
        session.exec(
            select(AwardCriterion)
            .where(AwardCriterion.case_id == case.id, AwardCriterion.stage == stage.value)
            .order_by(AwardCriterion.position, AwardCriterion.id)
        ).all()
    )


def _require_evaluator(session: Session, case: Case, user: User) -> None:
    assigned = session.exec(
        select(EvaluatorAssignment).where(
            EvaluatorAssignment.case_id == case.id, EvaluatorAssignment.user_id == user.id
        )
    ).first()
    if assigned is None:
        raise NotAllowed(_("Only the evaluators assigned to this case evaluate its proposals."))
    if not in_phase(case, "proposals_scorable") or not is_open(session, case):
        raise _not_open()


def _not_open() -> DomainError:
    return DomainError(_("Proposals are evaluated once the tender box is open, in the phase “Evaluation”."))


def evaluation_of(session: Session, proposal_id: int, user: User) -> Evaluation | None:
    return session.exec(
        fresh(select(Evaluation)).where(Evaluation.proposal_id == proposal_id, Evaluation.evaluator_id == user.id)
    ).first()


def declare(
    session: Session, case: Case, entry: Entry, *, actor: User, has_conflict: bool, note: str = ""
) -> Evaluation:
    """Declare, before seeing the proposal, whether there is a conflict of interest.

    Declarations of one proposal take turns, so a double click is told it already declared.
    """
    _require_evaluator(session, case, actor)
    serialise(session, Proposal, entry.proposal_id)
    if evaluation_of(session, entry.proposal_id, actor) is not None:
        raise DomainError(_("You already declared for this proposal."))
    if has_conflict and not note.strip():
        raise DomainError(_("Describe the conflict of interest."))
    evaluation = Evaluation(
        proposal_id=entry.proposal_id, evaluator_id=actor.id, has_conflict=has_conflict, conflict_note=note.strip()
    )
    session.add(evaluation)
    audit.record(
        session,
        action="conflict_declared" if has_conflict else "no_conflict_declared",
        actor=actor,
        case=case,
        details={"proposal_id": entry.proposal_id},
    )
    session.flush()
    return evaluation


@access.rule(
    "declared_no_conflict",
    "the evaluator declared to have no conflict of interest with the proposal",
    lambda: _("Declare first that you have no conflict of interest with this proposal."),
)
def _no_conflict_rule(session: Session, user: User, subject: access.Subject) -> bool:
    return subject.proposal_id is not None and may_open(session, subject.proposal_id, user)


def may_open(session: Session, proposal_id: int, user: User) -> bool:
    """An evaluator opens a proposal only after declaring no conflict with its coalition."""
    evaluation = evaluation_of(session, proposal_id, user)
    return evaluation is not None and not evaluation.has_conflict


def scores_of(session: Session, evaluation: Evaluation) -> dict[int, CriterionScore]:
    rows = session.exec(fresh(select(CriterionScore)).where(CriterionScore.evaluation_id == evaluation.id)).all()
    return {row.criterion_id: row for row in rows}


def save_scores(
    session: Session,
    case: Case,
    entry: Entry,
    *,
    actor: User,
    scores: dict[int, tuple[float | None, str]],
    requirements_met: bool | None,
    requirements_note: str,
    submit: bool,
) -> Evaluation:
    """Save (and with `submit`, lock) one evaluator's judgement of one proposal."""
    _require_evaluator(session, case, actor)
    serialise(session, Proposal, entry.proposal_id)
    evaluation = evaluation_of(session, entry.proposal_id, actor)
    if evaluation is None or evaluation.has_conflict:
        raise NotAllowed(_("Declare that you have no conflict of interest before evaluating this proposal."))
    if evaluation.submitted_at is not None:
        raise DomainError(_("Your evaluation of this proposal is submitted and can no longer change."))
    by_id = {c.id: c for c in criteria(session, case)}
    existing = scores_of(session, evaluation)
    for criterion_id, (score, motivation) in scores.items():
        criterion = by_id.get(criterion_id)
        if criterion is None:
            raise DomainError(_("Unknown criterion."))
        if score is None:
            continue
        if not 0 <= score <= criterion.scale_max:
            raise DomainError(
                _(
                    "A score for “%(criterion)s” lies between 0 and %(max)d.",
                    criterion=criterion.name,
                    max=criterion.scale_max,
                )
            )
        row = existing.get(criterion_id) or CriterionScore(
            evaluation_id=evaluation.id, criterion_id=criterion_id, score=score, motivation=""
        )
        row.score, row.motivation = score, motivation.strip()
        session.add(row)
        existing[criterion_id] = row
    evaluation.requirements_met, evaluation.requirements_note = requirements_met, requirements_note.strip()
    if submit:
        missing = [c.name for c in by_id.values() if c.id not in existing or not existing[c.id].motivation]
        if missing:
            raise DomainError(
                _("Score every criterion with a motivation first: %(criteria)s.", criteria=", ".join(missing))
            )
        if requirements_met is None or not evaluation.requirements_note:
            raise DomainError(_("Judge the minimum requirements (met or not) with a reason first."))
        evaluation.submitted_at = utcnow()
        audit.record(
            session, action="evaluation_submitted", actor=actor, case=case, details={"proposal_id": entry.proposal_id}
        )
    session.add(evaluation)
    session.flush()
    return evaluation


def all_evaluations(session: Session, case: Case, stage: ProposalStage | None = None) -> list[tuple[Evaluation, User]]:
    proposal_ids = select(Proposal.id).where(
        Proposal.case_id == case.id, Proposal.round == case.round, Proposal.stage == (stage or stages.stage_of(case))
    )
    return list(
        session.exec(
            select(Evaluation, User)
            .join(User, User.id == Evaluation.evaluator_id)
            .where(Evaluation.proposal_id.in_(proposal_ids))
        ).all()
    )


def visible_scores(
    session: Session, case: Case, entry: Entry, viewer: User
) -> list[tuple[User, Evaluation, dict[int, CriterionScore]]]:
    """Other evaluators' submitted scores: for the owner, or for an evaluator who submitted their own."""
    own = evaluation_of(session, entry.proposal_id, viewer)
    if viewer.id != case.owner_id and (own is None or own.submitted_at is None):
        return []
    rows = [
        (u, e)
        for e, u in all_evaluations(session, case)
        if e.proposal_id == entry.proposal_id and e.submitted_at is not None
    ]
    scores = session.exec(
        select(CriterionScore).where(CriterionScore.evaluation_id.in_([e.id for _u, e in rows]))
    ).all()
    by_evaluation: dict[int, dict[int, CriterionScore]] = {}
    for score in scores:
        by_evaluation.setdefault(score.evaluation_id, {})[score.criterion_id] = score
    return [(u, e, by_evaluation.get(e.id, {})) for u, e in rows]


def progress(session: Session, case: Case) -> tuple[int, int]:
    """(done, total): submitted evaluations of the pairs evaluator × proposal without a conflict."""
    evaluator_count = len(
        session.exec(select(EvaluatorAssignment.user_id).where(EvaluatorAssignment.case_id == case.id)).all()
    )
    in_competition = {e.proposal_id for e in entries(session, case)}
    proposals = len(in_competition)
    evaluations = [e for e, _u in all_evaluations(session, case) if e.proposal_id in in_competition]
    conflicts = sum(1 for e in evaluations if e.has_conflict)
    done = sum(1 for e in evaluations if e.submitted_at is not None)
    return done, evaluator_count * proposals - conflicts


def requirements_passed(session: Session, case: Case, stage: ProposalStage | None = None) -> dict[int, bool]:
    """Per proposal: met only if every submitted evaluation judged the minimum requirements met."""
    verdicts: dict[int, bool] = {}
    for evaluation, _user in all_evaluations(session, case, stage):
        if evaluation.submitted_at is not None:
            verdicts[evaluation.proposal_id] = verdicts.get(evaluation.proposal_id, True) and bool(
                evaluation.requirements_met
            )
    return verdicts


def formula_score(criterion: AwardCriterion, price: Decimal, lowest: Decimal, ceiling: Decimal | None) -> float:
    """The price criterion scored by the formula chosen at set-up."""
    if criterion.price_formula == "lowest":
        return round(criterion.scale_max * float(lowest / price), 2) if price > 0 else float(criterion.scale_max)
    if criterion.price_formula == "ceiling" and ceiling:
        return round(criterion.scale_max * max(0.0, float((ceiling - price) / ceiling)), 2)
    raise DomainError(_("This criterion has no price formula."))


def consensus_of(
    session: Session, case: Case, stage: ProposalStage | None = None
) -> dict[tuple[int, int], ConsensusScore]:
    proposal_ids = [e.proposal_id for e in entries(session, case, stage)]
    rows = session.exec(fresh(select(ConsensusScore)).where(ConsensusScore.proposal_id.in_(proposal_ids))).all()
    return {(row.proposal_id, row.criterion_id): row for row in rows}


def record_consensus(
    session: Session,
    case: Case,
    entry: Entry,
    *,
    actor: User,
    scores: dict[int, tuple[float, str]],
    participant_ids: Iterable[int] = (),
) -> None:
    """The owner's final score per criterion, with who took part (`consensus_panel`); price formulas are computed."""
    if actor.id != case.owner_id:
        raise NotAllowed(_("Only the case owner records the consensus."))
    if not in_phase(case, "proposals_scorable") or not is_open(session, case):
        raise _not_open()
    serialise(session, Proposal, entry.proposal_id)
    taking_part = consensus_panel.record(session, case, entry.proposal_id, actor=actor, participant_ids=participant_ids)
    competitors = entries(session, case)
    lowest = min(e.price for e in competitors)
    existing = consensus_of(session, case)
    for criterion in criteria(session, case):
        if criterion.is_price and criterion.price_formula in PRICE_FORMULAS:
            score = formula_score(criterion, entry.price, lowest, case.budget_ceiling)
            motivation = _("Computed with the price formula “%(formula)s”.", formula=criterion.price_formula)
        elif criterion.id in scores:
            score, motivation = scores[criterion.id]
            if not 0 <= score <= criterion.scale_max:
                raise DomainError(
                    _(
                        "A score for “%(criterion)s” lies between 0 and %(max)d.",
                        criterion=criterion.name,
                        max=criterion.scale_max,
                    )
                )
            if not motivation.strip():
                raise DomainError(_("Give a motivation for the score on “%(criterion)s”.", criterion=criterion.name))
        else:
            continue
        row = existing.get((entry.proposal_id, criterion.id)) or ConsensusScore(
            proposal_id=entry.proposal_id,
            criterion_id=criterion.id,
            score=score,
            motivation="",
            recorded_by_id=actor.id,
        )
        row.score, row.motivation, row.recorded_by_id, row.recorded_at = score, motivation.strip(), actor.id, utcnow()
        session.add(row)
    audit.record(
        session,
        action="consensus_recorded",
        actor=actor,
        case=case,
        details={"proposal_id": entry.proposal_id, "participants": [u.name for u in taking_part]},
    )
    session.flush()


def ranking(session: Session, case: Case, stage: ProposalStage | None = None) -> list[Ranked]:
    """Weighted totals of the consensus scores, highest first; equal totals share a rank."""
    all_criteria = criteria(session, case, stage)
    consensus = consensus_of(session, case, stage)
    totals = []
    for entry in entries(session, case, stage):
        rows = [consensus.get((entry.proposal_id, c.id)) for c in all_criteria]
        total = sum(c.weight * row.score / c.scale_max for c, row in zip(all_criteria, rows, strict=True) if row)
        totals.append((round(total, 2), entry, all(rows)))
    totals.sort(key=lambda t: (-t[0], t[1].coalition.name))
    ranked, previous, rank = [], None, 0
    for position, (total, entry, complete) in enumerate(totals, start=1):
        if total != previous:
            rank, previous = position, total
        ranked.append(Ranked(rank, entry, total, complete))
    return ranked
