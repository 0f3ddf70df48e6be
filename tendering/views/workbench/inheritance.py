"""The workbench: indicators a follow-up case inherited, with their new baselines."""

from flask import render_template
from flask_babel import gettext as _
from flask_login import current_user

from ...access import Capability, allows
from ...core import db
from ...models import Case
from ...question import follow_up
from ...question.tender_lock import needs_amendment
from ...web.forms import ConfirmForm, IndicatorDraftForm
from . import bp, done


@bp.route("/indicator-drafts/<int:draft_id>", methods=["GET", "POST"])
@allows(Capability.steer_case)
def indicator_draft(case: Case, draft_id: int):
    session = db.session()
    draft = follow_up.get_draft(session, case, draft_id)
    form = IndicatorDraftForm(obj=draft)
    if form.validate_on_submit():
        follow_up.update_draft(
            session,
            case,
            draft,
            actor=current_user,
            fields=follow_up.DraftFields(
                name=form.name.data,
                baseline_value=float(form.baseline_value.data),
                baseline_date=form.baseline_date.data,
                baseline_source=form.baseline_source.data or "",
            ),
            amendment_note=form.amendment_note.data or "",
        )
        return done(_("The inherited indicator is saved."), ".articulation_page", case.id, "#inherited")
    return render_template(
        "workbench/indicator_draft.html",
        case=case,
        draft=draft,
        form=form,
        amending=needs_amendment(case),
    )


@bp.post("/indicator-drafts/<int:draft_id>/delete")
@allows(Capability.steer_case)
def remove_indicator_draft(case: Case, draft_id: int):
    session = db.session()
    draft = follow_up.get_draft(session, case, draft_id)
    if ConfirmForm().validate_on_submit():
        follow_up.remove_draft(session, case, draft, actor=current_user)
    return done(_("The inherited indicator is removed."), ".articulation_page", case.id, "#inherited")
