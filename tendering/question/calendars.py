"""iCalendar feeds of deadlines (RFC 5545, written with the `icalendar` library).

- A tender's public feed: the clarification deadline, the submission deadline and the opening of a published
  tender, and its expected award date when it has one (an all-day event), at a stable address beside its page.
- A user's private feed: everything that concerns them (`deadlines.concerning`), at an address with a random token
  of their own; only the token's SHA-256 is stored, and it can be revoked or renewed on the account page. The
  feed needs no login (calendar apps have none): the token is the key, so an unknown or revoked one is a 404.

Times are written in Europe/Amsterdam (the install's BABEL_DEFAULT_TIMEZONE) with a VTIMEZONE component, which
every calendar app accepts; a day (the expected award, a report due, the last day of the standstill) is an all-day
event. Each event keeps its deadline's UID, and its SEQUENCE and LAST-MODIFIED grow when an amendment moves it, so
a calendar replaces the event instead of adding a second one. Without a METHOD, DTSTAMP is the last modification
too (RFC 5545, 3.8.7.2), so an unchanged feed is byte for byte the same and its ETag lets a calendar app ask
cheaply whether anything changed.
"""

import hashlib
import secrets
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from icalendar import Calendar, Event, Timezone
from sqlmodel import Session, select

from .. import access
from ..core import audit
from ..models import CalendarToken, Case, ProposalStage, User, utcnow
from . import deadlines
from .deadlines import Deadline

TOKEN_BYTES = 32
EPOCH = datetime(2020, 1, 1, tzinfo=timezone.utc)  # DTSTAMP of an event that has no modification time
PRODID = "-//Maatschappelijk aanbesteden//tendering//NL"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# Tokens ---------------------------------------------------------------------------------------------------------------


def live_token(session: Session, user: User) -> CalendarToken | None:
    return session.exec(
        select(CalendarToken).where(CalendarToken.user_id == user.id, CalendarToken.revoked_at.is_(None))
    ).first()


def _revoke_all(session: Session, user: User) -> int:
    now, count = utcnow(), 0
    for token in session.exec(
        select(CalendarToken).where(CalendarToken.user_id == user.id, CalendarToken.revoked_at.is_(None))
    ).all():
        token.revoked_at, count = now, count + 1
        session.add(token)
    return count


def renew(session: Session, user: User, *, language: str) -> str:
    """A new secret address for the user's feed (the old one, if any, stops working); returns the token, which is
    shown once and never stored."""
    access.require(session, access.Capability.follow_tenders, user)
    replaced = _revoke_all(session, user)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    language = language if language in current_app.config["LANGUAGES"] else current_app.config["BABEL_DEFAULT_LOCALE"]
    session.add(CalendarToken(user_id=user.id, token_sha256=hash_token(token), language=language))
    audit.record(session, action="calendar_feed_created", actor=user, details={"replaced": replaced})
    session.flush()
    return token


def revoke(session: Session, user: User) -> bool:
    """The feed's address stops working; False when there was none."""
    access.require(session, access.Capability.follow_tenders, user)
    if not _revoke_all(session, user):
        return False
    audit.record(session, action="calendar_feed_revoked", actor=user)
    session.flush()
    return True


def holder_of(session: Session, token: str) -> tuple[User, CalendarToken] | None:
    """The active user whose live token this is: one lookup by the token's hash (a unique index), so the answer
    takes as long for any unknown token."""
    if not token or len(token) > 100:
        return None
    found = session.exec(
        select(User, CalendarToken)
        .join(CalendarToken, CalendarToken.user_id == User.id)
        .where(
            CalendarToken.token_sha256 == hash_token(token),
            CalendarToken.revoked_at.is_(None),
            User.active.is_(True),
        )
    ).first()
    return (found[0], found[1]) if found else None


def feed_language(user: User, token: CalendarToken) -> str:
    """The user's own language when they chose one (in the notification settings), else the one the feed was made in."""
    languages = current_app.config["LANGUAGES"]
    chosen = getattr(user, "language", None)
    return chosen if chosen in languages else (token.language if token.language in languages else "nl")


# Feeds ----------------------------------------------------------------------------------------------------------------


def tender_feed(session: Session, case: Case) -> bytes:
    """The public feed of a published tender (the caller has checked it is published)."""
    public = [d for d in deadlines.of_case(session, case) if d.public]
    return render(public, name=_("Deadlines of %(title)s", title=case.title))


def user_feed(session: Session, user: User, token: CalendarToken) -> bytes:
    """The holder's private feed, in their language."""
    with force_locale(feed_language(user, token)):
        return render(deadlines.concerning(session, user), name=_("My deadlines (tendering)"))


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Europe/Amsterdam"))


def summary(deadline: Deadline) -> str:
    title = deadline.case_title
    if deadline.kind == "clarification":
        return _("Clarification questions close: %(title)s", title=title)
    if deadline.kind == "submission" and deadline.stage == ProposalStage.realisation:
        return _("Realisation plan deadline: %(title)s", title=title)
    if deadline.kind == "submission" and deadline.stage == ProposalStage.strategy:
        return _("Strategy submission deadline: %(title)s", title=title)
    if deadline.kind == "submission":
        return _("Submission deadline: %(title)s", title=title)
    if deadline.kind == "opening" and deadline.settled:
        return _("Tender box opened: %(title)s", title=title)
    if deadline.kind == "opening":
        return _("Opening of the tender box: %(title)s", title=title)
    if deadline.kind == "expected_award":
        return _("Expected award: %(title)s", title=title)
    if deadline.kind == "standstill_end":
        return _("Last day of the standstill: %(title)s", title=title)
    if deadline.indicator_id is not None:
        return _("Value due for %(indicator)s: %(title)s", indicator=deadline.subject, title=title)
    return _("Progress report due: %(title)s", title=title)


def description(deadline: Deadline) -> str:
    lines = [_("Case %(reference)s: %(title)s", reference=deadline.case_reference, title=deadline.case_title)]
    if deadline.kind == "report_due" and deadline.period is not None:
        lines.append(_("For the reporting period starting %(day)s.", day=deadline.period.isoformat()))
    if deadline.kind == "opening" and not deadline.settled:
        lines.append(_("The tender box can be opened once the deadline has passed."))
    if deadline.public:
        lines.append(url_for("public.tender", reference=deadline.case_reference, _external=True))
    return "\n".join(lines)


def render(found: list[Deadline], *, name: str) -> bytes:
    zone = _zone()
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", zone.key)
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    timed = False
    for deadline in found:
        event = Event()
        event.add("uid", deadline.uid)
        event.add("summary", summary(deadline))
        event.add("description", description(deadline))
        stamp = (deadline.last_modified or EPOCH).astimezone(timezone.utc).replace(microsecond=0)
        event.add("dtstamp", stamp)
        event.add("last-modified", stamp)
        event.add("sequence", deadline.sequence)
        event.add("transp", "TRANSPARENT")
        event.add("categories", [deadline.kind])
        if deadline.day is not None:
            event.add("dtstart", deadline.day)
            event.add("dtend", deadline.day + timedelta(days=1))
        else:
            local = deadline.at.astimezone(zone).replace(microsecond=0)
            event.add("dtstart", local)
            event.add("dtend", local)
            timed = True
        calendar.add_component(event)
    if timed:
        years = [d.at.astimezone(zone).year for d in found if d.day is None]
        component = Timezone.from_tzinfo(zone, first_date=date(min(years), 1, 1), last_date=date(max(years) + 1, 1, 1))
        calendar.subcomponents.insert(0, component)
    return calendar.to_ical()
