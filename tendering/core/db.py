"""Engine, per-request session and the one commit point.

Services flush but never commit, and views do not commit either: a request
whose view answered below 400 is committed once, by `TenderingFlask`, right
after the view returns (so a refused write still becomes a 409 page, not a
500); any other answer, and any exception, is rolled back at teardown. Work
that must happen only once the data is stored (delivering mail) hangs on
`after_commit`. Command-line jobs and the time-driven steps open a session of
their own and call `commit(session)`.
A transaction that wrote anything bumps, as its last statements before the
commit, the data generation or, when all it wrote is narrower (a measurement),
the generations of the scopes it changed (see `generations`), so cached page
bodies (`fragments`) go stale exactly when their data does; bumping last means
every writer takes those rows' locks after all its other locks, which cannot
deadlock.
"""

from collections.abc import Callable

from flask import Flask, current_app, g
from sqlalchemy import event, insert, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from ..models import DataGeneration
from . import generations


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL, a busy timeout and foreign keys on every connection."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 15})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=15000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_pre_ping=True)


def init_app(app: Flask) -> None:
    app.extensions["db_engine"] = make_engine(app.config["DATABASE_URL"])
    app.teardown_appcontext(_close_session)


def engine() -> Engine:
    return current_app.extensions["db_engine"]


def session() -> Session:
    """The request's session, opened on first use."""
    if "db_session" not in g:
        g.db_session = Session(engine(), expire_on_commit=False)
    return g.db_session


def write_aside(statement) -> None:
    """Bookkeeping that changes nothing a reader sees (a session last seen, a token last used, a refused read),
    on a connection and in a transaction of its own: it is kept whatever becomes of the request, it does not wait
    for the request's commit, and it does not count as a change of data (which would empty every page cache)."""
    with engine().begin() as connection:
        connection.execute(statement)


AFTER_COMMIT = "tendering.after_commit"
DERIVED: list[Callable[[Session], None]] = []


def derived_writes(work: Callable[[Session], None]) -> Callable[[Session], None]:
    """Register `work(session)`, run at the commit of every transaction that wrote, in that transaction and before
    the generation bump: data derived from what the transaction changed (the open-data releases of the cases it
    touched) is stored with it or not at all."""
    DERIVED.append(work)
    return work


def derive(session: Session) -> None:
    """Store what is derived from the writes so far: at every commit, and after each transition (`engine.fire`),
    so that a job firing many in one transaction derives from each as from an event of its own."""
    session.flush()
    for work in DERIVED:
        work(session)


def after_commit(db_session: Session, hook: Callable[[Session], None]) -> None:
    """Run `hook(db_session)` once this session's transaction is committed, never if it is rolled back."""
    hooks = db_session.info.setdefault(AFTER_COMMIT, [])
    if hook not in hooks:
        hooks.append(hook)


def commit(db_session: Session | None = None) -> None:
    """Commit a unit of work (the request's unless another session is given), then run its hooks."""
    db_session = db_session or session()
    db_session.commit()
    g.pop("data_generation", None)  # the commit bumped it; bodies rendered from here on belong to the new one
    g.pop("scope_generations", None)
    for hook in db_session.info.pop(AFTER_COMMIT, []):
        try:
            hook(db_session)
        except OSError:
            current_app.logger.exception("after-commit work failed (%s); it is retried later", hook.__name__)


def discard_request_work() -> None:
    """Drop what the request wrote so far, so a page can still be shown after a refusal (a lost race)."""
    if "db_session" in g:
        g.db_session.rollback()


def end_request(status_code: int) -> None:
    """The request's one commit point: its work is kept when the answer is a success or a redirect."""
    if "db_session" not in g:
        return
    if status_code < 400:
        commit()
    else:
        g.db_session.rollback()


class TenderingFlask(Flask):
    """Flask whose every request ends at `end_request`, after the view and before the response is sent."""

    def dispatch_request(self):
        response = self.make_response(super().dispatch_request())
        end_request(response.status_code)
        return response


def _close_session(_exc: BaseException | None) -> None:
    db_session = g.pop("db_session", None)
    if db_session is not None:
        db_session.rollback()
        db_session.close()


@event.listens_for(Session, "after_flush")
def _note_flush(session: Session, _context) -> None:
    changed = [obj for obj in session.dirty if session.is_modified(obj)]
    generations.note_flushed(session, [*session.new, *changed, *session.deleted])


@event.listens_for(Session, "do_orm_execute")
def _note_statement(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        generations.note_statement(state)


@event.listens_for(Session, "before_commit")
def _bump_generation(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint released: the transaction goes on, its commit comes later
        return
    session.flush()
    if generations.wrote(session):
        derive(session)
        session.flush()
    scopes = generations.scopes_changed(session)
    generations.forget(session)
    if not scopes:
        return
    connection = session.connection()  # Core, not the session: these statements must not count as writes
    if generations.EVERYTHING in scopes:
        table = DataGeneration.__table__
        if not connection.execute(update(table).values(generation=table.c.generation + 1)).rowcount:
            connection.execute(insert(table).values(id=1, generation=1))  # a database emptied by hand
    else:
        generations.bump(connection, scopes)


@event.listens_for(Session, "after_rollback")
def _forget_writes(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint rolled back: what the transaction wrote before it stays
        return
    generations.forget(session)
    session.info.pop(AFTER_COMMIT, None)
