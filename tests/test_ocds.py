"""Each published case as an OCDS 1.1 release package, valid against the official schema (kept offline in tests/data)."""

import json
from pathlib import Path

import pytest
from jsonschema import Draft4Validator
from referencing import Registry, Resource

from tendering.question import question_document

from .test_outcome_monitor import record

SCHEMAS = Path(__file__).parent / "data" / "ocds"


@pytest.fixture(scope="module")
def validator():
    package = json.loads((SCHEMAS / "release-package-schema.json").read_text())
    release = json.loads((SCHEMAS / "release-schema.json").read_text())
    registry = Registry().with_resource(release["id"], Resource.from_contents(release, default_specification=_draft4()))
    return Draft4Validator(package, registry=registry)


def _draft4():
    from referencing.jsonschema import DRAFT4

    return DRAFT4


def errors_of(validator, document):
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]


def test_a_case_in_realisation_exports_every_stage_and_validates(app, client, realised, session, official, validator):
    with app.test_request_context():
        question_document.freeze(session, realised.case, actor=official)
    session.commit()
    record(session, realised, realised.loneliness, 45)
    package = client.get(f"/ocds/{realised.case.id}.json").get_json()
    assert errors_of(validator, package) == []
    broken = json.loads(json.dumps(package))
    broken["releases"][3]["contracts"][0]["value"]["amount"] = "veel"
    assert errors_of(validator, broken) != []  # the schema is really applied, down into the releases
    tags = [release["tag"] for release in package["releases"]]
    assert tags == [["planning"], ["tender"], ["award"], ["contract"], ["implementation"]]
    implementation = package["releases"][-1]["contracts"][0]["implementation"]
    titles = [m["title"] for m in implementation["milestones"]]
    assert "Aandeel eenzame 75-plussers" in titles and "Kosten per deelnemer" not in titles  # nothing confidential
    assert package["releases"][2]["awards"][0]["suppliers"][0]["name"] == "Lead van Samen Oud"
    assert all(r["ocid"] == f"ocds-tndrng-{realised.case.reference}" for r in package["releases"])


def test_an_unpublished_case_has_no_open_data(client, make_case):
    case = make_case(state="articulation")
    assert client.get(f"/ocds/{case.id}.json").status_code == 404
    assert client.get("/ocds/999999.json").status_code == 404


def test_a_published_tender_exports_planning_and_tender_only(app, client, make_case, session, official, validator):
    case = make_case(state="tendering", budget_ceiling=500000)
    with app.test_request_context():
        question_document.freeze(session, case, actor=official)
    session.commit()
    package = client.get(f"/ocds/{case.id}.json").get_json()
    assert errors_of(validator, package) == []
    assert [r["tag"] for r in package["releases"]] == [["planning"], ["tender"]]
    assert package["releases"][1]["tender"]["status"] == "active"
    assert package["releases"][0]["planning"]["budget"]["amount"] == {"amount": 500000.0, "currency": "EUR"}


def test_the_cli_writes_the_same_package(app, realised, session, official, validator, tmp_path):
    with app.test_request_context():
        question_document.freeze(session, realised.case, actor=official)
    session.commit()
    target = tmp_path / "ocds.json"
    result = app.test_cli_runner().invoke(args=["export-ocds", "--output", str(target)])
    assert result.exit_code == 0, result.output
    package = json.loads(target.read_text())
    assert errors_of(validator, package) == [] and len(package["releases"]) == 5
