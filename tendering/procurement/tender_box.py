"""The electronic tender box (EU Directive 2014/24/EU, Annex IV).

Every stage of the procedure has a box of its own (`stages.box_of`): the strategies and each call
for realisation plans are sealed, opened and read apart, by the same rules.

(a) the server's time of receipt is recorded with every submission;
(b) before the deadline nobody outside the coalition reads a proposal —
    officials see only how many were submitted;
(c) the opening date is the submission deadline, set and changed only through
    tender_lock (before publication, or by a published amendment);
(d)+(f) after the deadline only the case's owner and evaluators read the
    submissions, once the box is opened; council members only after the award;
    other coalitions never;
(e) opening takes two different authorised officials and is audited;
(g) every refused attempt to read sealed data is logged (see `refuse`).
"""

import hashlib
import json

from flask_babel import gettext as _
from sqlalchemy import func
from sqlmodel import Session, select

from .. import access
from ..core import audit
from ..core.errors import DomainError, GuardFailed, NotAllowed, NotFound
from ..core.locking import fresh, serialise
from ..models import (
    BoxOpening,
    Case,
    Coalition,
    EvaluatorAssignment,
    Proposal,
    ProposalAttachment,
    ProposalStage,
    ProposalStatus,
    ProposalSubmission,
    Role,
    User,
    utcnow,
)
from ..notifications import Kind, notify
from ..notifications import recipients as notification_recipients
from ..parties import second_factor
from ..parties.organisations import submit_refusals
from ..parties.proposals import (
    TEXT_FIELDS,
    DraftFields,
    current_attachments,
    require_editor,
    save_draft,
    shortfalls,
)
from ..workflow.phases import in_phase
from . import stages

# Audit events that tell who is forming a bid, who bid, when, or with what.
BIDDING_EVENTS = frozenset(
    {
        "coalition_formed",
        "partner_invited",
        "partner_accepted",
        "partner_declined",
        "proposal_draft_saved",
        "attachment_added",
        "attachment_removed",
        "proposal_submitted",
        "proposal_withdrawn",
    }
)


def receipt_hash(submission: ProposalSubmission) -> str:
    """SHA-256 over the canonical JSON of everything that was submitted."""
    canonical = json.dumps(
        {
            "proposal_id": submission.proposal_id,
            "version": submission.version,
            "submitted_at": submission.submitted_at.isoformat(),
            "content": submission.content,
            "attachments": submission.attachments,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def current_submission(session: Session, proposal: Proposal) -> ProposalSubmission | None:
    return session.exec(
        fresh(select(ProposalSubmission)).where(
            ProposalSubmission.proposal_id == proposal.id,
            ProposalSubmission.superseded_at.is_(None),
            ProposalSubmission.withdrawn_at.is_(None),
        )
    ).first()


def history(session: Session, proposal: Proposal) -> list[ProposalSubmission]:
    return list(
        session.exec(
            select(ProposalSubmission)
            .where(ProposalSubmission.proposal_id == proposal.id)
            .order_by(ProposalSubmission.version.desc())
        ).all()
    )


def _require_before_deadline(session: Session, case: Case, proposal: Proposal) -> None:
    if proposal.stage != stages.stage_of(case) or not stages.accepting(session, case, proposal.coalition_id):
        raise DomainError(
            _("The submission deadline has passed: submitting, changing and withdrawing are no longer possible.")
        )


def _snapshot(session: Session, proposal: Proposal) -> tuple[dict, list]:
    """What a submission seals: the draft's texts, price, confirmed requirements and current attachments."""
    content = {
        **{name: getattr(proposal, name) for name in TEXT_FIELDS},
        "price": str(proposal.price),
        "requirements_confirmed": list(proposal.requirements_confirmed),
    }
    attachments = [
        {"id": a.id, "filename": a.filename, "sha256": a.sha256, "size": a.size}
        for a in current_attachments(session, proposal)
    ]
    return content, attachments


def submit(
    session: Session, proposal: Proposal, coalition: Coalition, case: Case, *, actor: User
) -> ProposalSubmission:
    """Seal the draft as the coalition's submission; a resubmission supersedes the previous one.

    Submits of one proposal take turns (`serialise`), so two members or a double
    click never leave two current submissions; the database's partial unique
    index holds that too. Submitting what is already the current submission
    changes nothing and returns it: a double click gives one receipt.
    """
    require_editor(session, proposal, actor)
    _require_before_deadline(session, case, proposal)
    serialise(session, Proposal, proposal.id)
    # the named guard: only an organisation an official confirmed submits (`organisations.submit_refusals`)
    if reasons := shortfalls(session, proposal, coalition, case) + submit_refusals(session, actor, case, coalition.id):
        raise GuardFailed(_("The proposal cannot be submitted yet."), reasons)
    content, attachments = _snapshot(session, proposal)
    previous = current_submission(session, proposal)
    if previous is not None and previous.content == content and previous.attachments == attachments:
        return previous
    now = utcnow()
    if previous is not None:
        previous.superseded_at = now
        session.add(previous)
        session.flush()  # the old one stops being current before the new one is
    version = (
        session.exec(
            select(func.max(ProposalSubmission.version)).where(ProposalSubmission.proposal_id == proposal.id)
        ).one()
        or 0
    ) + 1
    submission = ProposalSubmission(
        proposal_id=proposal.id,
        version=version,
        content=content,
        attachments=attachments,
        submitted_at=now,
        submitted_by_id=actor.id,
        receipt_sha256="",
    )
    submission.receipt_sha256 = receipt_hash(submission)
    session.add(submission)
    proposal.status, proposal.submitted_at, proposal.receipt_sha256 = (
        ProposalStatus.submitted,
        now,
        submission.receipt_sha256,
    )
    session.add(proposal)
    audit.record(
        session,
        action="proposal_submitted",
        actor=actor,
        case=case,
        at=now,
        details={"proposal_id": proposal.id, "version": version, "receipt_sha256": submission.receipt_sha256},
    )
    notify(  # mandatory and sealed: only the member who submitted, whatever their preferences
        session,
        Kind.receipt,
        users=[actor],
        case=case,
        template="receipt",
        context={
            "title": case.title,
            "coalition": coalition.name,
            "id": proposal.id,
            "version": version,
            "time": now.isoformat(timespec="seconds"),
            "sha": submission.receipt_sha256,
        },
        sealed=True,
    )
    session.flush()
    return submission


def save_and_submit(
    session: Session, proposal: Proposal, coalition: Coalition, case: Case, *, actor: User, fields: DraftFields | None
) -> ProposalSubmission | list[str]:
    """Save the typed draft (when given), then submit it. When the draft cannot be submitted yet, it stays saved
    and the reasons are returned instead of raised, so the request keeps the saved text."""
    if fields is not None:
        save_draft(session, proposal, actor=actor, case=case, fields=fields)
    if reasons := shortfalls(session, proposal, coalition, case) + submit_refusals(session, actor, case, coalition.id):
        return reasons
    return submit(session, proposal, coalition, case, actor=actor)


def confirm_in_time(session: Session, case: Case) -> None:
    """Called right before the commit: a submission counts only if committed before the deadline."""
    if utcnow() >= stages.box_of(session, case).deadline:
        raise DomainError(
            _("The submission deadline passed while your proposal was being received; it is not accepted.")
        )


def withdraw(session: Session, proposal: Proposal, case: Case, *, actor: User) -> None:
    require_editor(session, proposal, actor)
    _require_before_deadline(session, case, proposal)
    serialise(session, Proposal, proposal.id)
    current = current_submission(session, proposal)
    if current is None:
        raise DomainError(_("There is no submitted proposal to withdraw."))
    current.withdrawn_at = utcnow()
    proposal.status, proposal.submitted_at, proposal.receipt_sha256 = ProposalStatus.withdrawn, None, None
    session.add_all([current, proposal])
    audit.record(
        session,
        action="proposal_withdrawn",
        actor=actor,
        case=case,
        details={"proposal_id": proposal.id, "version": current.version},
    )
    session.flush()


def submitted_count(session: Session, case: Case) -> int:
    """What officials may know before the deadline: how many, never what (nor, in a call for plans, which)."""
    box = stages.box_of(session, case)
    return session.exec(
        select(func.count())
        .select_from(Proposal)
        .where(
            Proposal.case_id == case.id,
            Proposal.round == case.round,
            Proposal.stage == box.stage,
            Proposal.status == ProposalStatus.submitted,
            *_submitters(box),
        )
    ).one()


def _submitters(box: stages.Box) -> tuple:
    """The condition "submitted by a coalition this box admits", when the box admits only some."""
    return () if box.coalition_ids is None else (Proposal.coalition_id.in_(sorted(box.coalition_ids)),)


def opening_of(session: Session, case: Case, stage: ProposalStage | None = None) -> BoxOpening | None:
    """The opening of the box of a stage (by default the one in play)."""
    box = stages.box_of(session, case, stage)
    return session.exec(
        fresh(select(BoxOpening)).where(
            BoxOpening.case_id == case.id,
            BoxOpening.round == case.round,
            BoxOpening.stage == box.stage.value,
            BoxOpening.plan_call == box.plan_call,
        )
    ).first()


@access.rule(
    "box_open",
    "the round's tender box has been opened by two officials",
    lambda: _("The tender box is not open yet: nothing in it can be read before the four-eyes opening."),
)
def _box_open_rule(session: Session, _user: User, subject: access.Subject) -> bool:
    return is_open(session, subject.case)


@access.rule(
    "authorised_official",
    "the case's owner or one of its assigned evaluators",
    lambda: _("Only the case owner and its assigned evaluators may do this."),
)
def _authorised_rule(session: Session, user: User, subject: access.Subject) -> bool:
    return is_authorised_official(session, subject.case, user)


def is_open(session: Session, case: Case, stage: ProposalStage | None = None) -> bool:
    """The round's box is open: a second official confirmed the opening. Before it, no proposal is read or judged."""
    opening = opening_of(session, case, stage)
    return opening is not None and opening.opened_at is not None


def is_authorised_official(session: Session, case: Case, user: User) -> bool:
    """The case's owner and its assigned evaluators."""
    if not user.is_authenticated or user.role != Role.official:
        return False
    if user.id == case.owner_id:
        return True
    return bool(
        session.exec(
            select(func.count())
            .select_from(EvaluatorAssignment)
            .where(EvaluatorAssignment.case_id == case.id, EvaluatorAssignment.user_id == user.id)
        ).one()
    )


def open_box(session: Session, case: Case, *, actor: User) -> BoxOpening:
    """First call requests the opening; a second, different authorised official opens the box."""
    if not is_authorised_official(session, case, actor):
        raise NotAllowed(_("Only the case owner and its evaluators may open the tender box."))
    box = stages.box_of(session, case)
    if box.deadline is None or utcnow() < box.deadline:
        raise DomainError(_("The tender box opens only after the submission deadline."))
    second_factor.require_for_opening(session, actor)  # when the install says so (REQUIRE_SECOND_FACTOR_FOR_OPENING)
    serialise(session, Case, case.id)  # two officials at once: one requests, the other confirms
    opening = opening_of(session, case)
    if opening is None:
        opening = BoxOpening(
            case_id=case.id, round=case.round, stage=box.stage.value, plan_call=box.plan_call, requested_by_id=actor.id
        )
        session.add(opening)
        audit.record(
            session,
            action="box_opening_requested",
            actor=actor,
            case=case,
            details={"stage": box.stage.value, "plan_call": box.plan_call},
        )
    elif opening.opened_at is not None:
        raise DomainError(_("The tender box is already open."))
    elif opening.requested_by_id == actor.id:
        raise DomainError(_("A second, different official must confirm the opening (four eyes)."))
    else:
        opening.opened_by_id, opening.opened_at = actor.id, utcnow()
        session.add(opening)
        audit.record(
            session,
            action="box_opened",
            actor=actor,
            case=case,
            details={"requested_by_id": opening.requested_by_id, "stage": box.stage.value, "plan_call": box.plan_call},
        )
        _tell_opening(session, case, box)
    session.flush()
    return opening


def _tell_opening(session: Session, case: Case, box: stages.Box) -> None:
    """Each coalition that submitted is told, on its own, that the box is open; none learns who else bid."""
    coalition_ids = sorted(
        set(
            session.exec(
                select(Proposal.coalition_id).where(
                    Proposal.case_id == case.id,
                    Proposal.round == case.round,
                    Proposal.stage == box.stage,
                    Proposal.status == ProposalStatus.submitted,
                    *_submitters(box),
                )
            ).all()
        )
    )
    audiences = notification_recipients.of_coalitions(session, coalition_ids)
    for coalition_id in coalition_ids:
        audience = audiences.get(coalition_id, notification_recipients.Audience())
        notify(
            session,
            Kind.opening,
            users=audience.users,
            case=case,
            template="opening",
            context={"title": case.title, "reference": case.reference},
            sealed=True,
        )


def may_read_submissions(session: Session, case: Case, user: User) -> bool:
    """Annex IV (d)/(f): who may read submitted proposals of this case, now (`access.POLICY`)."""
    return bool(access.decide(session, access.Capability.read_submissions, user, case=case))


def hidden_events(session: Session, case: Case, user: User) -> frozenset[str]:
    """The audit actions a reader of the case's log may not see: refused reads (the admin's log of
    them names who tried), and the bidding until the award or until the reader may read the opened box."""
    if in_phase(case, "award_known"):
        return frozenset({access.REFUSED})
    if user.role == Role.official and may_read_submissions(session, case, user):
        return frozenset({access.REFUSED})
    return BIDDING_EVENTS | {access.REFUSED}


def submissions_of(
    session: Session, case: Case, stage: ProposalStage | None = None
) -> list[tuple[ProposalSubmission, Coalition]]:
    """The valid submissions of the stage in play, once its box is open; none before (Annex IV (b)-(e)).

    Every list, ranking and score of proposals is built from this, so nothing
    derived from a sealed proposal (not even who bid) exists before the opening.
    A plan not accepted leaves the competition.
    """
    box = stages.box_of(session, case, stage)
    if box.deadline is None or not is_open(session, case, box.stage):
        return []
    return list(
        session.exec(
            select(ProposalSubmission, Coalition)
            .join(Proposal, Proposal.id == ProposalSubmission.proposal_id)
            .join(Coalition, Coalition.id == Proposal.coalition_id)
            .where(
                Proposal.case_id == case.id,
                Proposal.round == case.round,
                Proposal.stage == box.stage,
                *_submitters(box),
                ProposalSubmission.superseded_at.is_(None),
                ProposalSubmission.withdrawn_at.is_(None),
                ProposalSubmission.submitted_at < box.deadline,
            )
            .order_by(Coalition.name)
        ).all()
    )


def get_submission(session: Session, case: Case, submission_id: int) -> tuple[ProposalSubmission, Coalition]:
    row = session.exec(
        select(ProposalSubmission, Coalition)
        .join(Proposal, Proposal.id == ProposalSubmission.proposal_id)
        .join(Coalition, Coalition.id == Proposal.coalition_id)
        .where(ProposalSubmission.id == submission_id, Proposal.case_id == case.id)
    ).first()
    if row is None:
        raise NotFound(_("This proposal does not exist."))
    return row


def submitted_attachment(session: Session, submission: ProposalSubmission, attachment_id: int) -> ProposalAttachment:
    if attachment_id not in {a["id"] for a in submission.attachments}:
        raise NotFound(_("This attachment does not exist."))
    return session.get(ProposalAttachment, attachment_id)


def receipt_of(
    session: Session, coalition: Coalition, case: Case, submission_id: int
) -> tuple[Proposal, ProposalSubmission]:
    """One of the coalition's submissions of the round (strategy, plan or proposal), for its receipt."""
    row = session.exec(
        select(Proposal, ProposalSubmission)
        .join(ProposalSubmission, ProposalSubmission.proposal_id == Proposal.id)
        .where(
            Proposal.coalition_id == coalition.id,
            Proposal.round == case.round,
            ProposalSubmission.id == submission_id,
        )
    ).first()
    if row is None:
        raise NotFound(_("This receipt does not exist."))
    return row
