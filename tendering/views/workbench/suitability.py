"""The workbench: suitability."""

from flask_babel import gettext as _
from flask_login import current_user

from ...access import Capability, allows
from ...core import db
from ...models import Case
from ...question import suitability
from ...web.forms import (
    SuitabilityForm,
)
from ...workflow.phases import in_phase
from . import bp, done, page


def _suitability_form(answers=None):
    form_class = SuitabilityForm.for_questions(suitability.QUESTIONS)
    if answers is None:
        return form_class()
    return form_class(
        data={
            **{f"{q}_answer": ("yes" if a.answer else "no") for q, a in answers.items()},
            **{f"{q}_motivation": a.motivation for q, a in answers.items()},
        }
    )


def _suitability_page(session, case, form):
    answers = suitability.answers_of(session, case)
    return page(
        "workbench/suitability.html",
        case,
        form=form or _suitability_form(answers),
        questions=suitability.QUESTIONS,
        conditions=suitability.SUITABILITY_CONDITIONS,
        answers=answers,
        conditions_met=suitability.conditions_met(answers),
        editable=in_phase(case, "suitability_open"),
    )


@bp.get("/suitability")
@allows(Capability.read_cases)
def suitability_page(case: Case):
    session = db.session()
    return _suitability_page(session, case, None)


@bp.post("/suitability")
@allows(Capability.steer_case)
def record_suitability(case: Case):
    session = db.session()
    form = _suitability_form()
    if not form.validate_on_submit():
        return _suitability_page(session, case, form), 400
    suitability.record_suitability(
        session,
        case,
        actor=current_user,
        answers=[
            suitability.Answer(q, form[f"{q}_answer"].data == "yes", form[f"{q}_motivation"].data)
            for q in suitability.QUESTIONS
        ],
    )
    return done(_("The suitability assessment is saved."), ".suitability_page", case.id)
