"""The reporting API: hashed, revocable tokens per coalition; the same rules as the screens; an OpenAPI description."""

import re

from openapi_spec_validator import validate
from sqlmodel import select

from tendering.models import ApiToken, Measurement
from tendering.realisation import monitoring

from .conftest import form_token
from .evaluation_helpers import as_
from .monitoring_helpers import add_realised


def new_token(app, realised, name="GGD-koppeling"):
    member = as_(app, realised.member)
    page = member.get(f"/coalitions/{realised.coalition.id}/indicators")
    response = member.post(
        f"/coalitions/{realised.coalition.id}/api-tokens", data={"csrf_token": form_token(page), "name": name}
    )
    assert response.headers["Cache-Control"] == "no-store"
    return re.search(r'<code id="new-token">([^<]+)</code>', response.text).group(1)


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def first_period(realised, indicator):
    return monitoring.periods(indicator.frequency, realised.agreement.starts_on, realised.agreement.ends_on)[
        0
    ].starts_on.isoformat()


def test_the_token_is_shown_once_and_stored_hashed(app, realised, session):
    token = new_token(app, realised)
    stored = session.exec(select(ApiToken)).one()
    assert token not in (stored.token_hash, stored.prefix) and len(stored.token_hash) == 64
    assert token not in as_(app, realised.member).get(f"/coalitions/{realised.coalition.id}/indicators").text


def test_a_token_reports_and_reads_like_the_screens(app, client, realised, session):
    headers = bearer(new_token(app, realised))
    listed = client.get("/api/v1/indicators", headers=headers).get_json()["indicators"]
    assert {i["name"] for i in listed} == {
        "Aandeel eenzame 75-plussers",
        "Actieve vrijwilligers",
        "Kosten per deelnemer",
    }
    url = f"/api/v1/indicators/{realised.loneliness.id}/measurements"
    period = first_period(realised, realised.loneliness)
    created = client.post(url, json={"period": period, "value": 45, "source": "GGD"}, headers=headers)
    assert created.status_code == 201 and created.get_json()["value"] == 45
    again = client.post(url, json={"period": period, "value": 44}, headers=headers)
    assert again.status_code == 400 and "reason for the correction" in again.get_json()["error"]
    assert (
        client.post(
            url, json={"period": period, "value": 44, "correction_reason": "Herzien."}, headers=headers
        ).status_code
        == 201
    )
    history = client.get(url, headers=headers).get_json()["measurements"]
    assert [(m["value"], m["in_force"]) for m in history] == [(44, True), (45, False)]
    assert client.post(url, json={"period": "gisteren", "value": 1}, headers=headers).status_code == 400
    assert client.post(url, data="geen json", headers=headers).status_code == 400


def test_bulk_is_all_or_nothing(app, client, realised, session):
    headers = bearer(new_token(app, realised))
    period = first_period(realised, realised.loneliness)
    refused = client.post(
        "/api/v1/measurements",
        headers=headers,
        json={
            "measurements": [
                {"indicator": realised.loneliness.id, "period": period, "value": 45},
                {"indicator": "Actieve vrijwilligers", "period": period, "value": "veel"},
            ]
        },
    )
    assert refused.status_code == 400 and refused.get_json()["problems"] == [
        {"row": 2, "field": "value", "message": "Not a valid number."}
    ]
    assert session.exec(select(Measurement)).all() == []
    stored = client.post(
        "/api/v1/measurements",
        headers=headers,
        json={
            "measurements": [
                {"indicator": realised.loneliness.id, "period": period, "value": 45},
                {"indicator": "Actieve vrijwilligers", "period": period, "value": 120},
            ]
        },
    )
    assert stored.status_code == 201 and stored.get_json() == {"imported": 2}


def test_a_revoked_token_and_another_coalitions_indicator_are_refused(
    app, client, realised, session, make_case, make_user, official
):
    token = new_token(app, realised)
    other = add_realised(session, make_case, make_user, official, title="Jeugd", coalition_name="Sportief Samen")
    url = f"/api/v1/indicators/{other.loneliness.id}/measurements"
    assert client.get(url, headers=bearer(token)).status_code == 404
    assert (
        client.post(
            url, json={"period": first_period(other, other.loneliness), "value": 1}, headers=bearer(token)
        ).status_code
        == 404
    )
    member = as_(app, realised.member)
    page = member.get(f"/coalitions/{realised.coalition.id}/indicators")
    stored = session.exec(select(ApiToken)).one()
    assert as_(app, other.member).post(
        f"/coalitions/{realised.coalition.id}/api-tokens/{stored.id}/revoke", data={"csrf_token": form_token(page)}
    ).status_code in (400, 404)
    member.post(
        f"/coalitions/{realised.coalition.id}/api-tokens/{stored.id}/revoke", data={"csrf_token": form_token(page)}
    )
    refused = client.get("/api/v1/indicators", headers=bearer(token))
    assert refused.status_code == 401 and refused.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/api/v1/indicators").status_code == 401
    assert client.get("/api/v1/indicators", headers=bearer("tnd_verzonnen")).status_code == 401
    assert session.exec(select(Measurement)).all() == []


def test_the_openapi_document_is_valid_and_lists_every_route(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    validate(spec)
    documented = {"/api/v1" + path for path in spec["paths"]}
    served = {
        re.sub(r"<int:(\w+)>", r"{\1}", rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.openapi"
    }
    assert served == documented
