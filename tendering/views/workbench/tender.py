"""The workbench: coalition forming and tender set-up."""

from flask import redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...access import Capability, allows
from ...core import db
from ...core.i18n import local_to_utc, utc_to_local
from ...models import Case, ContactKind, FrameworkKind
from ...procurement import stages, strategy
from ...question import articulation, tender_rules, tender_setup
from ...web.forms import (
    ConfirmForm,
    ContactForm,
    CriterionForm,
    EvaluationRulesForm,
    ProcedureForm,
    StrategyCountForm,
    VariantForm,
)
from . import bp, done, invalid, page


@bp.get("/coalition-forming")
@allows(Capability.read_cases)
def coalition_forming_page(case: Case):
    session = db.session()
    return page(
        "workbench/coalition_forming.html",
        case,
        moments=tender_setup.contact_moments_of(session, case),
        interests=tender_setup.interests_of(session, case),
        contact_form=ContactForm(),
    )


@bp.post("/contacts")
@allows(Capability.steer_case)
def log_contact(case: Case):
    session = db.session()
    form = ContactForm()
    if not form.validate_on_submit():
        invalid(form)
        return redirect(url_for(".coalition_forming_page", case_id=case.id))
    tender_setup.log_contact(
        session,
        case,
        actor=current_user,
        kind=ContactKind(form.kind.data),
        held_on=form.held_on.data,
        with_whom=form.with_whom.data,
        result=form.result.data or "",
    )
    return done(_("The contact moment is logged."), ".coalition_forming_page", case.id)


@bp.get("/tender")
@allows(Capability.read_cases)
def tender_page(case: Case):
    session = db.session()
    criteria = tender_setup.criteria_of(session, case)
    procedure = ProcedureForm(
        data={
            "clarification_deadline": utc_to_local(case.clarification_deadline),
            "submission_deadline": utc_to_local(case.submission_deadline),
            "expected_award_on": case.expected_award_on,
            "min_partners": case.min_partners,
            "standstill_days": case.standstill_days,
            "national_procedure": case.national_procedure,
            "standstill_reason": case.standstill_reason,
        }
    )
    return page(
        "workbench/tender.html",
        case,
        criteria_groups=stages.criteria_groups(case, criteria),
        two_stage=stages.two_stage(case),
        strategy_count_form=StrategyCountForm(strategies_to_choose=case.strategies_to_choose),
        price_warning=tender_setup.price_outweighs_the_rest(criteria),
        criterion_form=CriterionForm(),
        procedure_form=procedure,
        rules_form=EvaluationRulesForm(
            data={"consensus_joint": case.consensus_joint, "shared_partners_allowed": case.shared_partners_allowed}
        ),
        variant_form=VariantForm(workflow=case.workflow),
        minimum_requirements=[
            f for f in articulation.frameworks_of(session, case) if f.kind == FrameworkKind.minimum_requirement
        ],
    )


@bp.post("/criteria")
@allows(Capability.steer_case)
def add_criterion(case: Case):
    session = db.session()
    form = CriterionForm()
    if not form.validate_on_submit():
        invalid(form)
        return redirect(url_for(".tender_page", case_id=case.id) + "#criteria")
    tender_setup.add_criterion(
        session,
        case,
        actor=current_user,
        fields=tender_setup.CriterionFields(
            name=form.name.data.strip(),
            weight=form.weight.data,
            scale_max=form.scale_max.data,
            description=(form.description.data or "").strip(),
            is_price=form.is_price.data,
            price_formula=form.price_formula.data or "",
            stage=form.stage.data or "",
        ),
        amendment_note=form.amendment_note.data or "",
    )
    return done(_("The criterion is added."), ".tender_page", case.id, "#criteria")


@bp.post("/criteria/<int:criterion_id>/delete")
@allows(Capability.steer_case)
def remove_criterion(case: Case, criterion_id: int):
    session = db.session()
    criterion = tender_setup.get_criterion(session, case, criterion_id)
    if ConfirmForm().validate_on_submit():
        tender_setup.remove_criterion(
            session, case, criterion, actor=current_user, amendment_note=request.form.get("amendment_note", "")
        )
    return done(_("The criterion is removed."), ".tender_page", case.id, "#criteria")


@bp.post("/procedure")
@allows(Capability.steer_case)
def set_procedure(case: Case):
    session = db.session()
    form = ProcedureForm()
    if not form.validate_on_submit():
        invalid(form)
        return redirect(url_for(".tender_page", case_id=case.id) + "#procedure")
    tender_setup.set_procedure(
        session,
        case,
        actor=current_user,
        clarification_deadline=local_to_utc(form.clarification_deadline.data),
        submission_deadline=local_to_utc(form.submission_deadline.data),
        min_partners=form.min_partners.data,
        standstill_days=form.standstill_days.data,
        national_procedure=form.national_procedure.data,
        standstill_reason=form.standstill_reason.data or "",
        expected_award_on=form.expected_award_on.data,
        amendment_note=form.amendment_note.data or "",
    )
    return done(_("The procedure is saved."), ".tender_page", case.id, "#procedure")


@bp.post("/evaluation-rules")
@allows(Capability.steer_case)
def set_evaluation_rules(case: Case):
    form = EvaluationRulesForm()
    if not form.validate_on_submit():
        invalid(form)
        return redirect(url_for(".tender_page", case_id=case.id) + "#evaluation-rules")
    tender_rules.set_evaluation_rules(
        db.session(),
        case,
        actor=current_user,
        consensus_joint=form.consensus_joint.data,
        shared_partners_allowed=form.shared_partners_allowed.data,
        amendment_note=form.amendment_note.data or "",
    )
    return done(_("The evaluation rules are saved."), ".tender_page", case.id, "#evaluation-rules")


@bp.post("/variant")
@allows(Capability.steer_case)
def set_variant(case: Case):
    session = db.session()
    form = VariantForm()
    if not form.validate_on_submit():
        invalid(form)
        return redirect(url_for(".tender_page", case_id=case.id))
    tender_setup.set_variant(session, case, actor=current_user, workflow=form.workflow.data)
    return done(_("The procedure is saved."), ".tender_page", case.id)


@bp.post("/strategies")
@allows(Capability.steer_case)
def set_strategy_count(case: Case):
    form = StrategyCountForm()
    if not form.validate_on_submit():
        invalid(form)
        return redirect(url_for(".tender_page", case_id=case.id))
    strategy.set_strategies_to_choose(
        db.session(),
        case,
        actor=current_user,
        count=form.strategies_to_choose.data,
        amendment_note=form.amendment_note.data or "",
    )
    return done(_("The number of strategies to choose is saved."), ".tender_page", case.id)
