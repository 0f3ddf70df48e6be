"""Registering and joining, from the attacker's side: the pages do not tell which e-mail addresses have an
account, and easy passwords are refused everywhere one is chosen."""

import re
from datetime import timedelta

import pytest
from sqlmodel import select

from tendering.demo import demo
from tendering.models import AuditEvent, Invitation, Organisation, OutboxMessage, RegistrationRequest, Role, User
from tendering.parties.users import password_problem

from .conftest import PASSWORD, form_token, login
from .test_organisations_and_coalitions import registration


def register(client, **overrides):
    return client.post("/register", data=registration(form_token(client.get("/register")), **overrides))


def mail_to(session, address):
    return session.exec(select(OutboxMessage).where(OutboxMessage.to_address == address)).one()


def confirmation_link(message):
    return re.search(r"http://localhost(/register/confirm/\S+)", message.body).group(1)


def test_registration_does_not_reveal_existing_accounts(app, make_user, session):
    existing = make_user(Role.coalition_member)
    answers = []
    for email in (existing.email, "nieuw@buurtkracht.example"):
        client = app.test_client()
        response = register(client, email=email, organisation_name=f"Buurtkracht {email[:4]}")
        page = client.get(response.location)
        answers.append((response.status_code, response.location, page.text.replace(email, "")))
    assert answers[0] == answers[1] and answers[0][:2] == (302, "/register/sent")
    assert "Check your e-mail" in answers[0][2]
    notice = mail_to(session, existing.email)
    assert "already have an account" in notice.body and "/register/confirm/" not in notice.body
    assert "/register/confirm/" in mail_to(session, "nieuw@buurtkracht.example").body
    assert session.exec(select(Organisation).where(Organisation.name.like("Buurtkracht%"))).all() == []
    audited = session.exec(select(AuditEvent.action).where(AuditEvent.action.like("registration%"))).all()
    assert sorted(audited) == ["registration_for_existing_account", "registration_requested"]


def test_organisation_registers_once_its_address_is_confirmed(client, session):
    response = register(client)
    assert response.status_code == 302 and response.location == "/register/sent"
    assert session.exec(select(User).where(User.email == "sanne@buurtkracht.example")).all() == []
    link = confirmation_link(mail_to(session, "sanne@buurtkracht.example"))
    page = client.get(link)  # a mail scanner opening the link changes nothing
    assert page.status_code == 200 and "Buurtkracht Zuid" in page.text
    assert session.exec(select(Organisation)).all() == []
    confirmed = client.post(link, data={"csrf_token": form_token(page)})
    assert confirmed.status_code == 302 and confirmed.location == "/organisation"
    user = session.exec(select(User).where(User.email == "sanne@buurtkracht.example")).one()
    organisation = session.get(Organisation, user.organisation_id)
    assert (organisation.name, user.role, user.name) == ("Buurtkracht Zuid", Role.coalition_member, "Sanne de Wit")
    assert "Buurtkracht Zuid" in client.get("/organisation").text  # logged in
    assert client.get(link).status_code == 404  # used once
    login(client.application.test_client(), user)  # with the password chosen when registering


def test_second_registration_of_one_address_cannot_take_the_account(app, session):
    register(app.test_client(), organisation_name="Echte Stichting")
    register(
        app.test_client(),
        organisation_name="Nep Stichting",
        password="attacker chosen passphrase here",
        confirm="attacker chosen passphrase here",
    )
    first, second = session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    owner = app.test_client()
    page = owner.get(confirmation_link(first))
    owner.post(confirmation_link(first), data={"csrf_token": form_token(page)})
    other = app.test_client()
    assert other.get(confirmation_link(second)).status_code == 404
    assert [o.name for o in session.exec(select(Organisation)).all()] == ["Echte Stichting"]


def test_confirmation_link_expires(client, session):
    register(client)
    request = session.exec(select(RegistrationRequest)).one()
    request.expires_at -= timedelta(days=3)
    session.commit()
    assert client.get(confirmation_link(mail_to(session, "sanne@buurtkracht.example"))).status_code == 404


def test_bad_registration_still_says_what_is_wrong(client, session, make_user):
    existing = make_user(Role.coalition_member)
    response = register(client, email=existing.email, password="aaaaaaaaaaaa", confirm="aaaaaaaaaaaa")
    assert response.status_code == 200 and "one of the most used passwords" in response.text
    assert session.exec(select(OutboxMessage)).all() == []


WEAK = ["aaaaaaaaaaaa", "wachtwoord123", "Welkom2026!!", "qwertyuiop123", "1234567890123", "sannebuurtkracht"]


@pytest.mark.parametrize("password", WEAK)
def test_weak_password_refused(client, session, password):
    response = register(client, password=password, confirm=password)
    assert response.status_code == 200 and "Not saved" in response.text
    assert any(m in response.text for m in ("too easy to guess", "most used passwords", "first things guessed"))
    assert session.exec(select(RegistrationRequest)).all() == []


def test_weak_password_refused_when_joining_by_invitation(app, logged_in, make_user, session):
    member = make_user(Role.coalition_member)
    client = logged_in(member)
    client.post(
        "/organisation/invitations",
        data={"csrf_token": form_token(client.get("/organisation")), "email": "collega@example.org"},
    )
    link = re.search(r"http://localhost(/invitations/\S+)", mail_to(session, "collega@example.org").body).group(1)
    newcomer = app.test_client()
    page = newcomer.get(link)
    response = newcomer.post(
        link,
        data={
            "csrf_token": form_token(page),
            "name": "Nieuwe Collega",
            "password": "collega@example.org",
            "confirm": "collega@example.org",
        },
    )
    assert response.status_code == 200 and "too easy to guess" in response.text
    assert session.exec(select(User).where(User.email == "collega@example.org")).all() == []


def test_weak_password_refused_when_changing_it(logged_in, official, session):
    client = logged_in(official)
    response = client.post(
        "/account/password",
        data={
            "csrf_token": form_token(client.get("/account/password")),
            "current_password": PASSWORD,
            "password": "aaaaaaaaaaaa",
            "confirm": "aaaaaaaaaaaa",
        },
    )
    assert response.status_code == 200 and "one of the most used passwords" in response.text
    login(client.application.test_client(), official)  # unchanged


def test_invitation_does_not_reveal_existing_accounts(logged_in, make_user, session, organisation):
    member = make_user(Role.coalition_member)
    elsewhere = make_user(Role.official)
    client = logged_in(member)
    answers = []
    for email in (elsewhere.email, "nieuw@example.org"):
        response = client.post(
            "/organisation/invitations", data={"csrf_token": form_token(client.get("/organisation")), "email": email}
        )
        page = client.get(response.location)
        answers.append((response.status_code, f"The invitation is sent to {email}." in page.text))
    assert answers == [(302, True), (302, True)]
    assert len(session.exec(select(Invitation)).all()) == 2  # both listed as open
    assert "/invitations/" not in mail_to(session, elsewhere.email).body
    assert "/invitations/" in mail_to(session, "nieuw@example.org").body


def test_the_passwords_of_tests_and_demo_are_strong_enough():
    assert password_problem(PASSWORD, ["official1@example.org", "Fatima El Amrani"]) is None
    for email, name, _role, _organisation in demo.USERS:
        assert password_problem(demo.DEMO_PASSWORD, [email, name]) is None, email


def test_confirmation_page_is_labelled_and_has_one_h1(client, session):
    from .test_accessibility import audit

    register(client)
    assert audit(client, confirmation_link(mail_to(session, "sanne@buurtkracht.example"))) == []
