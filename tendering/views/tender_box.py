"""The municipality's side of the tender box: count, four-eyes opening, reading."""

from flask import Blueprint, current_app, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from .. import attachments, db, evaluation, scoring, tender_box
from ..cases import get_case
from ..forms import ConfirmForm, EvaluatorForm
from ..models import Role, utcnow
from ..security import roles_required
from .seal import refuse_read, sealed_read

bp = Blueprint("tender_box", __name__, url_prefix="/cases/<int:case_id>/proposals")
readers = roles_required(Role.official, Role.council_member)


def _readable_submission(case_id: int, submission_id: int):
    """Load a submission only for those Annex IV allows now; log every refusal.

    Refused before the submission is looked up: while the box is sealed, a real id and an unknown one get the
    same answer, so guessing ids cannot count the bids."""
    session = db.session()
    case = get_case(session, case_id)
    if not tender_box.may_read_submissions(session, case, current_user):
        refuse_read(session, what="submission", case=case, submission_id=submission_id)
    submission, coalition = tender_box.get_submission(session, case, submission_id)
    if current_user.role == Role.official and current_user.id != case.owner_id \
            and not scoring.may_open(session, submission.proposal_id, current_user):  # evaluators declare first
        refuse_read(session, what="submission", case=case, submission_id=submission_id)
    return session, case, submission, coalition


@bp.get("")
@readers
def index(case_id: int):
    session = db.session()
    case = get_case(session, case_id)
    readable = tender_box.may_read_submissions(session, case, current_user)
    form = EvaluatorForm()
    form.evaluator_id.choices = [SelectChoice(u.id, u.name) for u in evaluation.assignable_officials(session, case)]
    return render_template(
        "tender_box/index.html",
        case=case,
        count=tender_box.submitted_count(session, case),
        deadline_passed=case.submission_deadline is not None and case.submission_deadline <= utcnow(),
        opening=tender_box.opening_of(session, case),
        authorised=tender_box.is_authorised_official(session, case, current_user),
        submissions=tender_box.submissions_of(session, case) if readable else [],
        readable=readable,
        evaluators=evaluation.evaluators_of(session, case),
        evaluator_form=form,
        confirm=ConfirmForm(),
    )


@bp.post("/open")
@roles_required(Role.official)
def open_box(case_id: int):
    session = db.session()
    case = get_case(session, case_id)
    if ConfirmForm().validate_on_submit():
        opening = tender_box.open_box(session, case, user=current_user)
        db.commit()
        flash(_("The tender box is open.") if opening.opened_at else _("Opening requested: a second official must confirm."), "success")
    return redirect(url_for(".index", case_id=case_id))


@bp.post("/evaluators")
@roles_required(Role.official)
def assign_evaluator(case_id: int):
    session = db.session()
    case = get_case(session, case_id)
    form = EvaluatorForm()
    form.evaluator_id.choices = [SelectChoice(u.id, u.name) for u in evaluation.assignable_officials(session, case)]
    if not form.validate_on_submit():
        flash(_("Choose an official."), "error")
        return redirect(url_for(".index", case_id=case_id))
    evaluation.assign_evaluator(session, case, actor=current_user, evaluator_id=form.evaluator_id.data)
    db.commit()
    flash(_("The evaluator is assigned."), "success")
    return redirect(url_for(".index", case_id=case_id))


@bp.get("/<int:submission_id>")
@sealed_read("submission", Role.official, Role.council_member)
def show(case_id: int, submission_id: int):
    session, case, submission, coalition = _readable_submission(case_id, submission_id)
    return render_template("tender_box/show.html", case=case, submission=submission, coalition=coalition)


@bp.get("/<int:submission_id>/attachments/<int:attachment_id>")
@sealed_read("submission", Role.official, Role.council_member)
def attachment(case_id: int, submission_id: int, attachment_id: int):
    session, case, submission, coalition = _readable_submission(case_id, submission_id)
    stored = tender_box.submitted_attachment(session, submission, attachment_id)
    return send_file(
        attachments.path_of(current_app.config["UPLOAD_DIR"], stored.stored_name),
        mimetype=stored.content_type, as_attachment=True, download_name=stored.filename,
    )
