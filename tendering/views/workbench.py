"""The official's workbench: one page per phase of the upper half of the cycle."""

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import articulation, clarifications, db, question_document, stakeholders, suitability, tender_setup
from ..access import Capability, allows
from ..cases import outcomes_of
from ..errors import NotFound
from ..forms import (
    AnswerForm,
    ConfirmForm,
    ContactForm,
    CriterionForm,
    FrameworkForm,
    ProcedureForm,
    StakeholderForm,
    SuitabilityForm,
    VariantForm,
)
from ..i18n import local_to_utc, utc_to_local
from ..models import Case, ContactKind, FrameworkKind
from ..tender_lock import needs_amendment
from ..workflow.phases import in_phase

bp = Blueprint("workbench", __name__, url_prefix="/cases/<int:case_id>")


def _page(template: str, case, **context):
    return render_template(
        template,
        case=case,
        amending=needs_amendment(case),
        confirm=ConfirmForm(),
        **context,
    )


def _done(message: str, endpoint: str, case_id: int, anchor: str = ""):
    flash(message, "success")
    return redirect(url_for(endpoint, case_id=case_id) + anchor)


def _invalid(form) -> None:
    for field, errors in form.errors.items():
        label = getattr(form, field).label.text if hasattr(form, field) else field
        flash(f"{label}: {' '.join(errors)}", "error")


# --- question articulation ---------------------------------------------------


@bp.get("/articulation")
@allows(Capability.read_cases)
def articulation_page(case: Case):
    session = db.session()
    return _page(
        "workbench/articulation.html",
        case,
        flags=articulation.coach_question(case.question),
        examples=articulation.METHOD_EXAMPLES,
        attention_points=articulation.ATTENTION_POINTS,
        outcomes=outcomes_of(session, case),
        frameworks=articulation.frameworks_of(session, case),
        framework_labels=articulation.FRAMEWORK_LABELS,
        framework_form=FrameworkForm(),
    )


@bp.post("/frameworks")
@allows(Capability.steer_case)
def add_framework(case: Case):
    session = db.session()
    form = FrameworkForm()
    if not form.validate_on_submit():
        _invalid(form)
        return redirect(url_for(".articulation_page", case_id=case.id) + "#frameworks")
    articulation.add_framework(
        session, case, actor=current_user, kind=FrameworkKind(form.kind.data), description=form.description.data,
        amendment_note=form.amendment_note.data or "",
    )
    return _done(_("The framework is added."), ".articulation_page", case.id, "#frameworks")


@bp.post("/frameworks/<int:framework_id>/delete")
@allows(Capability.steer_case)
def remove_framework(case: Case, framework_id: int):
    session = db.session()
    if ConfirmForm().validate_on_submit():
        articulation.remove_framework(
            session, case, framework_id, actor=current_user, amendment_note=request.form.get("amendment_note", "")
        )
    return _done(_("The framework is removed."), ".articulation_page", case.id, "#frameworks")


# --- suitability ---------------------------------------------------------------


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
    return _page(
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
    return _done(_("The suitability assessment is saved."), ".suitability_page", case.id)


# --- stakeholder analysis --------------------------------------------------------


def _stakeholder_fields(form: StakeholderForm) -> stakeholders.StakeholderFields:
    return stakeholders.StakeholderFields(
        **{name: (getattr(form, name).data or "").strip() for name in (
            "name", "category", "strengths", "weaknesses", "history", "untapped_potential", "risk_willingness", "mobilisation",
        )},
        interest=form.interest.data,
        influence=form.influence.data,
        usual_partner=form.usual_partner.data == "usual",
    )


def _stakeholders_page(session, case, form):
    register = stakeholders.stakeholders_of(session, case)
    return _page(
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
    return _done(_("The stakeholder is added."), ".stakeholders_page", case.id)


@bp.route("/stakeholders/<int:stakeholder_id>/edit", methods=["GET", "POST"])
@allows(Capability.steer_case)
def edit_stakeholder(case: Case, stakeholder_id: int):
    session = db.session()
    stakeholder = stakeholders.get_stakeholder(session, case, stakeholder_id)
    form = StakeholderForm(obj=stakeholder)
    if request.method == "GET":
        form.usual_partner.data = "usual" if stakeholder.usual_partner else "surprising"
    if form.validate_on_submit():
        stakeholders.update_stakeholder(session, case, stakeholder, actor=current_user, fields=_stakeholder_fields(form))
        return _done(_("The stakeholder is saved."), ".stakeholders_page", case.id)
    return _page("workbench/stakeholder_form.html", case, form=form, stakeholder=stakeholder)


@bp.post("/stakeholders/<int:stakeholder_id>/delete")
@allows(Capability.steer_case)
def remove_stakeholder(case: Case, stakeholder_id: int):
    session = db.session()
    stakeholder = stakeholders.get_stakeholder(session, case, stakeholder_id)
    if ConfirmForm().validate_on_submit():
        stakeholders.remove_stakeholder(session, case, stakeholder, actor=current_user)
    return _done(_("The stakeholder is removed."), ".stakeholders_page", case.id)


# --- coalition forming and tender set-up ------------------------------------------


@bp.get("/coalition-forming")
@allows(Capability.read_cases)
def coalition_forming_page(case: Case):
    session = db.session()
    return _page(
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
        _invalid(form)
        return redirect(url_for(".coalition_forming_page", case_id=case.id))
    tender_setup.log_contact(
        session, case, actor=current_user, kind=ContactKind(form.kind.data), held_on=form.held_on.data,
        with_whom=form.with_whom.data, result=form.result.data or "",
    )
    return _done(_("The contact moment is logged."), ".coalition_forming_page", case.id)


@bp.get("/tender")
@allows(Capability.read_cases)
def tender_page(case: Case):
    session = db.session()
    criteria = tender_setup.criteria_of(session, case)
    procedure = ProcedureForm(
        data={
            "clarification_deadline": utc_to_local(case.clarification_deadline),
            "submission_deadline": utc_to_local(case.submission_deadline),
            "min_partners": case.min_partners,
            "standstill_days": case.standstill_days,
        }
    )
    return _page(
        "workbench/tender.html",
        case,
        criteria=criteria,
        total=tender_setup.weight_total(criteria),
        price_warning=tender_setup.price_outweighs_the_rest(criteria),
        criterion_form=CriterionForm(),
        procedure_form=procedure,
        variant_form=VariantForm(workflow=case.workflow),
        minimum_requirements=[f for f in articulation.frameworks_of(session, case) if f.kind == FrameworkKind.minimum_requirement],
    )


@bp.post("/criteria")
@allows(Capability.steer_case)
def add_criterion(case: Case):
    session = db.session()
    form = CriterionForm()
    if not form.validate_on_submit():
        _invalid(form)
        return redirect(url_for(".tender_page", case_id=case.id) + "#criteria")
    tender_setup.add_criterion(
        session,
        case,
        actor=current_user,
        fields=tender_setup.CriterionFields(
            name=form.name.data.strip(), weight=form.weight.data, scale_max=form.scale_max.data,
            description=(form.description.data or "").strip(), is_price=form.is_price.data,
            price_formula=form.price_formula.data or "",
        ),
        amendment_note=form.amendment_note.data or "",
    )
    return _done(_("The criterion is added."), ".tender_page", case.id, "#criteria")


@bp.post("/criteria/<int:criterion_id>/delete")
@allows(Capability.steer_case)
def remove_criterion(case: Case, criterion_id: int):
    session = db.session()
    criterion = tender_setup.get_criterion(session, case, criterion_id)
    if ConfirmForm().validate_on_submit():
        tender_setup.remove_criterion(
            session, case, criterion, actor=current_user, amendment_note=request.form.get("amendment_note", "")
        )
    return _done(_("The criterion is removed."), ".tender_page", case.id, "#criteria")


@bp.post("/procedure")
@allows(Capability.steer_case)
def set_procedure(case: Case):
    session = db.session()
    form = ProcedureForm()
    if not form.validate_on_submit():
        _invalid(form)
        return redirect(url_for(".tender_page", case_id=case.id) + "#procedure")
    tender_setup.set_procedure(
        session,
        case,
        actor=current_user,
        clarification_deadline=local_to_utc(form.clarification_deadline.data),
        submission_deadline=local_to_utc(form.submission_deadline.data),
        min_partners=form.min_partners.data,
        standstill_days=form.standstill_days.data,
        amendment_note=form.amendment_note.data or "",
    )
    return _done(_("The procedure is saved."), ".tender_page", case.id, "#procedure")


@bp.post("/variant")
@allows(Capability.steer_case)
def set_variant(case: Case):
    session = db.session()
    form = VariantForm()
    if not form.validate_on_submit():
        _invalid(form)
        return redirect(url_for(".tender_page", case_id=case.id))
    tender_setup.set_variant(session, case, actor=current_user, workflow=form.workflow.data)
    return _done(_("The procedure is saved."), ".tender_page", case.id)


# --- the question document ------------------------------------------------------------


@bp.get("/document")
@allows(Capability.read_cases)
def document_page(case: Case):
    session = db.session()
    return _page("workbench/document.html", case, versions=question_document.versions(session, case))


@bp.get("/document/preview")
@allows(Capability.read_cases)
def document_preview(case: Case):
    session = db.session()
    return _document_page_html(session, case, None, pdf=False)


def _document_page_html(session, case, version: int | None, *, pdf: bool) -> str:
    document = None
    if version is not None:
        document = next((d for d in question_document.versions(session, case) if d.version == version), None)
        if document is None:
            raise NotFound(_("This version does not exist."))
    body = None if document else question_document.render_body(session, case)
    return render_template("documents/page.html", case=case, document=document, body=body, pdf=pdf)


@bp.get("/document.pdf")
@allows(Capability.read_cases)
def document_pdf(case: Case):
    session = db.session()
    version = request.args.get("version", type=int)
    pdf = question_document.to_pdf(_document_page_html(session, case, version, pdf=True))
    name = f"{case.reference}-vraagdocument{'-v%d' % version if version else '-concept'}.pdf"
    return Response(pdf, mimetype="application/pdf", headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/document.docx")
@allows(Capability.read_cases)
def document_docx(case: Case):
    session = db.session()
    return Response(
        question_document.to_docx(session, case),
        mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        headers={"Content-Disposition": f'attachment; filename="{case.reference}-vraagdocument.docx"'},
    )


# --- clarification round -----------------------------------------------------------------


@bp.get("/clarifications")
@allows(Capability.read_cases)
def clarifications_page(case: Case):
    session = db.session()
    return _page(
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
        _invalid(form)
        return redirect(url_for(".clarifications_page", case_id=case.id))
    clarifications.answer(session, case, clarification, actor=current_user, text=form.answer.data)
    return _done(_("The answer is saved; publish it in the next nota van inlichtingen."), ".clarifications_page", case.id)


@bp.post("/notas")
@allows(Capability.steer_case)
def publish_nota(case: Case):
    session = db.session()
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for(".clarifications_page", case_id=case.id))
    number = clarifications.publish_nota(session, case, actor=current_user)
    return _done(_("Nota van inlichtingen %(number)d is published.", number=number), ".clarifications_page", case.id)
