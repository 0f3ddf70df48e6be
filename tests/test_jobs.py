"""The job queue: web requests hand mail to it instead of sending SMTP themselves; real Huey consumers (SQLite, and
Redis when it runs) execute the jobs; the per-minute tick applies deadlines nobody opens a case for; an unreachable
queue loses nothing."""

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

import pytest
from huey import PriorityRedisHuey, SqliteHuey
from sqlmodel import select

from tendering import create_app, jobs
from tendering.core import mail
from tendering.core.config import ROOT
from tendering.jobs import tasks
from tendering.models import OutboxMessage, utcnow

from . import factories as f
from .smtp_helpers import free_port
from .test_registration import register
from .test_shared_throttle import redis_url  # noqa: F401  (the fixture: Redis, or a skip outside CI)


@pytest.fixture
def job_queue(tmp_path, monkeypatch):
    """The app's Huey instance on a queue of this test's own: a temporary SQLite file."""
    storage = jobs._LazySqliteStorage("tendering", filename=str(tmp_path / "jobs.sqlite3"))
    monkeypatch.setattr(jobs.huey, "storage", storage)
    yield jobs.huey
    storage.close()


@pytest.fixture
def mail_app(test_config, smtp_server):
    """An app that sends to the test's SMTP server through the job queue, as in production."""
    app = create_app({**test_config, **smtp_server.mail_config})
    yield app
    app.extensions["db_engine"].dispose()


@contextmanager
def running_consumer(app, *, workers=1, periodic=False):
    """A real Huey consumer of `jobs.huey`, in a thread of this process, running its tasks in `app`."""
    jobs.use_app(app)
    consumer = jobs.huey.create_consumer(
        workers=workers, periodic=periodic, worker_type="thread", initial_delay=0.05, max_delay=0.2
    )
    consumer._set_signal_handlers = lambda: None  # signals belong to the main thread (pytest's)
    thread = threading.Thread(target=consumer.run, daemon=True)
    thread.start()
    try:
        yield consumer
    finally:
        consumer.stop(graceful=True)
        thread.join(10)
        jobs.use_app(None)
    assert not thread.is_alive()


def outbox(session) -> list[OutboxMessage]:
    session.expire_all()
    return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all())


def wait_until(condition, timeout=10):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "not within the time"
        time.sleep(0.05)


def test_a_request_enqueues_delivery_and_a_consumer_sends_it(mail_app, session, smtp_server, job_queue):
    response = register(mail_app.test_client())
    assert response.status_code == 302
    assert smtp_server.messages == [] and job_queue.pending_count() == 1  # the request sent nothing itself
    (waiting,) = outbox(session)
    assert waiting.sent_at is None
    with running_consumer(mail_app):
        (received,) = smtp_server.wait_for(1)
        wait_until(lambda: job_queue.pending_count() == 0)
    assert received.to == ["sanne@buurtkracht.example"]
    assert outbox(session)[0].sent_at is not None


def test_a_duplicated_job_sends_once(mail_app, session, smtp_server, job_queue):
    session.add(OutboxMessage(to_address="a@b.example", subject="Eén keer", body="x"))
    session.commit()
    with mail_app.app_context():
        for _ in range(3):
            jobs.enqueue(tasks.deliver_outbox)
    assert job_queue.pending_count() == 3
    with running_consumer(mail_app, workers=3):
        smtp_server.wait_for(1)
        wait_until(lambda: job_queue.pending_count() == 0)
        time.sleep(0.3)  # the other two jobs ran too
    assert [m.subject for m in smtp_server.messages] == ["Eén keer"]


def test_an_unreachable_queue_loses_nothing(mail_app, session, smtp_server, monkeypatch):
    """Redis down when the request commits: the request succeeds, the mail waits, the next tick sends it."""
    down = PriorityRedisHuey("tendering", url=f"redis://127.0.0.1:{free_port()}/0")
    monkeypatch.setattr(jobs.huey, "storage", down.storage)
    response = register(mail_app.test_client())
    assert response.status_code == 302 and response.location == "/register/sent"
    assert smtp_server.messages == [] and outbox(session)[0].sent_at is None
    with mail_app.app_context():
        assert tasks.tick().delivery == mail.Delivery(1, 0)
    assert smtp_server.wait_for(1)[0].to == ["sanne@buurtkracht.example"]


def test_the_tick_applies_a_passed_deadline_without_anyone_opening_the_case(app, session, make_case):
    due = make_case(state="tendering")
    f.set_up_tender(session, due, submission_in=14)
    later = make_case(state="tendering")
    f.set_up_tender(session, later, submission_in=30)
    with app.app_context():
        assert tasks.tick(now=utcnow() + timedelta(days=13)).fired == 0
        assert tasks.tick(now=utcnow() + timedelta(days=15)).fired == 1
        assert tasks.tick(now=utcnow() + timedelta(days=15)).fired == 0  # applied once
    session.refresh(due)
    session.refresh(later)
    assert (due.state, later.state) == ("reconsider", "tendering")


def test_the_tick_is_a_periodic_task_every_minute(job_queue):
    for minute in (0, 1, 17, 59):
        moment = datetime(2026, 12, 8, 3, minute, tzinfo=timezone.utc).replace(tzinfo=None)
        assert tasks.every_minute.task_class in {type(t) for t in job_queue.read_periodic(moment)}


def test_a_real_consumer_runs_the_tick(mail_app, session, make_case, smtp_server, job_queue):
    due = make_case(state="tendering")
    f.pass_deadline(session, due)
    session.add(OutboxMessage(to_address="a@b.example", subject="Gewacht", body="x"))
    session.commit()
    with mail_app.app_context():
        jobs.enqueue(tasks.every_minute)
    with running_consumer(mail_app, periodic=True):
        smtp_server.wait_for(1)
        wait_until(lambda: session.refresh(due) or due.state == "reconsider")


def test_a_consumer_on_redis_delivers(mail_app, session, smtp_server, redis_url, monkeypatch):  # noqa: F811
    queue = PriorityRedisHuey(f"tendering-test-{uuid.uuid4().hex}", url=redis_url)
    monkeypatch.setattr(jobs.huey, "storage", queue.storage)
    try:
        register(mail_app.test_client())
        assert queue.pending_count() == 1 and smtp_server.messages == []
        with running_consumer(mail_app, workers=2):
            smtp_server.wait_for(1)
            wait_until(lambda: queue.pending_count() == 0)
    finally:
        queue.storage.flush_all()
    assert outbox(session)[0].sent_at is not None


def test_the_queue_comes_from_the_environment(tmp_path):
    path = tmp_path / "queue" / "jobs.sqlite3"
    embedded = jobs.make_huey({"JOBS_SQLITE_PATH": str(path)})
    assert isinstance(embedded, SqliteHuey) and not path.exists()  # made on first use, not at import
    embedded.storage.enqueue(b"a job")
    assert path.exists() and embedded.pending_count() == 1
    embedded.storage.close()
    shared = jobs.make_huey({"REDIS_URL": "redis://127.0.0.1:6379/3"})
    assert isinstance(shared, PriorityRedisHuey)
    assert shared.storage.conn.connection_pool.connection_kwargs["db"] == 3
    own = jobs.make_huey({"REDIS_URL": "redis://127.0.0.1:6379/3", "JOBS_REDIS_URL": "redis://127.0.0.1:6379/4"})
    assert own.storage.conn.connection_pool.connection_kwargs["db"] == 4


def test_every_task_module_is_loaded():
    names = jobs.load_tasks()
    assert names[0] == "tendering.jobs.tasks" and all(name in sys.modules for name in names)
    registered = set(jobs.huey._registry._registry)
    assert {"tendering.jobs.tasks.deliver_outbox", "tendering.jobs.tasks.every_minute"} <= registered
    assert {"tendering.notifications.tasks.daily_digest", "tendering.notifications.tasks.reminders"} <= registered


def test_tick_command_delivers_and_reports_failures(mail_app, session, smtp_server):
    session.add(OutboxMessage(to_address="a@b.example", subject="Via tick", body="x"))
    session.commit()
    runner = mail_app.test_cli_runner()
    with mail_app.app_context():  # the session fixture's app context would be taken for the command's otherwise
        result = runner.invoke(args=["tick"])
        assert result.exit_code == 0 and "0 time-driven step(s) applied, 1 message(s) sent." in result.output
        assert [m.subject for m in smtp_server.wait_for(1)] == ["Via tick"]
        smtp_server.stop()
        session.add(OutboxMessage(to_address="a@b.example", subject="Server weg", body="y"))
        session.commit()
        result = runner.invoke(args=["tick"])
    assert "0 message(s) sent, 1 failed (kept for a later attempt)." in result.output


def test_serve_runs_the_site_and_a_consumer_in_one_process(database_url, session, smtp_server, tmp_path):
    """`make run`'s server: the site answers, the consumer beside it sends what waited, Ctrl-C stops both."""
    session.add(OutboxMessage(to_address="a@b.example", subject="Bij de start", body="x"))
    session.commit()
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "JOBS_SQLITE_PATH": str(tmp_path / "jobs.sqlite3"),
        "MAIL_SERVER": smtp_server.host,
        "MAIL_PORT": str(smtp_server.port),
        "SECRET_KEY": "serve-test",
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "SESSION_COOKIE_SECURE": "0",
    }
    env.pop("REDIS_URL", None)
    env.pop("JOBS_REDIS_URL", None)
    flask = [sys.executable, "-m", "flask", "--app", "wsgi", "serve", "--port", str(port)]
    server = subprocess.Popen(flask, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        assert smtp_server.wait_for(1, timeout=30)[0].subject == "Bij de start"
        wait_until(lambda: _answers(f"http://127.0.0.1:{port}/"), timeout=30)
        server.send_signal(signal.SIGINT)
        assert server.wait(timeout=20) == 0
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        server.stdout.close()


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False
