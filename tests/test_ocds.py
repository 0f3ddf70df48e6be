"""Open Contracting data: releases stored when their event happens, byte-identical ever after, valid against the
official OCDS 1.1.5 schemas (kept offline), with a compiled record per case."""

import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4
from sqlmodel import select

from tendering.demo import journeys
from tendering.models import OcdsRelease, utcnow
from tendering.open_data import releases
from tendering.procurement import reconsideration
from tendering.question import cases, question_document, tender_setup
from tendering.realisation import measurements, monitoring
from tendering.workflow.engine import apply_due_steps, fire

from .evaluation_helpers import as_
from .test_award import awarded
from .test_outcome_monitor import record

TESTS = Path(__file__).parent / "data" / "ocds"
RELEASE_SCHEMA = json.loads(releases.SCHEMA.read_text())


def _validator(name: str) -> Draft4Validator:
    registry = Registry().with_resource(RELEASE_SCHEMA["id"], Resource.from_contents(RELEASE_SCHEMA, DRAFT4))
    return Draft4Validator(json.loads((TESTS / name).read_text()), registry=registry)


@pytest.fixture(scope="module")
def validator():
    return _validator("release-package-schema.json")


@pytest.fixture(scope="module")
def record_validator():
    return _validator("record-package-schema.json")


def errors_of(validator, document):
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]


def publish(app, session, case, official):
    with app.test_request_context():
        question_document.freeze(session, case, actor=official)
    session.commit()


def package_of(client, case) -> dict:
    response = client.get(f"/ocds/{case.id}.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


def test_a_case_in_realisation_exports_every_stage_and_validates(app, client, realised, session, official, validator):
    publish(app, session, realised.case, official)
    record(session, realised, realised.loneliness, 45)
    package = package_of(client, realised.case)
    assert errors_of(validator, package) == []
    broken = json.loads(json.dumps(package))
    broken["releases"][3]["contracts"][0]["value"]["amount"] = "veel"
    assert errors_of(validator, broken) != []  # the schema is really applied, down into the releases
    tags = [release["tag"] for release in package["releases"]]
    assert tags == [["planning"], ["tender"], ["award"], ["contract"], ["implementation"], ["implementationUpdate"]]
    implementation = package["releases"][-1]["contracts"][0]["implementation"]
    titles = [m["title"] for m in implementation["milestones"]]
    assert "Aandeel eenzame 75-plussers" in titles and "Kosten per deelnemer" not in json.dumps(package)
    assert package["releases"][2]["awards"][0]["suppliers"][0]["name"] == "Lead van Samen Oud"
    assert all(r["ocid"] == f"ocds-tndrng-{realised.case.reference}" for r in package["releases"])
    dates = [r["date"] for r in package["releases"]]
    assert dates == sorted(dates) and len({r["id"] for r in package["releases"]}) == 6


def test_an_unpublished_case_has_no_open_data(client, make_case, session):
    case = make_case(state="articulation")
    assert client.get(f"/ocds/{case.id}.json").status_code == 404
    assert client.get(f"/ocds/{case.id}/record.json").status_code == 404
    assert client.get("/ocds/999999.json").status_code == 404
    assert client.get("/ocds/releases/nothing.json").status_code == 404
    assert session.exec(select(OcdsRelease)).all() == []


def test_publication_stores_planning_and_tender_at_that_moment(app, client, make_case, session, official, validator):
    case = make_case(state="tendering", budget_ceiling=500000)
    publish(app, session, case, official)
    stored = session.exec(select(OcdsRelease).where(OcdsRelease.case_id == case.id).order_by(OcdsRelease.id)).all()
    assert [r.tag for r in stored] == ["planning", "tender"]  # written by the publishing transaction itself
    package = package_of(client, case)
    assert errors_of(validator, package) == []
    planning, tender = package["releases"]
    assert tender["tender"]["status"] == "active"
    assert planning["planning"]["budget"]["amount"] == {"amount": 500000.0, "currency": "EUR"}
    assert [p["id"] for p in planning["parties"]] == ["buyer"]  # nobody has bid, let alone won
    assert "bids" not in json.dumps(package) and "awards" not in json.dumps(package)


def test_a_release_is_the_same_bytes_a_day_later_and_after_more_events(
    app, client, realised, session, official, monkeypatch
):
    publish(app, session, realised.case, official)
    record(session, realised, realised.loneliness, 45)
    first = package_of(client, realised.case)["releases"]
    fetched = {r["id"]: client.get(f"/ocds/releases/{r['id']}.json") for r in first}
    assert all(f.status_code == 200 and "immutable" in f.headers["Cache-Control"] for f in fetched.values())

    tomorrow = utcnow() + timedelta(days=1)
    monkeypatch.setattr(releases, "utcnow", lambda: tomorrow)
    record(session, realised, realised.volunteers, 130)  # the next day the coalition reports again
    again = package_of(client, realised.case)["releases"]
    assert [r["id"] for r in again[:6]] == list(fetched)
    assert all(client.get(f"/ocds/releases/{key}.json").data == f.data for key, f in fetched.items())
    assert [r["tag"] for r in again[6:]] == [["implementationUpdate"]]
    assert again[6]["date"] == tomorrow.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert package_of(client, realised.case)["releases"] == again  # reading stores nothing new


def test_the_award_adds_bids_and_a_tender_update_without_naming_the_losers(
    app, client, evaluated, session, official, validator, record_validator
):
    case, proposals, coalitions, members = evaluated
    publish(app, session, case, official)
    before = package_of(client, case)
    assert "bids" not in json.dumps(before) and "Coalitie" not in json.dumps(before)  # the box stays sealed
    awarded(app, evaluated, official)
    package = package_of(client, case)
    assert errors_of(validator, package) == []
    assert [r["tag"] for r in package["releases"]] == [["planning"], ["tender"], ["tenderUpdate"], ["award"]]
    assert package["releases"][1]["tender"]["status"] == "active"  # as it was at publication
    assert package["releases"][2]["tender"]["status"] == "complete"
    award = package["releases"][3]
    assert award["awards"][0]["status"] == "pending"  # standstill: no agreement yet
    bids = award["bids"]
    assert {s["measure"]: s["value"] for s in bids["statistics"]} == {"bids": 2, "validBids": 2, "disqualifiedBids": 0}
    winner = f"bid-{proposals[1].id}"
    assert award["awards"][0]["relatedBids"] == [winner]
    named = {d["id"]: [t["name"] for t in d.get("tenderers", [])] for d in bids["details"]}
    assert named == {f"bid-{proposals[0].id}": [], winner: ["Coalitie B"]}
    assert "Coalitie A" not in json.dumps(package)
    assert package["extensions"] == [
        "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.5/extension.json"
    ]

    compiled = client.get(f"/ocds/{case.id}/record.json").get_json()
    assert errors_of(record_validator, compiled) == []
    entry = compiled["records"][0]
    assert [r["tag"] for r in entry["releases"]] == [r["tag"] for r in package["releases"]]
    assert entry["compiledRelease"]["tender"]["status"] == "complete"
    assert entry["compiledRelease"]["tag"] == ["compiled"]
    assert len(entry["compiledRelease"]["bids"]["details"]) == 2


def test_an_amendment_is_a_tender_amendment(app, client, make_case, session, official):
    case = make_case(state="tendering")
    publish(app, session, case, official)
    with app.test_request_context():
        question_document.publish_amendment(session, case, actor=official, note="Deadline verschoven.")
    session.commit()
    tags = [r["tag"] for r in package_of(client, case)["releases"]]
    assert tags == [["planning"], ["tender"], ["tenderAmendment"]]
    documents = package_of(client, case)["releases"][-1]["tender"]["documents"]
    assert [d["url"].rsplit("?", 1)[-1] for d in documents] == ["version=1", "version=2"]


def test_every_document_linked_from_the_open_data_opens_without_login(app, client, realised, session, official):
    publish(app, session, realised.case, official)
    base = app.config["PUBLIC_URL"]
    package = package_of(client, realised.case)
    urls = [
        d["url"]
        for r in package["releases"]
        for part in [r.get("tender", {})] + r.get("contracts", [])
        for d in part.get("documents", [])
    ]
    assert any("/agreement" in u for u in urls) and any("/document?version=1" in u for u in urls)
    for url in urls:
        assert url.startswith(base)
        page = client.get("/" + url.removeprefix(base))
        assert page.status_code == 200, url
    agreement = client.get(f"/tenders/{realised.case.reference}/agreement").text
    assert "Aandeel eenzame 75-plussers" in agreement and "Kosten per deelnemer" not in agreement  # confidential
    assert "Public version" in agreement or "Openbare versie" in agreement
    pdf = client.get(f"/tenders/{realised.case.reference}/agreement.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert "Kosten per deelnemer" in as_(app, official).get(f"/cases/{realised.case.id}/agreement/document").text


def test_a_rolled_back_event_stores_no_release(app, make_case, session, official):
    case = make_case(state="tendering")
    with app.test_request_context():
        question_document.freeze(session, case, actor=official)
    session.flush()
    session.rollback()
    assert session.exec(select(OcdsRelease)).all() == []


def test_the_cli_and_the_bulk_download_write_the_same_releases(
    app, client, realised, session, official, validator, tmp_path
):
    publish(app, session, realised.case, official)
    target = tmp_path / "ocds.json"
    result = app.test_cli_runner().invoke(args=["export-ocds", "--output", str(target)])
    assert result.exit_code == 0, result.output
    exported = json.loads(target.read_text())
    assert errors_of(validator, exported) == [] and len(exported["releases"]) == 5
    bulk = client.get("/ocds/all.json").get_json()
    assert bulk["releases"] == exported["releases"] == package_of(client, realised.case)["releases"]


def _correct(session, realised, indicator, value):
    period = monitoring.periods(indicator.frequency, realised.agreement.starts_on, realised.agreement.ends_on)[0]
    reporting = measurements.Reporting(realised.coalition, realised.case, realised.agreement)
    reported = measurements.Reported(indicator, period.starts_on, value, "GGD", "", "Tikfout.")
    measurements.report(session, reporting, actor=realised.member, today=utcnow().date(), reported=reported)
    session.commit()


def test_a_value_corrected_and_corrected_back_within_a_second_is_three_releases(
    app, client, realised, session, official, monkeypatch
):
    publish(app, session, realised.case, official)
    second = utcnow().replace(microsecond=0) + timedelta(seconds=1)
    monkeypatch.setattr(releases, "utcnow", lambda: second)
    record(session, realised, realised.loneliness, 45)
    _correct(session, realised, realised.loneliness, 47)
    _correct(session, realised, realised.loneliness, 45)
    ids = [r["id"] for r in package_of(client, realised.case)["releases"] if r["id"].split("-")[-2] == "implementation"]
    assert [i.rsplit("-", 1)[-1] for i in ids] == ["1", "2", "3", "4"]  # numbered, none dropped as a duplicate
    compiled = client.get(f"/ocds/{realised.case.id}/record.json").get_json()["records"][0]["compiledRelease"]
    milestone = compiled["contracts"][0]["implementation"]["milestones"][0]
    assert "laatste waarde 45" in milestone["description"]


def test_a_new_round_is_a_new_process_and_its_drafts_stay_private(app, client, session, official, validator):
    question = journeys.Question(
        title="Gelukkig oud",
        question="Wie helpt ons om ouderen gelukkig oud te laten worden?",
        theme="Zorg",
        budget_ceiling=Decimal("500000"),
        outcome="Minder eenzaamheid.",
        stakeholders=["Ouderenbond", "Voedselbank", "Sport"],
    )
    with app.test_request_context():
        case = journeys.publish(session, official, question, min_partners=1)
        session.commit()
        case.submission_deadline = utcnow() - timedelta(seconds=1)  # nobody bid
        apply_due_steps(session, case)
        session.commit()
        reconsideration.record(session, case, actor=official, changes=["question"], note="Vraag verbreden.")
        fields = {k: getattr(case, k) for k in cases.CaseFields.__dataclass_fields__}
        draft = cases.CaseFields(**(fields | {"problem_analysis": "CONCEPT-INTERN: budget halveren"}))
        cases.edit_case(session, case, actor=official, fields=draft, expected_version=case.version)
        session.commit()
        fire(session, case, "rearticulate", actor=official, reason="Nieuwe ronde.")
        session.commit()
        first = package_of(client, case)
        assert [r["tag"] for r in first["releases"]] == [["planning"], ["tender"], ["tenderUpdate"]]
        assert first["releases"][-1]["tender"]["status"] == "unsuccessful"
        assert "CONCEPT-INTERN" not in json.dumps(first)  # typed after the round ended: a draft
        for trigger in ("assess", "decide_to_tender", "start_coalition_forming"):
            fire(session, case, trigger, actor=official)
        now = utcnow()
        tender_setup.set_procedure(
            session,
            case,
            actor=official,
            clarification_deadline=now + timedelta(days=7),
            submission_deadline=now + timedelta(days=30),
            min_partners=1,
        )
        fire(session, case, "publish", actor=official)
        session.commit()
    package = package_of(client, case)
    assert errors_of(validator, package) == []
    second = [r for r in package["releases"] if r["ocid"].endswith(f"{case.reference}-2")]
    assert [r["tag"] for r in second] == [["planning"], ["tender"]]
    assert second[0]["relatedProcesses"][0]["identifier"] == f"ocds-tndrng-{case.reference}"
    assert [(d["id"], d["documentType"]) for d in second[1]["tender"]["documents"]] == [
        ("question-document-2", "tenderNotice")
    ]
    records = client.get(f"/ocds/{case.id}/record.json").get_json()["records"]
    statuses = {r["ocid"]: r["compiledRelease"]["tender"]["status"] for r in records}
    assert statuses == {f"ocds-tndrng-{case.reference}": "unsuccessful", f"ocds-tndrng-{case.reference}-2": "active"}


def test_the_bulk_download_comes_in_linked_pages(app, client, make_case, session, official, monkeypatch):
    assert client.get("/ocds/all.json").status_code == 404  # nothing published: no (invalid, empty) package
    monkeypatch.setattr(releases, "PAGE", 3)
    for _ in range(2):
        publish(app, session, make_case(state="tendering"), official)
    first = client.get("/ocds/all.json").get_json()
    assert len(first["releases"]) == 3 and first["links"] == {"next": f"{app.config['PUBLIC_URL']}ocds/all.json?page=2"}
    second = client.get("/ocds/all.json?page=2").get_json()
    assert (
        len(second["releases"]) == 1 and "next" not in second["links"] and second["links"]["prev"].endswith("all.json")
    )
    assert client.get("/ocds/all.json?page=3").status_code == 404


def test_a_savepoint_rolled_back_takes_its_releases_along_and_no_more(app, make_case, session, official):
    case = make_case(state="tendering")
    with app.test_request_context():
        with session.begin_nested() as savepoint:
            question_document.freeze(session, case, actor=official)
            savepoint.rollback()
        session.commit()
        assert session.exec(select(OcdsRelease)).all() == []
        with session.begin_nested():
            question_document.freeze(session, case, actor=official)
        assert session.exec(select(OcdsRelease)).all() == []  # the savepoint is no commit
        session.commit()
    assert [r.tag for r in session.exec(select(OcdsRelease).order_by(OcdsRelease.id))] == ["planning", "tender"]
