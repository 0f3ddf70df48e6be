"""The two-stage variant, rule by rule: the strategy choice and its letters, the realisation plan that only the
chosen coalition writes (sealed until its own opening), the municipality reachable meanwhile, and the plan
accepted (the award) or not (the next strategy, or reconsideration)."""

import re
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from flask import current_app
from sqlmodel import select

from tendering.access import Capability
from tendering.core.errors import GuardFailed
from tendering.demo import journeys
from tendering.models import (
    AuditEvent,
    AwardCriterion,
    Coalition,
    Evaluation,
    Organisation,
    OrganisationKind,
    OutboxMessage,
    PlanMessage,
    Proposal,
    ProposalStage,
    ProposalSubmission,
    Role,
    StrategyLetter,
    utcnow,
)
from tendering.procurement import award, evaluator_shortfall, scoring, stages, strategy
from tendering.question.question_document import render_body
from tendering.question.tender_setup import set_variant
from tendering.workflow.engine import fire
from tendering.workflow.guards import GUARDS, GuardContext

from .conftest import form_token, roles_without
from .evaluation_helpers import as_


@pytest.fixture
def two_stage(app, session, make_user, official):
    """A two-stage case in evaluation: three strategies submitted, opened with four eyes, evaluated, consensus
    recorded (A 8, B 6.5, C 5), all through the services."""
    evaluator = make_user(Role.official, name="Eva Luator")
    leads = []
    for name in ("Woonstichting Thuis", "Buurtinitiatief Bloei", "Zorg om de Hoek"):
        organisation = Organisation(name=name, kind=OrganisationKind.association, contact_email=None)
        session.add(organisation)
        session.commit()
        leads.append(make_user(Role.coalition_member, org=organisation, name=f"Penvoerder {name}"))
    bids = [
        journeys.Bid(lead, [], name, Decimal(price), f"Aanpak van {name}.", score=score)
        for lead, name, price, score in zip(
            leads,
            ("Coalitie A", "Coalitie B", "Coalitie C"),
            ("900000", "800000", "700000"),
            (8.0, 6.5, 5.0),
            strict=True,
        )
    ]
    with current_app.test_request_context():
        case = journeys.publish(
            session,
            official,
            journeys.Question(
                title="Leefbaarheid in de Bloemenbuurt",
                question="Wie helpt ons om de Bloemenbuurt weer een buurt te maken waar bewoners naar elkaar omkijken?",
                theme="Wonen",
                budget_ceiling=Decimal("1000000"),
                outcome="Bewoners waarderen hun buurt met minstens een 7.",
                stakeholders=["Corporatie", "Wijkagent", "Buurthuis"],
            ),
            min_partners=1,
            workflow="strategy_then_realisation",
        )
        for b in bids:
            journeys.bid(session, case, b)
        journeys.close_and_evaluate(session, case, official, evaluator, bids)
    session.commit()
    coalitions = {c.name: c for c in session.exec(select(Coalition).where(Coalition.case_id == case.id)).all()}
    return case, evaluator, bids, coalitions


def _choose(client, case, proposal_ids, motivation="Beste antwoord op de echte vraag.", days=30):
    page = client.get(f"/cases/{case.id}/strategy")
    deadline = (utcnow() + timedelta(days=days)).astimezone().strftime("%Y-%m-%dT%H:%M")
    return client.post(
        f"/cases/{case.id}/strategy/choice",
        data={
            "csrf_token": form_token(page),
            "proposal_ids": [str(p) for p in proposal_ids],
            "motivation": motivation,
            "plan_deadline": deadline,
        },
        follow_redirects=True,
    )


def _strategy_of(session, case, coalition):
    return next(
        r for r in scoring.ranking(session, case, ProposalStage.strategy) if r.entry.coalition.id == coalition.id
    )


def _chosen(app, session, case, official, coalition):
    """The owner chooses `coalition`'s strategy and fires select_strategy; returns the owner's client."""
    client = as_(app, official)
    response = _choose(client, case, [_strategy_of(session, case, coalition).entry.proposal_id])
    assert "The strategy choice is recorded." in response.text, response.text
    with current_app.test_request_context():
        fire(session, case, "select_strategy", actor=official)
    session.commit()
    return client


def _write_plan(app, user, coalition, *, price="850000"):
    client = as_(app, user)
    page = client.get(f"/coalitions/{coalition.id}/plan")
    assert page.status_code == 200
    response = client.post(
        f"/coalitions/{coalition.id}/plan/submit",
        data={
            "csrf_token": form_token(page),
            "approach": "Portiekambassadeurs en beheer van de binnenhoven.",
            "answer_to_question": "Bewoners kennen elkaar weer.",
            "outcome_commitments": "Rapportcijfer van 6,1 naar 7 in 2029.",
            "monitoring": "Bewonersenquête per jaar.",
            "price": price,
            "requirements": re.findall(r'name="requirements" type="checkbox" value="(\d+)"', page.text),
        },
        follow_redirects=True,
    )
    return client, response


def _plan_deadline_passes(session, case):
    choice = stages.choice_of(session, case)
    choice.plan_deadline = utcnow() - timedelta(milliseconds=1)
    session.add(choice)
    session.commit()


def _judge_plans(session, case, official, evaluator, bids):
    """The plan box opens with four eyes and both evaluators score the plans."""
    _plan_deadline_passes(session, case)
    with current_app.test_request_context():
        journeys.open_and_evaluate(session, case, official, evaluator, bids)
    session.commit()


def test_owner_chooses_a_strategy_and_every_coalition_gets_a_letter_worded_as_a_choice(
    app, session, two_stage, official
):
    case, _evaluator, _bids, coalitions = two_stage
    _chosen(app, session, case, official, coalitions["Coalitie A"])
    assert case.state == "realisation_planning"
    letters = {
        session.get(Coalition, letter.coalition_id).name: letter
        for letter in session.exec(select(StrategyLetter)).all()
    }
    assert set(letters) == {"Coalitie A", "Coalitie B", "Coalitie C"}
    assert letters["Coalitie A"].is_chosen and not letters["Coalitie B"].is_chosen
    assert "Dit is een strategiekeuze, geen gunningsbeslissing" in letters["Coalitie B"].content_html
    assert "De opschortende termijn van" not in letters["Coalitie B"].content_html  # no standstill runs for a choice
    assert "Coalitie A" in letters["Coalitie B"].content_html  # who was chosen
    subjects = session.exec(select(OutboxMessage.subject)).all()
    assert any(s.startswith("Uw strategie is gekozen") for s in subjects)
    assert sum(s.startswith("Strategiekeuze voor") for s in subjects) == 2


def test_strategy_choice_is_the_owners_in_ranking_order_and_within_the_tenders_number(
    app, session, two_stage, official, make_user
):
    case, evaluator, _bids, coalitions = two_stage
    a, b = (_strategy_of(session, case, coalitions[n]).entry.proposal_id for n in ("Coalitie A", "Coalitie B"))
    owner = as_(app, official)
    assert "A better-ranked strategy cannot be passed over" in _choose(owner, case, [b]).text
    assert "Choose one strategy." in _choose(owner, case, [a, b]).text
    assert "Record the strategy choice" in owner.get(f"/cases/{case.id}/strategy").text
    assert _choose(as_(app, evaluator), case, [a]).status_code == 403  # an official, not the owner
    for role in roles_without(Capability.choose_strategy):
        client = as_(app, make_user(role))
        assert client.get(f"/cases/{case.id}/strategy").status_code in (403, 404)
    assert stages.choice_of(session, case) is None
    case.strategies_to_choose = 2
    session.commit()
    assert "The strategy choice is recorded." in _choose(owner, case, [a, b]).text
    session.expire_all()
    assert {c.coalition.name for c in strategy.chosen(session, case)} == {"Coalitie A", "Coalitie B"}


def test_only_the_chosen_coalition_works_out_the_realisation_plan(app, session, two_stage, official, make_user):
    case, evaluator, bids, coalitions = two_stage
    a, b = coalitions["Coalitie A"], coalitions["Coalitie B"]
    lead_a, lead_b = bids[0].lead, bids[1].lead
    assert as_(app, lead_a).get(f"/coalitions/{a.id}/plan").status_code == 404  # not yet chosen
    _chosen(app, session, case, official, a)
    assert "Our realisation plan" in as_(app, lead_a).get(f"/coalitions/{a.id}/plan").text
    assert as_(app, lead_b).get(f"/coalitions/{b.id}/plan").status_code == 404  # not chosen: no such plan
    assert as_(app, lead_b).get(f"/coalitions/{a.id}/plan").status_code == 404  # a rival's plan
    for role in roles_without(Capability.work_out_plan):
        assert as_(app, make_user(role)).get(f"/coalitions/{a.id}/plan").status_code in (403, 404)
    assert "Work on our realisation plan" in as_(app, lead_a).get(f"/coalitions/{a.id}/strategy").text
    assert "niet gekozen" in as_(app, lead_b).get(f"/coalitions/{b.id}/strategy").text


def test_the_plan_is_sealed_until_its_own_opening_and_rivals_never_read_it(app, session, two_stage, official):
    case, evaluator, bids, coalitions = two_stage
    a = coalitions["Coalitie A"]
    _chosen(app, session, case, official, a)
    _client, response = _write_plan(app, bids[0].lead, a)
    assert "Your proposal is received." in response.text
    owner = as_(app, official)
    box = owner.get(f"/cases/{case.id}/proposals").text
    assert "Portiekambassadeurs" not in box and "Coalitie A" not in box.split("</nav>", 1)[1]
    assert "1 realisation plan(s) submitted so far" in owner.get(f"/cases/{case.id}/strategy").text
    plan_id = session.exec(
        select(ProposalSubmission.id)
        .join(Proposal, Proposal.id == ProposalSubmission.proposal_id)
        .where(Proposal.stage == ProposalStage.realisation)
    ).one()
    assert owner.get(f"/cases/{case.id}/proposals/{plan_id}").status_code == 403
    assert scoring.entries(session, case) == []  # nothing derived from the plan exists before the opening
    rival = as_(app, bids[1].lead)
    assert rival.get(f"/coalitions/{a.id}/receipts/{plan_id}").status_code == 404
    assert as_(app, bids[0].lead).get(f"/coalitions/{a.id}/receipts/{plan_id}").status_code == 200
    _plan_deadline_passes(session, case)
    owner.post(
        f"/cases/{case.id}/proposals/open", data={"csrf_token": form_token(owner.get(f"/cases/{case.id}/proposals"))}
    )
    evaluator_client = as_(app, evaluator)
    evaluator_client.post(
        f"/cases/{case.id}/proposals/open",
        data={"csrf_token": form_token(evaluator_client.get(f"/cases/{case.id}/proposals"))},
    )
    session.expire_all()
    [entry] = scoring.entries(session, case)
    assert entry.coalition.id == a.id and entry.submission.content["approach"].startswith("Portiekambassadeurs")
    assert [c.name for c in scoring.criteria(session, case)] == ["Uitvoerbaarheid en borging", "Prijs"]


def test_the_municipality_stays_reachable_while_the_plan_is_worked_out(app, session, two_stage, official):
    case, _evaluator, bids, coalitions = two_stage
    a, b = coalitions["Coalitie A"], coalitions["Coalitie B"]
    owner = _chosen(app, session, case, official, a)
    lead = as_(app, bids[0].lead)
    page = lead.get(f"/coalitions/{a.id}/plan")
    response = lead.post(
        f"/coalitions/{a.id}/plan/messages",
        data={"csrf_token": form_token(page), "text": "Mogen we de renovatieplanning opnemen?"},
        follow_redirects=True,
    )
    assert "Your message is sent to the municipality." in response.text
    strategy_page = owner.get(f"/cases/{case.id}/strategy")
    assert "Mogen we de renovatieplanning opnemen?" in strategy_page.text
    owner.post(
        f"/cases/{case.id}/strategy/messages/{a.id}",
        data={"csrf_token": form_token(strategy_page), "text": "Ja, met de inspraak van bewoners."},
    )
    assert "Ja, met de inspraak van bewoners." in lead.get(f"/coalitions/{a.id}/plan").text
    rival = as_(app, bids[1].lead)
    refused = rival.post(
        f"/coalitions/{b.id}/plan/messages",
        data={"csrf_token": form_token(rival.get(f"/coalitions/{b.id}/strategy")), "text": "En wij?"},
    )
    assert refused.status_code == 404
    messages = session.exec(select(PlanMessage).order_by(PlanMessage.id)).all()
    assert [(m.coalition_id, m.from_municipality) for m in messages] == [(a.id, False), (a.id, True)]
    assert session.exec(select(OutboxMessage).where(OutboxMessage.subject.like("Message about%"))).all()


def _invite_b_and_judge_its_plan(app, session, case, official, evaluator, bids, b):
    """A's plan is not accepted: B, next in the ranking, is invited, writes its plan, and the plan is judged."""
    session.expire_all()
    with current_app.test_request_context():
        strategy.invite_next(
            session, case, actor=official, plan_deadline=utcnow() + timedelta(days=9), motivation="B nu."
        )
    session.commit()
    _write_plan(app, bids[1].lead, b)
    _judge_plans(session, case, official, evaluator, bids)
    session.expire_all()


def _decide(session, case, official, winner):
    award.decide(
        session, case, actor=official, proposal_id=winner.entry.proposal_id, motivation="Goed.", advantages="Ja."
    )


def _reject(client, case, coalition, motivation="Het plan borgt de continuïteit na 2029 niet."):
    page = client.get(f"/cases/{case.id}/strategy")
    return client.post(
        f"/cases/{case.id}/strategy/rejections",
        data={"csrf_token": form_token(page), "coalition_id": str(coalition.id), "motivation": motivation},
        follow_redirects=True,
    )


def test_plan_not_accepted_goes_to_the_next_ranked_strategy(app, session, two_stage, official):
    case, evaluator, bids, coalitions = two_stage
    a, b = coalitions["Coalitie A"], coalitions["Coalitie B"]
    owner = _chosen(app, session, case, official, a)
    _write_plan(app, bids[0].lead, a)
    assert "A realisation plan is judged after its deadline." in _reject(owner, case, a).text
    _judge_plans(session, case, official, evaluator, bids)
    assert "give the motivation why it is not accepted" in _reject(owner, case, a, motivation="").text
    refused = as_(app, evaluator)
    assert _reject(refused, case, a).status_code == 403  # only the owner
    response = _reject(owner, case, a)
    assert "the realisation plan is not accepted" in response.text
    assert "The next-ranked strategy is that of Coalitie B." in response.text
    page = owner.get(f"/cases/{case.id}/strategy")
    invited = owner.post(
        f"/cases/{case.id}/strategy/invitations",
        data={
            "csrf_token": form_token(page),
            "plan_deadline": (utcnow() + timedelta(days=30)).astimezone().strftime("%Y-%m-%dT%H:%M"),
            "motivation": "Het plan van A is niet aanvaard.",
        },
        follow_redirects=True,
    )
    assert "The coalition Coalitie B is invited to work out its strategy." in invited.text
    assert as_(app, bids[1].lead).get(f"/coalitions/{b.id}/plan").status_code == 200
    assert as_(app, bids[0].lead).get(f"/coalitions/{a.id}/plan").status_code == 404
    session.expire_all()
    box = stages.box_of(session, case)
    assert (box.plan_call, box.coalition_ids) == (2, frozenset({b.id}))
    assert scoring.entries(session, case) == []  # the second call has a box of its own, sealed again
    actions = session.exec(select(AuditEvent.action).where(AuditEvent.case_id == case.id)).all()
    assert {"realisation_plan_rejected", "next_strategy_invited"} <= set(actions)


def test_plan_not_accepted_and_the_tender_declared_unsuccessful_goes_to_reconsideration(
    app, session, two_stage, official
):
    case, evaluator, bids, coalitions = two_stage
    a = coalitions["Coalitie A"]
    owner = _chosen(app, session, case, official, a)
    _write_plan(app, bids[0].lead, a)
    _judge_plans(session, case, official, evaluator, bids)
    _reject(owner, case, a)
    session.expire_all()
    fire(session, case, "declare_unsuccessful", actor=official, reason="Geen aanvaardbaar realisatieplan.")
    session.commit()
    assert case.state == "reconsider"


def test_an_accepted_plan_leads_to_the_award_with_its_standstill(app, session, two_stage, official):
    case, evaluator, bids, coalitions = two_stage
    a = coalitions["Coalitie A"]
    _chosen(app, session, case, official, a)
    _write_plan(app, bids[0].lead, a)
    _judge_plans(session, case, official, evaluator, bids)
    [winner] = award.eligible(session, case)
    assert winner.entry.coalition.id == a.id and winner.entry.price == Decimal("850000")
    award.decide(
        session,
        case,
        actor=official,
        proposal_id=winner.entry.proposal_id,
        motivation="Het plan is uitvoerbaar en geborgd.",
        advantages="Bewoners beheren mee.",
    )
    with current_app.test_request_context():
        fire(session, case, "propose_award", actor=official, reason="Plan aanvaard.")
    session.commit()
    assert case.state == "awarded"
    decision = award.current_decision(session, case)
    assert decision.stage == "realisation" and decision.standstill_ends_at is not None
    letters = {c.name: letter for letter, c in award.letters(session, decision)}
    assert [letters[n].is_winner for n in ("Coalitie A", "Coalitie B", "Coalitie C")] == [True, False, False]
    # B and C competed with a strategy that was not worked out: their letters name the winner and their own scores
    # on the strategy criteria, sent at the same moment, and they may object like any addressee.
    assert "Coalitie A" in letters["Coalitie B"].content_html and "65.00 van 100" in letters["Coalitie B"].content_html
    assert len({letter.sent_at for letter in letters.values()}) == 1
    told = session.exec(
        select(OutboxMessage).where(OutboxMessage.subject.like("Voorgenomen gunningsbeslissing%"))
    ).all()
    assert len(told) == 3
    client = as_(app, bids[1].lead)
    page = client.get(f"/coalitions/{coalitions['Coalitie B'].id}/award")
    assert page.status_code == 200 and "strategie" in page.text
    response = client.post(
        f"/coalitions/{coalitions['Coalitie B'].id}/award/objection",
        data={"csrf_token": form_token(page), "text": "Onze strategie is onjuist beoordeeld."},
        follow_redirects=True,
    )
    assert "Your objection is registered." in response.text
    assert [o.coalition_id for o, _org in award.objections(session, case)] == [coalitions["Coalitie B"].id]


def test_two_stage_criteria_add_up_per_stage(session, make_case, official):
    case = make_case(workflow="strategy_then_realisation", state="coalition_forming")
    session.add_all(
        [
            AwardCriterion(case_id=case.id, name="Strategie", weight=100, stage="strategy"),
            AwardCriterion(case_id=case.id, name="Plan", weight=60, stage="realisation"),
        ]
    )
    session.commit()
    reasons = GUARDS["award_criteria_complete"].check(GuardContext(session, case, utcnow()))
    assert reasons == ["The weights of the realisation-plan criteria add up to 60, not 100."]
    one = make_case(state="coalition_forming")
    session.add(AwardCriterion(case_id=one.id, name="Alles", weight=100))
    session.commit()
    assert GUARDS["award_criteria_complete"].check(GuardContext(session, one, utcnow())) == []


def test_the_question_document_describes_both_stages(session, two_stage):
    case, *_rest = two_stage
    with current_app.test_request_context():
        body = render_body(session, case)
    for expected in (
        "Stage 1: the strategy",
        "Stage 2: the realisation plan",
        "The municipality chooses one strategy.",
        "Criteria for the strategy (stage 1)",
        "Criteria for the realisation plan (stage 2)",
        "Kracht van de coalitie",
        "Uitvoerbaarheid en borging",
    ):
        assert expected in body


def test_the_tender_set_up_asks_what_each_criterion_judges(app, session, make_case, official):
    case = make_case(workflow="strategy_then_realisation", state="coalition_forming")
    client = as_(app, official)
    page = client.get(f"/cases/{case.id}/tender")
    assert "What the criterion judges" in page.text and "How many strategies may be chosen" in page.text
    client.post(
        f"/cases/{case.id}/criteria",
        data={
            "csrf_token": form_token(page),
            "name": "Plan",
            "weight": "100",
            "scale_max": "10",
            "stage": "realisation",
        },
    )
    client.post(
        f"/cases/{case.id}/strategies",
        data={"csrf_token": form_token(page), "strategies_to_choose": "2"},
    )
    session.expire_all()
    [criterion] = session.exec(select(AwardCriterion).where(AwardCriterion.case_id == case.id)).all()
    assert criterion.stage == "realisation" and session.get(type(case), case.id).strategies_to_choose == 2


def test_pressing_submit_without_saving_saves_the_typed_draft_first(app, drafting):
    case, coalition, users, clients = drafting
    lead = clients["lead"]
    page = lead.get(f"/coalitions/{coalition.id}/proposal")
    typed = {
        "csrf_token": form_token(page),
        "approach": "Buurtkamers in elke wijk.",
        "answer_to_question": "Ouderen ontmoeten elkaar.",
        "outcome_commitments": "Eenzaamheid van 48% naar 38%.",
        "monitoring": "GGD-monitor.",
        "price": "400000",
    }
    refused = lead.post(f"/coalitions/{coalition.id}/proposal/submit", data=typed, follow_redirects=True)
    assert "Your draft is saved, but it cannot be submitted yet:" in refused.text  # the requirement is unticked
    assert "Buurtkamers in elke wijk." in lead.get(f"/coalitions/{coalition.id}/proposal").text
    requirement = re.search(r'name="requirements" type="checkbox" value="(\d+)"', page.text).group(1)
    done = lead.post(
        f"/coalitions/{coalition.id}/proposal/submit",
        data={**typed, "approach": "Buurtkamers en huisbezoeken.", "requirements": requirement},
        follow_redirects=True,
    )
    assert "Your proposal is received." in done.text
    assert "Buurtkamers en huisbezoeken." in lead.get(f"/coalitions/{coalition.id}/proposal").text


def test_a_submit_with_invalid_input_keeps_the_typed_text_on_the_page(app, drafting):
    case, coalition, users, clients = drafting
    lead = clients["lead"]
    page = lead.get(f"/coalitions/{coalition.id}/proposal")
    response = lead.post(
        f"/coalitions/{coalition.id}/proposal/submit",
        data={"csrf_token": form_token(page), "approach": "Mijn lange tekst.", "price": "veel"},
    )
    assert response.status_code == 400
    assert "Mijn lange tekst." in response.text and "Nothing is submitted yet" in response.text


def test_outsiders_cannot_submit_through_the_editor(app, drafting):
    case, coalition, users, clients = drafting
    outsider = clients["outsider"]
    response = outsider.post(
        f"/coalitions/{coalition.id}/proposal/submit",
        data={"csrf_token": form_token(outsider.get("/coalitions")), "approach": "Van buiten."},
    )
    assert response.status_code == 404


def test_choosing_the_two_stage_procedure_makes_the_criteria_judge_the_strategy(session, make_case, official):
    case = make_case(state="coalition_forming")
    session.add(AwardCriterion(case_id=case.id, name="Aanpak", weight=100))
    session.commit()
    set_variant(session, case, actor=official, workflow="strategy_then_realisation")
    assert [c.stage for c in session.exec(select(AwardCriterion)).all()] == ["strategy"]
    reasons = GUARDS["award_criteria_complete"].check(GuardContext(session, case, utcnow()))
    assert reasons == ["No award criteria are set for the realisation plan."]
    set_variant(session, case, actor=official, workflow="social_tender")
    assert [c.stage for c in session.exec(select(AwardCriterion)).all()] == ["single"]


def test_an_award_decision_on_a_plan_that_was_then_not_accepted_does_not_carry_over(app, session, two_stage, official):
    """Recorded on A's plan, A's plan is then not accepted: the decision must be taken again on B's plan."""
    case, evaluator, bids, coalitions = two_stage
    a, b = coalitions["Coalitie A"], coalitions["Coalitie B"]
    owner = _chosen(app, session, case, official, a)
    _write_plan(app, bids[0].lead, a)
    _judge_plans(session, case, official, evaluator, bids)
    [winner] = award.eligible(session, case)
    _decide(session, case, official, winner)
    session.commit()
    _reject(owner, case, a)
    _invite_b_and_judge_its_plan(app, session, case, official, evaluator, bids, b)
    context = GuardContext(session, case, utcnow())
    assert GUARDS["award_decision_recorded"].check(context) == [
        "The intended award decision names a plan that is no longer under judgement: record it again."
    ]
    with pytest.raises(GuardFailed), current_app.test_request_context():
        fire(session, case, "propose_award", actor=official, reason="Plan aanvaard.")
    session.rollback()
    [winner] = award.eligible(session, case)
    assert winner.entry.coalition.id == b.id
    _decide(session, case, official, winner)
    assert GUARDS["award_decision_recorded"].check(GuardContext(session, case, utcnow())) == []


def test_a_strategy_left_with_one_evaluator_by_a_conflict_blocks_the_choice_until_an_exception(
    app, session, two_stage, official
):
    case, evaluator, _bids, coalitions = two_stage
    a = _strategy_of(session, case, coalitions["Coalitie A"])
    evaluation = session.exec(
        select(Evaluation).where(Evaluation.proposal_id == a.entry.proposal_id, Evaluation.evaluator_id == evaluator.id)
    ).one()
    evaluation.has_conflict, evaluation.submitted_at = True, None  # the evaluator declared a conflict after all
    session.add(evaluation)
    session.commit()
    owner = as_(app, official)
    refused = _choose(owner, case, [a.entry.proposal_id])
    assert "1 proposal(s) can be scored by fewer than two evaluators" in refused.text
    assert stages.choice_of(session, case) is None
    with current_app.test_request_context():
        evaluator_shortfall.record_exception(
            session, case, a.entry, actor=official, reason="Geen andere beoordelaar beschikbaar; extern getoetst."
        )
    session.commit()
    assert "The strategy choice is recorded." in _choose(owner, case, [a.entry.proposal_id]).text


def test_a_submitted_plan_is_not_rejected_unread(app, session, two_stage, official):
    """Not accepting a plan is a judgement: after the four-eyes opening and the evaluators' scores, not before."""
    case, evaluator, bids, coalitions = two_stage
    a = coalitions["Coalitie A"]
    owner = _chosen(app, session, case, official, a)
    _write_plan(app, bids[0].lead, a)
    _plan_deadline_passes(session, case)
    refused = _reject(owner, case, a, motivation="Ongeopend afgewezen.")
    assert "judged only after the four-eyes opening of its box" in refused.text
    assert strategy.next_in_reserve(session, case) is None
    _judge_plans(session, case, official, evaluator, bids)
    assert "the realisation plan is not accepted" in _reject(owner, case, a).text


def test_a_plan_that_never_came_may_be_rejected_after_the_deadline(app, session, two_stage, official):
    case, _evaluator, _bids, coalitions = two_stage
    a = coalitions["Coalitie A"]
    owner = _chosen(app, session, case, official, a)
    _plan_deadline_passes(session, case)
    assert "the realisation plan is not accepted" in _reject(owner, case, a, motivation="Geen plan ontvangen.").text


def test_the_choice_is_checked_again_when_its_letters_go_out(app, session, two_stage, official):
    """A consensus revised after the choice, or a plan deadline passed, must not reach the coalitions as letters."""
    case, evaluator, _bids, coalitions = two_stage
    a, b = (_strategy_of(session, case, coalitions[n]) for n in ("Coalitie A", "Coalitie B"))
    owner = as_(app, official)
    assert "The strategy choice is recorded." in _choose(owner, case, [a.entry.proposal_id]).text
    with current_app.test_request_context():
        criteria = scoring.criteria(session, case)
        scoring.record_consensus(
            session,
            case,
            b.entry,
            actor=official,
            scores={c.id: (10, "Na herziening.") for c in criteria if not c.price_formula},
            participant_ids=[evaluator.id],
        )
    session.commit()
    context = GuardContext(session, case, utcnow())
    assert GUARDS["strategy_selected"].check(context) == [
        "A better-ranked strategy cannot be passed over: choose the strategies in ranking order."
    ]
    with pytest.raises(GuardFailed), current_app.test_request_context():
        fire(session, case, "select_strategy", actor=official)
    session.rollback()
    assert session.exec(select(StrategyLetter)).all() == []
    assert "The strategy choice is recorded." in _choose(owner, case, [b.entry.proposal_id]).text
    choice = stages.choice_of(session, case)
    choice.plan_deadline = utcnow() - timedelta(seconds=1)  # the choice lay on the desk past its plan deadline
    session.commit()
    assert GUARDS["strategy_selected"].check(GuardContext(session, case, utcnow())) == [
        "The deadline for the realisation plan must lie in the future."
    ]


def test_a_coalition_whose_plan_was_not_accepted_reads_why_in_its_award_letter(app, session, two_stage, official):
    case, evaluator, bids, coalitions = two_stage
    a, b = coalitions["Coalitie A"], coalitions["Coalitie B"]
    owner = _chosen(app, session, case, official, a)
    _write_plan(app, bids[0].lead, a)
    _judge_plans(session, case, official, evaluator, bids)
    _reject(owner, case, a, motivation="Het plan borgt de continuïteit na 2029 niet.")
    _invite_b_and_judge_its_plan(app, session, case, official, evaluator, bids, b)
    [winner] = award.eligible(session, case)
    _decide(session, case, official, winner)
    with current_app.test_request_context():
        fire(session, case, "propose_award", actor=official, reason="Plan van B aanvaard.")
    session.commit()
    letters = {c.name: letter for letter, c in award.letters(session, award.current_decision(session, case))}
    assert letters["Coalitie B"].is_winner
    assert "Het plan borgt de continuïteit na 2029 niet." in letters["Coalitie A"].content_html
    assert "Het plan borgt de continuïteit" not in letters["Coalitie C"].content_html


def test_the_coalition_adds_nothing_to_its_plan_after_the_deadline(app, session, two_stage, official):
    case, _evaluator, bids, coalitions = two_stage
    a = coalitions["Coalitie A"]
    owner = _chosen(app, session, case, official, a)
    _write_plan(app, bids[0].lead, a)
    _plan_deadline_passes(session, case)
    lead = as_(app, bids[0].lead)
    page = lead.get(f"/coalitions/{a.id}/plan")
    late = lead.post(
        f"/coalitions/{a.id}/plan/messages",
        data={"csrf_token": form_token(page), "text": "Nog een aanvulling op ons plan."},
        follow_redirects=True,
    )
    assert "nothing can be added to the plan any more" in late.text
    assert session.exec(select(PlanMessage)).all() == []
    assert owner.get(f"/cases/{case.id}/strategy").status_code == 200  # the municipality may still answer


def test_an_uninvolved_official_does_not_see_which_strategies_were_chosen(app, session, two_stage, official, make_user):
    case, _evaluator, _bids, coalitions = two_stage
    a = _strategy_of(session, case, coalitions["Coalitie A"])
    assert "The strategy choice is recorded." in _choose(as_(app, official), case, [a.entry.proposal_id]).text
    page = as_(app, make_user(Role.official, name="Otto Collega")).get(f"/cases/{case.id}/strategy")
    assert page.status_code == 200 and "is shown to the case owner and its evaluators only" in page.text
    assert "Coalitie A" not in page.text and "Beste antwoord op de echte vraag." not in page.text
    assert "Coalitie A" in as_(app, official).get(f"/cases/{case.id}/strategy").text


def _twice_at_once(app, user, page: str, url: str, data: dict) -> list[int]:
    """POST the same form from two logged-in clients at the same moment (a double click, a second tab)."""
    clients = [as_(app, user) for _ in range(2)]
    tokens = [form_token(c.get(page)) for c in clients]
    barrier, statuses = threading.Barrier(2, timeout=30), [0, 0]

    def post(index):
        barrier.wait()
        statuses[index] = clients[index].post(url, data={**data, "csrf_token": tokens[index]}).status_code

    threads = [threading.Thread(target=post, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


def test_not_accepting_a_plan_twice_at_once_records_and_mails_it_once(app, session, two_stage, official):
    case, evaluator, bids, coalitions = two_stage
    a = coalitions["Coalitie A"]
    _chosen(app, session, case, official, a)
    _write_plan(app, bids[0].lead, a)
    _judge_plans(session, case, official, evaluator, bids)
    sent_before = len(session.exec(select(OutboxMessage)).all())
    statuses = _twice_at_once(
        app,
        official,
        f"/cases/{case.id}/strategy",
        f"/cases/{case.id}/strategy/rejections",
        {"coalition_id": str(a.id), "motivation": "Het plan borgt de continuïteit niet."},
    )
    assert all(status < 500 for status in statuses), statuses
    session.expire_all()
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "realisation_plan_rejected")).all()
    assert len(events) == 1
    mails = session.exec(select(OutboxMessage)).all()[sent_before:]
    assert len(mails) == len({m.to_address for m in mails}) > 0  # each address once
