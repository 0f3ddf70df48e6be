"""An official opens, edits and steers a case through its screens."""

from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import func, select

from tendering.models import AuditEvent, Case, Role

from . import factories as f
from .conftest import form_token, future, past


def new_case_form(client, **overrides):
    page = client.get("/cases/new")
    data = {
        "csrf_token": form_token(page),
        "title": "Gelukkig oud in Lindendal",
        "question": "Wie helpt ons om ouderen gelukkig oud te laten worden in onze gemeente?",
        "workflow": "social_tender",
        "budget_ceiling": "850000",
        "theme": "Zorg",
    }
    data.update(overrides)
    return client.post("/cases/new", data=data)


def test_official_opens_a_case_and_it_is_audited(logged_in, official, session):
    client = logged_in(official)
    response = new_case_form(client)
    assert response.status_code == 302
    case = session.exec(select(Case)).one()
    assert (case.state, case.owner_id, case.budget_ceiling, case.reference[:8]) == (
        "articulation",
        official.id,
        Decimal("850000.00"),
        "MA-2026-"[:8],
    )
    page = client.get(response.location)
    assert "Gelukkig oud in Lindendal" in page.text and "Case opened" in page.text


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("title", "", "This field is required."),
        ("budget_ceiling", "veel geld", "Not a valid decimal value."),
        ("budget_ceiling", "-5", "Number must be between 0 and"),
        ("workflow", "made_up", "Not a valid choice."),
        ("council_decision_date", "31-02-2026", "Not a valid date value."),
        ("title", "x" * 201, "Field cannot be longer than 200 characters."),
    ],
)
def test_bad_input_gets_a_message_and_stores_nothing(logged_in, official, session, field, value, message):
    client = logged_in(official)
    response = new_case_form(client, **{field: value})
    assert response.status_code == 200
    assert message in response.text and "Not saved" in response.text
    assert session.exec(select(func.count()).select_from(Case)).one() == 0


def test_official_edits_a_case_and_the_changed_fields_are_audited(logged_in, official, make_case, session):
    case = make_case()
    client = logged_in(official)
    page = client.get(f"/cases/{case.id}/edit")
    response = client.post(
        f"/cases/{case.id}/edit",
        data={
            "csrf_token": form_token(page),
            "version": case.version,
            "title": "Samen gelukkig oud",
            "question": case.question,
        },
    )
    assert response.status_code == 302
    session.refresh(case)
    assert case.title == "Samen gelukkig oud" and case.version == 2
    edit = session.exec(select(AuditEvent).where(AuditEvent.action == "case_edited")).one()
    assert edit.details == {"fields": ["title"]}


def test_edit_with_a_stale_version_is_refused(logged_in, official, make_case, session):
    case = make_case()
    client = logged_in(official)
    page = client.get(f"/cases/{case.id}/edit")
    case.title = "Someone else's change"
    session.commit()
    response = client.post(
        f"/cases/{case.id}/edit",
        data={"csrf_token": form_token(page), "version": 1, "title": "Mine", "question": case.question},
        follow_redirects=True,
    )
    assert "changed by someone else" in response.text
    session.refresh(case)
    assert case.title == "Someone else's change"


def test_checklist_shows_what_is_missing_then_the_step_can_be_taken(logged_in, official, make_case, session):
    case = make_case()
    client = logged_in(official)
    page = client.get(f"/cases/{case.id}")
    assert "No desired outcome is described yet." in page.text
    assert "The budget ceiling is not set." in page.text
    refused = client.post(
        f"/cases/{case.id}/transition",
        data={"csrf_token": form_token(page), "trigger": "assess", "version": case.version},
        follow_redirects=True,
    )
    assert "is not yet possible" in refused.text and "No desired outcome is described yet." in refused.text

    client.post(
        f"/cases/{case.id}/outcomes",
        data={"csrf_token": form_token(page), "description": "Minder ouderen voelen zich eenzaam."},
    )
    case.budget_ceiling = Decimal("500000")
    session.commit()
    page = client.get(f"/cases/{case.id}")
    done = client.post(
        f"/cases/{case.id}/transition",
        data={"csrf_token": form_token(page), "trigger": "assess", "version": case.version, "reason": "Klaar."},
        follow_redirects=True,
    )
    assert "the case is now in the phase “Suitability decision”" in done.text
    assert "Reason: Klaar." in done.text


def test_cancel_without_reason_is_refused(logged_in, official, make_case, session):
    case = make_case()
    client = logged_in(official)
    page = client.get(f"/cases/{case.id}")
    response = client.post(
        f"/cases/{case.id}/transition",
        data={"csrf_token": form_token(page), "trigger": "cancel", "version": case.version, "reason": ""},
        follow_redirects=True,
    )
    assert "Give a reason" in response.text
    session.refresh(case)
    assert case.state == "articulation"


@pytest.mark.parametrize("trigger", ["", "not_a_trigger", "x" * 61])
def test_nonsense_trigger_is_refused_without_error(logged_in, official, make_case, trigger):
    case = make_case()
    client = logged_in(official)
    page = client.get(f"/cases/{case.id}")
    response = client.post(
        f"/cases/{case.id}/transition", data={"csrf_token": form_token(page), "trigger": trigger, "version": "1"}
    )
    assert response.status_code in (302, 400)


def test_missing_case_is_404(logged_in, official):
    client = logged_in(official)
    assert client.get("/cases/999").status_code == 404


def test_case_list_filters_by_phase_and_owner(logged_in, official, make_user, make_case):
    other = make_user(Role.official)
    make_case(title="Eerste vraag")
    make_case(title="Tweede vraag", state="tendering", owner=other)
    client = logged_in(official)
    assert "Tweede vraag" in client.get("/cases/").text
    only_tendering = client.get("/cases/?state=tendering").text
    assert "Tweede vraag" in only_tendering and "Eerste vraag" not in only_tendering
    mine = client.get("/cases/?mine=1").text
    assert "Eerste vraag" in mine and "Tweede vraag" not in mine
    assert client.get("/cases/?state=%3Cscript%3E").status_code == 200


def test_public_home_lists_only_open_tenders(client, session, make_case):
    open_case = make_case(title="Open vraag", state="tendering")
    open_case.submission_deadline = future(10)
    closed = make_case(title="Verlopen vraag", state="tendering")
    closed.submission_deadline = past(1)
    make_case(title="Interne vraag")
    session.commit()
    page = client.get("/").text
    assert "Open vraag" in page and "Verlopen vraag" not in page and "Interne vraag" not in page


def test_public_tender_page_exists_only_after_publication(client, session, make_case, official):
    from tendering.workflow.engine import fire

    case = make_case(state="coalition_forming")
    assert client.get(f"/tenders/{case.reference}").status_code == 404
    f.articulate(session, case, official)
    f.set_up_tender(session, case)
    fire(session, case, "publish", actor=official)
    session.commit()
    page = client.get(f"/tenders/{case.reference}")
    assert page.status_code == 200 and case.question in page.text


def test_reading_a_case_applies_the_passed_deadline(logged_in, official, make_case, session):
    case = make_case(state="tendering")
    f.pass_deadline(session, case)
    client = logged_in(official)
    page = client.get(f"/cases/{case.id}")
    assert "by the system (time-driven)" in page.text
    session.refresh(case)
    assert case.state == "reconsider"


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["database"] == "ok"


def test_audit_log_is_append_only_in_the_database(session, make_case):
    make_case()
    for statement in ("UPDATE audit_events SET reason = 'rewritten'", "DELETE FROM audit_events"):
        with pytest.raises(DBAPIError, match="append-only"):
            session.execute(text(statement))
        session.rollback()
    assert session.exec(select(func.count()).select_from(AuditEvent)).one() == 1


def test_case_page_shows_the_latest_events_and_links_the_whole_audit_trail(
    app, make_case, official, session, logged_in
):
    from tendering.core import audit

    case = make_case()
    for number in range(30):
        audit.record(session, action="case_edited", actor=official, case=case, reason=f"Wijziging {number}")
    session.commit()
    client = logged_in(official)
    page = client.get(f"/cases/{case.id}").text
    assert "Wijziging 29" in page and "Wijziging 3<" not in page and f"/cases/{case.id}/audit-trail" in page
    trail = client.get(f"/cases/{case.id}/audit-trail").text
    assert "Wijziging 0<" in trail and "Wijziging 29" in trail
