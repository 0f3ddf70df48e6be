"""The council's and the public's outcome monitor: cards, filters, drill-down, exports, confidentiality."""

import csv
import io
import re
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from tendering.agenda import city_indicators
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


def planned_at(indicator, day: date) -> float:
    """The straight path of the chart from (baseline date, baseline) to (target date, target), read on a day."""
    share = (day - indicator.baseline_date).days / (indicator.target_date - indicator.baseline_date).days
    return indicator.baseline_value + share * (indicator.target_value - indicator.baseline_value)


def shown(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".")


def planned_row(page: str) -> list[str]:
    return re.findall(r"Planned for this period</dt><dd class=\"utrecht-data-list__item-value\">([^<]*)</dd>", page)


def test_a_card_prints_the_planned_value_of_the_current_period_beside_the_latest(app, client, realised, session):
    today = utcnow().date()
    first, current = monitoring.periods("quarterly", realised.agreement.starts_on, realised.agreement.ends_on)[:2]
    assert first.ends_on < today <= current.ends_on  # the agreement started 100 days ago: its second quarter runs
    record(session, realised, realised.loneliness, 45)
    expected = planned_at(realised.loneliness, current.ends_on)  # where the report of this quarter will be judged
    assert 38 < expected < 48
    page = client.get(f"/monitor/cases/{realised.case.id}").text
    card = page[page.index(f'id="card-{realised.loneliness.id}"') :].split("</article>")[0]
    assert planned_row(card) == [f"{shown(expected)} % ({current.ends_on.strftime('%b %-d, %Y')})"]
    # the hidden table of the chart: each value beside what the plan expected of its period
    value_row = f"<td>45</td><td>{shown(planned_at(realised.loneliness, first.ends_on))}</td>"
    assert value_row in card
    detail = client.get(f"/monitor/indicators/{realised.loneliness.id}").text
    assert planned_row(detail) == planned_row(card)
    assert shown(expected) in client.get("/monitor/print").text


def test_nothing_is_planned_before_the_first_period_begins(app, client, realised, session):
    realised.agreement.starts_on = utcnow().date() + timedelta(days=10)
    session.add(realised.agreement)
    session.commit()
    assert planned_row(client.get(f"/monitor/indicators/{realised.volunteers.id}").text) == ["—"]
    assert set(planned_row(client.get(f"/monitor/cases/{realised.case.id}").text)) == {"—"}


def link_to_the_city(session, realised, kept, official):
    """Loneliness contributes to a public city indicator with agreed norms, volunteers to a confidential one."""
    city_indicators.agree_norms(
        session,
        kept["lonely"],
        actor=official,
        at_risk=11.5,
        off_track=12.5,
        agreed_on=date(2024, 3, 1),
        partners="GGD",
        today=utcnow().date(),
    )
    realised.loneliness.city_indicator_id = kept["lonely"].id
    realised.volunteers.city_indicator_id = kept["secret"].id
    session.add_all([realised.loneliness, realised.volunteers])
    session.commit()


def exported(reader, path: str) -> tuple[list[dict], list[dict]]:
    """The CSV and the XLSX of a view, as rows by column name."""
    text = reader.get(f"{path}?format=csv").data.decode("utf-8-sig")
    from_csv = list(csv.DictReader(io.StringIO(text)))
    sheet = list(load_workbook(io.BytesIO(reader.get(f"{path}?format=xlsx").data)).active.iter_rows(values_only=True))
    return from_csv, [dict(zip(sheet[0], row, strict=True)) for row in sheet[1:]]


def test_exports_carry_norms_planned_values_and_for_the_council_the_confidential_flag(
    app, client, realised, session, kept, official, make_user
):
    link_to_the_city(session, realised, kept, official)
    record(session, realised, realised.loneliness, 45)
    record(session, realised, realised.loneliness, 44, index=1)
    first, second = monitoring.periods("quarterly", realised.agreement.starts_on, realised.agreement.ends_on)[:2]
    council = as_(app, make_user(Role.council_member))
    for path in ("/monitor", f"/monitor/cases/{realised.case.id}"):
        for rows in exported(council, path):
            lonely = [r for r in rows if r["Indicator"] == "Aandeel eenzame 75-plussers"]
            assert [(r["Period from"], float(r["Value"])) for r in lonely] == [
                (first.starts_on.isoformat(), 45),
                (second.starts_on.isoformat(), 44),
            ]
            assert [float(r["Planned value"]) for r in lonely] == pytest.approx(
                [planned_at(realised.loneliness, p.ends_on) for p in (first, second)]
            )
            assert {(float(r["Norm: at risk from"]), float(r["Norm: off track from"])) for r in lonely} == {(46, 48)}
            assert {(r["City indicator"], float(r["City norm: at risk from"])) for r in lonely} == {
                ("Ervaren eenzaamheid", 11.5)
            }
            assert {r["Confidential"] for r in lonely} == {"no"}
            volunteers = next(r for r in rows if r["Indicator"] == "Actieve vrijwilligers")
            assert volunteers["City indicator"] == "Geheime wachtlijst" and volunteers["Value"] in ("", None)
            costs = next(r for r in rows if r["Indicator"] == "Kosten per deelnemer")
            assert costs["Confidential"] == "yes"
    for path in ("/monitor", f"/monitor/cases/{realised.case.id}"):
        for rows in exported(client, path):
            assert "Confidential" not in rows[0]
            assert {r["Indicator"] for r in rows} == {"Aandeel eenzame 75-plussers", "Actieve vrijwilligers"}
            volunteers = next(r for r in rows if r["Indicator"] == "Actieve vrijwilligers")
            assert volunteers["City indicator"] in ("", None)  # the confidential city indicator stays hidden
            assert {r["Planned value"] for r in rows if r["Indicator"] == "Aandeel eenzame 75-plussers"} != {""}
    history_csv, history_xlsx = exported(council, f"/monitor/indicators/{realised.loneliness.id}")
    assert [r["Planned value"] for r in history_xlsx] == pytest.approx(
        [planned_at(realised.loneliness, p.ends_on) for p in (second, first)]
    )
    assert {r["Confidential"] for r in history_csv} == {"no"}
    assert "Confidential" not in exported(client, f"/monitor/indicators/{realised.loneliness.id}")[0][0]


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
        "/monitor?format=csv": council,
        f"/monitor/cases/{realised.case.id}?format=xlsx": client,
        f"/monitor/indicators/{realised.loneliness.id}?format=csv": council,
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
