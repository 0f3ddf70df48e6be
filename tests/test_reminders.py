"""Reminders: 7, 2 and 1 days before a deadline (REMINDER_DAYS), once each however often the job runs; a moved
deadline is reminded of again; each reminder reaches only whom it concerns."""

import threading
from datetime import timedelta

import pytest
from huey.exceptions import TaskLockedException
from sqlalchemy import event
from sqlmodel import Session, select

from tendering import jobs
from tendering.models import AwardDecision, Notification, OutboxMessage, SentReminder, utcnow
from tendering.notifications import Kind, preferences, tasks
from tendering.notifications.digests import send_digests
from tendering.notifications.kinds import DIGEST, OFF
from tendering.notifications.reminders import send_reminders
from tendering.parties.coalitions import form_coalition
from tendering.question import deadlines, following
from tendering.question.tender_setup import set_procedure

from .conftest import login
from .monitoring_helpers import add_realised
from .test_notifications import mails_to, notifications_of, publish_tender, volunteer_maker


@pytest.fixture
def tender(session, official):
    return publish_tender(session, official)


@pytest.fixture
def make_volunteer(session, make_user):
    return volunteer_maker(session, make_user)


def reminders_of(session, user, kind=Kind.deadline_reminder):
    return [n for n in notifications_of(session, user) if n.kind == kind.value]


def test_a_follower_is_reminded_7_2_and_1_days_before_once_each(session, tender, make_volunteer):
    volunteer = make_volunteer()
    following.follow(session, volunteer, tender)
    session.commit()
    deadline = tender.clarification_deadline
    for days in (7, 2, 1):
        at = deadline - timedelta(days=days) + timedelta(minutes=1)
        assert send_reminders(session, at) == 1
        assert send_reminders(session, at) == 0  # the job again: nothing twice
        assert send_reminders(session, at + timedelta(hours=3)) == 0
    told = reminders_of(session, volunteer)
    assert len(told) == 3 and all(n.case_id == tender.id for n in told)
    assert [m.subject for m in mails_to(session, volunteer.email)] == [
        f"Reminder: the deadline for clarification questions of “{tender.title}” is in {d} days"
        if d > 1
        else f"Reminder: the deadline for clarification questions of “{tender.title}” is in 1 day"
        for d in (7, 2, 1)
    ]
    assert all(m.list_unsubscribe for m in mails_to(session, volunteer.email))
    assert send_reminders(session, deadline + timedelta(minutes=1)) == 0  # passed: nothing more
    assert session.exec(select(SentReminder)).all() and len(session.exec(select(SentReminder)).all()) == 3


def test_a_deadline_set_late_gets_only_the_nearest_reminder(session, tender, make_volunteer):
    volunteer = make_volunteer()
    following.follow(session, volunteer, tender)
    session.commit()
    at = tender.clarification_deadline - timedelta(days=1, hours=12)  # the 7- and 2-day moments have passed
    assert send_reminders(session, at) == 1
    (row,) = session.exec(select(SentReminder)).all()
    assert row.offset_days == 2


def test_a_moved_deadline_gets_new_reminders(session, tender, official, make_volunteer):
    volunteer = make_volunteer()
    following.follow(session, volunteer, tender)
    session.commit()
    first = tender.clarification_deadline
    assert send_reminders(session, first - timedelta(days=1) + timedelta(minutes=1)) == 1
    moved = first + timedelta(days=3)
    set_procedure(
        session,
        tender,
        actor=official,
        clarification_deadline=moved,
        submission_deadline=tender.submission_deadline,
        min_partners=tender.min_partners,
        amendment_note="De vragentermijn is met drie dagen verlengd.",
    )
    session.commit()
    uid = next(d.uid for d in deadlines.of_case(session, tender) if d.kind == "clarification")
    assert send_reminders(session, moved - timedelta(days=1) + timedelta(minutes=1)) == 1
    assert send_reminders(session, moved - timedelta(days=1) + timedelta(minutes=2)) == 0
    rows = session.exec(select(SentReminder).where(SentReminder.user_id == volunteer.id)).all()
    assert {(r.deadline_uid, r.deadline_at, r.offset_days) for r in rows} == {(uid, first, 1), (uid, moved, 1)}
    assert len(reminders_of(session, volunteer)) == 2


def test_coalitions_taking_part_are_reminded_and_strangers_are_not(session, tender, make_volunteer):
    lead = make_volunteer("Lies Penvoerder", "lies@coalitie.example")
    stranger = make_volunteer("Sam Vreemd", "sam@elders.example")
    form_coalition(session, tender, actor=lead, name="Coalitie Samen")
    session.commit()
    at = tender.submission_deadline - timedelta(days=7) + timedelta(minutes=1)
    assert send_reminders(session, at) == 1
    (told,) = reminders_of(session, lead)
    assert "the submission deadline" in told.subject
    assert reminders_of(session, stranger) == [] and mails_to(session, stranger.email) == []


def test_who_turned_reminders_off_is_not_reminded(session, tender, make_volunteer):
    volunteer = make_volunteer()
    following.follow(session, volunteer, tender)
    preferences.save(session, volunteer, modes={Kind.deadline_reminder: OFF}, language=None)
    session.commit()
    assert send_reminders(session, tender.clarification_deadline - timedelta(days=2) + timedelta(minutes=1)) == 0
    assert mails_to(session, volunteer.email) == []


def test_a_report_due_reaches_the_reporting_coalition_only(session, make_case, make_user, official):
    first = add_realised(session, make_case, make_user, official)
    second = add_realised(session, make_case, make_user, official, title="Tweede", coalition_name="Anders")
    due = min(
        (d for d in deadlines.of_case(session, first.case) if d.kind == "report_due" and d.at > utcnow()),
        key=lambda d: d.at,
    )
    at = due.at - timedelta(days=2) + timedelta(minutes=1)
    assert send_reminders(session, at) >= 1
    assert send_reminders(session, at) == 0
    told = reminders_of(session, first.member, Kind.report_due)
    assert told and all(n.case_id == first.case.id for n in told)
    assert all("due in 2 days" in n.subject for n in told)
    assert [n for n in notifications_of(session, second.member) if n.case_id == first.case.id] == []


def test_the_standstill_end_reaches_the_case_s_official(session, make_case, make_user, official):
    realised = add_realised(session, make_case, make_user, official)
    decision = session.exec(select(AwardDecision).where(AwardDecision.case_id == realised.case.id)).one()
    decision.standstill_ends_at = utcnow() + timedelta(days=2)
    session.add(decision)
    session.commit()
    assert send_reminders(session, decision.standstill_ends_at - timedelta(days=1, minutes=1)) >= 1
    (told,) = [n for n in notifications_of(session, official) if n.kind == Kind.standstill_end.value]
    assert "the end of the standstill period" in told.subject
    assert not session.exec(
        select(Notification).where(Notification.kind == Kind.standstill_end.value, Notification.user_id != official.id)
    ).all()


def test_an_overdue_progress_report_is_told_once(session, make_case, make_user, official):
    realised = add_realised(session, make_case, make_user, official)
    due = min(
        (d for d in deadlines.of_case(session, realised.case) if d.kind == "report_due" and d.period is not None),
        key=lambda d: d.at,
    )
    assert not due.settled
    after = due.at + timedelta(hours=1)
    assert send_reminders(session, after) >= 1
    assert send_reminders(session, after + timedelta(hours=1)) == 0
    (told,) = reminders_of(session, realised.member, Kind.report_overdue)
    assert told.subject.endswith("is overdue") and told.case_id == realised.case.id


def clarification_in(session, tender, left):
    """Move the tender's clarification deadline to `left` from now (set late); returns now."""
    now = utcnow()
    tender.clarification_deadline = now + left
    session.add(tender)
    session.commit()
    return now


def subjects_to(session, user):
    return [m.subject for m in mails_to(session, user.email)]


def test_a_reminder_says_the_time_really_left_not_its_offset(session, tender, make_volunteer):
    volunteer = make_volunteer()
    following.follow(session, volunteer, tender)
    session.commit()
    now = clarification_in(session, tender, timedelta(days=3, hours=2))  # the seven-day moment has passed
    assert send_reminders(session, now) == 1
    what = f"Reminder: the deadline for clarification questions of “{tender.title}”"
    assert subjects_to(session, volunteer) == [f"{what} is in 3 days"]
    deadline = tender.clarification_deadline
    assert send_reminders(session, deadline - timedelta(hours=10)) == 1  # the one-day reminder, given late
    assert subjects_to(session, volunteer)[-1] == f"{what} is in 10 hours"
    (told, *_rest) = reminders_of(session, volunteer)
    assert told.subject == f"{what} is in 3 days"  # the inbox says the same


def test_a_deadline_set_just_over_a_day_ahead_is_reminded_of_once(session, tender, make_volunteer):
    volunteer = make_volunteer()
    following.follow(session, volunteer, tender)
    session.commit()
    now = clarification_in(session, tender, timedelta(hours=25))
    assert send_reminders(session, now) == 1  # the two-day reminder: "in 1 day"
    assert send_reminders(session, now + timedelta(hours=1, minutes=1)) == 0  # the one-day one would say it again
    assert send_reminders(session, now + timedelta(hours=24)) == 0
    assert subjects_to(session, volunteer) == [
        f"Reminder: the deadline for clarification questions of “{tender.title}” is in 1 day"
    ]


def test_a_report_due_says_the_hours_left(session, make_case, make_user, official):
    realised = add_realised(session, make_case, make_user, official)
    due = min(
        (d for d in deadlines.of_case(session, realised.case) if d.kind == "report_due" and d.at > utcnow()),
        key=lambda d: d.at,
    )
    assert send_reminders(session, due.at - timedelta(hours=5, minutes=10)) >= 1
    told = reminders_of(session, realised.member, Kind.report_due)
    assert told and all(n.subject.endswith("is due in 5 hours") for n in told)


def test_reminders_to_a_tender_s_coalitions_are_sealed_and_the_admin_s_outbox_shows_no_bidder(
    client, session, sealed, make_volunteer
):
    case, users = sealed.case, sealed.users
    follower = make_volunteer("Fien Volger", "fien@volgers.example")
    following.follow(session, follower, case)
    bidders = [users[k] for k in ("zilvermeeuw", "zilvermeeuw_partner", "kraanvogel", "kraanvogel_partner")]
    digest_for = bidders[0]
    preferences.save(session, digest_for, modes={Kind.deadline_reminder: DIGEST}, language=None)
    session.commit()
    at = case.submission_deadline - timedelta(days=7) + timedelta(minutes=1)
    assert send_reminders(session, at) == len(bidders) + 1
    rows = [r for user in [*bidders, follower] for r in reminders_of(session, user)]
    assert len(rows) == len(bidders) + 1 and all(r.sealed for r in rows)  # the inbox rows too
    assert send_digests(session, utcnow()) == 1  # the digest carrying a sealed reminder is sealed
    mails = session.exec(select(OutboxMessage).where(OutboxMessage.subject.contains("Reminder"))).all()
    digests = session.exec(select(OutboxMessage).where(OutboxMessage.subject.contains("daily digest"))).all()
    assert len(mails) == len(bidders) and [m.to_address for m in digests] == [digest_for.email]
    assert all(m.sealed for m in [*mails, *digests])
    login(client, users["admin"])
    page = client.get("/admin/outbox").text
    assert not [u.email for u in [*bidders, follower] if u.email in page]
    assert "not shown" in page


def reminder_race(app, now, run):
    """Two consumers at once, each with a session of its own: both have read what was given, then both write."""
    engine = app.extensions["db_engine"]
    barrier = threading.Barrier(2, timeout=10)
    waited = threading.local()

    @event.listens_for(engine, "before_cursor_execute")
    def meet(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith(run.claim) and not getattr(waited, "done", False):
            waited.done = True
            try:
                barrier.wait()
            except threading.BrokenBarrierError:
                pass

    results, errors = [], []

    def consumer():
        try:
            with app.app_context(), Session(engine, expire_on_commit=False) as own:
                results.append(run(own, now))
        except Exception as error:  # noqa: BLE001 - reported by the test
            errors.append(error)

    threads = [threading.Thread(target=consumer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    event.remove(engine, "before_cursor_execute", meet)
    assert not errors, errors
    return sorted(results)


def test_two_reminder_runs_at_once_give_each_reminder_once(app, session, tender, make_volunteer):
    volunteers = [make_volunteer(f"Vrijwilliger {n}", f"v{n}@buurt.example") for n in range(3)]
    for volunteer in volunteers:
        following.follow(session, volunteer, tender)
    session.commit()

    def run(own, now):
        return send_reminders(own, now)

    run.claim = "INSERT INTO SENT_REMINDERS"
    at = tender.clarification_deadline - timedelta(days=2) + timedelta(minutes=1)
    assert reminder_race(app, at, run) == [0, 3]
    for volunteer in volunteers:
        assert len(reminders_of(session, volunteer)) == 1 and len(mails_to(session, volunteer.email)) == 1
    assert len(session.exec(select(SentReminder)).all()) == 3


def test_a_stale_job_lock_of_a_killed_consumer_does_not_stop_the_notification_jobs(
    app, session, tmp_path, monkeypatch, tender, make_volunteer
):
    storage = jobs._LazySqliteStorage("tendering", filename=str(tmp_path / "jobs.sqlite3"))
    monkeypatch.setattr(jobs.huey, "storage", storage)
    for name in ("notifications-digest", "notifications-reminders"):
        jobs.huey.lock_task(name).acquire()  # held by a consumer killed mid-run, never released
    volunteer = make_volunteer()
    following.follow(session, volunteer, tender)
    session.commit()
    try:
        with app.app_context():
            try:
                assert tasks.daily_digest.call_local() == 0
                assert tasks.reminders.call_local() == 1  # the follower is reminded: it ran
            except TaskLockedException as error:
                pytest.fail(f"a notification job is locked for good: {error}")
    finally:
        storage.close()
