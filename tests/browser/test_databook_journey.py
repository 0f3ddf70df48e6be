"""A council member opens the databook, picks an ambition, drills down to a case and a coalition indicator, and
downloads the databook as a PDF."""

from playwright.sync_api import expect

from tendering.agenda import contributions
from tendering.models import Role

from .test_elderly_question_journey import log_in


def test_the_council_drills_down_from_the_databook_to_a_coalition_indicator(
    live_server, page, session, official, make_user, kept, realised
):
    contributions.set_ambitions(session, realised.case, actor=official, ambition_ids=[kept["healthy"].id])
    contributions.link_indicator(
        session, realised.case, realised.loneliness.id, actor=official, city_indicator_id=kept["lonely"].id
    )
    session.commit()
    log_in(page, live_server, make_user(Role.council_member, name="Raadslid Bos"))
    page.get_by_role("link", name="Maatschappelijke Agenda").click()
    expect(page.get_by_role("heading", name="Maatschappelijke Agenda 2026-2030")).to_be_visible()
    page.get_by_role("link", name="The databook").click()
    expect(page.locator(f"#city-{kept['lonely'].id}")).to_contain_text("Ervaren eenzaamheid")
    expect(page.locator(f"#values-{kept['secret'].id}")).to_contain_text(
        "250"
    )  # the council reads what is confidential
    page.go_back()
    page.get_by_role("link", name="Inwoners zijn gezond en hebben regie").click()
    expect(page.locator("#contributions")).to_be_visible()
    page.get_by_role("link", name=realised.case.title).click()
    expect(page.get_by_role("heading", name=realised.case.title)).to_be_visible()
    page.get_by_role("link", name="Aandeel eenzame 75-plussers").first.click()
    expect(page.locator("#status")).to_be_visible()
    page.go_back()
    page.go_back()
    page.go_back()
    with page.expect_download() as download:
        page.get_by_role("link", name="PDF for the council").click()
    assert download.value.suggested_filename.endswith(".pdf")
