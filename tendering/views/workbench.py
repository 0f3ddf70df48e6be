"""The official's workbench: one page per phase of the upper half of the cycle."""

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import articulation, clarifications, db, question_document, stakeholders, suitability, tender_setup
from ..cases import can_steer_case, get_case, outcomes_of
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
from ..models import ContactKind, FrameworkKind, Role
from ..security import roles_required
from ..tender_lock import can_change_tender, needs_amendment
from ..workflow.phases import in_phase

bp = Blueprint("workbench", __name__, url_prefix="/cases/<int:case_id>")
readers = roles_required(Role.official, Role.council_member)
officials = roles_required(Role.official)


def _page(template: str, case, **context):
    return render_template(
        template,
        case=case,
        can_steer=can_steer_case(current_user),
        can_change=can_change_tender(case),
        amending=needs_amendment(case),
        confirm=ConfirmForm(),
        **context,
    )


def _done(message: str, endpoint: str, case_id: int, anchor: str = ""):
    db.commit()
    flash(message, "success")
    return redirect(url_for(endpoint, case_id=case_id) + anchor)


def _invalid(form) -> None:
    for field, errors in form.errors.items():
        label = getattr(form, field).label.text if hasattr(form, field) else field
        flash(f"{label}: {' '.join(errors)}", "error")


# --- question articulation ---------------------------------------------------


@bp.get("/articulation")
@readers
def articulation_page(case_id: int):
    session = db.session()
    case = get_case(session, case_id)
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
@officials
def add_framework(case_id: int):
    session = db.session()
    case = get_case(session, case_id)
    form = FrameworkForm()
    if not form.validate_on_submit():
        _invalid(form)
        return redirect(url_for(".articulation_page", case_id=case_id) + "#frameworks")
    articulation.add_framework(
        session, case, actor=current_user, kind=FrameworkKind(form.kind.data), description=form.description.data,
        amendment_note=form.amendment_note.data or "",
    )
    return _done(_("The framework is added."), ".articulation_page", case_id, "#frameworks")


@bp.post("/frameworks/<int:framework_id>/delete")
@officials
def remove_framework(case_id: int, framework_id: int):
    session = db.session()
    case = get_case(session, case_id)
    if ConfirmForm().validate_on_submit():
        articulation.remove_framework(
            session, case, framework_id, actor=current_user, amendment_note=request.form.get("amendment_note", "")
        )
    return _done(_("The framework is removed."), ".articulation_page", case_id, "#frameworks")


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
@readers
def suitability_page(case_id: int):
    session = db.session()
    return _suitability_page(session, get_case(session, case_id), None)


@bp.post("/suitability")
@officials
def record_suitability(case_id: int):
    session = db.session()
    case = get_case(session, case_id)
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
@readers
def stakeholders_page(case_id: int):
    session = db.session()
    return _stakeholders_page(session, get_case(session, case_id), StakeholderForm())


@bp.post("/stakeholders")
@officials
def add_stakeholder(case_id: int):
    session = db.session()
    case = get_case(session, case_id)
    form = StakeholderForm()
    if not form.validate_on_submit():
        return _stakeholders_page(session, case, form), 400
    stakeholders.add_stakeholder(session, case, actor=current_user, fields=_stakeholder_fields(form))
    return _done(_("The stakeholder is added."), ".stakeholders_page", case_id)


@bp.route("/stakeholders/<int:stakeholder_id>/edit", methods=["GET", "POST"])
@officials
def edit_stakeholder(case_id: int, stakeholder_id: int):
    session = db.session()
    case = get_case(session, case_id)
    stakeholder = stakeholders.get_stakeholder(session, case, stakeholder_id)
    form = StakeholderForm(obj=stakeholder)
    if request.method == "GET":
        form.usual_partner.data = "usual" if stakeholder.usual_partner else "surprising"
    if form.validate_on_submit():
        stakeholders.update_stakeholder(session, case, stakeholder, actor=current_user, fields=_stakeholder_fields(form))
        return _done(_("The stakeholder is saved."), ".stakeholders_page", case_id)
    return _page("workbench/stakeholder_form.html", case, form=form, stakeholder=stakeholder)


@bp.post("/stakeholders/<int:stakeholder_id>/delete")
@officials
def remove_stakeholder(case_id: int, stakeholder_id: int):
    session = db.session()
    case = get_case(session, case_id)
    stakeholder = stakeholders.get_stakeholder(session, case, stakeholder_id)
    if ConfirmForm().validate_on_submit():
        stakeholders.remove_stakeholder(session, case, stakeholder, actor=current_user)
    return _done(_("The stakeholder is removed."), ".stakeholders_page", case_id)


# --- coalition forming and tender set-up ------------------------------------------


@bp.get("/coalition-forming")
@readers
def coalition_forming_page(case_id: int):
    session = db.session()
    case = get_case(session, case_id)
    return _page(
        "workbench/coalition_forming.html",
        case,
        moments=tender_setup.contact_moments_of(session, case),
        interests=tender_setup.interests_of(session, case),
        contact_form=ContactForm(),
    )


@bp.post("/contacts")
@officials
def log_contact(case_id: int):
    session = db.session()
    case = get_case(session, case_id)
    form = ContactForm()
    if not form.validate_on_submit():
        _invalid(form)
        return redirect(url_for(".coalition_forming_page", case_id=case_id))
    tender_setup.log_contact(
        session, case, actor=current_user, kind=ContactKind(form.kind.data), held_on=form.held_on.data,
        with_whom=form.with_whom.data, result=form.result.data or "",
    )
    return _done(_("The contact moment is logged."), ".coalition_forming_page", case_id)


@bp.get("/tender")
@readers
def tender_page(case_id: int):
    session = db.session()
    case = get_case(session, case_id)
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
@officials
def add_criterion(case_id: int):
    session = db.session()
    case = get_case(session, case_id)
    form = CriterionForm()
    if not form.validate_on_submit():
        _invalid(form)
        return redirect(url_for(".tender_page", case_id=case_id) + "#criteria")
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
    return _done(_("The criterion is added."), ".tender_page", case_id, "#criteria")


@bp.post("/criteria/<int:criterion_id>/delete")
@officials
def remove_criterion(case_id: int, criterion_id: int):
    session = db.session()
    case = get_case(session, case_id)
    criterion = tender_setup.get_criterion(session, case, criterion_id)
    if ConfirmForm().validate_on_submit():
        tender_setup.remove_criterion(
            session, case, criterion, actor=current_user, amendment_note=request.form.get("amendment_note", "")
        )
    return _done(_("The criterion is removed."), ".tender_page", case_id, "#criteria")


@bp.post("/procedure")
@officials
def set_procedure(case_id: int):
    session = db.session()
    case = get_case(session, case_id)
    form = ProcedureForm()
    if not form.validate_on_submit():
        _invalid(form)
        return redirect(url_for(".tender_page", case_id=case_id) + "#procedure")
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
    return _done(_("The procedure is saved."), ".tender_page", case_id, "#procedure")


@bp.post("/variant")
@officials
def set_variant(case_id: int):
    session = db.session()
    case = get_case(session, case_id)
    form = VariantForm()
    if not form.validate_on_submit():
        _invalid(form)
        return redirect(url_for(".tender_page", case_id=case_id))
    tender_setup.set_variant(session, case, actor=current_user, workflow=form.workflow.data)
    return _done(_("The procedure is saved."), ".tender_page", case_id)


# --- the question document ------------------------------------------------------------


@bp.get("/document")
@readers
def document_page(case_id: int):
    session = db.session()
    case = get_case(session, case_id)
    return _page("workbench/document.html", case, versions=question_document.versions(session, case))


@bp.get("/document/preview")
@readers
def document_preview(case_id: int):
    session = db.session()
    return _document_page_html(session, get_case(session, case_id), None, pdf=False)


def _document_page_html(session, case, version: int | None, *, pdf: bool) -> str:
    document = None
    if version is not None:
        document = next((d for d in question_document.versions(session, case) if d.version == version), None)
        if document is None:
            raise NotFound(_("This version does not exist."))
    body = None if document else question_document.render_body(session, case)
    return render_template("documents/page.html", case=case, document=document, body=body, pdf=pdf)


@bp.get("/document.pdf")
@readers
def document_pdf(case_id: int):
    session = db.session()
    case = get_case(session, case_id)
    version = request.args.get("version", type=int)
    pdf = question_document.to_pdf(_document_page_html(session, case, version, pdf=True))
    name = f"{case.reference}-vraagdocument{'-v%d' % version if version else '-concept'}.pdf"
    return Response(pdf, mimetype="application/pdf", headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/document.docx")
@readers
def document_docx(case_id: int):
    session = db.session()
    case = get_case(session, case_id)
    return Response(
        question_document.to_docx(session, case),
        mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        headers={"Content-Disposition": f'attachment; filename="{case.reference}-vraagdocument.docx"'},
    )


# --- clarification round -----------------------------------------------------------------


@bp.get("/clarifications")
@officials
def clarifications_page(case_id: int):
    session = db.session()
    case = get_case(session, case_id)
    return _page(
        "workbench/clarifications.html",
        case,
        questions=clarifications.all_questions(session, case),
        notas=clarifications.notas_of(session, case),
        answer_form=AnswerForm(),
    )


@bp.post("/clarifications/<int:clarification_id>/answer")
@officials
def answer_clarification(case_id: int, clarification_id: int):
    session = db.session()
    case = get_case(session, case_id)
    clarification = clarifications.get(session, case, clarification_id)
    form = AnswerForm()
    if not form.validate_on_submit():
        _invalid(form)
        return redirect(url_for(".clarifications_page", case_id=case_id))
    clarifications.answer(session, case, clarification, actor=current_user, text=form.answer.data)
    return _done(_("The answer is saved; publish it in the next nota van inlichtingen."), ".clarifications_page", case_id)


@bp.post("/notas")
@officials
def publish_nota(case_id: int):
    session = db.session()
    case = get_case(session, case_id)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for(".clarifications_page", case_id=case_id))
    number = clarifications.publish_nota(session, case, actor=current_user)
    return _done(_("Nota van inlichtingen %(number)d is published.", number=number), ".clarifications_page", case_id)
