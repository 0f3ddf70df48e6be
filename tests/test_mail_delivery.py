"""Mail delivery through a real SMTP server (tests/smtp_helpers.py): each queued message arrives once, however often
or however concurrently delivery runs; a server that is down costs a delay, never a message; HTML and
List-Unsubscribe go out as queued."""

import threading
from datetime import timedelta

from sqlmodel import Session, select

from tendering import create_app
from tendering.core import db, mail
from tendering.models import OutboxMessage, utcnow

from .test_registration import register


def outbox(session) -> list[OutboxMessage]:
    session.expire_all()
    return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all())


def queue_plain(session, count: int) -> None:
    session.add_all(
        OutboxMessage(to_address=f"lid{i}@buurtkracht.example", subject=f"Bericht {i}", body=f"Tekst {i}")
        for i in range(count)
    )
    session.commit()


def test_mail_queued_by_a_request_arrives_once(test_config, session, smtp_server):
    app = create_app({**test_config, **smtp_server.config})
    register(app.test_client())
    (received,) = smtp_server.wait_for(1)
    assert received.to == ["sanne@buurtkracht.example"] and "/register/confirm/" in received.text
    (stored,) = outbox(session)
    assert stored.sent_at is not None and stored.attempts == 1 and stored.error == ""
    with app.app_context():
        assert received["Message-ID"] == mail.message_id(stored.id)
        assert mail.deliver() == mail.Delivery(0, 0)  # a second run (a duplicated job) finds nothing to send
    assert len(smtp_server.messages) == 1
    app.extensions["db_engine"].dispose()


def test_delivery_run_twice_sends_each_message_once(app, session, smtp_server):
    app.config.update(smtp_server.mail_config)
    queue_plain(session, 5)
    with app.app_context():
        assert mail.deliver() == mail.Delivery(5, 0)
        assert mail.deliver() == mail.Delivery(0, 0)
    received = smtp_server.wait_for(5)
    assert sorted(m.subject for m in received) == [f"Bericht {i}" for i in range(5)]
    assert all(m.sent_at is not None for m in outbox(session))


def test_two_consumers_racing_send_each_message_once(test_config, session, smtp_server):
    """Two consumers (two apps, as two processes would have) deliver the same outbox at the same moment."""
    count = 2 * mail.CLAIM_BATCH + 7  # more than one batch each
    queue_plain(session, count)
    apps = [create_app({**test_config, **smtp_server.mail_config}) for _ in range(2)]
    start = threading.Barrier(2)
    results, errors = [], []

    def consume(app):
        try:
            with app.app_context():
                start.wait()
                results.append(mail.deliver())
        except Exception as error:  # reported below, not lost in the thread
            errors.append(error)

    threads = [threading.Thread(target=consume, args=(app,)) for app in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    received = smtp_server.wait_for(count)
    assert len(received) == count and len({m["Message-ID"] for m in received}) == count
    assert sum(r.sent for r in results) == count and all(r.failed == 0 for r in results)
    assert all(m.sent_at is not None and m.attempts == 1 for m in outbox(session))
    for app in apps:
        app.extensions["db_engine"].dispose()


def test_server_down_keeps_the_message_with_its_error_until_a_later_run(app, session, smtp_server):
    app.config.update(smtp_server.mail_config)
    queue_plain(session, 2)
    smtp_server.stop()
    with app.app_context():
        assert mail.deliver() == mail.Delivery(0, 2)
        first, second = outbox(session)
        assert first.sent_at is None and "ConnectionRefusedError" in first.error and first.attempts == 1
        assert first.retry_at > utcnow() and first.claimed_at is None
        smtp_server.start()
        assert mail.deliver() == mail.Delivery(0, 0)  # waits for its back-off
        assert mail.deliver(now=utcnow() + mail.retry_delay(1)) == mail.Delivery(2, 0)
    assert sorted(m.subject for m in smtp_server.wait_for(2)) == ["Bericht 0", "Bericht 1"]
    assert [(m.error, m.attempts, m.sent_at is not None) for m in outbox(session)] == [("", 2, True)] * 2


def test_back_off_doubles_and_is_capped():
    assert [mail.retry_delay(n) for n in (1, 2, 3)] == [timedelta(minutes=m) for m in (1, 2, 4)]
    assert mail.retry_delay(30) == mail.RETRY_MAX


def test_a_refused_recipient_fails_alone(app, session, smtp_server):
    app.config.update(smtp_server.mail_config)
    smtp_server.refuse("vertrokken@buurtkracht.example")
    session.add_all(
        [
            OutboxMessage(to_address="vertrokken@buurtkracht.example", subject="Fout adres", body="x"),
            OutboxMessage(to_address="goed@buurtkracht.example", subject="Goed adres", body="y"),
        ]
    )
    session.commit()
    with app.app_context():
        assert mail.deliver() == mail.Delivery(1, 1)
    assert [m.subject for m in smtp_server.wait_for(1)] == ["Goed adres"]
    refused, delivered = outbox(session)
    assert refused.sent_at is None and "Refused" in refused.error and delivered.sent_at is not None


def test_a_message_that_cannot_be_sent_fails_alone_and_blocks_nothing(app, session, smtp_server):
    """An address no header can carry (stored before addresses were checked) fails on its own: the messages after
    it in the batch still go out."""
    address = "eve@buurtkracht.example\nBcc: x@y.example"
    app.config.update(smtp_server.mail_config)
    session.add_all(
        [
            OutboxMessage(to_address=address, subject="Onbezorgbaar", body="x"),
            OutboxMessage(to_address="goed@buurtkracht.example", subject="Goed adres", body="y"),
        ]
    )
    session.commit()
    with app.app_context():
        assert mail.deliver() == mail.Delivery(1, 1)
    assert [m.subject for m in smtp_server.wait_for(1)] == ["Goed adres"]
    poison, delivered = outbox(session)
    assert poison.sent_at is None and poison.error and delivered.sent_at is not None


def test_a_message_is_given_up_after_its_last_attempt(app, session, smtp_server):
    app.config.update(smtp_server.mail_config)
    smtp_server.refuse("vertrokken@buurtkracht.example")
    session.add(OutboxMessage(to_address="vertrokken@buurtkracht.example", subject="Fout adres", body="x"))
    session.commit()
    now = utcnow()
    with app.app_context():
        for attempt in range(mail.MAX_ATTEMPTS):
            assert mail.deliver(now=now) == mail.Delivery(0, 1), attempt
            now += mail.RETRY_MAX
        assert mail.deliver(now=now + timedelta(days=30)) == mail.Delivery(0, 0)
    (given_up,) = outbox(session)
    assert given_up.attempts == mail.MAX_ATTEMPTS and given_up.sent_at is None and "Refused" in given_up.error


def test_a_claim_of_a_crashed_consumer_is_taken_over_after_its_lease(app, session, smtp_server):
    app.config.update(smtp_server.mail_config)
    now = utcnow()
    session.add_all(
        [
            OutboxMessage(
                to_address="a@b.example", subject="Verlopen claim", body="x", claimed_at=now - timedelta(hours=1)
            ),
            OutboxMessage(to_address="a@b.example", subject="Lopende claim", body="y", claimed_at=now),
        ]
    )
    session.commit()
    with app.app_context():
        assert mail.deliver() == mail.Delivery(1, 0)
    assert [m.subject for m in smtp_server.wait_for(1)] == ["Verlopen claim"]
    assert [m.sent_at is None for m in outbox(session)] == [False, True]


def queue_through_service(app, **kwargs) -> None:
    """Queue as a service does, and commit as a request does (which hands delivery to the job)."""
    with app.app_context(), Session(db.engine()) as session:
        mail.queue(session, to="sanne@buurtkracht.example", **kwargs)
        db.commit(session)


def test_html_alternative_and_one_click_unsubscribe(test_config, smtp_server):
    app = create_app({**test_config, **smtp_server.config})
    message = mail.Composed("Herinnering", "Nog twee dagen.", html="<p>Nog <strong>twee</strong> dagen.</p>")
    queue_through_service(app, message=message, unsubscribe_url="https://gemeente.example/afmelden/abc")
    (received,) = smtp_server.wait_for(1)
    assert received.message.get_content_type() == "multipart/alternative"
    assert received.text.strip() == "Nog twee dagen." and "<strong>twee</strong>" in received.html
    assert received["List-Unsubscribe"] == "<https://gemeente.example/afmelden/abc>"
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    app.extensions["db_engine"].dispose()


def test_plain_mail_has_no_html_part_and_no_unsubscribe(test_config, smtp_server):
    app = create_app({**test_config, **smtp_server.config})
    queue_through_service(app, message=mail.Composed("Ontvangstbevestiging", "Uw inschrijving is ontvangen."))
    (received,) = smtp_server.wait_for(1)
    assert received.message.get_content_type() == "text/plain" and received.html == ""
    assert received["List-Unsubscribe"] is None and received["List-Unsubscribe-Post"] is None
    app.extensions["db_engine"].dispose()


def test_without_a_mail_server_messages_stay_in_the_outbox(app, session, smtp_server):
    register(app.test_client())
    with app.app_context():
        assert mail.deliver() == mail.Delivery(0, 0)
    (stored,) = outbox(session)
    assert stored.sent_at is None and stored.attempts == 0 and smtp_server.messages == []
