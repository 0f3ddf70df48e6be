"""From an opened tender box to a concluded agreement: two evaluators score, the
owner records the consensus with them and the award, a coalition reads its letter
and objects, another official decides the objection and the coalition reads the
legal remedy, and after the standstill and the remedy term the owner concludes
the agreement."""

from datetime import timedelta

from playwright.sync_api import expect
from sqlmodel import select

from tendering.models import Coalition, ObjectionLetter, Organisation, Role, utcnow
from tendering.procurement import award

from .agreement_steps import add_indicator
from .test_elderly_question_journey import log_in


def evaluate(page, server, case, proposals, criteria, scores):
    """One evaluator declares no conflict and scores every proposal."""
    for proposal, (approach, price) in zip(proposals, scores, strict=True):
        page.goto(f"{server}/cases/{case.id}/evaluation")
        card = page.locator(f"section[aria-labelledby='p-{proposal.id}']")
        card.get_by_label("No conflict of interest").check()
        card.get_by_role("button", name="Declare").click()
        page.locator(f"section[aria-labelledby='p-{proposal.id}']").get_by_role("link", name="Your evaluation").click()
        for criterion, value in zip(criteria, (approach, price), strict=True):
            page.fill(f"#score-{criterion.id}", str(value))
            page.fill(f"#motivation-{criterion.id}", f"Motivering bij {criterion.name}.")
        page.get_by_label("met", exact=True).check()
        page.get_by_label("Reason").fill("Alle minimumeisen aangetoond.")
        page.get_by_role("button", name="Submit my evaluation").click()


def step(page, server, case, action, reason=""):
    page.goto(f"{server}/cases/{case.id}")
    if reason:
        page.locator("form", has=page.get_by_role("button", name=action)).get_by_label("Reason").fill(reason)
    page.get_by_role("button", name=action).click()


def test_from_opened_proposals_to_a_concluded_agreement(
    live_server, page, browser, opened, session, official, make_user
):
    case, criteria, proposals, evaluators = opened
    for evaluator in evaluators:
        log_in(page, live_server, evaluator)
        evaluate(page, live_server, case, proposals, criteria, scores=((6, 5), (8, 9)))
        page.goto(f"{live_server}/cases/{case.id}/evaluation")
        expect(page.locator("#progress")).to_contain_text(
            f"{2 * (evaluators.index(evaluator) + 1)} of 4 evaluations done"
        )
        page.context.clear_cookies()

    log_in(page, live_server, official)
    for proposal, final in zip(proposals, (6, 8), strict=True):
        page.goto(f"{live_server}/cases/{case.id}/evaluation/{proposal.id}/consensus")
        page.fill(f"#score-{criteria[0].id}", str(final))
        page.fill(f"#motivation-{criteria[0].id}", "Na bespreking vastgesteld.")
        for evaluator in evaluators:
            page.get_by_label(evaluator.name).check()
        page.get_by_role("button", name="Record the consensus").click()
    page.goto(f"{live_server}/cases/{case.id}/evaluation")
    expect(page.locator("#ranking tbody tr").first).to_contain_text("Coalitie B")
    expect(page.locator(f"section[aria-labelledby='p-{proposals[0].id}']")).to_contain_text("Bert Oordeel")

    page.get_by_role("link", name="Award", exact=True).click()
    page.get_by_label("Winning proposal", exact=True).select_option(label="Coalitie B")
    page.get_by_label("Motivation of the award decision").fill("Beste aanpak en laagste prijs.")
    page.get_by_label("Characteristics and relative advantages of the winning proposal").fill(
        "Buurtkamers in elke wijk."
    )
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("The intended award decision is recorded.")).to_be_visible()
    step(page, live_server, case, "Propose the award", "Gunning volgens de rangorde.")
    expect(page.get_by_text("“Propose the award” done")).to_be_visible()

    loser = session.get(Coalition, proposals[0].coalition_id)
    member = make_user(Role.coalition_member, org=session.get(Organisation, loser.lead_organisation_id))
    coalition = browser.new_context(locale="en-GB").new_page()
    log_in(coalition, live_server, member)
    coalition.goto(f"{live_server}/coalitions/{loser.id}/award")
    expect(coalition.get_by_role("main")).to_contain_text("20 kalenderdagen")  # the letter as sent, in Dutch
    coalition.get_by_label("Your objection").fill("Onze prijs is verkeerd gewogen.")
    coalition.get_by_role("button", name="Lodge the objection").click()
    expect(coalition.get_by_text("Your objection is registered.")).to_be_visible()
    coalition.context.close()

    page.goto(f"{live_server}/cases/{case.id}/agreement")
    page.get_by_label("Budget (euros)").fill("200000")
    page.get_by_label("Starts on").fill("2027-01-01")
    page.get_by_label("Ends on").fill("2029-12-31")
    page.get_by_label("The municipality").check()
    page.get_by_label("A client panel").check()
    page.get_by_label("Monitoring arrangement").fill("Elk halfjaar met het cliëntenpanel.")
    page.get_by_label("Progress reports").select_option(label="Quarterly")
    page.get_by_role("button", name="Save the terms").click()
    expect(page.get_by_text("The agreement's terms are saved.")).to_be_visible()
    add_indicator(
        page,
        name="Aandeel eenzame 75-plussers",
        definition="Aandeel 75-plussers dat zich vaak eenzaam voelt.",
        unit="%",
        direction="Lower is better",
        source="GGD Gezondheidsmonitor",
        baseline="48",
        target="38",
        measured_by="GGD",
    )

    page.goto(f"{live_server}/cases/{case.id}")
    expect(page.get_by_text("The standstill period is still running.")).to_be_visible()
    decision = award.current_decision(session, case)
    decision.standstill_ends_at = utcnow() - timedelta(minutes=1)  # twenty days later
    session.commit()
    page.goto(f"{live_server}/cases/{case.id}")
    expect(page.get_by_text("1 objection(s) still open.")).to_be_visible()

    page.goto(f"{live_server}/cases/{case.id}/award")  # who took the award decision does not judge the objection
    expect(page.get_by_text("Open: another official than the one who took the award decision")).to_be_visible()
    colleague = browser.new_context(locale="en-GB").new_page()
    log_in(colleague, live_server, evaluators[1])
    colleague.goto(f"{live_server}/cases/{case.id}/award")
    colleague.get_by_label("Rejected: the award decision stands").check()
    colleague.get_by_label("Motivation of the decision").fill("Herberekend: de weging klopt.")
    colleague.get_by_role("button", name="Record the decision on the objection").click()
    expect(colleague.get_by_text("The decision on the objection is recorded")).to_be_visible()
    colleague.context.close()

    objecting = browser.new_context(locale="en-GB").new_page()
    log_in(objecting, live_server, member)
    objecting.goto(f"{live_server}/coalitions/{loser.id}/award")
    expect(objecting.locator("#objections")).to_contain_text("kort geding")  # the legal remedy and its term
    objecting.context.close()

    page.goto(f"{live_server}/cases/{case.id}")
    expect(page.get_by_text("The term for a legal remedy against the decision on an objection")).to_be_visible()
    session.expire_all()
    session.exec(select(ObjectionLetter)).one().remedy_ends_at = utcnow() - timedelta(minutes=1)  # twenty days on
    session.commit()
    page.goto(f"{live_server}/cases/{case.id}")
    expect(page.get_by_text("The case owner has not approved the current text for the municipality.")).to_be_visible()
    page.goto(f"{live_server}/cases/{case.id}/agreement")
    page.get_by_role("button", name="Approve version").click()
    expect(page.get_by_text("You approved the current text of the agreement.")).to_be_visible()

    winner = session.get(Coalition, proposals[1].coalition_id)
    lead = make_user(Role.coalition_member, org=session.get(Organisation, winner.lead_organisation_id))
    coalition = browser.new_context(locale="en-GB").new_page()
    log_in(coalition, live_server, lead)
    coalition.goto(f"{live_server}/coalitions/{winner.id}")
    coalition.get_by_role("link", name="Design the agreement with the municipality").click()
    expect(coalition.locator("#approvals")).to_contain_text("Approved by")
    coalition.get_by_label("Your comment").fill("Wij meten de eenzaamheid ook met het cliëntenpanel.")
    coalition.get_by_role("button", name="Add the comment").click()
    expect(coalition.get_by_text("Your comment is added.")).to_be_visible()
    expect(coalition.locator("#history")).to_contain_text("Wij meten de eenzaamheid ook")
    coalition.get_by_role("button", name="Approve version").click()
    expect(coalition.get_by_text("You approved the current text of the agreement.")).to_be_visible()
    coalition.context.close()

    step(page, live_server, case, "Conclude the agreement", "Overeenkomst getekend.")
    expect(page.get_by_text("“Conclude the agreement” done")).to_be_visible()
    page.get_by_role("link", name="Agreement", exact=True).click()
    page.get_by_role("link", name="Read the agreement").click()
    expect(page.locator("body")).to_contain_text("Aandeel eenzame 75-plussers")
