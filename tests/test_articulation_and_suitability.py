"""Question articulation coaching, frameworks, and the suitability decision."""

import pytest
from sqlmodel import select

from tendering.access import Capability
from tendering.models import Framework, Role, SuitabilityAnswer
from tendering.question.coaching import coach_question
from tendering.question.suitability import QUESTIONS

from .conftest import form_token, roles_without

NARROW = [
    "Wie trekt bij 500 ouderen de steunkousen aan?",
    "Wie organiseert 20 activiteiten per jaar in het buurthuis?",
    "Wie levert 3 fte schoolmaatschappelijk werk?",
    "Wie voert de huishoudelijke hulp uit voor 1.200 huishoudens?",
    "Who puts on the support stockings of 500 elderly people?",
    "Who delivers 3 FTE of school social work?",
]
BROAD = [
    "Wie helpt ons om ouderen gelukkig oud te laten worden in onze gemeente?",
    "Wie helpt ons om de Bloemenbuurt weer een buurt te maken waar bewoners naar elkaar omkijken?",
    "Wie helpt ons om onderwijsachterstanden van kinderen in Lindendal-Zuid te verkleinen?",
    "Who helps us let elderly people grow old happily in our municipality?",
    "Hoe zorgen we dat 75-plussers minder eenzaam zijn?",
]


@pytest.mark.parametrize("question", NARROW)
def test_coaching_flags_the_methods_narrow_questions(question):
    assert coach_question(question)


@pytest.mark.parametrize("question", BROAD)
def test_coaching_stays_quiet_on_broad_questions(question):
    assert coach_question(question) == []


def test_articulation_page_shows_coaching_as_advice(logged_in, official, make_case):
    case = make_case(question="Wie trekt bij 500 ouderen de steunkousen aan?")
    page = logged_in(official).get(f"/cases/{case.id}/articulation").text
    assert 'id="coaching-flags"' in page and "500 ouderen" in page
    assert "Is the question open enough not to steer the answer?" in page


def test_official_adds_and_removes_a_framework(logged_in, official, make_case, session):
    case = make_case()
    client = logged_in(official)
    token = form_token(client.get(f"/cases/{case.id}/articulation"))
    client.post(
        f"/cases/{case.id}/frameworks",
        data={"csrf_token": token, "kind": "public_value", "description": "Gelijke toegang."},
    )
    framework = session.exec(select(Framework)).one()
    assert framework.kind.value == "public_value"
    client.post(f"/cases/{case.id}/frameworks/{framework.id}/delete", data={"csrf_token": token})
    session.expire_all()
    assert session.exec(select(Framework)).all() == []


def test_framework_of_another_case_cannot_be_removed(logged_in, official, make_case, session):
    mine, other = make_case(), make_case(title="Ander vraagstuk")
    session.add(Framework(case_id=other.id, kind="legal", description="Wmo"))
    session.commit()
    framework = session.exec(select(Framework)).one()
    client = logged_in(official)
    token = form_token(client.get(f"/cases/{mine.id}/articulation"))
    assert (
        client.post(f"/cases/{mine.id}/frameworks/{framework.id}/delete", data={"csrf_token": token}).status_code == 404
    )
    assert session.exec(select(Framework)).one()


def suitability_data(token, answer="yes", **overrides):
    data = {"csrf_token": token}
    for key in QUESTIONS:
        data[f"{key}_answer"] = answer
        data[f"{key}_motivation"] = "Gewogen in het team."
    data.update(overrides)
    return data


def test_suitability_recorded_then_decide_to_tender(logged_in, official, make_case, session):
    case = make_case(state="suitability")
    client = logged_in(official)
    token = form_token(client.get(f"/cases/{case.id}/suitability"))
    response = client.post(f"/cases/{case.id}/suitability", data=suitability_data(token))
    assert response.status_code == 302
    assert len(session.exec(select(SuitabilityAnswer)).all()) == 6
    page = client.get(f"/cases/{case.id}")
    done = client.post(
        f"/cases/{case.id}/transition",
        data={"csrf_token": form_token(page), "trigger": "decide_to_tender", "version": case.version},
        follow_redirects=True,
    )
    assert "Stakeholder analysis" in done.text
    session.refresh(case)
    assert case.state == "stakeholder_analysis"


def test_unmet_condition_blocks_tendering_and_allows_not_tendering_with_route(logged_in, official, make_case, session):
    case = make_case(state="suitability")
    client = logged_in(official)
    token = form_token(client.get(f"/cases/{case.id}/suitability"))
    client.post(f"/cases/{case.id}/suitability", data=suitability_data(token, no_exclusive_tasks_answer="no"))
    page = client.get(f"/cases/{case.id}").text
    assert "Not met: execution does not (much) require exclusive government tasks." in page
    refused = client.post(
        f"/cases/{case.id}/transition",
        data={"csrf_token": token, "trigger": "decide_to_tender", "version": case.version},
        follow_redirects=True,
    )
    assert "is not yet possible" in refused.text
    client.post(
        f"/cases/{case.id}/transition",
        data={
            "csrf_token": token,
            "trigger": "decide_not_to_tender",
            "version": case.version,
            "reason": "Vraagt handhaving; we kiezen een subsidieregeling.",
        },
    )
    session.refresh(case)
    assert case.state == "not_tendered"


def test_suitability_without_motivation_is_refused_and_nothing_stored(logged_in, official, make_case, session):
    case = make_case(state="suitability")
    client = logged_in(official)
    token = form_token(client.get(f"/cases/{case.id}/suitability"))
    response = client.post(f"/cases/{case.id}/suitability", data=suitability_data(token, market_exists_motivation=""))
    assert response.status_code == 400 and "This field is required." in response.text
    assert session.exec(select(SuitabilityAnswer)).all() == []


@pytest.mark.parametrize("role", roles_without(Capability.steer_case))
def test_only_officials_record_suitability(logged_in, make_user, make_case, official, role, session):
    case = make_case(state="suitability")
    client = logged_in(make_user(role))
    token = form_token(client.get("/"))
    assert client.post(f"/cases/{case.id}/suitability", data=suitability_data(token)).status_code == 403
    assert session.exec(select(SuitabilityAnswer)).all() == []


def test_council_member_reads_the_suitability_assessment(logged_in, make_user, make_case):
    case = make_case(state="suitability")
    page = logged_in(make_user(Role.council_member)).get(f"/cases/{case.id}/suitability")
    assert page.status_code == 200 and "Save the assessment" not in page.text


def test_edit_form_coaches_while_writing_but_saves_anyway(logged_in, official, make_case, session):
    case = make_case()
    client = logged_in(official)
    page = client.get(f"/cases/{case.id}/edit")
    assert 'id="coaching-flags"' not in page.text
    narrow = "Wie trekt bij 500 ouderen de steunkousen aan?"
    client.post(
        f"/cases/{case.id}/edit",
        data={"csrf_token": form_token(page), "version": case.version, "title": case.title, "question": narrow},
    )
    session.refresh(case)
    assert case.question == narrow  # advice, not a block
    assert 'id="coaching-flags"' in client.get(f"/cases/{case.id}/edit").text
