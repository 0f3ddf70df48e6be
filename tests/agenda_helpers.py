"""An agenda with ambitions and city indicators, for the agenda's tests and its browser journey."""

from dataclasses import replace
from datetime import date

import pytest

from tendering.agenda import agendas, city_indicators
from tendering.models import Direction

TODAY = date.today()


def indicator_fields(**changes) -> city_indicators.CityIndicatorFields:
    """A city indicator's fields as an official fills them in, with `changes`."""
    return replace(
        city_indicators.CityIndicatorFields(
            name="Ervaren eenzaamheid",
            definition="Aandeel inwoners dat zich ernstig eenzaam voelt.",
            unit="%",
            direction=Direction.lower_is_better,
            data_source="GGD Gezondheidsmonitor",
            measured_by="Team Onderzoek",
            baseline_value=12.5,
            baseline_date=date(2022, 1, 1),
            target_value=9,
            target_date=date(2030, 1, 1),
        ),
        **changes,
    )


@pytest.fixture
def kept(app, session, official):
    """An agenda with two ambitions, the first with a public and a confidential city indicator with values."""
    agenda = agendas.create(
        session,
        actor=official,
        fields=agendas.AgendaFields("Maatschappelijke Agenda 2026-2030", date(2026, 1, 1), date(2030, 12, 31)),
    )
    healthy = agendas.add_ambition(
        session, agenda, actor=official, fields=agendas.AmbitionFields("Inwoners zijn gezond en hebben regie")
    )
    safe = agendas.add_ambition(
        session, agenda, actor=official, fields=agendas.AmbitionFields("Inwoners leven in een veilige omgeving")
    )
    fields = indicator_fields()
    lonely = city_indicators.add(session, healthy, actor=official, fields=fields)
    secret = city_indicators.add(
        session,
        healthy,
        actor=official,
        fields=indicator_fields(name="Geheime wachtlijst", confidential=True),
    )
    for indicator, values in ((lonely, (12.5, 12.1, 11.4)), (secret, (300, 280, 250))):
        for year, value in zip((2022, 2023, 2024), values, strict=True):
            city_indicators.report(
                session,
                city_indicators.CityValue(indicator, date(year, 1, 1), value, "GGD"),
                actor=official,
                today=TODAY,
            )
    session.commit()
    return {"agenda": agenda, "healthy": healthy, "safe": safe, "lonely": lonely, "secret": secret}
