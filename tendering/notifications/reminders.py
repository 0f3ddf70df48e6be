"""Reminders of deadlines: some days before a clarification or submission deadline, a report's due day and the end
of a standstill (REMINDER_DAYS, e.g. "7,2,1"), and once when a report is overdue.

A run looks at the deadlines falling within the largest offset (`deadlines.falling_between`) and, per deadline,
gives the reminder of the smallest offset already reached (a deadline set two days ahead gets the two-day reminder,
not also the seven-day one), and not even that one when an earlier reminder of the same moment already said as much
(a deadline set 25 hours ahead gets the two-day reminder, "in 1 day", and not an hour later the one-day one). A
reminder states the time really left, rounded to whole days, or to hours under a day (`remaining`), not its offset:
a seven-day reminder given three days before (a deadline set late, a consumer that was down) says "in 3 days".

The database is the guard, not a job lock: what a run gives is remembered per user, deadline (its stable uid and
the moment it falls) and offset, in `sent_reminders` with its unique constraint, inserted before the inbox rows and
the mail and in their transaction. Of two runs at once, the second meets the constraint (PostgreSQL: once the first
commits) and gives nothing; a rerun gives nothing twice; a moved deadline, falling at another moment, is reminded of
again.

Every reminder of a deadline of a tender is sealed (the admin's outbox only counts it): to a coalition's members it
tells who bids, and who follows a tender is never shown either (`following.followers`); only the end of a standstill,
to the case's official, is not.

Who is reminded:
- clarification and submission deadlines: who follows the tender and the members of the coalitions taking part;
  a deadline for some coalitions only (a call for realisation plans) only their members;
- a report due (and overdue): the members of the reporting coalition;
- the end of a standstill: the case's official.
"""

from collections import defaultdict
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from ..core import db
from ..models import Case, Coalition, CoalitionMember, MembershipStatus, Role, SentReminder, TenderFollow, User
from ..question import deadlines as deadline_module
from ..question.deadlines import Deadline
from .kinds import Kind
from .service import Item, deliver, link_to

REMINDED = {
    "clarification": Kind.deadline_reminder,
    "submission": Kind.deadline_reminder,
    "report_due": Kind.report_due,
    "standstill_end": Kind.standstill_end,
}
OVERDUE = 0  # the offset recorded for "the report is overdue"
OVERDUE_WINDOW = timedelta(days=3)  # an overdue report is still told about when the job was down this long


def offsets() -> list[int]:
    """REMINDER_DAYS as whole days before the deadline, largest first; a malformed setting is an error at once."""
    raw = str(current_app.config.get("REMINDER_DAYS", "7,2,1"))
    days = sorted({int(part) for part in raw.split(",") if part.strip()}, reverse=True)
    if not days or days[-1] < 1:
        raise ValueError(f"REMINDER_DAYS must list whole days of at least 1, not {raw!r}")
    return days


def send_reminders(session: Session, now: datetime) -> int:
    """Give every reminder due at `now` that was not given yet; returns how many notifications were made."""
    days = offsets()
    due: list[tuple[Deadline, int]] = []
    for deadline in deadline_module.falling_between(session, now - OVERDUE_WINDOW, now + timedelta(days=days[0])):
        if deadline.kind not in REMINDED or deadline.settled:
            continue
        if deadline.at <= now:
            if deadline.kind == "report_due" and deadline.period is not None:  # a progress report not in
                due.append((deadline, OVERDUE))
            continue
        remaining = deadline.at - now
        due.append((deadline, min(o for o in days if remaining <= timedelta(days=o))))
    if not due:
        return 0
    audiences = _audiences(session, [d for d, _offset in due])
    given: dict[tuple[int, str, datetime], dict[int, datetime]] = defaultdict(dict)
    for row in session.exec(
        select(SentReminder).where(SentReminder.deadline_uid.in_({d.uid for d, _offset in due}))
    ).all():
        given[(row.user_id, row.deadline_uid, row.deadline_at)][row.offset_days] = row.created_at
    items: list[Item] = []
    for deadline, offset in due:
        users = [
            u
            for u in audiences.get(deadline.uid, [])
            if not _already_told(given.get((u.id, deadline.uid, deadline.at), {}), deadline.at, offset)
        ]
        if not users:
            continue
        for user in users:
            session.add(
                SentReminder(
                    user_id=user.id,
                    deadline_uid=deadline.uid,
                    deadline_at=deadline.at,
                    offset_days=offset,
                    created_at=now,
                )
            )
        items.append(_item(deadline, offset, users, now))
    if not items:
        return 0
    try:
        session.flush()  # another run that gave the same reminders meets the unique constraint: it sent them
    except IntegrityError:
        session.rollback()
        return 0
    deliver(session, items)
    db.commit(session)  # then the delivery job is enqueued
    return sum(len(item.notifications) for item in items)


def remaining(at: datetime, now: datetime) -> tuple[int, int]:
    """The time left until `at` as a reminder states it: (whole days, 0), rounded to the nearest day, from 23½ hours
    on; else (0, whole hours), rounded to the nearest hour (0, 0: less than half an hour)."""
    hours = max(0, int((at - now + timedelta(minutes=30)) // timedelta(hours=1)))
    if hours >= 24:
        return (hours + 12) // 24, 0
    return 0, hours


def _already_told(given: dict[int, datetime], at: datetime, offset: int) -> bool:
    """Whether this offset's reminder was given, or an earlier reminder of the same moment already said the time
    left was at most `offset` days (it was given late): the nearest reminder only, never two saying the same."""
    if offset in given:
        return True
    if offset == OVERDUE:
        return False
    return any(o > offset and remaining(at, told_at)[0] <= offset for o, told_at in given.items() if o != OVERDUE)


def _item(deadline: Deadline, offset: int, users: list[User], now: datetime) -> Item:
    kind = Kind.report_overdue if offset == OVERDUE else REMINDED[deadline.kind]
    if deadline.kind == "report_due":
        template = "reminder_report_overdue" if offset == OVERDUE else "reminder_report_due"
        link = link_to("reporting.index", coalition_id=deadline.coalition_id)
    elif deadline.kind == "standstill_end":
        template, link = "reminder", link_to("award.index", case_id=deadline.case_id)
    else:
        template, link = "reminder", link_to("public.tender", reference=deadline.case_reference)
    days, hours = remaining(deadline.at, now)
    context = {
        "deadline_kind": deadline.kind,
        "title": deadline.case_title,
        "reference": deadline.case_reference,
        "at": deadline.at,
        "day": deadline.day,
        "days": days,  # the time really left (not the offset): whole days, or hours under a day
        "hours": hours,
        "due": deadline.subject,
        "link": link,
    }
    # Sealed but for the standstill's end (to the case's official): the audience of a tender's deadline is its
    # coalitions' members (who bids) and its followers (never shown either); a reminder of a call for plans or of a
    # report goes to coalitions' members. The admin's outbox then only counts these mails, and a digest carrying
    # one of these inbox rows is sealed with it.
    sealed = deadline.kind != "standstill_end"
    return Item(kind, template, context, users, None, (), None, sealed, link, case_id=deadline.case_id)


def _audiences(session: Session, found: list[Deadline]) -> dict[str, list[User]]:
    """Per deadline uid, who is reminded (three queries, whatever the number of deadlines)."""
    case_ids = sorted({d.case_id for d in found})
    followers: dict[int, list[User]] = defaultdict(list)
    for case_id, user in session.exec(
        select(TenderFollow.case_id, User)
        .join(User, User.id == TenderFollow.user_id)
        .where(TenderFollow.case_id.in_(case_ids), User.active.is_(True))
        .order_by(User.id)
    ).all():
        followers[case_id].append(user)
    members: dict[int, list[User]] = defaultdict(list)  # per coalition
    coalitions_of: dict[int, set[int]] = defaultdict(set)  # per case
    for case_id, coalition_id, user in session.exec(
        select(Coalition.case_id, Coalition.id, User)
        .join(CoalitionMember, CoalitionMember.coalition_id == Coalition.id)
        .join(User, User.organisation_id == CoalitionMember.organisation_id)
        .where(
            Coalition.case_id.in_(case_ids),
            CoalitionMember.status == MembershipStatus.accepted,
            User.role == Role.coalition_member,
            User.active.is_(True),
        )
        .order_by(User.id)
    ).all():
        members[coalition_id].append(user)
        coalitions_of[case_id].add(coalition_id)
    owners = {
        case_id: user
        for case_id, user in session.exec(
            select(Case.id, User).join(User, User.id == Case.owner_id).where(Case.id.in_(case_ids), User.active)
        ).all()
    }
    found_for: dict[str, list[User]] = {}
    for deadline in found:
        if deadline.kind == "standstill_end":
            people = [owners[deadline.case_id]] if deadline.case_id in owners else []
        elif deadline.kind == "report_due":
            people = members.get(deadline.coalition_id, [])
        elif deadline.coalition_ids is not None:
            people = [u for c in sorted(deadline.coalition_ids) for u in members.get(c, [])]
        else:
            people = followers.get(deadline.case_id, []) + [
                u for c in sorted(coalitions_of.get(deadline.case_id, ())) for u in members.get(c, [])
            ]
        unique: dict[int, User] = {}
        for user in people:
            unique.setdefault(user.id, user)
        found_for[deadline.uid] = list(unique.values())
    return found_for
