"""Organisations register, invite colleagues, and form coalitions for a case."""

from dataclasses import dataclass

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ..access import Capability, allows, public
from ..core import db
from ..core.errors import DomainError
from ..models import Case, MembershipStatus, OrganisationKind, ProposalStage
from ..parties import attachments, coalitions, organisations, proposals, shared_partners
from ..parties.coalitions import CONTRIBUTION_KINDS
from ..procurement import award, stages, strategy, tender_box
from ..question import question_document
from ..realisation import agreement
from ..web import security
from ..web.forms import (
    ORGANISATION_KIND_LABELS,
    AcceptInvitationForm,
    AttachmentForm,
    CoalitionForm,
    ConfirmForm,
    InviteColleagueForm,
    MembershipForm,
    PartnerForm,
    PlanMessageForm,
    ProposalForm,
    RegistrationForm,
)
from ..web.security import limiter
from ..workflow.phases import in_phase
from .public import published_case

bp = Blueprint("coalitions", __name__)


def _log_in(user) -> None:
    """A server-side session in a fresh cookie session (`security.log_in`); the caller commits."""
    security.log_in(db.session(), user)


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
@public
def register():
    """Registration is confirmed through a mailed link; the answer is the same whether or not the address has an
    account (the owner of an existing one gets a mail instead), so the page tells nobody which addresses do."""
    if current_user.is_authenticated:
        return redirect(url_for("public.home"))
    form = RegistrationForm()
    if form.validate_on_submit():
        try:
            organisations.request_registration(
                db.session(),
                fields=organisations.OrganisationFields(
                    name=form.organisation_name.data,
                    kind=OrganisationKind(form.kind.data),
                    kvk_number=form.kvk_number.data or "",
                    contact_email=form.contact_email.data or "",
                    contact_phone=form.contact_phone.data or "",
                ),
                user_name=form.name.data,
                user_email=form.email.data,
                password=form.password.data,
                link=lambda token: url_for("auth.confirm_registration", token=token, _external=True),
                login_link=url_for("auth.login", _external=True),
            )
        except DomainError as error:
            flash(error.message, "error")
            return render_template("organisations/register.html", form=form), 400
        return redirect(url_for("auth.registration_sent"))
    return render_template("organisations/register.html", form=form)


@bp.get("/organisation")
@allows(Capability.manage_organisation)
def organisation():
    session = db.session()
    return render_template(
        "organisations/show.html",
        organisation=organisations.get_organisation(session, current_user.organisation_id),
        members=organisations.members_of(session, current_user.organisation_id),
        verification=organisations.verification_status(session, current_user.organisation_id),
        invitations=organisations.open_invitations(session, current_user.organisation_id),
        form=InviteColleagueForm(),
        kind_labels=ORGANISATION_KIND_LABELS,
    )


@bp.post("/organisation/invitations")
@allows(Capability.manage_organisation)
def invite_colleague():
    form = InviteColleagueForm()
    if form.validate_on_submit():
        organisations.invite_colleague(
            db.session(),
            inviter=current_user,
            email=form.email.data,
            link=lambda token: url_for(".accept_invitation", token=token, _external=True),
        )
        flash(_("The invitation is sent to %(email)s.", email=form.email.data), "success")
    else:
        flash(_("Give a valid e-mail address."), "error")
    return redirect(url_for(".organisation"))


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@limiter.limit("30 per hour", methods=["POST"])
@public
def accept_invitation(token: str):
    session = db.session()
    invitation = organisations.find_invitation(session, token)
    form = AcceptInvitationForm()
    form.known_words = [invitation.email]
    if form.validate_on_submit():
        user = organisations.accept_invitation(session, token, name=form.name.data, password=form.password.data)
        _log_in(user)
        flash(_("Welcome: your account is created."), "success")
        return redirect(url_for(".organisation"))
    organisation = organisations.get_organisation(session, invitation.organisation_id)
    return render_template("organisations/invitation.html", form=form, invitation=invitation, organisation=organisation)


@bp.get("/coalitions")
@allows(Capability.take_part_in_tender)
def index():
    return render_template(
        "coalitions/index.html", rows=coalitions.coalitions_of(db.session(), current_user.organisation_id)
    )


@bp.post("/tenders/<reference>/coalitions")
@allows(Capability.take_part_in_tender)
def form_coalition(reference: str):
    case = published_case(reference)
    form = CoalitionForm()
    if not form.validate_on_submit():
        flash(_("Give the coalition a name."), "error")
        return redirect(url_for("public.tender", reference=reference))
    coalition = coalitions.form_coalition(db.session(), case, actor=current_user, name=form.name.data)
    flash(_("The coalition is formed; invite your partners."), "success")
    return redirect(url_for(".show", coalition_id=coalition.id))


def _organisation_choices(session, coalition) -> list[SelectChoice]:
    return [SelectChoice(o.id, o.name) for o in coalitions.invitable_organisations(session, coalition)]


def _membership_form(membership) -> MembershipForm:
    form = MembershipForm(obj=membership)
    form.contribution_kind.choices = [SelectChoice("", _("Choose…"))] + [
        SelectChoice(k, v) for k, v in CONTRIBUTION_KINDS.items()
    ]
    return form


@bp.get("/coalitions/<int:coalition_id>")
@allows(Capability.work_in_coalition)
def show(coalition_id: int):
    session = db.session()
    coalition, membership = coalitions.get_for(session, coalition_id, current_user)
    case = session.get(Case, coalition.case_id)
    is_lead = membership.is_lead
    accepted = membership.status == MembershipStatus.accepted
    partner_form = PartnerForm()
    if is_lead:
        partner_form.organisation_id.choices = _organisation_choices(session, coalition)
    return render_template(
        "coalitions/show.html",
        coalition=coalition,
        case=case,
        membership=membership,
        rows=coalitions.members(session, coalition),
        accepted=coalitions.accepted_count(session, coalition),
        partner_form=partner_form,
        membership_form=_membership_form(membership),
        contribution_kinds=CONTRIBUTION_KINDS,
        forming=in_phase(case, "coalitions_forming"),
        award_letter=award.letter_for(session, case, coalition)
        if membership.status == MembershipStatus.accepted
        else None,
        agreement=agreement.concluded(session, case) if membership.status == MembershipStatus.accepted else None,
        strategy_letter=strategy.letter_for(session, case, coalition) if accepted else None,
        plan_called=accepted and strategy.is_called(session, case, coalition),
        shared_partner=is_lead and shared_partners.has_shared_partner(session, coalition),
    )


@bp.post("/coalitions/<int:coalition_id>/partners")
@allows(Capability.work_in_coalition)
def invite_partner(coalition_id: int):
    session = db.session()
    coalition, _membership = coalitions.get_for(session, coalition_id, current_user)
    form = PartnerForm()
    form.organisation_id.choices = _organisation_choices(session, coalition)
    if not form.validate_on_submit():
        flash(_("Choose an organisation to invite."), "error")
        return redirect(url_for(".show", coalition_id=coalition_id))
    coalitions.invite_partner(
        session,
        coalition,
        actor=current_user,
        organisation_id=form.organisation_id.data,
        case=session.get(Case, coalition.case_id),
    )
    flash(_("The organisation is invited."), "success")
    return redirect(url_for(".show", coalition_id=coalition_id))


@bp.post("/coalitions/<int:coalition_id>/membership")
@allows(Capability.work_in_coalition)
def respond(coalition_id: int):
    session = db.session()
    coalition, membership = coalitions.get_for(session, coalition_id, current_user)
    form = _membership_form(membership)
    if not form.validate_on_submit():
        flash(_("State your organisation's role and its contribution."), "error")
        return redirect(url_for(".show", coalition_id=coalition_id))
    accept = form.decision.data == "accept"
    coalitions.respond(
        session,
        coalition,
        membership,
        actor=current_user,
        case=session.get(Case, coalition.case_id),
        accept=accept,
        role=form.role.data or "",
        contribution_kind=form.contribution_kind.data or "",
        contribution=form.contribution.data or "",
    )
    flash(
        _("Your organisation takes part in the coalition.") if accept else _("Your organisation declined."), "success"
    )
    return redirect(url_for(".show", coalition_id=coalition_id) if accept else url_for(".index"))


# --- the proposal draft (and, in the two-stage variant, the realisation plan) ---------------------------------


@dataclass(frozen=True)
class Editor:
    """What differs between the editor of the tender's proposal (or strategy) and that of the realisation plan."""

    stage: ProposalStage | None  # None: what the tender asks (a proposal, or a strategy in the two-stage variant)
    view: str
    save: str
    submit: str
    withdraw: str
    attachments: bool
    submit_label: object  # a lazy string


PROPOSAL = Editor(
    None, ".proposal", ".save_proposal", ".submit_proposal", ".withdraw_proposal", True, _l("Submit our proposal")
)
PLAN = Editor(
    ProposalStage.realisation, ".plan", ".save_plan", ".submit_plan", ".withdraw_plan", False, _l("Submit our plan")
)


def _proposal(coalition_id: int, editor: Editor = PROPOSAL):
    """The coalition, its case and its draft, for a user of a joined organisation (`Capability.write_proposal`
    or, for the plan, `work_out_plan`, checked and its refusals logged before the view runs)."""
    session = db.session()
    coalition, _membership = coalitions.get_for(session, coalition_id, current_user)
    case = session.get(Case, coalition.case_id)
    stage = editor.stage or stages.tender_stage(case)
    return session, coalition, case, proposals.draft_for(session, coalition, case, stage)


def _editor(session, coalition, case, proposal, form, upload_form, editor: Editor = PROPOSAL, status=200):
    requirements = proposals.minimum_requirements(session, case)
    form.requirements.choices = [SelectChoice(r.id, r.description) for r in requirements]
    plan = editor is PLAN
    return render_template(
        "coalitions/plan.html" if plan else "coalitions/proposal.html",
        coalition=coalition,
        case=case,
        proposal=proposal,
        form=form,
        upload_form=upload_form,
        editor=editor,
        attachments=proposals.current_attachments(session, proposal) if editor.attachments else [],
        shortfalls=proposals.shortfalls(session, proposal, coalition, case)
        + organisations.submit_refusals(session, current_user, case, coalition.id),
        confirm=ConfirmForm(),
        open_for_changes=stages.accepting(session, case, coalition.id) and proposal.stage == stages.stage_of(case),
        deadline=stages.box_of(session, case, proposal.stage).deadline,
        current=tender_box.current_submission(session, proposal),
        history=tender_box.history(session, proposal),
        messages=strategy.messages(session, case, coalition) if plan else [],
        message_form=PlanMessageForm() if plan else None,
    ), status


def _draft_form(session, case) -> ProposalForm:
    form = ProposalForm()
    form.requirements.choices = [
        SelectChoice(r.id, r.description) for r in proposals.minimum_requirements(session, case)
    ]
    return form


def _fields(form: ProposalForm) -> proposals.DraftFields:
    return proposals.DraftFields(
        **{name: form[name].data or "" for name in proposals.TEXT_FIELDS},
        price=form.price.data,
        requirements_confirmed=tuple(form.requirements.data or ()),
    )


def _show(coalition_id: int, editor: Editor):
    session, coalition, case, draft = _proposal(coalition_id, editor)
    form = ProposalForm(obj=draft)
    form.requirements.data = list(draft.requirements_confirmed)
    return _editor(session, coalition, case, draft, form, AttachmentForm(), editor)


def _save(coalition_id: int, editor: Editor):
    session, coalition, case, draft = _proposal(coalition_id, editor)
    form = _draft_form(session, case)
    if not form.validate_on_submit():
        return _editor(session, coalition, case, draft, form, AttachmentForm(), editor, 400)
    proposals.save_draft(session, draft, actor=current_user, case=case, fields=_fields(form))
    flash(_("The draft is saved."), "success")
    return redirect(url_for(editor.view, coalition_id=coalition_id))


def _submit(coalition_id: int, editor: Editor):
    """Submit what the editor shows: the typed text is saved first (the submit button belongs to the editor's
    form), so pressing it without saving loses nothing; if the draft cannot be submitted yet, it stays saved and
    the page says why. A request without the draft's fields submits the saved draft."""
    session, coalition, case, draft = _proposal(coalition_id, editor)
    form = _draft_form(session, case)
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            return redirect(url_for(editor.view, coalition_id=coalition_id))
        flash(_("Nothing is submitted yet: correct the marked fields first; your text is still in the form."), "error")
        return _editor(session, coalition, case, draft, form, AttachmentForm(), editor, 400)
    fields = _fields(form) if any(name in request.form for name in proposals.TEXT_FIELDS) else None
    result = tender_box.save_and_submit(session, draft, coalition, case, actor=current_user, fields=fields)
    if isinstance(result, list):
        flash(_("Your draft is saved, but it cannot be submitted yet:") + " " + " ".join(result), "error")
        return redirect(url_for(editor.view, coalition_id=coalition_id))
    tender_box.confirm_in_time(session, case)
    flash(_("Your proposal is received. Keep the receipt below."), "success")
    return redirect(url_for(".receipt", coalition_id=coalition_id, submission_id=result.id))


def _withdraw(coalition_id: int, editor: Editor):
    session, coalition, case, draft = _proposal(coalition_id, editor)
    if ConfirmForm().validate_on_submit():
        tender_box.withdraw(session, draft, case, actor=current_user)
        flash(_("Your proposal is withdrawn. You can submit again until the deadline."), "success")
    return redirect(url_for(editor.view, coalition_id=coalition_id))


@bp.get("/coalitions/<int:coalition_id>/proposal")
@allows(Capability.write_proposal)
def proposal(coalition_id: int):
    return _show(coalition_id, PROPOSAL)


@bp.post("/coalitions/<int:coalition_id>/proposal")
@allows(Capability.write_proposal)
def save_proposal(coalition_id: int):
    return _save(coalition_id, PROPOSAL)


@bp.post("/coalitions/<int:coalition_id>/proposal/attachments")
@allows(Capability.write_proposal)
def upload_attachment(coalition_id: int):
    session, coalition, case, draft = _proposal(coalition_id)
    form = AttachmentForm()
    if not form.validate_on_submit():
        flash(_("Choose a file to attach."), "error")
        return redirect(url_for(".proposal", coalition_id=coalition_id) + "#attachments")
    upload = form.file.data
    proposals.add_attachment(
        session,
        draft,
        actor=current_user,
        case=case,
        upload_dir=current_app.config["UPLOAD_DIR"],
        filename=upload.filename or "",
        data=upload.read(attachments.MAX_FILE_BYTES + 1),
    )
    flash(_("The attachment is added."), "success")
    return redirect(url_for(".proposal", coalition_id=coalition_id) + "#attachments")


@bp.post("/coalitions/<int:coalition_id>/proposal/attachments/<int:attachment_id>/delete")
@allows(Capability.write_proposal)
def remove_attachment(coalition_id: int, attachment_id: int):
    session, coalition, case, draft = _proposal(coalition_id)
    attachment = proposals.get_attachment(session, draft, attachment_id)
    if ConfirmForm().validate_on_submit():
        proposals.remove_attachment(session, draft, attachment, actor=current_user, case=case)
        flash(_("The attachment is removed from the draft."), "success")
    return redirect(url_for(".proposal", coalition_id=coalition_id) + "#attachments")


@bp.get("/coalitions/<int:coalition_id>/proposal/attachments/<int:attachment_id>")
@allows(Capability.write_proposal)
def download_attachment(coalition_id: int, attachment_id: int):
    session, coalition, case, draft = _proposal(coalition_id)
    attachment = proposals.get_attachment(session, draft, attachment_id)
    return send_file(
        attachments.path_of(current_app.config["UPLOAD_DIR"], attachment.stored_name),
        mimetype=attachment.content_type,
        as_attachment=True,
        download_name=attachment.filename,
    )


@bp.post("/coalitions/<int:coalition_id>/proposal/submit")
@allows(Capability.write_proposal)
def submit_proposal(coalition_id: int):
    return _submit(coalition_id, PROPOSAL)


@bp.post("/coalitions/<int:coalition_id>/proposal/withdraw")
@allows(Capability.write_proposal)
def withdraw_proposal(coalition_id: int):
    return _withdraw(coalition_id, PROPOSAL)


@bp.get("/coalitions/<int:coalition_id>/plan")
@allows(Capability.work_out_plan)
def plan(coalition_id: int):
    return _show(coalition_id, PLAN)


@bp.post("/coalitions/<int:coalition_id>/plan")
@allows(Capability.work_out_plan)
def save_plan(coalition_id: int):
    return _save(coalition_id, PLAN)


@bp.post("/coalitions/<int:coalition_id>/plan/submit")
@allows(Capability.work_out_plan)
def submit_plan(coalition_id: int):
    return _submit(coalition_id, PLAN)


@bp.post("/coalitions/<int:coalition_id>/plan/withdraw")
@allows(Capability.work_out_plan)
def withdraw_plan(coalition_id: int):
    return _withdraw(coalition_id, PLAN)


@bp.post("/coalitions/<int:coalition_id>/plan/messages")
@allows(Capability.work_out_plan)
def send_plan_message(coalition_id: int):
    session, coalition, case, _draft = _proposal(coalition_id, PLAN)
    form = PlanMessageForm()
    if not form.validate_on_submit():
        flash(_("Write your message."), "error")
    else:
        strategy.send_message(session, case, coalition, actor=current_user, text=form.text.data)
        flash(_("Your message is sent to the municipality."), "success")
    return redirect(url_for(".plan", coalition_id=coalition_id) + "#messages")


def _receipt(coalition_id: int, submission_id: int):
    """A receipt of any of the coalition's proposals of the round (a strategy or a realisation plan)."""
    session = db.session()
    coalition, _membership = coalitions.get_for(session, coalition_id, current_user)
    case = session.get(Case, coalition.case_id)
    proposal, submission = tender_box.receipt_of(session, coalition, case, submission_id)
    return {"coalition": coalition, "case": case, "proposal": proposal, "submission": submission}


@bp.get("/coalitions/<int:coalition_id>/receipts/<int:submission_id>")
@allows(Capability.write_proposal)
def receipt(coalition_id: int, submission_id: int):
    return render_template("coalitions/receipt.html", **_receipt(coalition_id, submission_id), pdf=False)


@bp.get("/coalitions/<int:coalition_id>/receipts/<int:submission_id>.pdf")
@allows(Capability.write_proposal)
def receipt_pdf(coalition_id: int, submission_id: int):
    context = _receipt(coalition_id, submission_id)
    pdf = question_document.to_pdf(render_template("coalitions/receipt_document.html", **context, pdf=True))
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="ontvangstbewijs-{context["proposal"].id}-v{context["submission"].version}.pdf"'
        },
    )
