"""A forgotten password: a mailed, signed, expiring link that works once, and a page that tells nobody which
addresses have an account."""

import re
from datetime import timedelta

from itsdangerous import URLSafeTimedSerializer
from sqlmodel import select

from tendering.models import AuditEvent, OutboxMessage, Role, User, UserSession, utcnow
from tendering.parties import users

from .conftest import PASSWORD, form_token, login

NEW_PASSWORD = "lantaarn kievit boomgaard spinnewiel"


def ask_reset(client, email):
    page = client.get("/password/forgot")
    return client.post("/password/forgot", data={"csrf_token": form_token(page), "email": email})


def mails_to(session, address):
    return session.exec(
        select(OutboxMessage).where(OutboxMessage.to_address == address).order_by(OutboxMessage.id)
    ).all()


def reset_link(message):
    return re.search(r"http://localhost(/password/reset/\S+)", message.body).group(1)


def choose(client, link, password=NEW_PASSWORD, confirm=None):
    page = client.get(link)
    return client.post(
        link, data={"csrf_token": form_token(page), "password": password, "confirm": confirm or password}
    )


def password_works(app, user, password) -> bool:
    client = app.test_client()
    page = client.get("/login")
    response = client.post("/login", data={"email": user.email, "password": password, "csrf_token": form_token(page)})
    return response.status_code == 302


def test_the_login_page_links_to_the_reset(client):
    assert 'href="/password/forgot"' in client.get("/login").text


def test_a_mailed_link_sets_a_new_password_and_ends_every_other_login(app, client, make_user, session):
    user = make_user(Role.coalition_member)
    elsewhere = app.test_client()
    login(elsewhere, user)
    assert elsewhere.get("/account/sessions").status_code == 200
    response = ask_reset(client, user.email)
    assert response.status_code == 302 and response.location == "/password/forgot/sent"
    assert "Check your e-mail" in client.get(response.location).text
    (message,) = mails_to(session, user.email)
    assert message.subject == "Choose a new password" and "60 minutes" in message.body
    link = reset_link(message)
    assert client.get(link).status_code == 200  # opening it changes nothing
    assert password_works(app, user, PASSWORD)
    done = choose(client, link)
    assert done.status_code == 302 and done.location == "/login"  # the login asks what else the account needs
    assert "Log in with it" in client.get(done.location).text
    assert elsewhere.get("/account/sessions").status_code == 302  # the other login is ended
    assert password_works(app, user, NEW_PASSWORD) and not password_works(app, user, PASSWORD)
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "password_reset")).one()
    assert event.actor_id == user.id and event.details["sessions_ended"] >= 1
    ended = session.exec(select(UserSession).where(UserSession.ended_reason == "password_reset")).all()
    assert len(ended) >= 1


def test_an_unknown_address_gets_the_identical_answer(app, make_user, session):
    user = make_user(Role.official)
    answers = []
    for email in (user.email, "niemand@example.org"):
        client = app.test_client()
        response = ask_reset(client, email)
        page = client.get(response.location)
        answers.append((response.status_code, response.location, page.status_code, page.text))
    assert answers[0] == answers[1]
    (notice,) = mails_to(session, "niemand@example.org")
    assert "/password/reset/" not in notice.body and "no active account" in notice.body
    assert "/password/reset/" in mails_to(session, user.email)[0].body
    requested = session.exec(select(AuditEvent).where(AuditEvent.action == "password_reset_requested")).all()
    assert len(requested) == 2


def test_something_that_is_not_one_address_is_refused_and_mails_nobody(client, session):
    for wrong in ("geen adres", "a@example.org,b@example.org", "a@example.org\nBcc: b@example.org"):
        response = ask_reset(client, wrong)
        assert response.status_code == 400 and "valid e-mail address" in response.text, wrong
    assert session.exec(select(OutboxMessage)).all() == []


def test_the_service_does_the_same_work_for_known_and_unknown_addresses(app, make_user, session, monkeypatch):
    """No timing difference by skipping work: both sign a token, compose one mail, queue it and audit."""
    user = make_user(Role.official)
    calls = []
    for name in ("compose", "queue"):
        original = getattr(users.mail, name)
        monkeypatch.setattr(
            users.mail, name, lambda *a, _original=original, _name=name, **k: calls.append(_name) or _original(*a, **k)
        )
    with app.test_request_context():
        for email in (user.email, "niemand@example.org"):
            calls.clear()
            users.request_password_reset(session, email, link=lambda token: f"http://x/{token}")
            assert calls == ["compose", "queue"]
    session.rollback()


def test_a_link_works_once(app, client, make_user, session):
    user = make_user(Role.council_member)
    ask_reset(client, user.email)
    link = reset_link(mails_to(session, user.email)[0])
    assert choose(client, link).status_code == 302
    again = app.test_client()
    assert again.get(link).status_code == 400
    response = choose_on_bad_link(again, link, "nog een heel ander wachtwoord hier")
    assert response.status_code == 400 and "used already" in response.text
    assert password_works(app, user, NEW_PASSWORD)


def choose_on_bad_link(client, link, password):
    token = form_token(client.get("/password/forgot"))
    return client.post(link, data={"csrf_token": token, "password": password, "confirm": password})


def test_an_expired_link_changes_nothing(app, client, make_user, session, monkeypatch):
    user = make_user(Role.official)
    ask_reset(client, user.email)
    link = reset_link(mails_to(session, user.email)[0])
    monkeypatch.setattr(users, "token_now", lambda: utcnow() + timedelta(minutes=61))
    response = choose_on_bad_link(client, link, NEW_PASSWORD)
    assert response.status_code == 400 and "expired" in response.text and "Nothing was changed" in response.text
    assert password_works(app, user, PASSWORD)
    monkeypatch.setattr(users, "token_now", lambda: utcnow() + timedelta(minutes=59))
    assert client.get(link).status_code == 200  # within the hour it still works


def test_the_expiry_is_configurable(app, client, make_user, session, monkeypatch):
    app.config["PASSWORD_RESET_SECONDS"] = 600
    user = make_user(Role.official)
    ask_reset(client, user.email)
    message = mails_to(session, user.email)[0]
    assert "10 minutes" in message.body
    monkeypatch.setattr(users, "token_now", lambda: utcnow() + timedelta(minutes=11))
    assert client.get(reset_link(message)).status_code == 400


def test_a_tampered_link_is_refused(app, client, make_user, session):
    user = make_user(Role.official)
    ask_reset(client, user.email)
    link = reset_link(mails_to(session, user.email)[0])
    payload, signature = link.rsplit(".", 1)
    # the first character, not the last: the last one's low bits are base64 padding, so changing it may not
    # change the signature at all
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    for bad in (f"{payload}.{flipped}", link[:-5], "/password/reset/nonsense", link + "x"):
        response = client.get(bad)
        assert response.status_code in (400, 404) and "Nothing was changed" in response.text, bad
    forged = URLSafeTimedSerializer("another-secret", salt=users.RESET_SALT).dumps({"u": user.id, "f": "0" * 32})
    assert client.get(f"/password/reset/{forged}").status_code == 400
    assert password_works(app, user, PASSWORD)


def test_a_link_for_one_account_cannot_reset_another(app, client, make_user, session):
    """Signed with the right key, but the fingerprint is of the account it was made for."""
    victim, attacker = make_user(Role.official), make_user(Role.coalition_member)
    ask_reset(client, attacker.email)
    link = reset_link(mails_to(session, attacker.email)[0])
    loads = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=users.RESET_SALT).loads
    payload = loads(link.rsplit("/", 1)[1])
    swapped = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=users.RESET_SALT).dumps({**payload, "u": victim.id})
    response = choose_on_bad_link(client, f"/password/reset/{swapped}", NEW_PASSWORD)
    assert response.status_code == 400
    assert password_works(app, victim, PASSWORD)
    logged_in_other = app.test_client()
    login(logged_in_other, victim)
    response = logged_in_other.get(link)  # the attacker's own link, opened while logged in as someone else
    assert response.status_code == 400 and "another account" in response.text


def test_a_password_change_or_a_block_kills_the_link(app, client, make_user, session, official):
    admin = make_user(Role.admin)
    user = make_user(Role.coalition_member)
    ask_reset(client, user.email)
    link = reset_link(mails_to(session, user.email)[0])
    users.change_password(session, user, current=PASSWORD, new=NEW_PASSWORD, keep_session_id=None)
    session.commit()
    assert client.get(link).status_code == 400
    other = make_user(Role.council_member)
    ask_reset(client, other.email)
    link = reset_link(mails_to(session, other.email)[0])
    users.block_user(session, admin=admin, user_id=other.id)
    session.commit()
    assert client.get(link).status_code == 400


def test_a_blocked_account_gets_no_usable_link(client, make_user, session):
    admin = make_user(Role.admin)
    user = make_user(Role.official)
    users.block_user(session, admin=admin, user_id=user.id)
    session.commit()
    response = ask_reset(client, user.email)
    assert response.location == "/password/forgot/sent"
    (message,) = mails_to(session, user.email)
    assert "/password/reset/" not in message.body


def test_a_weak_new_password_is_refused_and_the_link_stays_usable(app, client, make_user, session):
    user = make_user(Role.official)
    ask_reset(client, user.email)
    link = reset_link(mails_to(session, user.email)[0])
    response = choose(client, link, "wachtwoord123")
    assert response.status_code == 400 and "most used passwords" in response.text
    response = choose(client, link, NEW_PASSWORD, "something else entirely here")
    assert response.status_code == 400 and "The passwords differ" in response.text
    assert password_works(app, user, PASSWORD)
    assert choose(client, link).status_code == 302


def test_asking_is_throttled_alike_for_known_and_unknown_addresses(app, make_user, session):
    user = make_user(Role.official)
    for email in (user.email, "niemand@example.org"):
        client = app.test_client()
        statuses = [ask_reset(client, email).status_code for _ in range(6)]
        assert statuses == [302] * 5 + [429], email
    assert len(mails_to(session, user.email)) == 5


def test_a_visitor_without_csrf_token_changes_nothing(client, make_user, session):
    user = make_user(Role.official)
    assert client.post("/password/forgot", data={"email": user.email}).status_code == 400
    assert mails_to(session, user.email) == []
    assert session.exec(select(User).where(User.id == user.id)).one().password_hash == user.password_hash


def test_the_reset_pages_are_labelled_and_have_one_h1(client, make_user, session):
    from .test_accessibility import audit

    user = make_user(Role.official)
    ask_reset(client, user.email)
    link = reset_link(mails_to(session, user.email)[0])
    for url in ("/password/forgot", "/password/forgot/sent", link):
        assert audit(client, url) == [], url
