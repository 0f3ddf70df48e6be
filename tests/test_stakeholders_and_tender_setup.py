"""The stakeholder register and the tender set-up that publication checks."""

from datetime import timedelta

import pytest
from sqlmodel import select

from tendering.access import Capability
from tendering.models import AwardCriterion, ContactMoment, Stakeholder, utcnow

from . import factories as f
from .conftest import form_token, roles_without


def stakeholder_data(token, **overrides):
    data = {
        "csrf_token": token,
        "name": "Voedselbank Lindendal",
        "category": "Sociaal",
        "interest": "4",
        "influence": "2",
        "usual_partner": "surprising",
        "strengths": "Kent de kwetsbare huishoudens.",
    }
    data.update(overrides)
    return data


def test_official_builds_the_register_and_the_grid_shows_it(logged_in, official, make_case, session):
    case = make_case(state="stakeholder_analysis")
    client = logged_in(official)
    token = form_token(client.get(f"/cases/{case.id}/stakeholders"))
    assert client.post(f"/cases/{case.id}/stakeholders", data=stakeholder_data(token)).status_code == 302
    page = client.get(f"/cases/{case.id}/stakeholders").text
    assert "<title>Voedselbank Lindendal</title>" in page  # the SVG point
    assert '<th scope="row" class="utrecht-table__cell">Voedselbank Lindendal</th>' in page  # the same data as a table
    assert 'id="usual-partners-warning"' not in page


def test_warning_when_every_stakeholder_is_a_usual_partner(logged_in, official, make_case):
    case = make_case(state="stakeholder_analysis")
    client = logged_in(official)
    token = form_token(client.get(f"/cases/{case.id}/stakeholders"))
    client.post(f"/cases/{case.id}/stakeholders", data=stakeholder_data(token, usual_partner="usual"))
    assert 'id="usual-partners-warning"' in client.get(f"/cases/{case.id}/stakeholders").text


@pytest.mark.parametrize("overrides", [{"interest": "7"}, {"influence": "0"}, {"name": ""}, {"interest": "veel"}])
def test_bad_stakeholder_input_is_refused_and_nothing_stored(logged_in, official, make_case, session, overrides):
    case = make_case(state="stakeholder_analysis")
    client = logged_in(official)
    token = form_token(client.get(f"/cases/{case.id}/stakeholders"))
    response = client.post(f"/cases/{case.id}/stakeholders", data=stakeholder_data(token, **overrides))
    assert response.status_code == 400
    assert session.exec(select(Stakeholder)).all() == []


def test_edit_and_remove_a_stakeholder(logged_in, official, make_case, session):
    case = make_case(state="stakeholder_analysis")
    f.analyse_stakeholders(session, case, count=1)
    stakeholder = session.exec(select(Stakeholder)).one()
    client = logged_in(official)
    token = form_token(client.get(f"/cases/{case.id}/stakeholders/{stakeholder.id}/edit"))
    client.post(f"/cases/{case.id}/stakeholders/{stakeholder.id}/edit", data=stakeholder_data(token, name="Sportclub"))
    session.refresh(stakeholder)
    assert stakeholder.name == "Sportclub" and not stakeholder.usual_partner
    client.post(f"/cases/{case.id}/stakeholders/{stakeholder.id}/delete", data={"csrf_token": token})
    session.expire_all()
    assert session.exec(select(Stakeholder)).all() == []


def test_stakeholder_of_another_case_is_not_found(logged_in, official, make_case, session):
    mine, other = make_case(state="stakeholder_analysis"), make_case(title="Ander", state="stakeholder_analysis")
    f.analyse_stakeholders(session, other, count=1)
    stakeholder = session.exec(select(Stakeholder)).one()
    client = logged_in(official)
    assert client.get(f"/cases/{mine.id}/stakeholders/{stakeholder.id}/edit").status_code == 404


@pytest.mark.parametrize("role", roles_without(Capability.steer_case))
def test_only_officials_change_the_register(logged_in, make_user, make_case, role, session):
    case = make_case(state="stakeholder_analysis")
    client = logged_in(make_user(role))
    token = form_token(client.get("/"))
    assert client.post(f"/cases/{case.id}/stakeholders", data=stakeholder_data(token)).status_code == 403
    assert session.exec(select(Stakeholder)).all() == []


def test_three_stakeholders_open_coalition_forming(session, make_case, official):
    from tendering.core.errors import GuardFailed
    from tendering.workflow.engine import fire

    case = make_case(state="stakeholder_analysis")
    f.analyse_stakeholders(session, case, count=2)
    with pytest.raises(GuardFailed) as refused:
        fire(session, case, "start_coalition_forming", actor=official)
    assert refused.value.reasons == ["2 of at least 3 stakeholders analysed."]
    f.analyse_stakeholders(session, case, count=1)
    fire(session, case, "start_coalition_forming", actor=official)


def test_contact_moments_are_logged(logged_in, official, make_case, session):
    case = make_case(state="coalition_forming")
    client = logged_in(official)
    token = form_token(client.get(f"/cases/{case.id}/coalition-forming"))
    client.post(
        f"/cases/{case.id}/contacts",
        data={
            "csrf_token": token,
            "kind": "visit",
            "held_on": "2026-11-20",
            "with_whom": "Voetbalvereniging",
            "result": "Kantine beschikbaar",
        },
    )
    moment = session.exec(select(ContactMoment)).one()
    assert moment.kind.value == "visit" and moment.recorded_by_id == official.id
    assert "Kantine beschikbaar" in client.get(f"/cases/{case.id}/coalition-forming").text


def add_criterion(client, case, token, name, weight, price=False):
    data = {"csrf_token": token, "name": name, "weight": str(weight), "scale_max": "10"}
    if price:
        data["is_price"] = "y"
    return client.post(f"/cases/{case.id}/criteria", data=data)


def ready_to_publish(session, case, official):
    f.articulate(session, case, official)


def publish(client, case, token):
    return client.post(
        f"/cases/{case.id}/transition",
        data={"csrf_token": token, "trigger": "publish", "version": case.version},
        follow_redirects=True,
    )


def set_deadlines(client, case, token, clarification, submission, follow_redirects=False):
    return client.post(
        f"/cases/{case.id}/procedure",
        data={
            "csrf_token": token,
            "clarification_deadline": clarification,
            "submission_deadline": submission,
            "min_partners": "2",
        },
        follow_redirects=follow_redirects,
    )


def local(dt):
    from zoneinfo import ZoneInfo

    return dt.astimezone(ZoneInfo("Europe/Amsterdam")).strftime("%Y-%m-%dT%H:%M")


def test_weights_not_adding_up_to_100_block_publish_with_the_reason(logged_in, official, make_case, session):
    case = make_case(state="coalition_forming")
    ready_to_publish(session, case, official)
    client = logged_in(official)
    token = form_token(client.get(f"/cases/{case.id}/tender"))
    add_criterion(client, case, token, "Aanpak", 60)
    add_criterion(client, case, token, "Prijs", 30, price=True)
    submission = utcnow().replace(second=0, microsecond=0) + timedelta(days=30)
    set_deadlines(client, case, token, local(utcnow() + timedelta(days=7)), local(submission))
    session.refresh(case)
    assert case.submission_deadline == submission  # typed in Amsterdam time, stored as the same instant in UTC
    assert "The weights add up to 90" in client.get(f"/cases/{case.id}/tender").text
    session.refresh(case)
    response = publish(client, case, token)
    assert "The weights of the award criteria add up to 90, not 100." in response.text
    session.refresh(case)
    assert case.state == "coalition_forming"


def test_price_outweighing_the_rest_is_warned_about(logged_in, official, make_case):
    case = make_case(state="coalition_forming")
    client = logged_in(official)
    token = form_token(client.get(f"/cases/{case.id}/tender"))
    add_criterion(client, case, token, "Aanpak", 40)
    add_criterion(client, case, token, "Prijs", 60, price=True)
    assert 'id="price-warning"' in client.get(f"/cases/{case.id}/tender").text


def test_reversed_deadlines_are_refused_when_set(logged_in, official, make_case, session):
    case = make_case(state="coalition_forming")
    client = logged_in(official)
    token = form_token(client.get(f"/cases/{case.id}/tender"))
    response = set_deadlines(
        client,
        case,
        token,
        local(utcnow() + timedelta(days=30)),
        local(utcnow() + timedelta(days=7)),
        follow_redirects=True,
    )
    assert "The clarification deadline must come before the submission deadline." in response.text
    session.refresh(case)
    assert case.submission_deadline is None


@pytest.mark.parametrize("days, saved", [("30", 30), ("5", 20), ("veel", 20)])
def test_standstill_period_is_set_with_the_procedure_within_bounds(
    logged_in, official, make_case, session, days, saved
):
    case = make_case(state="coalition_forming")
    client = logged_in(official)
    token = form_token(client.get(f"/cases/{case.id}/tender"))
    response = client.post(
        f"/cases/{case.id}/procedure",
        data={"csrf_token": token, "min_partners": "2", "standstill_days": days},
        follow_redirects=True,
    )
    session.refresh(case)
    assert case.standstill_days == saved
    assert response.status_code == 200 and (
        saved == 30 or "only possible in a national procedure" in response.text or "valid integer" in response.text
    )


@pytest.mark.parametrize(
    "clarification_days, submission_days, reason",
    [
        (-2, 10, "The deadline for clarification questions has already passed."),
        (-5, -1, "The submission deadline has already passed."),
        (10, 5, "The clarification deadline must come before the submission deadline."),
    ],
)
def test_bad_deadlines_block_publish_with_the_reason(
    session, make_case, official, logged_in, clarification_days, submission_days, reason
):
    case = make_case(state="coalition_forming")
    ready_to_publish(session, case, official)
    session.add_all([AwardCriterion(case_id=case.id, name="Aanpak", weight=100)])
    case.clarification_deadline = utcnow() + timedelta(days=clarification_days)
    case.submission_deadline = utcnow() + timedelta(days=submission_days)
    session.commit()
    client = logged_in(official)
    response = publish(client, case, form_token(client.get(f"/cases/{case.id}")))
    assert reason in response.text
    session.refresh(case)
    assert case.state == "coalition_forming"


def test_variant_is_chosen_before_publication_only(logged_in, official, make_case, session):
    case = make_case(state="coalition_forming")
    client = logged_in(official)
    token = form_token(client.get(f"/cases/{case.id}/tender"))
    client.post(f"/cases/{case.id}/variant", data={"csrf_token": token, "workflow": "strategy_then_realisation"})
    session.refresh(case)
    assert case.workflow == "strategy_then_realisation"
    case.state = "tendering"
    session.commit()
    response = client.post(
        f"/cases/{case.id}/variant", data={"csrf_token": token, "workflow": "social_tender"}, follow_redirects=True
    )
    assert "The procedure can only be chosen before publication." in response.text
    session.refresh(case)
    assert case.workflow == "strategy_then_realisation"


def test_price_formula_is_chosen_at_set_up_for_the_price_criterion_only(logged_in, official, make_case, session):
    case = make_case(state="coalition_forming")
    client = logged_in(official)
    token = form_token(client.get(f"/cases/{case.id}/tender"))
    client.post(
        f"/cases/{case.id}/criteria",
        data={
            "csrf_token": token,
            "name": "Prijs",
            "weight": "30",
            "scale_max": "10",
            "is_price": "y",
            "price_formula": "lowest",
        },
    )
    refused = client.post(
        f"/cases/{case.id}/criteria",
        data={"csrf_token": token, "name": "Aanpak", "weight": "70", "scale_max": "10", "price_formula": "ceiling"},
        follow_redirects=True,
    )
    assert "A price formula applies only to the price criterion." in refused.text
    assert [(c.name, c.price_formula) for c in session.exec(select(AwardCriterion)).all()] == [("Prijs", "lowest")]
