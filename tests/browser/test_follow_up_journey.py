"""A concluded agreement through joint accountability to a follow-up case that inherits the outcomes, the
indicators with their last measured values as baselines, the stakeholders and the budget, and links back."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from tendering.demo import journeys
from tendering.models import Coalition, Direction, Organisation, OrganisationKind, Outcome, Role, utcnow
from tendering.realisation import agreement, measurements

from .test_elderly_question_journey import fire, log_in


@pytest.fixture
def concluded(app, session, official, make_user):
    """A case whose agreement is concluded through the services (journeys.award_and_agree), with two values reported."""
    with app.test_request_context():  # concluding renders the agreement's document
        return _concluded(session, official, make_user)


def _concluded(session, official, make_user):
    case = journeys.publish(
        session,
        official,
        journeys.Question(
            title="Gelukkig oud in Lindendal",
            question="Wie helpt ons om ouderen gelukkig oud te laten worden in onze gemeente?",
            theme="Ouderen",
            budget_ceiling=Decimal("500000"),
            outcome="Minder ouderen voelen zich eenzaam.",
            stakeholders=["Ouderenbond", "Sportvereniging De Linde", "Voedselbank"],
        ),
        min_partners=1,
    )
    organisations = [Organisation(name=n, kind=OrganisationKind.association) for n in ("Samen Oud", "Buurtzorg")]
    session.add_all(organisations)
    session.commit()
    lead, partner = (make_user(Role.coalition_member, org=o, name=f"{o.name} lid") for o in organisations)
    bid = journeys.Bid(lead, [partner], "Samen Oud in Lindendal", Decimal("450000"), "Buurtkamers.", score=8)
    journeys.bid(session, case, bid)
    outcome = session.exec(select(Outcome).where(Outcome.case_id == case.id)).one()
    today = utcnow().date()
    start = date(today.year - 1, today.month, 1)
    [loneliness] = journeys.award_and_agree(
        session,
        case,
        official,
        make_user(Role.official, name="Eva Luator"),
        [bid],
        starts_on=start,
        indicators=[
            agreement.IndicatorFields(
                name="Aandeel eenzame 75-plussers",
                definition="Aandeel 75-plussers dat zich vaak eenzaam voelt.",
                unit="%",
                direction=Direction.lower_is_better,
                data_source="GGD Gezondheidsmonitor",
                baseline_value=48,
                baseline_date=start,
                target_value=38,
                target_date=date(start.year + 3, start.month, 1) - timedelta(days=1),
                norm_at_risk=46,
                norm_off_track=48,
                frequency="quarterly",
                measured_by="GGD",
                outcome_id=outcome.id,
            )
        ],
    )
    concluded = agreement.concluded(session, case)
    coalition = session.get(Coalition, concluded.coalition_id)
    reporting = measurements.Reporting(coalition, case, concluded)
    for period, value in zip(
        measurements.reportable_periods(loneliness, concluded, today), (46.5, 43.25), strict=False
    ):
        measurements.report(
            session,
            reporting,
            actor=lead,
            today=today,
            reported=measurements.Reported(loneliness, period.starts_on, value, "GGD", "", ""),
        )
    session.commit()
    return case, lead


def test_accountability_opens_a_follow_up_that_inherits_outcomes_and_baselines(
    live_server, page, browser, session, official, concluded
):
    case, lead = concluded
    log_in(page, live_server, official)
    page.goto(f"{live_server}/cases/{case.id}")
    fire(page, "Start joint accountability", "Start joint accountability")
    expect(page.get_by_text("“Start joint accountability” done")).to_be_visible()

    page.goto(f"{live_server}/cases/{case.id}/accountability")
    page.get_by_label("Findings from the conversations").fill("Ouderen ontmoeten elkaar vaker in de buurtkamers.")
    page.get_by_role("button", name="Save the joint evaluation").click()
    page.get_by_role("button", name="Approve the report as it stands").click()

    coalition = browser.new_context(locale="en-GB").new_page()
    log_in(coalition, live_server, lead)
    coalition.goto(f"{live_server}/cases/{case.id}/accountability")
    coalition.get_by_role("button", name="Approve the report as it stands").click()
    expect(coalition.get_by_text("the accountability report is published")).to_be_visible()
    coalition.context.close()

    page.goto(f"{live_server}/cases/{case.id}/accountability")
    page.locator("#close-reason").fill("Resultaten samen verantwoord; de vraag loopt door.")
    page.get_by_role("button", name="Close and open a follow-up case").click()
    expect(page.get_by_text("the follow-up case")).to_be_visible()

    expect(page.locator("#parent-case")).to_contain_text(case.reference)
    expect(page.locator("#outcomes")).to_contain_text("Minder ouderen voelen zich eenzaam.")
    expect(page.locator("#outcomes")).to_contain_text("inherited")
    page.locator("nav[aria-label='Case sections']").get_by_role("link", name="Articulation").click()
    drafts = page.locator(".app-indicator-drafts")
    expect(drafts).to_contain_text("Aandeel eenzame 75-plussers")
    expect(drafts).to_contain_text("43.25 %")  # the last value in force is the new baseline
    expect(drafts).to_contain_text(f"Last value in force of {case.reference}")
    expect(page.locator("#inherited-budget")).to_contain_text(case.reference)

    drafts.get_by_role("row", name="Aandeel eenzame 75-plussers").get_by_role("link", name="Edit").click()
    page.get_by_label("Baseline value").fill("43")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The inherited indicator is saved.")).to_be_visible()
    expect(page.locator(".app-indicator-drafts")).to_contain_text("43 %")

    page.locator("nav[aria-label='Case sections']").get_by_role("link", name="Stakeholders").click()
    expect(page.get_by_role("row", name="Ouderenbond")).to_contain_text("inherited")

    page.locator("nav[aria-label='Case sections']").get_by_role("link", name="Overview").click()
    page.locator("#parent-case").get_by_role("link").click()
    expect(page.locator("#follow-up-cases")).to_contain_text("Follow-up: Gelukkig oud in Lindendal")
