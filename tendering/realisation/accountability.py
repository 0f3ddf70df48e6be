"""Joint evaluation and accountability: municipality and coalition account for
the result together, and the findings feed the next question.

Both sides write the joint evaluation; any change withdraws earlier approvals.
When the municipality (the case owner) and the coalition's lead have both
approved, the report is frozen (HTML and hash, in Dutch) and becomes public.
`close` may open a follow-up case whose articulation starts from the findings.
"""

import hashlib
from dataclasses import dataclass

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlmodel import Session, select

from .. import access
from ..core import audit
from ..core.errors import DomainError, NotAllowed, NotFound
from ..models import (
    Agreement,
    Case,
    Coalition,
    CoalitionMember,
    Indicator,
    JointEvaluation,
    MembershipStatus,
    Organisation,
    Role,
    Stakeholder,
    User,
    utcnow,
)
from ..notifications import Kind, link_to, notify
from ..notifications import recipients as notification_recipients
from ..question import follow_up as inheritance
from ..question.cases import CaseFields, open_case
from ..question.question_document import DOCUMENT_LOCALE
from ..workflow.engine import fire
from . import agreement as agreements
from . import monitoring

MUNICIPALITY, COALITION = "municipality", "coalition"


@dataclass(frozen=True)
class Party:
    """Who is at the table for this report: the municipality or the winning coalition (and whether as its lead)."""

    side: str
    is_lead: bool = False


def party_of(session: Session, case: Case, agreement: Agreement | None, user: User) -> Party | None:
    if not user.is_authenticated:
        return None
    if user.role == Role.official:
        return Party(MUNICIPALITY, is_lead=user.id == case.owner_id)
    if user.role == Role.coalition_member and agreement is not None and user.organisation_id is not None:
        member = session.exec(
            select(CoalitionMember).where(
                CoalitionMember.coalition_id == agreement.coalition_id,
                CoalitionMember.organisation_id == user.organisation_id,
                CoalitionMember.status == MembershipStatus.accepted,
            )
        ).first()
        if member is not None:
            return Party(COALITION, is_lead=member.is_lead)
    return None


@dataclass(frozen=True)
class Table:
    """Everything the accountability page needs about the case."""

    case: Case
    agreement: Agreement
    coalition: Coalition
    evaluation: JointEvaluation | None
    party: Party


def table_for(session: Session, case: Case, user: User) -> Table:
    """The accountability context for a party to it; not found for anyone else or before the agreement."""
    agreement = agreements.concluded(session, case)
    party = party_of(session, case, agreement, user)
    if agreement is None or party is None:
        raise NotFound(_("There is no joint accountability for you on this case."))
    evaluation = session.exec(select(JointEvaluation).where(JointEvaluation.case_id == case.id)).first()
    return Table(case, agreement, session.get(Coalition, agreement.coalition_id), evaluation, party)


def draft_participants(session: Session, table: Table) -> str:
    """A first list of who sits at the table: the municipality, every partner, the stakeholders."""
    partners = session.exec(
        select(Organisation.name)
        .join(CoalitionMember, CoalitionMember.organisation_id == Organisation.id)
        .where(CoalitionMember.coalition_id == table.coalition.id, CoalitionMember.status == MembershipStatus.accepted)
        .order_by(Organisation.name)
    ).all()
    stakeholders = session.exec(
        select(Stakeholder.name).where(Stakeholder.case_id == table.case.id).order_by(Stakeholder.name)
    ).all()
    lines = [_("The municipality"), *partners, *stakeholders, _("Client representatives")]
    return "\n".join(dict.fromkeys(lines))


@dataclass(frozen=True)
class Result:
    indicator: Indicator
    status: monitoring.Status
    reached: bool


def results(session: Session, table: Table) -> list[Result]:
    """Per agreed indicator: where it ended against its target."""
    today = utcnow().date()
    return [
        Result(
            i,
            monitoring.status_on(i, today),
            i.latest_value is not None and not monitoring.behind(i, i.latest_value, i.target_value),
        )
        for i in agreements.indicators_of(session, table.agreement)
    ]


@dataclass
class EvaluationFields:
    participants: str
    findings: str
    lessons: str
    legacy: str
    indicator_notes: dict[int, str]


def save(session: Session, table: Table, *, actor: User, fields: EvaluationFields) -> JointEvaluation:
    """Write the joint evaluation; a change withdraws both approvals, since they were given to other words."""
    access.require(session, access.Capability.write_accountability, actor, case=table.case)
    if table.evaluation is not None and table.evaluation.published_at is not None:
        raise DomainError(_("The report is published and can no longer change."))
    if not fields.participants.strip() or not fields.findings.strip():
        raise DomainError(_("Name the participants and describe the findings."))
    known = {i.id for i in agreements.indicators_of(session, table.agreement)}
    evaluation = table.evaluation or JointEvaluation(case_id=table.case.id, participants="", findings="")
    evaluation.participants, evaluation.findings = fields.participants.strip(), fields.findings.strip()
    evaluation.lessons, evaluation.legacy = fields.lessons.strip(), fields.legacy.strip()
    evaluation.indicator_notes = {
        str(k): v.strip() for k, v in fields.indicator_notes.items() if k in known and v.strip()
    }
    evaluation.updated_at, evaluation.updated_by_id = utcnow(), actor.id
    evaluation.municipality_approved_at = evaluation.municipality_approved_by_id = None
    evaluation.lead_approved_at = evaluation.lead_approved_by_id = None
    session.add(evaluation)
    session.flush()
    audit.record(
        session, action="joint_evaluation_saved", actor=actor, case=table.case, details={"side": table.party.side}
    )
    return evaluation


def approve(session: Session, table: Table, *, actor: User) -> JointEvaluation:
    """The case owner approves for the municipality, a user of the lead organisation for the coalition."""
    evaluation = table.evaluation
    if evaluation is None:
        raise DomainError(_("Write the joint evaluation before approving it."))
    if not table.party.is_lead:
        raise NotAllowed(_("Only the case owner and the coalition's lead approve the report."))
    now = utcnow()
    if table.party.side == MUNICIPALITY:
        evaluation.municipality_approved_at, evaluation.municipality_approved_by_id = now, actor.id
    else:
        evaluation.lead_approved_at, evaluation.lead_approved_by_id = now, actor.id
    audit.record(
        session, action="joint_evaluation_approved", actor=actor, case=table.case, details={"side": table.party.side}
    )
    _tell_approval(session, table, evaluation)
    if evaluation.municipality_approved_at and evaluation.lead_approved_at and evaluation.published_at is None:
        with force_locale(DOCUMENT_LOCALE):
            evaluation.content_html = render_template("accountability/report.html", **report_context(session, table))
        evaluation.sha256 = hashlib.sha256(evaluation.content_html.encode()).hexdigest()
        evaluation.published_at = now
        audit.record(
            session,
            action="accountability_published",
            actor=actor,
            case=table.case,
            details={"sha256": evaluation.sha256},
        )
    session.add(evaluation)
    session.flush()
    return evaluation


def _tell_approval(session: Session, table: Table, evaluation: JointEvaluation) -> None:
    """The other side that one side approved; both sides once the report is public (it is published below)."""
    published = bool(evaluation.municipality_approved_at and evaluation.lead_approved_at)
    coalition = notification_recipients.of_coalitions(session, [table.coalition.id]).get(
        table.coalition.id, notification_recipients.Audience()
    )
    owner = session.get(User, table.case.owner_id)
    users = []
    if published or table.party.side == MUNICIPALITY:
        users += coalition.users
    if (published or table.party.side == COALITION) and owner is not None:
        users.append(owner)
    notify(
        session,
        Kind.accountability,
        users=users,
        case=table.case,
        template="accountability",
        context={
            "title": table.case.title,
            "reference": table.case.reference,
            "published": published,
            "by_municipality": table.party.side == MUNICIPALITY,
            "link": link_to("accountability.report", case_id=table.case.id)
            if published
            else link_to("accountability.index", case_id=table.case.id),
        },
    )


def report_context(session: Session, table: Table) -> dict:
    return {
        "case": table.case,
        "agreement": table.agreement,
        "coalition": table.coalition,
        "evaluation": table.evaluation,
        "results": [r for r in results(session, table) if not r.indicator.confidential],  # the report is public
        "labels": monitoring.STATUS_LABELS,
    }


def published(session: Session, case_id: int) -> tuple[Case, JointEvaluation]:
    """The public report; not found until both sides approved it."""
    row = session.exec(
        select(Case, JointEvaluation)
        .join(JointEvaluation, JointEvaluation.case_id == Case.id)
        .where(Case.id == case_id, JointEvaluation.published_at.is_not(None))
    ).first()
    if row is None:
        raise NotFound(_("This accountability report is not published."))
    return row


def close_with_follow_up(session: Session, table: Table, *, actor: User, reason: str) -> Case:
    """Close the case and open the next question, its articulation drafted from the findings; it inherits the
    outcomes, indicators (with their last values in force as baselines), stakeholders and budget (`follow_up`)."""
    if table.party.side != MUNICIPALITY:
        raise NotAllowed(_("Only officials open a follow-up case."))
    fire(session, table.case, "close", actor=actor, reason=reason)
    evaluation = table.evaluation
    follow_up = open_case(
        session,
        actor=actor,
        fields=CaseFields(
            title=_("Follow-up: %(title)s", title=table.case.title)[:200],
            question=table.case.question,
            problem_analysis=evaluation.findings,
            signals="\n\n".join(part for part in (evaluation.lessons, evaluation.legacy) if part),
            target_group=table.case.target_group,
            ambition=table.case.ambition,
            theme=table.case.theme,
        ),
        workflow=table.case.workflow,
    )
    follow_up.parent_case_id = table.case.id
    evaluation.follow_up_case_id = follow_up.id
    session.add_all([follow_up, evaluation])
    inheritance.inherit(session, table.case, follow_up, actor=actor, agreement=table.agreement)
    audit.record(
        session, action="follow_up_opened", actor=actor, case=table.case, details={"follow_up_case_id": follow_up.id}
    )
    coalition = notification_recipients.of_coalitions(session, [table.coalition.id]).get(
        table.coalition.id, notification_recipients.Audience()
    )
    notify(
        session,
        Kind.follow_up_case,
        users=coalition.users,
        case=table.case,
        template="follow_up_case",
        context={"title": table.case.title, "reference": table.case.reference, "follow_up": follow_up.title},
        link=link_to("public.home"),
    )
    session.flush()
    return follow_up
