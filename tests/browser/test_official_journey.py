"""An official logs in, opens a case, takes its first step and sees it audited."""

from playwright.sync_api import expect

from tests.conftest import PASSWORD


def test_official_opens_a_case_and_fires_its_first_transition(live_server, page, official, tmp_path):
    screenshots = tmp_path
    page.goto(f"{live_server}/login")
    page.get_by_label("E-mail address").fill(official.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Log in").click()
    expect(page.get_by_text("You are logged in as Fatima El Amrani.")).to_be_visible()

    page.get_by_role("link", name="Cases").click()
    page.get_by_role("link", name="Open a new case").click()
    page.get_by_label("Title").fill("Gelukkig oud in Lindendal")
    page.get_by_label("The societal question").fill(
        "Wie helpt ons om ouderen gelukkig oud te laten worden in onze gemeente?"
    )
    page.get_by_label("Budget ceiling (euros)").fill("850000")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gelukkig oud in Lindendal")
    expect(page.locator("#current-phase")).to_have_text("Question articulation")
    expect(page.get_by_text("No desired outcome is described yet.")).to_be_visible()

    page.get_by_text("Add a desired outcome").click()
    page.get_by_label("Desired outcome", exact=True).fill("Minder ouderen voelen zich eenzaam.")
    page.get_by_role("button", name="Add outcome").click()
    expect(page.get_by_text("The outcome is added.")).to_be_visible()

    step = page.locator(".app-card", has=page.get_by_role("heading", name="Assess suitability → Suitability decision"))
    step.get_by_label("Reason").fill("Vraag en kaders zijn helder.")
    step.get_by_role("button", name="Assess suitability").click()

    expect(page.locator("#current-phase")).to_have_text("Suitability decision")
    trail = page.locator("#audit-trail li").first
    expect(trail).to_contain_text("Assess suitability")
    expect(trail).to_contain_text("Question articulation → Suitability decision")
    expect(trail).to_contain_text("by Fatima El Amrani")
    expect(trail).to_contain_text("Reason: Vraag en kaders zijn helder.")
    page.screenshot(path=str(screenshots / "official-journey.png"), full_page=True)
