"""The workbench: question articulation."""

from flask import redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...access import Capability, allows
from ...core import db
from ...models import Case, FrameworkKind
from ...procurement import reconsideration
from ...question import articulation, coaching, follow_up
from ...question.cases import outcomes_of
from ...web.forms import (
    ConfirmForm,
    FrameworkForm,
)
from . import bp, done, invalid, page


@bp.get("/articulation")
@allows(Capability.read_cases)
def articulation_page(case: Case):
    session = db.session()
    return page(
        "workbench/articulation.html",
        case,
        flags=coaching.coach_question(case.question),
        examples=coaching.METHOD_EXAMPLES,
        attention_points=coaching.ATTENTION_POINTS,
        outcomes=outcomes_of(session, case),
        frameworks=articulation.frameworks_of(session, case),
        framework_labels=articulation.FRAMEWORK_LABELS,
        framework_form=FrameworkForm(),
        reflection=reconsideration.reflection(session, case),
        lineage=follow_up.lineage(session, case),
        drafts=follow_up.drafts_of(session, case),
        change_labels=reconsideration.CHANGES,
    )


@bp.post("/frameworks")
@allows(Capability.steer_case)
def add_framework(case: Case):
    session = db.session()
    form = FrameworkForm()
    if not form.validate_on_submit():
        invalid(form)
        return redirect(url_for(".articulation_page", case_id=case.id) + "#frameworks")
    articulation.add_framework(
        session,
        case,
        actor=current_user,
        kind=FrameworkKind(form.kind.data),
        description=form.description.data,
        amendment_note=form.amendment_note.data or "",
    )
    return done(_("The framework is added."), ".articulation_page", case.id, "#frameworks")


@bp.post("/frameworks/<int:framework_id>/delete")
@allows(Capability.steer_case)
def remove_framework(case: Case, framework_id: int):
    session = db.session()
    if ConfirmForm().validate_on_submit():
        articulation.remove_framework(
            session, case, framework_id, actor=current_user, amendment_note=request.form.get("amendment_note", "")
        )
    return done(_("The framework is removed."), ".articulation_page", case.id, "#frameworks")
