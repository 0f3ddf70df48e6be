"""Following a published tender: its deadlines reach the follower's calendar feed (and, through the notifications,
their reminders).

Any logged-in user may follow a tender that has been published; before publication there is nothing to follow.
Following is interest, not a bid, so it reveals nothing sealed. Still, who follows is kept private: no page shows
the followers, the municipality sees only how many (`follower_count`), and the audit event is not written on the
case's timeline (it names no case, only the case id in its details), so the list never reaches the case page.
"""

from flask_babel import gettext as _
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from .. import access
from ..core import audit
from ..core.errors import DomainError
from ..models import Case, TenderFollow, User
from .cases import was_published


def _require(session: Session, user: User, case: Case) -> None:
    access.require(session, access.Capability.follow_tenders, user)
    if not was_published(session, case):
        raise DomainError(_("Only a published tender can be followed."))


def is_following(session: Session, user: User, case: Case) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return (
        session.exec(
            select(TenderFollow.id).where(TenderFollow.user_id == user.id, TenderFollow.case_id == case.id)
        ).first()
        is not None
    )


def follow(session: Session, user: User, case: Case) -> bool:
    """Follow the tender; False when the user already did (nothing changes)."""
    _require(session, user, case)
    if is_following(session, user, case):
        return False
    try:
        with session.begin_nested():  # a second click racing the first meets the unique constraint
            session.add(TenderFollow(user_id=user.id, case_id=case.id))
            session.flush()
    except IntegrityError:
        return False
    audit.record(session, action="tender_followed", actor=user, details={"case_id": case.id})
    return True


def unfollow(session: Session, user: User, case: Case) -> bool:
    """Stop following; False when the user did not follow it."""
    access.require(session, access.Capability.follow_tenders, user)
    found = session.exec(
        select(TenderFollow).where(TenderFollow.user_id == user.id, TenderFollow.case_id == case.id)
    ).first()
    if found is None:
        return False
    session.delete(found)
    audit.record(session, action="tender_unfollowed", actor=user, details={"case_id": case.id})
    session.flush()
    return True


def followers(session: Session, case_id: int) -> list[User]:
    """Who follows the tender, for sending them its reminders; never to be shown on a page."""
    return list(
        session.exec(
            select(User)
            .join(TenderFollow, TenderFollow.user_id == User.id)
            .where(TenderFollow.case_id == case_id, User.active.is_(True))
            .order_by(User.id)
        ).all()
    )


def follower_count(session: Session, case_id: int) -> int:
    """How many follow the tender: what the municipality may see of the followers."""
    return session.exec(select(func.count()).select_from(TenderFollow).where(TenderFollow.case_id == case_id)).one()


def followed_case_ids(session: Session, user: User) -> set[int]:
    return set(session.exec(select(TenderFollow.case_id).where(TenderFollow.user_id == user.id)).all())
