"""Two officials fire a transition on the same case at the same moment: one
wins, the other is told the case changed, and nothing is written twice."""

import threading

from sqlmodel import Session, func, select

from tendering.core.errors import StaleCase
from tendering.models import AuditEvent, Case, User
from tendering.workflow.engine import fire

from .conftest import form_token


def transition_events(session, case_id):
    return session.exec(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.case_id == case_id, AuditEvent.action == "transition")
    ).one()


def test_concurrent_transitions_one_wins_the_other_is_told_to_reload(app, make_case, official, make_user):
    other = make_user(name="Jeroen de Vries")
    case_id = make_case().id
    engine = app.extensions["db_engine"]
    barrier = threading.Barrier(2, timeout=20)
    results: dict[str, str] = {}

    def official_cancels(user_id: int, reason: str):
        with app.app_context(), Session(engine, expire_on_commit=False) as session:
            case = session.get(Case, case_id)
            actor = session.get(User, user_id)
            seen_version = case.version
            barrier.wait()
            try:
                fire(session, case, "cancel", actor=actor, reason=reason, expected_version=seen_version)
                session.commit()
                results[reason] = "won"
            except StaleCase as error:
                session.rollback()
                results[reason] = error.message

    threads = [
        threading.Thread(target=official_cancels, args=(official.id, "first")),
        threading.Thread(target=official_cancels, args=(other.id, "second")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(results.values())[-1] == "won"
    assert sum(1 for r in results.values() if r == "won") == 1
    assert any("changed by someone else" in r for r in results.values())
    with Session(engine) as session:
        assert transition_events(session, case_id) == 1
        assert session.get(Case, case_id).version == 2


def test_stale_form_gets_a_reload_message_and_changes_nothing(app, session, make_case, official, logged_in):
    case = make_case()
    client = logged_in(official)
    page = client.get(f"/cases/{case.id}")
    token, stale_version = form_token(page), case.version

    first = client.post(
        f"/cases/{case.id}/transition",
        data={"csrf_token": token, "trigger": "cancel", "version": stale_version, "reason": "Dubbel aangemaakt."},
        follow_redirects=True,
    )
    assert "Cancelled" in first.text
    second = client.post(
        f"/cases/{case.id}/transition",
        data={"csrf_token": token, "trigger": "cancel", "version": stale_version, "reason": "Nogmaals."},
        follow_redirects=True,
    )
    assert "changed by someone else in the meantime" in second.text
    assert transition_events(session, case.id) == 1
