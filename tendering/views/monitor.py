"""The outcome monitor: overview, case and indicator, each printable and exportable."""

from dataclasses import replace

from flask import Blueprint, Response, render_template, request
from flask_babel import gettext as _

from ..access import may, public
from ..core import db, generations
from ..models import Indicator, utcnow
from ..question.question_document import to_pdf
from ..realisation import measurements, monitoring, outcome_monitor
from ..web import charts, fragments, tabular
from ..workflow.phases import states_in

bp = Blueprint("monitor", __name__, url_prefix="/monitor")
PRINT_LIMIT = 1000
MONITOR = (generations.MONITOR,)


def _context():
    return db.session(), may("read_confidential_indicators"), utcnow().date()


def _export_or_none(name, filters):
    """The export asked for with ?format=, else None so the page is rendered."""
    kind = tabular.requested_format()
    if kind is None:
        return None
    session, confidential, today = _context()
    return tabular.download(
        kind, name, *outcome_monitor.export_table(session, filters, confidential=confidential, today=today)
    )


def _print_page(rows, heading, pdf):
    session, _confidential, today = _context()
    html = render_template(
        "monitor/print.html",
        rows=rows[:PRINT_LIMIT],
        more=max(len(rows) - PRINT_LIMIT, 0),
        heading=heading,
        today=today,
        status_of=monitoring.status_on,
        planned_of=monitoring.planned_now,
        labels=monitoring.STATUS_LABELS,
        pdf=pdf,
    )
    if pdf:
        return Response(
            to_pdf(html),
            mimetype="application/pdf",
            headers={"Content-Disposition": 'inline; filename="outcome-monitor.pdf"'},
        )
    return html


@bp.get("")
@public
def overview():
    filters = outcome_monitor.parse_filters(request.args)
    export = _export_or_none("outcome-monitor", filters)
    if export is not None:
        return export
    session, confidential, today = _context()

    def totals():
        return outcome_monitor.summary(session, filters, confidential=confidential, today=today), fragments.next_day(
            today
        )

    def body():
        summary = fragments.remember(
            "monitor-summary", (confidential, today, replace(filters, status=None, page=1)), totals, MONITOR
        )
        found = outcome_monitor.overview(session, filters, summary, confidential=confidential, today=today)
        return render_template(
            "monitor/_overview.html",
            overview=found,
            cards=_card_bodies(session, found.rows, today),
            labels=monitoring.STATUS_LABELS,
            phases=states_in("monitored"),
            confidential=confidential,
        ), fragments.next_day(today)

    return render_template(
        "monitor/overview.html", body=fragments.cached("monitor", (confidential, today, filters), body, MONITOR)
    )


def _card_bodies(session, rows, today):
    """The page's cards, each from the cache unless its indicator, its values or the rest of the data changed.
    A card shows nothing but its indicator, so whoever may see the indicator may be served its card."""
    ids = [indicator.id for indicator, *_rest in rows]  # before their scopes are read, which expires them

    def draw(positions):
        generations.reload(session, Indicator, [ids[p] for p in positions])
        drawn = outcome_monitor.cards(session, [rows[p] for p in positions], today)
        return [
            render_template("monitor/_card_body.html", card=card, labels=monitoring.STATUS_LABELS) for card in drawn
        ]

    return fragments.cached_each(
        "monitor-card",
        [(i, today) for i in ids],
        [(generations.indicator(i),) for i in ids],
        draw,
        fragments.next_day(today),
    )


@bp.get("/print")
@bp.get("/print.pdf", endpoint="printable_pdf")
@public
def printable():
    filters = outcome_monitor.parse_filters(request.args)
    session, confidential, today = _context()
    rows = outcome_monitor.all_rows(session, filters, confidential=confidential, today=today)
    return _print_page(rows, _("Outcome monitor"), pdf=request.path.endswith(".pdf"))


@bp.get("/cases/<int:case_id>")
@public
def case(case_id: int):
    filters = outcome_monitor.Filters(case_id=case_id)
    export = _export_or_none(f"outcome-monitor-{case_id}", filters)
    if export is not None:
        return export
    session, confidential, today = _context()
    found = outcome_monitor.case_monitor(session, case_id, confidential=confidential, today=today)
    return render_template("monitor/case.html", monitor=found, labels=monitoring.STATUS_LABELS)


@bp.get("/cases/<int:case_id>/print")
@bp.get("/cases/<int:case_id>/print.pdf", endpoint="case_printable_pdf")
@public
def case_printable(case_id: int):
    session, confidential, today = _context()
    found = outcome_monitor.case_monitor(session, case_id, confidential=confidential, today=today)
    rows = outcome_monitor.all_rows(
        session, outcome_monitor.Filters(case_id=case_id), confidential=confidential, today=today
    )
    return _print_page(rows, found.case.title, pdf=request.path.endswith(".pdf"))


@bp.get("/indicators/<int:indicator_id>")
@public
def indicator(indicator_id: int):
    session, confidential, today = _context()
    card = outcome_monitor.indicator_card(session, indicator_id, confidential=confidential, today=today)
    rows = measurements.history(session, card.indicator)
    kind = tabular.requested_format()
    if kind is not None:
        table = outcome_monitor.history_table(card, rows, confidential=confidential)
        return tabular.download(kind, f"indicator-{indicator_id}", *table)
    in_force = [(r.measurement.period, r.measurement.value) for r in rows if r.in_force]
    return render_template(
        "monitor/indicator.html",
        card=card,
        indicator=card.indicator,
        rows=rows,
        chart=charts.trend(card.indicator, in_force),
        labels=monitoring.STATUS_LABELS,
        show_reporters=confidential,
    )
