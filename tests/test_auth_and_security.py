"""Login, logout, throttling, CSRF, cookies and headers; roles on the server."""

import pytest
from sqlmodel import select

from tendering.access import Capability
from tendering.models import AuditEvent, Role

from .conftest import PASSWORD, csrf_token, form_token, login, roles_without


def test_official_logs_in_and_out(client, official):
    response = login(client, official)
    assert response.location == "/"
    page = client.get("/cases/")
    assert page.status_code == 200
    out = client.post("/logout", data={"csrf_token": form_token(page)})
    assert out.status_code == 302
    assert client.get("/cases/").status_code == 302


def test_wrong_password_is_refused_with_a_message_and_audited(client, session, official):
    response = client.post(
        "/login", data={"email": official.email, "password": "wrong password!", "csrf_token": csrf_token(client)}
    )
    assert response.status_code == 200
    assert "incorrect" in response.text
    failed = session.exec(select(AuditEvent).where(AuditEvent.action == "login_failed")).all()
    assert [e.details["email"] for e in failed] == [official.email]


def test_unknown_account_gets_the_same_message(client):
    response = client.post(
        "/login", data={"email": "nobody@example.org", "password": PASSWORD, "csrf_token": csrf_token(client)}
    )
    assert "The e-mail address or password is incorrect." in response.text


def test_deactivated_user_cannot_log_in(client, session, official):
    official.active = False
    session.add(official)
    session.commit()
    response = client.post(
        "/login", data={"email": official.email, "password": PASSWORD, "csrf_token": csrf_token(client)}
    )
    assert response.status_code == 200 and "incorrect" in response.text


def test_password_is_hashed_with_scrypt(official):
    assert official.password_hash.startswith("scrypt:") and PASSWORD not in official.password_hash


def test_login_attempts_are_throttled(app, client, official):
    """Wrong passwords are held back after a few; then even the right one waits, on a browser that never logged in
    (a known browser does not: tests/test_login_throttle.py)."""
    app.config["LOGIN_FREE_FAILURES"] = 3
    token = csrf_token(client)
    statuses = [
        client.post("/login", data={"email": official.email, "password": "nope", "csrf_token": token}).status_code
        for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    refused = client.post("/login", data={"email": official.email, "password": PASSWORD, "csrf_token": token})
    assert refused.status_code == 429 and "Too many attempts" in refused.text


def test_post_without_csrf_token_is_refused(client, official):
    response = client.post("/login", data={"email": official.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "The form has expired" in response.text


def test_security_headers_are_set(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_session_cookie_flags(app, client, official):
    app.config["SESSION_COOKIE_SECURE"] = True
    response = client.post(
        "/login", data={"email": official.email, "password": PASSWORD, "csrf_token": csrf_token(client)}
    )
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=Lax" in cookie


def test_session_is_renewed_on_login_against_fixation(client, official):
    client.get("/login")
    with client.session_transaction() as before:
        before["planted"] = "by an attacker"
    login(client, official)
    with client.session_transaction() as after:
        assert "planted" not in after


OFF_SITE = [
    "//evil.example/",
    "https://evil.example/",
    "/\\\\evil.example",
    "/%09/evil.example",  # Werkzeug drops the tab from the Location: //evil.example
    "/%09%09/evil.example",
    "/%0d%0aSet-Cookie:%20x=y",  # a line break would be a header error, not a redirect
    "/%20/evil.example",
    "/%7f/evil.example",
]


@pytest.mark.parametrize("target", OFF_SITE)
def test_login_never_redirects_off_site(client, official, target):
    response = client.post(
        f"/login?next={target}",
        data={"email": official.email, "password": PASSWORD, "csrf_token": csrf_token(client)},
    )
    assert response.status_code == 302 and response.location == "/"


@pytest.mark.parametrize("target", OFF_SITE)
def test_the_language_switch_never_redirects_off_site(client, target):
    response = client.get(f"/language/en?next={target}")
    assert response.status_code == 302 and response.location == "/"


def test_the_language_switch_keeps_a_same_site_page(client):
    assert client.get("/language/en?next=/tenders/%3Fq%3Dzorg").location == "/tenders/?q=zorg"


OFFICIAL_PAGES = ["/cases/new", "/cases/{id}/edit"]
READER_PAGES = ["/cases/", "/cases/{id}"]
POSTS = ["/cases/{id}/transition", "/cases/{id}/outcomes", "/cases/{id}/edit", "/cases/new"]


@pytest.mark.parametrize("path", OFFICIAL_PAGES + READER_PAGES)
def test_anonymous_visitor_is_sent_to_login(client, make_case, path):
    case = make_case()
    response = client.get(path.format(id=case.id))
    assert response.status_code == 302 and response.location.startswith("/login")


@pytest.mark.parametrize("role", roles_without(Capability.read_cases))
@pytest.mark.parametrize("path", OFFICIAL_PAGES + READER_PAGES)
def test_roles_without_case_access_are_refused(logged_in, make_user, make_case, role, path):
    case = make_case()
    client = logged_in(make_user(role))
    assert client.get(path.format(id=case.id)).status_code == 403


def test_council_member_reads_case_but_cannot_steer_it(logged_in, make_user, make_case, session):
    case = make_case()
    client = logged_in(make_user(Role.council_member))
    page = client.get(f"/cases/{case.id}")
    assert page.status_code == 200
    assert 'action="/cases/%d/transition"' % case.id not in page.text
    assert client.get(f"/cases/{case.id}/edit").status_code == 403
    token = form_token(page)
    for path in POSTS:
        response = client.post(
            path.format(id=case.id),
            data={
                "csrf_token": token,
                "trigger": "cancel",
                "version": 1,
                "reason": "x",
                "title": "x",
                "description": "x",
            },
        )
        assert response.status_code == 403, path
    session.refresh(case)
    assert case.state == "articulation" and case.version == 1
