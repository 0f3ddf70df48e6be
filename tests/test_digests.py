"""The daily digest: one mail per user grouping per case what waited for it, arriving through a real SMTP server
(tests/smtp_helpers.py) once, however often the job runs."""

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from sqlmodel import Session, select

from tendering import create_app
from tendering.core import db
from tendering.demo import journeys
from tendering.models import Notification, OutboxMessage, utcnow
from tendering.notifications import Kind, preferences
from tendering.notifications.digests import digest_cutoff, send_digests
from tendering.notifications.kinds import DIGEST, IMMEDIATELY, OFF
from tendering.notifications.service import ALL_DIGEST, unsubscribe_token
from tendering.notifications.tasks import run_digests
from tendering.question import following, question_document

from .test_notifications import (
    answer_and_amend,
    digest_for,
    mails_to,
    notifications_of,
    publish_tender,
    volunteer_maker,
)
from .test_reminders import reminder_race


@pytest.fixture
def tender(session, official):
    return publish_tender(session, official)


@pytest.fixture
def volunteer(session, make_user):
    return volunteer_maker(session, make_user)()


def test_a_volunteer_s_digest_arrives_once_over_smtp_grouped_per_case(
    test_config, session, smtp_server, tender, official, volunteer
):
    following.follow(session, volunteer, tender)
    digest_for(session, volunteer, Kind.answers, Kind.amendment)
    answer_and_amend(session, tender, official, volunteer)
    assert mails_to(session, volunteer.email) == []  # nothing mailed at once

    app = create_app({**test_config, **smtp_server.config})
    try:
        with app.app_context():
            with Session(db.engine(), expire_on_commit=False) as run:
                assert send_digests(run, utcnow()) == 1
        received = smtp_server.wait_for(1)
        (digest,) = [m for m in received if volunteer.email in m.envelope_to]
        assert digest.subject == "Your daily digest: 2 notifications"
        heading = f"== {tender.title} ({tender.reference}) =="
        assert digest.text.count(heading) == 1  # both items under their case's one heading
        answers_at, amendment_at = digest.text.index("nota van inlichtingen 1"), digest.text.index("Wijziging 1 van")
        assert digest.text.index(heading) < answers_at < amendment_at
        assert f'<h2 style="font-size: 1.1em;">{tender.title} ({tender.reference})</h2>' in digest.html
        assert '<html lang="en">' in digest.html  # the volunteer chose no language: the install's (English in tests)
        assert digest["List-Unsubscribe"] and digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

        with app.app_context():  # the job again (a second consumer, a retry): nothing more
            with Session(db.engine(), expire_on_commit=False) as run:
                assert send_digests(run, utcnow()) == 0
            assert run_digests(utcnow() + timedelta(days=1)) == 0
    finally:
        app.extensions["db_engine"].dispose()
    assert len(smtp_server.to(volunteer.email)) == 1
    rows = notifications_of(session, volunteer)
    assert len(rows) == 2 and all(r.digested_at is not None and r.mailed_at is None for r in rows)


def test_one_digest_groups_several_cases_and_leaves_what_is_newer(session, official, volunteer, tender):
    other = journeys.publish(
        session,
        official,
        journeys.Question(
            title="Schone straten",
            question="Wie helpt ons om de straten in de wijk schoon te houden?",
            theme="Wonen",
            budget_ceiling=Decimal("200000"),
            outcome="Bewoners vinden hun straat schoon.",
            stakeholders=["Buurthuis", "Woningcorporatie", "Schoonmaakbedrijf"],
        ),
        min_partners=1,
    )
    session.commit()
    for case in (tender, other):
        following.follow(session, volunteer, case)
    digest_for(session, volunteer, Kind.amendment)
    for case in (other, tender):
        question_document.publish_amendment(session, case, actor=official, note=f"Aanvulling op {case.title}.")
        session.commit()
    cutoff = utcnow()
    later = Notification(
        user_id=volunteer.id, kind="amendment", subject="Later", text="Na de digest", digest=True,
        created_at=cutoff + timedelta(minutes=5),
    )  # fmt: skip
    session.add(later)
    session.commit()
    assert send_digests(session, cutoff) == 1
    (digest,) = mails_to(session, volunteer.email)
    assert digest.subject == "Your daily digest: 2 notifications" and "Later" not in digest.body
    titles = sorted([tender.title, other.title])  # cases in the order of their titles
    assert digest.body.index(f"== {titles[0]}") < digest.body.index(f"== {titles[1]}")
    session.refresh(later)
    assert later.digested_at is None  # waits for tomorrow's digest


def test_the_digest_s_unsubscribe_link_turns_off_what_waited_for_it(client, session, tender, official, volunteer):
    following.follow(session, volunteer, tender)
    digest_for(session, volunteer, Kind.answers, Kind.amendment)
    answer_and_amend(session, tender, official, volunteer)
    send_digests(session, utcnow())
    (digest,) = mails_to(session, volunteer.email)
    response = client.post(urlsplit(digest.list_unsubscribe).path)
    assert response.status_code == 200
    session.expire_all()
    modes = preferences.modes_of(session, volunteer)
    assert modes[Kind.answers] == modes[Kind.amendment] == OFF
    assert modes[Kind.publication] == IMMEDIATELY and modes[Kind.receipt] == IMMEDIATELY


def test_the_digest_of_a_user_without_pending_notifications_is_not_sent(session, volunteer):
    preferences.save(session, volunteer, modes={Kind.answers: DIGEST}, language=None)
    session.commit()
    assert send_digests(session, utcnow()) == 0
    assert session.exec(select(OutboxMessage)).all() == []


def test_the_digest_goes_out_at_the_configured_hour_in_amsterdam(app):
    with app.app_context():
        app.config["DIGEST_HOUR"] = 7
        winter_morning = datetime(2026, 12, 8, 6, 30, tzinfo=timezone.utc)  # 07:30 in Amsterdam
        assert digest_cutoff(winter_morning) == datetime(2026, 12, 8, 6, 0, tzinfo=timezone.utc)
        before_seven = datetime(2026, 12, 8, 5, 30, tzinfo=timezone.utc)  # 06:30 in Amsterdam: yesterday's
        assert digest_cutoff(before_seven) == datetime(2026, 12, 7, 6, 0, tzinfo=timezone.utc)
        summer = datetime(2026, 7, 1, 5, 30, tzinfo=timezone.utc)  # 07:30 summer time
        assert digest_cutoff(summer) == datetime(2026, 7, 1, 5, 0, tzinfo=timezone.utc)


def pending_digest(session, tender, official, volunteer):
    """Answers and an amendment waiting for the volunteer's digest."""
    following.follow(session, volunteer, tender)
    digest_for(session, volunteer, Kind.answers, Kind.amendment)
    answer_and_amend(session, tender, official, volunteer)
    rows = notifications_of(session, volunteer)
    assert len(rows) == 2 and all(r.digest and r.digested_at is None for r in rows)


def test_what_waited_for_the_digest_is_never_mailed_after_a_one_click_unsubscribe(
    client, session, tender, official, volunteer
):
    pending_digest(session, tender, official, volunteer)
    response = client.post(f"/notifications/unsubscribe/{unsubscribe_token(volunteer, ALL_DIGEST)}")
    assert response.status_code == 200
    assert send_digests(session, utcnow()) == 0
    assert send_digests(session, utcnow() + timedelta(days=1)) == 0
    assert mails_to(session, volunteer.email) == []
    rows = notifications_of(session, volunteer)  # still in the inbox, waiting no more, never mailed
    assert len(rows) == 2 and all(not r.digest and r.mailed_at is None and r.digested_at is None for r in rows)
    digest_for(session, volunteer, Kind.answers, Kind.amendment)  # back on: what was refused does not come now
    assert send_digests(session, utcnow() + timedelta(days=2)) == 0


def test_a_digest_carries_only_the_kinds_not_turned_off_since(session, tender, official, volunteer):
    pending_digest(session, tender, official, volunteer)
    preferences.save(session, volunteer, modes={Kind.amendment: OFF}, language=None)
    session.commit()
    assert send_digests(session, utcnow()) == 1
    (digest,) = mails_to(session, volunteer.email)
    assert digest.subject == "Your daily digest: 1 notification"
    assert "nota van inlichtingen 1" in digest.body and "Wijziging 1 van" not in digest.body
    answers, amendment = notifications_of(session, volunteer)
    assert answers.digested_at is not None and amendment.digested_at is None and not amendment.digest


def test_what_waited_for_the_digest_still_comes_in_it_after_a_switch_to_immediately(
    session, tender, official, volunteer
):
    pending_digest(session, tender, official, volunteer)
    preferences.save(session, volunteer, modes={Kind.answers: IMMEDIATELY, Kind.amendment: IMMEDIATELY}, language=None)
    session.commit()
    assert mails_to(session, volunteer.email) == []  # not mailed on its own, late
    assert send_digests(session, utcnow()) == 1
    (digest,) = mails_to(session, volunteer.email)
    assert digest.subject == "Your daily digest: 2 notifications"
    assert send_digests(session, utcnow() + timedelta(days=1)) == 0


def test_two_digest_runs_at_once_send_each_digest_once(app, session, official, tender, make_user):
    make = volunteer_maker(session, make_user)
    volunteers = [make(f"Vrijwilliger {n}", f"v{n}@buurt.example") for n in range(3)]
    for volunteer in volunteers:
        following.follow(session, volunteer, tender)
        digest_for(session, volunteer, Kind.amendment)
    question_document.publish_amendment(session, tender, actor=official, note="De bijlage is aangevuld.")
    session.commit()

    def run(own, now):
        return send_digests(own, now)

    run.claim = "UPDATE NOTIFICATIONS SET DIGESTED_AT"
    assert reminder_race(app, utcnow(), run) == [0, 3]
    for volunteer in volunteers:
        assert [m.subject for m in mails_to(session, volunteer.email)] == ["Your daily digest: 1 notification"]
