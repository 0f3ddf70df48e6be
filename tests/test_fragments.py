"""Cached page bodies: a commit makes them stale, time-driven changes expire them, every reader gets
their own CSRF token and only what they may see; and the pages built on them."""

import re
from datetime import timedelta

from sqlmodel import select

from tendering.models import Case, DataGeneration, Role, utcnow
from tendering.question.cases import TENDERS_PER_PAGE
from tendering.web import fragments
from tendering.workflow.engine import checklist, fire

from . import factories as f
from .conftest import form_token, future, login
from .evaluation_helpers import as_
from .monitoring_helpers import add_realised


def generation(session) -> int:
    session.expire_all()
    return session.exec(select(DataGeneration.generation)).one()


def tender(session, case, *, submission_in: float):
    case.clarification_deadline, case.submission_deadline = future(1), future(submission_in)
    session.commit()
    return case


def test_a_commit_that_wrote_bumps_the_generation_once_and_nothing_else_does(session, make_case):
    before = generation(session)
    case = make_case(title="Eerste")
    assert generation(session) == before + 1
    session.commit()  # nothing to write
    assert generation(session) == before + 1
    case.title = "Tweede"
    session.flush()
    session.rollback()
    assert generation(session) == before + 1
    session.exec(select(Case)).all()
    session.commit()
    assert generation(session) == before + 1


def test_the_tender_board_shows_a_new_tender_at_once(client, session, make_case, official):
    assert "Gelukkig oud" not in client.get("/").text
    case = make_case(title="Gelukkig oud", state="coalition_forming")
    f.articulate(session, case, official)
    f.analyse_stakeholders(session, case)
    f.set_up_tender(session, case)
    fire(session, case, "publish", actor=official)
    session.commit()
    assert "Gelukkig oud" in client.get("/").text


def test_the_tender_board_pages_and_expires_at_the_first_deadline(client, session, make_case):
    for i in range(TENDERS_PER_PAGE + 3):
        tender(session, make_case(title=f"Vraag {i:02d}", state="tendering"), submission_in=2 + i)
    first = client.get("/").text
    assert "Vraag 00" in first and f"Vraag {TENDERS_PER_PAGE:02d}" not in first and "Page 1 of 2" in first
    second = client.get("/?page=2").text
    assert f"Vraag {TENDERS_PER_PAGE + 2:02d}" in second and "Vraag 00" not in second
    assert "Vraag 22" in client.get("/?page=99").text  # past the end: the last page
    assert client.get("/?page=-1").status_code == client.get("/?page=abc").status_code == 200


def test_a_body_lives_until_the_moment_it_changes_by_time(app):
    with app.test_request_context():
        longest = app.config["FRAGMENT_CACHE_SECONDS"]
        assert fragments._seconds_left(None) == longest
        assert fragments._seconds_left(utcnow() + timedelta(seconds=90)) in (90, 91)
        assert fragments._seconds_left(utcnow() + timedelta(days=3)) == longest
        assert fragments._seconds_left(utcnow() - timedelta(seconds=5)) == 1


def test_the_case_page_knows_when_a_deadline_changes_its_checks(session, make_case, official):
    case = tender(session, make_case(state="tendering"), submission_in=2)
    options, changes_at = checklist(session, case, official)
    assert options and changes_at == case.submission_deadline
    _options, later = checklist(session, case, official, now=future(3))
    assert later is None


def test_a_cached_case_page_carries_the_readers_own_csrf_token(app, session, make_case, official, make_user):
    case = make_case()
    client = as_(app, official)
    client.get(f"/cases/{case.id}")
    page = client.get(f"/cases/{case.id}")  # from the cache
    with app.test_request_context():
        placeholder = fragments.csrf_placeholder()
    assert placeholder not in page.text
    tokens = set(re.findall(r'name="csrf_token" value="([^"]+)"', page.text))
    assert len(tokens) == 1
    response = client.post(
        f"/cases/{case.id}/outcomes", data={"description": "Minder eenzaamheid", "csrf_token": tokens.pop()}
    )
    assert response.status_code == 302
    assert "Minder eenzaamheid" in client.get(f"/cases/{case.id}").text  # the write made the cached body stale

    colleague = as_(app, make_user(Role.official))
    other_tokens = set(re.findall(r'name="csrf_token" value="([^"]+)"', colleague.get(f"/cases/{case.id}").text))
    assert other_tokens and not other_tokens & {form_token(page)}


def test_cached_bodies_never_cross_readers(app, client, session, realised, make_case, make_user, official):
    council = as_(app, make_user(Role.council_member))
    assert "Kosten per deelnemer" in council.get("/monitor").text
    assert "Kosten per deelnemer" not in client.get("/monitor").text  # the public: confidential left out
    assert "Kosten per deelnemer" in council.get("/monitor").text

    member = as_(app, realised.member)
    assert member.get(f"/coalitions/{realised.coalition.id}/indicators").status_code == 200
    other = add_realised(
        session, make_case, make_user, official, title="Jeugd in beweging", coalition_name="Sportief Samen"
    )
    outsider = app.test_client()
    login(outsider, other.member)
    assert outsider.get(f"/coalitions/{realised.coalition.id}/indicators").status_code == 404


def test_the_monitor_finds_coalitions_by_part_of_their_name(client, session, realised, make_case, make_user, official):
    add_realised(
        session,
        make_case,
        make_user,
        official,
        title="Jeugd in beweging",
        theme="Jeugd",
        coalition_name="Sportief Samen",
    )
    found = client.get("/monitor?coalition_name=sportief").text
    assert "Jeugd in beweging" in found and "Gelukkig oud" not in found
    assert "No indicators match" in client.get("/monitor?coalition_name=%25_").text  # LIKE wildcards are plain text
    named = client.get(f"/monitor?coalition={realised.coalition.id}").text
    assert f"Coalition: {realised.coalition.name}." in named and "Show every coalition" in named
