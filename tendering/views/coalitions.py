"""Organisations register, invite colleagues, and form coalitions for a case."""

from flask import Blueprint, Response, current_app, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ..access import Capability, allows, public
from ..core import db
from ..core.errors import DomainError, NotFound
from ..models import Case, MembershipStatus, OrganisationKind
from ..parties import attachments, coalitions, organisations, proposals, shared_partners
from ..parties.coalitions import CONTRIBUTION_KINDS
from ..procurement import award, tender_box
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
    ProposalForm,
    RegistrationForm,
)
from ..web.security import limiter
from ..workflow.phases import accepting_proposals, in_phase
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


# --- the proposal draft ----------------------------------------------------------


def _proposal(coalition_id: int):
    """The coalition, its case and its draft, for a user of a joined organisation (`Capability.write_proposal`,
    checked and its refusals logged before the view runs)."""
    session = db.session()
    coalition, _membership = coalitions.get_for(session, coalition_id, current_user)
    case = session.get(Case, coalition.case_id)
    return session, coalition, case, proposals.draft_for(session, coalition, case)


def _editor(session, coalition, case, proposal, form, upload_form, status=200):
    requirements = proposals.minimum_requirements(session, case)
    form.requirements.choices = [SelectChoice(r.id, r.description) for r in requirements]
    return render_template(
        "coalitions/proposal.html",
        coalition=coalition,
        case=case,
        proposal=proposal,
        form=form,
        upload_form=upload_form,
        attachments=proposals.current_attachments(session, proposal),
        shortfalls=proposals.shortfalls(session, proposal, coalition, case),
        confirm=ConfirmForm(),
        open_for_changes=accepting_proposals(case),
        current=tender_box.current_submission(session, proposal),
        history=tender_box.history(session, proposal),
    ), status


@bp.get("/coalitions/<int:coalition_id>/proposal")
@allows(Capability.write_proposal)
def proposal(coalition_id: int):
    session, coalition, case, draft = _proposal(coalition_id)
    form = ProposalForm(obj=draft)
    form.requirements.data = list(draft.requirements_confirmed)
    return _editor(session, coalition, case, draft, form, AttachmentForm())


@bp.post("/coalitions/<int:coalition_id>/proposal")
@allows(Capability.write_proposal)
def save_proposal(coalition_id: int):
    session, coalition, case, draft = _proposal(coalition_id)
    form = ProposalForm()
    form.requirements.choices = [
        SelectChoice(r.id, r.description) for r in proposals.minimum_requirements(session, case)
    ]
    if not form.validate_on_submit():
        return _editor(session, coalition, case, draft, form, AttachmentForm(), 400)
    proposals.save_draft(
        session,
        draft,
        actor=current_user,
        case=case,
        fields=proposals.DraftFields(
            **{name: form[name].data or "" for name in proposals.TEXT_FIELDS},
            price=form.price.data,
            requirements_confirmed=tuple(form.requirements.data or ()),
        ),
    )
    flash(_("The draft is saved."), "success")
    return redirect(url_for(".proposal", coalition_id=coalition_id))


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
    session, coalition, case, draft = _proposal(coalition_id)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for(".proposal", coalition_id=coalition_id))
    submission = tender_box.submit(session, draft, coalition, case, actor=current_user)
    tender_box.confirm_in_time(case)
    flash(_("Your proposal is received. Keep the receipt below."), "success")
    return redirect(url_for(".receipt", coalition_id=coalition_id, submission_id=submission.id))


@bp.post("/coalitions/<int:coalition_id>/proposal/withdraw")
@allows(Capability.write_proposal)
def withdraw_proposal(coalition_id: int):
    session, coalition, case, draft = _proposal(coalition_id)
    if ConfirmForm().validate_on_submit():
        tender_box.withdraw(session, draft, case, actor=current_user)
        flash(_("Your proposal is withdrawn. You can submit again until the deadline."), "success")
    return redirect(url_for(".proposal", coalition_id=coalition_id))


def _receipt(coalition_id: int, submission_id: int):
    session, coalition, case, draft = _proposal(coalition_id)
    submission = next((s for s in tender_box.history(session, draft) if s.id == submission_id), None)
    if submission is None:
        raise NotFound(_("This receipt does not exist."))
    return {"coalition": coalition, "case": case, "proposal": draft, "submission": submission}


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
