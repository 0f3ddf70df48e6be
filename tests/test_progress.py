"""Progress reports on the agreed cadence; the municipality acknowledges or asks, and accepted adjustments are recorded."""

import re

from sqlmodel import select

from tendering.models import AgreementAdjustment, ProgressReport, Role
from tendering.realisation import monitoring

from .conftest import form_token
from .evaluation_helpers import as_


def report_id_on(text):
    found = re.search(r'id="report-(\d+)"', text)
    return found.group(1) if found else None


def first_period(realised):
    agreement = realised.agreement
    return monitoring.periods(agreement.report_cadence, agreement.starts_on, agreement.ends_on)[0].starts_on


def send(client, realised, **overrides):
    page = client.get(f"/coalitions/{realised.coalition.id}/reports")
    data = {
        "csrf_token": form_token(page),
        "period": first_period(realised).isoformat(),
        "narrative": "Drie buurtkamers open.",
        "adjustments": "Buurtkamer Noord in de bibliotheek in plaats van het buurthuis.",
        "adjustment_reason": "Het buurthuis sluit.",
        "setbacks": "",
        "windfalls": "Bibliotheek doet mee.",
        "client_panel": "Tevreden over de openingstijden.",
    } | overrides
    return client.post(f"/coalitions/{realised.coalition.id}/reports", data=data, follow_redirects=True)


def respond(client, realised, decision, response=""):
    page = client.get(f"/cases/{realised.case.id}/progress")
    report_id = report_id_on(page.text) or 0
    return client.post(
        f"/cases/{realised.case.id}/progress/{report_id}",
        data={"csrf_token": form_token(page), "decision": decision, "response": response},
        follow_redirects=True,
    )


def test_questions_then_revision_then_acknowledgement_records_the_adjustment(app, realised, session, official):
    member, owner = as_(app, realised.member), as_(app, official)
    assert "The progress report is sent" in send(member, realised).text
    assert "Write the questions" in respond(owner, realised, "questions").text
    respond(owner, realised, "questions", "Hoe bereikt u de bewoners van Noord?")
    assert "Hoe bereikt u de bewoners van Noord?" in member.get(f"/coalitions/{realised.coalition.id}/reports").text
    send(member, realised, narrative="Drie buurtkamers open; flyers huis aan huis in Noord.")
    assert session.exec(select(AgreementAdjustment)).all() == []
    respond(owner, realised, "acknowledge", "Dank, helder.")
    report = session.exec(select(ProgressReport)).one()
    assert (report.status, report.narrative) == (
        "acknowledged",
        "Drie buurtkamers open; flyers huis aan huis in Noord.",
    )
    adjustment = session.exec(select(AgreementAdjustment)).one()
    assert adjustment.reason == "Het buurthuis sluit." and adjustment.agreement_id == realised.agreement.id
    assert "Het buurthuis sluit." in owner.get(f"/cases/{realised.case.id}/progress").text
    assert "can no longer change" in send(member, realised, narrative="Toch anders.").text


def test_an_adjustment_needs_its_reason_and_a_report_its_narrative(app, realised, session):
    member = as_(app, realised.member)
    assert "Give the reason for the adjustment" in send(member, realised, adjustment_reason="").text
    assert send(member, realised, narrative="").status_code == 400
    assert session.exec(select(ProgressReport)).all() == []


def test_only_the_owner_responds_and_only_the_coalition_reports(
    app, realised, session, official, make_user, organisation
):
    send(as_(app, realised.member), realised)
    assert respond(as_(app, make_user(Role.official)), realised, "acknowledge").status_code == 403
    assert (
        as_(app, make_user(Role.coalition_member, org=organisation))
        .get(f"/coalitions/{realised.coalition.id}/reports")
        .status_code
        == 404
    )
    assert as_(app, realised.member).get(f"/cases/{realised.case.id}/progress").status_code == 403
    assert session.exec(select(ProgressReport)).one().status == "submitted"
