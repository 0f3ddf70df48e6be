"""Every list page runs a fixed number of queries, whatever the amount of data."""

from contextlib import contextmanager

from sqlalchemy import event

from tendering.cases import add_outcome
from tendering.models import Role
from tendering.workflow.engine import fire

from . import factories as f


@contextmanager
def counting_queries(app):
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    engine = app.extensions["db_engine"]
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def fill(session, make_case, official, make_user, n):
    """n published cases, each with outcomes, stakeholders and audit events, and n owners."""
    owners = [official] + [make_user(Role.official) for _ in range(n - 1)]
    cases = []
    for i in range(n):
        case = make_case(title=f"Vraag {i}", owner=owners[i], state="coalition_forming")
        for j in range(3):
            add_outcome(session, case, actor=official, description=f"Uitkomst {j}")
        f.articulate(session, case, official)
        f.analyse_stakeholders(session, case, count=4)
        f.set_up_tender(session, case, weights=(40, 30, 30))
        fire(session, case, "publish", actor=official)
        cases.append(case)
    session.commit()
    return cases


def queries_for(app, client, path):
    client.get(path)  # warm up: login user load, lazy imports
    with counting_queries(app) as statements:
        assert client.get(path).status_code == 200
    return len(statements)


def test_page_query_counts_do_not_grow_with_data(app, session, make_case, official, make_user, logged_in):
    client = logged_in(official)
    small = fill(session, make_case, official, make_user, 2)
    before = {
        "/": queries_for(app, client, "/"),
        "/cases/": queries_for(app, client, "/cases/"),
        "/cases/?state=tendering": queries_for(app, client, "/cases/?state=tendering"),
        "case page": queries_for(app, client, f"/cases/{small[0].id}"),
        "tender page": queries_for(app, client, f"/tenders/{small[0].reference}"),
    }
    large = fill(session, make_case, official, make_user, 25)
    after = {
        "/": queries_for(app, client, "/"),
        "/cases/": queries_for(app, client, "/cases/"),
        "/cases/?state=tendering": queries_for(app, client, "/cases/?state=tendering"),
        "case page": queries_for(app, client, f"/cases/{large[-1].id}"),
        "tender page": queries_for(app, client, f"/tenders/{large[-1].reference}"),
    }
    assert after == before
    assert before["/"] <= 2 and before["/cases/"] <= 3
