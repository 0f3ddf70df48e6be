"""Changing one's e-mail address: it counts only once the link mailed to the new address is opened, and the form
tells nobody whether the new address has an account."""

import re
from datetime import timedelta

from sqlmodel import select

from tendering.models import AuditEvent, OutboxMessage, Role, User, utcnow
from tendering.parties import users

from .conftest import PASSWORD, form_token, login

NEW = "nieuw.adres@example.org"


def ask_change(client, email=NEW, password=PASSWORD):
    page = client.get("/account/email")
    return client.post(
        "/account/email", data={"csrf_token": form_token(page), "email": email, "current_password": password}
    )


def mails_to(session, address):
    return session.exec(
        select(OutboxMessage).where(OutboxMessage.to_address == address).order_by(OutboxMessage.id)
    ).all()


def change_link(message):
    return re.search(r"http://localhost(/account/email/confirm/\S+)", message.body).group(1)


def confirm(client, link):
    page = client.get(link)
    return client.post(link, data={"csrf_token": form_token(page)})


def email_of(session, user) -> str:
    session.expire_all()
    return session.get(User, user.id).email


def test_the_new_address_counts_only_after_its_link(app, logged_in, make_user, session):
    user = make_user(Role.coalition_member)
    old = user.email
    client = logged_in(user)
    response = ask_change(client)
    assert response.status_code == 302
    assert f"We sent a link to {NEW}" in client.get(response.location).text
    (message,) = mails_to(session, NEW)
    (notice,) = mails_to(session, old)
    assert "/account/email/confirm/" not in notice.body and NEW in notice.body
    link = change_link(message)
    assert email_of(session, user) == old  # not before the link
    page = app.test_client().get(link)  # a mail scanner opening it changes nothing
    assert page.status_code == 200 and NEW in page.text
    assert email_of(session, user) == old
    done = confirm(app.test_client(), link)
    assert done.status_code == 302 and done.location == "/login"
    assert email_of(session, user) == NEW
    user.email = NEW
    login(app.test_client(), user)  # logs in with the new address
    assert "now" in mails_to(session, old)[-1].body and NEW in mails_to(session, old)[-1].body
    assert app.test_client().get(link).status_code == 400  # unusable afterwards
    again = app.test_client()
    response = again.post(link, data={"csrf_token": form_token(again.get("/login"))})
    assert response.status_code == 400 and email_of(session, user) == NEW
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "email_changed")).one()
    assert event.details == {"old": old, "new": NEW} and event.actor_id == user.id


def test_a_wrong_current_password_changes_nothing_and_counts_as_a_failure(logged_in, make_user, session):
    user = make_user(Role.official)
    client = logged_in(user)
    response = ask_change(client, password="not the password at all")
    assert response.status_code == 400 and "current password is incorrect" in response.text
    assert mails_to(session, NEW) == [] and mails_to(session, user.email) == []
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "login_failed")).all() != []


def test_a_taken_address_gives_the_same_answer_and_never_changes_anything(app, make_user, session):
    owner = make_user(Role.official, email="bezet@example.org")
    answers = []
    for target in ("bezet@example.org", "vrij@example.org"):
        user = make_user(Role.coalition_member)
        client = app.test_client()
        login(client, user)
        response = ask_change(client, target)
        page = client.get(response.location).text
        message = re.search(r"We sent a link to [^<]*", page).group(0)
        answers.append((response.status_code, response.location, message.replace(target, "X").replace(user.email, "Y")))
    assert answers[0] == answers[1]
    (taken_notice,) = mails_to(session, "bezet@example.org")
    assert "/account/email/confirm/" not in taken_notice.body
    assert "/account/email/confirm/" in mails_to(session, "vrij@example.org")[0].body
    assert email_of(session, owner) == "bezet@example.org"


def test_an_address_taken_after_the_request_is_not_applied(app, logged_in, make_user, session):
    user = make_user(Role.coalition_member)
    client = logged_in(user)
    ask_change(client)
    link = change_link(mails_to(session, NEW)[0])
    opener = app.test_client()
    token = form_token(opener.get(link))
    make_user(Role.official, email=NEW)  # between opening the link and pressing its button
    response = opener.post(link, data={"csrf_token": token})
    assert response.status_code == 400 and "another account" in response.text
    assert app.test_client().get(link).status_code == 400
    assert email_of(session, user) != NEW


def test_an_expired_tampered_or_outdated_link_changes_nothing(app, logged_in, make_user, session, monkeypatch):
    user = make_user(Role.coalition_member)
    old = user.email
    client = logged_in(user)
    ask_change(client)
    link = change_link(mails_to(session, NEW)[0])
    assert app.test_client().get(link[:-3]).status_code == 400
    monkeypatch.setattr(users, "token_now", lambda: utcnow() + timedelta(hours=25))
    response = app.test_client().get(link)
    assert response.status_code == 400 and "expired" in response.text
    monkeypatch.setattr(users, "token_now", utcnow)
    users.change_password(
        session, user, current=PASSWORD, new="lantaarn kievit boomgaard spinnewiel", keep_session_id=None
    )
    session.commit()
    assert app.test_client().get(link).status_code == 400  # the password changed since
    assert email_of(session, user) == old


def test_the_same_address_or_an_invalid_one_is_refused(logged_in, make_user, session):
    user = make_user(Role.official)
    client = logged_in(user)
    assert "already your e-mail address" in ask_change(client, user.email.upper()).text
    for wrong in ("geen adres", f"{NEW},slachtoffer@example.org", f"{NEW}\nBcc: x@example.org", "jürgen@example.org"):
        response = ask_change(client, wrong)
        assert response.status_code == 400 and "valid e-mail address" in response.text, wrong
    assert session.exec(select(OutboxMessage)).all() == []


def test_a_visitor_is_sent_to_log_in(client):
    assert client.get("/account/email").status_code == 302
    assert client.get("/account/password").headers["Location"].startswith("/login")


def test_the_pages_are_labelled_and_have_one_h1(app, logged_in, make_user, session):
    from .test_accessibility import audit

    client = logged_in(make_user(Role.official))
    ask_change(client)
    assert audit(client, "/account/email") == []
    assert audit(app.test_client(), change_link(mails_to(session, NEW)[0])) == []
