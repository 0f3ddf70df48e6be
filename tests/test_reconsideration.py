"""Reconsideration: found from the checklist, any of its options saves, and the new round shows what was learned."""

import pytest
from sqlmodel import select

from tendering.access import Capability
from tendering.models import AuditEvent, Reconsideration, Role
from tendering.procurement import reconsideration
from tendering.workflow.engine import fire

from .conftest import form_token, login, roles_without
from .test_accessibility import audit


@pytest.fixture
def reconsidering(session, make_case):
    case = make_case(state="reconsider", budget_ceiling=100000)
    return case


def _post(client, case, **data):
    page = client.get(f"/cases/{case.id}/reconsideration")
    return client.post(
        f"/cases/{case.id}/reconsideration",
        data={"csrf_token": form_token(page), **data},
        follow_redirects=True,
    )


def test_the_checklist_links_to_the_form(logged_in, official, reconsidering):
    page = logged_in(official).get(f"/cases/{reconsidering.id}").text
    assert f'href="/cases/{reconsidering.id}/reconsideration"' in page


def test_the_checkboxes_are_not_each_required(logged_in, official, reconsidering):
    page = logged_in(official).get(f"/cases/{reconsidering.id}/reconsideration").text
    assert 'type="checkbox"' in page
    assert not [line for line in page.splitlines() if 'type="checkbox"' in line and "required" in line]


@pytest.mark.parametrize("changes", [["question"], ["frameworks"], ["urgency"], ["question", "urgency"]])
def test_any_choice_of_changes_saves(logged_in, official, reconsidering, session, changes):
    response = _post(
        logged_in(official), reconsidering, changes=changes, note="Niemand bood in; het budget was te krap."
    )
    assert response.status_code == 200 and "The reconsideration is recorded" in response.text
    [row] = reconsideration.history(session, reconsidering)
    assert row.changes == changes


def test_no_choice_says_so_and_saves_nothing(logged_in, official, reconsidering, session):
    response = _post(logged_in(official), reconsidering, note="Iets.")
    assert response.status_code == 200
    assert "Choose at least one thing that must change." in response.text
    assert "Iets." in response.text  # what was typed stays
    assert session.exec(select(Reconsideration)).all() == []


def test_no_note_says_so(logged_in, official, reconsidering, session):
    response = _post(logged_in(official), reconsidering, changes=["question"])
    assert "Describe what changes and why." in response.text
    assert session.exec(select(Reconsideration)).all() == []


@pytest.mark.parametrize("role", roles_without(Capability.decide_award))
def test_who_may_not_decide_cannot_see_or_record_it(app, role, make_user, reconsidering, session):
    client = app.test_client()
    login(client, make_user(role))
    assert client.get(f"/cases/{reconsidering.id}/reconsideration").status_code in (403, 404)
    assert session.exec(select(Reconsideration)).all() == []


def test_another_official_cannot_record_it(logged_in, make_user, reconsidering, session):
    colleague = logged_in(make_user(Role.official))
    page = colleague.get(f"/cases/{reconsidering.id}/reconsideration")
    assert page.status_code == 200 and "The case owner records the reconsideration." in page.text
    response = colleague.post(
        f"/cases/{reconsidering.id}/reconsideration",
        data={"csrf_token": form_token(page), "changes": ["question"], "note": "x"},
    )
    assert response.status_code == 403
    assert session.exec(select(Reconsideration)).all() == []


def test_audit_trail_says_what_changed_and_the_new_round_shows_the_reflection(
    logged_in, official, reconsidering, session
):
    client = logged_in(official)
    _post(client, reconsidering, changes=["urgency"], note="Eerst de wijkteams op orde.")
    _post(client, reconsidering, changes=["question", "frameworks"], note="De vraag was te smal, het budget te krap.")
    trail = client.get(f"/cases/{reconsidering.id}/audit-trail").text
    assert "Reconsideration recorded" in trail
    assert "The question itself; The frameworks, including the budget" in trail
    assert "De vraag was te smal, het budget te krap." in trail
    assert "Before this revision: The urgency and the timeline" in trail
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "reconsideration_recorded")).all()
    assert events[-1].details["previous_changes"] == ["urgency"]

    case = session.get(type(reconsidering), reconsidering.id)
    fire(session, case, "rearticulate", actor=official, reason="Nieuwe ronde.")
    session.commit()
    page = client.get(f"/cases/{case.id}/articulation").text
    assert 'id="reflection"' in page
    assert "De vraag was te smal, het budget te krap." in page and "Round 1" in page


def test_the_first_round_has_no_reflection(logged_in, official, make_case):
    case = make_case()
    assert 'id="reflection"' not in logged_in(official).get(f"/cases/{case.id}/articulation").text


def test_the_reconsideration_page_is_accessible(logged_in, official, reconsidering):
    assert audit(logged_in(official), f"/cases/{reconsidering.id}/reconsideration") == []
