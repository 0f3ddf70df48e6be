"""Every list page runs a fixed number of queries, whatever the amount of data."""

from contextlib import contextmanager
from datetime import date

from sqlalchemy import event

from tendering.models import (
    Clarification,
    ContactKind,
    ContactMoment,
    Framework,
    FrameworkKind,
    Interest,
    Organisation,
    OrganisationKind,
    Role,
    utcnow,
)
from tendering.question.cases import add_outcome
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
    """n published cases with n owners; each case has about n of everything its pages list."""
    owners = [official] + [make_user(Role.official) for _ in range(n - 1)]
    askers = [make_user(Role.coalition_member) for _ in range(2)]
    cases = []
    for i in range(n):
        case = make_case(title=f"Vraag {i}", owner=owners[i], state="coalition_forming")
        for j in range(n):
            add_outcome(session, case, actor=official, description=f"Uitkomst {j}")
            session.add(Framework(case_id=case.id, kind=FrameworkKind.minimum_requirement, description=f"Eis {j}"))
            session.add(
                ContactMoment(
                    case_id=case.id,
                    kind=ContactKind.visit,
                    held_on=date(2026, 11, 1),
                    with_whom=f"Partij {j}",
                    recorded_by_id=official.id,
                )
            )
        f.articulate(session, case, official)
        f.analyse_stakeholders(session, case, count=n + 3)
        f.set_up_tender(session, case, weights=(40, 30, 30))
        fire(session, case, "publish", actor=official)
        for j in range(n):
            session.add(
                Clarification(
                    case_id=case.id,
                    asked_by_id=askers[j % 2].id,
                    question=f"Vraag {j}?",
                    answer="Ja.",
                    answered_at=utcnow(),
                    answered_by_id=official.id,
                    nota_number=1 + j % 2,
                )
            )
        organisation = Organisation(name=f"Organisatie {i}", kind=OrganisationKind.association)
        session.add(organisation)
        session.flush()
        session.add(Interest(case_id=case.id, organisation_id=organisation.id, offer="Vrijwilligers"))
        cases.append(case)
    session.commit()
    return cases


def queries_for(app, client, path):
    client.get(path)  # warm up: login user load, lazy imports
    with counting_queries(app) as statements:
        assert client.get(path).status_code == 200
    return len(statements)


PAGES = {
    "tender board": "/",
    "case list": "/cases/",
    "case list by phase": "/cases/?state=tendering",
    "case page": "/cases/{id}",
    "articulation": "/cases/{id}/articulation",
    "suitability": "/cases/{id}/suitability",
    "stakeholders": "/cases/{id}/stakeholders",
    "coalition forming": "/cases/{id}/coalition-forming",
    "tender set-up": "/cases/{id}/tender",
    "question document": "/cases/{id}/document",
    "clarifications": "/cases/{id}/clarifications",
    "public tender page": "/tenders/{reference}",
    "public document": "/tenders/{reference}/document",
    "nota": "/tenders/{reference}/nota/1",
}


def counts(app, client, case):
    return {
        name: queries_for(app, client, path.format(id=case.id, reference=case.reference))
        for name, path in PAGES.items()
    }


def test_page_query_counts_do_not_grow_with_data(app, session, make_case, official, make_user, logged_in):
    client = logged_in(official)
    small = fill(session, make_case, official, make_user, 2)
    before = counts(app, client, small[0])
    large = fill(session, make_case, official, make_user, 12)
    after = counts(app, client, large[-1])
    assert after == before
    assert before["tender board"] <= 2 and before["case list"] <= 3
