"""The login throttle, from the attacker's side: guessing passwords over many workers, locking a user out,
and hiding behind (or spoofing) a proxy. Only failures count, in the database every worker shares."""

from datetime import timedelta

import pytest
from sqlmodel import select

from tendering import create_app
from tendering.models import AuditEvent, DataGeneration, LoginFailure, Role

from .conftest import PASSWORD, csrf_token, form_token, login


def attempt(client, email, password="a wrong guess", **kwargs):
    return client.post(
        "/login", data={"email": email, "password": password, "csrf_token": csrf_token(client)}, **kwargs
    )


def pass_time(session, seconds):
    """Let the failures so far lie `seconds` further in the past."""
    for failure in session.exec(select(LoginFailure)).all():
        failure.at -= timedelta(seconds=seconds)
    session.commit()


@pytest.fixture
def workers(test_config):
    """Four app instances on one database, as four gunicorn workers are."""
    apps = [create_app(test_config) for _ in range(4)]
    yield apps
    for worker in apps:
        worker.extensions["db_engine"].dispose()


def test_wrong_passwords_from_many_workers_share_one_count(workers, official, app):
    statuses = [attempt(workers[n % 4].test_client(), official.email).status_code for n in range(50)]
    checked = statuses.count(200)
    print(f"\nof 50 wrong passwords over 4 workers, {checked} were checked and {statuses.count(429)} refused")
    assert checked == app.config["LOGIN_FREE_FAILURES"] == 5
    assert statuses[:5] == [200] * 5 and set(statuses[5:]) == {429}


def test_correct_password_from_known_device_is_not_locked_out(app, client, official):
    login(client, official)
    client.post("/logout", data={"csrf_token": form_token(client.get("/cases/"))})
    own_browser = client  # logged out, but it keeps the device cookie of that login
    attacker = app.test_client()
    assert [attempt(attacker, official.email).status_code for _ in range(20)].count(429) == 15
    assert attempt(attacker, official.email, PASSWORD).status_code == 429  # the attacker's own correct guess waits too
    response = attempt(own_browser, official.email, PASSWORD)
    assert response.status_code == 302  # the user, on a browser that logged in before, gets in at once


def test_correct_password_from_a_new_device_works_after_the_wait(app, client, official, session):
    attacker = app.test_client()
    for _ in range(6):
        attempt(attacker, official.email)
    response = attempt(client, official.email, PASSWORD)
    assert response.status_code == 429 and "Too many attempts" in response.text and response.headers["Retry-After"]
    pass_time(session, app.config["LOGIN_BACKOFF_SECONDS"] * 2 + 1)
    assert attempt(client, official.email, PASSWORD).status_code == 302


def test_each_wait_doubles_up_to_a_cap_and_is_never_a_lock(app, client, official, session):
    base, cap = app.config["LOGIN_BACKOFF_SECONDS"], app.config["LOGIN_BACKOFF_MAX_SECONDS"]
    waits = []
    for _ in range(5):
        attempt(client, official.email)
    for _ in range(8):
        response = attempt(client, official.email)
        assert response.status_code == 429
        waits.append(int(response.headers["Retry-After"]))
        pass_time(session, waits[-1])
        assert attempt(client, official.email).status_code == 200  # after the wait, the next guess is checked
    assert waits[:4] == [base, 2 * base, 4 * base, 8 * base] and max(waits) == cap
    pass_time(session, app.config["LOGIN_FAILURE_WINDOW_SECONDS"])
    login(client, official)  # the window passed: all is forgotten


def test_a_stolen_device_cookie_is_held_to_its_own_count(app, client, official):
    login(client, official)
    thief = app.test_client()
    thief.set_cookie("tendering_device", client.get_cookie("tendering_device").value)
    assert [attempt(thief, official.email).status_code for _ in range(6)] == [200] * 5 + [429]


def test_forged_or_other_accounts_device_cookie_gives_no_pass(app, client, official, make_user):
    colleague = make_user(Role.official)
    login(client, colleague)
    attacker = app.test_client()
    for _ in range(5):
        attempt(attacker, official.email)
    for value in (client.get_cookie("tendering_device").value, "eyJlIjoiYSJ9.forged.signature"):
        other = app.test_client()
        other.set_cookie("tendering_device", value)
        assert attempt(other, official.email, PASSWORD).status_code == 429


def test_only_failures_count_per_address(app, make_user):
    """A town hall behind one address: many colleagues logging in is no attack."""
    app.config["LOGIN_ADDRESS_FREE_FAILURES"] = 3
    colleagues = [make_user(Role.official) for _ in range(12)]
    for colleague in colleagues:
        login(app.test_client(), colleague)
    client = app.test_client()
    statuses = [attempt(client, f"nobody{n}@example.org").status_code for n in range(4)]
    assert statuses == [200, 200, 200, 429]  # then strangers' failures do hold the address back


def test_town_hall_behind_proxy_is_not_one_address(test_config, official, make_user):
    app = create_app({**test_config, "PROXY_COUNT": 1, "LOGIN_ADDRESS_FREE_FAILURES": 3})
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    try:
        guesser = app.test_client()
        for n in range(3):  # one visitor sprays passwords over accounts
            attempt(guesser, f"nobody{n}@example.org", headers={"X-Forwarded-For": "203.0.113.7"}, environ_base=proxy)
        assert (
            attempt(
                guesser, "nobody9@example.org", headers={"X-Forwarded-For": "203.0.113.7"}, environ_base=proxy
            ).status_code
            == 429
        )
        neighbour = app.test_client()  # another visitor, through the same proxy, is not held back
        response = attempt(
            neighbour, official.email, PASSWORD, headers={"X-Forwarded-For": "198.51.100.4"}, environ_base=proxy
        )
        assert response.status_code == 302
    finally:
        app.extensions["db_engine"].dispose()


def test_spoofed_forwarded_for_is_ignored_without_a_trusted_proxy(app):
    app.config["LOGIN_ADDRESS_FREE_FAILURES"] = 3
    client = app.test_client()
    statuses = [
        attempt(client, f"nobody{n}@example.org", headers={"X-Forwarded-For": f"192.0.2.{n}"}).status_code
        for n in range(4)
    ]
    assert statuses == [200, 200, 200, 429]


def test_a_client_adding_its_own_forwarded_for_behind_the_proxy_gains_nothing(test_config):
    """The proxy appends the real address; only the rightmost (trusted) one counts."""
    app = create_app({**test_config, "PROXY_COUNT": 1, "LOGIN_ADDRESS_FREE_FAILURES": 3})
    try:
        client = app.test_client()
        statuses = [
            attempt(
                client,
                f"nobody{n}@example.org",
                headers={"X-Forwarded-For": f"192.0.2.{n}, 203.0.113.7"},
                environ_base={"REMOTE_ADDR": "10.0.0.2"},
            ).status_code
            for n in range(4)
        ]
        assert statuses == [200, 200, 200, 429]
    finally:
        app.extensions["db_engine"].dispose()


def test_unknown_accounts_are_held_back_alike(app, client):
    """So the throttle does not tell which addresses have an account."""
    assert [attempt(client, "nobody@example.org").status_code for _ in range(6)] == [200] * 5 + [429]


def test_failures_are_audited_but_change_no_data(app, client, official, session):
    generation = session.get(DataGeneration, 1).generation
    for _ in range(6):
        attempt(client, official.email)
    session.expire_all()
    assert session.get(DataGeneration, 1).generation == generation  # no worker's page cache is emptied
    actions = session.exec(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions.count("login_failed") == 5 and actions.count("login_throttled") == 1
    throttled = session.exec(select(AuditEvent).where(AuditEvent.action == "login_throttled")).one()
    assert throttled.details["email"] == official.email and throttled.details["held_back"] == ["account"]


def test_old_failures_are_pruned(app, client, official, session):
    for _ in range(3):
        attempt(client, official.email)
    pass_time(session, app.config["LOGIN_FAILURE_WINDOW_SECONDS"] + 1)
    attempt(client, "nobody@example.org")
    assert len(session.exec(select(LoginFailure)).all()) == 2  # the new failure's account and address rows


def test_an_ipv6_attacker_rotating_within_their_network_is_one_address(app):
    app.config["LOGIN_ADDRESS_FREE_FAILURES"] = 3
    client = app.test_client()
    statuses = [
        attempt(client, f"nobody{n}@example.org", environ_base={"REMOTE_ADDR": f"2001:db8:1:2::{n + 1:x}"}).status_code
        for n in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
