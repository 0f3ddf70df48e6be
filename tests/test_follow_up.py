"""A follow-up case opened from accountability inherits outcomes, indicators (with their last values in force as
baselines), stakeholders and budget, marked as inherited and editable, and the two cases link both ways."""

import pytest
from sqlmodel import select

from tendering.access import Capability
from tendering.models import AuditEvent, Case, IndicatorDraft, Outcome, Stakeholder
from tendering.question import follow_up
from tendering.realisation import monitoring

from .conftest import form_token, login, roles_without
from .evaluation_helpers import as_
from .test_accessibility import audit
from .test_accountability import approve, in_accountability, write


def _correct(session, realised, indicator, value):
    from tendering.models import utcnow
    from tendering.realisation import measurements

    period = monitoring.periods(indicator.frequency, realised.agreement.starts_on, realised.agreement.ends_on)[0]
    reporting = measurements.Reporting(realised.coalition, realised.case, realised.agreement)
    measurements.report(
        session,
        reporting,
        actor=realised.member,
        today=utcnow().date(),
        reported=measurements.Reported(indicator, period.starts_on, value, "GGD", "", "Telfout hersteld."),
    )
    session.commit()


@pytest.fixture
def followed_up(app, realised, session, official):
    """The realised case, accounted for and closed with a follow-up; the loneliness value was corrected once."""
    session.add(Stakeholder(case_id=realised.case.id, name="Voedselbank Lindendal", interest=4, influence=2))
    realised.case.budget_ceiling = 450000
    session.commit()
    in_accountability(session, realised)  # reports 45 for the first quarter
    _correct(session, realised, realised.loneliness, 44)
    owner, lead = as_(app, official), as_(app, realised.member)
    write(lead, realised)
    approve(owner, realised)
    approve(lead, realised)
    page = owner.get(f"/cases/{realised.case.id}/accountability")
    owner.post(
        f"/cases/{realised.case.id}/accountability/close",
        data={"csrf_token": form_token(page), "reason": "Verantwoord."},
    )
    session.expire_all()
    return session.exec(select(Case).where(Case.parent_case_id == realised.case.id)).one(), owner


def test_outcomes_are_inherited_and_marked(followed_up, realised, session):
    case, _owner = followed_up
    parents = session.exec(select(Outcome).where(Outcome.case_id == realised.case.id)).all()
    children = session.exec(select(Outcome).where(Outcome.case_id == case.id)).all()
    assert [o.description for o in children] == [o.description for o in parents]
    assert [o.inherited_from_id for o in children] == [o.id for o in parents]


def test_indicators_become_drafts_with_the_last_value_in_force_as_baseline(followed_up, realised, session):
    case, _owner = followed_up
    drafts = {d.name: d for d in follow_up.drafts_of(session, case)}
    loneliness = drafts["Aandeel eenzame 75-plussers"]
    assert loneliness.baseline_value == 44  # the correction, not the first report
    assert loneliness.baseline_date == session.get(type(realised.loneliness), realised.loneliness.id).latest_period
    assert realised.case.reference in loneliness.baseline_source
    assert (loneliness.previous_target_value, loneliness.source_indicator_id) == (38, realised.loneliness.id)
    child_outcome = session.get(Outcome, loneliness.outcome_id)
    assert child_outcome.case_id == case.id and child_outcome.inherited_from_id == realised.loneliness.outcome_id
    volunteers = drafts["Actieve vrijwilligers"]
    assert volunteers.baseline_value == 100 and "not measured since" in volunteers.baseline_source
    assert follow_up.indicator_fields(loneliness)["baseline_value"] == 44


def test_stakeholders_and_budget_are_inherited(followed_up, realised, session):
    case, owner = followed_up
    [stakeholder] = session.exec(select(Stakeholder).where(Stakeholder.case_id == case.id)).all()
    assert stakeholder.name == "Voedselbank Lindendal" and stakeholder.inherited_from_id is not None
    assert case.budget_ceiling == 450000
    event = session.exec(
        select(AuditEvent).where(AuditEvent.case_id == case.id, AuditEvent.action == "inheritance_taken_over")
    ).one()
    assert event.details["indicators"] == 3 and event.details["stakeholders"] == 1


def test_the_cases_link_both_ways(followed_up, realised):
    case, owner = followed_up
    child_page = owner.get(f"/cases/{case.id}").text
    assert 'id="parent-case"' in child_page and realised.case.reference in child_page
    parent_page = owner.get(f"/cases/{realised.case.id}").text
    assert 'id="follow-up-cases"' in parent_page and case.reference in parent_page
    articulation = owner.get(f"/cases/{case.id}/articulation").text
    assert 'id="parent-case"' in articulation and "inherited" in articulation
    assert "Aandeel eenzame 75-plussers" in articulation and 'id="inherited-budget"' in articulation


def test_the_owner_edits_an_inherited_indicator_and_outcome(followed_up, session):
    case, owner = followed_up
    draft = follow_up.drafts_of(session, case)[0]
    page = owner.get(f"/cases/{case.id}/indicator-drafts/{draft.id}")
    assert page.status_code == 200
    response = owner.post(
        f"/cases/{case.id}/indicator-drafts/{draft.id}",
        data={
            "csrf_token": form_token(page),
            "name": draft.name,
            "baseline_value": "43,5",
            "baseline_date": "2026-10-01",
            "baseline_source": "GGD-monitor 2026",
        },
        follow_redirects=True,
    )
    assert "The inherited indicator is saved." in response.text
    session.expire_all()
    assert session.get(IndicatorDraft, draft.id).baseline_value == 43.5

    outcome = session.exec(select(Outcome).where(Outcome.case_id == case.id)).first()
    page = owner.get(f"/cases/{case.id}/outcomes/{outcome.id}")
    response = owner.post(
        f"/cases/{case.id}/outcomes/{outcome.id}",
        data={"csrf_token": form_token(page), "description": "Minder eenzaamheid, ook onder mantelzorgers."},
        follow_redirects=True,
    )
    assert "The outcome is saved." in response.text
    session.expire_all()
    changed = session.get(Outcome, outcome.id)
    assert changed.description.startswith("Minder eenzaamheid") and changed.inherited_from_id is not None

    draft_id = draft.id
    page = owner.get(f"/cases/{case.id}/indicator-drafts/{draft_id}")
    owner.post(f"/cases/{case.id}/indicator-drafts/{draft_id}/delete", data={"csrf_token": form_token(page)})
    session.expire_all()
    assert session.get(IndicatorDraft, draft_id) is None


def test_bad_input_keeps_the_draft(followed_up, session):
    case, owner = followed_up
    draft = follow_up.drafts_of(session, case)[0]
    page = owner.get(f"/cases/{case.id}/indicator-drafts/{draft.id}")
    response = owner.post(
        f"/cases/{case.id}/indicator-drafts/{draft.id}",
        data={"csrf_token": form_token(page), "name": "", "baseline_value": "veel", "baseline_date": "gisteren"},
    )
    assert response.status_code == 200 and "Not saved" in response.text
    session.expire_all()
    assert session.get(IndicatorDraft, draft.id).name == draft.name


@pytest.mark.parametrize("role", roles_without(Capability.steer_case))
def test_who_may_not_steer_cannot_edit_the_inheritance(app, followed_up, session, make_user, role):
    case, _owner = followed_up
    draft = follow_up.drafts_of(session, case)[0]
    client = app.test_client()
    login(client, make_user(role))
    assert client.get(f"/cases/{case.id}/indicator-drafts/{draft.id}").status_code in (403, 404)
    assert client.post(f"/cases/{case.id}/indicator-drafts/{draft.id}/delete").status_code in (400, 403, 404)
    session.expire_all()
    assert session.get(IndicatorDraft, draft.id) is not None


def test_a_draft_of_another_case_is_not_found(followed_up, make_case, session):
    case, owner = followed_up
    other = make_case()
    draft = follow_up.drafts_of(session, case)[0]
    assert owner.get(f"/cases/{other.id}/indicator-drafts/{draft.id}").status_code == 404


def test_the_inheritance_pages_are_accessible(followed_up, session):
    case, owner = followed_up
    draft = follow_up.drafts_of(session, case)[0]
    outcome = session.exec(select(Outcome).where(Outcome.case_id == case.id)).first()
    for path in (
        f"/cases/{case.id}",
        f"/cases/{case.id}/articulation",
        f"/cases/{case.id}/indicator-drafts/{draft.id}",
        f"/cases/{case.id}/outcomes/{outcome.id}",
    ):
        assert audit(owner, path) == [], path
