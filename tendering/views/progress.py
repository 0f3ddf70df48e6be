"""The municipality follows the coalition's progress reports and responds to each."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import agreement, db, progress
from ..cases import get_case
from ..errors import NotFound
from ..forms import ProgressResponseForm
from ..models import Role, utcnow
from ..security import roles_required

bp = Blueprint("progress", __name__, url_prefix="/cases/<int:case_id>/progress")
officials = roles_required(Role.official)


def _context(case_id: int):
    session = db.session()
    case = get_case(session, case_id)
    concluded = agreement.concluded(session, case)
    if concluded is None:
        raise NotFound(_("This case has no concluded agreement yet."))
    return session, case, concluded


@bp.get("")
@officials
def index(case_id: int):
    session, case, concluded = _context(case_id)
    today = utcnow().date()
    return render_template(
        "progress/index.html", case=case, agreement=concluded, slots=progress.schedule(session, concluded, today), today=today,
        adjustments=progress.adjustments_of(session, concluded), form=ProgressResponseForm(), is_owner=current_user.id == case.owner_id,
    )


@bp.post("/<int:report_id>")
@officials
def respond(case_id: int, report_id: int):
    session, case, concluded = _context(case_id)
    report = progress.get(session, case, concluded, report_id)
    form = ProgressResponseForm()
    if not form.validate_on_submit():
        flash(_("Choose to acknowledge the report or to ask questions."), "error")
        return redirect(url_for(".index", case_id=case_id))
    progress.respond(session, case, concluded, report, user=current_user, acknowledge=form.decision.data == "acknowledge",
                     response=form.response.data or "")
    db.commit()
    flash(_("Your response is recorded and visible to the coalition."), "success")
    return redirect(url_for(".index", case_id=case_id) + f"#report-{report.id}")
