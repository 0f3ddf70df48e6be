"""The elderly question from a new case to a published tender and a published
nota van inlichtingen, through the screens, in a real browser."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tendering.models import Role, utcnow
from tests.conftest import PASSWORD


def log_in(page, live_server, user):
    page.goto(f"{live_server}/login")
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Log in").click()
    expect(page.get_by_text(f"You are logged in as {user.name}.")).to_be_visible()


def fire(page, heading: str, button: str, reason: str = ""):
    step = page.locator(".app-card", has=page.get_by_role("heading", name=heading))
    if reason:
        step.get_by_label("Reason").fill(reason)
    step.get_by_role("button", name=button).click()


def local(days: float) -> str:
    return (utcnow() + timedelta(days=days)).astimezone(ZoneInfo("Europe/Amsterdam")).strftime("%Y-%m-%dT%H:%M")


def test_elderly_question_from_new_case_to_published_nota(live_server, page, browser, official, make_user, tmp_path):
    log_in(page, live_server, official)
    page.goto(f"{live_server}/cases/new")
    page.get_by_label("Title").fill("Gelukkig oud in Lindendal")
    page.get_by_label("The societal question").fill(
        "Wie helpt ons om ouderen gelukkig oud te laten worden in onze gemeente?"
    )
    page.get_by_label("Budget ceiling (euros)").fill("850000")
    page.get_by_role("button", name="Save").click()
    case_url = page.url

    page.get_by_text("Add a desired outcome").click()
    page.get_by_label("Desired outcome", exact=True).fill("Minder ouderen voelen zich eenzaam.")
    page.get_by_role("button", name="Add outcome").click()
    fire(page, "Assess suitability → Suitability decision", "Assess suitability")

    page.get_by_role("link", name="Suitability", exact=True).click()
    for group in page.locator("fieldset").all():
        group.get_by_label("Yes").check()
        group.get_by_label("Motivation").fill("Gewogen met de wijkteams.")
    page.get_by_role("button", name="Save the assessment").click()
    page.get_by_role("link", name="Overview").click()
    fire(page, "Decide to tender socially → Stakeholder analysis", "Decide to tender socially")

    page.get_by_role("link", name="Stakeholders", exact=True).click()
    for name, usual in (
        ("Zorgcoöperatie De Linde", True),
        ("Voetbalvereniging '58", False),
        ("Bakkerij Van Dam", False),
    ):
        page.get_by_text("Add a stakeholder").click()
        page.get_by_label("Organisation or person").fill(name)
        page.get_by_label("Interest (1–5)").fill("4")
        page.get_by_label("Influence (1–5)").fill("3")
        page.get_by_label("A usual partner" if usual else "A surprising partner").check()
        page.get_by_role("button", name="Add stakeholder").click()
        expect(page.get_by_text("The stakeholder is added.")).to_be_visible()
    page.get_by_role("link", name="Overview").click()
    fire(page, "Start coalition forming → Coalition forming", "Start coalition forming")

    page.get_by_role("link", name="Tender set-up").click()
    for name, weight in (("Mate waarin de aanpak de vraag beantwoordt", "60"), ("Samenwerking", "25"), ("Prijs", "15")):
        page.get_by_text("Add a criterion").click()
        page.get_by_label("Criterion", exact=True).fill(name)
        page.get_by_label("Weight (%)").fill(weight)
        page.get_by_role("button", name="Add criterion").click()
    expect(page.locator("#weight-total")).to_have_text("100%")
    page.get_by_label("Deadline for clarification questions").fill(local(7))
    page.get_by_label("Submission deadline").fill(local(30))
    page.get_by_role("button", name="Save deadlines").click()
    expect(page.get_by_text("The procedure is saved.")).to_be_visible()

    page.goto(case_url)
    fire(page, "Publish the tender → Tendering", "Publish the tender")
    expect(page.locator("#current-phase")).to_have_text("Tendering")

    page.goto(live_server)
    page.get_by_role("link", name="Gelukkig oud in Lindendal").click()
    tender_url = page.url
    sha = page.locator("#document-sha").inner_text()
    assert len(sha) == 64

    member = make_user(Role.coalition_member, name="Karim Ouali")
    other = browser.new_context(locale="en-GB").new_page()
    log_in(other, live_server, member)
    other.goto(tender_url)
    other.get_by_label("Your question").fill("Mag een coalitie ook uit één wijk komen?")
    other.get_by_role("button", name="Ask the question").click()
    expect(other.get_by_text("Your question is received.")).to_be_visible()

    page.goto(case_url + "/clarifications")
    page.get_by_label("Answer").fill("Ja, als de coalitie de hele gemeente bedient.")
    page.get_by_role("button", name="Save answer").click()
    page.get_by_role("button", name="Publish the answered questions as the next nota van inlichtingen").click()
    expect(page.get_by_text("Nota van inlichtingen 1 is published.")).to_be_visible()

    other.goto(tender_url)
    other.get_by_role("link", name="Nota van inlichtingen 1").click()
    expect(other.get_by_text("Ja, als de coalitie de hele gemeente bedient.")).to_be_visible()
    expect(other.get_by_text("Karim Ouali")).to_have_count(0)
    other.screenshot(path=str(tmp_path / "nota.png"), full_page=True)
    other.context.close()
