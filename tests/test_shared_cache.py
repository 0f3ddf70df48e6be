"""One page cache for every worker when REDIS_URL is set: a body built by one worker is served by the others,
a write through any worker is seen through all at once, a missing body is built once while the others wait,
and an unreachable Redis makes pages slower, never wrong or failing."""

import threading
import time
import uuid

import pytest

from tendering import create_app
from tendering.web import fragments

from .conftest import future
from .test_query_counts import counting_queries
from .test_shared_throttle import redis_url  # noqa: F401  (the fixture: Redis, or a skip outside CI)


@pytest.fixture
def workers(test_config, redis_url):  # noqa: F811
    config = {**test_config, "REDIS_URL": redis_url, "FRAGMENT_CACHE_PREFIX": uuid.uuid4().hex}
    apps = [create_app(config), create_app(config)]
    yield apps
    for app in apps:
        app.extensions["db_engine"].dispose()


def board_queries(app) -> int:
    with counting_queries(app) as statements:
        assert app.test_client().get("/").status_code == 200
    return len(statements)


def tender(session, make_case, title):
    case = make_case(title=title, state="tendering")
    case.clarification_deadline, case.submission_deadline = future(1), future(3)
    session.commit()
    return case


def test_a_body_built_by_one_worker_is_served_by_the_other(workers, session, make_case):
    first, second = workers
    tender(session, make_case, "Gelukkig oud")
    built = board_queries(first)
    served = board_queries(first)
    assert served < built
    assert board_queries(second) == served  # from Redis, not built again
    tender(session, make_case, "Jong en actief")  # a write: every worker's body is stale at once
    assert "Jong en actief" in second.test_client().get("/").text
    assert "Jong en actief" in first.test_client().get("/").text


def test_a_missing_body_is_built_once_while_the_other_worker_waits(workers):
    built, results = [], []

    def slow():
        built.append(1)
        time.sleep(0.5)
        return "body", None

    def ask(app):
        with app.test_request_context("/"):
            results.append(fragments.remember("slow", ("key",), slow))

    threads = [threading.Thread(target=ask, args=(app,)) for app in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["body", "body"] and len(built) == 1


def test_an_unreachable_redis_makes_pages_slower_not_wrong(test_config, session, make_case, caplog):
    app = create_app({**test_config, "REDIS_URL": "redis://127.0.0.1:9/0"})
    tender(session, make_case, "Gelukkig oud")
    page = app.test_client().get("/")
    assert page.status_code == 200 and "Gelukkig oud" in page.text
    assert "unreachable" in caplog.text
    app.extensions["db_engine"].dispose()
