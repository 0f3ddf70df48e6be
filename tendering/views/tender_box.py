"""The municipality's side of the tender box: count, four-eyes opening, reading."""

from flask import Blueprint, current_app, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from .. import access
from ..access import Capability, allows
from ..core import db
from ..models import Case, Role, utcnow
from ..parties import attachments, shared_partners
from ..procurement import evaluation, scoring, stages, tender_box
from ..web.forms import ConfirmForm, EvaluatorForm

bp = Blueprint("tender_box", __name__, url_prefix="/cases/<int:case_id>/proposals")


def _readable_submission(case: Case, submission_id: int):
    """A submission, for those Annex IV allows now (`access.Capability.read_submissions`, checked before the
    submission is looked up: while the box is sealed, a real id and an unknown one get the same answer, so guessing
    ids cannot count the bids); an evaluator other than the owner reads only what they declared no conflict with."""
    session = db.session()
    submission, coalition = tender_box.get_submission(session, case, submission_id)
    if (
        current_user.role == Role.official
        and current_user.id != case.owner_id
        and not scoring.may_open(session, submission.proposal_id, current_user)
    ):
        access.refuse_because(
            session,
            access.Capability.read_submissions,
            current_user,
            _("Declare first that you have no conflict of interest with this proposal."),
            case=case,
            submission_id=submission_id,
        )
    return session, submission, coalition


@bp.get("")
@allows(Capability.read_tender_box)
def index(case: Case):
    session = db.session()
    readable = tender_box.may_read_submissions(session, case, current_user)
    deadline = stages.box_of(session, case).deadline  # the tender's, or the current call's for realisation plans
    form = EvaluatorForm()
    form.evaluator_id.choices = [SelectChoice(u.id, u.name) for u in evaluation.assignable_officials(session, case)]
    return render_template(
        "tender_box/index.html",
        case=case,
        count=tender_box.submitted_count(session, case),
        deadline=deadline,
        deadline_passed=deadline is not None and deadline <= utcnow(),
        opening=tender_box.opening_of(session, case),
        authorised=tender_box.is_authorised_official(session, case, current_user),
        submissions=tender_box.submissions_of(session, case) if readable else [],
        readable=readable,
        shared=shared_partners.after_opening(session, case) if readable else [],
        evaluators=evaluation.evaluators_of(session, case),
        evaluator_form=form,
        confirm=ConfirmForm(),
    )


@bp.post("/open")
@allows(Capability.open_tender_box)
def open_box(case: Case):
    session = db.session()
    if ConfirmForm().validate_on_submit():
        opening = tender_box.open_box(session, case, actor=current_user)
        flash(
            _("The tender box is open.")
            if opening.opened_at
            else _("Opening requested: a second official must confirm."),
            "success",
        )
    return redirect(url_for(".index", case_id=case.id))


@bp.post("/evaluators")
@allows(Capability.assign_evaluator)
def assign_evaluator(case: Case):
    session = db.session()
    form = EvaluatorForm()
    form.evaluator_id.choices = [SelectChoice(u.id, u.name) for u in evaluation.assignable_officials(session, case)]
    if not form.validate_on_submit():
        flash(_("Choose an official."), "error")
        return redirect(url_for(".index", case_id=case.id))
    evaluation.assign_evaluator(session, case, actor=current_user, evaluator_id=form.evaluator_id.data)
    flash(_("The evaluator is assigned."), "success")
    return redirect(url_for(".index", case_id=case.id))


@bp.get("/<int:submission_id>")
@allows(Capability.read_submissions)
def show(case: Case, submission_id: int):
    session, submission, coalition = _readable_submission(case, submission_id)
    return render_template("tender_box/show.html", case=case, submission=submission, coalition=coalition)


@bp.get("/<int:submission_id>/attachments/<int:attachment_id>")
@allows(Capability.read_submissions)
def attachment(case: Case, submission_id: int, attachment_id: int):
    session, submission, coalition = _readable_submission(case, submission_id)
    stored = tender_box.submitted_attachment(session, submission, attachment_id)
    return send_file(
        attachments.path_of(current_app.config["UPLOAD_DIR"], stored.stored_name),
        mimetype=stored.content_type,
        as_attachment=True,
        download_name=stored.filename,
    )
