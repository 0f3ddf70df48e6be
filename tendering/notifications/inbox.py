"""The in-app inbox: a user's notifications, newest first, read and unread."""

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, update
from sqlmodel import Session, select

from ..core.errors import NotFound
from ..models import Case, Notification, User, utcnow

PAGE_SIZE = 25


@dataclass(frozen=True)
class Entry:
    notification: Notification
    case_title: str | None
    case_reference: str | None


@dataclass(frozen=True)
class Page:
    entries: list[Entry]
    number: int
    pages: int
    total: int


def page_of(session: Session, user: User, number: int = 1, size: int = PAGE_SIZE) -> Page:
    """One page of the inbox in two queries, whatever the number of notifications."""
    total = session.exec(select(func.count()).select_from(Notification).where(Notification.user_id == user.id)).one()
    pages = max(1, -(-total // size))
    number = min(max(1, number), pages)
    rows = session.exec(
        select(Notification, Case.title, Case.reference)
        .outerjoin(Case, Case.id == Notification.case_id)
        .where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .offset((number - 1) * size)
        .limit(size)
    ).all()
    return Page([Entry(n, title, reference) for n, title, reference in rows], number, pages, total)


def mark_read(session: Session, user: User, notification_id: int) -> None:
    notification = session.get(Notification, notification_id)
    if notification is None or notification.user_id != user.id:
        raise NotFound(_("This notification does not exist."))
    if notification.read_at is None:
        notification.read_at = utcnow()
        session.add(notification)
        session.flush()
    _recount(session, user)


def mark_all_read(session: Session, user: User) -> None:
    session.exec(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    _recount(session, user)


def _recount(session: Session, user: User) -> None:
    """The user's unread count, counted again in the same statement that stores it."""
    unread = (
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .scalar_subquery()
    )
    session.exec(
        update(User)
        .where(User.id == user.id)
        .values(unread_notifications=unread)
        .execution_options(synchronize_session=False, changes_nothing=True)  # the header's count: never cached
    )
