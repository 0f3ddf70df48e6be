"""Proposal drafts: any member of a joined organisation edits the coalition's
draft; the editor shows what still falls short before it could be submitted.
Nobody outside the coalition can read a draft."""

from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _
from sqlmodel import Session, select

from .. import access
from ..core import audit
from ..core.errors import DomainError, NotFound
from ..models import (
    Case,
    Coalition,
    Framework,
    FrameworkKind,
    Proposal,
    ProposalAttachment,
    ProposalStage,
    User,
    utcnow,
)
from ..procurement import stages
from . import attachments
from .coalitions import accepted_count

TEXT_FIELDS = (
    "approach",
    "answer_to_question",
    "outcome_commitments",
    "monitoring",
    "price_breakdown",
    "partner_contributions",
    "risk_sharing",
    "legacy",
)
REQUIRED_FIELDS = ("approach", "answer_to_question", "outcome_commitments", "monitoring")


@dataclass
class DraftFields:
    approach: str = ""
    answer_to_question: str = ""
    outcome_commitments: str = ""
    monitoring: str = ""
    price: Decimal | None = None
    price_breakdown: str = ""
    partner_contributions: str = ""
    risk_sharing: str = ""
    legacy: str = ""
    requirements_confirmed: tuple[int, ...] = ()


def require_editor(session: Session, proposal: Proposal, user: User) -> None:
    """Only users of an organisation that joined the coalition may read or edit its proposal (`access.POLICY`)."""
    access.require(session, access.Capability.write_proposal, user, coalition_id=proposal.coalition_id)


def _require_open(session: Session, case: Case, proposal: Proposal) -> None:
    if proposal.stage != stages.stage_of(case) or not stages.accepting(session, case, proposal.coalition_id):
        raise DomainError(_("The submission deadline has passed: the proposal can no longer change."))


def draft_for(session: Session, coalition: Coalition, case: Case, stage: ProposalStage | None = None) -> Proposal:
    """The coalition's proposal of the stage (by default the one in play) for the current round, created empty on
    first use."""
    stage = stage or stages.stage_of(case)
    proposal = session.exec(
        select(Proposal).where(
            Proposal.coalition_id == coalition.id, Proposal.round == case.round, Proposal.stage == stage
        )
    ).first()
    if proposal is None:
        proposal = Proposal(case_id=case.id, coalition_id=coalition.id, round=case.round, stage=stage)
        session.add(proposal)
        session.flush()
    return proposal


def minimum_requirements(session: Session, case: Case) -> list[Framework]:
    return list(
        session.exec(
            select(Framework)
            .where(Framework.case_id == case.id, Framework.kind == FrameworkKind.minimum_requirement)
            .order_by(Framework.id)
        ).all()
    )


def save_draft(session: Session, proposal: Proposal, *, actor: User, case: Case, fields: DraftFields) -> None:
    require_editor(session, proposal, actor)
    _require_open(session, case, proposal)
    if fields.price is not None and fields.price < 0:
        raise DomainError(_("The price cannot be negative."))
    for name in TEXT_FIELDS:
        setattr(proposal, name, getattr(fields, name).strip())
    proposal.price = fields.price
    valid = {f.id for f in minimum_requirements(session, case)}
    proposal.requirements_confirmed = sorted(set(fields.requirements_confirmed) & valid)
    proposal.updated_at = utcnow()
    session.add(proposal)
    audit.record(session, action="proposal_draft_saved", actor=actor, case=case, details={"proposal_id": proposal.id})
    session.flush()


def current_attachments(session: Session, proposal: Proposal) -> list[ProposalAttachment]:
    return list(
        session.exec(
            select(ProposalAttachment)
            .where(ProposalAttachment.proposal_id == proposal.id, ProposalAttachment.removed_at.is_(None))
            .order_by(ProposalAttachment.uploaded_at)
        ).all()
    )


def add_attachment(
    session: Session, proposal: Proposal, *, actor: User, case: Case, upload_dir: str, filename: str, data: bytes
) -> ProposalAttachment:
    require_editor(session, proposal, actor)
    _require_open(session, case, proposal)
    used = sum(a.size for a in current_attachments(session, proposal))
    stored = attachments.store(upload_dir, filename, data, already_stored=used)
    attachment = ProposalAttachment(proposal_id=proposal.id, uploaded_by_id=actor.id, **vars(stored))
    session.add(attachment)
    audit.record(
        session,
        action="attachment_added",
        actor=actor,
        case=case,
        details={"proposal_id": proposal.id, "filename": stored.filename, "sha256": stored.sha256},
    )
    session.flush()
    return attachment


def get_attachment(session: Session, proposal: Proposal, attachment_id: int) -> ProposalAttachment:
    attachment = session.get(ProposalAttachment, attachment_id)
    if attachment is None or attachment.proposal_id != proposal.id:
        raise NotFound(_("This attachment does not exist."))
    return attachment


def remove_attachment(
    session: Session, proposal: Proposal, attachment: ProposalAttachment, *, actor: User, case: Case
) -> None:
    require_editor(session, proposal, actor)
    _require_open(session, case, proposal)
    attachment.removed_at = utcnow()
    session.add(attachment)
    audit.record(
        session,
        action="attachment_removed",
        actor=actor,
        case=case,
        details={"proposal_id": proposal.id, "filename": attachment.filename},
    )
    session.flush()


def shortfalls(session: Session, proposal: Proposal, coalition: Coalition, case: Case) -> list[str]:
    """What still stands between this draft and a valid submission."""
    reasons = []
    partners = accepted_count(session, coalition)
    if partners < case.min_partners:
        reasons.append(
            _(
                "%(count)d of at least %(minimum)d partner organisations have joined.",
                count=partners,
                minimum=case.min_partners,
            )
        )
    labels = {
        "approach": _("the approach"),
        "answer_to_question": _("how it answers the real question"),
        "outcome_commitments": _("the outcome commitments"),
        "monitoring": _("the proposed monitoring"),
    }
    for name in REQUIRED_FIELDS:
        if not getattr(proposal, name).strip():
            reasons.append(_("Still to describe: %(part)s.", part=labels[name]))
    if proposal.price is None:
        reasons.append(_("The price is not given."))
    elif case.budget_ceiling is not None and proposal.price > case.budget_ceiling:
        reasons.append(_("The price exceeds the budget ceiling."))
    unconfirmed = [f for f in minimum_requirements(session, case) if f.id not in proposal.requirements_confirmed]
    for requirement in unconfirmed:
        reasons.append(_("Minimum requirement not confirmed: %(requirement)s", requirement=requirement.description))
    return reasons
