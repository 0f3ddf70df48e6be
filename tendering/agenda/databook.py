"""The databook the council steers by: per ambition of an agenda, its city indicators described systematically
(definition, source, baseline, trend, norm in force and who agreed it, status, the planned value now), and the cases
and coalitions that contribute with the statuses of their agreed indicators.

A whole databook costs the same handful of queries whatever the number of ambitions, indicators, values and cases.
Confidential indicators (city or coalition) are in it only for who may see them.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from ..models import Agenda, Ambition, CityIndicator, CityNorm
from ..realisation import monitoring
from ..web import charts
from . import agendas, city_indicators, contributions


@dataclass(frozen=True)
class CityLine:
    indicator: CityIndicator
    values: list[tuple[date, float]]  # the values in force, oldest first
    norms: list[CityNorm]  # the agreement in force first
    status: monitoring.Status
    planned_now: float
    chart: charts.Chart

    @property
    def norm(self) -> CityNorm | None:
        return self.norms[0] if self.norms else None


@dataclass(frozen=True)
class AmbitionPart:
    ambition: Ambition
    lines: list[CityLine]
    contributions: list[contributions.Contribution]
    statuses: Counter  # the statuses of the contributing coalitions' indicators
    today: date

    def status_of(self, indicator) -> monitoring.Status:
        """A contributing coalition indicator's status as the monitor shows it today."""
        return monitoring.status_on(indicator, self.today)


def build(
    session: Session, agenda: Agenda, *, confidential: bool, today: date, ambition_id: int | None = None
) -> list[AmbitionPart]:
    """The databook of an agenda, or of one of its ambitions."""
    found = [a for a in agendas.ambitions_of(session, agenda) if ambition_id is None or a.id == ambition_id]
    ids = [a.id for a in found]
    indicators = city_indicators.of_ambitions(session, ids)
    if not confidential:
        indicators = {k: [i for i in v if not i.confidential] for k, v in indicators.items()}
    every = [i for rows in indicators.values() for i in rows]
    values = city_indicators.values_of(session, [i.id for i in every])
    norms = city_indicators.norms_of(session, [i.id for i in every])
    contributing = contributions.contributions(session, ids, confidential=confidential)
    parts = []
    for ambition in found:
        lines = []
        for indicator in indicators[ambition.id]:
            in_force = [(p, m.value) for p, m in sorted(values[indicator.id].items())]
            lines.append(
                CityLine(
                    indicator,
                    in_force,
                    norms[indicator.id],
                    monitoring.Status(indicator.assessed_status),
                    monitoring.planned(indicator, today),
                    charts.trend(indicator, in_force),
                )
            )
        statuses = Counter(monitoring.status_on(i, today) for c in contributing[ambition.id] for i in c.indicators)
        parts.append(AmbitionPart(ambition, lines, contributing[ambition.id], statuses, today))
    return parts
