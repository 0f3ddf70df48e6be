"""The agenda as open data: JSON valid against its schema, CSV tables as their data package describes them, and
only what the public may see, whoever downloads it."""

import csv
import io

from jsonschema import Draft202012Validator

from tendering.agenda import contributions
from tendering.models import Role
from tendering.open_data import agenda as open_agenda
from tendering.question import question_document

from .evaluation_helpers import as_


def _csv(client, path):
    response = client.get(path)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def _link(app, session, official, kept, realised, *, published):
    contributions.set_ambitions(session, realised.case, actor=official, ambition_ids=[kept["healthy"].id])
    realised.loneliness.city_indicator_id = kept["lonely"].id
    session.add(realised.loneliness)
    if published:
        with app.test_request_context():
            question_document.freeze(session, realised.case, actor=official)
    session.commit()


def test_the_json_follows_its_schema_and_holds_every_public_number(app, client, session, official, kept, realised):
    _link(app, session, official, kept, realised, published=True)
    schema = client.get("/open-data/agendas.schema.json").get_json()
    Draft202012Validator.check_schema(schema)
    document = client.get("/open-data/agendas.json").get_json()
    assert list(Draft202012Validator(schema).iter_errors(document)) == []
    [agenda] = document["agendas"]
    healthy = agenda["ambitions"][0]
    [lonely] = healthy["indicators"]  # the confidential one is left out
    assert lonely["name"] == "Ervaren eenzaamheid" and [v["value"] for v in lonely["values"]] == [12.5, 12.1, 11.4]
    assert lonely["baseline"] == {"value": 12.5, "date": "2022-01-01"} and lonely["direction"] == "lower_is_better"
    planned_2023 = lonely["values"][1]["planned"]
    assert 9 < planned_2023 < 12.5  # on the straight path from the baseline down to the target
    [contribution] = healthy["contributions"]
    assert contribution["caseReference"] == realised.case.reference
    names = [i["name"] for i in contribution["indicators"]]
    assert "Aandeel eenzame 75-plussers" in names and "Kosten per deelnemer" not in names
    linked = next(i for i in contribution["indicators"] if i["name"] == "Aandeel eenzame 75-plussers")
    assert linked["cityIndicatorId"] == kept["lonely"].id


def test_nothing_confidential_or_unpublished_reaches_the_open_data_whoever_asks(
    app, client, session, official, make_user, kept, realised
):
    _link(app, session, official, kept, realised, published=False)
    council = as_(app, make_user(Role.council_member))
    assert "Geheime wachtlijst" in council.get(f"/agenda/{kept['agenda'].id}/databook").text  # the council's own view
    for reader in (client, council, as_(app, official)):
        texts = [reader.get("/open-data/agendas.json").text]
        texts += [reader.get(f"/open-data/{name}.csv").data.decode("utf-8-sig") for name in open_agenda.TABLES]
        for text in texts:
            assert "Geheime wachtlijst" not in text and "Kosten per deelnemer" not in text
            assert realised.case.reference not in text  # linked, but not published


def test_the_tables_are_as_the_data_package_describes_them(app, client, session, official, kept, realised):
    _link(app, session, official, kept, realised, published=True)
    package = client.get("/open-data/datapackage.json").get_json()
    base = app.config["PUBLIC_URL"]
    tables = {r["name"]: r for r in package["resources"] if r.get("format") == "csv"}
    assert set(tables) == set(open_agenda.TABLES)
    for resource in tables.values():
        rows = _csv(client, "/" + resource["path"].removeprefix(base))
        fields = resource["schema"]["fields"]
        assert rows[0] == [f["name"] for f in fields]
        assert all(len(row) == len(fields) for row in rows[1:]) and all(f["description"] for f in fields)
        for row in rows[1:]:
            for field, cell in zip(fields, row, strict=True):
                if cell and field["type"] == "number":
                    float(cell)
                if cell and field["type"] == "integer":
                    int(cell)
    values = _csv(client, "/open-data/city-values.csv")
    assert [r[2] for r in values[1:] if r[0] == str(kept["lonely"].id)] == ["12.5", "12.1", "11.4"]
    assert all(str(kept["secret"].id) != r[0] for r in values[1:])
    json_resource = next(r for r in package["resources"] if r["name"] == "agendas")
    assert client.get("/" + json_resource["schema"].removeprefix(base)).status_code == 200
    assert client.get("/open-data/secrets.csv").status_code == 404
