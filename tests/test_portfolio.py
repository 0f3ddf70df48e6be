"""The portfolio of commissions: every case in one view for officials and the council, filtered, sorted, searched
and exported, with a timeline of phases and the officials' capacity ("pull")."""

import csv
import io
from datetime import timedelta

from sqlmodel import select

from tendering.agenda import contributions
from tendering.models import (
    AuditEvent,
    PortfolioDecision,
    PortfolioReview,
    ProgressReport,
    Role,
    Team,
    User,
    utcnow,
)
from tendering.realisation import monitoring

from .conftest import form_token, future
from .evaluation_helpers import as_
from .monitoring_helpers import add_realised
from .test_accessibility import PageAudit
from .test_query_counts import counting_queries


def next_milestones(client) -> dict[str, tuple[str, str]]:
    """Each case's next deadline or milestone in the portfolio's export, by title: (what, on)."""
    rows = list(csv.reader(io.StringIO(client.get("/portfolio?format=csv").data.decode("utf-8-sig"))))
    what, on = rows[0].index("Next deadline or milestone"), rows[0].index("On")
    return {r[1]: (r[what], r[on]) for r in rows[1:]}


def test_every_case_is_on_one_page_with_what_comes_next(app, session, official, make_user, make_case, kept, realised):
    contributions.set_ambitions(session, realised.case, actor=official, ambition_ids=[kept["healthy"].id])
    early = make_case(title="Schoon en heel in de wijk", state="articulation", budget_ceiling=250000)
    session.commit()
    owner = as_(app, official)
    page = owner.get("/portfolio").text
    assert "Gelukkig oud" in page and "Schoon en heel in de wijk" in page
    assert "Inwoners zijn gezond en hebben regie" in page and "Samen Oud" in page
    assert "€500,000.00" in page or "€ 500.000,00" in page  # the budget ceiling
    assert "report due" in page  # the realised case's next report
    only = owner.get(f"/portfolio?ambition={kept['healthy'].id}").text
    assert "Gelukkig oud" in only and "Schoon en heel in de wijk" not in only
    found = owner.get("/portfolio?q=schoon").text
    assert "Schoon en heel in de wijk" in found and "Gelukkig oud" not in found
    assert "Gelukkig oud" not in owner.get("/portfolio?state=articulation").text
    by_title = owner.get("/portfolio?sort=title").text
    assert by_title.index("Gelukkig oud") < by_title.index("Schoon en heel in de wijk")
    exported = owner.get("/portfolio?format=csv").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(exported)))
    assert rows[0][:3] == ["Case", "Title", "Phase"] and {r[1] for r in rows[1:]} >= {"Gelukkig oud", early.title}
    assert "Inwoners zijn gezond en hebben regie" in exported
    assert owner.get("/portfolio?ambition=abc&sort=drop+table&state=nope").status_code == 200  # ignored, not refused


def test_the_council_reads_the_portfolio_and_nobody_else_does(app, make_user, realised):
    assert as_(app, make_user(Role.council_member)).get("/portfolio").status_code == 200
    assert as_(app, realised.member).get("/portfolio").status_code == 403
    assert app.test_client().get("/portfolio").status_code == 302


def test_an_official_at_the_limit_is_warned_before_one_more_case(app, session, official, make_case):
    app.config["CASES_PER_OFFICIAL"] = 2
    owner = as_(app, official)
    make_case(state="articulation")
    assert "capacity-warning" not in owner.get("/cases/new").text
    make_case(state="tendering")
    make_case(state="closed")  # an ended case takes no room
    assert "You already steer 2 running cases" in owner.get("/cases/new").text
    assert "full" in owner.get("/portfolio").text


def test_the_portfolio_costs_the_same_queries_with_more_cases(app, session, official, make_user, make_case, kept):
    owner = as_(app, official)

    def count():
        owner.get("/portfolio")
        with counting_queries(app) as statements:
            assert owner.get("/portfolio").status_code == 200
        return len(statements)

    def teamed(name: str) -> User:
        team = Team(name=name, case_limit=2)
        session.add(team)
        session.flush()
        member = make_user(Role.official)
        member.team_id = team.id
        session.add(member)
        return member

    first = add_realised(session, make_case, make_user, official)
    contributions.set_ambitions(session, first.case, actor=official, ambition_ids=[kept["healthy"].id])
    make_case(state="tendering", owner=teamed("Team 0"))
    session.commit()
    before = count()
    for n in range(3):
        more = add_realised(session, make_case, make_user, official, title=f"Zaak {n}", coalition_name=f"Coalitie {n}")
        contributions.set_ambitions(session, more.case, actor=official, ambition_ids=[kept["safe"].id])
        make_case(state="tendering", owner=teamed(f"Team {n + 1}"))
    session.commit()
    assert count() == before


def test_a_portfolio_review_records_what_is_taken_on_paused_or_stopped_and_why(
    app, session, official, make_user, make_case, realised
):
    waiting = make_case(title="Schoon en heel in de wijk", state="articulation")
    owner = as_(app, official)
    page = owner.get("/portfolio/reviews")
    data = {
        "csrf_token": form_token(page),
        "held_on": "2026-11-20",
        "participants": "Gemeente Lindendal\nWoonstichting Thuis\n",
        "summary": "Eerst de lopende opdrachten afmaken.",
        f"decision-{realised.case.id}": "continue",
        f"reason-{realised.case.id}": "De trajecten lopen goed.",
        f"decision-{waiting.id}": "pause",
        f"reason-{waiting.id}": "Geen capaciteit tot de zomer.",
    }
    no_reason = owner.post("/portfolio/reviews", data=data | {f"reason-{waiting.id}": " "})
    assert no_reason.status_code == 400 and session.exec(select(PortfolioDecision)).all() == []
    assert "Give the reason of this decision" in no_reason.text
    done = owner.post("/portfolio/reviews", data=data, follow_redirects=True)
    assert "The portfolio review is recorded." in done.text and "Geen capaciteit tot de zomer." in done.text
    assert "Pause at the review of" in owner.get("/portfolio").text
    assert "Geen capaciteit tot de zomer." in owner.get("/portfolio?format=csv").data.decode("utf-8-sig")
    [event] = session.exec(
        select(AuditEvent).where(AuditEvent.case_id == waiting.id, AuditEvent.action == "portfolio_decision")
    ).all()
    assert event.reason == "Geen capaciteit tot de zomer." and event.details["decision"] == "pause"
    council = as_(app, make_user(Role.council_member))
    assert "Geen capaciteit tot de zomer." in council.get("/portfolio/reviews").text
    app.config["WTF_CSRF_ENABLED"] = False
    assert council.post("/portfolio/reviews", data=data).status_code == 403
    unknown = owner.post("/portfolio/reviews", data=data | {"decision-999999999": "stop", "reason-999999999": "x"})
    assert unknown.status_code == 400 and "This case does not exist." in unknown.text
    assert len(session.exec(select(PortfolioDecision)).all()) == 2


def test_a_digit_that_is_not_ascii_is_ignored_not_a_server_error(app, official, realised):
    owner = as_(app, official)
    assert owner.get("/portfolio?ambition=²&owner=٣").status_code == 200
    assert owner.get("/monitor?coalition=²").status_code == 200
    app.config["WTF_CSRF_ENABLED"] = False
    posted = owner.post(
        "/portfolio/reviews",
        data={"held_on": "2026-11-20", "participants": "Gemeente", "decision-²": "stop", "reason-²": "x"},
    )
    assert posted.status_code == 400 and "Record a decision for at least one case." in posted.text  # on the form


def test_a_refused_review_is_shown_again_as_typed_with_every_problem(app, session, official, make_user, make_case):
    first = make_case(title="Schoon en heel in de wijk", state="articulation")
    second = make_case(title="Jongeren aan het werk", state="tendering")
    owner = as_(app, official)
    typed = {
        "csrf_token": form_token(owner.get("/portfolio/reviews")),
        "held_on": (utcnow().date() + timedelta(days=3)).isoformat(),
        "participants": "Gemeente Lindendal\nWoonstichting Thuis",
        "summary": "Eerst de lopende opdrachten afmaken.",
        f"decision-{first.id}": "pause",
        f"reason-{first.id}": "Geen capaciteit tot de zomer.",
        f"decision-{second.id}": "stop",
        f"reason-{second.id}": "",
    }
    refused = owner.post("/portfolio/reviews", data=typed)
    page = refused.text
    assert refused.status_code == 400 and 'id="review-problems"' in page
    assert "the date lies in the future" in page and "Give the reason of this decision" in page  # both at once
    assert "Woonstichting Thuis" in page and "Eerst de lopende opdrachten afmaken." in page
    assert "Geen capaciteit tot de zomer." in page
    assert '<option value="pause" selected>' in page.split(f'name="decision-{first.id}"')[1].split("</select>")[0]
    assert '<option value="stop" selected>' in page.split(f'name="decision-{second.id}"')[1].split("</select>")[0]
    assert f'aria-describedby="problem-{second.id}"' in page and f'aria-describedby="problem-{first.id}"' not in page
    assert session.exec(select(PortfolioReview)).all() == [] and session.exec(select(PortfolioDecision)).all() == []
    parser = PageAudit()
    parser.feed(page)
    assert parser.problems() == []
    invalid = owner.post("/portfolio/reviews", data=typed | {"held_on": "", "participants": ""})
    assert invalid.status_code == 400 and "Geen capaciteit tot de zomer." in invalid.text  # the form's own checks
    app.config["WTF_CSRF_ENABLED"] = False
    for who in (make_user(Role.council_member), make_user(Role.admin)):
        assert as_(app, who).post("/portfolio/reviews", data=typed).status_code == 403
    assert session.exec(select(PortfolioReview)).all() == []


def test_the_next_milestone_is_what_is_overdue_or_comes_first_and_none_once_a_case_ended(
    app, session, official, make_case, realised
):
    owner = as_(app, official)
    today = utcnow().date()
    open_tender = make_case(title="Lopende aanbesteding", state="tendering")
    cancelled = make_case(title="Afgeblazen vraag", state="cancelled")
    for case in (open_tender, cancelled):
        case.submission_deadline = future(10)
        session.add(case)
    session.commit()
    found = next_milestones(owner)
    assert found["Gelukkig oud"][1] == realised.loneliness.next_due_on.isoformat()  # the first quarter's value
    assert found["Lopende aanbesteding"][0] == "submission deadline"
    assert found["Afgeblazen vraag"] == ("", "")  # its deadline no longer means anything
    # The agreement started long ago: its first progress reports have been owed for months.
    agreement = realised.agreement
    agreement.starts_on = today - timedelta(days=300)
    session.add(agreement)
    session.commit()
    what, on = next_milestones(owner)["Gelukkig oud"]
    assert what == "progress report overdue" and on < today.isoformat()
    page = owner.get("/portfolio").text
    assert "<strong>progress report overdue</strong>" in page
    assert page.index("Gelukkig oud") < page.index("Lopende aanbesteding")  # what is overdue comes first
    # The reports are in; the value the coalition owes since two days is next, and overdue.
    started = monitoring.periods(agreement.report_cadence, agreement.starts_on, agreement.ends_on)[:4]
    session.add_all(
        ProgressReport(
            agreement_id=agreement.id, period=p.starts_on, narrative="Op koers.", submitted_by_id=realised.member.id
        )
        for p in started
    )
    realised.loneliness.next_due_on = today - timedelta(days=2)
    session.add(realised.loneliness)
    session.commit()
    what, on = next_milestones(owner)["Gelukkig oud"]
    assert what == "report overdue: Aandeel eenzame 75-plussers" and on == (today - timedelta(days=2)).isoformat()
    realised.case.state = "closed"  # test set-up: an ended case owes nothing any more
    session.add(realised.case)
    session.commit()
    assert next_milestones(owner)["Gelukkig oud"] == ("", "")


def test_the_portfolio_pages_fifty_cases_and_exports_them_all(app, official, make_case, monkeypatch):
    from tendering.agenda import portfolio

    monkeypatch.setattr(portfolio, "PER_PAGE", 3)
    owner = as_(app, official)
    for n in range(7):
        make_case(title=f"Vraag {n}")
    first = owner.get("/portfolio?sort=title")
    assert "7 cases (Page 1 of 3)" in first.text and first.text.count('id="case-') == 3
    last = owner.get("/portfolio?sort=title&page=3").text
    assert "Vraag 6" in last and "Vraag 0" not in last and last.count('id="case-') == 1
    assert owner.get("/portfolio?sort=title&page=99").text.count('id="case-') == 1  # past the end: the last page
    rows = list(csv.reader(io.StringIO(owner.get("/portfolio?sort=title&page=2&format=csv").text)))
    assert len(rows) == 1 + 7  # the header and every case, whatever the page
