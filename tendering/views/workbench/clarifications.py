"""The workbench: clarification round."""

from flask import redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...access import Capability, allows
from ...core import db
from ...models import Case
from ...question import clarifications
from ...web.forms import (
    AnswerForm,
    ConfirmForm,
)
from . import bp, done, invalid, page


@bp.get("/clarifications")
@allows(Capability.read_cases)
def clarifications_page(case: Case):
    session = db.session()
    return page(
        "workbench/clarifications.html",
        case,
        questions=clarifications.all_questions(session, case),
        notas=clarifications.notas_of(session, case),
        answer_form=AnswerForm(),
    )


@bp.post("/clarifications/<int:clarification_id>/answer")
@allows(Capability.steer_case)
def answer_clarification(case: Case, clarification_id: int):
    session = db.session()
    clarification = clarifications.get(session, case, clarification_id)
    form = AnswerForm()
    if not form.validate_on_submit():
        invalid(form)
        return redirect(url_for(".clarifications_page", case_id=case.id))
    clarifications.answer(session, case, clarification, actor=current_user, text=form.answer.data)
    return done(
        _("The answer is saved; publish it in the next nota van inlichtingen."), ".clarifications_page", case.id
    )


@bp.post("/notas")
@allows(Capability.steer_case)
def publish_nota(case: Case):
    session = db.session()
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for(".clarifications_page", case_id=case.id))
    number = clarifications.publish_nota(session, case, actor=current_user)
    return done(_("Nota van inlichtingen %(number)d is published.", number=number), ".clarifications_page", case.id)
