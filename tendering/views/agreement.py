"""Negotiating the agreement and reading it as a document (HTML, PDF)."""

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ..access import Capability, allows, may
from ..core import db
from ..core.errors import DomainError, NotFound
from ..models import Case, Direction, Indicator, PartialRule, PaymentKind, User
from ..question import follow_up
from ..question.cases import outcomes_of
from ..question.question_document import to_pdf
from ..realisation import agreement, agreement_design, payments
from ..web.forms import (
    AgreementCommentForm,
    AgreementForm,
    ApproveAgreementForm,
    ArrangementProposalForm,
    IndicatorForm,
    IndicatorProposalForm,
    PaymentProposalForm,
    PaymentTermForm,
    ProposalDecisionForm,
    RiskSharingProposalForm,
)

bp = Blueprint("agreement", __name__, url_prefix="/cases/<int:case_id>/agreement")


def _agreement_form(basis, current, validator=None) -> AgreementForm:
    if current:
        form = AgreementForm(obj=current, validator_email=validator.email if validator else "")
    else:
        form = AgreementForm(budget=basis.proposal.price if basis else None)
    form.report_cadence.choices = [(key, str(label)) for key, label in agreement.FREQUENCIES.items()]
    form.overseers.choices = [(key, str(label)) for key, label in agreement.OVERSEERS.items()]
    return form


def _indicator_form(session, case, form_class=IndicatorForm, **prefill) -> IndicatorForm:
    form = form_class(**prefill)
    form.outcome_id.choices = [(0, _("— none —"))] + [(o.id, o.description[:120]) for o in outcomes_of(session, case)]
    form.direction.choices = [(d.value, str(label)) for d, label in agreement.DIRECTIONS.items()]
    form.frequency.choices = [(key, str(label)) for key, label in agreement.FREQUENCIES.items()]
    return form


def _payment_form(session, current, form_class=PaymentTermForm, formdata=None):
    form = form_class(prefix="payment") if formdata is None else formdata
    form.kind.choices = [SelectChoice(k.value, str(label)) for k, label in payments.KINDS.items()]
    form.partial.choices = [SelectChoice("", _("— not an outcome payment —"))] + [
        SelectChoice(k.value, str(label)) for k, label in payments.PARTIAL_RULES.items()
    ]
    form.indicator_id.choices = [SelectChoice(0, _("— not an outcome payment —"))] + [
        SelectChoice(i.id, i.name) for i in (agreement.indicators_of(session, current) if current else [])
    ]
    return form


def _term_fields(session, current, form) -> payments.TermFields:
    optional = lambda value: None if value is None else float(value)
    partners = {name.casefold(): i for i, name in payments.partner_names(session, current).items()}
    return payments.TermFields(
        kind=PaymentKind(form.kind.data),
        description=form.description.data,
        amount=form.amount.data,
        due_on=form.due_on.data,
        deliverable=form.deliverable.data or "",
        indicator_id=form.indicator_id.data or None,
        reference_value=optional(form.reference_value.data),
        target_value=optional(form.target_value.data),
        partial=PartialRule(form.partial.data) if form.partial.data else None,
        rate=form.rate.data,
        step=optional(form.step.data),
        shares=payments.parse_shares(form.shares.data, partners),
    )


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _prefill(session, case, indicators) -> tuple[dict, Indicator | None, object]:
    """What the indicator form starts from: an agreed indicator to propose a change of (`?change=`), or an
    inherited indicator of the earlier case to take over (`?take_over=`), its target set by the parties."""
    changing = next((i for i in indicators if i.id == _int(request.args.get("change"))), None)
    if changing is not None:
        return vars(agreement_design.fields_of(changing)) | {"direction": changing.direction.value}, changing, None
    draft_id = _int(request.args.get("take_over"))
    if draft_id is not None:
        try:
            draft = follow_up.get_draft(session, case, draft_id)
        except NotFound:
            return {}, None, None
        fields = follow_up.indicator_fields(draft)
        return fields | {"direction": draft.direction.value, "outcome_id": fields["outcome_id"] or 0}, None, draft
    return {}, None, None


def _page(session, case, *, form=None, indicator_form=None, proposal_form=None, status=200, **forms):
    basis = agreement.basis(session, case)
    current = agreement.agreement_of(session, case)
    indicators = agreement.indicators_of(session, current) if current else []
    may_edit = basis is not None and may("edit_agreement", case)
    may_propose = current is not None and current.concluded_at is None and may("propose_to_agreement", case)
    prefill, changing, draft = ({}, None, None) if request.method == "POST" else _prefill(session, case, indicators)
    if indicator_form is None:
        indicator_form = _indicator_form(session, case, **(prefill if may_edit and changing is None else {}))
    if proposal_form is None and may_propose:
        proposal_form = _indicator_form(session, case, IndicatorProposalForm, **prefill)
    history = agreement_design.history(session, current) if current else []
    validator = session.get(User, current.validator_id) if current and current.validator_id else None
    terms = payments.terms_of(session, current) if current else []
    comment_form = forms.get("comment_form") or AgreementCommentForm()
    comment_form.about.choices = [(0, _("The agreement as a whole"))] + [(i.id, i.name) for i in indicators]
    open_proposals = [
        e for e in history if e.contribution.kind in agreement_design.PROPOSALS and not e.contribution.decision
    ]
    return render_template(
        "agreement/index.html",
        case=case,
        basis=basis,
        current=current,
        indicators=indicators,
        outcomes={o.id: o for o in outcomes_of(session, case)},
        form=form or _agreement_form(basis, current, validator),
        indicator_form=indicator_form,
        proposal_form=proposal_form,
        changing=changing
        or (
            next((i for i in indicators if i.id == forms.get("changing_id")), None)
            if forms.get("changing_id")
            else None
        ),
        draft=draft,
        drafts=follow_up.drafts_of(session, case) if case.parent_case_id and (may_edit or may_propose) else [],
        arrangement_form=forms.get("arrangement_form") or ArrangementProposalForm(),
        comment_form=comment_form,
        decision_forms={
            e.contribution.id: ProposalDecisionForm(prefix=f"decide-{e.contribution.id}") for e in open_proposals
        },
        approve_form=ApproveAgreementForm(version=current.version if current else None),
        history=history,
        terms=terms,
        committed=agreement.committed(session, current.id) if current else 0,
        term_indicators={i.id: i for i in indicators},
        partners=payments.partner_names(session, current) if current else {},
        payment_kinds=payments.KINDS,
        partial_rules=payments.PARTIAL_RULES,
        payment_form=_payment_form(session, current, formdata=forms.get("payment_form")),
        payment_proposal_form=_payment_form(
            session, current, PaymentProposalForm, formdata=forms.get("payment_proposal_form")
        ),
        risk_form=forms.get("risk_form") or RiskSharingProposalForm(prefix="risk"),
        validator=validator,
        approvals=agreement_design.approvals(session, case, current) if current else None,
        may_edit=may_edit,
        may_propose=may_propose,
        may_comment=current is not None and current.concluded_at is None and may("comment_on_agreement", case),
        may_approve=current is not None and current.concluded_at is None and may("approve_agreement", case),
        sides=agreement_design.SIDES,
        kinds=agreement_design.KINDS,
        decisions=agreement_design.DECISIONS,
        frequencies=agreement.FREQUENCIES,
        overseers=agreement.OVERSEERS,
        directions=agreement.DIRECTIONS,
    ), status


@bp.get("")
@allows(Capability.negotiate_agreement)
def index(case: Case):
    session = db.session()
    return _page(session, case)


@bp.post("")
@allows(Capability.edit_agreement)
def save(case: Case):
    session = db.session()
    form = _agreement_form(None, None)
    if not form.validate_on_submit():
        return _page(session, case, form=form, status=400)
    agreement.save(
        session,
        case,
        actor=current_user,
        fields=agreement.AgreementFields(
            budget=form.budget.data,
            starts_on=form.starts_on.data,
            ends_on=form.ends_on.data,
            overseers=form.overseers.data,
            monitoring_arrangement=form.monitoring_arrangement.data,
            report_cadence=form.report_cadence.data,
            risk_sharing=form.risk_sharing.data or "",
            validator_email=form.validator_email.data or "",
        ),
    )
    flash(_("The agreement's terms are saved."), "success")
    return redirect(url_for(".index", case_id=case.id))


def _indicator_fields(form) -> agreement.IndicatorFields:
    optional = lambda value: None if value is None else float(value)
    return agreement.IndicatorFields(
        name=form.name.data,
        definition=form.definition.data,
        unit=form.unit.data or "",
        direction=Direction(form.direction.data),
        data_source=form.data_source.data,
        baseline_value=float(form.baseline_value.data),
        baseline_date=form.baseline_date.data,
        target_value=float(form.target_value.data),
        target_date=form.target_date.data,
        norm_at_risk=optional(form.norm_at_risk.data),
        norm_off_track=optional(form.norm_off_track.data),
        frequency=form.frequency.data,
        measured_by=form.measured_by.data,
        outcome_id=form.outcome_id.data or None,
        confidential=form.confidential.data,
    )


@bp.post("/indicators")
@allows(Capability.edit_agreement)
def add_indicator(case: Case):
    session = db.session()
    form = _indicator_form(session, case)
    if not form.validate_on_submit():
        return _page(session, case, indicator_form=form, status=400)
    agreement.add_indicator(session, case, actor=current_user, fields=_indicator_fields(form))
    flash(_("The indicator is added."), "success")
    return redirect(url_for(".index", case_id=case.id) + "#indicators")


@bp.post("/indicators/<int:indicator_id>/remove")
@allows(Capability.edit_agreement)
def remove_indicator(case: Case, indicator_id: int):
    session = db.session()
    agreement.remove_indicator(session, case, indicator_id, actor=current_user)
    flash(_("The indicator is removed."), "success")
    return redirect(url_for(".index", case_id=case.id) + "#indicators")


@bp.post("/payments")
@allows(Capability.edit_agreement)
def add_payment(case: Case):
    session = db.session()
    current = agreement.agreement_of(session, case)
    form = _payment_form(session, current, formdata=PaymentTermForm(prefix="payment"))
    if not form.validate_on_submit():
        return _page(session, case, payment_form=form, status=400)
    payments.add_term(session, case, actor=current_user, fields=_term_fields(session, current, form))
    flash(_("The payment is added to the schedule."), "success")
    return redirect(url_for(".index", case_id=case.id) + "#payments")


@bp.post("/payments/<int:term_id>/remove")
@allows(Capability.edit_agreement)
def remove_payment(case: Case, term_id: int):
    session = db.session()
    payments.remove_term(session, case, term_id, actor=current_user)
    flash(_("The payment is removed from the schedule."), "success")
    return redirect(url_for(".index", case_id=case.id) + "#payments")


# Designed together: proposals, comments, decisions, approvals ------------------------------------------------------


def _to_history(case):
    return redirect(url_for(".index", case_id=case.id) + "#history")


@bp.post("/proposals")
@allows(Capability.propose_to_agreement)
def propose_indicator(case: Case):
    session = db.session()
    form = _indicator_form(session, case, IndicatorProposalForm)
    if not form.validate_on_submit():
        return _page(session, case, proposal_form=form, status=400)
    agreement_design.propose_indicator(
        session, case, actor=current_user, fields=_indicator_fields(form), note=form.note.data or ""
    )
    flash(_("Your proposal is sent to the municipality."), "success")
    return _to_history(case)


@bp.post("/indicators/<int:indicator_id>/proposal")
@allows(Capability.propose_to_agreement)
def propose_change(case: Case, indicator_id: int):
    session = db.session()
    form = _indicator_form(session, case, IndicatorProposalForm)
    if not form.validate_on_submit():
        return _page(session, case, proposal_form=form, changing_id=indicator_id, status=400)
    agreement_design.propose_change(
        session, case, indicator_id, actor=current_user, fields=_indicator_fields(form), note=form.note.data or ""
    )
    flash(_("Your proposal is sent to the municipality."), "success")
    return _to_history(case)


@bp.post("/proposals/arrangement")
@allows(Capability.propose_to_agreement)
def propose_arrangement(case: Case):
    session = db.session()
    form = ArrangementProposalForm()
    if not form.validate_on_submit():
        return _page(session, case, arrangement_form=form, status=400)
    agreement_design.propose_arrangement(session, case, actor=current_user, text=form.arrangement.data)
    flash(_("Your proposal is sent to the municipality."), "success")
    return _to_history(case)


@bp.post("/proposals/payment")
@allows(Capability.propose_to_agreement)
def propose_payment(case: Case):
    session = db.session()
    current = agreement.agreement_of(session, case)
    form = _payment_form(session, current, formdata=PaymentProposalForm(prefix="payment"))
    if not form.validate_on_submit():
        return _page(session, case, payment_proposal_form=form, status=400)
    agreement_design.propose_payment(
        session, case, actor=current_user, fields=_term_fields(session, current, form), note=form.note.data or ""
    )
    flash(_("Your proposal is sent to the municipality."), "success")
    return _to_history(case)


@bp.post("/proposals/risk-sharing")
@allows(Capability.propose_to_agreement)
def propose_risk_sharing(case: Case):
    session = db.session()
    form = RiskSharingProposalForm(prefix="risk")
    if not form.validate_on_submit():
        return _page(session, case, risk_form=form, status=400)
    agreement_design.propose_risk_sharing(session, case, actor=current_user, text=form.risk_sharing.data)
    flash(_("Your proposal is sent to the municipality."), "success")
    return _to_history(case)


@bp.post("/comments")
@allows(Capability.comment_on_agreement)
def comment(case: Case):
    session = db.session()
    form = AgreementCommentForm()
    current = agreement.agreement_of(session, case)
    form.about.choices = [(0, "")] + [
        (i.id, i.name) for i in (agreement.indicators_of(session, current) if current else [])
    ]
    if not form.validate_on_submit():
        return _page(session, case, comment_form=form, status=400)
    agreement_design.comment(
        session, case, actor=current_user, text=form.body.data, indicator_id=form.about.data or None
    )
    flash(_("Your comment is added."), "success")
    return _to_history(case)


@bp.post("/proposals/<int:contribution_id>/decision")
@allows(Capability.edit_agreement)
def decide(case: Case, contribution_id: int):
    session = db.session()
    form = ProposalDecisionForm(prefix=f"decide-{contribution_id}")
    if not form.validate_on_submit():
        return _page(session, case, status=400)
    choice = request.form.get("decision")
    if choice == "accepted":
        agreement_design.accept(session, case, contribution_id, actor=current_user, reason=form.reason.data or "")
        flash(_("The proposal is accepted and part of the agreement; earlier approvals no longer hold."), "success")
    elif choice == "declined":
        agreement_design.decline(session, case, contribution_id, actor=current_user, reason=form.reason.data or "")
        flash(_("The proposal is declined."), "success")
    else:
        raise DomainError(_("Choose to accept or to decline the proposal."))
    return _to_history(case)


@bp.post("/approval")
@allows(Capability.approve_agreement)
def approve(case: Case):
    session = db.session()
    form = ApproveAgreementForm()
    if not form.validate_on_submit():
        return _page(session, case, status=400)
    agreement_design.approve(session, case, actor=current_user, version=_int(form.version.data))
    flash(_("You approved the current text of the agreement."), "success")
    return redirect(url_for(".index", case_id=case.id) + "#approvals")


def _readable(session, case):
    """The agreement, for those `Capability.read_agreement` lets in: the municipality and the coalition it binds."""
    current = agreement.agreement_of(session, case)
    if current is None:
        raise NotFound(_("No agreement is recorded."))
    return current


@bp.get("/document")
@bp.get("/document.pdf", endpoint="document_pdf", defaults={"pdf": True})
@allows(Capability.read_agreement)
def document(case: Case, pdf: bool = False):
    session = db.session()
    current = _readable(session, case)
    body = current.content_html or render_template(
        "agreement/document.html", **agreement.document_context(session, case, current)
    )
    html = render_template("agreement/page.html", case=case, agreement=current, body=body, pdf=pdf)
    if not pdf:
        return html
    return Response(
        to_pdf(html),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="overeenkomst-{case.reference}.pdf"'},
    )
