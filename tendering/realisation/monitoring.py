"""Where an agreed outcome indicator stands: its reporting periods, its planned
path from the baseline to the target, and the status computed from both.

The rules, as the monitor explains them to its readers:
- a period's value is due `GRACE_DAYS` after the period ends; a due period
  without a value makes the indicator *overdue*;
- without any value (and nothing due yet) there is *no data*;
- otherwise the latest value decides: *off track* at or beyond the "off track"
  norm (without that norm: worse than the baseline); *at risk* at or beyond the
  "at risk" norm or behind the planned path; else *on track*.

Every write of a value refreshes the indicator's summary columns (latest value,
status, next due date), so that lists and the council's monitor read one row an
indicator instead of its whole history; only "overdue" depends on today and is
derived from `next_due_on` when read.
"""

from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_
from sqlalchemy import case as sql_case
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from ..models import Agreement, Direction, Indicator, IndicatorStatus, Measurement

GRACE_DAYS = 30
MONTHS = {"monthly": 1, "quarterly": 3, "half_yearly": 6, "yearly": 12}


Status = IndicatorStatus  # the model's enum, by the name the monitor's code uses


STATUS_LABELS = {
    Status.on_track: _l("On track"),
    Status.at_risk: _l("At risk"),
    Status.off_track: _l("Off track"),
    Status.no_data: _l("No data"),
    Status.overdue: _l("Report overdue"),
}


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it has fewer days."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


@dataclass(frozen=True)
class Period:
    starts_on: date
    ends_on: date

    @property
    def due_on(self) -> date:
        return self.ends_on + timedelta(days=GRACE_DAYS)


def periods(frequency: str, starts_on: date, ends_on: date) -> list[Period]:
    """The reporting periods of an agreement, aligned to its start, the last one cut at its end."""
    step, found, start = MONTHS.get(frequency, 3), [], starts_on
    while start <= ends_on:
        following = add_months(starts_on, step * (len(found) + 1))
        found.append(Period(start, min(following - timedelta(days=1), ends_on)))
        start = following
    return found


def period_starting(frequency: str, agreement: Agreement, starts_on: date) -> Period | None:
    return next(
        (p for p in periods(frequency, agreement.starts_on, agreement.ends_on) if p.starts_on == starts_on), None
    )


def planned(indicator: Indicator, on: date) -> float:
    """The value the straight path from baseline to target reaches on a day (flat outside it)."""
    span = (indicator.target_date - indicator.baseline_date).days
    if span <= 0 or on >= indicator.target_date:
        return indicator.target_value
    if on <= indicator.baseline_date:
        return indicator.baseline_value
    share = (on - indicator.baseline_date).days / span
    return indicator.baseline_value + share * (indicator.target_value - indicator.baseline_value)


def planned_for(indicator: Indicator, period: Period) -> float:
    """What the plan expects of a period's value: the planned path at the period's end, as `judge` compares it."""
    return planned(indicator, period.ends_on)


@dataclass(frozen=True)
class Planned:
    period: Period
    value: float


@dataclass(frozen=True)
class Plan:
    """An indicator's planned value for each reporting period of its agreement, by the period's first day."""

    periods: dict[date, Planned]

    def of(self, starts_on: date) -> float | None:
        found = self.periods.get(starts_on)
        return found.value if found else None

    def now(self, today: date) -> Planned | None:
        """The period that holds today (the last one once the agreement has ended); None before the first began,
        when nothing is planned yet."""
        return next((p for start, p in reversed(self.periods.items()) if start <= today), None)


def plan(indicator: Indicator, agreement: Agreement) -> Plan:
    """The planned value of every reporting period: what the monitor prints beside each value and for now."""
    schedule = periods(indicator.frequency, agreement.starts_on, agreement.ends_on)
    return Plan({p.starts_on: Planned(p, planned_for(indicator, p)) for p in schedule})


def planned_now(indicator: Indicator, agreement: Agreement, today: date) -> Planned | None:
    """What the plan expects of the current reporting period, printed beside the latest value."""
    return plan(indicator, agreement).now(today)


def _worse_or_equal(indicator: Indicator, value: float, threshold: float) -> bool:
    """Whether a value is at or beyond a threshold on the bad side, in the indicator's direction."""
    return value <= threshold if indicator.direction == Direction.higher_is_better else value >= threshold


def behind(indicator: Indicator, value: float, reference: float) -> bool:
    return value < reference if indicator.direction == Direction.higher_is_better else value > reference


def judge(indicator: Indicator, value: float, period: Period) -> Status:
    """The status a value gives, compared with the norms and the plan at the period's end."""
    if indicator.norm_off_track is not None:
        if _worse_or_equal(indicator, value, indicator.norm_off_track):
            return Status.off_track
    elif behind(indicator, value, indicator.baseline_value):
        return Status.off_track
    if indicator.norm_at_risk is not None and _worse_or_equal(indicator, value, indicator.norm_at_risk):
        return Status.at_risk
    if behind(indicator, value, planned_for(indicator, period)):
        return Status.at_risk
    return Status.on_track


@dataclass(frozen=True)
class Summary:
    latest_value: float | None
    latest_period: date | None
    assessed_status: Status
    next_due_on: date | None


def summarise(indicator: Indicator, agreement: Agreement, values: dict[date, float]) -> Summary:
    """The summary columns from an indicator's current values per period start."""
    schedule = periods(indicator.frequency, agreement.starts_on, agreement.ends_on)
    missing = next((p for p in schedule if p.starts_on not in values), None)
    if not values:
        return Summary(None, None, Status.no_data, missing.due_on if missing else None)
    latest = max(values)
    period = next((p for p in schedule if p.starts_on == latest), Period(latest, latest))
    value = values[latest]
    return Summary(value, latest, judge(indicator, value, period), missing.due_on if missing else None)


def status_on(indicator: Indicator, today: date) -> Status:
    """The status as shown: overdue when a due period is missing, else as assessed."""
    if indicator.next_due_on is not None and indicator.next_due_on < today:
        return Status.overdue
    return Status(indicator.assessed_status)


def shown_status(today: date, next_due_on=None, assessed_status=None):
    """`status_on` as SQL, for counting in the database: over the indicators table, or over the given columns of
    a subquery."""
    next_due_on = Indicator.next_due_on if next_due_on is None else next_due_on
    assessed_status = Indicator.assessed_status if assessed_status is None else assessed_status
    return sql_case((next_due_on < today, Status.overdue.value), else_=assessed_status)


def _in_force():
    """The condition on a value that no later one corrects it."""
    newer = aliased(Measurement)
    # NOT EXISTS against the partial unique index on supersedes_id: an index probe per value, where the outer
    # join had PostgreSQL read every measurement.
    return ~select(newer.id).where(newer.supersedes_id == Measurement.id).exists()


def current_values(session: Session, indicator_ids: list[int]) -> dict[int, dict[date, Measurement]]:
    """The values in force (not corrected since) per indicator and period, in one query."""
    if not indicator_ids:
        return {}
    rows = session.exec(
        select(Measurement)
        .where(Measurement.indicator_id.in_(indicator_ids), _in_force())
        .order_by(Measurement.indicator_id, Measurement.period)
    ).all()
    found: dict[int, dict[date, Measurement]] = {i: {} for i in indicator_ids}
    for row in rows:
        found[row.indicator_id][row.period] = row
    return found


def numbers_in_force(session: Session, indicator_ids) -> dict[int, list[tuple[date, float]]]:
    """(period, value) in force per indicator, oldest first, in one query. `indicator_ids` is a query selecting
    them, so that an export of thousands of indicators binds no list of ids and loads no objects."""
    found: dict[int, list[tuple[date, float]]] = {}
    for indicator_id, period, value in session.exec(
        select(Measurement.indicator_id, Measurement.period, Measurement.value)
        .where(Measurement.indicator_id.in_(indicator_ids), _in_force())
        .order_by(Measurement.indicator_id, Measurement.period)
    ).all():
        found.setdefault(indicator_id, []).append((period, value))
    return found


def refresh(session: Session, indicators: list[Indicator]) -> None:
    """Recompute the summary columns of indicators after their values changed."""
    if not indicators:
        return
    agreements = {
        a.id: a
        for a in session.exec(select(Agreement).where(Agreement.id.in_({i.agreement_id for i in indicators}))).all()
    }
    values = current_values(session, [i.id for i in indicators])
    for indicator in indicators:
        summary = summarise(
            indicator, agreements[indicator.agreement_id], {p: m.value for p, m in values[indicator.id].items()}
        )
        indicator.latest_value, indicator.latest_period = summary.latest_value, summary.latest_period
        indicator.assessed_status, indicator.next_due_on = summary.assessed_status.value, summary.next_due_on
        session.add(indicator)


def status_condition(status: Status, today: date):
    """The SQL condition selecting indicators shown with a status, for filters and counts."""
    overdue = and_(Indicator.next_due_on.is_not(None), Indicator.next_due_on < today)
    if status == Status.overdue:
        return overdue
    return and_(~overdue, Indicator.assessed_status == status.value)
