"""The coalition reports values per period, corrects them with history, and imports files all-or-nothing."""

import io
from datetime import timedelta

import pytest
from openpyxl import Workbook
from sqlmodel import select

from tendering.models import Measurement, Role
from tendering.realisation import monitoring

from .conftest import form_token
from .evaluation_helpers import as_


def periods_of(realised, indicator):
    return monitoring.periods(indicator.frequency, realised.agreement.starts_on, realised.agreement.ends_on)


def report(client, realised, indicator, value, period=None, reason="", source="GGD-monitor"):
    base = f"/coalitions/{realised.coalition.id}/indicators/{indicator.id}"
    page = client.get(base)
    period = period or periods_of(realised, indicator)[0].starts_on
    return client.post(
        f"{base}/measurements",
        data={
            "csrf_token": form_token(page),
            "period": period.isoformat(),
            "value": value,
            "source": source,
            "note": "",
            "correction_reason": reason,
        },
        follow_redirects=True,
    )


def test_a_reported_value_sets_the_status(app, realised, session):
    member = as_(app, realised.member)
    assert "No data" in member.get(f"/coalitions/{realised.coalition.id}/indicators").text
    assert "The value is recorded." in report(member, realised, realised.loneliness, "45,0").text
    session.refresh(realised.loneliness)
    assert realised.loneliness.latest_value == 45 and realised.loneliness.assessed_status == "on_track"
    report(member, realised, realised.loneliness, "47", reason="Nieuwe cijfers van de GGD.")
    session.refresh(realised.loneliness)
    assert realised.loneliness.assessed_status == "at_risk"


def test_a_correction_keeps_the_earlier_value_with_who_and_why(app, realised, session):
    member = as_(app, realised.member)
    report(member, realised, realised.loneliness, "45")
    refused = report(member, realised, realised.loneliness, "44")
    assert refused.status_code == 200 and "give the reason for the correction" in refused.text
    report(member, realised, realised.loneliness, "44", reason="Telfout in de eerste levering.")
    rows = session.exec(select(Measurement).order_by(Measurement.id)).all()
    assert [(r.value, r.supersedes_id, r.correction_reason) for r in rows] == [
        (45, None, ""),
        (44, rows[0].id, "Telfout in de eerste levering."),
    ]
    page = member.get(f"/coalitions/{realised.coalition.id}/indicators/{realised.loneliness.id}").text
    assert "<del>45</del>" in page and "Telfout in de eerste levering." in page and realised.member.name in page


@pytest.mark.parametrize(
    "period_shift, value, message",
    [
        (timedelta(days=1), "45", "Not a valid choice"),  # not a period start
        (timedelta(days=0), "veel", "Not a valid decimal value"),
    ],
)
def test_bad_values_are_refused_and_change_nothing(app, realised, session, period_shift, value, message):
    member = as_(app, realised.member)
    start = periods_of(realised, realised.loneliness)[0].starts_on + period_shift
    response = report(member, realised, realised.loneliness, value, period=start)
    assert response.status_code == 400 and message in response.text
    assert session.exec(select(Measurement)).all() == []


def test_only_members_of_the_winning_coalition_report(app, realised, session, make_user, organisation, official):
    outsider = as_(app, make_user(Role.coalition_member, org=organisation))
    assert outsider.get(f"/coalitions/{realised.coalition.id}/indicators").status_code == 404
    page = as_(app, realised.member).get(f"/coalitions/{realised.coalition.id}/indicators/{realised.loneliness.id}")
    assert outsider.post(
        f"/coalitions/{realised.coalition.id}/indicators/{realised.loneliness.id}/measurements",
        data={"csrf_token": form_token(page), "period": realised.agreement.starts_on.isoformat(), "value": "1"},
    ).status_code in (400, 404)
    assert as_(app, official).get(f"/coalitions/{realised.coalition.id}/indicators").status_code == 403  # the role
    assert session.exec(select(Measurement)).all() == []


def test_reporting_closes_with_the_case(app, realised, session):
    realised.case.state = "closed"
    session.commit()
    response = report(as_(app, realised.member), realised, realised.loneliness, "45")
    assert "Values are reported while the agreement is carried out" in response.text
    assert session.exec(select(Measurement)).all() == []


def upload(client, realised, name, data):
    page = client.get(f"/coalitions/{realised.coalition.id}/indicators")
    return client.post(
        f"/coalitions/{realised.coalition.id}/measurements/import",
        data={"csrf_token": form_token(page), "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def test_a_csv_with_one_bad_row_imports_nothing_and_names_the_row(app, realised, session):
    first, second = (p.starts_on.isoformat() for p in periods_of(realised, realised.loneliness)[:2])
    lines = [
        "indicator;period;value;source",
        f"{realised.loneliness.id};{first};45,5;GGD",
        f"{realised.volunteers.id};{first};120;Telling",
        f"Actieve vrijwilligers;{first};abc;Telling",
    ]
    response = upload(as_(app, realised.member), realised, "waarden.csv", "\n".join(lines).encode())
    assert response.status_code == 400 and "Nothing is imported" in response.text
    assert '<td class="utrecht-table__cell">4</td><td class="utrecht-table__cell">value</td>' in response.text
    assert session.exec(select(Measurement)).all() == []


def test_a_valid_csv_and_an_xlsx_import_every_row(app, realised, session):
    member = as_(app, realised.member)
    first, second = (p.starts_on.isoformat() for p in periods_of(realised, realised.loneliness)[:2])
    csv = f"indicator,period,value,note\n{realised.loneliness.id},{first},45.5,eerste levering\nActieve vrijwilligers,{first},120,\n"
    assert "2 value(s) imported." in upload(member, realised, "waarden.csv", csv.encode()).text
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["indicator", "period", "value", "correction_reason"])
    sheet.append([realised.loneliness.id, first, 44, "Herziene GGD-cijfers"])
    sheet.append([realised.loneliness.id, second, 43.5, ""])
    out = io.BytesIO()
    workbook.save(out)
    assert "2 value(s) imported." in upload(member, realised, "waarden.xlsx", out.getvalue()).text
    session.refresh(realised.loneliness)
    assert realised.loneliness.latest_value == 43.5
    assert len(session.exec(select(Measurement).where(Measurement.supersedes_id.is_not(None))).all()) == 1


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("leeg.csv", b"", "The file is empty."),
        ("kolommen.csv", b"indicator,value\n1,2\n", "The column is missing from the first row."),
        ("kapot.xlsx", b"PK\x03\x04 niet echt", "This is not a readable XLSX file."),
        (
            "periode.csv",
            b"indicator,period,value\nActieve vrijwilligers,2000-01-01,1\n",
            "Not a reporting period of this indicator",
        ),
        (
            "dubbel.csv",
            b"indicator,period,value\nAandeel eenzame 75-plussers,31-12-2099,1\nonbekend,2027-01-01,1\n",
            "No indicator of this agreement",
        ),
    ],
)
def test_unreadable_files_get_a_clear_message(app, realised, session, name, data, message):
    response = upload(as_(app, realised.member), realised, name, data)
    assert message in response.text
    assert session.exec(select(Measurement)).all() == []


def test_the_template_lists_the_indicators_to_fill_in(app, realised):
    response = as_(app, realised.member).get(f"/coalitions/{realised.coalition.id}/measurements/template.csv")
    assert response.mimetype == "text/csv" and "Aandeel eenzame 75-plussers" in response.text
    assert response.text.splitlines()[0] == "indicator,indicator_name,period,value,source,note,correction_reason"


@pytest.mark.parametrize(
    "column, text", [("source", "GGD\x0bmonitor"), ("note", "eerste\x01levering"), ("source", "GGD\tmonitor")]
)
def test_a_control_character_in_an_imported_value_is_refused_naming_the_cell(app, realised, session, column, text):
    """A vertical tab pasted into a source would break the public XLSX export of the monitor for everyone."""
    first = periods_of(realised, realised.loneliness)[0].starts_on.isoformat()
    data = f'indicator,period,value,{column}\n{realised.loneliness.id},{first},45,"{text}"\n'.encode()
    response = upload(as_(app, realised.member), realised, "waarden.csv", data)
    assert response.status_code == 400 and "invisible control character" in response.text
    assert f'<td class="utrecht-table__cell">2</td><td class="utrecht-table__cell">{column}</td>' in response.text
    assert session.exec(select(Measurement)).all() == []


def test_a_note_may_hold_tabs_and_lines_but_a_source_is_one_line(app, realised, session):
    from tendering.core.errors import DomainError
    from tendering.models import utcnow
    from tendering.realisation import measurements

    reporting = measurements.reporting_for(session, realised.coalition.id, realised.member)
    period = periods_of(realised, realised.loneliness)[0].starts_on

    def reported(source="GGD", note=""):
        return measurements.Reported(realised.loneliness, period, 45, source, note, "")

    for source in ("GGD\x01", "GGD\nmonitor", "GGD\x7f"):
        with pytest.raises(DomainError, match="invisible control character"):
            measurements.report(
                session, reporting, actor=realised.member, reported=reported(source=source), today=utcnow().date()
            )
    assert session.exec(select(Measurement)).all() == []
    stored = measurements.report(
        session,
        reporting,
        actor=realised.member,
        today=utcnow().date(),
        reported=reported(note="Eerste levering:\n\t- wijk Noord\r\n\t- wijk Zuid"),
    )
    assert stored.note.startswith("Eerste levering:\n\t- wijk Noord")


def test_a_control_character_sent_through_the_form_or_the_api_stores_nothing(app, client, realised, session):
    from .test_api import bearer, new_token

    member = as_(app, realised.member)
    assert report(member, realised, realised.loneliness, "45", source="GGD\x0b").status_code == 400
    url = f"/api/v1/indicators/{realised.loneliness.id}/measurements"
    period = periods_of(realised, realised.loneliness)[0].starts_on.isoformat()
    headers = bearer(new_token(app, realised))
    assert client.post(url, json={"period": period, "value": 45, "note": "a\x01b"}, headers=headers).status_code == 400
    assert (
        client.post(
            "/api/v1/measurements",
            headers=headers,
            json={
                "measurements": [{"indicator": realised.loneliness.id, "period": period, "value": 45, "source": "\x1f"}]
            },
        ).status_code
        == 400
    )
    assert session.exec(select(Measurement)).all() == []
