"""The Maatschappelijke Agenda as open data: every agenda with its ambitions, city indicators (definition, source,
baseline, target, norms and who agreed them, every value in force with the planned value of its period, status)
and the published cases and coalition indicators that contribute, as JSON (described by a JSON Schema) and as CSV
tables (described by a Frictionless Data Package).

Only what the public sees on the databook: no confidential indicator, no case before its publication. Field names
are stable English identifiers for machines; the descriptions in the schemas say what each means.
"""

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flask import current_app
from sqlmodel import Session, select

from ..agenda import agendas, city_indicators, databook
from ..models import Agenda, Ambition
from ..web import tabular

SCHEMA = Path(__file__).parent / "schema" / "agendas.schema.json"
LICENSE = "https://creativecommons.org/publicdomain/zero/1.0/"


@dataclass(frozen=True)
class OpenAgenda:
    agenda: Agenda
    parts: list[databook.AmbitionPart]


def gather(session: Session, today: date) -> list[OpenAgenda]:
    """Every agenda with the public part of its databook, in the databook's queries whatever their number."""
    found = agendas.agendas(session)
    ambitions = session.exec(select(Ambition).order_by(Ambition.agenda_id, Ambition.position, Ambition.id)).all()
    parts = databook.parts_of(session, list(ambitions), confidential=False, today=today, with_charts=False)
    by_agenda: dict[int, list[databook.AmbitionPart]] = {a.id: [] for a in found}
    for part in parts:
        by_agenda[part.ambition.agenda_id].append(part)
    return [OpenAgenda(a, by_agenda[a.id]) for a in found]


def _url(path: str) -> str:
    return current_app.config["PUBLIC_URL"] + path


def _indicator(line: databook.CityLine) -> dict:
    city = line.indicator
    return {
        "id": city.id,
        "name": city.name,
        "definition": city.definition,
        "unit": city.unit,
        "direction": city.direction.value,
        "dataSource": city.data_source,
        "measuredBy": city.measured_by,
        "frequency": city.frequency,
        "baseline": {"value": city.baseline_value, "date": city.baseline_date.isoformat()},
        "target": {"value": city.target_value, "date": city.target_date.isoformat()},
        "norm": {"atRisk": city.norm_at_risk, "offTrack": city.norm_off_track},
        "normAgreements": [
            {
                "agreedOn": n.agreed_on.isoformat(),
                "partners": [p.strip() for p in n.partners.splitlines() if p.strip()],
                "atRisk": n.norm_at_risk,
                "offTrack": n.norm_off_track,
                "note": n.note,
            }
            for n in line.norms
        ],
        "status": line.status.value,
        "values": [
            {"period": period.isoformat(), "value": value, "planned": city_indicators.planned_for(city, period)}
            for period, value in line.values
        ],
        "url": _url(f"agenda/indicators/{city.id}"),
    }


def _contribution(part: databook.AmbitionPart, contribution) -> dict:
    case = contribution.case
    return {
        "caseReference": case.reference,
        "caseTitle": case.title,
        "caseUrl": _url(f"tenders/{case.reference}"),
        "coalition": contribution.coalition,
        "indicators": [
            {
                "name": i.name,
                "unit": i.unit,
                "cityIndicatorId": i.city_indicator_id if part.city_name(i) else None,
                "latestPeriod": i.latest_period.isoformat() if i.latest_period else None,
                "latestValue": i.latest_value,
                "status": part.status_of(i).value,
            }
            for i in contribution.indicators
        ],
    }


def document(found: list[OpenAgenda]) -> dict:
    """The JSON document described by `agendas.schema.json`."""
    return {
        "publisher": current_app.config["MUNICIPALITY_NAME"],
        "license": LICENSE,
        "schema": _url("open-data/agendas.schema.json"),
        "agendas": [
            {
                "id": item.agenda.id,
                "title": item.agenda.title,
                "startsOn": item.agenda.starts_on.isoformat(),
                "endsOn": item.agenda.ends_on.isoformat(),
                "councilDecision": item.agenda.council_decision,
                "decidedOn": item.agenda.decided_on.isoformat() if item.agenda.decided_on else None,
                "previousId": item.agenda.previous_id,
                "url": _url(f"agenda/{item.agenda.id}"),
                "ambitions": [
                    {
                        "id": part.ambition.id,
                        "title": part.ambition.title,
                        "description": part.ambition.description,
                        "url": _url(f"agenda/ambitions/{part.ambition.id}"),
                        "indicators": [_indicator(line) for line in part.lines],
                        "contributions": [_contribution(part, c) for c in part.contributions],
                    }
                    for part in item.parts
                ],
            }
            for item in found
        ],
    }


def schema() -> str:
    return SCHEMA.read_text(encoding="utf-8")


# The CSV tables, each described field by field in the data package: (name, type, description).
INDICATOR_FIELDS = [
    ("agenda_id", "integer", "The agenda's identifier."),
    ("agenda", "string", "The agenda's title."),
    ("ambition_id", "integer", "The ambition's identifier."),
    ("ambition", "string", "The ambition's title."),
    ("indicator_id", "integer", "The city indicator's identifier, as in city-values.csv."),
    ("indicator", "string", "The city indicator's name."),
    ("definition", "string", "What is measured, and how."),
    ("unit", "string", "The unit of the values."),
    ("direction", "string", "higher_is_better or lower_is_better."),
    ("data_source", "string", "Where the values come from."),
    ("measured_by", "string", "Who measures."),
    ("frequency", "string", "How often a value is reported: monthly, quarterly, half_yearly or yearly."),
    ("baseline_value", "number", "The baseline (0-meting)."),
    ("baseline_date", "date", "The date of the baseline."),
    ("target_value", "number", "The value aimed for."),
    ("target_date", "date", "The date by which the target should be reached."),
    ("norm_at_risk", "number", "A value at or past this norm is at risk (empty: no such norm)."),
    ("norm_off_track", "number", "A value at or past this norm is off track (empty: no such norm)."),
    ("norm_agreed_on", "date", "When the norms in force were agreed."),
    ("norm_agreed_with", "string", "The partners that agreed the norms in force, separated by semicolons."),
    ("status", "string", "on_track, at_risk, off_track or no_data, for the latest value."),
]
VALUE_FIELDS = [
    ("indicator_id", "integer", "The city indicator, as in city-indicators.csv."),
    ("period", "date", "The first day of the period the value covers."),
    ("value", "number", "The value in force for the period (corrections replace earlier values)."),
    ("planned_value", "number", "The value the planned path from baseline to target expects at the period's end."),
]
CONTRIBUTION_FIELDS = [
    ("ambition_id", "integer", "The ambition the case is linked to."),
    ("case_reference", "string", "The case's reference."),
    ("case_title", "string", "The case's title."),
    ("coalition", "string", "The coalition of the concluded agreement (empty before one is concluded)."),
    ("indicator", "string", "An agreed outcome indicator of the coalition (empty: none agreed yet)."),
    ("city_indicator_id", "integer", "The city indicator it contributes to (empty: none named)."),
    ("latest_period", "date", "The period of its latest value."),
    ("latest_value", "number", "Its latest value."),
    ("status", "string", "on_track, at_risk, off_track or no_data."),
]
TABLES = {
    "city-indicators": ("City indicators of every ambition, with their norms in force.", INDICATOR_FIELDS),
    "city-values": ("Every value in force of every city indicator.", VALUE_FIELDS),
    "contributions": ("The published cases linked to each ambition and their agreed indicators.", CONTRIBUTION_FIELDS),
}


def rows(found: list[OpenAgenda], table: str) -> list[list]:
    """The rows of one CSV table, in the order of its fields."""
    parts = [(item.agenda, part) for item in found for part in item.parts]
    if table == "city-indicators":
        return [_indicator_row(agenda, part, line) for agenda, part in parts for line in part.lines]
    if table == "city-values":
        return [
            [line.indicator.id, period, value, city_indicators.planned_for(line.indicator, period)]
            for _agenda, part in parts
            for line in part.lines
            for period, value in line.values
        ]
    return [
        [part.ambition.id, c.case.reference, c.case.title, c.coalition, *_indicator_cells(part, i)]
        for _agenda, part in parts
        for c in part.contributions
        for i in c.indicators or [None]
    ]


def _indicator_row(agenda: Agenda, part: databook.AmbitionPart, line: databook.CityLine) -> list:
    city, norm = line.indicator, line.norm
    return [
        agenda.id, agenda.title, part.ambition.id, part.ambition.title, city.id, city.name, city.definition,
        city.unit, city.direction.value, city.data_source, city.measured_by, city.frequency,
        city.baseline_value, city.baseline_date, city.target_value, city.target_date,
        city.norm_at_risk, city.norm_off_track,
        norm.agreed_on if norm else None,
        "; ".join(p.strip() for p in norm.partners.splitlines() if p.strip()) if norm else "",
        line.status.value,
    ]  # fmt: skip


def _indicator_cells(part: databook.AmbitionPart, indicator) -> list:
    if indicator is None:
        return ["", None, None, None, ""]
    return [
        indicator.name,
        indicator.city_indicator_id if part.city_name(indicator) else None,
        indicator.latest_period,
        indicator.latest_value,
        part.status_of(indicator).value,
    ]


def to_csv(found: list[OpenAgenda], table: str) -> bytes:
    """One table in the app's CSV dialect (UTF-8, every text quoted, nothing a spreadsheet runs as a formula)."""
    header = [name for name, _type, _description in TABLES[table][1]]
    return tabular.to_csv(header, [tabular.plain(row) for row in rows(found, table)])


def datapackage() -> dict:
    """A Frictionless Data Package that describes the CSV tables and the JSON document."""
    return {
        "profile": "tabular-data-package",
        "name": "maatschappelijke-agenda",
        "title": f"Maatschappelijke Agenda — {current_app.config['MUNICIPALITY_NAME']}",
        "licenses": [{"name": "CC0-1.0", "path": LICENSE}],
        "resources": [
            {
                "name": name,
                "path": _url(f"open-data/{name}.csv"),
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "description": description,
                "schema": {
                    "fields": [{"name": field, "type": kind, "description": text} for field, kind, text in fields]
                },
            }
            for name, (description, fields) in TABLES.items()
        ]
        + [
            {
                "name": "agendas",
                "path": _url("open-data/agendas.json"),
                "format": "json",
                "mediatype": "application/json",
                "description": "The same, as one JSON document.",
                "schema": _url("open-data/agendas.schema.json"),
            }
        ],
    }


def as_json(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1)
