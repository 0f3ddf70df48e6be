"""Named guards of the case workflows.

A guard is a domain check: it looks at the case and its data and returns the
reasons it fails, in the user's language (an empty list means it passes). The
workflow definitions in `workflows/` refer to guards by name, so every variant
reuses them, and the case page shows the reasons as a checklist.
Each guard runs a constant number of queries, whatever the size of the data.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import case as when
from sqlalchemy import func
from sqlmodel import Session, select

from ..models import (
    OPEN_CLAIMS,
    Agreement,
    AwardCriterion,
    AwardDecision,
    Case,
    ConsensusScore,
    Evaluation,
    EvaluatorAssignment,
    EvaluatorShortfallException,
    Indicator,
    JointEvaluation,
    Measurement,
    Objection,
    ObjectionLetter,
    Outcome,
    PaymentClaim,
    Proposal,
    ProposalStage,
    ProposalStatus,
    Reconsideration,
    Stakeholder,
    StrategyChoice,
    SuitabilityAnswer,
    utcnow,
)

MIN_STAKEHOLDERS = 3
MIN_EVALUATORS = 2
SUITABILITY_CONDITIONS = ("market_exists", "no_exclusive_tasks", "public_character_safeguarded")


@dataclass(frozen=True)
class GuardContext:
    session: Session
    case: Case
    now: datetime
    upcoming: list[datetime] = field(default_factory=list, compare=False)

    def passed(self, moment: datetime) -> bool:
        """Whether `moment` has come; one still ahead is noted, because the checks' answers change then."""
        if moment > self.now:
            self.upcoming.append(moment)
            return False
        return True


@dataclass(frozen=True)
class Guard:
    name: str
    label: object  # a lazy string, rendered in the reader's language
    check: Callable[[GuardContext], list[str]]
    page: str | None = None  # the endpoint (taking case_id) where what the check misses is filled in


GUARDS: dict[str, Guard] = {}


def guard(name: str, label, *, page: str | None = None):
    """Register a check under the name the workflow definitions use; `page` is where the checklist sends the user."""

    def register(check):
        GUARDS[name] = Guard(name, label, check, page)
        return check

    return register


JUDGEMENTS_COMPLETE = ("evaluations_complete", "two_evaluators_per_proposal")


def unmet(session: Session, case: Case, names: tuple[str, ...]) -> list[str]:
    """What the named guards miss now: for a service step that needs what a transition after it will check."""
    context = GuardContext(session, case, utcnow())
    return [reason for name in names for reason in GUARDS[name].check(context)]


def _count(ctx: GuardContext, statement) -> int:
    return ctx.session.exec(statement).one()


def _stages():
    """`procurement.stages`, imported when a guard runs: it reads the workflow definitions, which load these guards."""
    from ..procurement import stages

    return stages


def _box(ctx: GuardContext):
    """The box of the stage in play."""
    return _stages().box_of(ctx.session, ctx.case)


def _proposals_in_competition(session: Session, case: Case):
    """Submitted proposals of the current round that compete in the stage in play (strategy, plan or the one)."""
    box = _stages().box_of(session, case)
    submitters = () if box.coalition_ids is None else (Proposal.coalition_id.in_(sorted(box.coalition_ids)),)
    return select(Proposal.id).where(
        Proposal.case_id == case.id,
        Proposal.round == case.round,
        Proposal.status == ProposalStatus.submitted,
        Proposal.stage == box.stage,
        *submitters,
    )


def _current_award(ctx: GuardContext) -> AwardDecision | None:
    """The round's award decision (in the two-stage variant: on the realisation plan)."""
    stage_filter = AwardDecision.stage != ProposalStage.strategy.value
    return ctx.session.exec(
        select(AwardDecision)
        .join(Proposal, Proposal.id == AwardDecision.proposal_id)
        .where(AwardDecision.case_id == ctx.case.id, Proposal.round == ctx.case.round, stage_filter)
        .order_by(AwardDecision.decided_at.desc())
        .limit(1)
    ).first()


@guard("question_articulated", _l("The real question is articulated"))
def question_articulated(ctx: GuardContext) -> list[str]:
    case = ctx.case
    reasons = []
    if not case.title.strip():
        reasons.append(_("The case has no title."))
    if len(case.question.strip()) < 20:
        reasons.append(_("The societal question is missing or too short (at least 20 characters)."))
    outcomes = _count(ctx, select(func.count()).select_from(Outcome).where(Outcome.case_id == case.id))
    if outcomes == 0:
        reasons.append(_("No desired outcome is described yet."))
    if case.budget_ceiling is None or case.budget_ceiling <= 0:
        reasons.append(_("The budget ceiling is not set."))
    return reasons


def _suitability_answers(ctx: GuardContext) -> dict[str, bool]:
    rows = ctx.session.exec(
        select(SuitabilityAnswer.question, SuitabilityAnswer.answer).where(SuitabilityAnswer.case_id == ctx.case.id)
    ).all()
    return dict(rows)


def condition_label(question: str) -> str:
    return {
        "market_exists": _("there is a market of citizens, companies and organisations able to propose"),
        "no_exclusive_tasks": _("execution does not (much) require exclusive government tasks"),
        "public_character_safeguarded": _("the public character of execution can be safeguarded"),
    }[question]


@guard("suitability_conditions_met", _l("The three conditions for social tendering are met"))
def suitability_conditions_met(ctx: GuardContext) -> list[str]:
    answers = _suitability_answers(ctx)
    reasons = []
    for question in SUITABILITY_CONDITIONS:
        if question not in answers:
            reasons.append(_("Not yet answered: %(condition)s.", condition=condition_label(question)))
        elif not answers[question]:
            reasons.append(_("Not met: %(condition)s.", condition=condition_label(question)))
    return reasons


@guard("suitability_answered", _l("The three conditions are answered"))
def suitability_answered(ctx: GuardContext) -> list[str]:
    answers = _suitability_answers(ctx)
    return [
        _("Not yet answered: %(condition)s.", condition=condition_label(question))
        for question in SUITABILITY_CONDITIONS
        if question not in answers
    ]


@guard("stakeholders_analysed", _l("At least three stakeholders are analysed"))
def stakeholders_analysed(ctx: GuardContext) -> list[str]:
    count = _count(ctx, select(func.count()).select_from(Stakeholder).where(Stakeholder.case_id == ctx.case.id))
    if count < MIN_STAKEHOLDERS:
        return [
            _(
                "%(count)d of at least %(minimum)d stakeholders analysed.",
                count=count,
                minimum=MIN_STAKEHOLDERS,
            )
        ]
    return []


@guard("award_criteria_complete", _l("Award criteria are set and their weights add up to 100"))
def award_criteria_complete(ctx: GuardContext) -> list[str]:
    """One set of criteria; in the two-stage variant one for the strategy and one for the realisation plan."""
    rows = ctx.session.exec(
        select(AwardCriterion.stage, func.count(), func.sum(AwardCriterion.weight))
        .where(AwardCriterion.case_id == ctx.case.id)
        .group_by(AwardCriterion.stage)
    ).all()
    by_stage = {stage: (count, total) for stage, count, total in rows}
    if not _stages().two_stage(ctx.case):
        count, total = by_stage.get(ProposalStage.single.value, (0, 0))
        if count == 0:
            return [_("No award criteria are set.")]
        return (
            [_("The weights of the award criteria add up to %(total)d, not 100.", total=total)] if total != 100 else []
        )
    reasons = []
    if by_stage.get(ProposalStage.single.value):
        reasons.append(_("Every award criterion must judge either the strategy or the realisation plan."))
    count, total = by_stage.get(ProposalStage.strategy.value, (0, 0))
    if count == 0:
        reasons.append(_("No award criteria are set for the strategy."))
    elif total != 100:
        reasons.append(_("The weights of the strategy criteria add up to %(total)d, not 100.", total=total))
    count, total = by_stage.get(ProposalStage.realisation.value, (0, 0))
    if count == 0:
        reasons.append(_("No award criteria are set for the realisation plan."))
    elif total != 100:
        reasons.append(_("The weights of the realisation-plan criteria add up to %(total)d, not 100.", total=total))
    return reasons


@guard("deadlines_valid", _l("Deadlines are set, in the future and in order"))
def deadlines_valid(ctx: GuardContext) -> list[str]:
    case = ctx.case
    reasons = []
    if case.clarification_deadline is None:
        reasons.append(_("The deadline for clarification questions is not set."))
    elif ctx.passed(case.clarification_deadline):
        reasons.append(_("The deadline for clarification questions has already passed."))
    if case.submission_deadline is None:
        reasons.append(_("The submission deadline is not set."))
    elif ctx.passed(case.submission_deadline):
        reasons.append(_("The submission deadline has already passed."))
    if (
        case.clarification_deadline is not None
        and case.submission_deadline is not None
        and case.clarification_deadline >= case.submission_deadline
    ):
        reasons.append(_("The clarification deadline must come before the submission deadline."))
    return reasons


@guard("submission_deadline_passed", _l("The submission deadline has passed"))
def submission_deadline_passed(ctx: GuardContext) -> list[str]:
    deadline = ctx.case.submission_deadline
    if deadline is None:
        return [_("The submission deadline is not set.")]
    if not ctx.passed(deadline):
        return [_("Proposals can still be submitted until the deadline.")]
    return []


def _submitted_count(ctx: GuardContext) -> int:
    return _count(ctx, select(func.count()).select_from(_proposals_in_competition(ctx.session, ctx.case).subquery()))


@guard("has_submitted_proposals", _l("At least one proposal was submitted"))
def has_submitted_proposals(ctx: GuardContext) -> list[str]:
    return [] if _submitted_count(ctx) else [_("No proposal was submitted.")]


@guard("no_submitted_proposals", _l("No proposal was submitted"))
def no_submitted_proposals(ctx: GuardContext) -> list[str]:
    return [_("Proposals were submitted.")] if _submitted_count(ctx) else []


@guard("evaluations_complete", _l("All evaluations and the consensus are complete"))
def evaluations_complete(ctx: GuardContext) -> list[str]:
    case = ctx.case
    evaluators = set(
        ctx.session.exec(select(EvaluatorAssignment.user_id).where(EvaluatorAssignment.case_id == case.id)).all()
    )
    reasons = []
    if len(evaluators) < MIN_EVALUATORS:
        reasons.append(
            _("%(count)d of at least %(minimum)d evaluators assigned.", count=len(evaluators), minimum=MIN_EVALUATORS)
        )
    proposal_ids = set(ctx.session.exec(_proposals_in_competition(ctx.session, ctx.case)).all())
    evaluations = ctx.session.exec(
        select(Evaluation.proposal_id, Evaluation.evaluator_id, Evaluation.has_conflict, Evaluation.submitted_at).where(
            Evaluation.proposal_id.in_(proposal_ids)
        )
    ).all()
    finished = {(p, e) for p, e, conflict, submitted in evaluations if conflict or submitted is not None}
    open_count = sum(1 for p in proposal_ids for e in evaluators if (p, e) not in finished)
    if open_count:
        total = len(proposal_ids) * len(evaluators)
        reasons.append(_("%(done)d of %(total)d evaluations done.", done=total - open_count, total=total))
    criteria = _count(
        ctx,
        select(func.count())
        .select_from(AwardCriterion)
        .where(AwardCriterion.case_id == case.id, AwardCriterion.stage == _box(ctx).stage.value),
    )
    consensus = _count(
        ctx, select(func.count()).select_from(ConsensusScore).where(ConsensusScore.proposal_id.in_(proposal_ids))
    )
    if consensus < criteria * len(proposal_ids):
        reasons.append(_("The consensus scores are not complete."))
    return reasons


@dataclass(frozen=True)
class Scorers:
    """How many evaluators scored a proposal, how many still can (assigned, no conflict), and whether the owner
    recorded a motivated exception for it."""

    proposal_id: int
    submitted: int
    possible: int
    excepted: bool

    @property
    def short(self) -> bool:
        return self.possible < MIN_EVALUATORS and not self.excepted


def scorers(session: Session, case: Case) -> dict[int, Scorers]:
    """Per proposal in competition, in two queries. `possible` counts the assigned evaluators minus those who
    declared a conflict: below two, conflicts leave the proposal with fewer than two independent judgements."""
    assigned = session.exec(
        select(func.count()).select_from(EvaluatorAssignment).where(EvaluatorAssignment.case_id == case.id)
    ).one()
    rows = session.exec(
        select(
            Proposal.id,
            func.sum(when((Evaluation.submitted_at.is_not(None), 1), else_=0)),
            func.sum(when((Evaluation.has_conflict, 1), else_=0)),
            func.count(func.distinct(EvaluatorShortfallException.id)),
        )
        .outerjoin(Evaluation, Evaluation.proposal_id == Proposal.id)
        .outerjoin(EvaluatorShortfallException, EvaluatorShortfallException.proposal_id == Proposal.id)
        .where(Proposal.id.in_(_proposals_in_competition(session, case)))
        .group_by(Proposal.id)
    ).all()
    return {
        pid: Scorers(pid, int(submitted or 0), assigned - int(conflicts or 0), bool(excepted))
        for pid, submitted, conflicts, excepted in rows
    }


@guard(
    "two_evaluators_per_proposal",
    _l("Every proposal is scored by at least two evaluators, or an exception is motivated"),
)
def two_evaluators_per_proposal(ctx: GuardContext) -> list[str]:
    """Conflicts of interest must not leave a proposal judged by one person unnoticed: the owner assigns another
    evaluator or records why the award may rest on fewer judgements. Open evaluations are `evaluations_complete`'s."""
    short = sum(1 for row in scorers(ctx.session, ctx.case).values() if row.short)
    if short:
        return [
            _(
                "%(count)d proposal(s) can be scored by fewer than two evaluators because of declared conflicts: "
                "assign another evaluator or record a motivated exception.",
                count=short,
            )
        ]
    return []


@guard("award_decision_recorded", _l("The intended award decision is recorded"))
def award_decision_recorded(ctx: GuardContext) -> list[str]:
    decision = _current_award(ctx)
    if decision is None or not decision.motivation.strip():
        return [_("No intended award decision with a motivation is recorded.")]
    if decision.proposal_id not in set(ctx.session.exec(_proposals_in_competition(ctx.session, ctx.case)).all()):
        return [_("The intended award decision names a plan that is no longer under judgement: record it again.")]
    return []


@guard("strategy_selected", _l("A strategy is selected"))
def strategy_selected(ctx: GuardContext) -> list[str]:
    choice = ctx.session.exec(
        select(StrategyChoice).where(StrategyChoice.case_id == ctx.case.id, StrategyChoice.round == ctx.case.round)
    ).first()
    if choice is None or not choice.motivation.strip():
        return [_("No strategy has been selected with a motivation.")]
    from ..procurement import strategy  # imported when the guard runs, like `_stages`

    ctx.passed(choice.plan_deadline)  # the answer changes when the deadline for the plan comes
    chosen = strategy.first_chosen(ctx.session, choice)
    problems, _ranked = strategy.choice_problems(ctx.session, ctx.case, chosen, choice.plan_deadline, now=ctx.now)
    return problems


@guard("realisation_plan_submitted", _l("The selected coalition submitted its realisation plan"))
def realisation_plan_submitted(ctx: GuardContext) -> list[str]:
    box = _box(ctx)
    if not box.coalition_ids:
        return [_("No strategy has been selected with a motivation.")]
    if not _submitted_count(ctx):
        return [_("The realisation plan has not been submitted.")]
    if not ctx.passed(box.deadline):
        return [_("Realisation plans can still be submitted until the deadline.")]
    return []


@guard("standstill_over", _l("The standstill period is over"))
def standstill_over(ctx: GuardContext) -> list[str]:
    decision = _current_award(ctx)
    if decision is None or decision.standstill_ends_at is None:
        return [_("The standstill period has not started.")]
    if not ctx.passed(decision.standstill_ends_at):
        return [_("The standstill period is still running.")]
    return []


@guard("no_open_objections", _l("No objection is open"))
def no_open_objections(ctx: GuardContext) -> list[str]:
    count = _count(
        ctx,
        select(func.count())
        .select_from(Objection)
        .join(AwardDecision, AwardDecision.id == Objection.award_decision_id)
        .where(AwardDecision.case_id == ctx.case.id, Objection.resolved_at.is_(None)),
    )
    reasons = [_("%(count)d objection(s) still open.", count=count)] if count else []
    remedy_ends = ctx.session.exec(  # the letters on decided objections promise no agreement within the remedy term
        select(func.max(ObjectionLetter.remedy_ends_at))
        .join(Objection, Objection.id == ObjectionLetter.objection_id)
        .join(AwardDecision, AwardDecision.id == Objection.award_decision_id)
        .where(AwardDecision.case_id == ctx.case.id)
    ).one()
    if remedy_ends is not None and not ctx.passed(remedy_ends):
        reasons.append(_("The term for a legal remedy against the decision on an objection is still running."))
    return reasons


@guard("agreement_recorded", _l("The agreement with the coalition is recorded, with its indicators"))
def agreement_recorded(ctx: GuardContext) -> list[str]:
    decision = _current_award(ctx)
    if decision is None:
        return [_("No agreement is recorded.")]
    agreements, indicators = ctx.session.exec(
        select(func.count(func.distinct(Agreement.id)), func.count(Indicator.id))
        .select_from(Agreement)
        .outerjoin(Indicator, Indicator.agreement_id == Agreement.id)
        .where(Agreement.award_decision_id == decision.id)
    ).one()
    if not agreements:
        return [_("No agreement is recorded.")]
    return [] if indicators else [_("The agreement has no outcome indicators yet.")]


@guard(
    "agreement_approved_by_both",
    _l("Both sides approved the current text of the agreement"),
    page="agreement.index",
)
def agreement_approved_by_both(ctx: GuardContext) -> list[str]:
    decision = _current_award(ctx)
    found = (
        ctx.session.exec(select(Agreement).where(Agreement.award_decision_id == decision.id)).first()
        if decision is not None
        else None
    )
    if found is None:
        return [_("No agreement is recorded.")]
    reasons = []
    if found.municipality_approved_at is None:
        reasons.append(_("The case owner has not approved the current text for the municipality."))
    if found.lead_approved_at is None:
        reasons.append(_("The coalition's lead has not approved the current text."))
    return reasons


@guard("indicators_measured", _l("Every agreed indicator has a measurement"))
def indicators_measured(ctx: GuardContext) -> list[str]:
    indicators, measured = ctx.session.exec(
        select(func.count(func.distinct(Indicator.id)), func.count(func.distinct(Measurement.indicator_id)))
        .select_from(Indicator)
        .join(Agreement, Agreement.id == Indicator.agreement_id)
        .outerjoin(Measurement, Measurement.indicator_id == Indicator.id)
        .where(Agreement.case_id == ctx.case.id)
    ).one()
    if indicators == 0:
        return [_("No outcome indicators are agreed.")]
    if measured < indicators:
        return [_("%(count)d indicator(s) without any measurement.", count=indicators - measured)]
    return []


@guard("accountability_approved", _l("The accountability report is approved by both sides"))
def accountability_approved(ctx: GuardContext) -> list[str]:
    evaluation = ctx.session.exec(select(JointEvaluation).where(JointEvaluation.case_id == ctx.case.id)).first()
    if evaluation is None:
        return [_("No joint evaluation is recorded.")]
    reasons = []
    if evaluation.municipality_approved_at is None:
        reasons.append(_("The municipality has not approved the report."))
    if evaluation.lead_approved_at is None:
        reasons.append(_("The coalition's lead has not approved the report."))
    return reasons


@guard("no_open_claims", _l("No claim of a payment waits for a decision"), page="finances.agreement")
def no_open_claims(ctx: GuardContext) -> list[str]:
    count = _count(
        ctx,
        select(func.count())
        .select_from(PaymentClaim)
        .join(Agreement, Agreement.id == PaymentClaim.agreement_id)
        .where(Agreement.case_id == ctx.case.id, PaymentClaim.status.in_(OPEN_CLAIMS)),
    )
    return (
        [
            _(
                "%(count)d claim(s) of a payment wait for validation or a decision; approve or reject them first.",
                count=count,
            )
        ]
        if count
        else []
    )


@guard("reconsideration_recorded", _l("What must change before a new round is recorded"), page="reconsideration.index")
def reconsideration_recorded(ctx: GuardContext) -> list[str]:
    count = _count(
        ctx,
        select(func.count())
        .select_from(Reconsideration)
        .where(Reconsideration.case_id == ctx.case.id, Reconsideration.round == ctx.case.round),
    )
    return (
        [] if count else [_("Record what must change (question, frameworks or urgency) before starting a new round.")]
    )
