"""Money follows outcomes: the schedule designed with the agreement, claims, validation, four eyes, corrections,
and who sees which euro."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from tendering.models import (
    AuditEvent,
    ClaimCorrection,
    ClaimStatus,
    Coalition,
    Organisation,
    OrganisationKind,
    OutboxMessage,
    PartialRule,
    PaymentClaim,
    PaymentKind,
    PaymentTerm,
    Role,
    utcnow,
)
from tendering.open_data import releases
from tendering.realisation import agreement, payments

from .agreement_helpers import page_of, post
from .conftest import form_token
from .evaluation_helpers import as_
from .monitoring_helpers import add_realised
from .test_agreement_design import contributions, decide
from .test_award import approve
from .test_query_counts import counting_queries
from .test_reporting import report

# Designed with the agreement -----------------------------------------------------------------------------------------


def payment(**overrides) -> dict:
    return {
        "payment-kind": "fixed",
        "payment-description": "Startbijdrage",
        "payment-amount": "50000",
        "payment-due_on": "2027-02-01",
        "payment-deliverable": "",
        "payment-indicator_id": "0",
        "payment-reference_value": "",
        "payment-target_value": "",
        "payment-partial": "",
        "payment-rate": "",
        "payment-step": "",
        "payment-shares": "",
    } | overrides


def outcome_payment(indicator_id, **overrides) -> dict:
    return payment(
        **{
            "payment-kind": "outcome",
            "payment-description": "Minder eenzaamheid",
            "payment-amount": "100000",
            "payment-due_on": "2029-12-01",
            "payment-indicator_id": str(indicator_id),
            "payment-target_value": "38",
            "payment-partial": "per_unit",
            "payment-rate": "10000",
        }
        | overrides
    )


def terms(session):
    session.expire_all()
    return session.exec(select(PaymentTerm).order_by(PaymentTerm.id)).all()


def test_the_owner_builds_the_schedule_within_the_budget_and_it_is_part_of_the_approved_text(designed, session):
    case, owner, lead = designed["case"], designed["owner"], designed["lead"]
    [indicator] = agreement.indicators_of(session, agreement.agreement_of(session, case))
    assert "You approved the current text" in approve(lead, case).text
    assert "The payment is added" in post(owner, case, "/payments", payment()).text
    assert agreement.agreement_of(session, case).lead_approved_at is None  # any change withdraws the approvals
    milestone = payment(
        **{
            "payment-kind": "milestone",
            "payment-description": "Buurtnetwerk staat",
            "payment-deliverable": "Een netwerk van 40 vrijwilligers, met namen en wijken.",
        }
    )
    assert "The payment is added" in post(owner, case, "/payments", milestone).text
    assert "The payment is added" in post(owner, case, "/payments", outcome_payment(indicator.id)).text
    too_much = post(owner, case, "/payments", payment(**{"payment-amount": "0.01"}))
    assert "would commit more than the agreement&#39;s budget" in too_much.text and too_much.status_code == 200
    assert [(t.kind, t.amount) for t in terms(session)] == [
        (PaymentKind.fixed, Decimal("50000.00")),
        (PaymentKind.milestone, Decimal("50000.00")),
        (PaymentKind.outcome, Decimal("100000.00")),
    ]
    [outcome] = [t for t in terms(session) if t.kind == PaymentKind.outcome]
    assert (outcome.reference_value, outcome.target_value, outcome.rate) == (48, 38, Decimal("10000.00"))
    text = page_of(lead, case).text
    assert "The schedule commits € 200.000,00" in text or "The schedule commits €200,000.00" in text
    document = owner.get(f"/cases/{case.id}/agreement/document").text
    assert "Buurtnetwerk staat" in document and "Minder eenzaamheid" in document
    lowered = post(owner, case, "", {"budget": "150000"} | _terms())
    assert "The payment schedule commits more than this budget" in lowered.text
    assert agreement.agreement_of(session, case).budget == Decimal("200000")


def _terms() -> dict:
    return {
        "starts_on": "2027-01-01",
        "ends_on": "2029-12-31",
        "overseers": ["municipality"],
        "monitoring_arrangement": "Elk kwartaal.",
        "report_cadence": "quarterly",
    }


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"payment-due_on": "2031-01-01"}, "A payment falls within the agreement&#39;s period."),
        ({"payment-kind": "milestone"}, "Say which deliverable the municipality accepts"),
        ({"payment-kind": "outcome"}, "Choose the agreed indicator this payment rests on."),
        ({"payment-shares": "Onbekend: 100"}, "Write one partner per line"),
        ({"payment-amount": "-5"}, "Number must be between"),
    ],
)
def test_a_payment_that_breaks_a_rule_is_refused_with_the_reason(designed, session, overrides, message):
    case, owner = designed["case"], designed["owner"]
    refused = post(owner, case, "/payments", payment(**overrides))
    assert message in refused.text
    assert terms(session) == []


def test_an_outcome_payment_counts_in_the_indicators_direction_and_shares_add_up(designed, session):
    case, owner = designed["case"], designed["owner"]
    [indicator] = agreement.indicators_of(session, agreement.agreement_of(session, case))
    wrong_way = post(owner, case, "/payments", outcome_payment(indicator.id, **{"payment-target_value": "50"}))
    assert "must lie beyond the value progress counts from" in wrong_way.text
    lead_org = session.get(Coalition, agreement.agreement_of(session, case).coalition_id).lead_organisation_id
    lead_name = session.get(Organisation, lead_org).name
    half = post(owner, case, "/payments", payment(**{"payment-shares": f"{lead_name}: 60\nStichting Buurtkracht: 30"}))
    assert "must add up to 100%" in half.text
    shared = post(
        owner, case, "/payments", payment(**{"payment-shares": f"{lead_name}: 60\nStichting Buurtkracht: 40"})
    )
    assert "The payment is added" in shared.text
    [term] = terms(session)
    assert sorted(term.shares.values()) == ["40", "60"]
    assert "Stichting Buurtkracht: 40%" in page_of(designed["partner"], case).text


def test_the_coalition_proposes_a_payment_and_a_risk_sharing_that_the_owner_takes_in(designed, session):
    case, owner, partner = designed["case"], designed["owner"], designed["partner"]
    [indicator] = agreement.indicators_of(session, agreement.agreement_of(session, case))
    proposed = post(
        partner, case, "/proposals/payment", outcome_payment(indicator.id) | {"payment-note": "Zo delen we het risico."}
    )
    assert "Your proposal is sent" in proposed.text
    risk = post(
        partner, case, "/proposals/risk-sharing", {"risk-risk_sharing": "Onder de 42% betaalt de gemeente niets extra."}
    )
    assert "Your proposal is sent" in risk.text
    first, second = contributions(session)
    assert (first.kind, second.kind) == ("payment", "risk_sharing")
    assert terms(session) == []  # a proposal changes nothing until the owner takes it in
    assert "Proposed payment" in page_of(owner, case).text
    decide(owner, case, first, "accepted")
    decide(owner, case, second, "accepted")
    [term] = terms(session)
    assert (term.kind, term.indicator_id, term.partial) == (PaymentKind.outcome, indicator.id, PartialRule.per_unit)
    session.expire_all()
    assert agreement.agreement_of(session, case).risk_sharing == "Onder de 42% betaalt de gemeente niets extra."


def test_a_proposed_payment_is_checked_as_the_owners_own(designed, session):
    case, partner = designed["case"], designed["partner"]
    refused = post(partner, case, "/proposals/payment", payment(**{"payment-amount": "300000"}))
    assert "would commit more than the agreement&#39;s budget" in refused.text
    assert contributions(session) == []


@pytest.mark.parametrize(
    "path, refused",
    [
        ("/payments", {"lead": 403, "partner": 403, "loser": 403, "council": 403, "colleague": 403}),
        ("/proposals/payment", {"owner": 403, "colleague": 403, "council": 403, "loser": 404, "outsider": 404}),
        ("/proposals/risk-sharing", {"owner": 403, "council": 403, "loser": 404, "outsider": 404}),
    ],
)
def test_who_may_not_change_the_schedule_is_refused_and_nothing_changes(app, designed, session, path, refused):
    case = designed["case"]
    app.config["WTF_CSRF_ENABLED"] = False
    [indicator] = agreement.indicators_of(session, agreement.agreement_of(session, case))
    data = outcome_payment(indicator.id) | {"risk-risk_sharing": "Samen."}
    for who, status in refused.items() | {("anonymous", 302)}:
        assert designed[who].post(f"/cases/{case.id}/agreement{path}", data=data).status_code == status, who
    assert terms(session) == [] and contributions(session) == []


def test_the_validator_the_agreement_names_is_outside_the_coalition(designed, session, make_user):
    case, owner = designed["case"], designed["owner"]
    bureau = Organisation(name="Onderzoeksbureau Feitelijk", kind=OrganisationKind.company)
    session.add(bureau)
    session.commit()
    checker = make_user(Role.coalition_member, name="Vera Validator", org=bureau)
    refused = post(
        owner, case, "", _terms() | {"budget": "200000", "validator_email": designed_email(session, "Pim Partner")}
    )
    assert "The validator must be independent of the coalition." in refused.text
    unknown = post(owner, case, "", _terms() | {"budget": "200000", "validator_email": "niemand@example.invalid"})
    assert "No account with this e-mail address can validate" in unknown.text
    named = post(owner, case, "", _terms() | {"budget": "200000", "validator_email": checker.email.upper()})
    assert "The agreement&#39;s terms are saved." in named.text
    session.expire_all()
    assert agreement.agreement_of(session, case).validator_id == checker.id
    assert "Vera Validator" in page_of(designed["lead"], case).text


def designed_email(session, name):
    from tendering.models import User

    return session.exec(select(User.email).where(User.name == name)).one()


# Claims under a concluded agreement ------------------------------------------------------------------------------------


@pytest.fixture
def scheduled(app, realised, session, official, make_user):
    """The concluded agreement of `realised` with a fixed, a milestone and an outcome payment, and the people."""
    today = utcnow().date()
    current = realised.agreement
    fixed = PaymentTerm(
        agreement_id=current.id, kind=PaymentKind.fixed, description="Start", amount=Decimal("20000"), due_on=today
    )
    milestone = PaymentTerm(
        agreement_id=current.id,
        kind=PaymentKind.milestone,
        description="Netwerk",
        amount=Decimal("30000"),
        due_on=today + timedelta(days=60),
        deliverable="Een netwerk van 40 vrijwilligers.",
    )
    outcome = PaymentTerm(
        agreement_id=current.id,
        kind=PaymentKind.outcome,
        description="Minder eenzaamheid",
        amount=Decimal("40000"),
        due_on=today + timedelta(days=200),
        indicator_id=realised.loneliness.id,
        reference_value=48,
        target_value=38,
        partial=PartialRule.per_unit,
        rate=Decimal("5000"),
    )
    session.add_all([fixed, milestone, outcome])
    session.commit()
    return {
        "realised": realised,
        "case": realised.case,
        "fixed": fixed,
        "milestone": milestone,
        "outcome": outcome,
        "lead": as_(app, realised.member),
        "owner": as_(app, official),
        "second": as_(app, make_user(Role.official, name="Bram Tweede")),
        "third": as_(app, make_user(Role.official, name="Carla Derde")),
        "council": as_(app, make_user(Role.council_member)),
        "anonymous": app.test_client(),
    }


def finances_of(client, case, query=""):
    return client.get(f"/cases/{case.id}/finances{query}")


def act(client, case, path, data=None, page=None):
    page = page or finances_of(client, case)
    token = form_token(page) if page.status_code == 200 else ""
    return client.post(
        f"/cases/{case.id}/finances{path}", data={"csrf_token": token} | (data or {}), follow_redirects=True
    )


def claim(client, case, term, evidence=""):
    return act(client, case, f"/payments/{term.id}/claim", {f"claim-{term.id}-evidence": evidence})


def validate(client, case, claim_row, decision="confirmed", note=""):
    page = client.get(f"/cases/{case.id}/finances/validation")
    data = {f"value-{claim_row.measurement_id}-decision": decision, f"value-{claim_row.measurement_id}-note": note}
    return act(client, case, f"/values/{claim_row.measurement_id}/validation", data, page=page)


def approve_claim(client, case, claim_row):
    return act(client, case, f"/claims/{claim_row.id}/approval")


def claims_of(session):
    session.expire_all()
    return session.exec(select(PaymentClaim).order_by(PaymentClaim.id)).all()


def claimed_outcome(scheduled, session, value="37"):
    """The lead reports a value that reaches the outcome's target and claims on it; the claim's row."""
    realised_case = scheduled["realised"]
    report(scheduled["lead"], realised_case, realised_case.loneliness, value)
    claim(scheduled["lead"], scheduled["case"], scheduled["outcome"])
    return claims_of(session)[-1]


def actions(session, case):
    session.expire_all()
    return [e.action for e in session.exec(select(AuditEvent).where(AuditEvent.case_id == case.id)).all()]


def test_a_fixed_payment_is_claimed_when_due_approved_and_marked_paid(scheduled, session):
    case, lead, owner = scheduled["case"], scheduled["lead"], scheduled["owner"]
    scheduled["fixed"].due_on = utcnow().date() + timedelta(days=1)
    session.commit()
    early = claim(lead, case, scheduled["fixed"])
    assert "This payment can be claimed from" in early.text and claims_of(session) == []
    assert "This payment can be claimed from" in finances_of(lead, case).text  # said on the page, not only when refused
    scheduled["fixed"].due_on = utcnow().date()
    session.commit()
    assert "Your claim is sent to the municipality." in claim(lead, case, scheduled["fixed"]).text
    [row] = claims_of(session)
    assert (row.status, row.amount) == (ClaimStatus.submitted, Decimal("20000.00"))
    assert "The claim is approved." in approve_claim(owner, case, row).text  # under the four-eyes amount: one official
    paid = act(
        owner,
        case,
        f"/claims/{row.id}/payment",
        {f"paid-{row.id}-paid_on": utcnow().date().isoformat(), f"paid-{row.id}-reference": "FIN-2026-0042"},
    )
    assert "The payment is recorded." in paid.text
    [row] = claims_of(session)
    assert (row.status, row.payment_reference) == (ClaimStatus.paid, "FIN-2026-0042")
    assert {"payment_claimed", "payment_claim_approved", "payment_recorded"} <= set(actions(session, case))
    subjects = [m.subject for m in session.exec(select(OutboxMessage)).all()]
    assert any("Declaratie goedgekeurd" in s or "Claim approved" in s for s in subjects)


def test_an_outcome_not_yet_reached_is_refused_with_the_reason(scheduled, session):
    case, lead, realised_case = scheduled["case"], scheduled["lead"], scheduled["realised"]
    report(lead, realised_case, realised_case.loneliness, "45")
    refused = claim(lead, case, scheduled["outcome"])
    assert "The target of 38 is not reached: the value in force is 45" in refused.text
    assert "What is partly reached can be claimed from" in refused.text
    assert claims_of(session) == []


def test_a_partly_reached_outcome_pays_per_unit_after_its_date(scheduled, session):
    case, lead, realised_case = scheduled["case"], scheduled["lead"], scheduled["realised"]
    report(lead, realised_case, realised_case.loneliness, "45")
    scheduled["outcome"].due_on = utcnow().date()
    session.commit()
    assert "Your claim is recorded" in claim(lead, case, scheduled["outcome"]).text
    [row] = claims_of(session)
    assert (row.amount, row.value, row.status) == (Decimal("15000.00"), 45, ClaimStatus.awaiting_validation)


def test_an_outcome_claim_waits_for_validation_and_needs_two_officials_above_the_amount(scheduled, session):
    case, lead, owner, second, third = (scheduled[k] for k in ("case", "lead", "owner", "second", "third"))
    realised_case = scheduled["realised"]
    report(lead, realised_case, realised_case.loneliness, "37")  # 11 points better: 55,000 at the rate, capped
    assert (
        "Your claim is recorded; it goes to the municipality once its value is validated."
        in claim(lead, case, scheduled["outcome"]).text
    )
    [row] = claims_of(session)
    assert (row.amount, row.status) == (Decimal("40000.00"), ClaimStatus.awaiting_validation)  # the cap holds
    assert "Approve the claim" not in finances_of(owner, case).text
    refused = approve_claim(owner, case, row)
    assert "Only a submitted claim can be approved." in refused.text
    assert (
        lead.get(f"/cases/{case.id}/finances/validation").status_code == 404
    )  # the coalition checks no values of its own
    [asked] = [m for m in session.exec(select(OutboxMessage)).all() if "/finances/validation" in m.body]
    assert asked.to_address == session.get(type(realised_case.member), case.owner_id).email

    assert "You confirmed the value" in validate(second, case, row).text
    assert claims_of(session)[0].status == ClaimStatus.submitted
    assert "Who validated the values cannot also approve the claim." in approve_claim(second, case, row).text
    assert "a second official approves this claim too" in approve_claim(owner, case, row).text
    assert "A second official must approve this claim" in approve_claim(owner, case, row).text
    assert claims_of(session)[0].status == ClaimStatus.submitted
    assert "The claim is approved." in approve_claim(third, case, row).text
    [row] = claims_of(session)
    assert (row.status, row.first_approved_by_id != row.approved_by_id) == (ClaimStatus.approved, True)
    council = finances_of(scheduled["council"], case).text
    assert "Minder eenzaamheid" in council and "Approved" in council
    assert "Aandeel eenzame 75-plussers: 37 % in the period from" in council


def test_who_reported_a_value_cannot_validate_it(scheduled, session):
    from tendering.models import Measurement, User

    case, second = scheduled["case"], scheduled["second"]
    row = claimed_outcome(scheduled, session)
    measurement = session.get(Measurement, row.measurement_id)
    measurement.reported_by_id = session.exec(select(User.id).where(User.name == "Bram Tweede")).one()
    session.commit()  # as if the official had entered the value for the coalition
    refused = validate(second, case, row)
    assert "validated by someone outside the coalition who did not report it" in refused.text
    assert claims_of(session)[0].status == ClaimStatus.awaiting_validation


def test_a_value_not_confirmed_rejects_the_claim_and_the_coalition_hears_why(scheduled, session):
    case, lead, second = scheduled["case"], scheduled["lead"], scheduled["second"]
    row = claimed_outcome(scheduled, session)
    refused = validate(second, case, row, "not_confirmed")
    assert "Say why the value is not confirmed." in refused.text
    assert claims_of(session)[0].status == ClaimStatus.awaiting_validation
    assert "the claim is rejected" in validate(second, case, row, "not_confirmed", "De GGD meldt 44%.").text
    [row] = claims_of(session)
    assert row.status == ClaimStatus.rejected and "De GGD meldt 44%." in row.rejection_reason
    assert "measurement_not_confirmed" in actions(session, case)
    bodies = [m.body for m in session.exec(select(OutboxMessage)).all()]
    assert any("De GGD meldt 44%." in b for b in bodies)
    again = claim(lead, case, scheduled["outcome"])
    assert "was not confirmed; correct it first" in again.text


def test_a_double_claim_leaves_one_claim(scheduled, session):
    case, lead = scheduled["case"], scheduled["lead"]
    page = finances_of(lead, case)
    first = act(lead, case, f"/payments/{scheduled['fixed'].id}/claim", page=page)
    second = act(lead, case, f"/payments/{scheduled['fixed'].id}/claim", page=page)
    assert "Your claim is sent" in first.text and "This payment has already been claimed." in second.text
    assert len(claims_of(session)) == 1


def test_a_correction_after_approval_flags_the_claim_and_is_settled_on_the_record(scheduled, session):
    case, lead, owner, second, third = (scheduled[k] for k in ("case", "lead", "owner", "second", "third"))
    row = claimed_outcome(scheduled, session)
    validate(second, case, row)
    approve_claim(owner, case, row)
    approve_claim(third, case, row)
    report(lead, scheduled["realised"], scheduled["realised"].loneliness, "42", reason="Telfout in de GGD-cijfers.")
    [row] = claims_of(session)
    assert (row.status, row.amount, row.value) == (ClaimStatus.approved, Decimal("40000.00"), 37)  # never silently
    [correction] = session.exec(select(ClaimCorrection)).all()
    assert (correction.new_value, correction.recomputed_amount) == (42, Decimal("30000.00"))
    page = finances_of(owner, case).text
    assert "The value was corrected to 42" in page and "Record the settlement" in page
    assert "payment_claim_flagged" in actions(session, case)
    settled = act(
        owner,
        case,
        f"/corrections/{correction.id}/settlement",
        {
            f"settle-{correction.id}-settlement": "Verrekend met de volgende betaling.",
            f"settle-{correction.id}-amount": "-10000",
        },
    )
    assert "The settlement is recorded." in settled.text
    session.expire_all()
    [correction] = session.exec(select(ClaimCorrection)).all()
    assert correction.settlement_amount == Decimal("-10000.00") and correction.settled_by_id is not None
    assert "Settled on" in finances_of(scheduled["council"], case).text
    report(lead, scheduled["realised"], scheduled["realised"].loneliness, "47", reason="Nog een telfout.")
    session.expire_all()
    later = session.exec(select(ClaimCorrection).order_by(ClaimCorrection.id)).all()[-1]
    assert (len(session.exec(select(ClaimCorrection)).all()), later.new_value) == (2, 47)  # a second correction too
    assert later.recomputed_amount == Decimal("5000.00")
    assert 'value="-25000.00"' in finances_of(owner, case).text  # what is left after the earlier settlement


@pytest.mark.parametrize("validated", [True, False])
def test_a_correction_before_approval_rejects_the_claim_so_it_can_be_made_again(scheduled, session, validated):
    case, lead, second = scheduled["case"], scheduled["lead"], scheduled["second"]
    row = claimed_outcome(scheduled, session)
    if validated:
        validate(second, case, row)
    report(lead, scheduled["realised"], scheduled["realised"].loneliness, "36", reason="Bijgesteld.")
    [row] = claims_of(session)
    assert row.status == ClaimStatus.rejected and "was corrected to 36" in row.rejection_reason
    assert "No claim is waiting" in second.get(f"/cases/{case.id}/finances/validation").text
    assert "Your claim is recorded" in claim(lead, case, scheduled["outcome"]).text  # on the value in force
    assert claims_of(session)[-1].value == 36


def test_the_council_reads_no_open_claim_in_the_audit_trail(scheduled, session):
    case, lead, owner, second, council = (scheduled[k] for k in ("case", "lead", "owner", "second", "council"))
    claim(lead, case, scheduled["milestone"], "Klaar.")
    [row] = claims_of(session)
    act(owner, case, f"/claims/{row.id}/rejection", {f"reject-{row.id}-reason": "GEHEIMEREDEN"})
    outcome = claimed_outcome(scheduled, session)
    validate(second, case, claims_of(session)[-1], "not_confirmed", "GEHEIMENOTITIE")
    assert outcome.status == ClaimStatus.awaiting_validation
    for path in (f"/cases/{case.id}", f"/cases/{case.id}/audit-trail"):
        page = council.get(path).text
        assert "GEHEIMEREDEN" not in page and "GEHEIMENOTITIE" not in page and "Payment claimed" not in page
        assert "GEHEIMEREDEN" in owner.get(path).text  # the case's officials read it all
    claim(lead, case, scheduled["fixed"])
    approve_claim(owner, case, claims_of(session)[-1])
    assert "Claim approved" in council.get(f"/cases/{case.id}/audit-trail").text  # what the council may see, it sees


def test_a_case_does_not_close_while_a_claim_waits(scheduled, session):
    from tendering.workflow.guards import GUARDS, GuardContext

    case, lead = scheduled["case"], scheduled["lead"]
    claim(lead, case, scheduled["fixed"])
    reasons = GUARDS["no_open_claims"].check(GuardContext(session, case, utcnow()))
    assert reasons == ["1 claim(s) of a payment wait for validation or a decision; approve or reject them first."]
    act(scheduled["owner"], case, f"/claims/{claims_of(session)[0].id}/approval")
    assert GUARDS["no_open_claims"].check(GuardContext(session, case, utcnow())) == []


def test_a_rate_that_rounds_to_nothing_is_refused(designed, session):
    case, owner = designed["case"], designed["owner"]
    [indicator] = agreement.indicators_of(session, agreement.agreement_of(session, case))
    rounded_away = post(owner, case, "/payments", outcome_payment(indicator.id, **{"payment-rate": "0,004"}))
    assert "Give the amount per unit or per step of progress." in rounded_away.text and terms(session) == []


def test_a_tiny_step_earns_the_cap_instead_of_breaking_the_page(scheduled, session):
    from tendering.models import Direction, Indicator

    lower = Indicator(name="x", direction=Direction.lower_is_better, baseline_value=48, target_value=38)
    tiny = PaymentTerm(
        amount=Decimal("30000"),
        reference_value=48,
        target_value=38,
        partial=PartialRule.per_step,
        rate=Decimal("10"),
        step=1e-320,
    )
    assert payments.earned(tiny, lower, 47) == Decimal("30000.00")  # infinitely many steps earn the cap, not a 500
    realised_case = scheduled["realised"]
    scheduled["outcome"].partial, scheduled["outcome"].step = PartialRule.per_step, 1e-320
    session.commit()
    report(scheduled["lead"], realised_case, realised_case.loneliness, "47")
    assert finances_of(scheduled["lead"], scheduled["case"]).status_code == 200


def test_an_invalid_four_eyes_amount_stops_the_start(monkeypatch, tmp_path):
    from tendering.core.config import from_environment

    for wrong in ("Infinity", "NaN", "-1", "veel"):
        monkeypatch.setenv("PAYMENT_FOUR_EYES_ABOVE", wrong)
        with pytest.raises(ValueError, match="PAYMENT_FOUR_EYES_ABOVE"):
            from_environment(str(tmp_path))
    monkeypatch.setenv("PAYMENT_FOUR_EYES_ABOVE", "10000")
    assert from_environment(str(tmp_path))["PAYMENT_FOUR_EYES_ABOVE"] == Decimal("10000")


def test_unapproved_claims_are_for_the_cases_officials_and_the_coalition_only(
    app, scheduled, session, make_user, make_case, official
):
    case, lead, owner = scheduled["case"], scheduled["lead"], scheduled["owner"]
    claim(lead, case, scheduled["fixed"], "Gestart op 1 maart.")
    other = add_realised(session, make_case, make_user, official, title="Andere zaak", coalition_name="Anderen")
    stranger = as_(app, other.member)
    assert "Claim 1" in finances_of(owner, case).text and "Gestart op 1 maart." in finances_of(lead, case).text
    council = scheduled["council"]
    assert "Gestart op 1 maart." not in finances_of(council, case).text
    assert "Gestart op" not in finances_of(council, case, "?format=csv").text
    assert "Claimed" not in council.get("/finances").text and "Claimed" in owner.get("/finances").text
    assert finances_of(stranger, case).status_code == 404
    assert finances_of(scheduled["anonymous"], case).status_code == 302
    assert scheduled["anonymous"].get("/finances").status_code == 302
    assert stranger.get("/finances").status_code == 403
    assert council.get("/finances/approved-claims.csv").status_code == 403
    assert lead.get("/finances/approved-claims.csv").status_code == 403
    for path in (f"/claims/{claims_of(session)[0].id}/approval", f"/claims/{claims_of(session)[0].id}/rejection"):
        assert council.post(f"/cases/{case.id}/finances{path}").status_code in (400, 403)
        assert lead.post(f"/cases/{case.id}/finances{path}").status_code in (400, 403)
    assert claims_of(session)[0].status == ClaimStatus.submitted


def test_the_financial_administration_gets_the_approved_claims(scheduled, session):
    case, lead, owner = scheduled["case"], scheduled["lead"], scheduled["owner"]
    claim(lead, case, scheduled["fixed"])
    approve_claim(owner, case, claims_of(session)[0])
    exported = owner.get("/finances/approved-claims.csv")
    rows = list(csv.reader(io.StringIO(exported.data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["claim_id", "approved_on", "creditor_name"]
    assert rows[1][2] == "Lead van Samen Oud" and rows[1][8] == "20000.00" and rows[1][9] == "EUR"
    portfolio = owner.get("/finances?format=csv").data.decode("utf-8-sig")
    assert "Gelukkig oud" in portfolio and "20000.0" in portfolio


def test_what_an_outcome_payment_earns_under_each_rule():
    from tendering.models import Direction, Indicator

    lower = Indicator(name="x", direction=Direction.lower_is_better, baseline_value=48, target_value=38)
    per_step = PaymentTerm(
        amount=Decimal("30000"),
        reference_value=48,
        target_value=38,
        partial=PartialRule.per_step,
        rate=Decimal("10000"),
        step=4,
    )
    assert payments.earned(per_step, lower, 45) == 0  # not one whole step
    assert payments.earned(per_step, lower, 43.9) == Decimal("10000.00")
    assert payments.earned(per_step, lower, 30) == Decimal("30000.00")  # four steps, capped at three
    nothing = PaymentTerm(amount=Decimal("30000"), reference_value=48, target_value=38, partial=PartialRule.nothing)
    assert (payments.earned(nothing, lower, 38.5), payments.earned(nothing, lower, 38)) == (0, Decimal("30000.00"))
    per_unit = PaymentTerm(
        amount=Decimal("30000"),
        reference_value=48,
        target_value=38,
        partial=PartialRule.per_unit,
        rate=Decimal("1000.50"),
    )
    assert payments.earned(per_unit, lower, 50) == 0  # the wrong way pays nothing, and never less
    assert payments.earned(per_unit, lower, 47.5) == Decimal("500.25")


def test_the_payment_pages_cost_the_same_queries_with_more_agreements_and_claims(
    app, scheduled, session, make_user, make_case, official
):
    case, lead, owner, council = scheduled["case"], scheduled["lead"], scheduled["owner"], scheduled["council"]
    pages = ((owner, "/finances"), (council, "/finances"), (owner, f"/cases/{case.id}/finances"))
    pages += ((lead, f"/cases/{case.id}/finances"), (council, f"/cases/{case.id}/finances"))

    def counts():
        found = []
        for client, path in pages:
            client.get(path)  # warm: the first request of a client loads its session
            with counting_queries(app) as statements:
                assert client.get(path).status_code == 200
            found.append(len(statements))
        return found

    before = counts()
    for n in range(3):  # outcome payments not claimed: each says what a claim would come to, from one query
        extra = scheduled["outcome"].model_dump(exclude={"id"}) | {"description": f"Extra {n}"}
        session.add(PaymentTerm(**extra))
    session.commit()
    claim(lead, case, scheduled["fixed"])
    approve_claim(owner, case, claims_of(session)[0])
    claim(lead, case, scheduled["milestone"], "Klaar.")
    for n in range(3):
        add_realised(session, make_case, make_user, official, title=f"Zaak {n}", coalition_name=f"Coalitie {n}")
    assert counts() == before


def test_paid_claims_are_open_data_against_their_milestones_and_nothing_else_is(app, scheduled, session, official):
    import json
    from pathlib import Path

    from jsonschema import Draft4Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    from tendering.question import question_document

    case, lead, owner, realised_case = scheduled["case"], scheduled["lead"], scheduled["owner"], scheduled["realised"]
    with app.test_request_context():
        question_document.freeze(session, case, actor=official)
    secret = PaymentTerm(
        agreement_id=realised_case.agreement.id,
        kind=PaymentKind.outcome,
        description="Kosten per deelnemer omlaag",
        amount=Decimal("10000"),
        due_on=utcnow().date(),
        indicator_id=realised_case.costs.id,
        reference_value=900,
        target_value=700,
        partial=PartialRule.nothing,
    )
    session.add(secret)
    session.commit()
    claim(lead, case, scheduled["fixed"], "Gestart op 1 maart.")
    [fixed] = claims_of(session)
    approve_claim(owner, case, fixed)
    paid_on = utcnow().date()
    data = {f"paid-{fixed.id}-paid_on": paid_on.isoformat(), f"paid-{fixed.id}-reference": "FIN-7"}
    act(owner, case, f"/claims/{fixed.id}/payment", data)
    claim(lead, case, scheduled["milestone"], "Klaar.")  # submitted, not paid: not open data

    package = scheduled["anonymous"].get(f"/ocds/{case.id}.json").get_json()
    schemas = Path(__file__).parent / "data" / "ocds"
    release_schema = json.loads(releases.SCHEMA.read_text())
    registry = Registry().with_resource(
        release_schema["id"], Resource.from_contents(release_schema, default_specification=DRAFT4)
    )
    validator = Draft4Validator(json.loads((schemas / "release-package-schema.json").read_text()), registry=registry)
    assert [e.message for e in validator.iter_errors(package)] == []
    assert (
        "https://raw.githubusercontent.com/open-contracting-extensions/ocds_transactions_relatedMilestone_extension"
        "/master/extension.json"
    ) in package["extensions"]
    implementation = package["releases"][-1]["contracts"][0]["implementation"]
    financing = {m["id"]: m for m in implementation["milestones"] if m["type"] == "financing"}
    assert financing[f"payment-{scheduled['fixed'].id}"]["status"] == "met"
    assert financing[f"payment-{scheduled['milestone'].id}"]["status"] == "scheduled"
    assert financing[f"payment-{secret.id}"]["title"] == "Betaling naar resultaat"
    [transaction] = implementation["transactions"]
    assert transaction["value"] == {"amount": 20000.0, "currency": "EUR"}
    assert transaction["relatedImplementationMilestone"]["id"] == f"payment-{scheduled['fixed'].id}"
    assert transaction["date"] == f"{paid_on.isoformat()}T00:00:00Z"
    roles = {p["name"]: p["roles"] for p in package["releases"][-1]["parties"]}
    assert "payee" in roles["Lead van Samen Oud"] and "payer" in roles[transaction["payer"]["name"]]
    text = json.dumps(package)
    for hidden in ("Kosten per deelnemer", "Gestart op 1 maart.", "Klaar.", "FIN-7"):
        assert hidden not in text
