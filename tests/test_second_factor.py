"""The TOTP second factor: enrolling and switching off on the account page, the code step of a login, recovery
codes, and the four-eyes opening of the tender box when the install requires a second factor for it."""

import logging
import re
import time
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import update
from sqlmodel import select

from tendering import create_app
from tendering.models import AuditEvent, BoxOpening, RecoveryCode, Role, SecondFactor, UserSession, utcnow

from . import factories as f
from .conftest import PASSWORD, csrf_token, form_token, login, roles_without

PAGE = "/account/second-factor"


def secret_on(page) -> str:
    match = re.search(r'<code id="secret">([A-Z2-7]+)</code>', page.text)
    assert match, "no secret on the page"
    return match.group(1)


def last_step(session, user) -> int | None:
    session.expire_all()
    return session.exec(select(SecondFactor.last_used_step).where(SecondFactor.user_id == user.id)).first()


def next_code(session, user, secret) -> str:
    """A code the server has not accepted yet: the first step after the last one used, within the clock window."""
    now = int(time.time()) // 30
    last = last_step(session, user)
    step = now - 1 if last is None else max(last + 1, now - 1)
    if step > now + 1:  # two codes within the same half minute: let the clock move on, as the user would wait
        let_time_pass(session, user)
        step = now - 1
    return pyotp.TOTP(secret).at(step * 30)


def let_time_pass(session, user) -> None:
    session.execute(
        update(SecondFactor).where(SecondFactor.user_id == user.id).values(last_used_step=int(time.time()) // 30 - 3)
    )
    session.commit()


def enrol(client, session, user) -> tuple[str, list[str]]:
    """Switch the factor on through the account page; the secret and the recovery codes as the page showed them."""
    page = client.get(PAGE)
    client.post(f"{PAGE}/start", data={"csrf_token": form_token(page)})
    page = client.get(PAGE)
    secret = secret_on(page)
    done = client.post(
        f"{PAGE}/confirm", data={"csrf_token": form_token(page), "code": next_code(session, user, secret)}
    )
    assert done.status_code == 200, done.text
    codes = re.findall(r"<li><code>([a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4})</code></li>", done.text)
    return secret, codes


def password_step(client, user):
    return client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(client)})


def code_step(client, code):
    page = client.get("/login/second-factor")
    return client.post("/login/second-factor", data={"code": code, "csrf_token": form_token(page)})


def logged_in(client) -> bool:
    return client.get("/account/sessions").status_code == 200


@pytest.fixture
def enrolled(app, session, official, logged_in):
    client = logged_in(official)
    secret, codes = enrol(client, session, official)
    return official, secret, codes


def test_an_official_enrols_with_the_secret_as_text_and_qr_code_and_sees_it_never_again(
    app, session, official, logged_in
):
    client = logged_in(official)
    page = client.get(PAGE)
    assert "Your second factor is off." in page.text and "<svg" not in page.text
    client.post(f"{PAGE}/start", data={"csrf_token": form_token(page)})
    page = client.get(PAGE)
    secret = secret_on(page)
    assert "<svg" in page.text and "<script" not in page.text and page.headers["Cache-Control"] == "no-store"
    # a wrong code leaves it off
    wrong = client.post(
        f"{PAGE}/confirm", data={"csrf_token": form_token(page), "code": "000000"}, follow_redirects=True
    )
    assert "The code is not correct." in wrong.text
    factor = session.exec(select(SecondFactor).where(SecondFactor.user_id == official.id)).one()
    assert factor.confirmed_at is None
    assert secret not in factor.secret_encrypted  # stored encrypted
    done = client.post(
        f"{PAGE}/confirm", data={"csrf_token": form_token(page), "code": next_code(session, official, secret)}
    )
    assert "Your second factor is on" in done.text
    codes = re.findall(r"<li><code>([a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4})</code></li>", done.text)
    assert len(codes) == 10
    stored = {r.code_sha256 for r in session.exec(select(RecoveryCode).where(RecoveryCode.user_id == official.id))}
    assert len(stored) == 10 and not any(code in digest for code in codes for digest in stored)
    again = client.get(PAGE)
    assert secret not in again.text and codes[0] not in again.text and "<svg" not in again.text
    assert "10 recovery codes left." in again.text
    events = [e.action for e in session.exec(select(AuditEvent).where(AuditEvent.action.startswith("second_factor")))]
    assert events == ["second_factor_enrolment_started", "second_factor_enabled"]
    assert all(secret not in str(e.details) for e in session.exec(select(AuditEvent)))


def test_a_council_member_may_enrol_too(app, session, make_user, logged_in):
    member = make_user(Role.council_member)
    secret, codes = enrol(logged_in(member), session, member)
    assert len(codes) == 10


@pytest.mark.parametrize("role", roles_without("manage_second_factor"))
def test_coalition_members_and_admins_cannot_enrol(app, client, make_user, role):
    login(client, make_user(role))
    token = form_token(client.get("/account/sessions"))
    assert client.get(PAGE).status_code == 403
    for action in ("start", "confirm", "disable"):
        assert client.post(f"{PAGE}/{action}", data={"csrf_token": token, "code": "123456"}).status_code == 403


def test_a_visitor_is_sent_to_log_in(client):
    assert client.get(PAGE).status_code == 302
    assert client.get("/login/second-factor").headers["Location"] == "/login"


def test_after_the_right_password_the_code_is_asked_before_the_session_opens(app, session, enrolled):
    official, secret, _codes = enrolled
    client = app.test_client()
    response = password_step(client, official)
    assert response.headers["Location"] == "/login/second-factor"
    assert not logged_in(client)
    assert session.exec(select(UserSession).where(UserSession.user_id == official.id)).all()[-1].second_factor == ""
    wrong = code_step(client, "123456")
    assert wrong.status_code == 400 and "The code is not correct." in wrong.text
    assert not logged_in(client)
    right = code_step(client, next_code(session, official, secret))
    assert right.status_code == 302
    assert logged_in(client)
    session.expire_all()
    newest = session.exec(
        select(UserSession).where(UserSession.user_id == official.id).order_by(UserSession.id.desc())
    ).first()
    assert newest.second_factor == "totp" and newest.ended_at is None
    login_event = session.exec(
        select(AuditEvent).where(AuditEvent.action == "login").order_by(AuditEvent.id.desc())
    ).first()
    assert login_event.details == {"via": "password", "second_factor": "totp"}


def test_a_wrong_password_never_reaches_the_code_step(app, enrolled):
    official, _secret, _codes = enrolled
    client = app.test_client()
    client.post(
        "/login", data={"email": official.email, "password": "wrong wrong wrong", "csrf_token": csrf_token(client)}
    )
    assert client.get("/login/second-factor").headers["Location"] == "/login"


def test_a_code_is_accepted_once(app, session, enrolled):
    official, secret, _codes = enrolled
    first, second = app.test_client(), app.test_client()
    password_step(first, official)
    password_step(second, official)
    code = next_code(session, official, secret)
    assert code_step(first, code).status_code == 302
    replay = code_step(second, code)
    assert replay.status_code == 400 and "This code was used already" in replay.text
    assert not logged_in(second)


def test_wrong_codes_are_throttled_like_wrong_passwords(app, session, enrolled):
    official, secret, _codes = enrolled
    client = app.test_client()
    password_step(client, official)
    for _n in range(app.config["LOGIN_FREE_FAILURES"]):
        assert code_step(client, "000000").status_code == 400
    held = code_step(client, next_code(session, official, secret))  # even the right code waits now
    assert held.status_code == 429 and int(held.headers["Retry-After"]) > 0
    assert not logged_in(client)


def test_the_code_step_expires(app, session, enrolled):
    official, secret, _codes = enrolled
    client = app.test_client()
    password_step(client, official)
    with client.session_transaction() as cookie:
        cookie["second_factor_pending"] = {**cookie["second_factor_pending"], "at": int(time.time()) - 301}
    response = client.get("/login/second-factor")
    assert response.headers["Location"] == "/login"
    assert not logged_in(client)


def test_a_recovery_code_logs_in_once(app, session, enrolled):
    official, _secret, codes = enrolled
    client = app.test_client()
    password_step(client, official)
    assert code_step(client, codes[0].upper().replace("-", " ")).status_code == 302
    session.expire_all()
    newest = session.exec(
        select(UserSession).where(UserSession.user_id == official.id).order_by(UserSession.id.desc())
    ).first()
    assert newest.second_factor == "recovery_code"
    other = app.test_client()
    password_step(other, official)
    assert code_step(other, codes[0]).status_code == 400
    assert "9 recovery codes left." in client.get(PAGE).text


def test_switching_off_takes_a_code(app, session, enrolled):
    official, secret, _codes = enrolled
    client = app.test_client()
    password_step(client, official)
    code_step(client, next_code(session, official, secret))
    page = client.get(PAGE)
    refused = client.post(
        f"{PAGE}/disable", data={"csrf_token": form_token(page), "code": "000000"}, follow_redirects=True
    )
    assert "The code is not correct." in refused.text
    assert session.exec(select(SecondFactor).where(SecondFactor.user_id == official.id)).first() is not None
    let_time_pass(session, official)
    done = client.post(
        f"{PAGE}/disable",
        data={"csrf_token": form_token(page), "code": next_code(session, official, secret)},
        follow_redirects=True,
    )
    assert "Your second factor is off." in done.text
    session.expire_all()
    assert session.exec(select(SecondFactor).where(SecondFactor.user_id == official.id)).first() is None
    assert session.exec(select(RecoveryCode).where(RecoveryCode.user_id == official.id)).all() == []
    # and the next login needs the password only
    fresh = app.test_client()
    assert password_step(fresh, official).headers["Location"] == "/"


def test_switching_off_is_throttled_like_the_login(app, session, enrolled):
    """A session left open (or stolen) cannot guess the code that switches the factor off."""
    official, secret, codes = enrolled
    client = app.test_client()
    password_step(client, official)
    code_step(client, next_code(session, official, secret))
    page = client.get(PAGE)
    answers = [
        client.post(f"{PAGE}/disable", data={"csrf_token": form_token(page), "code": f"{n:06d}"}).status_code
        for n in range(8)
    ]
    assert answers[-1] == 429 and answers.count(429) >= 2, answers
    # even the right recovery code waits until the throttle lets go
    assert client.post(f"{PAGE}/disable", data={"csrf_token": form_token(page), "code": codes[0]}).status_code == 429
    session.expire_all()
    assert session.exec(select(SecondFactor).where(SecondFactor.user_id == official.id)).first() is not None


def test_setting_up_takes_a_recent_login(app, session, official, logged_in):
    """An authenticator put on an account by whoever holds an old session would lock its owner out."""
    client = logged_in(official)
    session.exec(update(UserSession).values(created_at=utcnow() - timedelta(minutes=11)))
    session.commit()
    page = client.get(PAGE)
    refused = client.post(f"{PAGE}/start", data={"csrf_token": form_token(page)}, follow_redirects=True)
    assert "log in again first" in refused.text and 'id="secret"' not in refused.text
    assert session.exec(select(SecondFactor).where(SecondFactor.user_id == official.id)).first() is None


def test_the_secret_is_never_logged(app, session, official, logged_in, caplog):
    caplog.set_level(logging.DEBUG)
    client = logged_in(official)
    secret, codes = enrol(client, session, official)
    other = app.test_client()
    password_step(other, official)
    code_step(other, next_code(session, official, secret))
    assert secret not in caplog.text and not any(code in caplog.text for code in codes)


# The four-eyes opening with REQUIRE_SECOND_FACTOR_FOR_OPENING ---------------------------------------------------------


@pytest.fixture
def strict_app(test_config):
    app = create_app({**test_config, "REQUIRE_SECOND_FACTOR_FOR_OPENING": True})
    yield app
    app.extensions["db_engine"].dispose()


def open_box(client, case):
    token = form_token(client.get(f"/cases/{case.id}/proposals"))
    return client.post(f"/cases/{case.id}/proposals/open", data={"csrf_token": token}, follow_redirects=True)


def openings(session, case):
    session.expire_all()
    return session.exec(select(BoxOpening).where(BoxOpening.case_id == case.id)).all()


def log_in_with_code(app, session, user, secret):
    client = app.test_client()
    assert password_step(client, user).headers["Location"] == "/login/second-factor"
    assert code_step(client, next_code(session, user, secret)).status_code == 302
    return client


def test_the_opening_needs_a_second_factor_of_both_officials_when_the_install_says_so(strict_app, session, sealed):
    case, owner, evaluator = sealed.case, sealed.users["owner"], sealed.users["evaluator"]
    f.pass_deadline(session, case)
    client = strict_app.test_client()
    password_step(client, owner)
    page = client.get(f"/cases/{case.id}/proposals")
    assert 'id="second-factor-needed"' in page.text  # the page explains it before anyone tries
    refused = open_box(client, case)
    assert "both officials must have one switched on" in refused.text
    assert openings(session, case) == []
    # switched on, but this login did not use it
    owner_secret, _codes = enrol(client, session, owner)
    assert "this login did not use one" in open_box(client, case).text
    assert openings(session, case) == []
    # logged in with the code: the request is accepted
    owner_client = log_in_with_code(strict_app, session, owner, owner_secret)
    assert "Opening requested" in open_box(owner_client, case).text
    # the second official without a second factor cannot confirm
    second = strict_app.test_client()
    password_step(second, evaluator)
    assert "both officials must have one switched on" in open_box(second, case).text
    (opening,) = openings(session, case)
    assert opening.opened_at is None
    evaluator_secret, _codes = enrol(second, session, evaluator)
    evaluator_client = log_in_with_code(strict_app, session, evaluator, evaluator_secret)
    assert "The tender box is open." in open_box(evaluator_client, case).text
    (opening,) = openings(session, case)
    assert opening.opened_at is not None and opening.opened_by_id == evaluator.id


def test_without_the_setting_the_opening_needs_no_second_factor(app, session, sealed):
    case, owner, evaluator = sealed.case, sealed.users["owner"], sealed.users["evaluator"]
    f.pass_deadline(session, case)
    clients = []
    for user in (owner, evaluator):
        client = app.test_client()
        password_step(client, user)
        clients.append(client)
    assert 'id="second-factor-needed"' not in clients[0].get(f"/cases/{case.id}/proposals").text
    open_box(clients[0], case)
    assert "The tender box is open." in open_box(clients[1], case).text


@pytest.mark.parametrize("code", ["", "١٢٣٤٥٦", "x" * 20, "1" * 21, " 1 2 3 4 5 6 ", "<script>", "00000a", "9999999"])
def test_hostile_codes_are_refused_without_a_server_error_or_a_change(app, session, enrolled, code):
    official, secret, _codes = enrolled
    client = app.test_client()
    password_step(client, official)
    assert code_step(client, code).status_code in (200, 400)
    assert not logged_in(client)
    owner = app.test_client()
    password_step(owner, official)
    code_step(owner, next_code(session, official, secret))
    before = last_step(session, official)
    token = form_token(owner.get(PAGE))
    for action in ("confirm", "disable"):
        response = owner.post(f"{PAGE}/{action}", data={"csrf_token": token, "code": code})
        assert response.status_code in (302, 400), response.text
    assert (
        owner.post(f"{PAGE}/disable", data={"code": next_code(session, official, secret)}).status_code == 400
    )  # no CSRF
    assert last_step(session, official) == before
    assert session.exec(select(SecondFactor).where(SecondFactor.user_id == official.id)).one().confirmed_at is not None
