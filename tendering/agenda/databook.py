"""The databook the council steers by: per ambition of an agenda, its city indicators described systematically
(definition, source, baseline, trend, norm in force and who agreed it, status, the planned value now), and the cases
and coalitions that contribute with the statuses of their agreed indicators: those linked to one of the ambition's
city indicators, and apart from them those linked to no city indicator yet (a link still to make, or an outcome the
city does not measure). An indicator linked to a city indicator of another ambition is shown under that one.

A whole databook costs the same handful of queries whatever the number of ambitions, indicators, values and cases.
Confidential indicators (city or coalition) are in it only for who may see them.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlmodel import Session, select

from ..models import Agenda, Agreement, Ambition, Case, CityIndicator, CityNorm, Coalition, Indicator
from ..realisation import monitoring, outcome_monitor
from ..web import charts, tabular
from . import agendas, city_indicators, contributions


@dataclass(frozen=True)
class CityLine:
    indicator: CityIndicator
    values: list[tuple[date, float]]  # the values in force, oldest first
    norms: list[CityNorm]  # the agreement in force first
    status: monitoring.Status
    planned_now: float
    chart: charts.Chart | None  # None where the page draws no chart (the agenda's overview)

    @property
    def norm(self) -> CityNorm | None:
        return self.norms[0] if self.norms else None


@dataclass(frozen=True)
class AmbitionPart:
    ambition: Ambition
    lines: list[CityLine]
    contributions: list[contributions.Contribution]
    statuses: Counter  # the statuses of the coalitions' indicators linked to the ambition's city indicators
    today: date

    def status_of(self, indicator) -> monitoring.Status:
        """A contributing coalition indicator's status as the monitor shows it today."""
        return monitoring.status_on(indicator, self.today)

    def unlinked_statuses(self, contribution: contributions.Contribution) -> list[tuple[monitoring.Status, int]]:
        """How many of a contribution's indicators linked to no city indicator have each status: counted, not
        listed, so that a case with many indicators does not fill the databook (its monitor lists them)."""
        counts = Counter(self.status_of(i) for i in contribution.unlinked)
        return [(status, counts[status]) for status in monitoring.Status if counts[status]]

    def city_name(self, indicator) -> str:
        """The name of the city indicator a coalition indicator contributes to, where the reader may see it."""
        return next(
            (line.indicator.name for line in self.lines if line.indicator.id == indicator.city_indicator_id), ""
        )


def build(
    session: Session,
    agenda: Agenda,
    *,
    confidential: bool,
    today: date,
    ambition_id: int | None = None,
    with_charts: bool = True,
) -> list[AmbitionPart]:
    """The databook of an agenda, or of one of its ambitions."""
    found = [a for a in agendas.ambitions_of(session, agenda) if ambition_id is None or a.id == ambition_id]
    return parts_of(session, found, confidential=confidential, today=today, with_charts=with_charts)


def parts_of(
    session: Session, found: list[Ambition], *, confidential: bool, today: date, with_charts: bool
) -> list[AmbitionPart]:
    """The databook's part of each ambition given (of one agenda or of several), in the same queries."""
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
                    charts.trend(indicator, in_force) if with_charts else None,
                )
            )
        statuses = Counter(monitoring.status_on(i, today) for c in contributing[ambition.id] for i in c.linked)
        parts.append(AmbitionPart(ambition, lines, contributing[ambition.id], statuses, today))
    return parts


def indicators_of_agenda(session: Session, agenda: Agenda) -> list[CityIndicator]:
    """Every city indicator of an agenda, in the order of its ambitions, in two queries."""
    ambitions = agendas.ambitions_of(session, agenda)
    found = city_indicators.of_ambitions(session, [a.id for a in ambitions])
    return [i for a in ambitions for i in found[a.id]]


@dataclass(frozen=True)
class Contributor:
    """A coalition's agreed indicator that contributes to a city indicator, with its case and status today."""

    indicator: Indicator
    case: Case
    coalition: str
    status: monitoring.Status


def contributing_to(session: Session, city: CityIndicator, *, confidential: bool, today: date) -> list[Contributor]:
    """The agreed indicators linked to a city indicator, with their case and coalition, in one query."""
    query = (
        select(Indicator, Case, Coalition.name)
        .join(Agreement, Agreement.id == Indicator.agreement_id)
        .join(Case, Case.id == Agreement.case_id)
        .join(Coalition, Coalition.id == Agreement.coalition_id)
        .where(Indicator.city_indicator_id == city.id, Agreement.concluded_at.is_not(None))
        .order_by(Case.reference, Indicator.id)
    )
    if not confidential:
        query = query.where(Indicator.confidential.is_(False))
    return [Contributor(i, c, name, monitoring.status_on(i, today)) for i, c, name in session.exec(query).all()]


def table(parts: list[AmbitionPart], *, confidential: bool) -> tuple[list[str], list[list]]:
    """Every number of the databook as one table: a row per value of each city indicator (with the norm in force and
    the planned value of its period), and a row per contributing coalition indicator with its latest value and the
    city indicator it contributes to."""
    header = [
        _("Ambition"),
        _("Kind"),
        _("Case"),
        _("Coalition"),
        _("Indicator"),
        _("Contributes to"),
        _("Unit"),
        _("Direction"),
        _("Data source"),
        _("Baseline"),
        _("Baseline date"),
        _("Target"),
        _("Target date"),
        _("Norm: at risk from"),
        _("Norm: off track from"),
        _("Norms agreed on"),
        _("Agreed with"),
        _("Period from"),
        _("Value"),
        _("Planned value"),
        _("Status"),
    ] + outcome_monitor.confidential_column(confidential)
    rows = []
    for part in parts:
        for line in part.lines:
            city, norm = line.indicator, line.norm
            common = [part.ambition.title, _("City indicator"), "", "", city.name, "", city.unit, city.direction.value]
            common += [city.data_source, city.baseline_value, city.baseline_date, city.target_value, city.target_date]
            common += [city.norm_at_risk, city.norm_off_track]
            common += [norm.agreed_on if norm else "", norm.partners.replace("\n", "; ") if norm else ""]
            status = str(monitoring.STATUS_LABELS[line.status])
            for period, value in line.values or [("", "")]:
                planned = city_indicators.planned_for(city, period) if period else ""
                rows.append(
                    tabular.plain(
                        common
                        + [period, value, planned, status]
                        + outcome_monitor.confidential_cell(city, confidential)
                    )
                )
        for contribution in part.contributions:
            for indicator in contribution.indicators:
                kind = (
                    _("Coalition indicator")
                    if indicator.city_indicator_id is not None
                    else _("Coalition indicator, not linked to a city indicator")
                )
                rows.append(
                    tabular.plain(
                        [part.ambition.title, kind, contribution.case.reference, contribution.coalition]
                        + [indicator.name, part.city_name(indicator), indicator.unit, indicator.direction.value]
                        + [indicator.data_source, indicator.baseline_value, indicator.baseline_date]
                        + [indicator.target_value, indicator.target_date]
                        + [indicator.norm_at_risk, indicator.norm_off_track, "", ""]
                        + [indicator.latest_period, indicator.latest_value]
                        + [monitoring.planned(indicator, indicator.latest_period) if indicator.latest_period else ""]
                        + [str(monitoring.STATUS_LABELS[part.status_of(indicator)])]
                        + outcome_monitor.confidential_cell(indicator, confidential)
                    )
                )
    return header, rows
