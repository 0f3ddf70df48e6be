"""Negotiating the agreement and reading it as a document (HTML, PDF)."""

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access import Capability, allows, may
from ..core import db
from ..core.errors import NotFound
from ..models import Case, Direction
from ..question.cases import outcomes_of
from ..question.question_document import to_pdf
from ..realisation import agreement
from ..web.forms import AgreementForm, IndicatorForm

bp = Blueprint("agreement", __name__, url_prefix="/cases/<int:case_id>/agreement")


def _agreement_form(basis, current) -> AgreementForm:
    form = AgreementForm(obj=current) if current else AgreementForm(budget=basis.proposal.price if basis else None)
    form.report_cadence.choices = [(key, str(label)) for key, label in agreement.FREQUENCIES.items()]
    form.overseers.choices = [(key, str(label)) for key, label in agreement.OVERSEERS.items()]
    return form


def _indicator_form(session, case) -> IndicatorForm:
    form = IndicatorForm()
    form.outcome_id.choices = [(0, _("— none —"))] + [(o.id, o.description[:120]) for o in outcomes_of(session, case)]
    form.direction.choices = [(d.value, str(label)) for d, label in agreement.DIRECTIONS.items()]
    form.frequency.choices = [(key, str(label)) for key, label in agreement.FREQUENCIES.items()]
    return form


def _page(session, case, *, form=None, indicator_form=None, status=200):
    basis = agreement.basis(session, case)
    current = agreement.agreement_of(session, case)
    return render_template(
        "agreement/index.html",
        case=case,
        basis=basis,
        current=current,
        indicators=agreement.indicators_of(session, current) if current else [],
        outcomes={o.id: o for o in outcomes_of(session, case)},
        form=form or _agreement_form(basis, current),
        indicator_form=indicator_form or _indicator_form(session, case),
        may_edit=basis is not None and may("edit_agreement", case),
        frequencies=agreement.FREQUENCIES,
        overseers=agreement.OVERSEERS,
        directions=agreement.DIRECTIONS,
    ), status


@bp.get("")
@allows(Capability.negotiate_agreement)
def index(case: Case):
    session = db.session()
    return _page(session, case)


@bp.post("")
@allows(Capability.edit_agreement)
def save(case: Case):
    session = db.session()
    form = _agreement_form(None, None)
    if not form.validate_on_submit():
        return _page(session, case, form=form, status=400)
    agreement.save(
        session,
        case,
        actor=current_user,
        fields=agreement.AgreementFields(
            budget=form.budget.data,
            starts_on=form.starts_on.data,
            ends_on=form.ends_on.data,
            overseers=form.overseers.data,
            monitoring_arrangement=form.monitoring_arrangement.data,
            report_cadence=form.report_cadence.data,
        ),
    )
    flash(_("The agreement's terms are saved."), "success")
    return redirect(url_for(".index", case_id=case.id))


@bp.post("/indicators")
@allows(Capability.edit_agreement)
def add_indicator(case: Case):
    session = db.session()
    form = _indicator_form(session, case)
    if not form.validate_on_submit():
        return _page(session, case, indicator_form=form, status=400)
    optional = lambda value: None if value is None else float(value)
    agreement.add_indicator(
        session,
        case,
        actor=current_user,
        fields=agreement.IndicatorFields(
            name=form.name.data,
            definition=form.definition.data,
            unit=form.unit.data or "",
            direction=Direction(form.direction.data),
            data_source=form.data_source.data,
            baseline_value=float(form.baseline_value.data),
            baseline_date=form.baseline_date.data,
            target_value=float(form.target_value.data),
            target_date=form.target_date.data,
            norm_at_risk=optional(form.norm_at_risk.data),
            norm_off_track=optional(form.norm_off_track.data),
            frequency=form.frequency.data,
            measured_by=form.measured_by.data,
            outcome_id=form.outcome_id.data or None,
            confidential=form.confidential.data,
        ),
    )
    flash(_("The indicator is added."), "success")
    return redirect(url_for(".index", case_id=case.id) + "#indicators")


@bp.post("/indicators/<int:indicator_id>/remove")
@allows(Capability.edit_agreement)
def remove_indicator(case: Case, indicator_id: int):
    session = db.session()
    agreement.remove_indicator(session, case, indicator_id, actor=current_user)
    flash(_("The indicator is removed."), "success")
    return redirect(url_for(".index", case_id=case.id) + "#indicators")


def _readable(session, case):
    """The agreement, for those `Capability.read_agreement` lets in: the municipality and the coalition it binds."""
    current = agreement.agreement_of(session, case)
    if current is None:
        raise NotFound(_("No agreement is recorded."))
    return current


@bp.get("/document")
@bp.get("/document.pdf", endpoint="document_pdf", defaults={"pdf": True})
@allows(Capability.read_agreement)
def document(case: Case, pdf: bool = False):
    session = db.session()
    current = _readable(session, case)
    body = current.content_html or render_template(
        "agreement/document.html", **agreement.document_context(session, case, current)
    )
    html = render_template("agreement/page.html", case=case, agreement=current, body=body, pdf=pdf)
    if not pdf:
        return html
    return Response(
        to_pdf(html),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="overeenkomst-{case.reference}.pdf"'},
    )
