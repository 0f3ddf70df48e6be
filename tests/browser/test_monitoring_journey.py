"""A coalition reports a period's value and a council member sees the indicator's status change."""

from playwright.sync_api import expect

from tendering.models import Role

from .test_elderly_question_journey import log_in


def test_coalition_reports_and_the_council_sees_the_status_change(live_server, page, browser, realised, make_user):
    council = browser.new_context(locale="en-GB").new_page()
    log_in(council, live_server, make_user(Role.council_member, name="Raadslid De Vries"))
    council.goto(f"{live_server}/monitor")
    council.get_by_label("Theme").select_option("Ouderen")
    council.get_by_role("button", name="Filter").click()
    card = council.locator(f"#card-{realised.loneliness.id}").locator("xpath=..")
    expect(card).to_contain_text("No data")
    expect(
        council.get_by_role("link", name="Kosten per deelnemer")
    ).to_be_visible()  # confidential, yet the council sees it

    log_in(page, live_server, realised.member)
    page.goto(f"{live_server}/coalitions/{realised.coalition.id}")
    page.get_by_role("link", name="Report on our indicators").click()
    page.get_by_role("link", name="Aandeel eenzame 75-plussers").click()
    page.get_by_label("Value", exact=True).fill("47,5")
    page.get_by_label("Source", exact=True).fill("GGD Gezondheidsmonitor, peiling najaar")
    page.get_by_role("button", name="Record the value").click()
    expect(page.get_by_text("The value is recorded.")).to_be_visible()
    expect(page.locator("#history")).to_contain_text("47.5")

    council.reload()
    expect(card).to_contain_text("At risk")
    card.get_by_role("link", name="Aandeel eenzame 75-plussers").click()
    expect(council.locator("#status")).to_contain_text("At risk")
    expect(council.locator("#history")).to_contain_text("GGD Gezondheidsmonitor, peiling najaar")
    council.context.close()
