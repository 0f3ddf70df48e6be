"""Joint evaluation for the parties at the table, and the published report for everyone."""

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access import Capability, allows, may, public
from ..core import db
from ..models import Case
from ..question.question_document import to_pdf
from ..realisation import accountability, monitoring
from ..web.forms import JointEvaluationForm

bp = Blueprint("accountability", __name__)


def _table(case: Case):
    session = db.session()
    return session, accountability.table_for(session, case, current_user)


def _page(session, table, form=None, status=200):
    results = accountability.results(session, table)
    if form is None:
        evaluation = table.evaluation
        form = JointEvaluationForm(
            participants=evaluation.participants if evaluation else accountability.draft_participants(session, table),
            findings=evaluation.findings if evaluation else "",
            lessons=evaluation.lessons if evaluation else "",
            legacy=evaluation.legacy if evaluation else "",
        )
    notes = table.evaluation.indicator_notes if table.evaluation else {}
    return render_template(
        "accountability/index.html",
        table=table,
        results=results,
        form=form,
        notes=notes,
        labels=monitoring.STATUS_LABELS,
        may_edit=may("write_accountability", table.case) and not (table.evaluation and table.evaluation.published_at),
    ), status


@bp.get("/cases/<int:case_id>/accountability")
@allows(Capability.account_for_outcomes)
def index(case: Case):
    session, table = _table(case)
    return _page(session, table)


@bp.post("/cases/<int:case_id>/accountability")
@allows(Capability.write_accountability)
def save(case: Case):
    session, table = _table(case)
    form = JointEvaluationForm()
    if not form.validate_on_submit():
        return _page(session, table, form=form, status=400)
    notes = {
        i.indicator.id: request.form.get(f"note-{i.indicator.id}", "")[:5000]
        for i in accountability.results(session, table)
    }
    accountability.save(
        session,
        table,
        actor=current_user,
        fields=accountability.EvaluationFields(
            participants=form.participants.data,
            findings=form.findings.data,
            lessons=form.lessons.data or "",
            legacy=form.legacy.data or "",
            indicator_notes=notes,
        ),
    )
    flash(
        _("The joint evaluation is saved. Earlier approvals are withdrawn: both sides approve the new text."), "success"
    )
    return redirect(url_for(".index", case_id=case.id))


@bp.post("/cases/<int:case_id>/accountability/approve")
@allows(Capability.write_accountability)
def approve(case: Case):
    session, table = _table(case)
    evaluation = accountability.approve(session, table, actor=current_user)
    if evaluation.published_at:
        flash(_("Both sides approved: the accountability report is published."), "success")
    else:
        flash(_("Your approval is recorded; the report is published once the other side approves too."), "success")
    return redirect(url_for(".index", case_id=case.id))


@bp.post("/cases/<int:case_id>/accountability/close")
@allows(Capability.write_accountability)
def close(case: Case):
    session, table = _table(case)
    follow_up = accountability.close_with_follow_up(
        session, table, actor=current_user, reason=request.form.get("reason", "")[:5000]
    )
    flash(
        _("The case is closed and the follow-up case %(reference)s is opened.", reference=follow_up.reference),
        "success",
    )
    return redirect(url_for("cases.show", case_id=follow_up.id))


@bp.get("/accountability/<int:case_id>")
@public
def report(case_id: int):
    case, evaluation = accountability.published(db.session(), case_id)
    return render_template("accountability/page.html", case=case, evaluation=evaluation, pdf=False)


@bp.get("/accountability/<int:case_id>.pdf")
@public
def report_pdf(case_id: int):
    case, evaluation = accountability.published(db.session(), case_id)
    html = render_template("accountability/page.html", case=case, evaluation=evaluation, pdf=True)
    return Response(
        to_pdf(html),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="verantwoording-{case.reference}.pdf"'},
    )
