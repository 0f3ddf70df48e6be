"""The Maatschappelijke Agenda: officials keep ambitions and city indicators with norms agreed with partners and
values the municipality measures; cases and their indicators are linked to it; the databook shows it all to the
council (and to the public, minus what is confidential) on the web, printed, as PDF and as CSV/XLSX."""

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from tendering.agenda import agendas, city_indicators, contributions, databook
from tendering.core.errors import DomainError
from tendering.models import (
    Agenda,
    Ambition,
    AuditEvent,
    CaseAmbition,
    CityIndicator,
    CityMeasurement,
    Direction,
    Indicator,
    Role,
)

from .agenda_helpers import indicator_fields
from .conftest import form_token
from .evaluation_helpers import as_
from .monitoring_helpers import add_realised
from .test_query_counts import counting_queries

TODAY = date.today()


def send(client, page_url, action, data):
    """Post a form of the page at `page_url` as a user would: with the page's CSRF token, following redirects."""
    token = form_token(client.get(page_url))
    return client.post(action, data={"csrf_token": token} | data, follow_redirects=True)


def indicator_form(ambition, **overrides) -> dict:
    """The form to add a city indicator to `ambition`, as typed, with `overrides` by field name."""
    typed = {
        "name": "Ervaren eenzaamheid",
        "definition": "Aandeel inwoners van 19 jaar en ouder dat zich (zeer) ernstig eenzaam voelt.",
        "unit": "%",
        "direction": "lower_is_better",
        "data_source": "GGD Gezondheidsmonitor",
        "measured_by": "Team Onderzoek",
        "frequency": "yearly",
        "baseline_value": "12,5",
        "baseline_date": "2022-01-01",
        "target_value": "9",
        "target_date": "2030-01-01",
    } | overrides
    return {f"indicator-{ambition.id}-{k}": v for k, v in typed.items()}


def test_an_official_keeps_the_agenda_from_an_empty_start(app, session, official):
    owner = as_(app, official)
    assert "has not recorded its agenda yet" in owner.get("/agenda").text
    created = send(
        owner,
        "/agenda/new",
        "/agenda/new",
        {"title": "Agenda 2026-2030", "starts_on": "2026-01-01", "ends_on": "2030-12-31", "carry_over": "y"},
    )
    assert "The agenda is created." in created.text
    agenda = session.exec(select(Agenda)).one()
    manage = f"/agenda/{agenda.id}/manage"
    assert (
        "The ambition is added."
        in send(
            owner, manage, f"/agenda/{agenda.id}/ambitions", {"ambition-title": "Inwoners nemen deel en dragen bij"}
        ).text
    )
    ambition = session.exec(select(Ambition)).one()
    added = send(owner, manage, f"/agenda/ambitions/{ambition.id}/indicators", indicator_form(ambition))
    assert "The indicator is added." in added.text
    city = session.exec(select(CityIndicator)).one()
    assert (city.baseline_value, city.direction) == (12.5, Direction.lower_is_better)  # a Dutch decimal comma

    page = f"/agenda/indicators/{city.id}/manage"
    norms = {
        "norms-norm_at_risk": "11",
        "norms-norm_off_track": "12",
        "norms-agreed_on": "2026-03-01",
        "norms-partners": "GGD\nZorgcoöperatie De Linde\n",
    }
    assert "The norms are recorded." in send(owner, page, f"/agenda/indicators/{city.id}/norms", norms).text
    value = {"value-period": "2025-01-01", "value-value": "11,5", "value-source": "GGD 2025"}
    assert "The value is recorded." in send(owner, page, f"/agenda/indicators/{city.id}/values", value).text
    again = send(owner, page, f"/agenda/indicators/{city.id}/values", value | {"value-value": "11,7"})
    assert "give the reason for the correction" in again.text
    fixed = value | {"value-value": "11,7", "value-correction_reason": "Herweging."}
    assert "The value is recorded." in send(owner, page, f"/agenda/indicators/{city.id}/values", fixed).text
    session.expire_all()
    city = session.get(CityIndicator, city.id)
    assert (city.latest_value, city.norm_at_risk, city.norm_off_track) == (11.7, 11, 12)
    assert city.assessed_status == "at_risk"  # at or beyond the at-risk norm
    shown = app.test_client().get(f"/agenda/indicators/{city.id}").text
    assert "Zorgcoöperatie De Linde" in shown and "Herweging." in shown
    actions = set(session.exec(select(AuditEvent.action)).all())
    assert {"agenda_created", "ambition_added", "city_indicator_added", "city_norms_agreed"} <= actions
    assert {"city_value_reported", "city_value_corrected"} <= actions


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"target_date": "2021-01-01"}, "The target date must come after the baseline date."),
        ({"name": ""}, "This field is required."),
        ({"baseline_value": "veel"}, "Not a valid decimal value"),
    ],
)
def test_a_city_indicator_that_breaks_a_rule_is_refused_and_nothing_changes(
    app, session, official, kept, overrides, message
):
    owner = as_(app, official)
    before = len(session.exec(select(CityIndicator)).all())
    manage = f"/agenda/{kept['agenda'].id}/manage"
    refused = send(
        owner, manage, f"/agenda/ambitions/{kept['safe'].id}/indicators", indicator_form(kept["safe"], **overrides)
    )
    assert message in refused.text
    assert len(session.exec(select(CityIndicator)).all()) == before


def test_norms_that_contradict_the_direction_are_refused(app, session, official, kept):
    owner = as_(app, official)
    city = kept["lonely"]
    page = f"/agenda/indicators/{city.id}/manage"
    wrong = {
        "norms-norm_at_risk": "12",
        "norms-norm_off_track": "11",  # lower is better: off track must lie above at risk
        "norms-agreed_on": "2026-03-01",
        "norms-partners": "GGD",
    }
    assert (
        "must lie beyond the “at risk” threshold"
        in send(owner, page, f"/agenda/indicators/{city.id}/norms", wrong).text
    )
    nobody = wrong | {"norms-norm_at_risk": "11", "norms-norm_off_track": "12", "norms-partners": "  "}
    assert "This field is required." in send(owner, page, f"/agenda/indicators/{city.id}/norms", nobody).text
    session.expire_all()
    assert session.get(CityIndicator, city.id).norm_at_risk is None


def _upload(client, agenda, body: bytes, name="waarden.csv"):
    page = client.get(f"/agenda/{agenda.id}/manage")
    return client.post(
        f"/agenda/{agenda.id}/import",
        data={"csrf_token": form_token(page), "import-file": (io.BytesIO(body), name)},
        content_type="multipart/form-data",
    )


def test_a_file_of_city_values_is_imported_all_or_nothing(app, session, official, kept):
    owner = as_(app, official)
    agenda, lonely, secret = kept["agenda"], kept["lonely"], kept["secret"]
    template = owner.get(f"/agenda/{agenda.id}/template.csv").data.decode("utf-8-sig")
    assert "Ervaren eenzaamheid" in template and template.startswith('"indicator","indicator_name","period","value"')
    broken = f"indicator;period;value\n{lonely.id};2025-01-01;11,2\n{secret.id};2025-13-01;240\n999999;2025-01-01;1\n"
    refused = _upload(owner, agenda, broken.encode())
    assert refused.status_code == 400 and "Nothing is imported: 2 problem(s)" in refused.text
    assert "Not a date" in refused.text and "No indicator of this agenda has this number or name." in refused.text
    count = len(session.exec(select(CityMeasurement)).all())
    good = f"indicator;period;value\n{lonely.id};2025-01-01;11,2\nGeheime wachtlijst;2025-01-01;240\n"
    assert _upload(owner, agenda, good.encode()).status_code == 302
    assert "2 value(s) imported." in owner.get(f"/agenda/{agenda.id}/manage").text
    session.expire_all()
    assert len(session.exec(select(CityMeasurement)).all()) == count + 2
    assert session.get(CityIndicator, lonely.id).latest_value == 11.2


def test_a_name_that_two_indicators_share_must_be_given_by_number(app, session, official, kept):
    twin = city_indicators.add(
        session,
        kept["safe"],
        actor=official,
        fields=indicator_fields(name=" ervaren EENZAAMHEID ", baseline_value=10, target_value=8),
    )
    session.commit()
    owner = as_(app, official)
    refused = _upload(owner, kept["agenda"], b"indicator;period;value\nErvaren eenzaamheid;2025-01-01;11\n")
    assert refused.status_code == 400 and "More than one indicator has this name: write its number." in refused.text
    by_number = f"indicator;period;value\n{twin.id};2025-01-01;9\n{kept['lonely'].id};2025-01-01;11\n"
    assert _upload(owner, kept["agenda"], by_number.encode()).status_code == 302
    session.expire_all()
    assert (
        session.get(CityIndicator, twin.id).latest_value,
        session.get(CityIndicator, kept["lonely"].id).latest_value,
    ) == (9, 11)


def test_the_public_reads_the_agenda_and_databook_without_what_is_confidential(app, client, session, make_user, kept):
    agenda = kept["agenda"]
    for path in (f"/agenda/{agenda.id}", f"/agenda/{agenda.id}/databook", f"/agenda/ambitions/{kept['healthy'].id}"):
        page = client.get(path).text
        assert "Ervaren eenzaamheid" in page and "Geheime wachtlijst" not in page, path
    assert client.get("/agenda").status_code == 302
    assert client.get(f"/agenda/indicators/{kept['secret'].id}").status_code == 404
    public_csv = client.get(f"/agenda/{agenda.id}/databook?format=csv").data.decode("utf-8-sig")
    assert "Geheime wachtlijst" not in public_csv and "Confidential" not in public_csv
    rows = list(csv.reader(io.StringIO(public_csv), delimiter=";" if ";" in public_csv.splitlines()[0] else ","))
    lonely_rows = [r for r in rows if "Ervaren eenzaamheid" in r]
    assert len(lonely_rows) == 3  # a row per value in force: every number of the databook

    council = as_(app, make_user(Role.council_member))
    assert "Geheime wachtlijst" in council.get(f"/agenda/{agenda.id}/databook").text
    book = load_workbook(io.BytesIO(council.get(f"/agenda/{agenda.id}/databook?format=xlsx").data))
    cells = [[c.value for c in row] for row in book.active.iter_rows()]
    assert "Confidential" in cells[0] and any("Geheime wachtlijst" in r for r in cells)
    pdf = council.get(f"/agenda/{agenda.id}/databook.pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")


def test_cases_and_their_indicators_are_linked_to_ambitions_in_the_audit_trail(
    app, session, official, make_user, kept, realised
):
    owner = as_(app, official)
    case = realised.case
    page = f"/cases/{case.id}/ambitions"
    assert "Inwoners zijn gezond" in owner.get(page).text
    linked = send(
        owner, page, page, {"ambitions": [str(kept["healthy"].id)], "reason": "Past bij de gezondheidsambitie."}
    )
    assert "The ambitions of the case are saved." in linked.text
    link = f"/cases/{case.id}/ambitions/indicators/{realised.loneliness.id}"
    assert (
        "The link is saved."
        in send(owner, page, link, {f"link-{realised.loneliness.id}-city_indicator_id": str(kept["lonely"].id)}).text
    )
    session.expire_all()
    assert session.get(Indicator, realised.loneliness.id).city_indicator_id == kept["lonely"].id
    events = session.exec(select(AuditEvent).where(AuditEvent.case_id == case.id)).all()
    changed = [e for e in events if e.action == "case_ambitions_changed"]
    assert changed[0].reason == "Past bij de gezondheidsambitie." and changed[0].details["added"] == [
        kept["healthy"].id
    ]
    assert "indicator_linked_to_city" in {e.action for e in events}
    assert "Ambitions of the case changed" in owner.get(f"/cases/{case.id}/audit-trail").text

    from tendering.question import question_document

    with app.test_request_context():  # published, as a case in realisation has been: the public may see it
        question_document.freeze(session, case, actor=official)
    session.commit()
    public = app.test_client()
    ambition = public.get(f"/agenda/ambitions/{kept['healthy'].id}").text
    assert case.title in ambition and "Samen Oud" in ambition and "Aandeel eenzame 75-plussers" in ambition
    # counted, with a link to the case's monitor; the case's confidential indicator is not counted for the public
    assert "1 indicator not linked to a city indicator" in ambition
    council_page = as_(app, make_user(Role.council_member)).get(f"/agenda/ambitions/{kept['healthy'].id}").text
    assert "2 indicators not linked to a city indicator" in council_page
    assert "Aandeel eenzame 75-plussers" in public.get(f"/agenda/indicators/{kept['lonely'].id}").text

    wrong = send(owner, page, link, {f"link-{realised.loneliness.id}-city_indicator_id": "999999"})
    assert wrong.status_code == 400 or "Not a valid choice" in wrong.text
    unlinked = send(owner, page, page, {"ambitions": [], "reason": ""})
    assert "The ambitions of the case are saved." in unlinked.text
    session.expire_all()
    assert session.exec(select(CaseAmbition)).all() == []
    assert session.get(Indicator, realised.loneliness.id).city_indicator_id is None  # it left with the ambition
    added, removed = session.exec(
        select(AuditEvent)
        .where(AuditEvent.case_id == case.id, AuditEvent.action == "case_ambitions_changed")
        .order_by(AuditEvent.id)
    ).all()
    assert added.details["unlinked_indicators"] == []
    assert removed.details["removed"] == [kept["healthy"].id] and removed.details["unlinked_indicators"] == [
        {
            "id": realised.loneliness.id,
            "name": "Aandeel eenzame 75-plussers",
            "city_indicator_id": kept["lonely"].id,
            "city_indicator": "Ervaren eenzaamheid",
        }
    ]  # which indicators lost their link, in the same event
    trail = owner.get(f"/cases/{case.id}/audit-trail").text
    assert "Aandeel eenzame 75-plussers no longer contributes to the city indicator Ervaren eenzaamheid" in trail


def test_who_may_not_keep_the_agenda_or_link_a_case_is_refused(app, session, make_user, kept, realised):
    app.config["WTF_CSRF_ENABLED"] = False
    agenda = kept["agenda"]
    council, member = as_(app, make_user(Role.council_member)), as_(app, realised.member)
    writes = [
        ("/agenda/new", {"title": "X", "starts_on": "2031-01-01", "ends_on": "2034-12-31"}),
        (f"/agenda/{agenda.id}/ambitions", {"ambition-title": "Nog een"}),
        (f"/agenda/ambitions/{kept['safe'].id}/indicators", indicator_form(kept["safe"])),
        (f"/agenda/indicators/{kept['lonely'].id}/values", {"value-period": "2025-01-01", "value-value": "1"}),
        (f"/cases/{realised.case.id}/ambitions", {"ambitions": [str(kept["safe"].id)]}),
    ]
    counts = (len(session.exec(select(Agenda)).all()), len(session.exec(select(Ambition)).all()))
    for path, data in writes:
        for client in (council, member):
            assert client.post(path, data=data).status_code in (403, 404), path
        assert app.test_client().post(path, data=data).status_code == 302, path  # to the login
    assert member.get(f"/agenda/{agenda.id}/manage").status_code == 403
    assert (len(session.exec(select(Agenda)).all()), len(session.exec(select(Ambition)).all())) == counts
    assert session.exec(select(CaseAmbition)).all() == []


def test_a_closed_case_keeps_its_ambitions(app, session, official, kept, make_case):
    case = make_case(state="closed")
    app.config["WTF_CSRF_ENABLED"] = False
    refused = as_(app, official).post(
        f"/cases/{case.id}/ambitions", data={"ambitions": [str(kept["safe"].id)]}, follow_redirects=True
    )
    assert "A case is linked to ambitions while it runs." in refused.text
    assert session.exec(select(CaseAmbition)).all() == []


def test_a_new_period_starts_from_a_copy_and_leaves_the_old_agenda_as_it_was(app, session, official, kept):
    old = kept["agenda"]
    new = agendas.create(
        session,
        actor=official,
        fields=agendas.AgendaFields("Agenda 2031-2034", date(2031, 1, 1), date(2034, 12, 31)),
    )
    session.commit()
    [first, second] = agendas.ambitions_of(session, new)
    assert (first.title, first.carried_from_id) == ("Inwoners zijn gezond en hebben regie", kept["healthy"].id)
    copied = city_indicators.of_ambitions(session, [first.id])[first.id]
    assert [c.name for c in copied] == ["Ervaren eenzaamheid", "Geheime wachtlijst"]
    values = city_indicators.values_of(session, [copied[0].id])[copied[0].id]
    assert [m.value for _p, m in sorted(values.items())] == [12.5, 12.1, 11.4]  # the trend goes on
    agendas.update_ambition(session, first, actor=official, fields=agendas.AmbitionFields("Anders geformuleerd"))
    session.commit()
    session.expire_all()
    assert session.get(Ambition, kept["healthy"].id).title == "Inwoners zijn gezond en hebben regie"
    overlapping = agendas.AgendaFields("Dubbel", date(2030, 6, 1), date(2032, 1, 1))
    with pytest.raises(DomainError, match="overlaps"):
        agendas.create(session, actor=official, fields=overlapping)
    assert "Agenda 2031-2034" in app.test_client().get(f"/agenda/{old.id}").text  # listed among the others


def test_once_a_newer_agenda_exists_the_old_one_is_kept_and_running_cases_come_along(
    app, session, official, kept, realised, make_case
):
    closed = make_case(state="closed", title="Afgerond")
    contributions.set_ambitions(session, realised.case, actor=official, ambition_ids=[kept["healthy"].id])
    contributions.link_indicator(
        session, realised.case, realised.loneliness.id, actor=official, city_indicator_id=kept["lonely"].id
    )
    session.add(CaseAmbition(case_id=closed.id, ambition_id=kept["healthy"].id, linked_by_id=official.id))
    session.commit()
    old = kept["agenda"]
    new = agendas.create(
        session, actor=official, fields=agendas.AgendaFields("Agenda 2031-2034", date(2031, 1, 1), date(2034, 12, 31))
    )
    session.commit()
    copy = agendas.ambitions_of(session, new)[0]
    linked = contributions.ambitions_of_cases(session, [realised.case.id, closed.id])
    assert [a.id for a in linked[realised.case.id]] == [kept["healthy"].id, copy.id]  # the running case goes on
    assert [a.id for a in linked[closed.id]] == [kept["healthy"].id]  # the closed one stays where it was
    carried = session.exec(
        select(AuditEvent).where(
            AuditEvent.case_id == realised.case.id, AuditEvent.action == "case_ambitions_carried_over"
        )
    ).one()
    assert carried.details == {"added": [copy.id], "indicators_relinked": [realised.loneliness.id]}
    assert carried.actor_id == official.id
    session.expire_all()
    lonely_copy = session.get(Indicator, realised.loneliness.id).city_indicator_id
    assert session.get(CityIndicator, lonely_copy).carried_from_id == kept["lonely"].id  # it contributes on
    assert "Aandeel eenzame 75-plussers" in as_(app, official).get(f"/agenda/ambitions/{copy.id}").text

    value = city_indicators.CityValue(kept["lonely"], date(2025, 1, 1), 11.0, "GGD")
    attempts = (
        lambda: agendas.update(
            session, old, actor=official, fields=agendas.AgendaFields("Nieuw", old.starts_on, old.ends_on)
        ),
        lambda: agendas.add_ambition(session, old, actor=official, fields=agendas.AmbitionFields("Erbij")),
        lambda: agendas.update_ambition(session, kept["safe"], actor=official, fields=agendas.AmbitionFields("Anders")),
        lambda: city_indicators.report(session, value, actor=official, today=TODAY),
    )
    for attempt in attempts:
        with pytest.raises(DomainError, match="Agenda 2031-2034"):
            attempt()
        session.rollback()
    app.config["WTF_CSRF_ENABLED"] = False
    page = as_(app, official).post(
        f"/agenda/{old.id}/ambitions", data={"ambition-title": "Via het formulier"}, follow_redirects=True
    )
    assert "Agenda 2031-2034" in page.text
    for manage in (f"/agenda/{old.id}/manage", f"/agenda/indicators/{kept['lonely'].id}/manage"):
        shown = as_(app, official).get(manage, follow_redirects=True)
        assert shown.request.path == f"/agenda/{old.id}" and "is kept as it was" in shown.text
    assert as_(app, official).get(f"/agenda/{new.id}/manage").status_code == 200
    session.expire_all()
    assert [a.title for a in agendas.ambitions_of(session, old)] == [
        "Inwoners zijn gezond en hebben regie",
        "Inwoners leven in een veilige omgeving",
    ]


def test_the_agenda_pages_cost_the_same_queries_with_more_data(
    app, session, official, make_user, make_case, kept, realised
):
    council = as_(app, make_user(Role.council_member))
    agenda = kept["agenda"]
    pages = (
        f"/agenda/{agenda.id}",
        f"/agenda/{agenda.id}/databook",
        f"/agenda/ambitions/{kept['healthy'].id}",
        f"/agenda/indicators/{kept['lonely'].id}",
        "/open-data/agendas.json",
        "/open-data/city-values.csv",
        "/open-data/contributions.csv",
    )

    def counts():
        found = []
        for path in pages:
            council.get(path)
            with counting_queries(app) as statements:
                assert council.get(path).status_code == 200
            found.append(len(statements))
        return found

    contributions.set_ambitions(session, realised.case, actor=official, ambition_ids=[kept["healthy"].id])
    session.commit()
    before = counts()
    for n in range(3):
        more = add_realised(session, make_case, make_user, official, title=f"Zaak {n}", coalition_name=f"Coalitie {n}")
        contributions.set_ambitions(session, more.case, actor=official, ambition_ids=[kept["healthy"].id])
        more.loneliness.city_indicator_id = kept["lonely"].id
        session.add(more.loneliness)
        extra = agendas.add_ambition(session, agenda, actor=official, fields=agendas.AmbitionFields(f"Ambitie {n}"))
        city = city_indicators.add(
            session,
            extra,
            actor=official,
            fields=city_indicators.CityIndicatorFields(
                name=f"Indicator {n}",
                definition="Iets.",
                unit="",
                direction=Direction.higher_is_better,
                data_source="CBS",
                measured_by="Onderzoek",
                baseline_value=1,
                baseline_date=date(2022, 1, 1),
                target_value=2,
                target_date=date(2030, 1, 1),
            ),
        )
        city_indicators.report(
            session, city_indicators.CityValue(city, date(2023, 1, 1), 1.5), actor=official, today=TODAY
        )
    session.commit()
    assert counts() == before


def test_the_agenda_pages_are_labelled_and_have_one_h1(app, official, kept, realised):
    from .test_accessibility import audit

    owner = as_(app, official)
    agenda = kept["agenda"]
    paths = [
        f"/agenda/{agenda.id}",
        f"/agenda/{agenda.id}/databook",
        f"/agenda/ambitions/{kept['healthy'].id}",
        f"/agenda/indicators/{kept['lonely'].id}",
        f"/agenda/{agenda.id}/manage",
        f"/agenda/indicators/{kept['lonely'].id}/manage",
        "/agenda/new",
        f"/cases/{realised.case.id}/ambitions",
    ]
    assert {path: found for path in paths if (found := audit(owner, path))} == {}


def test_the_public_sees_no_unpublished_case_among_the_contributions(
    app, session, official, make_user, make_case, kept
):
    draft = make_case(title="Nog niet gepubliceerd", state="articulation")
    contributions.set_ambitions(session, draft, actor=official, ambition_ids=[kept["healthy"].id])
    session.commit()
    agenda = kept["agenda"]
    public = app.test_client()
    for path in (f"/agenda/{agenda.id}", f"/agenda/{agenda.id}/databook", f"/agenda/ambitions/{kept['healthy'].id}"):
        assert "Nog niet gepubliceerd" not in public.get(path).text, path
    assert "0 cases contribute" in public.get(f"/agenda/{agenda.id}").text
    council = as_(app, make_user(Role.council_member)).get(f"/agenda/ambitions/{kept['healthy'].id}").text
    assert "Nog niet gepubliceerd" in council and f"/cases/{draft.id}" in council and "no agreement yet" in council


def test_numbers_at_the_edge_of_a_float_neither_import_nor_break_a_chart(app, session, official, kept):
    owner = as_(app, official)
    agenda, lonely = kept["agenda"], kept["lonely"]
    refused = _upload(owner, agenda, f"indicator;period;value\n{lonely.id};2025-01-01;1e13\n".encode())
    assert refused.status_code == 400 and "Not a valid number." in refused.text
    session.add_all(  # stored before the limit, or by hand: still drawn
        [
            CityMeasurement(indicator_id=lonely.id, period=date(2025, 1, 1), value=1.7e308, reported_by_id=official.id),
            CityMeasurement(indicator_id=lonely.id, period=date(2026, 1, 1), value=-1e308, reported_by_id=official.id),
        ]
    )
    lonely.baseline_value, lonely.target_value = 0, 5e-324
    session.add(lonely)
    session.commit()
    for path in (f"/agenda/{agenda.id}", f"/agenda/{agenda.id}/databook", f"/agenda/indicators/{lonely.id}"):
        assert app.test_client().get(path).status_code == 200, path


def _section(page: str, ambition) -> str:
    """The part of the databook about one ambition."""
    return page.split(f'aria-labelledby="ambition-{ambition.id}"')[1].split("<section ")[0]


def test_under_an_ambition_the_databook_shows_the_indicators_that_contribute_to_it(
    app, session, official, make_user, kept, realised
):
    from tendering.question import question_document

    healthy, safe = kept["healthy"], kept["safe"]
    feeling_safe = city_indicators.add(
        session,
        safe,
        actor=official,
        fields=indicator_fields(
            name="Veilig in de eigen buurt",
            definition="Aandeel inwoners dat zich veilig voelt in de eigen buurt.",
            direction=Direction.higher_is_better,
            data_source="Veiligheidsmonitor",
            baseline_value=80,
            target_value=85,
        ),
    )
    case = realised.case
    contributions.set_ambitions(session, case, actor=official, ambition_ids=[healthy.id, safe.id])
    for indicator, city in ((realised.loneliness, kept["lonely"]), (realised.volunteers, feeling_safe)):
        contributions.link_indicator(session, case, indicator.id, actor=official, city_indicator_id=city.id)
    with app.test_request_context():  # published, as a case in realisation has been: the public may see it
        question_document.freeze(session, case, actor=official)
    session.commit()
    agenda = kept["agenda"]
    council = as_(app, make_user(Role.council_member))

    book = council.get(f"/agenda/{agenda.id}/databook").text
    health, safety = _section(book, healthy), _section(book, safe)
    assert "Aandeel eenzame 75-plussers" in health and "contributes to Ervaren eenzaamheid" in health
    assert "Actieve vrijwilligers" not in health  # it contributes to the other ambition
    assert "Actieve vrijwilligers" in safety and "contributes to Veilig in de eigen buurt" in safety
    assert "Aandeel eenzame 75-plussers" not in safety
    for part in (health, safety):  # linked to no city indicator: under each ambition of the case, counted
        assert "1 indicator not linked to a city indicator</a>: No data 1" in part
    ambition_page = council.get(f"/agenda/ambitions/{healthy.id}").text
    assert "contributes to Ervaren eenzaamheid" in ambition_page and "Actieve vrijwilligers" not in ambition_page
    parts = {p.ambition.id: p for p in databook.build(session, agenda, confidential=True, today=TODAY)}
    assert sum(parts[healthy.id].statuses.values()) == sum(parts[safe.id].statuses.values()) == 1

    exported = council.get(f"/agenda/{agenda.id}/databook?format=csv").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(exported), delimiter=";" if ";" in exported.splitlines()[0] else ","))
    header = rows[0]
    kind, name, to = header.index("Kind"), header.index("Indicator"), header.index("Contributes to")
    coalition_rows = {(r[0], r[name]): (r[kind], r[to]) for r in rows[1:] if r[kind].startswith("Coalition")}
    assert coalition_rows == {
        (healthy.title, "Aandeel eenzame 75-plussers"): ("Coalition indicator", "Ervaren eenzaamheid"),
        (healthy.title, "Kosten per deelnemer"): ("Coalition indicator, not linked to a city indicator", ""),
        (safe.title, "Actieve vrijwilligers"): ("Coalition indicator", "Veilig in de eigen buurt"),
        (safe.title, "Kosten per deelnemer"): ("Coalition indicator, not linked to a city indicator", ""),
    }

    public = app.test_client().get(f"/agenda/{agenda.id}/databook").text
    assert "Aandeel eenzame 75-plussers" in _section(public, healthy) and "Kosten per deelnemer" not in public
    assert "not linked to a city indicator" not in public  # the only unlinked one is confidential
