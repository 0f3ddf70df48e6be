"""Nobody bids: the owner finds the reconsideration form from the case's checklist, records what changes, starts
a new round, and the new round's articulation page shows what was learned."""

from datetime import timedelta
from decimal import Decimal

from playwright.sync_api import expect

from tendering.demo import journeys
from tendering.models import utcnow

from .test_elderly_question_journey import fire, log_in


def test_nobody_bids_and_the_new_round_shows_the_reflection(live_server, page, session, official):
    case = journeys.publish(
        session,
        official,
        journeys.Question(
            title="Samen sterk in Lindendal-West",
            question="Wie helpt ons om gezinnen in Lindendal-West weer deel te laten zijn van de buurt?",
            theme="Sociaal domein",
            budget_ceiling=Decimal("150000"),
            outcome="Minder gezinnen voelen zich geïsoleerd.",
            stakeholders=["Buurthuis West", "Voedselbank", "Voetbalclub West"],
        ),
    )
    case.submission_deadline = utcnow() - timedelta(minutes=1)  # a month later: nobody bid
    session.commit()

    log_in(page, live_server, official)
    page.goto(f"{live_server}/cases/{case.id}")
    expect(page.locator("#current-phase")).to_have_text("Reconsideration")
    page.get_by_role("link", name="Go to the form").click()
    expect(page.get_by_role("heading", name="Reconsideration", exact=True)).to_be_visible()

    page.get_by_role("button", name="Record what changes").click()  # nothing chosen: told so, nothing saved
    expect(page.get_by_text("Choose at least one thing that must change.")).to_be_visible()

    page.get_by_label("The frameworks, including the budget").check()  # one option alone is enough
    page.get_by_label("What changes, and why").fill(
        "Niemand schreef in: het budget was te krap voor een coalitie met vrijwilligers en professionals."
    )
    page.get_by_role("button", name="Record what changes").click()
    expect(page.get_by_text("The reconsideration is recorded.")).to_be_visible()
    expect(page.locator("#audit-trail")).to_contain_text("Reconsideration recorded")
    expect(page.locator("#audit-trail")).to_contain_text("must change: The frameworks, including the budget")

    fire(page, "Articulate the question anew", "Articulate the question anew", "Nieuwe ronde met ruimer budget.")
    expect(page.get_by_text("“Articulate the question anew” done")).to_be_visible()
    expect(page.get_by_text("round 2")).to_be_visible()

    page.locator("nav[aria-label='Case sections']").get_by_role("link", name="Articulation").click()
    reflection = page.locator("#reflection")
    expect(reflection).to_contain_text("What the previous round taught us")
    expect(reflection).to_contain_text("The frameworks, including the budget")
    expect(reflection).to_contain_text("het budget was te krap")

    page.goto(f"{live_server}/tenders/{case.reference}")
    expect(page.locator("#tender-status")).to_contain_text("This tender is closed")
    expect(page.locator("#tender-status-rearticulating")).to_be_visible()
