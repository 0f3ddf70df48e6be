"""The council's and the public's outcome monitor: cards, filters, drill-down, exports, confidentiality."""

import io

from openpyxl import load_workbook
from pypdf import PdfReader

from tendering.models import Role, utcnow
from tendering.realisation import measurements, monitoring

from .evaluation_helpers import as_
from .monitoring_helpers import add_realised
from .test_accessibility import audit
from .test_query_counts import counting_queries


def record(session, realised, indicator, value, index=0):
    period = monitoring.periods(indicator.frequency, realised.agreement.starts_on, realised.agreement.ends_on)[index]
    reporting = measurements.Reporting(realised.coalition, realised.case, realised.agreement)
    measurements.report(
        session,
        reporting,
        actor=realised.member,
        today=utcnow().date(),
        reported=measurements.Reported(indicator, period.starts_on, value, "GGD", "", ""),
    )
    session.commit()


def test_the_public_sees_everything_but_the_confidential(app, client, realised, make_user):
    public = client.get("/monitor").text
    assert "Aandeel eenzame 75-plussers" in public and "Actieve vrijwilligers" in public
    assert "Kosten per deelnemer" not in public
    assert client.get(f"/monitor/indicators/{realised.costs.id}").status_code == 404
    assert "Kosten per deelnemer" not in client.get(f"/monitor/cases/{realised.case.id}").text
    assert "Kosten per deelnemer" not in client.get("/monitor?format=csv").text
    assert "Kosten per deelnemer" not in client.get("/monitor/print").text
    assert "Kosten per deelnemer" not in as_(app, realised.member).get("/monitor").text
    council = as_(app, make_user(Role.council_member))
    assert "Kosten per deelnemer" in council.get("/monitor").text
    assert council.get(f"/monitor/indicators/{realised.costs.id}").status_code == 200


def test_a_reported_value_changes_the_card_and_the_filters(app, client, realised, session):
    assert "On track: 0" in client.get("/monitor").text
    record(session, realised, realised.loneliness, 45)
    page = client.get("/monitor").text
    assert "On track: 1" in page and "No data: 1" in page
    only = client.get("/monitor?status=on_track").text
    assert "Aandeel eenzame 75-plussers" in only and "Actieve vrijwilligers" not in only
    assert "Aandeel eenzame 75-plussers" not in client.get("/monitor?status=overdue").text


def test_filters_by_theme_coalition_and_phase(app, client, realised, session, make_case, make_user, official):
    other = add_realised(
        session,
        make_case,
        make_user,
        official,
        title="Jeugd in beweging",
        theme="Jeugd",
        coalition_name="Sportief Samen",
    )
    other.case.state = "accountability"
    session.commit()
    assert "Jeugd in beweging" in client.get("/monitor").text
    by_theme = client.get("/monitor?theme=Ouderen").text
    assert "Gelukkig oud" in by_theme and "Jeugd in beweging" not in by_theme
    by_coalition = client.get(f"/monitor?coalition={other.coalition.id}").text
    assert "Jeugd in beweging" in by_coalition and "Gelukkig oud" not in by_coalition
    by_phase = client.get("/monitor?phase=accountability").text
    assert "Jeugd in beweging" in by_phase and "Gelukkig oud" not in by_phase
    assert client.get("/monitor?status=nonsense&page=abc&coalition=-1").status_code == 200


def test_drill_down_from_case_to_indicator_history(app, client, realised, session):
    record(session, realised, realised.loneliness, 45)
    case_page = client.get(f"/monitor/cases/{realised.case.id}").text
    assert "Desired outcome: Minder eenzaamheid onder ouderen" in case_page
    assert f"/monitor/indicators/{realised.loneliness.id}" in case_page
    detail = client.get(f"/monitor/indicators/{realised.loneliness.id}").text
    assert "On track" in detail and "GGD" in detail
    assert realised.member.name not in detail  # the public sees values, not who typed them
    assert client.get("/monitor/cases/999999").status_code == 404


def test_exports_carry_the_data_behind_each_view(app, client, realised, session):
    record(session, realised, realised.loneliness, 45)
    csv = client.get("/monitor?format=csv")
    assert csv.mimetype == "text/csv" and "Aandeel eenzame 75-plussers" in csv.text and "On track" in csv.text
    xlsx = client.get(f"/monitor/cases/{realised.case.id}?format=xlsx")
    rows = list(load_workbook(io.BytesIO(xlsx.data)).active.iter_rows(values_only=True))
    assert rows[0][0] == "Case" and {r[5] for r in rows[1:]} == {"Aandeel eenzame 75-plussers", "Actieve vrijwilligers"}
    history = client.get(f"/monitor/indicators/{realised.loneliness.id}?format=csv").text
    assert history.splitlines()[1].split(",")[1] == "45.0"
    pdf = client.get("/monitor/print.pdf")
    assert (
        pdf.mimetype == "application/pdf" and "vrijwilligers" in PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    )
    assert client.get(f"/monitor/cases/{realised.case.id}/print.pdf").mimetype == "application/pdf"


def test_monitor_pages_are_accessible(app, client, realised, session, official):
    record(session, realised, realised.loneliness, 45)
    problems = {
        path: audit(client, path)
        for path in ("/monitor", f"/monitor/cases/{realised.case.id}", f"/monitor/indicators/{realised.loneliness.id}")
    }
    member = as_(app, realised.member)
    for path in (
        f"/coalitions/{realised.coalition.id}/indicators",
        f"/coalitions/{realised.coalition.id}/indicators/{realised.loneliness.id}",
        f"/coalitions/{realised.coalition.id}/reports",
    ):
        problems[path] = audit(member, path)
    problems["progress"] = audit(as_(app, official), f"/cases/{realised.case.id}/progress")
    assert {p: found for p, found in problems.items() if found} == {}


def test_monitor_query_counts_do_not_grow_with_the_data(app, client, realised, session, make_case, make_user, official):
    council = as_(app, make_user(Role.council_member))
    member, owner = as_(app, realised.member), as_(app, official)
    paths = {
        "/monitor": council,
        "/monitor?status=no_data": client,
        f"/monitor/cases/{realised.case.id}": client,
        f"/monitor/indicators/{realised.loneliness.id}": client,
        f"/coalitions/{realised.coalition.id}/indicators": member,
        f"/coalitions/{realised.coalition.id}/indicators/{realised.loneliness.id}": member,
        f"/coalitions/{realised.coalition.id}/reports": member,
        f"/cases/{realised.case.id}/progress": owner,
    }

    def counts():
        found = {}
        for path, user in paths.items():
            user.get(path)
            with counting_queries(app) as statements:
                assert user.get(path).status_code == 200, path
            found[path] = len(statements)
        return found

    before = counts()
    for i in range(4):
        add_realised(session, make_case, make_user, official, title=f"Casus {i}", coalition_name=f"Coalitie {i}")
    record(session, realised, realised.loneliness, 45)
    record(session, realised, realised.loneliness, 44, index=1)
    record(session, realised, realised.volunteers, 120)
    assert counts() == before
