"""The outcome monitor for the council and the public: every agreed indicator
as a card, filtered by theme, coalition, status and phase, with drill-down to a
case and an indicator's history.

The public sees the same monitor minus confidential indicators. A page costs a
fixed number of queries whatever the number of cases: the status is read from
the indicators' summary columns (see `monitoring`), and only the values of the
cards on the page are loaded for their charts. Beside the latest value each card
prints what the plan expects of the current reporting period, the point of the
chart's planned path at that period's end, against which its value will be judged.
"""

from dataclasses import dataclass, field, replace
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func
from sqlmodel import Session, select

from ..core.errors import NotFound
from ..models import Agreement, Case, CityIndicator, Coalition, Indicator, Outcome
from ..web import charts, tabular
from ..web.numbers import whole
from ..workflow.labels import state_label
from ..workflow.phases import states_in
from . import monitoring

PER_PAGE = 24


@dataclass(frozen=True)
class Filters:
    theme: str = ""
    coalition_id: int | None = None
    coalition_name: str = ""
    status: monitoring.Status | None = None
    phase: str = ""
    case_id: int | None = None
    page: int = 1

    def query(self, **changes) -> dict:
        """The filters as URL parameters, for links to other pages of the same view."""
        current = replace(self, **changes)
        return {
            k: v
            for k, v in (
                ("theme", current.theme),
                ("coalition", current.coalition_id),
                ("coalition_name", current.coalition_name),
                ("status", current.status.value if current.status else None),
                ("phase", current.phase),
                ("page", current.page if current.page > 1 else None),
            )
            if v
        }


def parse_filters(args) -> Filters:
    """Filters from the query string; anything unknown is ignored rather than refused."""

    def number(name):
        return whole(args.get(name, ""))

    status = args.get("status", "")
    return Filters(
        theme=args.get("theme", "")[:80],
        coalition_id=number("coalition"),
        coalition_name=args.get("coalition_name", "").strip()[:80],
        status=monitoring.Status(status) if status in monitoring.Status._value2member_map_ else None,
        phase=args.get("phase", "") if args.get("phase", "") in states_in("monitored") else "",
        page=max(number("page") or 1, 1),
    )


@dataclass(frozen=True)
class Card:
    indicator: Indicator
    case: Case
    coalition: Coalition
    status: monitoring.Status
    chart: charts.Chart
    plan: monitoring.Plan
    planned_now: monitoring.Planned | None  # None before the first reporting period began


@dataclass
class Overview:
    rows: list[tuple[Indicator, Case, Coalition, Agreement]]  # the page's indicators; `cards` draws them
    total: int
    filters: Filters
    status_counts: dict[monitoring.Status, int] = field(default_factory=dict)
    themes: list[str] = field(default_factory=list)
    coalition: Coalition | None = None  # the one coalition the filter names, if any

    @property
    def pages(self) -> int:
        return max((self.total + PER_PAGE - 1) // PER_PAGE, 1)


def _base(filters: Filters, confidential: bool, today: date, *columns):
    """Indicators of concluded agreements, as the viewer may see them and the filters select.

    Cases and coalitions are joined only when the columns or the filters need them: counting every
    indicator then reads two tables instead of four.
    """
    columns = columns or (Indicator, Case, Coalition, Agreement)
    statement = (
        select(*columns)
        .select_from(Indicator)
        .join(Agreement, Agreement.id == Indicator.agreement_id)
        .where(Agreement.concluded_at.is_not(None))
    )
    if any(c is Case for c in columns) or filters.theme or filters.phase:
        statement = statement.join(Case, Case.id == Agreement.case_id)
    if any(c is Coalition for c in columns) or filters.coalition_name:
        statement = statement.join(Coalition, Coalition.id == Agreement.coalition_id)
    if not confidential:
        statement = statement.where(Indicator.confidential.is_(False))
    if filters.theme:
        statement = statement.where(Case.theme == filters.theme)
    if filters.coalition_id:
        statement = statement.where(Agreement.coalition_id == filters.coalition_id)
    if filters.coalition_name:
        statement = statement.where(Coalition.name.icontains(filters.coalition_name, autoescape=True))
    if filters.phase:
        statement = statement.where(Case.state == filters.phase)
    if filters.case_id:
        statement = statement.where(Agreement.case_id == filters.case_id)
    if filters.status:
        statement = statement.where(monitoring.status_condition(filters.status, today))
    return statement


def cards(session: Session, rows, today: date) -> list[Card]:
    """The cards of these rows (indicator, case, coalition, agreement), with their values loaded in one query."""
    values = monitoring.current_values(session, [indicator.id for indicator, *_rest in rows])
    cards = []
    for indicator, case, coalition, agreement in rows:
        plan = monitoring.plan(indicator, agreement)
        chart = charts.trend(indicator, [(p, m.value) for p, m in values[indicator.id].items()], width=320, height=150)
        cards.append(
            Card(indicator, case, coalition, monitoring.status_on(indicator, today), chart, plan, plan.now(today))
        )
    return cards


@dataclass(frozen=True)
class Summary:
    """What the monitor shows above the cards: the count per status and the themes to filter on."""

    status_counts: dict[monitoring.Status, int]
    themes: list[str]


def summary(session: Session, filters: Filters, *, confidential: bool, today: date) -> Summary:
    """Counts over every indicator the filters (but the status) select: the costly part, kept per data generation."""
    unfiltered_status = _base(
        replace(filters, status=None, page=1), confidential, today, Indicator.next_due_on, Indicator.assessed_status
    ).subquery()
    shown = monitoring.shown_status(today, unfiltered_status.c.next_due_on, unfiltered_status.c.assessed_status)
    counts = {monitoring.Status(s): n for s, n in session.exec(select(shown, func.count()).group_by(shown)).all()}
    concluded = select(Agreement.case_id).where(Agreement.concluded_at.is_not(None)).subquery()
    themes = [
        t
        for t in session.exec(
            select(Case.theme).join(concluded, concluded.c.case_id == Case.id).distinct().order_by(Case.theme)
        ).all()
        if t
    ]
    return Summary(counts, themes)


def overview(session: Session, filters: Filters, totals: Summary, *, confidential: bool, today: date) -> Overview:
    """One page of indicators with the counts and filter choices around it; the cards are drawn apart
    (`cards`), so that a page can take each unchanged card from the cache.

    Coalitions are found by a part of their name rather than picked from a list:
    a big city has thousands, and the page should not grow with them.
    """
    rows = session.exec(
        _base(filters, confidential, today)
        .order_by(Case.title, Case.id, Indicator.name, Indicator.id)
        .offset((filters.page - 1) * PER_PAGE)
        .limit(PER_PAGE)
    ).all()
    counts = totals.status_counts
    total = counts.get(filters.status, 0) if filters.status else sum(counts.values())
    coalition = session.get(Coalition, filters.coalition_id) if filters.coalition_id else None
    return Overview(list(rows), total, filters, counts, totals.themes, coalition)


def all_rows(
    session: Session, filters: Filters, *, confidential: bool, today: date
) -> list[tuple[Indicator, Case, Coalition, Agreement]]:
    """Every row the filters select, unpaged: the data behind the view, for export."""
    return list(
        session.exec(
            _base(filters, confidential, today).order_by(Case.title, Case.id, Indicator.name, Indicator.id)
        ).all()
    )


def export_table(session: Session, filters: Filters, *, confidential: bool, today: date) -> tuple[list[str], list]:
    """Every indicator the filters select as the exports write it: a row per value in force beside the planned value
    of its period (one row for an indicator without values), with the norms its chart shades and those of the city
    indicator it contributes to; three queries whatever the size."""
    rows = all_rows(session, filters, confidential=confidential, today=today)
    values = monitoring.numbers_in_force(session, _base(filters, confidential, today, Indicator.id))
    linked = select(CityIndicator).where(
        CityIndicator.id.in_(_base(filters, confidential, today, Indicator.city_indicator_id))
    )
    if not confidential:
        linked = linked.where(CityIndicator.confidential.is_(False))
    cities = {c.id: c for c in session.exec(linked).all()}
    table = []
    for indicator, case, coalition, agreement in rows:
        city = cities.get(indicator.city_indicator_id)
        common = [case.reference, case.title, case.theme, str(state_label(case.state)), coalition.name]
        common += [indicator.name, indicator.unit, indicator.direction.value]
        common += [indicator.baseline_value, indicator.baseline_date, indicator.target_value, indicator.target_date]
        common += [indicator.norm_at_risk, indicator.norm_off_track]
        common += [city.name, city.norm_at_risk, city.norm_off_track] if city else [None, None, None]
        common.append(str(monitoring.STATUS_LABELS[monitoring.status_on(indicator, today)]))
        flag = confidential_cell(indicator, confidential)
        plan = monitoring.plan(indicator, agreement)
        for period, value in values.get(indicator.id) or [(None, None)]:
            table.append(tabular.plain(common + [period, value, plan.of(period)] + flag))
    return _export_header(confidential), table


def _export_header(confidential: bool) -> list[str]:
    return [
        _("Case"),
        _("Title"),
        _("Theme"),
        _("Phase"),
        _("Coalition"),
        _("Indicator"),
        _("Unit"),
        _("Direction"),
        _("Baseline"),
        _("Baseline date"),
        _("Target"),
        _("Target date"),
        _("Norm: at risk from"),
        _("Norm: off track from"),
        _("City indicator"),
        _("City norm: at risk from"),
        _("City norm: off track from"),
        _("Status"),
        _("Period from"),
        _("Value"),
        _("Planned value"),
    ] + confidential_column(confidential)


def history_table(card: Card, rows: list, *, confidential: bool) -> tuple[list[str], list]:
    """An indicator's every value (`measurements.history`) as its export writes it, each beside the planned value
    of its period and the norms."""
    header = [
        _("Period from"),
        _("Value"),
        _("Source"),
        _("Note"),
        _("Reported at"),
        _("In force"),
        _("Correction reason"),
        _("Planned value"),
        _("Norm: at risk from"),
        _("Norm: off track from"),
    ] + confidential_column(confidential)
    indicator, flag = card.indicator, confidential_cell(card.indicator, confidential)
    return header, [
        tabular.plain(
            [r.measurement.period, r.measurement.value, r.measurement.source, r.measurement.note]
            + [r.measurement.reported_at, tabular.yes_no(r.in_force), r.measurement.correction_reason]
            + [card.plan.of(r.measurement.period), indicator.norm_at_risk, indicator.norm_off_track]
            + flag
        )
        for r in rows
    ]


def confidential_column(confidential: bool) -> list[str]:
    """The exports' column "Confidential", only for who may see confidential indicators: to anyone else it would
    tell that hidden ones exist."""
    return [_("Confidential")] if confidential else []


def confidential_cell(indicator, confidential: bool) -> list[str]:
    """The indicator's cell in that column (nothing for anyone else); for coalition and city indicators alike."""
    return [tabular.yes_no(indicator.confidential)] if confidential else []


@dataclass
class CaseMonitor:
    case: Case
    coalition: Coalition | None
    outcomes: list[tuple[Outcome, list[Card]]]
    unlinked: list[Card]


def case_monitor(session: Session, case_id: int, *, confidential: bool, today: date) -> CaseMonitor:
    """A case's desired outcomes with the indicators linked to them."""
    case = session.get(Case, case_id)
    rows = (
        []
        if case is None
        else session.exec(
            _base(Filters(case_id=case_id), confidential, today).order_by(Indicator.name, Indicator.id)
        ).all()
    )
    if not rows:
        raise NotFound(_("This case has no outcome monitor."))
    found = cards(session, rows, today)
    outcomes = session.exec(
        select(Outcome).where(Outcome.case_id == case_id).order_by(Outcome.position, Outcome.id)
    ).all()
    linked = [(o, [c for c in found if c.indicator.outcome_id == o.id]) for o in outcomes]
    unlinked = [c for c in found if c.indicator.outcome_id not in {o.id for o in outcomes}]
    return CaseMonitor(case, found[0].coalition, linked, unlinked)


def indicator_card(session: Session, indicator_id: int, *, confidential: bool, today: date) -> Card:
    row = session.exec(_base(Filters(), confidential, today).where(Indicator.id == indicator_id)).first()
    if row is None:
        raise NotFound(_("This indicator does not exist."))
    return cards(session, [row], today)[0]
