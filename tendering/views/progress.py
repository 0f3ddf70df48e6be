"""The municipality follows the coalition's progress reports and responds to each."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access import Capability, allows
from ..core import db
from ..core.errors import NotFound
from ..models import Case, utcnow
from ..realisation import agreement, progress
from ..web.forms import ProgressResponseForm

bp = Blueprint("progress", __name__, url_prefix="/cases/<int:case_id>/progress")


def _context(case: Case):
    session = db.session()
    concluded = agreement.concluded(session, case)
    if concluded is None:
        raise NotFound(_("This case has no concluded agreement yet."))
    return session, case, concluded


@bp.get("")
@allows(Capability.review_progress)
def index(case: Case):
    session, case, concluded = _context(case)
    today = utcnow().date()
    return render_template(
        "progress/index.html",
        case=case,
        agreement=concluded,
        slots=progress.schedule(session, concluded, today),
        today=today,
        adjustments=progress.adjustments_of(session, concluded),
        form=ProgressResponseForm(),
        is_owner=current_user.id == case.owner_id,
    )


@bp.post("/<int:report_id>")
@allows(Capability.review_progress)
def respond(case: Case, report_id: int):
    session, case, concluded = _context(case)
    report = progress.get(session, case, concluded, report_id)
    form = ProgressResponseForm()
    if not form.validate_on_submit():
        flash(_("Choose to acknowledge the report or to ask questions."), "error")
        return redirect(url_for(".index", case_id=case.id))
    progress.respond(
        session,
        case,
        concluded,
        report,
        actor=current_user,
        acknowledge=form.decision.data == "acknowledge",
        response=form.response.data or "",
    )
    flash(_("Your response is recorded and visible to the coalition."), "success")
    return redirect(url_for(".index", case_id=case.id) + f"#report-{report.id}")
