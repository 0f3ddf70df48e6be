"""Single sign-on against a real OpenID provider on loopback (tests/oidc_provider.py), not a mock: the test client
follows the app's redirect to the provider's /authorize over HTTP, comes back to the callback with the code, and
the app fetches discovery, JWKS and the token over HTTP itself."""

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from sqlmodel import select

from tendering import create_app
from tendering.models import AuditEvent, Role, User, UserSession
from tendering.parties import users

from .conftest import PASSWORD, csrf_token, form_token, login
from .oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider

OFFICIALS, COUNCIL = "tendering-officials", "raad"


@pytest.fixture
def provider():
    provider = Provider().start()
    yield provider
    provider.stop()


@pytest.fixture
def sso_config(test_config, provider):
    return {
        **test_config,
        "OIDC_ISSUER": provider.issuer,
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_ROLE_CLAIM": "roles",
        "OIDC_ROLE_MAP": f"{OFFICIALS}=official,{COUNCIL}=council_member",
        "OIDC_LABEL": "Lindendal-account",
    }


@pytest.fixture
def sso_app(sso_config):
    app = create_app(sso_config)
    yield app
    app.extensions["db_engine"].dispose()


def through_provider(client, provider, *, state=None):
    """Start at the app, let the provider answer /authorize over HTTP, and bring its redirect back to the app."""
    start = client.get("/login/sso")
    assert start.status_code == 302, start.text
    assert start.headers["Location"].startswith(f"{provider.issuer}/authorize?")
    at_provider = requests.get(start.headers["Location"], allow_redirects=False, timeout=10)
    assert at_provider.status_code == 302, at_provider.text
    back = urlsplit(at_provider.headers["Location"])
    assert (back.scheme, back.netloc, back.path) == ("http", "localhost", "/login/sso/callback")
    query = {k: v[0] for k, v in parse_qs(back.query).items()}
    if state is not None:
        query["state"] = state
    return client.get(f"{back.path}?{urlencode(query)}")


def sso_user(session, subject):
    session.expire_all()
    return session.exec(select(User).where(User.oidc_subject == subject)).first()


def actions(session):
    session.expire_all()
    return [e.action for e in session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()]


def logged_in(client) -> bool:
    return client.get("/account/sessions").status_code == 200


def test_an_official_logs_in_through_the_provider(sso_app, provider, session):
    provider.log_in_as(
        sub="fea-001",
        email="F.ElAmrani@lindendal.example",
        email_verified=True,
        name="Fatima El Amrani",
        roles=["everyone", OFFICIALS],
    )
    client = sso_app.test_client()
    page = client.get("/login")
    assert "Log in with Lindendal-account" in page.text
    response = through_provider(client, provider)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    user = sso_user(session, "fea-001")
    assert (user.email, user.name, user.role, user.oidc_issuer) == (
        "f.elamrani@lindendal.example",
        "Fatima El Amrani",
        Role.official,
        provider.issuer,
    )
    assert client.get("/cases/").status_code == 200
    assert client.get("/cases/new").status_code == 200
    sessions = session.exec(select(UserSession).where(UserSession.user_id == user.id)).all()
    assert [(s.ended_at, s.second_factor) for s in sessions] == [(None, "")]  # a normal server-side session
    assert actions(session)[-2:] == ["sso_account_created", "login"]
    # the flow was the code flow with PKCE, a state and a nonce, and one token request over HTTP
    (asked,) = provider.authorize_requests
    assert asked["response_type"] == "code" and asked["code_challenge_method"] == "S256"
    assert asked["code_challenge"] and asked["state"] and asked["nonce"] and "openid" in asked["scope"].split()
    assert provider.token_requests == 1
    # the next login finds the same account by (issuer, subject), even after the address changed at the provider
    client.post("/logout", data={"csrf_token": form_token(client.get("/account/sessions"))})
    provider.log_in_as(sub="fea-001", email="fatima@elders.example", email_verified=True, roles=[OFFICIALS])
    assert through_provider(client, provider).status_code == 302
    assert logged_in(client)
    assert len(session.exec(select(User).where(User.oidc_subject.is_not(None))).all()) == 1


def test_a_council_member_logs_in_and_gets_only_the_council_s_rights(sso_app, provider, session):
    provider.log_in_as(
        sub="raad-7", email="a.bos@raad.lindendal.example", email_verified=True, name="A. Bos", roles=COUNCIL
    )
    client = sso_app.test_client()
    assert through_provider(client, provider).status_code == 302
    assert sso_user(session, "raad-7").role == Role.council_member
    assert client.get("/cases/").status_code == 200
    assert client.get("/cases/new").status_code == 403


def test_a_claim_that_maps_to_no_role_is_refused(sso_app, provider, session):
    provider.log_in_as(sub="x-1", email="someone@lindendal.example", email_verified=True, roles=["everyone"])
    client = sso_app.test_client()
    response = through_provider(client, provider)
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert "gives no access to this platform" in client.get("/login").text
    assert sso_user(session, "x-1") is None
    assert not logged_in(client)
    assert actions(session)[-1] == "sso_login_refused"


def test_groups_for_both_roles_are_refused(sso_app, provider, session):
    provider.log_in_as(sub="x-2", email="both@lindendal.example", email_verified=True, roles=[OFFICIALS, COUNCIL])
    client = sso_app.test_client()
    through_provider(client, provider)
    assert "both officials and council members" in client.get("/login").text
    assert sso_user(session, "x-2") is None


def test_a_tampered_state_is_refused_before_any_token_is_asked(sso_app, provider, session):
    provider.log_in_as(sub="fea-002", email="j.devries@lindendal.example", email_verified=True, roles=[OFFICIALS])
    client = sso_app.test_client()
    response = through_provider(client, provider, state="forged-state")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert "did not succeed or has expired" in client.get("/login").text
    assert provider.token_requests == 0
    assert sso_user(session, "fea-002") is None
    assert not logged_in(client)


def test_a_callback_replayed_in_another_browser_is_refused(sso_app, provider, session):
    """The code comes back to a browser that did not start the login: it holds no state, so nothing happens."""
    provider.log_in_as(sub="fea-003", email="k@lindendal.example", email_verified=True, roles=[OFFICIALS])
    start = sso_app.test_client().get("/login/sso")
    at_provider = requests.get(start.headers["Location"], allow_redirects=False, timeout=10)
    back = urlsplit(at_provider.headers["Location"])
    attacker = sso_app.test_client()
    assert attacker.get(f"{back.path}?{back.query}").headers["Location"] == "/login"
    assert sso_user(session, "fea-003") is None and provider.token_requests == 0


@pytest.mark.parametrize("tamper", ["foreign_key", "audience", "expired"])
def test_an_id_token_that_does_not_validate_is_refused(sso_app, provider, session, tamper):
    provider.log_in_as(sub="fea-004", email="t@lindendal.example", email_verified=True, roles=[OFFICIALS])
    provider.tamper = tamper
    client = sso_app.test_client()
    response = through_provider(client, provider)
    assert response.headers["Location"] == "/login"
    assert provider.token_requests == 1  # the token was fetched, and its id_token refused
    assert sso_user(session, "fea-004") is None
    assert not logged_in(client)


def test_a_second_login_after_the_group_was_removed_is_refused_and_ends_access(sso_app, provider, session):
    provider.log_in_as(sub="fea-005", email="r@lindendal.example", email_verified=True, roles=[OFFICIALS])
    first = sso_app.test_client()
    through_provider(first, provider)
    assert logged_in(first)
    provider.log_in_as(sub="fea-005", email="r@lindendal.example", email_verified=True, roles=["everyone"])
    second = sso_app.test_client()
    assert through_provider(second, provider).headers["Location"] == "/login"
    assert "gives no access" in second.get("/login").text
    user = sso_user(session, "fea-005")
    assert user.active is False
    assert not logged_in(second)
    assert not logged_in(first)  # the session opened before is ended too
    assert "sso_access_removed" in actions(session)
    # the group back does not unblock by itself: an administrator does
    provider.log_in_as(sub="fea-005", email="r@lindendal.example", email_verified=True, roles=[OFFICIALS])
    third = sso_app.test_client()
    through_provider(third, provider)
    assert "Your account is blocked" in third.get("/login").text


def test_a_changed_group_changes_the_role(sso_app, provider, session):
    provider.log_in_as(sub="fea-006", email="c@lindendal.example", email_verified=True, roles=[OFFICIALS])
    through_provider(sso_app.test_client(), provider)
    provider.log_in_as(sub="fea-006", email="c@lindendal.example", email_verified=True, roles=[COUNCIL])
    client = sso_app.test_client()
    through_provider(client, provider)
    assert sso_user(session, "fea-006").role == Role.council_member
    assert client.get("/cases/new").status_code == 403
    assert "sso_role_changed" in actions(session)


@pytest.mark.parametrize("role", [Role.coalition_member, Role.admin])
def test_a_coalition_or_admin_account_is_never_reached_through_the_provider(
    sso_app, provider, session, make_user, role
):
    existing = make_user(role, email="m.jansen@delinde.example")
    provider.log_in_as(sub="cm-1", email="m.jansen@delinde.example", email_verified=True, roles=[OFFICIALS])
    client = sso_app.test_client()
    assert through_provider(client, provider).headers["Location"] == "/login"
    assert "never log in through the identity provider" in client.get("/login").text
    session.expire_all()
    assert session.get(User, existing.id).oidc_subject is None
    assert session.get(User, existing.id).role == role
    assert sso_user(session, "cm-1") is None
    assert not logged_in(client)


@pytest.mark.parametrize("mapped_to", ["coalition_member", "admin"])
def test_a_role_map_that_gives_a_coalition_or_admin_role_stops_the_start(sso_config, mapped_to):
    with pytest.raises(ValueError, match="official and council_member"):
        create_app({**sso_config, "OIDC_ROLE_MAP": f"{OFFICIALS}=official,partners={mapped_to}"})


def test_no_account_is_made_for_an_unverified_address(sso_app, provider, session):
    provider.log_in_as(sub="nieuw", email="nieuw@lindendal.example", email_verified=False, roles=[OFFICIALS])
    client = sso_app.test_client()
    through_provider(client, provider)
    assert "has not verified your e-mail address" in client.get("/login").text
    assert not logged_in(client) and sso_user(session, "nieuw") is None
    assert users.find_user_by_email(session, "nieuw@lindendal.example") is None


def test_an_existing_official_is_linked_only_by_a_verified_address(sso_app, provider, session, make_user):
    official = make_user(Role.official, email="j.devries@lindendal.example")
    provider.log_in_as(sub="jdv", email="j.devries@lindendal.example", email_verified=False, roles=[OFFICIALS])
    client = sso_app.test_client()
    through_provider(client, provider)
    assert "has not verified your e-mail address" in client.get("/login").text
    assert sso_user(session, "jdv") is None
    provider.log_in_as(sub="jdv", email="j.devries@lindendal.example", email_verified=True, roles=[OFFICIALS])
    through_provider(client, provider)
    assert logged_in(client)
    assert sso_user(session, "jdv").id == official.id
    assert "sso_account_linked" in actions(session)
    # linked: the local password no longer logs in while single sign-on is configured
    other = sso_app.test_client()
    response = other.post(
        "/login", data={"email": official.email, "password": PASSWORD, "csrf_token": csrf_token(other)}
    )
    assert response.headers["Location"] == "/login"
    assert "This account logs in through single sign-on (Lindendal-account)" in other.get("/login").text
    assert not logged_in(other)


def test_a_provider_that_did_mfa_counts_as_a_second_factor_and_one_that_did_not_does_not(sso_app, provider, session):
    provider.log_in_as(
        sub="mfa-1", email="m@lindendal.example", email_verified=True, roles=[OFFICIALS], amr=["pwd", "mfa"]
    )
    through_provider(sso_app.test_client(), provider)
    provider.log_in_as(sub="mfa-1", email="m@lindendal.example", email_verified=True, roles=[OFFICIALS], amr=["pwd"])
    through_provider(sso_app.test_client(), provider)
    user = sso_user(session, "mfa-1")
    passed = session.exec(
        select(UserSession.second_factor).where(UserSession.user_id == user.id).order_by(UserSession.id)
    )
    assert list(passed) == ["identity_provider", ""]


def test_a_configured_acr_counts_as_a_second_factor(sso_config, provider, session):
    app = create_app({**sso_config, "OIDC_MFA_ACR": "urn:lindendal:loa:substantial"})
    provider.log_in_as(
        sub="acr-1",
        email="acr@lindendal.example",
        email_verified=True,
        roles=[OFFICIALS],
        acr="urn:lindendal:loa:substantial",
    )
    through_provider(app.test_client(), provider)
    user = sso_user(session, "acr-1")
    assert session.exec(select(UserSession.second_factor).where(UserSession.user_id == user.id)).one() == (
        "identity_provider"
    )
    app.extensions["db_engine"].dispose()


def test_without_an_issuer_nothing_changes(app, client, official):
    assert "Log in with" not in client.get("/login").text
    assert client.get("/login/sso").status_code == 404
    assert client.get("/login/sso/callback?code=x&state=y").status_code == 404
    login(client, official)  # local passwords as before
    assert logged_in(client)


def test_a_user_with_an_own_authenticator_is_asked_for_its_code_unless_the_provider_did_mfa(sso_app, provider, session):
    from .test_second_factor import code_step, enrol, next_code

    provider.log_in_as(sub="totp-1", email="o@lindendal.example", email_verified=True, roles=[OFFICIALS])
    client = sso_app.test_client()
    through_provider(client, provider)
    user = sso_user(session, "totp-1")
    secret, _codes = enrol(client, session, user)
    again = sso_app.test_client()
    assert through_provider(again, provider).headers["Location"] == "/login/second-factor"
    assert not logged_in(again)
    assert code_step(again, "000000").status_code == 400
    assert code_step(again, next_code(session, user, secret)).status_code == 302
    assert logged_in(again)
    provider.log_in_as(sub="totp-1", email="o@lindendal.example", email_verified=True, roles=[OFFICIALS], amr=["mfa"])
    third = sso_app.test_client()
    assert through_provider(third, provider).headers["Location"] == "/"
    passed = session.exec(
        select(UserSession.second_factor).where(UserSession.user_id == user.id).order_by(UserSession.id)
    )
    assert list(passed) == ["", "totp", "identity_provider"]


@pytest.mark.parametrize(
    "query",
    ["", "?code=x", "?state=y", "?code=x&state=y", "?error=access_denied&error_description=nee", "?code=%C3%A9"],
)
def test_a_callback_with_hostile_or_missing_parameters_changes_nothing(sso_app, provider, session, query):
    client = sso_app.test_client()
    client.get("/login/sso")  # a login under way, with its state in the cookie
    response = client.get(f"/login/sso/callback{query}")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert session.exec(select(User).where(User.oidc_subject.is_not(None))).all() == []
    assert not logged_in(client)


def test_a_provider_that_cannot_be_reached_is_told_and_nothing_changes(sso_config, provider):
    provider.stop()
    app = create_app(sso_config)
    client = app.test_client()
    response = client.get("/login/sso")
    assert response.headers["Location"] == "/login"
    assert "Logging in with Lindendal-account is not possible now" in client.get("/login").text
    app.extensions["db_engine"].dispose()
