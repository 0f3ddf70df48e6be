"""Mail is queued with the change it reports and is never lost silently."""

import pytest

from tendering.access import Capability
from tendering.models import OutboxMessage, Role

from .conftest import roles_without
from .test_query_counts import counting_queries


def test_admin_reads_the_outbox(logged_in, make_user, session):
    session.add(OutboxMessage(to_address="a@b.example", subject="Wijziging 1", body="De termijn is verlengd."))
    session.commit()
    page = logged_in(make_user(Role.admin)).get("/admin/outbox").text
    assert "Wijziging 1" in page and "a@b.example" in page and "not sent" in page


@pytest.mark.parametrize("role", roles_without(Capability.administer))
def test_only_admins_read_the_outbox(logged_in, make_user, role):
    assert logged_in(make_user(role)).get("/admin/outbox").status_code == 403


def test_outbox_query_count_does_not_grow(app, logged_in, make_user, session):
    client = logged_in(make_user(Role.admin))
    client.get("/admin/outbox")
    with counting_queries(app) as few:
        client.get("/admin/outbox")
    session.add_all(OutboxMessage(to_address=f"{i}@b.example", subject="S", body="B") for i in range(50))
    session.commit()
    with counting_queries(app) as many:
        client.get("/admin/outbox")
    assert len(many) == len(few)


def test_messages_go_out_through_smtp(app, session, smtp_server):
    app.config.update(smtp_server.mail_config)
    session.add(OutboxMessage(to_address="a@b.example", subject="Wijziging 1", body="De termijn is verlengd."))
    session.commit()
    with app.app_context():
        from tendering.core import mail

        assert mail.deliver() == mail.Delivery(sent=1, failed=0)
    (received,) = smtp_server.wait_for(1)
    session.expire_all()
    message = session.get(OutboxMessage, 1)
    assert (received.to, received.subject, received.text.strip()) == (
        ["a@b.example"],
        "Wijziging 1",
        "De termijn is verlengd.",
    )
    assert message.sent_at is not None and message.error == ""
