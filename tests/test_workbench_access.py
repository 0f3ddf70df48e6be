"""Every write route of the workbench refuses users who may not use it, and changes nothing."""

import pytest
from sqlmodel import func, select

from tendering.models import AuditEvent, Role

from . import factories as f
from .conftest import form_token

ROUTES = [
    ("/cases/{id}/frameworks", {"kind": "legal", "description": "Wmo"}),
    ("/cases/{id}/frameworks/1/delete", {}),
    ("/cases/{id}/suitability", {}),
    ("/cases/{id}/stakeholders", {"name": "X", "interest": "3", "influence": "3", "usual_partner": "usual"}),
    ("/cases/{id}/stakeholders/1/edit", {"name": "X", "interest": "3", "influence": "3", "usual_partner": "usual"}),
    ("/cases/{id}/stakeholders/1/delete", {}),
    ("/cases/{id}/contacts", {"kind": "visit", "held_on": "2026-11-01", "with_whom": "X"}),
    ("/cases/{id}/criteria", {"name": "X", "weight": "10", "scale_max": "10"}),
    ("/cases/{id}/criteria/1/delete", {}),
    ("/cases/{id}/procedure", {"min_partners": "2"}),
    ("/cases/{id}/variant", {"workflow": "social_tender"}),
    ("/cases/{id}/clarifications/1/answer", {"answer": "Ja."}),
    ("/cases/{id}/notas", {}),
    ("/cases/{id}/outcomes", {"description": "X"}),
    ("/cases/{id}/edit", {"title": "X", "version": "1"}),
    ("/cases/{id}/transition", {"trigger": "cancel", "version": "1", "reason": "X"}),
]


@pytest.mark.parametrize("role", [Role.council_member, Role.coalition_member, Role.admin])
@pytest.mark.parametrize("path, data", ROUTES, ids=[r[0] for r in ROUTES])
def test_write_routes_refuse_other_roles(logged_in, make_user, make_case, official, session, role, path, data):
    case = make_case(state="stakeholder_analysis")
    f.analyse_stakeholders(session, case, count=1)
    client = logged_in(make_user(role))
    token = form_token(client.get("/"))
    before = session.exec(select(func.count()).select_from(AuditEvent)).one()  # the login is audited too
    response = client.post(path.format(id=case.id), data={"csrf_token": token, **data})
    assert response.status_code == 403
    assert session.exec(select(func.count()).select_from(AuditEvent)).one() == before


@pytest.mark.parametrize("path, data", ROUTES, ids=[r[0] for r in ROUTES])
def test_write_routes_send_anonymous_visitors_to_login(client, make_case, path, data):
    case = make_case()
    token = form_token(client.get("/login"))
    response = client.post(path.format(id=case.id), data={"csrf_token": token, **data})
    assert response.status_code == 302 and response.location.startswith("/login")
