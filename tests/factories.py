"""Data a case needs to pass each phase's guards. The screens that create this
data arrive with later issues; until then the tests insert the rows directly."""

from datetime import date, timedelta
from decimal import Decimal

from sqlmodel import select

from tendering.models import (
    Agreement,
    AwardCriterion,
    AwardDecision,
    Coalition,
    ConsensusScore,
    Direction,
    Evaluation,
    EvaluatorAssignment,
    Indicator,
    JointEvaluation,
    Measurement,
    Objection,
    Organisation,
    OrganisationKind,
    Proposal,
    ProposalStage,
    ProposalStatus,
    Stakeholder,
    SuitabilityAnswer,
    utcnow,
)
from tendering.question.cases import add_outcome
from tendering.workflow.guards import SUITABILITY_CONDITIONS


def articulate(session, case, official):
    case.budget_ceiling = Decimal("500000")
    add_outcome(session, case, actor=official, description="Minder ouderen voelen zich eenzaam.")
    session.commit()


def answer_suitability(session, case, *, answer=True):
    for question in SUITABILITY_CONDITIONS:
        session.add(SuitabilityAnswer(case_id=case.id, question=question, answer=answer, motivation="Gewogen."))
    session.commit()


def analyse_stakeholders(session, case, count=3):
    for i in range(count):
        session.add(Stakeholder(case_id=case.id, name=f"Partij {i}", interest=3, influence=3, usual_partner=i != 0))
    session.commit()


def set_up_tender(session, case, *, weights=(60, 40), clarification_in=7, submission_in=14):
    criteria = [
        AwardCriterion(case_id=case.id, name=f"Criterium {i}", weight=w, position=i, is_price=i == len(weights) - 1)
        for i, w in enumerate(weights)
    ]
    session.add_all(criteria)
    case.clarification_deadline = utcnow() + timedelta(days=clarification_in)
    case.submission_deadline = utcnow() + timedelta(days=submission_in)
    session.commit()
    return criteria


def submit_proposal(session, case, *, name="Coalitie Samen", stage=ProposalStage.single):
    lead = Organisation(name=f"{name} (penvoerder)", kind=OrganisationKind.social_organisation)
    session.add(lead)
    session.flush()
    coalition = Coalition(case_id=case.id, name=name, lead_organisation_id=lead.id)
    session.add(coalition)
    session.flush()
    proposal = Proposal(
        case_id=case.id,
        coalition_id=coalition.id,
        stage=stage,
        round=case.round,
        status=ProposalStatus.submitted,
        approach="Buurtkamers in elke wijk.",
        price=Decimal("400000"),
        submitted_at=utcnow(),
        receipt_sha256="0" * 64,
    )
    session.add(proposal)
    session.commit()
    return proposal


def pass_deadline(session, case):
    """Let the deadline pass just now: after anything submitted so far."""
    case.clarification_deadline = utcnow() - timedelta(days=2)
    case.submission_deadline = utcnow() - timedelta(milliseconds=1)
    session.commit()


def evaluate(session, case, proposals, evaluators, criteria):
    for evaluator in evaluators:
        session.add(EvaluatorAssignment(case_id=case.id, user_id=evaluator.id))
        for proposal in proposals:
            session.add(
                Evaluation(
                    proposal_id=proposal.id, evaluator_id=evaluator.id, requirements_met=True, submitted_at=utcnow()
                )
            )
    for proposal in proposals:
        for criterion in criteria:
            session.add(
                ConsensusScore(
                    proposal_id=proposal.id,
                    criterion_id=criterion.id,
                    score=7,
                    motivation="Sterk.",
                    recorded_by_id=case.owner_id,
                )
            )
    session.commit()


def decide_award(session, case, proposal, *, standstill_ends=None, stage="single"):
    decision = AwardDecision(
        case_id=case.id,
        proposal_id=proposal.id,
        stage=stage,
        motivation="Beste prijs-kwaliteitverhouding.",
        decided_by_id=case.owner_id,
        standstill_ends_at=standstill_ends or utcnow() + timedelta(days=20),
    )
    session.add(decision)
    session.commit()
    return decision


def object_to(session, decision, organisation_id):
    objection = Objection(award_decision_id=decision.id, organisation_id=organisation_id, text="Onjuist beoordeeld.")
    session.add(objection)
    session.commit()
    return objection


def conclude(session, case, proposal, official):
    decision = session.exec(
        select(AwardDecision).where(AwardDecision.case_id == case.id).order_by(AwardDecision.id.desc())
    ).first()
    agreement = Agreement(
        case_id=case.id,
        coalition_id=proposal.coalition_id,
        award_decision_id=decision.id if decision else None,
        budget=Decimal("400000"),
        starts_on=date(2027, 1, 1),
        ends_on=date(2029, 12, 31),
        recorded_by_id=official.id,
        municipality_approved_at=utcnow(),  # both sides approved the text (realisation/agreement_design.py)
        municipality_approved_by_id=case.owner_id or official.id,
        lead_approved_at=utcnow(),
    )
    session.add(agreement)
    session.flush()
    indicator = Indicator(
        agreement_id=agreement.id,
        name="Aandeel eenzame 75-plussers",
        unit="%",
        direction=Direction.lower_is_better,
        baseline_value=48,
        baseline_date=date(2026, 6, 1),
        target_value=38,
        target_date=date(2029, 12, 31),
        definition="Aandeel 75-plussers dat zich vaak eenzaam voelt (Gezondheidsmonitor).",
        data_source="GGD Gezondheidsmonitor",
        measured_by="GGD",
    )
    session.add(indicator)
    session.commit()
    return agreement, indicator


def measure(session, indicator, user):
    session.add(Measurement(indicator_id=indicator.id, period=date(2027, 3, 31), value=46, reported_by_id=user.id))
    session.commit()


def account(session, case, official, lead_user, *, approve=True):
    evaluation = JointEvaluation(
        case_id=case.id, participants="Gemeente, coalitie, cliëntenpanel", findings="Op koers."
    )
    if approve:
        evaluation.municipality_approved_by_id = official.id
        evaluation.municipality_approved_at = utcnow()
        evaluation.lead_approved_by_id = lead_user.id
        evaluation.lead_approved_at = utcnow()
    session.add(evaluation)
    session.commit()
    return evaluation
