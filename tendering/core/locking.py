"""Optimistic locking of cases: the version a user saw must still be current.

The case's `version` column is SQLAlchemy's version counter, so every UPDATE
also checks it in the database; a lost race surfaces at flush.
"""

from flask_babel import gettext as _
from sqlalchemy import update
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session

from ..models import Case
from .errors import StaleCase


def stale_case() -> StaleCase:
    return StaleCase(_("This case was changed by someone else in the meantime. Reload the page and try again."))


def check_version(case: Case, expected_version: int | None) -> None:
    """Refuse when the user acted on an older version of the case."""
    if expected_version is not None and expected_version != case.version:
        raise stale_case()


def flush(session: Session) -> None:
    """Flush; a concurrent change of the same case becomes StaleCase, nothing written."""
    try:
        session.flush()
    except StaleDataError:  # the request is refused; its error handler drops the transaction
        raise stale_case() from None


def serialise(session: Session, model: type, row_id: int) -> None:
    """Make concurrent writers of one row take turns, before they read what they decide on.

    A no-op UPDATE takes the row's lock on PostgreSQL and the write lock on
    SQLite, and holds it until the commit; the reads after it see what the
    previous writer committed (read them with `fresh`), so a double click or
    two officials at once cannot both act on the same old state.
    """
    table = model.__table__
    statement = update(table).where(table.c.id == row_id).values(id=table.c.id)
    session.execute(statement.execution_options(changes_nothing=True))  # a lock: no cached page goes stale


def fresh(statement):
    """A read after `serialise`: the rows as committed now, not as this session loaded them earlier."""
    return statement.execution_options(populate_existing=True)
