"""The workbench: stakeholder analysis."""

from flask import request
from flask_babel import gettext as _
from flask_login import current_user

from ...access import Capability, allows
from ...core import db
from ...models import Case
from ...question import stakeholders
from ...web.forms import (
    ConfirmForm,
    StakeholderForm,
)
from ...workflow.phases import in_phase
from . import bp, done, page


def _stakeholder_fields(form: StakeholderForm) -> stakeholders.StakeholderFields:
    return stakeholders.StakeholderFields(
        **{
            name: (getattr(form, name).data or "").strip()
            for name in (
                "name",
                "category",
                "strengths",
                "weaknesses",
                "history",
                "untapped_potential",
                "risk_willingness",
                "mobilisation",
            )
        },
        interest=form.interest.data,
        influence=form.influence.data,
        usual_partner=form.usual_partner.data == "usual",
    )


def _stakeholders_page(session, case, form):
    register = stakeholders.stakeholders_of(session, case)
    return page(
        "workbench/stakeholders.html",
        case,
        form=form,
        stakeholders=register,
        points=stakeholders.grid(register),
        cell=stakeholders.GRID_CELL,
        margin=stakeholders.GRID_MARGIN,
        only_usual=stakeholders.only_usual_partners(register),
        questions=stakeholders.COMPLETENESS_QUESTIONS,
        editable=in_phase(case, "stakeholders_editable"),
    )


@bp.get("/stakeholders")
@allows(Capability.read_cases)
def stakeholders_page(case: Case):
    session = db.session()
    return _stakeholders_page(session, case, StakeholderForm())


@bp.post("/stakeholders")
@allows(Capability.steer_case)
def add_stakeholder(case: Case):
    session = db.session()
    form = StakeholderForm()
    if not form.validate_on_submit():
        return _stakeholders_page(session, case, form), 400
    stakeholders.add_stakeholder(session, case, actor=current_user, fields=_stakeholder_fields(form))
    return done(_("The stakeholder is added."), ".stakeholders_page", case.id)


@bp.route("/stakeholders/<int:stakeholder_id>/edit", methods=["GET", "POST"])
@allows(Capability.steer_case)
def edit_stakeholder(case: Case, stakeholder_id: int):
    session = db.session()
    stakeholder = stakeholders.get_stakeholder(session, case, stakeholder_id)
    form = StakeholderForm(obj=stakeholder)
    if request.method == "GET":
        form.usual_partner.data = "usual" if stakeholder.usual_partner else "surprising"
    if form.validate_on_submit():
        stakeholders.update_stakeholder(
            session, case, stakeholder, actor=current_user, fields=_stakeholder_fields(form)
        )
        return done(_("The stakeholder is saved."), ".stakeholders_page", case.id)
    return page("workbench/stakeholder_form.html", case, form=form, stakeholder=stakeholder)


@bp.post("/stakeholders/<int:stakeholder_id>/delete")
@allows(Capability.steer_case)
def remove_stakeholder(case: Case, stakeholder_id: int):
    session = db.session()
    stakeholder = stakeholders.get_stakeholder(session, case, stakeholder_id)
    if ConfirmForm().validate_on_submit():
        stakeholders.remove_stakeholder(session, case, stakeholder, actor=current_user)
    return done(_("The stakeholder is removed."), ".stakeholders_page", case.id)
