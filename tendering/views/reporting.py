"""The coalition's reporting screens: its indicators, a value per period, corrections, file imports."""

from datetime import date

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from ..access import Capability, allows
from ..core import db, generations
from ..core.i18n import localdate
from ..models import utcnow
from ..realisation import agreement as agreements
from ..realisation import api_tokens, measurements, monitoring, progress
from ..web import charts, fragments
from ..web.forms import ApiTokenForm, MeasurementForm, MeasurementImportForm, ProgressReportForm
from . import imports

bp = Blueprint("reporting", __name__, url_prefix="/coalitions/<int:coalition_id>")


def _today():
    return utcnow().date()


@bp.get("/indicators")
@allows(Capability.report_outcomes)
def index(coalition_id: int):
    return _index_page(coalition_id)


def _index_page(
    coalition_id: int,
    import_form: MeasurementImportForm | None = None,
    errors=None,
    status: int = 200,
    new_token: str | None = None,
    token_form: ApiTokenForm | None = None,
):
    """The indicators page; the plain page comes from the cache, one with errors or a new token never does."""
    session = db.session()
    reporting = measurements.reporting_for(session, coalition_id, current_user)
    today = _today()

    def body():
        return render_template(
            "reporting/_index.html",
            reporting=reporting,
            indicators=agreements.indicators_of(session, reporting.agreement),
            today=today,
            status_of=monitoring.status_on,
            labels=monitoring.STATUS_LABELS,
            grace_days=monitoring.GRACE_DAYS,
            import_form=import_form or MeasurementImportForm(),
            errors=errors or [],
            tokens=api_tokens.tokens_of(session, reporting),
            token_form=token_form or ApiTokenForm(),
            new_token=new_token,
        ), fragments.next_day(today)

    plain = import_form is None and token_form is None and not errors and new_token is None
    if plain:
        scopes = (generations.coalition(coalition_id),)
        page = fragments.cached("indicators", (coalition_id, current_user.id, today), body, scopes)
    else:
        page = Markup(body()[0])
    return render_template("reporting/index.html", reporting=reporting, body=page), status


def _period_choices(indicator, reporting):
    started = measurements.reportable_periods(indicator, reporting.agreement, _today())
    return [(p.starts_on.isoformat(), _period_label(p)) for p in reversed(started)]


@bp.get("/indicators/<int:indicator_id>")
@allows(Capability.report_outcomes)
def indicator(coalition_id: int, indicator_id: int):
    return _indicator_page(coalition_id, indicator_id)


def _indicator_page(coalition_id: int, indicator_id: int, form: MeasurementForm | None = None, status: int = 200):
    session = db.session()
    reporting = measurements.reporting_for(session, coalition_id, current_user)
    found = measurements.indicator_of(session, reporting, indicator_id)
    if form is None:
        form = MeasurementForm()
    form.period.choices = _period_choices(found, reporting)
    rows = measurements.history(session, found)
    in_force = [(r.measurement.period, r.measurement.value) for r in rows if r.in_force]
    return render_template(
        "reporting/indicator.html",
        reporting=reporting,
        indicator=found,
        rows=rows,
        chart=charts.trend(found, in_force),
        status=monitoring.status_on(found, _today()),
        labels=monitoring.STATUS_LABELS,
        form=form,
        show_reporters=True,
    ), status


@bp.post("/indicators/<int:indicator_id>/measurements")
@allows(Capability.report_outcomes)
def report(coalition_id: int, indicator_id: int):
    session = db.session()
    reporting = measurements.reporting_for(session, coalition_id, current_user)
    found = measurements.indicator_of(session, reporting, indicator_id)
    form = MeasurementForm()
    form.period.choices = _period_choices(found, reporting)
    if not form.validate_on_submit():
        return _indicator_page(coalition_id, indicator_id, form=form, status=400)
    try:
        measurements.report(
            session,
            reporting,
            actor=current_user,
            today=_today(),
            reported=measurements.Reported(
                indicator=found,
                period=date.fromisoformat(form.period.data),
                value=float(form.value.data),
                source=form.source.data or "",
                note=form.note.data or "",
                reason=form.correction_reason.data or "",
            ),
        )
    except measurements.ChangedMeanwhile as lost:  # the page again, with the value now in force and what was typed
        db.discard_request_work()
        flash(lost.message, "error")
        return _indicator_page(coalition_id, indicator_id, form=form, status=409)
    flash(_("The value is recorded."), "success")
    return redirect(url_for(".indicator", coalition_id=coalition_id, indicator_id=indicator_id))


@bp.post("/measurements/import")
@allows(Capability.report_outcomes)
def import_file(coalition_id: int):
    session = db.session()
    reporting = measurements.reporting_for(session, coalition_id, current_user)
    form = MeasurementImportForm()
    if not form.validate_on_submit():
        return _index_page(coalition_id, import_form=form, status=400)
    upload = form.file.data
    return imports.answer(
        lambda: measurements.import_file(
            session, reporting, actor=current_user, filename=upload.filename or "", data=upload.read(), today=_today()
        ),
        refused=lambda errors: _index_page(coalition_id, errors=errors, status=400),
        lost=lambda: _index_page(coalition_id, import_form=form, status=409),
        done=url_for(".index", coalition_id=coalition_id),
    )


@bp.get("/measurements/template.csv")
@allows(Capability.report_outcomes)
def template(coalition_id: int):
    session = db.session()
    reporting = measurements.reporting_for(session, coalition_id, current_user)
    return Response(
        measurements.template_csv(session, reporting, _today()),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="indicators-{reporting.case.reference}.csv"'},
    )


@bp.post("/api-tokens")
@allows(Capability.report_outcomes)
def create_token(coalition_id: int):
    """The new token is shown on this one response, never stored or flashed."""
    session = db.session()
    reporting = measurements.reporting_for(session, coalition_id, current_user)
    form = ApiTokenForm()
    if not form.validate_on_submit():
        return _index_page(coalition_id, token_form=form, status=400)
    _token, plain = api_tokens.create(session, reporting, actor=current_user, name=form.name.data)
    response = _index_page(coalition_id, new_token=plain)
    return response[0], 200, {"Cache-Control": "no-store"}


@bp.post("/api-tokens/<int:token_id>/revoke")
@allows(Capability.report_outcomes)
def revoke_token(coalition_id: int, token_id: int):
    session = db.session()
    reporting = measurements.reporting_for(session, coalition_id, current_user)
    api_tokens.revoke(session, reporting, token_id, actor=current_user)
    flash(_("The token is revoked: it no longer works."), "success")
    return redirect(url_for(".index", coalition_id=coalition_id) + "#api")


@bp.get("/reports")
@allows(Capability.report_outcomes)
def reports(coalition_id: int):
    return _reports_page(coalition_id)


def _reports_page(coalition_id: int, form: ProgressReportForm | None = None, status: int = 200):
    session = db.session()
    reporting = measurements.reporting_for(session, coalition_id, current_user)
    slots = progress.schedule(session, reporting.agreement, _today())
    form = form or ProgressReportForm()
    form.period.choices = [
        (s.period.starts_on.isoformat(), _period_label(s.period))
        for s in slots
        if s.report is None or s.report.status != progress.ACKNOWLEDGED
    ]
    return render_template(
        "reporting/reports.html",
        reporting=reporting,
        slots=slots,
        form=form,
        today=_today(),
        period_label=_period_label,
    ), status


def _period_label(period) -> str:
    return f"{localdate(period.starts_on, 'medium')} – {localdate(period.ends_on, 'medium')}"


@bp.post("/reports")
@allows(Capability.report_outcomes)
def submit_report(coalition_id: int):
    session = db.session()
    reporting = measurements.reporting_for(session, coalition_id, current_user)
    form = ProgressReportForm()
    form.period.choices = [
        (s.period.starts_on.isoformat(), "") for s in progress.schedule(session, reporting.agreement, _today())
    ]
    if not form.validate_on_submit():
        return _reports_page(coalition_id, form=form, status=400)
    progress.submit(
        session,
        reporting,
        actor=current_user,
        today=_today(),
        fields=progress.ReportFields(
            period=date.fromisoformat(form.period.data),
            narrative=form.narrative.data,
            adjustments=form.adjustments.data or "",
            adjustment_reason=form.adjustment_reason.data or "",
            setbacks=form.setbacks.data or "",
            windfalls=form.windfalls.data or "",
            client_panel=form.client_panel.data or "",
        ),
    )
    flash(_("The progress report is sent to the municipality."), "success")
    return redirect(url_for(".reports", coalition_id=coalition_id))
