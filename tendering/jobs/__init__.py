"""Background jobs: one Huey instance, embedded or distributed, chosen by the environment.

- Default: `SqliteHuey` in the instance folder (`instance/jobs.sqlite3`, or JOBS_SQLITE_PATH): nothing else to run;
  `make run` starts a consumer inside the web server's process (`flask serve`).
- With JOBS_REDIS_URL (or else REDIS_URL) set: `PriorityRedisHuey` on that Redis, shared by every web worker and
  every consumer (`flask jobs`, or `huey_consumer tendering.jobs.huey`), as many as needed.

The job queue only says "there is work"; the database says what. Mail waits in the outbox until a job has sent it
(`mail.deliver`), and the periodic `tick` applies time-driven steps and delivers whatever is left every minute, so a
lost job (Redis down when it was enqueued, a consumer killed) delays work by a minute at most and loses nothing.

Tasks live in the modules of TASK_MODULES, imported with this package (so `huey_consumer tendering.jobs.huey` knows
them all). A module adds its own tasks with `from tendering.jobs import huey, in_app` and `@huey.task()` /
`@huey.periodic_task(crontab(...))` over an `@in_app` function, and is listed in TASK_MODULES.
"""

import functools
import importlib
import logging
import os
import sqlite3
import threading
from pathlib import Path

from flask import Flask, current_app, has_app_context
from huey import PriorityRedisHuey, SqliteHuey
from huey.storage import SqliteStorage

from ..core.config import ROOT

logger = logging.getLogger(__name__)

TASK_MODULES = ["tendering.jobs.tasks", "tendering.notifications.tasks"]


class _LazySqliteStorage(SqliteStorage):
    """SqliteHuey's storage, creating its file and tables on first use rather than at import (a test run or a
    command that never touches the queue leaves no file behind)."""

    def __init__(self, *args, **kwargs):
        kwargs["create_tables"] = False
        super().__init__(*args, **kwargs)
        self._schema_lock = threading.Lock()
        self._schema_ready = False

    def _create_connection(self):
        Path(self.filename).parent.mkdir(parents=True, exist_ok=True)
        connection = super()._create_connection()
        with self._schema_lock:
            if not self._schema_ready:
                for statement in self.ddl:
                    connection.execute(statement)
                self._schema_ready = True
        return connection


class _SqliteHuey(SqliteHuey):
    storage_class = _LazySqliteStorage


def make_huey(environ=os.environ):
    """The Huey instance the environment asks for (see the module's docstring)."""
    redis_url = environ.get("JOBS_REDIS_URL") or environ.get("REDIS_URL")
    if redis_url:
        return PriorityRedisHuey("tendering", url=redis_url)
    path = environ.get("JOBS_SQLITE_PATH") or str(ROOT / "instance" / "jobs.sqlite3")
    return _SqliteHuey("tendering", filename=path)


huey = make_huey()

_app: Flask | None = None
_app_lock = threading.Lock()


def use_app(app: Flask | None) -> None:
    """The app whose context tasks run in, in this process (the CLI's app, or a test's); None: make one."""
    global _app
    _app = app


def consumer_app() -> Flask:
    """The app of this consumer process, created once, on the first task that needs it."""
    global _app
    with _app_lock:
        if _app is None:
            from .. import create_app

            _app = create_app()
        return _app


def in_app(work):
    """Run a task in an app context: the caller's when there is one (a job run at once), else the process's."""

    @functools.wraps(work)
    def run(*args, **kwargs):
        if has_app_context():
            return work(*args, **kwargs)
        with consumer_app().app_context():
            return work(*args, **kwargs)

    return run


def _queue_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [OSError, sqlite3.Error]
    try:
        from redis.exceptions import RedisError
    except ImportError:  # pragma: no cover - redis comes with the app's dependencies
        pass
    else:
        errors.append(RedisError)
    return tuple(errors)


QUEUE_ERRORS = _queue_errors()


def enqueue(task, *args, **kwargs) -> bool:
    """Enqueue a task; with JOBS_IMMEDIATE (tests) run it here and now instead. An unreachable queue is logged and
    forgiven (False): every task here is also caught up by the periodic `tick`."""
    if current_app.config.get("JOBS_IMMEDIATE"):
        task.call_local(*args, **kwargs)
        return True
    try:
        task(*args, **kwargs)
    except QUEUE_ERRORS:
        current_app.logger.warning("could not enqueue %s; the periodic tick catches up", task.name, exc_info=True)
        return False
    return True


def load_tasks() -> list[str]:
    """Import every task module of TASK_MODULES; the names imported."""
    for name in TASK_MODULES:
        importlib.import_module(name)
    return list(TASK_MODULES)


load_tasks()
