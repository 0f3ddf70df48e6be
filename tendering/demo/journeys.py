"""A societal question walked through the whole cycle by the services, for the
demo and the synthetic benchmark data: every step checks its rules and writes
its audit event, as it would for a real case.

Only the clock is moved, as if time had passed: the submission deadline is put
just after the submissions, the standstill in the past, and the agreement may
have started earlier, so that reporting periods exist to be filled.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlmodel import Session

from ..models import Case, FrameworkKind, Indicator, ProposalStage, User, utcnow
from ..parties.coalitions import form_coalition, invite_partner, respond
from ..parties.proposals import DraftFields, draft_for, minimum_requirements, save_draft
from ..procurement import award, scoring, strategy
from ..procurement.evaluation import assign_evaluator
from ..procurement.tender_box import open_box, submit
from ..question.articulation import add_framework
from ..question.cases import CaseFields, add_outcome, open_case
from ..question.stakeholders import StakeholderFields, add_stakeholder
from ..question.suitability import Answer, record_suitability
from ..question.tender_rules import set_evaluation_rules
from ..question.tender_setup import CriterionFields, add_criterion, set_procedure
from ..realisation import agreement, agreement_design, payments
from ..workflow.engine import apply_due_steps, fire

SUITABILITY = {
    "market_exists": "Veel bewonersinitiatieven, zorgaanbieders en verenigingen zijn actief.",
    "no_exclusive_tasks": "Uitvoering vraagt geen overheidstaken zoals handhaving.",
    "public_character_safeguarded": "Toegankelijkheid en kwaliteit borgen we in de kaders en de monitoring.",
    "adds_value": "Bewoners en ondernemers zien kansen die de gemeente mist.",
    "realisation_power": "Vrijwilligers en lokale bedrijven vergroten het bereik.",
    "effective_and_efficient": "Eén coalitie in plaats van tien losse subsidies.",
}


@dataclass
class Bid:
    """A coalition that forms and bids: its lead's user, the partners' users, its name, price and approach."""

    lead: User
    partners: list[User]
    name: str
    price: Decimal
    approach: str
    score: float  # what the evaluators give it on the quality criterion


@dataclass
class Question:
    title: str
    question: str
    theme: str
    budget_ceiling: Decimal
    outcome: str
    stakeholders: list[str] = field(default_factory=list)


@dataclass
class NationalStandstill:
    """A national procedure (below the European threshold) with a standstill shorter than 20 days, and why."""

    days: int
    reason: str


# The criteria of each stage: one stage, or the strategy's and the realisation plan's (the two-stage variant).
CRITERIA = {
    "social_tender": [("Aanpak en bereik", 70, "", ""), ("Prijs", 30, "lowest", "")],
    "strategy_then_realisation": [
        ("Antwoord op de echte vraag", 60, "", ProposalStage.strategy.value),
        ("Kracht van de coalitie", 40, "", ProposalStage.strategy.value),
        ("Uitvoerbaarheid en borging", 70, "", ProposalStage.realisation.value),
        ("Prijs", 30, "lowest", ProposalStage.realisation.value),
    ],
}


def publish(
    session: Session,
    official: User,
    q: Question,
    *,
    min_partners: int = 2,
    workflow: str = "social_tender",
    national: NationalStandstill | None = None,
) -> Case:
    """Articulate, decide to tender, analyse stakeholders and publish a tender open for a month; the consensus is
    a joint decision of the evaluators."""
    case = open_case(
        session,
        actor=official,
        fields=CaseFields(
            title=q.title,
            question=q.question,
            theme=q.theme,
            budget_ceiling=q.budget_ceiling,
            problem_analysis="Signalen uit de wijk en cijfers van de monitor laten zien dat de vraag groeit.",
        ),
        workflow=workflow,
    )
    add_outcome(session, case, actor=official, description=q.outcome)
    add_framework(
        session,
        case,
        actor=official,
        kind=FrameworkKind.minimum_requirement,
        description="Minstens één partner werkt al in de wijk.",
    )
    fire(session, case, "assess", actor=official)
    record_suitability(session, case, actor=official, answers=[Answer(k, True, v) for k, v in SUITABILITY.items()])
    fire(session, case, "decide_to_tender", actor=official)
    for name in q.stakeholders:
        add_stakeholder(
            session,
            case,
            actor=official,
            fields=StakeholderFields(name=name, category="Partners", interest=4, influence=3),
        )
    fire(session, case, "start_coalition_forming", actor=official)
    for name, weight, formula, stage in CRITERIA[workflow]:
        add_criterion(
            session,
            case,
            actor=official,
            fields=CriterionFields(
                name=name, weight=weight, is_price=bool(formula), price_formula=formula, stage=stage
            ),
        )
    now = utcnow()
    set_procedure(
        session,
        case,
        actor=official,
        clarification_deadline=now + timedelta(days=7),
        submission_deadline=now + timedelta(days=30),
        min_partners=min_partners,
        **(
            {"standstill_days": national.days, "national_procedure": True, "standstill_reason": national.reason}
            if national
            else {}
        ),
    )
    set_evaluation_rules(session, case, actor=official, consensus_joint=True, shared_partners_allowed=True)
    fire(session, case, "publish", actor=official)
    return case


def bid(session: Session, case: Case, b: Bid) -> None:
    """The coalition forms, its partners join, and it submits a complete proposal."""
    coalition = form_coalition(session, case, actor=b.lead, name=b.name)
    for partner in b.partners:
        membership = invite_partner(
            session, coalition, actor=b.lead, organisation_id=partner.organisation_id, case=case
        )
        respond(
            session,
            coalition,
            membership,
            actor=partner,
            case=case,
            accept=True,
            role="Partner in de uitvoering",
            contribution_kind="people",
            contribution="Twee medewerkers, drie dagen per week.",
        )
    draft(session, case, coalition, b, submitted=True)


def draft(session: Session, case: Case, coalition, b: Bid, *, submitted: bool) -> None:
    """The coalition writes its proposal of the stage in play (a strategy or a realisation plan) and submits it."""
    proposal = draft_for(session, coalition, case)
    save_draft(
        session,
        proposal,
        actor=b.lead,
        case=case,
        fields=DraftFields(
            approach=b.approach,
            answer_to_question="Mensen worden gezien voordat ze vastlopen.",
            outcome_commitments="Meetbare verbetering op elke gewenste uitkomst binnen drie jaar.",
            monitoring="Cijfers per periode en een cliëntenpanel.",
            price=b.price,
            price_breakdown="Personeel en coaching.",
            requirements_confirmed=tuple(f.id for f in minimum_requirements(session, case)),
        ),
    )
    if submitted:
        submit(session, proposal, coalition, case, actor=b.lead)


def award_and_agree(
    session: Session,
    case: Case,
    official: User,
    evaluator: User,
    bids: list[Bid],
    *,
    starts_on: date,
    indicators: list[agreement.IndicatorFields],
    risk_sharing: str = "",
    schedule: Callable[[list[Indicator]], list[payments.TermFields]] = lambda added: [],
) -> list[Indicator]:
    """Deadline passes, the box opens, both evaluate, the best wins, the standstill passes, the agreement (with the
    payment schedule `schedule` makes of its indicators) is concluded."""
    close_and_evaluate(session, case, official, evaluator, bids)
    winner = award.eligible(session, case)[0]
    award.decide(
        session,
        case,
        actor=official,
        proposal_id=winner.entry.proposal_id,
        motivation="De aanpak bereikt wie nu uit beeld is, tegen een goede prijs.",
        advantages="Partners uit de wijk samen; huisbezoeken in plaats van spreekuren.",
    )
    fire(session, case, "propose_award", actor=official, reason="Gunning volgens de berekende rangorde.")
    award.current_decision(session, case).standstill_ends_at = utcnow() - timedelta(seconds=1)  # the standstill is over
    agreement.save(
        session,
        case,
        actor=official,
        fields=agreement.AgreementFields(
            budget=min(
                case.budget_ceiling, Decimal(next(b.price for b in bids if b.name == winner.entry.coalition.name))
            ),
            starts_on=starts_on,
            ends_on=date(starts_on.year + 3, starts_on.month, 1) - timedelta(days=1),
            overseers=["municipality", "client_panel"],
            monitoring_arrangement="Elk kwartaal met het cliëntenpanel.",
            report_cadence="quarterly",
            risk_sharing=risk_sharing,
        ),
    )
    added = [agreement.add_indicator(session, case, actor=official, fields=fields) for fields in indicators]
    for term in schedule(added):
        payments.add_term(session, case, actor=official, fields=term)
    version = agreement.agreement_of(session, case).version
    lead = next(b.lead for b in bids if b.name == winner.entry.coalition.name)
    for approver in (official, lead):  # both sides approve the same text
        agreement_design.approve(session, case, actor=approver, version=version)
    fire(session, case, "conclude_agreement", actor=official, reason="Overeenkomst getekend.")
    return added


def close_and_evaluate(session: Session, case: Case, official: User, evaluator: User, bids: list[Bid]) -> None:
    """The tender's deadline passes, the box opens with four eyes, both evaluate and the owner records the consensus."""
    case.submission_deadline = utcnow()  # the clock moves: the deadline passes just after the submissions
    session.add(case)
    apply_due_steps(session, case)
    assign_evaluator(session, case, actor=official, evaluator_id=official.id)
    assign_evaluator(session, case, actor=official, evaluator_id=evaluator.id)
    open_and_evaluate(session, case, official, evaluator, bids)


def open_and_evaluate(session: Session, case: Case, official: User, evaluator: User, bids: list[Bid]) -> None:
    """The box of the stage in play opens with four eyes, both evaluate and the owner records the consensus."""
    open_box(session, case, actor=official)
    open_box(session, case, actor=evaluator)
    criteria = scoring.criteria(session, case)
    scores = {b.name: b.score for b in bids}
    for entry in scoring.entries(session, case):
        value = scores[entry.coalition.name]
        for user in (official, evaluator):
            scoring.declare(session, case, entry, actor=user, has_conflict=False)
            scoring.save_scores(
                session,
                case,
                entry,
                actor=user,
                scores={c.id: (value, "Onderbouwd in het voorstel.") for c in criteria},
                requirements_met=True,
                requirements_note="Aangetoond.",
                submit=True,
            )
        scoring.record_consensus(
            session,
            case,
            entry,
            actor=official,
            scores={c.id: (value, "Beide beoordelaars waren het eens.") for c in criteria if not c.price_formula},
            participant_ids=[evaluator.id],
        )


def choose_strategy(
    session: Session, case: Case, official: User, evaluator: User, bids: list[Bid], *, plan_deadline: datetime
):
    """Two-stage variant: the strategies are evaluated, the best is chosen, and the letters go out as the case
    enters the realisation-plan phase. Returns the chosen coalition."""
    close_and_evaluate(session, case, official, evaluator, bids)
    best = strategy.candidates(session, case)[0]
    strategy.choose(
        session,
        case,
        actor=official,
        proposal_ids=[best.entry.proposal_id],
        motivation="Deze strategie sluit het best aan op de echte vraag en verbindt de meeste partners uit de wijk.",
        plan_deadline=plan_deadline,
    )
    fire(session, case, "select_strategy", actor=official, reason="Strategiekeuze volgens de rangorde.")
    return best.entry.coalition
