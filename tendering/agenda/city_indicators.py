"""City-wide outcome indicators of an ambition: described systematically (definition, unit, direction, data source,
baseline, target), with norms agreed with partners and values reported by the municipality itself.

Values follow the coalitions' rules: one value in force per period, a correction is a new row with its reason, and a
file of many values is imported only when every row is valid. The status is computed by the same rules as for the
coalitions' indicators (`realisation/monitoring.judge`), on the latest value against the norms and the planned path.
"""

import math
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from .. import access
from ..core import audit
from ..core.errors import DomainError, NotFound
from ..models import Ambition, CityIndicator, CityMeasurement, CityNorm, Direction, User
from ..realisation import agreement as agreements
from ..realisation import measurements as coalition_values
from ..realisation import monitoring
from . import agendas

MAX_PARTNERS = 5000


@dataclass
class CityIndicatorFields:
    name: str
    definition: str
    unit: str
    direction: Direction
    data_source: str
    measured_by: str
    baseline_value: float
    baseline_date: date
    target_value: float
    target_date: date
    frequency: str = "yearly"
    confidential: bool = False


@dataclass(frozen=True)
class CityValue:
    """One value to store: the period's first day, the number, its source, a note, and a reason when it corrects."""

    indicator: CityIndicator
    period: date
    value: float
    source: str = ""
    note: str = ""
    reason: str = ""


def get(session: Session, indicator_id: int) -> CityIndicator:
    found = session.get(CityIndicator, indicator_id)
    if found is None:
        raise NotFound(_("This indicator does not exist."))
    return found


def of_ambitions(session: Session, ambition_ids: list[int]) -> dict[int, list[CityIndicator]]:
    """The indicators of each ambition, in their order, in one query."""
    found: dict[int, list[CityIndicator]] = {i: [] for i in ambition_ids}
    if ambition_ids:
        for row in session.exec(
            select(CityIndicator)
            .where(CityIndicator.ambition_id.in_(ambition_ids))
            .order_by(CityIndicator.position, CityIndicator.id)
        ).all():
            found[row.ambition_id].append(row)
    return found


def _check(fields: CityIndicatorFields) -> dict:
    if not fields.name.strip() or not fields.definition.strip():
        raise DomainError(_("An indicator needs a name and a definition."))
    if fields.target_date <= fields.baseline_date:
        raise DomainError(_("The target date must come after the baseline date."))
    if fields.frequency not in agreements.FREQUENCIES:
        raise DomainError(_("Choose how often the indicator is measured."))
    if not fields.measured_by.strip() or not fields.data_source.strip():
        raise DomainError(_("Say who measures the indicator and from which data source."))
    if not all(math.isfinite(v) for v in (fields.baseline_value, fields.target_value)):
        raise DomainError(_("Not a valid number."))
    return vars(fields) | {
        "name": fields.name.strip(),
        "definition": fields.definition.strip(),
        "unit": fields.unit.strip(),
        "data_source": fields.data_source.strip(),
        "measured_by": fields.measured_by.strip(),
    }


def _require_latest(session: Session, ambition_id: int) -> None:
    """The indicators of an agenda that a newer one followed are kept as they were (`agendas.require_latest`)."""
    agendas.require_latest(session, agendas.get(session, session.get(Ambition, ambition_id).agenda_id))


def add(session: Session, found: Ambition, *, actor: User, fields: CityIndicatorFields) -> CityIndicator:
    access.require(session, access.Capability.manage_agenda, actor)
    _require_latest(session, found.id)
    last = session.exec(
        select(CityIndicator.position)
        .where(CityIndicator.ambition_id == found.id)
        .order_by(CityIndicator.position.desc())
    ).first()
    indicator = CityIndicator(**_check(fields), ambition_id=found.id, position=(last or 0) + 1)
    session.add(indicator)
    session.flush()
    audit.record(
        session,
        action="city_indicator_added",
        actor=actor,
        details={"ambition_id": found.id, "indicator_id": indicator.id, "name": indicator.name},
    )
    return indicator


def change(session: Session, indicator: CityIndicator, *, actor: User, fields: CityIndicatorFields) -> CityIndicator:
    access.require(session, access.Capability.manage_agenda, actor)
    _require_latest(session, indicator.ambition_id)
    values = _check(fields)
    agreements.check_norms(values["direction"], indicator.norm_at_risk, indicator.norm_off_track)
    for name, value in values.items():
        setattr(indicator, name, value)
    refresh(session, [indicator])
    audit.record(session, action="city_indicator_changed", actor=actor, details={"indicator_id": indicator.id})
    return indicator


# Norms agreed with partners ---------------------------------------------------------------------------------------


def agree_norms(
    session: Session,
    indicator: CityIndicator,
    *,
    actor: User,
    at_risk: float | None,
    off_track: float | None,
    agreed_on: date,
    partners: str,
    note: str = "",
    today: date,
) -> CityNorm:
    """Record the norms as agreed with partners on a date; the latest agreement is in force."""
    access.require(session, access.Capability.manage_agenda, actor)
    _require_latest(session, indicator.ambition_id)
    if at_risk is None and off_track is None:
        raise DomainError(_("Give at least one norm."))
    if not all(math.isfinite(v) for v in (at_risk, off_track) if v is not None):
        raise DomainError(_("Not a valid number."))
    agreements.check_norms(indicator.direction, at_risk, off_track)
    if agreed_on > today:
        raise DomainError(_("Norms are recorded once they are agreed: the date lies in the future."))
    names = [line.strip() for line in (partners or "").splitlines() if line.strip()]
    if not names:
        raise DomainError(_("Name the partners that agreed on the norms, one per line."))
    if len(partners) > MAX_PARTNERS or len(note or "") > MAX_PARTNERS:
        raise DomainError(_("The text is too long."))
    norm = CityNorm(
        indicator_id=indicator.id,
        norm_at_risk=at_risk,
        norm_off_track=off_track,
        agreed_on=agreed_on,
        partners="\n".join(names),
        note=(note or "").strip(),
        recorded_by_id=actor.id,
    )
    session.add(norm)
    session.flush()
    in_force = norms_of(session, [indicator.id])[indicator.id][0]
    indicator.norm_at_risk, indicator.norm_off_track = in_force.norm_at_risk, in_force.norm_off_track
    refresh(session, [indicator])
    audit.record(
        session,
        action="city_norms_agreed",
        actor=actor,
        details={"indicator_id": indicator.id, "at_risk": at_risk, "off_track": off_track, "partners": names},
    )
    return norm


def norms_of(session: Session, indicator_ids: list[int]) -> dict[int, list[CityNorm]]:
    """Each indicator's agreements on norms, the one in force first, in one query."""
    found: dict[int, list[CityNorm]] = {i: [] for i in indicator_ids}
    if indicator_ids:
        for row in session.exec(
            select(CityNorm)
            .where(CityNorm.indicator_id.in_(indicator_ids))
            .order_by(CityNorm.agreed_on.desc(), CityNorm.id.desc())
        ).all():
            found[row.indicator_id].append(row)
    return found


# Values -------------------------------------------------------------------------------------------------------------


def values_of(session: Session, indicator_ids: list[int]) -> dict[int, dict[date, CityMeasurement]]:
    """The values in force (not corrected since) per indicator and period, in one query."""
    found: dict[int, dict[date, CityMeasurement]] = {i: {} for i in indicator_ids}
    if not indicator_ids:
        return found
    newer = aliased(CityMeasurement)
    corrected = select(newer.id).where(newer.supersedes_id == CityMeasurement.id).exists()
    for row in session.exec(
        select(CityMeasurement)
        .where(CityMeasurement.indicator_id.in_(indicator_ids), ~corrected)
        .order_by(CityMeasurement.indicator_id, CityMeasurement.period)
    ).all():
        found[row.indicator_id][row.period] = row
    return found


def period_of(indicator: CityIndicator, starts_on: date) -> monitoring.Period:
    """The period a city value covers: from its first day, as long as the indicator's frequency."""
    return monitoring.Period(starts_on, monitoring.add_months(starts_on, monitoring.MONTHS[indicator.frequency]))


def planned_for(indicator: CityIndicator, starts_on: date) -> float:
    """What the plan expects of the value of the period from `starts_on`: the path at the period's end, which its
    status is judged against."""
    return monitoring.planned_for(indicator, period_of(indicator, starts_on))


def refresh(session: Session, indicators: list[CityIndicator]) -> None:
    """Recompute the summary columns (latest value and status) after values or norms changed."""
    values = values_of(session, [i.id for i in indicators])
    for indicator in indicators:
        in_force = values[indicator.id]
        if in_force:
            latest = max(in_force)
            indicator.latest_value, indicator.latest_period = in_force[latest].value, latest
            indicator.assessed_status = monitoring.judge(
                indicator, in_force[latest].value, period_of(indicator, latest)
            )
        else:
            indicator.latest_value = indicator.latest_period = None
            indicator.assessed_status = monitoring.Status.no_data
        session.add(indicator)


def _problem(value: CityValue, current: CityMeasurement | None, today: date) -> str | None:
    if value.period > today:
        return _("A value can only be reported for a period that has started.")
    if value.period < date(1900, 1, 1):
        return _("Not a valid date.")
    if not math.isfinite(value.value):
        return _("Not a valid number.")
    if current is not None and not value.reason.strip():
        return _("This period already has a value: give the reason for the correction.")
    wrong = coalition_values.text_problem(
        coalition_values.Reported(value.indicator, value.period, value.value, value.source, value.note, value.reason)
    )
    return wrong[1] if wrong else None


def report(session: Session, value: CityValue, *, actor: User, today: date) -> CityMeasurement:
    """Store a period's value, or correct it while keeping the earlier one."""
    access.require(session, access.Capability.manage_agenda, actor)
    _require_latest(session, value.indicator.ambition_id)
    current = values_of(session, [value.indicator.id])[value.indicator.id].get(value.period)
    if problem := _problem(value, current, today):
        raise DomainError(problem)
    stored = _stored(value, current, actor)
    try:
        with session.begin_nested():
            session.add(stored)
    except IntegrityError:
        raise coalition_values.ChangedMeanwhile() from None
    refresh(session, [value.indicator])
    audit.record(
        session,
        action="city_value_corrected" if current else "city_value_reported",
        actor=actor,
        reason=stored.correction_reason,
        details={"indicator_id": value.indicator.id, "period": value.period.isoformat(), "value": value.value},
    )
    return stored


def _stored(value: CityValue, current: CityMeasurement | None, actor: User) -> CityMeasurement:
    return CityMeasurement(
        indicator_id=value.indicator.id,
        period=value.period,
        value=value.value,
        source=value.source.strip(),
        note=value.note.strip(),
        reported_by_id=actor.id,
        supersedes_id=current.id if current else None,
        correction_reason=value.reason.strip() if current else "",
    )


def history(session: Session, indicator: CityIndicator) -> list[coalition_values.HistoryRow]:
    """Every value ever given, newest period first, corrections under what they replaced."""
    rows = session.exec(
        select(CityMeasurement, User)
        .join(User, User.id == CityMeasurement.reported_by_id)
        .where(CityMeasurement.indicator_id == indicator.id)
        .order_by(CityMeasurement.period.desc(), CityMeasurement.reported_at.desc(), CityMeasurement.id.desc())
    ).all()
    superseded = {m.supersedes_id for m, _u in rows if m.supersedes_id}
    return [coalition_values.HistoryRow(m, u, m.id not in superseded) for m, u in rows]


# Many values from a file --------------------------------------------------------------------------------------------


def check_file(
    session: Session, indicators: list[CityIndicator], rows: list[list[str]], today: date
) -> list[CityValue]:
    """Every row checked as the coalitions' files are: the values when all are valid, else ImportRefused."""
    parsed, errors = coalition_values.parse_rows(
        rows, coalition_values.keyed(indicators), _("No indicator of this agenda has this number or name.")
    )
    current = values_of(session, [i.id for i in indicators])
    found, seen = [], set()
    for row in parsed:
        value = CityValue(
            row.indicator,
            row.period,
            row.value,
            row.cell.get("source", ""),
            row.cell.get("note", ""),
            row.cell.get("correction_reason", ""),
        )
        in_force = current[row.indicator.id].get(row.period)
        if (row.indicator.id, row.period) in seen:
            errors.append(
                coalition_values.RowError(row.number, "period", _("The file gives this indicator and period twice."))
            )
        elif problem := _problem(value, in_force, today):
            column = "correction_reason" if in_force and not value.reason.strip() else "value"
            errors.append(coalition_values.RowError(row.number, column, problem))
        seen.add((row.indicator.id, row.period))
        found.append(value)
    if errors:
        raise coalition_values.ImportRefused(sorted(errors, key=lambda e: e.row))
    if not found:
        raise coalition_values.ImportRefused([coalition_values.RowError(2, "", _("The file has no values."))])
    return found


def import_file(
    session: Session, indicators: list[CityIndicator], *, actor: User, filename: str, data: bytes, today: date
) -> int:
    """All or nothing: the file's values in one transaction, or ImportRefused naming every problem."""
    access.require(session, access.Capability.manage_agenda, actor)
    if indicators:  # an agenda's indicators: the first one's agenda is theirs
        _require_latest(session, indicators[0].ambition_id)
    found = check_file(session, indicators, coalition_values.read_table(filename, data), today)
    current = values_of(session, [i.id for i in indicators])
    stored = [_stored(v, current[v.indicator.id].get(v.period), actor) for v in found]
    try:
        with session.begin_nested():
            session.add_all(stored)
    except IntegrityError:
        raise coalition_values.ChangedMeanwhile() from None
    refresh(session, list({v.indicator.id: v.indicator for v in found}.values()))
    audit.record(
        session,
        action="city_values_imported",
        actor=actor,
        details={"file": filename[:200], "values": len(stored), "indicators": sorted({v.indicator.id for v in found})},
    )
    return len(stored)
