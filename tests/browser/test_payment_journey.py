"""Money follows outcomes: the coalition claims an outcome payment, an independent validator confirms the value it
rests on, two officials approve, the payment is recorded and the council sees what it bought."""

from datetime import timedelta
from decimal import Decimal

from playwright.sync_api import expect

from tendering.models import Organisation, OrganisationKind, PartialRule, PaymentKind, PaymentTerm, Role, utcnow

from .test_elderly_question_journey import log_in


def test_an_outcome_payment_from_claim_to_the_council(
    live_server, page, browser, realised, session, official, make_user
):
    bureau = Organisation(name="Onderzoeksbureau Feitelijk", kind=OrganisationKind.company)
    session.add(bureau)
    session.flush()
    validator = make_user(Role.coalition_member, name="Vera Validator", org=bureau)
    realised.agreement.validator_id = validator.id
    term = PaymentTerm(
        agreement_id=realised.agreement.id,
        kind=PaymentKind.outcome,
        description="Minder eenzaamheid",
        amount=Decimal("40000"),
        due_on=utcnow().date() + timedelta(days=200),
        indicator_id=realised.loneliness.id,
        reference_value=48,
        target_value=38,
        partial=PartialRule.per_unit,
        rate=Decimal("5000"),
    )
    session.add_all([realised.agreement, term])
    session.commit()
    second = make_user(Role.official, name="Bram Tweede")
    payments = f"{live_server}/cases/{realised.case.id}/finances"

    log_in(page, live_server, realised.member)  # the coalition reports the value, then claims on it
    page.goto(f"{live_server}/coalitions/{realised.coalition.id}")
    page.get_by_role("link", name="Report on our indicators").click()
    page.get_by_role("link", name="Aandeel eenzame 75-plussers").click()
    page.get_by_label("Value", exact=True).fill("37")
    page.get_by_label("Source", exact=True).fill("GGD Gezondheidsmonitor")
    page.get_by_role("button", name="Record the value").click()
    expect(page.get_by_text("The value is recorded.")).to_be_visible()
    page.goto(f"{live_server}/coalitions/{realised.coalition.id}")
    page.get_by_role("link", name="Payments and claims").click()
    payment = page.locator(f"#payment-{term.id}")
    expect(payment).to_contain_text("A claim now comes to €40,000.00")
    payment.get_by_role("button", name="Claim this payment").click()
    expect(page.get_by_text("it goes to the municipality once its value is validated")).to_be_visible()

    checker = browser.new_context(locale="en-GB").new_page()  # the validator the agreement names
    log_in(checker, live_server, validator)
    checker.goto(f"{payments}/validation")
    checker.get_by_label("I confirm this value").check()
    checker.get_by_role("button", name="Record my validation").click()
    expect(checker.get_by_text("You confirmed the value")).to_be_visible()
    checker.context.close()

    for user, button in ((official, "Approve the claim"), (second, "Approve as the second official")):
        desk = browser.new_context(locale="en-GB").new_page()
        log_in(desk, live_server, user)
        desk.goto(payments)
        desk.locator(f"#payment-{term.id}").get_by_role("button", name=button).click()
        expect(desk.locator("[role=status], .utrecht-alert").first).to_be_visible()
        if user is second:
            expect(desk.get_by_text("The claim is approved.")).to_be_visible()
            claim = desk.locator(f"#payment-{term.id}")
            claim.get_by_label("Reference").fill("FIN-2026-0099")
            claim.get_by_role("button", name="Record the payment").click()
            expect(desk.get_by_text("The payment is recorded.")).to_be_visible()
        desk.context.close()

    council = browser.new_context(locale="en-GB").new_page()
    log_in(council, live_server, make_user(Role.council_member, name="Raadslid Bos"))
    council.goto(live_server)
    council.get_by_role("link", name="Payments", exact=True).click()
    row = council.get_by_role("row", name="Gelukkig oud")
    expect(row).to_contain_text("€40,000.00")
    row.get_by_role("link", name="Gelukkig oud").click()
    paid = council.locator(f"#payment-{term.id}")
    expect(paid).to_contain_text("Paid")
    expect(paid).to_contain_text("Aandeel eenzame 75-plussers: 37 % in the period from")
    expect(paid).to_contain_text("Confirmed by Vera Validator")
    council.context.close()
