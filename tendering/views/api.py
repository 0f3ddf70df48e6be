"""The reporting API (JSON, `Authorization: Bearer <token>`), described at /api/v1/openapi.json."""

from datetime import date

from flask import Blueprint, g, jsonify, request
from flask_babel import gettext as _

from ..access import public
from ..core import db
from ..core.errors import DomainError
from ..models import utcnow
from ..realisation import agreement as agreements
from ..realisation import api_tokens, measurements, monitoring
from ..web.openapi import SPEC
from ..web.security import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


@bp.errorhandler(DomainError)
def domain_error(error: DomainError):
    """A refusal as the documented `Error`: its own status (400, 403, 404, or 409 when the data changed meanwhile)."""
    status = error.status_code if error.status_code in (400, 403, 404, 409) else 400
    body = {"error": error.message}
    if isinstance(error, measurements.ImportRefused):
        body["problems"] = [{"row": e.row - 1, "field": e.column, "message": e.message} for e in error.errors]
    return jsonify(body), status


@bp.before_request
def authenticate():
    if request.endpoint == "api.openapi":
        return None
    caller = api_tokens.authenticate(db.session(), request.headers.get("Authorization"))
    if caller is None:
        response = jsonify({"error": _("A valid, unrevoked API token is required.")})
        response.headers["WWW-Authenticate"] = 'Bearer realm="tendering"'
        return response, 401
    g.caller = caller
    return None


@bp.get("/openapi.json")
@public
def openapi():
    return jsonify(SPEC)


def _indicator_json(indicator, today):
    return {
        "id": indicator.id,
        "name": indicator.name,
        "unit": indicator.unit,
        "direction": indicator.direction.value,
        "frequency": indicator.frequency,
        "baseline": {"value": indicator.baseline_value, "date": indicator.baseline_date.isoformat()},
        "target": {"value": indicator.target_value, "date": indicator.target_date.isoformat()},
        "latest": {"value": indicator.latest_value, "period": indicator.latest_period.isoformat()}
        if indicator.latest_period
        else None,
        "status": monitoring.status_on(indicator, today).value,
        "next_due_on": indicator.next_due_on.isoformat() if indicator.next_due_on else None,
        "periods": [
            p.starts_on.isoformat()
            for p in measurements.reportable_periods(indicator, g.caller.reporting.agreement, today)
        ],
    }


def _measurement_json(row: measurements.HistoryRow):
    m = row.measurement
    return {
        "id": m.id,
        "period": m.period.isoformat(),
        "value": m.value,
        "source": m.source,
        "note": m.note,
        "reported_at": m.reported_at.isoformat(),
        "in_force": row.in_force,
        "supersedes": m.supersedes_id,
        "correction_reason": m.correction_reason,
    }


@bp.get("/indicators")
@public
def indicators():
    today = utcnow().date()
    found = agreements.indicators_of(db.session(), g.caller.reporting.agreement)
    return jsonify({"indicators": [_indicator_json(i, today) for i in found]})


@bp.get("/indicators/<int:indicator_id>/measurements")
@public
def history(indicator_id: int):
    session = db.session()
    indicator = measurements.indicator_of(session, g.caller.reporting, indicator_id)
    return jsonify({"measurements": [_measurement_json(r) for r in measurements.history(session, indicator)]})


def _body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise DomainError(_("Send a JSON object."))
    return body


@bp.post("/indicators/<int:indicator_id>/measurements")
@public
def report(indicator_id: int):
    session = db.session()
    indicator = measurements.indicator_of(session, g.caller.reporting, indicator_id)
    body = _body()
    try:
        period = date.fromisoformat(str(body.get("period", "")))
        value = float(body["value"])
    except (KeyError, TypeError, ValueError):
        raise DomainError(_("Give `period` as a date (YYYY-MM-DD) and `value` as a number.")) from None
    measurement = measurements.report(
        session,
        g.caller.reporting,
        actor=g.caller.user,
        today=utcnow().date(),
        reported=measurements.Reported(
            indicator,
            period,
            value,
            str(body.get("source", ""))[:2000],
            str(body.get("note", ""))[:5000],
            str(body.get("correction_reason", ""))[:5000],
        ),
    )
    return jsonify(_measurement_json(measurements.HistoryRow(measurement, g.caller.user, True))), 201


@bp.post("/measurements")
@public
def bulk():
    """Many values at once, all or nothing, checked exactly like an uploaded file."""
    rows = _body().get("measurements")
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise DomainError(_("Send `measurements` as a list of objects."))
    header = ["indicator", "period", "value", "source", "note", "correction_reason"]
    table = [header] + [["" if r.get(c) is None else str(r.get(c)) for c in header] for r in rows]
    session = db.session()
    reporting = g.caller.reporting
    measurements.require_open(reporting)
    found = measurements.check_file(session, reporting, table, utcnow().date())
    count = measurements.store(
        session, reporting, actor=g.caller.user, found=found, source=f"api:{g.caller.token.prefix}"
    )
    return jsonify({"imported": count}), 201
