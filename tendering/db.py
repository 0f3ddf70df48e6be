"""Engine and per-request session.

Operations flush but never commit; a view commits once when its work is done,
and the teardown rolls back whatever was left uncommitted (Indico's pattern).
A transaction that wrote anything bumps the data generation as its last
statement before the commit, so cached page bodies (`fragments`) go stale
exactly when the data does; bumping last means every writer takes that row's
lock after all its other locks, which cannot deadlock.
"""

from flask import Flask, current_app, g
from sqlalchemy import event, insert, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from .models import DataGeneration

WROTE = "tendering.wrote"


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


def commit() -> None:
    """Commit the request's work; mail it queued goes out only after that."""
    session().commit()
    g.pop("data_generation", None)  # the commit bumped it; bodies rendered from here on belong to the new one
    if g.pop("mail_queued", False):
        from .mail import deliver_pending

        try:
            deliver_pending(session())
        except OSError:
            current_app.logger.exception("mail delivery failed; messages stay in the outbox")


def _close_session(_exc: BaseException | None) -> None:
    db_session = g.pop("db_session", None)
    if db_session is not None:
        db_session.rollback()
        db_session.close()


@event.listens_for(Session, "after_flush")
def _note_flush(session: Session, _context) -> None:
    session.info[WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _note_statement(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[WROTE] = True


@event.listens_for(Session, "before_commit")
def _bump_generation(session: Session) -> None:
    session.flush()
    if session.info.pop(WROTE, False):
        table = DataGeneration.__table__
        connection = session.connection()  # Core, not the session: this statement must not count as a write
        if not connection.execute(update(table).values(generation=table.c.generation + 1)).rowcount:
            connection.execute(insert(table).values(id=1, generation=1))  # a database emptied by hand


@event.listens_for(Session, "after_rollback")
def _forget_writes(session: Session) -> None:
    session.info.pop(WROTE, None)
