"""Whatever a user types, sends or pastes, the answer is a clear refusal or a working export, never a server error.

The NUL byte and the integer overflow break only PostgreSQL; run these with TEST_DATABASE_URL set too.
"""

import csv
import io
import zipfile

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlmodel import select

from tendering.models import Case, Measurement, Role, utcnow
from tendering.web import tabular

from .conftest import form_token
from .evaluation_helpers import as_

REFUSED = "contains a character that is not allowed"


def edit_page(client, case):
    return client.get(f"/cases/{case.id}/edit")


def edit(client, case, **fields):
    data = {
        "csrf_token": form_token(edit_page(client, case)),
        "title": case.title,
        "version": str(case.version),
        **fields,
    }
    return client.post(f"/cases/{case.id}/edit", data=data)


def stored(session, case) -> Case:
    session.expire_all()
    return session.get(Case, case.id)


# NUL, control characters and bytes that are not UTF-8 -------------------------------------------------------------------


@pytest.mark.parametrize("value", ["Gelukkig\x00oud", "Gelukkig\x0boud", "Gelukkig\x1boud", "Gelukkig\ufffeoud"])
def test_nul_byte_in_any_form_field_is_refused_without_change(app, make_case, official, session, value):
    case = make_case()
    response = edit(as_(app, official), case, title=value)
    assert response.status_code == 400 and REFUSED in response.text
    assert stored(session, case).title == "Gelukkig oud"


def test_tab_and_line_breaks_are_ordinary_text(app, make_case, official, session):
    case = make_case()
    assert edit(as_(app, official), case, question="Eerste regel\r\nTweede\tregel").status_code == 302
    assert stored(session, case).question == "Eerste regel\r\nTweede\tregel"


def test_bytes_that_are_not_utf8_are_refused_without_change(app, make_case, official, session):
    case = make_case()
    client = as_(app, official)
    token = form_token(edit_page(client, case))
    for body in (
        f"csrf_token={token}&version={case.version}&title=Gelukkig%FF%FEoud".encode(),
        f"csrf_token={token}&version={case.version}&title=Gelukkig\xe9oud".encode("latin-1"),
    ):
        response = client.post(f"/cases/{case.id}/edit", data=body, content_type="application/x-www-form-urlencoded")
        assert response.status_code == 400 and REFUSED in response.text
    multipart = b"".join(
        b'--grens\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n' % (name.encode(), value)
        for name, value in (("csrf_token", token.encode()), ("version", b"1"), ("title", b"Gelukkig\xffoud"))
    )
    response = client.post(
        f"/cases/{case.id}/edit", data=multipart + b"--grens--\r\n", content_type="multipart/form-data; boundary=grens"
    )
    assert response.status_code == 400
    assert as_(app, official).get("/cases/?state=%FF").status_code == 400
    assert stored(session, case).title == "Gelukkig oud"


@pytest.mark.parametrize("url", ["/cases/?state=%00", "/monitor?theme=zorg%00", "/tenders/GEM%00-1"])
def test_nul_byte_in_a_query_or_url_is_refused(app, official, url):
    response = as_(app, official).get(url)
    assert response.status_code == 400 and REFUSED in response.text


def test_nul_byte_in_an_uploaded_file_name_is_refused(app, realised, session):
    member = as_(app, realised.member)
    page = member.get(f"/coalitions/{realised.coalition.id}/indicators")
    response = member.post(
        f"/coalitions/{realised.coalition.id}/measurements/import",
        data={"csrf_token": form_token(page), "file": (io.BytesIO(b"indicator,period,value\n"), "waarden\x00.csv")},
    )
    assert response.status_code == 400 and REFUSED in response.text


def test_nul_byte_in_api_json_is_refused_as_json(app, client, realised, session):
    from .test_api import bearer, first_period, new_token

    response = client.post(
        f"/api/v1/indicators/{realised.loneliness.id}/measurements",
        headers=bearer(new_token(app, realised)),
        json={"period": first_period(realised, realised.loneliness), "value": 45, "source": "GGD\x00"},
    )
    assert response.status_code == 400 and response.is_json and REFUSED in response.get_json()["error"]
    assert session.exec(select(Measurement)).all() == []


def test_a_json_number_too_large_for_a_float_is_refused_as_json(app, client, realised, session):
    from .test_api import bearer, first_period, new_token

    headers = bearer(new_token(app, realised))
    body = '{"period": "%s", "value": 1%s}' % (first_period(realised, realised.loneliness), "0" * 400)
    response = client.post(
        f"/api/v1/indicators/{realised.loneliness.id}/measurements",
        data=body,
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 400 and response.get_json() == {"error": "A number in the request is too large."}
    assert session.exec(select(Measurement)).all() == []


# Numbers beyond what the database holds ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/cases/2147483648",
        "/cases/99999999999999999999/edit",
        "/cases/" + "9" * 5000,
        "/monitor/indicators/2147483648",
        "/ocds/4294967296.json",
    ],
)
def test_case_id_beyond_int32_is_not_found_on_postgres(app, official, url):
    assert as_(app, official).get(url).status_code == 404


def test_the_largest_int32_id_is_an_ordinary_unknown_id(app, official):
    assert as_(app, official).get("/cases/2147483647").status_code == 404


def test_version_beyond_int32_in_the_query_is_not_found(app, client, make_case, official, session):
    from . import factories as f

    case = make_case()
    f.articulate(session, case, official)
    assert as_(app, official).get(f"/cases/{case.id}/document/preview?version=2147483648").status_code in (404, 200)
    assert client.get(f"/tenders/{case.reference}/document?version=2147483648").status_code == 404


def test_transition_version_beyond_int32_is_refused_without_change(app, make_case, official, session):
    case = make_case()
    client = as_(app, official)
    response = client.post(
        f"/cases/{case.id}/transition",
        data={
            "csrf_token": form_token(client.get(f"/cases/{case.id}")),
            "trigger": "cancel",
            "version": str(2**31),
            "reason": "Weg.",
        },
    )
    assert response.status_code in (302, 400)
    assert stored(session, case).state == case.state


@pytest.mark.parametrize("price", ["sNaN", "NaN", "Infinity", "1e999999", "-1e20"])
def test_a_number_the_database_cannot_hold_is_a_form_error(app, make_case, official, session, price):
    case = make_case()
    response = edit(as_(app, official), case, budget_ceiling=price)
    assert response.status_code == 200 and "utrecht-form-field-error" in response.text or response.status_code == 400
    assert stored(session, case).budget_ceiling is None


def test_a_date_beyond_the_calendar_is_a_form_error(app, make_case, official, session):
    case = make_case()
    response = edit(as_(app, official), case, council_decision_date="9999-12-31")
    assert response.status_code in (200, 400) and "between 1900 and 2199" in response.text
    assert stored(session, case).council_decision_date is None


# Exports survive what was stored before the input was checked ----------------------------------------------------------


def test_control_character_in_case_title_does_not_break_docx(app, make_case, official, session):
    case = make_case(title="Gelukkig\x0b oud\x08", problem_analysis="Regel\x1b één")
    response = as_(app, official).get(f"/cases/{case.id}/document.docx")
    assert response.status_code == 200
    document = Document(io.BytesIO(response.data))
    assert document.paragraphs[0].text == "Gelukkig oud"
    assert "Regel één" in [p.text for p in document.paragraphs]


def _with_bad_source(session, realised):
    session.add(
        Measurement(
            indicator_id=realised.volunteers.id,
            period=realised.agreement.starts_on,
            value=120,
            source="GGD\x07\x1f monitor",
            note='=HYPERLINK("http://evil")',
            reported_by_id=realised.member.id,
            reported_at=utcnow(),
        )
    )
    session.commit()


def test_control_character_in_measurement_source_does_not_break_public_xlsx(app, client, realised, session):
    _with_bad_source(session, realised)
    response = client.get(f"/monitor/indicators/{realised.volunteers.id}?format=xlsx")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert rows[1][2] == "GGD monitor" and rows[1][3] == '\'=HYPERLINK("http://evil")'


def test_every_export_of_the_monitor_survives_control_characters(app, client, realised, session):
    _with_bad_source(session, realised)
    realised.case.title = "Gelukkig\x0c oud"
    session.add(realised.case)
    session.commit()
    for url in (
        "/monitor?format=xlsx",
        f"/monitor/cases/{realised.case.id}?format=xlsx",
        "/monitor?format=csv",
        f"/monitor/indicators/{realised.volunteers.id}?format=csv",
        "/monitor/print.pdf",
        f"/monitor/cases/{realised.case.id}/print.pdf",
        f"/monitor/indicators/{realised.volunteers.id}",
        f"/ocds/{realised.case.id}.json",
        f"/accountability/{realised.case.id}",
    ):
        response = client.get(url)
        assert response.status_code in (200, 404), url
        if response.mimetype.endswith("sheet"):
            zipfile.ZipFile(io.BytesIO(response.data)).testzip()
            load_workbook(io.BytesIO(response.data))


# CSV injection ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["x;=cmd|' /C calc'!A0", "x,=1+1", "x\t@SUM(A1)", "a\n-2+3", "a;  +cmd", "=1+1", "-1", "@x"]
)
def test_semicolon_formula_is_neutralised_for_dutch_excel(value):
    data = tabular.to_csv(["Bron"], [[value]]).decode("utf-8-sig")
    for delimiter in (",", ";", "\t"):  # however a spreadsheet splits the line, no cell starts a formula
        for row in csv.reader(io.StringIO(data), delimiter=delimiter):
            for cell in row:
                assert not cell.startswith(("=", "+", "-", "@")), (delimiter, cell)
    assert list(csv.reader(io.StringIO(data))) == [["Bron"], ["'" + value]]
    assert data.splitlines()[1].startswith("\"'")  # quoted, and prefixed


def test_ordinary_text_and_numbers_are_exported_as_they_are():
    data = tabular.to_csv(["Bron", "Waarde"], [["GGD, monitor 2025-2026", 45.5], ["Kosten; zie bijlage", -3]]).decode(
        "utf-8-sig"
    )
    assert data.splitlines() == ['"Bron","Waarde"', '"GGD, monitor 2025-2026",45.5', '"Kosten; zie bijlage",-3']


def test_semicolon_formula_in_a_measurement_source_is_neutralised_in_the_public_csv(app, client, realised, session):
    session.add(
        Measurement(
            indicator_id=realised.volunteers.id,
            period=realised.agreement.starts_on,
            value=120,
            source="x;=cmd|' /C calc'!A0",
            reported_by_id=realised.member.id,
            reported_at=utcnow(),
        )
    )
    session.commit()
    text = client.get(f"/monitor/indicators/{realised.volunteers.id}?format=csv").text
    assert "\"'x;=cmd|' /C calc'!A0\"" in text


# The API answers in JSON, and every 405 says what is allowed ----------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/api/v1/nothing-here", "/api/v1/indicators/2147483648/measurements", "/api/v2/indicators", "/api/"]
)
def test_unknown_api_path_answers_json(client, url):
    response = client.get(url)
    assert response.status_code == 404 and response.is_json and isinstance(response.get_json()["error"], str)


def test_wrong_method_on_the_api_answers_json_with_allow(client):
    response = client.delete("/api/v1/indicators")
    assert response.status_code == 405 and response.is_json and "error" in response.get_json()
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


def test_a_large_api_request_answers_json(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 100
    response = client.post(
        "/api/v1/measurements",
        data="x" * 1000,
        content_type="application/json",
        headers={"Authorization": "Bearer tnd_x"},
    )
    assert response.status_code in (401, 413) and response.is_json


@pytest.mark.parametrize("method", ["TRACE", "PUT", "DELETE", "PATCH"])
def test_trace_answers_405_with_allow(client, method):
    response = client.open("/login", method=method)
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS", "POST"}
    assert response.mimetype == "text/html"


def test_options_lists_the_methods(client):
    response = client.options("/login")
    assert response.status_code == 200 and "POST" in response.headers["Allow"]


def test_council_member_sees_html_errors_outside_the_api(app, make_user):
    council = as_(app, make_user(Role.council_member))
    response = council.get("/cases/2147483648")
    assert response.status_code == 404 and response.mimetype == "text/html"


# Writes the database refuses because another request got there first ---------------------------------------------------


def _edit_that_loses_a_race(monkeypatch, error):
    """`edit_case` as if another request had committed first: the edit is flushed, then the database refuses."""
    from tendering.views import cases as views

    real = views.edit_case

    def losing(session, case, **kwargs):
        real(session, case, **kwargs)
        session.flush()
        raise error

    monkeypatch.setattr(views, "edit_case", losing)


def test_a_write_the_database_refuses_is_a_409_and_stores_nothing(app, make_case, official, session, monkeypatch):
    from sqlalchemy.exc import IntegrityError

    case = make_case()
    _edit_that_loses_a_race(monkeypatch, IntegrityError("INSERT …", {}, Exception("UNIQUE constraint failed")))
    response = edit(as_(app, official), case, title="Door twee tegelijk bewerkt")
    assert response.status_code == 409 and "Someone else changed this at the same moment" in response.text
    assert stored(session, case).title == "Gelukkig oud"


def test_a_lock_timeout_is_a_409_but_a_broken_query_stays_a_server_error(
    app, make_case, official, session, monkeypatch
):
    from sqlalchemy.exc import OperationalError, ProgrammingError

    case = make_case()
    _edit_that_loses_a_race(monkeypatch, OperationalError("UPDATE …", {}, Exception("database is locked")))
    assert edit(as_(app, official), case, title="Gewacht op een slot").status_code == 409
    monkeypatch.undo()
    _edit_that_loses_a_race(monkeypatch, ProgrammingError("SELECT …", {}, Exception("no such column")))
    with pytest.raises(ProgrammingError):  # TESTING propagates it; in production it is the logged 500 page
        edit(as_(app, official), case, title="Kapotte query")
    assert stored(session, case).title == "Gelukkig oud"
