"""With REDIS_URL set, the login throttle lives in Redis, so gunicorn workers share it."""

import os
import uuid

import pytest

from tendering import create_app

from .conftest import csrf_token

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


def test_two_workers_share_one_login_throttle(test_config, redis_url, official):
    config = {k: v for k, v in test_config.items() if k != "RATELIMIT_STORAGE_URI"}
    # A unique prefix keeps this run's counters apart from any other run's.
    config.update(REDIS_URL=redis_url, LOGIN_RATE_LIMIT="3 per minute", RATELIMIT_KEY_PREFIX=uuid.uuid4().hex)
    workers = [create_app(config), create_app(config)]
    statuses = []
    for attempt in range(4):
        client = workers[attempt % 2].test_client()
        data = {"email": official.email, "password": "wrong", "csrf_token": csrf_token(client)}
        statuses.append(client.post("/login", data=data).status_code)
    assert statuses == [200, 200, 200, 429]
    for worker in workers:
        worker.extensions["db_engine"].dispose()
