"""Throttles shared by every gunicorn worker: the login throttle through the database (always), the
registration limit through Redis when REDIS_URL is set."""

import os
import uuid

import pytest

from tendering import create_app

from .conftest import PASSWORD, csrf_token, form_token

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_url():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is not reachable at {REDIS_URL}; .ci/run starts it")
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    return REDIS_URL


def test_two_workers_share_one_login_throttle(test_config, official):
    """Without Redis: the failures are rows in the database both workers read."""
    config = {**test_config, "LOGIN_FREE_FAILURES": 3}
    workers = [create_app(config), create_app(config)]
    statuses = []
    for attempt in range(4):
        client = workers[attempt % 2].test_client()
        data = {"email": official.email, "password": "wrong", "csrf_token": csrf_token(client)}
        statuses.append(client.post("/login", data=data).status_code)
    assert statuses == [200, 200, 200, 429]
    for worker in workers:
        worker.extensions["db_engine"].dispose()


def test_two_workers_share_the_registration_limit_in_redis(test_config, redis_url):
    config = {k: v for k, v in test_config.items() if k != "RATELIMIT_STORAGE_URI"}
    # A unique prefix keeps this run's counters apart from any other run's.
    config.update(REDIS_URL=redis_url, RATELIMIT_KEY_PREFIX=uuid.uuid4().hex, FRAGMENT_CACHE_PREFIX=uuid.uuid4().hex)
    workers = [create_app(config), create_app(config)]
    statuses = []
    for attempt in range(21):  # the limit is 20 per hour per address
        client = workers[attempt % 2].test_client()
        data = {
            "csrf_token": form_token(client.get("/register")),
            "organisation_name": f"Buurt {attempt}",
            "kind": "resident_initiative",
            "name": "Sanne de Wit",
            "email": f"sanne{attempt}@example.org",
            "password": PASSWORD,
            "confirm": PASSWORD,
        }
        statuses.append(client.post("/register", data=data).status_code)
    assert statuses == [302] * 20 + [429]
    for worker in workers:
        worker.extensions["db_engine"].dispose()
