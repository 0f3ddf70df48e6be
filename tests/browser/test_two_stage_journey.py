"""The two-stage variant through the screens, to an agreement: a coalition types its strategy and submits it
without saving first, two officials open the box, two evaluators score the strategies, the owner chooses one
and the letters go out; the chosen coalition works out its realisation plan in touch with the municipality and
submits it; the plan box is opened and judged on its own criteria, the plan is accepted, and after the
standstill the agreement is concluded."""

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

from flask import current_app
from playwright.sync_api import expect

from tendering.demo import journeys
from tendering.models import Organisation, OrganisationKind, Role, utcnow
from tendering.parties.coalitions import form_coalition
from tendering.procurement import award, scoring, stages
from tendering.procurement.evaluation import assign_evaluator
from tendering.question.tender_setup import criteria_of

from .agreement_steps import add_indicator
from .test_award_journey import evaluate, step
from .test_elderly_question_journey import local, log_in


def _open_box(page, server, case, officials):
    """Two officials open the box of the stage in play: one requests, the other confirms."""
    for official, button in zip(officials, ("Request opening of the box", "Confirm the opening"), strict=True):
        page.context.clear_cookies()
        log_in(page, server, official)
        page.goto(f"{server}/cases/{case.id}/proposals")
        page.get_by_role("button", name=button).click()
    expect(page.get_by_text("The tender box is open.")).to_be_visible()


def _consensus(page, server, case, proposal_id, criteria, scores, evaluators):
    """The owner records the consensus with the evaluators who took part in the discussion."""
    page.goto(f"{server}/cases/{case.id}/evaluation/{proposal_id}/consensus")
    for criterion, score in zip(criteria, scores, strict=False):
        page.fill(f"#score-{criterion.id}", str(score))
        page.fill(f"#motivation-{criterion.id}", "Na bespreking vastgesteld.")
    for evaluator in evaluators:
        page.get_by_label(evaluator.name).check()
    page.get_by_role("button", name="Record the consensus").click()
    expect(page.get_by_text("The consensus is recorded.")).to_be_visible()


def _in_competition(session, case) -> dict[str, SimpleNamespace]:
    """The proposals of the stage in play by coalition name, as `evaluate` takes them."""
    session.expire_all()
    return {e.coalition.name: SimpleNamespace(id=e.proposal_id) for e in scoring.entries(session, case)}


def _criteria(session, case, stage: int):
    return stages.criteria_groups(case, criteria_of(session, case))[stage].criteria


def test_two_stage_case_from_strategy_to_agreement(live_server, page, browser, session, official, make_user):
    evaluators = [make_user(Role.official, name="Eva Luator"), make_user(Role.official, name="Bert Oordeel")]
    organisations = [
        Organisation(name=n, kind=OrganisationKind.association) for n in ("Woonstichting Thuis", "Zorg om de Hoek")
    ]
    session.add_all(organisations)
    session.commit()
    lead_a, lead_b = (
        make_user(Role.coalition_member, org=o, name=n)
        for o, n in zip(organisations, ("Peter Smit", "Marieke Jansen"), strict=True)
    )
    with current_app.test_request_context():
        case = journeys.publish(
            session,
            official,
            journeys.Question(
                title="Leefbaarheid in de Bloemenbuurt",
                question="Wie helpt ons om de Bloemenbuurt weer een buurt te maken waar bewoners naar elkaar omkijken?",
                theme="Wonen",
                budget_ceiling=Decimal("1200000"),
                outcome="Bewoners waarderen hun buurt met minstens een 7.",
                stakeholders=["Corporatie", "Wijkagent", "Buurthuis"],
            ),
            min_partners=1,
            workflow="strategy_then_realisation",
        )
        coalition_a = form_coalition(session, case, actor=lead_a, name="Bloemenbuurt Bloeit")
        journeys.bid(session, case, journeys.Bid(lead_b, [], "Zorg om de Hoek", Decimal("950000"), "Wijkteam.", 6))
        for evaluator in evaluators:
            assign_evaluator(session, case, actor=official, evaluator_id=evaluator.id)
    session.commit()

    # The coalition types its strategy and presses "submit" without saving first.
    log_in(page, live_server, lead_a)
    page.goto(f"{live_server}/coalitions/{coalition_a.id}/proposal")
    expect(page.get_by_role("heading", name="Our strategy")).to_be_visible()
    page.get_by_label("Our approach").fill("Bewoners beheren de binnenhoven; elke flat een portiekambassadeur.")
    page.get_by_label("How it answers the real question").fill("Bewoners kennen en helpen elkaar weer.")
    page.get_by_label("Outcome commitments").fill("Rapportcijfer voor de buurt van 6,1 naar 7 in 2029.")
    page.get_by_label("Proposed monitoring").fill("Jaarlijkse bewonersenquête en een buurtpanel.")
    page.get_by_label("Price (euros)").fill("1100000")
    page.get_by_role("button", name="Submit our proposal").click()
    expect(page.get_by_text("Your draft is saved, but it cannot be submitted yet:")).to_be_visible()
    expect(page.get_by_label("Our approach")).to_have_value(
        "Bewoners beheren de binnenhoven; elke flat een portiekambassadeur."
    )
    page.get_by_label("Minstens één partner werkt al in de wijk.").check()
    page.get_by_role("button", name="Submit our proposal").click()
    expect(page.get_by_text("Your proposal is received.")).to_be_visible()

    case.submission_deadline = utcnow() - timedelta(milliseconds=1)  # a month later
    session.commit()
    _open_box(page, live_server, case, [official, evaluators[0]])
    strategies = _in_competition(session, case)
    ordered = [strategies["Bloemenbuurt Bloeit"], strategies["Zorg om de Hoek"]]
    strategy_criteria = _criteria(session, case, 0)
    for evaluator in evaluators:
        page.context.clear_cookies()
        log_in(page, live_server, evaluator)
        evaluate(page, live_server, case, ordered, strategy_criteria, scores=((8, 8), (6, 6)))
    page.context.clear_cookies()
    log_in(page, live_server, official)
    for proposal, score in zip(ordered, (8, 6), strict=True):
        _consensus(page, live_server, case, proposal.id, strategy_criteria, (score, score), evaluators)

    page.goto(f"{live_server}/cases/{case.id}")
    page.get_by_role("link", name="Strategy choice", exact=True).click()
    expect(page.locator("#strategy-ranking tbody tr").first).to_contain_text("Bloemenbuurt Bloeit")
    page.get_by_label("Bloemenbuurt Bloeit", exact=False).check()
    page.get_by_label("Motivation of the strategy choice").fill("Bewoners nemen zelf verantwoordelijkheid.")
    page.get_by_label("Deadline for the realisation plan").fill(local(42))
    page.get_by_role("button", name="Record the strategy choice").click()
    expect(page.get_by_text("The strategy choice is recorded.")).to_be_visible()
    step(page, live_server, case, "Select the strategy")
    expect(page.get_by_text("“Select the strategy” done")).to_be_visible()

    # The chosen coalition reads its letter, asks the municipality a question and submits its plan.
    coalition = browser.new_context(locale="en-GB").new_page()
    log_in(coalition, live_server, lead_a)
    coalition.goto(f"{live_server}/coalitions/{coalition_a.id}")
    coalition.get_by_role("link", name="Read the letter on the strategy choice").click()
    expect(coalition.locator("#letter")).to_contain_text("geen gunningsbeslissing")
    coalition.get_by_role("link", name="Work on our realisation plan").click()
    coalition.get_by_label("Your message").fill("Mogen we de renovatieplanning als mijlpaal opnemen?")
    coalition.get_by_role("button", name="Send to the municipality").click()
    expect(coalition.get_by_text("Your message is sent to the municipality.")).to_be_visible()

    page.goto(f"{live_server}/cases/{case.id}/strategy")
    expect(page.locator(f"#messages-{coalition_a.id}")).to_contain_text("renovatieplanning")
    page.get_by_label("Message to Bloemenbuurt Bloeit").fill("Ja, met inspraak van de bewoners over de volgorde.")
    page.locator(f"#messages-{coalition_a.id}").get_by_role("button", name="Send").click()
    expect(page.get_by_text("Your message is sent to Bloemenbuurt Bloeit.")).to_be_visible()

    coalition.reload()
    expect(coalition.locator("#messages")).to_contain_text("inspraak van de bewoners")
    coalition.get_by_label("Our approach").fill("Per flat een beheergroep; de corporatie renoveert in overleg.")
    coalition.get_by_label("How it answers the real question").fill("Bewoners beslissen mee en kennen elkaar.")
    coalition.get_by_label("Outcome commitments").fill("Rapportcijfer van 6,1 naar 7 in 2029.")
    coalition.get_by_label("Proposed monitoring").fill("Bewonersenquête per jaar en een buurtpanel.")
    coalition.get_by_label("Price (euros)").fill("1050000")
    coalition.get_by_label("Minstens één partner werkt al in de wijk.").check()
    coalition.get_by_role("button", name="Submit our plan").click()
    expect(coalition.get_by_text("Your proposal is received.")).to_be_visible()
    coalition.context.close()

    page.goto(f"{live_server}/cases/{case.id}/strategy")
    expect(page.locator("#plans-count")).to_contain_text("1 realisation plan(s) submitted so far")
    choice = stages.choice_of(session, case)
    choice.plan_deadline = utcnow() - timedelta(milliseconds=1)  # six weeks later
    session.commit()
    _open_box(page, live_server, case, [evaluators[1], official])
    plan = _in_competition(session, case)["Bloemenbuurt Bloeit"]
    plan_criteria = _criteria(session, case, 1)  # judged on the realisation-plan criteria
    for evaluator in evaluators:
        page.context.clear_cookies()
        log_in(page, live_server, evaluator)
        evaluate(page, live_server, case, [plan], plan_criteria, scores=((8, 9),))
    page.context.clear_cookies()
    log_in(page, live_server, official)
    _consensus(page, live_server, case, plan.id, plan_criteria[:1], (8,), evaluators)  # the price is computed

    page.goto(f"{live_server}/cases/{case.id}/award")
    page.get_by_label("Winning proposal", exact=True).select_option(label="Bloemenbuurt Bloeit")
    page.get_by_label("Motivation of the award decision").fill("Het realisatieplan is uitvoerbaar en geborgd.")
    page.get_by_label("Characteristics and relative advantages of the winning proposal").fill(
        "Bewoners beheren mee; de renovatie volgt hun volgorde."
    )
    page.get_by_role("button", name="Record the decision").click()
    step(page, live_server, case, "Propose the award", "Het realisatieplan is aanvaard.")
    expect(page.get_by_text("“Propose the award” done")).to_be_visible()

    page.goto(f"{live_server}/cases/{case.id}/agreement")
    page.get_by_label("Budget (euros)").fill("1050000")
    page.get_by_label("Starts on").fill("2027-01-01")
    page.get_by_label("Ends on").fill("2029-12-31")
    page.get_by_label("The municipality").check()
    page.get_by_label("Monitoring arrangement").fill("Elk halfjaar met het buurtpanel.")
    page.get_by_label("Progress reports").select_option(label="Quarterly")
    page.get_by_role("button", name="Save the terms").click()
    add_indicator(
        page,
        name="Rapportcijfer voor de buurt",
        definition="Gemiddeld rapportcijfer in de bewonersenquête.",
        unit="cijfer",
        direction="Higher is better",
        source="Bewonersenquête",
        baseline="6.1",
        target="7",
        measured_by="Gemeente",
    )

    page.get_by_role("button", name="Approve version").click()  # both sides approve the same text
    expect(page.get_by_text("You approved the current text of the agreement.")).to_be_visible()
    coalition = browser.new_context(locale="en-GB").new_page()
    log_in(coalition, live_server, lead_a)
    coalition.goto(f"{live_server}/cases/{case.id}/agreement")
    coalition.get_by_role("button", name="Approve version").click()
    expect(coalition.get_by_text("You approved the current text of the agreement.")).to_be_visible()
    coalition.context.close()

    decision = award.current_decision(session, case)
    decision.standstill_ends_at = utcnow() - timedelta(minutes=1)  # twenty days later
    session.commit()
    step(page, live_server, case, "Conclude the agreement", "Overeenkomst getekend.")
    expect(page.get_by_text("“Conclude the agreement” done")).to_be_visible()
    session.refresh(case)
    assert case.state == "realisation"
