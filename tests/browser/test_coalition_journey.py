"""Three organisations form a coalition, draft, attach a file, submit and get a receipt."""

from decimal import Decimal

from playwright.sync_api import expect

from tendering.models import Framework, FrameworkKind, Organisation, OrganisationKind, Role
from tendering.question.question_document import freeze
from tests import factories as f

from .test_elderly_question_journey import log_in


def test_coalition_of_three_submits_and_gets_a_receipt(
    live_server, page, browser, session, make_case, make_user, official, tmp_path
):
    case = make_case(title="Gelukkig oud in Lindendal", state="tendering", budget_ceiling=Decimal("850000"))
    f.set_up_tender(session, case)
    session.add(
        Framework(
            case_id=case.id, kind=FrameworkKind.minimum_requirement, description="Minstens één bewonersinitiatief"
        )
    )
    freeze(session, case, actor=official)
    organisations = [
        Organisation(name=n, kind=OrganisationKind.association)
        for n in ("Zorgcoöperatie De Linde", "Voetbalvereniging '58", "Bakkerij Van Dam")
    ]
    session.add_all(organisations)
    session.commit()
    lead, sport, bakery = (
        make_user(Role.coalition_member, org=o, name=n)
        for o, n in zip(organisations, ("Marieke Jansen", "Kees Bakker", "Ali Yilmaz"), strict=True)
    )

    log_in(page, live_server, lead)
    page.goto(f"{live_server}/tenders/{case.reference}")
    page.get_by_label("Name of the coalition").fill("Samen Oud in Lindendal")
    page.get_by_role("button", name="Form a coalition").click()
    expect(page.get_by_text("The coalition is formed; invite your partners.")).to_be_visible()
    coalition_url = page.url
    for organisation in organisations[1:]:
        page.get_by_label("Organisation", exact=True).select_option(label=organisation.name)
        page.get_by_role("button", name="Invite", exact=True).click()
        expect(page.get_by_text("The organisation is invited.")).to_be_visible()

    for user, role in ((sport, "Ontmoetingsplek in de kantine"), (bakery, "Signaleren van eenzaamheid")):
        partner = browser.new_context(locale="en-GB").new_page()
        log_in(partner, live_server, user)
        partner.goto(coalition_url)
        partner.get_by_label("We join").check()
        partner.get_by_label("Your organisation's role").fill(role)
        partner.get_by_label("Kind of contribution").select_option("facilities")
        partner.get_by_label("What your organisation contributes").fill("Elke doordeweekse ochtend.")
        partner.get_by_role("button", name="Save").click()
        expect(partner.get_by_text("Your organisation takes part in the coalition.")).to_be_visible()
        partner.context.close()

    page.goto(coalition_url)
    page.get_by_role("link", name="Work on our proposal").click()
    expect(page.locator("#shortfalls")).to_contain_text("Still to describe: the approach.")
    page.get_by_label("Our approach").fill("Buurtkamers in elke wijk, met de kantine als ontmoetingsplek.")
    page.get_by_label("How it answers the real question").fill("Ouderen ontmoeten elkaar dagelijks dichtbij huis.")
    page.get_by_label("Outcome commitments").fill("Eenzaamheid onder 75-plussers van 48% naar 38% in 2029.")
    page.get_by_label("Proposed monitoring").fill("GGD-monitor en een cliëntenpanel per kwartaal.")
    page.get_by_label("Price (euros)").fill("780000")
    page.get_by_label("Minstens één bewonersinitiatief").check()
    page.get_by_role("button", name="Save the draft").click()
    expect(page.locator("#no-shortfalls")).to_be_visible()

    attachment = tmp_path / "begroting.pdf"
    attachment.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    page.get_by_label("Attachment", exact=True).set_input_files(str(attachment))
    page.get_by_role("button", name="Attach", exact=True).click()
    expect(page.get_by_role("link", name="begroting.pdf")).to_be_visible()

    page.get_by_role("button", name="Submit our proposal").click()
    expect(page.get_by_text("Your proposal is received.")).to_be_visible()
    assert len(page.locator("#receipt-sha").inner_text()) == 64
    expect(page.locator("#receipt")).to_contain_text("begroting.pdf")
    page.screenshot(path=str(tmp_path / "receipt.png"), full_page=True)
