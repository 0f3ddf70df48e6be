"""The daily digest: one mail per user with what waited for it, grouped per case.

Run once a day (`tasks.daily_digest`); a run claims what it sends with a conditional update (`digested_at` still
empty) in the same transaction as the mail it queues, and gives up when another run took any of it first, so running
it again, or two consumers at once, never sends anything twice; the database is the guard, not a job lock.

A waiting item follows its recipient's current choice for its kind, not the one of when it was made:
- "off" (a one-click unsubscribe, the settings page): never mailed; it stays in the inbox and no longer waits
  (`digest` cleared, `mailed_at` and `digested_at` left empty);
- "immediately": still in this digest, which it was promised to; it is not mailed on its own afterwards (it would
  arrive late and alone), and what is made after the switch is mailed at once;
- "digest": in the digest.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from itertools import groupby
from zoneinfo import ZoneInfo

from flask import current_app, render_template
from flask_babel import force_locale, ngettext
from sqlalchemy import exists, update
from sqlmodel import Session, select

from ..core import db, mail
from ..models import Case, Notification, NotificationPreference, User
from .kinds import OFF
from .service import ALL_DIGEST, locale_of, site_links, unsubscribe_url


@dataclass(frozen=True)
class Group:
    """A case's heading and its items (or the items about no case)."""

    title: str | None
    reference: str | None
    items: list[Notification]


def digest_cutoff(now: datetime) -> datetime:
    """The latest DIGEST_HOUR (in the municipality's time zone) at or before `now`, in UTC."""
    zone = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "Europe/Amsterdam")
    local = now.astimezone(zone)
    moment = datetime.combine(local.date(), time(int(current_app.config.get("DIGEST_HOUR", 7))), tzinfo=zone)
    if moment > local:
        moment = datetime.combine(local.date() - timedelta(days=1), moment.timetz())
    return moment.astimezone(timezone.utc)


def _turned_off():
    """Whether the notification's recipient now has its kind "off" (a correlated condition on `notifications`)."""
    return exists().where(
        NotificationPreference.user_id == Notification.user_id,
        NotificationPreference.kind == Notification.kind,
        NotificationPreference.mode == OFF,
    )


def send_digests(session: Session, now: datetime) -> int:
    """Queue one digest per user with pending notifications made before `now`; returns how many were queued."""
    pending = (
        Notification.digest.is_(True),
        Notification.digested_at.is_(None),
        Notification.created_at <= now,
    )
    rows = session.exec(
        select(Notification, User, Case.title, Case.reference)
        .join(User, User.id == Notification.user_id)
        .outerjoin(Case, Case.id == Notification.case_id)
        .where(*pending, ~_turned_off())
        .order_by(Notification.user_id, Case.title, Notification.case_id, Notification.created_at, Notification.id)
    ).all()
    ids = [notification.id for notification, *_rest in rows]
    if ids:
        claimed = session.exec(
            update(Notification)
            .where(Notification.id.in_(ids), Notification.digested_at.is_(None), ~_turned_off())
            .values(digested_at=now)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != len(ids):  # another run took some of them (or a kind was just turned off): retry later
            session.rollback()
            return 0
    # What waits for a kind now off is never mailed: it stays in the inbox and waits no more.
    stopped = session.exec(
        update(Notification)
        .where(*pending, _turned_off())
        .values(digest=False)
        .execution_options(synchronize_session=False)
    )
    if not ids:
        if stopped.rowcount:
            db.commit(session)
        else:
            session.rollback()
        return 0
    sent = 0
    with site_links():
        for _user_id, user_rows in groupby(rows, key=lambda row: row[0].user_id):
            user_rows = list(user_rows)
            user = user_rows[0][1]
            if not user.active:
                continue
            groups = [
                Group(title, reference, [row[0] for row in case_rows])
                for (title, reference), case_rows in groupby(user_rows, key=lambda row: (row[2], row[3]))
            ]
            _queue_digest(session, user, groups)
            sent += 1
    db.commit(session)  # then the delivery job is enqueued
    return sent


def _queue_digest(session: Session, user: User, groups: list[Group]) -> None:
    locale = locale_of(user)
    unsubscribe = unsubscribe_url(user, ALL_DIGEST)
    count = sum(len(group.items) for group in groups)
    context = {"groups": groups, "count": count, "unsubscribe_url": unsubscribe, "lang": locale}
    with force_locale(locale):
        subject = ngettext("Your daily digest: %(num)d notification", "Your daily digest: %(num)d notifications", count)
        message = mail.Composed(
            subject,
            _render("mail/digest.txt", subject=subject, **context),
            html=_render("mail/digest.html", subject=subject, **context),
        )
    sealed = any(item.sealed for group in groups for item in group.items)
    mail.queue(session, to=user.email, message=message, sealed=sealed, unsubscribe_url=unsubscribe)


def _render(template: str, **context) -> str:
    return render_template(template, **context).strip()
