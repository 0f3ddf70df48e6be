"""Logins are sessions on the server: logging out, changing the password, ending a session from the list
and an administrator's block end them at once, also where the cookie was copied to."""

from datetime import timedelta

from sqlalchemy import event, update
from sqlmodel import select

from tendering.models import AuditEvent, DataGeneration, Role, User, UserSession, utcnow
from tendering.parties.users import users_with_session_counts

from .conftest import PASSWORD, csrf_token, form_token, login

NEW_PASSWORD = "lantern orchard velvet compass"


def copy_of(app, client):
    """A second browser holding a copy of `client`'s session cookie, as a thief would."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def logged_in_as(client, user) -> bool:
    page = client.get("/account/sessions")
    return page.status_code == 200 and user.name in page.text


def test_cookie_copied_before_logout_no_longer_works(app, client, official, session):
    login(client, official)
    thief = copy_of(app, client)
    assert thief.get("/cases/").status_code == 200  # the copy works while the session is open
    client.post("/logout", data={"csrf_token": form_token(client.get("/cases/"))})
    response = thief.get("/cases/")
    assert response.status_code == 302 and response.location.startswith("/login")
    record = session.exec(select(UserSession)).one()
    assert record.ended_at is not None and record.ended_reason == "logout"
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "logout")).one().actor_id == official.id


def test_cookie_naming_a_user_id_logs_nobody_in(app, official):
    """Before, the cookie held the user id: one signed with a leaked key, or kept from before, named the account."""
    forger = app.test_client()
    with forger.session_transaction() as cookie:
        cookie["_user_id"] = str(official.id)
        cookie["_fresh"] = True
    assert forger.get("/cases/").status_code == 302


def test_password_change_logs_out_every_other_device(app, client, official, session):
    login(client, official)
    laptop = app.test_client()
    login(laptop, official)
    thief = copy_of(app, laptop)
    page = client.get("/account/password")
    response = client.post(
        "/account/password",
        data={
            "csrf_token": form_token(page),
            "current_password": PASSWORD,
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302 and response.location == "/account/sessions"
    assert logged_in_as(client, official)  # the device that changed it stays logged in
    assert laptop.get("/cases/").status_code == 302 and thief.get("/cases/").status_code == 302
    fresh = app.test_client()
    assert (
        fresh.post(
            "/login", data={"email": official.email, "password": PASSWORD, "csrf_token": csrf_token(fresh)}
        ).status_code
        == 200
    )
    login(fresh, official, password=NEW_PASSWORD)
    changed = session.exec(select(AuditEvent).where(AuditEvent.action == "password_changed")).one()
    assert changed.details == {"sessions_ended": 1}


def test_password_change_with_a_wrong_current_password_changes_nothing(app, client, official, session):
    login(client, official)
    other = app.test_client()
    login(other, official)
    page = client.get("/account/password")
    response = client.post(
        "/account/password",
        data={
            "csrf_token": form_token(page),
            "current_password": "not my password at all",
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert response.status_code == 400 and "The current password is incorrect." in response.text
    assert logged_in_as(other, official)
    session.refresh(official)
    login(app.test_client(), official)  # still the old password


def test_user_sees_their_sessions_and_ends_another(app, client, official, make_user, session):
    login(client, official)
    phone = app.test_client()
    login(phone, official)
    colleague = make_user(Role.official)
    login(app.test_client(), colleague)
    page = client.get("/account/sessions")
    mine = session.exec(select(UserSession).where(UserSession.user_id == official.id).order_by(UserSession.id)).all()
    assert page.text.count("End this session") == 1 and "This device" in page.text  # the colleague's is not listed
    response = client.post(f"/account/sessions/{mine[1].id}/end", data={"csrf_token": form_token(page)})
    assert response.status_code == 302
    assert phone.get("/cases/").status_code == 302 and logged_in_as(client, official)
    ended = session.exec(select(AuditEvent).where(AuditEvent.action == "session_ended")).one()
    assert ended.details == {"session_id": mine[1].id, "reason": "ended_by_user"}


def test_nobody_ends_someone_elses_session(app, client, official, make_user, session):
    colleague = make_user(Role.official)
    victim = app.test_client()
    login(victim, colleague)
    theirs = session.exec(select(UserSession).where(UserSession.user_id == colleague.id)).one()
    login(client, official)
    response = client.post(
        f"/account/sessions/{theirs.id}/end", data={"csrf_token": form_token(client.get("/account/sessions"))}
    )
    assert response.status_code == 404
    assert logged_in_as(victim, colleague)


def test_ending_sessions_needs_the_form_token(app, client, official, session):
    login(client, official)
    other = app.test_client()
    login(other, official)
    assert client.post("/account/sessions/end-others").status_code == 400
    assert logged_in_as(other, official)
    response = client.post(
        "/account/sessions/end-others", data={"csrf_token": form_token(client.get("/account/sessions"))}
    )
    assert response.status_code == 302 and not logged_in_as(other, official)


def test_blocked_user_is_logged_out_everywhere_and_cannot_log_in(app, client, official, make_user, session):
    victim = app.test_client()
    login(victim, official)
    admin = make_user(Role.admin)
    login(client, admin)
    page = client.get("/admin/users")
    assert page.status_code == 200 and official.email in page.text
    response = client.post(
        f"/admin/users/{official.id}/block", data={"csrf_token": form_token(page), "reason": "laptop stolen"}
    )
    assert response.status_code == 302
    assert victim.get("/cases/").status_code == 302
    again = app.test_client()
    refused = again.post(
        "/login", data={"email": official.email, "password": PASSWORD, "csrf_token": csrf_token(again)}
    )
    assert refused.status_code == 200 and "incorrect" in refused.text
    blocked = session.exec(select(AuditEvent).where(AuditEvent.action == "user_blocked")).one()
    assert (blocked.actor_id, blocked.reason, blocked.details["sessions_ended"]) == (admin.id, "laptop stolen", 1)

    client.post(f"/admin/users/{official.id}/unblock", data={"csrf_token": form_token(client.get("/admin/users"))})
    login(again, official)
    session.refresh(official)
    assert official.active


def test_only_an_administrator_blocks_and_not_themselves(app, client, official, make_user, session):
    login(client, official)
    token = form_token(client.get("/cases/"))
    assert client.get("/admin/users").status_code == 403
    assert client.post(f"/admin/users/{official.id}/block", data={"csrf_token": token}).status_code == 403
    admin = make_user(Role.admin)
    admin_client = app.test_client()
    login(admin_client, admin)
    admin_client.post(
        f"/admin/users/{admin.id}/block", data={"csrf_token": form_token(admin_client.get("/admin/users"))}
    )
    session.refresh(admin)
    assert admin.active and logged_in_as(admin_client, admin)


def test_admin_user_list_counts_open_sessions_in_one_query(app, make_user, session):
    users = [make_user(Role.official) for _ in range(3)]
    now = utcnow()
    session.add_all([UserSession(token_sha256=f"{n:064d}", user_id=users[n % 2].id) for n in range(3)])
    session.add(UserSession(token_sha256="e" * 64, user_id=users[2].id, ended_at=now))
    session.commit()
    statements = []
    engine = session.get_bind()
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        rows = users_with_session_counts(
            session, idle_since=now - timedelta(hours=1), started_since=now - timedelta(days=1), limit=50
        )
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert {u.id: n for u, n in rows} == {users[0].id: 2, users[1].id: 1, users[2].id: 0}
    assert len(statements) == 1


def test_user_loader_reads_user_session_and_generation_in_one_query(app, client, official):
    login(client, official)
    statements = []
    engine = app.extensions["db_engine"]
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        client.get("/account/sessions")  # warm up: lazy imports, the first template load
        statements.clear()
        assert client.get("/account/sessions").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    loader = [s for s in statements if "user_sessions" in s and "data_generation" in s]
    assert len(loader) == 1 and not any(s.lstrip().upper().startswith("UPDATE") for s in statements)


def test_last_seen_is_bookkeeping_and_no_data_change(app, client, official, session):
    login(client, official)
    long_ago = utcnow() - timedelta(minutes=30)
    session.exec(update(UserSession).values(last_seen_at=long_ago))
    session.commit()
    generation = session.get(DataGeneration, 1).generation
    assert client.get("/cases/").status_code == 200
    session.expire_all()
    assert session.exec(select(UserSession)).one().last_seen_at > long_ago + timedelta(minutes=29)
    assert session.get(DataGeneration, 1).generation == generation  # cached pages stay valid


def test_session_unused_too_long_has_expired(app, client, official, session):
    login(client, official)
    idle = app.config["SESSION_IDLE_MINUTES"]
    session.exec(update(UserSession).values(last_seen_at=utcnow() - timedelta(minutes=idle + 1)))
    session.commit()
    assert client.get("/cases/").status_code == 302


def test_session_too_old_has_expired_even_when_used(app, client, official, session):
    login(client, official)
    days = app.config["SESSION_MAX_DAYS"]
    session.exec(update(UserSession).values(created_at=utcnow() - timedelta(days=days, minutes=1)))
    session.commit()
    assert client.get("/cases/").status_code == 302


def test_session_records_the_browser(client, official, session):
    client.get("/login", headers={"User-Agent": "Firefox op de balie"})
    client.post(
        "/login",
        headers={"User-Agent": "Firefox op de balie"},
        data={"email": official.email, "password": PASSWORD, "csrf_token": csrf_token(client)},
    )
    record = session.exec(select(UserSession)).one()
    assert record.user_agent == "Firefox op de balie" and record.ip_address == "127.0.0.1"
    assert record.token_sha256 not in client.get_cookie("session").value  # only the token's hash is stored
    assert session.exec(select(User)).one().id == record.user_id


def test_account_and_admin_pages_are_labelled_and_have_one_h1(app, client, official, make_user, session):
    from .test_accessibility import audit

    login(client, official)
    login(app.test_client(), official)  # a second session, so the list has an "end" button
    for path in ("/account/sessions", "/account/password"):
        assert audit(client, path) == [], path
    admin = app.test_client()
    login(admin, make_user(Role.admin))
    assert audit(admin, "/admin/users") == []
    anonymous = app.test_client()
    assert audit(anonymous, "/register/sent") == []
