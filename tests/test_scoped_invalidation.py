"""Invalidation by what changed: a reported value moves the generations of its case, its coalition and the
monitor, and leaves every other cached body alone; bookkeeping (a login, an API read) moves nothing; the
writer's own pages, and every reader's, show the new value at once and only as far as each may see it."""

from sqlmodel import select

from tendering.models import ApiToken, DataGeneration, OcdsRelease, Role, ScopeGeneration
from tendering.question import question_document
from tendering.realisation import outcome_monitor

from .evaluation_helpers import as_
from .monitoring_helpers import add_realised
from .test_api import bearer, first_period, new_token
from .test_query_counts import counting_queries


def generations(session) -> tuple[int, dict[str, int]]:
    session.expire_all()
    data = session.exec(select(DataGeneration.generation)).one()
    return data, dict(session.exec(select(ScopeGeneration.scope, ScopeGeneration.generation)).all())


def moved(before: dict[str, int], after: dict[str, int]) -> set[str]:
    return {scope for scope, value in after.items() if value != before.get(scope, 0)}


def post_value(client, headers, realised, indicator, value):
    response = client.post(
        f"/api/v1/indicators/{indicator.id}/measurements",
        json={"period": first_period(realised, indicator), "value": value, "source": "GGD"},
        headers=headers,
    )
    assert response.status_code == 201, response.text


def test_a_value_moves_its_case_its_coalition_and_the_monitor_and_nothing_else(
    app, client, session, realised, make_case, make_user, official
):
    add_realised(session, make_case, make_user, official, title="Ander", coalition_name="Anders")
    with app.test_request_context():  # published, as a case in realisation has been: its values are open data
        question_document.freeze(session, realised.case, actor=official)
    session.commit()
    headers = bearer(new_token(app, realised))
    data, scopes = generations(session)
    releases = len(session.exec(select(OcdsRelease)).all())
    post_value(client, headers, realised, realised.loneliness, 41)
    data_after, scopes_after = generations(session)
    assert len(session.exec(select(OcdsRelease)).all()) > releases  # stored under the case's lock, in bulk
    assert data_after == data
    assert moved(scopes, scopes_after) == {
        "monitor",
        f"indicator:{realised.loneliness.id}",
        f"case:{realised.case.id}",
        f"coalition:{realised.coalition.id}",
    }
    assert all(scopes_after[scope] == scopes.get(scope, 0) + 1 for scope in moved(scopes, scopes_after))


def test_bookkeeping_moves_no_generation(app, client, session, realised, make_user):
    headers, council = bearer(new_token(app, realised)), make_user(Role.council_member)
    before = generations(session)
    assert client.get("/api/v1/indicators", headers=headers).status_code == 200  # the token's last use is noted
    as_(app, council).get("/monitor")  # a login, its audit event and session
    assert generations(session) == before
    session.expire_all()
    used = session.exec(select(ApiToken)).one().last_used_at
    assert used is not None
    assert client.get("/api/v1/indicators", headers=headers).status_code == 200
    session.expire_all()
    assert session.exec(select(ApiToken)).one().last_used_at == used  # noted at most once an hour


def test_other_pages_stay_cached_while_a_coalition_reports(
    app, client, session, realised, make_case, make_user, official
):
    other = add_realised(session, make_case, make_user, official, title="Ander", coalition_name="Anders")
    owner, other_member = as_(app, official), as_(app, other.member)
    headers = bearer(new_token(app, realised))
    pages = [
        (client, "/"),
        (owner, f"/cases/{other.case.id}"),
        (other_member, f"/coalitions/{other.coalition.id}/indicators"),
    ]

    def queries():
        found = []
        for reader, path in pages:
            with counting_queries(app) as statements:
                assert reader.get(path).status_code == 200
            found.append(len(statements))
        return found

    queries()
    served = queries()
    post_value(client, headers, realised, realised.loneliness, 41)
    assert queries() == served


def test_every_reader_sees_a_new_value_at_once_and_only_as_far_as_they_may(
    app, client, session, realised, make_user, official
):
    member, owner = as_(app, realised.member), as_(app, official)
    council = as_(app, make_user(Role.council_member))
    reporting = f"/coalitions/{realised.coalition.id}/indicators"
    case_page = f"/cases/{realised.case.id}"
    for reader, path in ((member, reporting), (owner, case_page), (council, "/monitor"), (client, "/monitor")):
        reader.get(path)  # cached before the values arrive
    headers = bearer(new_token(app, realised))
    post_value(client, headers, realised, realised.loneliness, 41.75)
    post_value(client, headers, realised, realised.costs, 987.25)  # confidential
    assert "41.75" in member.get(reporting).text and "987.25" in member.get(reporting).text
    council_monitor, public_monitor = council.get("/monitor").text, client.get("/monitor").text
    assert "41.75" in council_monitor and "987.25" in council_monitor
    assert "41.75" in public_monitor and "987.25" not in public_monitor and realised.costs.name not in public_monitor
    assert "measurement_reported" not in owner.get(case_page).text  # the timeline speaks in words
    assert "reported" in owner.get(case_page).text.lower()


def test_one_value_redraws_one_card_of_the_monitor(app, client, session, realised, make_user, monkeypatch):
    council = as_(app, make_user(Role.council_member))
    headers = bearer(new_token(app, realised))
    drawn = []
    draw = outcome_monitor.cards
    monkeypatch.setattr(
        outcome_monitor, "cards", lambda s, rows, today: drawn.append(len(rows)) or draw(s, rows, today)
    )
    council.get("/monitor")
    assert drawn == [3]  # every card of the page, at once
    post_value(client, headers, realised, realised.volunteers, 17)
    page = council.get("/monitor").text
    assert drawn == [3, 1] and "17" in page
    council.get("/monitor")
    assert drawn == [3, 1]


def test_ones_own_notifications_and_calendar_move_no_generation(logged_in, make_user, session):
    """Reading one's notifications and making a calendar address are one person's bookkeeping: no cached body shows
    them, so they must not empty the cache of every reader."""
    from tendering.models import Notification

    from .conftest import form_token

    member = make_user(Role.coalition_member)
    session.add(Notification(user_id=member.id, kind="amendment", subject="Wijziging 1", text="De termijn schuift."))
    session.commit()
    client = logged_in(member)
    before = generations(session)
    page = client.get("/notifications/")
    assert client.post("/notifications/read-all", data={"csrf_token": form_token(page)}).status_code == 302
    page = client.get("/account/calendar")
    assert client.post("/account/calendar/renew", data={"csrf_token": form_token(page)}).status_code == 302
    assert generations(session) == before
    session.expire_all()
    assert session.exec(select(Notification)).one().read_at is not None
