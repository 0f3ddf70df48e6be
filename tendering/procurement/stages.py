"""Which stage of the procedure a case is in, and the sealed box that stage's proposals go into.

The default workflow has one stage (`single`). In the two-stage variant coalitions first submit a
strategy; once strategies are chosen, the chosen coalitions submit a realisation plan in a call of
its own (a second call when a plan is not accepted and the next strategy's coalition is invited).
Everything that seals, opens, lists or scores proposals asks `box_of`, so every stage and every call
has its own deadline, its own submitters and its own four-eyes opening.
"""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlmodel import Session, select

from ..core.errors import DomainError
from ..models import AwardCriterion, Case, ChosenStrategy, ProposalStage, StrategyChoice, utcnow
from ..workflow.definitions import workflow_for
from ..workflow.phases import accepting_proposals, in_phase


@dataclass(frozen=True)
class Box:
    stage: ProposalStage
    plan_call: int  # 0 outside the realisation-plan stage
    deadline: datetime | None
    coalition_ids: frozenset[int] | None = None  # who may submit into it; None: any coalition

    def admits(self, coalition_id: int) -> bool:
        return self.coalition_ids is None or coalition_id in self.coalition_ids

    def admits_only(self, coalition_id: int | None) -> bool:
        """The box is for some coalitions only (a call for plans), and this is one of them."""
        return self.coalition_ids is not None and coalition_id in self.coalition_ids


def two_stage(case: Case) -> bool:
    """The case's workflow has a realisation-plan phase (the `strategy_then_realisation` variant)."""
    return bool(workflow_for(case).groups["plan_open"])


def tender_stage(case: Case) -> ProposalStage:
    """What coalitions submit in answer to the published tender: a strategy in the two-stage variant."""
    return ProposalStage.strategy if two_stage(case) else ProposalStage.single


def criterion_stage(case: Case, asked: str) -> str:
    """The stage a new award criterion judges: asked in the two-stage variant, `single` otherwise."""
    if not two_stage(case):
        return ProposalStage.single.value
    if asked not in (ProposalStage.strategy.value, ProposalStage.realisation.value):
        raise DomainError(_("Say whether the criterion judges the strategy or the realisation plan."))
    return asked


def restage_criteria(session: Session, case: Case) -> None:
    """After the procedure changed: criteria of one stage judge the strategy in the two-stage variant, and every
    criterion judges the one proposal in the one-stage procedure (the weights guard then says what to adjust)."""
    if two_stage(case):
        criteria = select(AwardCriterion).where(
            AwardCriterion.case_id == case.id, AwardCriterion.stage == ProposalStage.single.value
        )
        stage = ProposalStage.strategy.value
    else:
        criteria = select(AwardCriterion).where(
            AwardCriterion.case_id == case.id, AwardCriterion.stage != ProposalStage.single.value
        )
        stage = ProposalStage.single.value
    for criterion in session.exec(criteria).all():
        criterion.stage = stage
        session.add(criterion)


def stage_of(case: Case) -> ProposalStage:
    """The stage whose proposals are in play: from the plan phase on, the award rests on the plan."""
    if two_stage(case) and (in_phase(case, "plan_open") or in_phase(case, "award_known")):
        return ProposalStage.realisation
    return tender_stage(case)


def choice_of(session: Session, case: Case) -> StrategyChoice | None:
    """The round's strategy choice, if one is recorded."""
    return session.exec(
        select(StrategyChoice).where(StrategyChoice.case_id == case.id, StrategyChoice.round == case.round)
    ).first()


def box_of(session: Session, case: Case, stage: ProposalStage | None = None) -> Box:
    """The box of a stage (by default the one in play): the tender's deadline, or the current call for plans."""
    stage = stage or stage_of(case)
    if stage != ProposalStage.realisation:
        return Box(stage, 0, case.submission_deadline)
    choice = choice_of(session, case)
    if choice is None:
        return Box(stage, 0, None, frozenset())
    called = session.exec(
        select(ChosenStrategy.coalition_id).where(
            ChosenStrategy.choice_id == choice.id,
            ChosenStrategy.plan_call == choice.plan_call,
            ChosenStrategy.rejected_at.is_(None),
        )
    ).all()
    return Box(stage, choice.plan_call, choice.plan_deadline, frozenset(called))


def accepting(session: Session, case: Case, coalition_id: int, now: datetime | None = None) -> bool:
    """Whether this coalition may change, submit or withdraw its proposal of the stage in play now."""
    box = box_of(session, case)
    if box.stage != ProposalStage.realisation:
        return accepting_proposals(case, now)
    return (
        in_phase(case, "plan_open")
        and box.deadline is not None
        and (now or utcnow()) < box.deadline
        and box.admits(coalition_id)
    )


@dataclass(frozen=True)
class CriteriaGroup:
    """The award criteria of one stage, for the set-up page and the question document."""

    stage: str
    heading: str  # empty in the one-stage procedure
    criteria: list[AwardCriterion]

    @property
    def total(self) -> int:
        return sum(c.weight for c in self.criteria)


def criteria_groups(case: Case, criteria: list[AwardCriterion]) -> list[CriteriaGroup]:
    """One group in the one-stage procedure; in the two-stage variant the strategy's and the plan's criteria."""
    if not two_stage(case):
        return [CriteriaGroup(ProposalStage.single.value, "", criteria)]
    return [
        CriteriaGroup(stage.value, heading, [c for c in criteria if c.stage == stage.value])
        for stage, heading in (
            (ProposalStage.strategy, _("Criteria for the strategy (stage 1)")),
            (ProposalStage.realisation, _("Criteria for the realisation plan (stage 2)")),
        )
    ]
