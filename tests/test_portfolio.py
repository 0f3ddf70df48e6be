"""The portfolio of commissions: every case in one view for officials and the council, filtered, sorted, searched
and exported, with a timeline of phases and the officials' capacity ("pull")."""

import csv
import io

from tendering.agenda import contributions
from tendering.models import Role

from .evaluation_helpers import as_
from .monitoring_helpers import add_realised
from .test_query_counts import counting_queries


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

    first = add_realised(session, make_case, make_user, official)
    contributions.set_ambitions(session, first.case, actor=official, ambition_ids=[kept["healthy"].id])
    session.commit()
    before = count()
    for n in range(3):
        more = add_realised(session, make_case, make_user, official, title=f"Zaak {n}", coalition_name=f"Coalitie {n}")
        contributions.set_ambitions(session, more.case, actor=official, ambition_ids=[kept["safe"].id])
        make_case(state="tendering")
    session.commit()
    assert count() == before


def test_a_portfolio_review_records_what_is_taken_on_paused_or_stopped_and_why(
    app, session, official, make_user, make_case, realised
):
    from sqlmodel import select

    from tendering.models import AuditEvent, PortfolioDecision

    from .conftest import form_token

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
    no_reason = owner.post("/portfolio/reviews", data=data | {f"reason-{waiting.id}": " "}, follow_redirects=True)
    assert "Give the reason of every decision" in no_reason.text and session.exec(select(PortfolioDecision)).all() == []
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
    assert unknown.status_code == 302 and len(session.exec(select(PortfolioDecision)).all()) == 2


def test_a_digit_that_is_not_ascii_is_ignored_not_a_server_error(app, official, realised):
    owner = as_(app, official)
    assert owner.get("/portfolio?ambition=²&owner=٣").status_code == 200
    assert owner.get("/monitor?coalition=²").status_code == 200
    app.config["WTF_CSRF_ENABLED"] = False
    posted = owner.post(
        "/portfolio/reviews",
        data={"held_on": "2026-11-20", "participants": "Gemeente", "decision-²": "stop", "reason-²": "x"},
    )
    assert posted.status_code == 302  # "Record a decision for at least one case", back on the form
