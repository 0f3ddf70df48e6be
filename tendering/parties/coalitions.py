"""Coalitions: a lead organisation invites partners; partners accept or decline
and state their role and contribution. Only the member organisations see a
coalition (an invited one too, so it can decide)."""

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func
from sqlmodel import Session, select

from .. import access
from ..core import audit
from ..core.errors import DomainError, NotAllowed, NotFound
from ..models import Case, Coalition, CoalitionMember, MembershipStatus, Organisation, Role, User
from ..notifications import Kind, link_to, notify
from ..notifications import recipients as notification_recipients
from ..workflow.phases import in_phase
from . import shared_partners

CONTRIBUTION_KINDS = {
    "money": _l("Money"),
    "people": _l("People"),
    "facilities": _l("Facilities"),
    "expertise": _l("Expertise"),
    "reach": _l("Reach"),
}


@dataclass(frozen=True)
class MemberRow:
    member: CoalitionMember
    organisation: Organisation


def _organisation_of(user: User) -> int:
    if user.role != Role.coalition_member or user.organisation_id is None:
        raise NotAllowed(_("Only members of an organisation can take part in a coalition."))
    return user.organisation_id


def form_coalition(session: Session, case: Case, *, actor: User, name: str) -> Coalition:
    """The user's organisation starts a coalition for the case and leads it."""
    organisation_id = _organisation_of(actor)
    if not in_phase(case, "coalitions_forming"):
        raise DomainError(_("Coalitions are formed during coalition forming and while the tender is open."))
    name = name.strip()
    if not name:
        raise DomainError(_("Give the coalition a name."))
    existing = session.exec(
        select(Coalition).where(Coalition.case_id == case.id, Coalition.lead_organisation_id == organisation_id)
    ).first()
    if existing:
        raise DomainError(_("Your organisation already leads a coalition for this question."))
    shared_partners.check_acceptance(session, case, None, organisation_id)
    coalition = Coalition(case_id=case.id, name=name, lead_organisation_id=organisation_id)
    session.add(coalition)
    session.flush()
    session.add(
        CoalitionMember(
            coalition_id=coalition.id, organisation_id=organisation_id, is_lead=True, status=MembershipStatus.accepted
        )
    )
    audit.record(session, action="coalition_formed", actor=actor, case=case, details={"coalition_id": coalition.id})
    session.flush()
    shared_partners.tell_leads(session, case, organisation_id)
    return coalition


def is_member(session: Session, coalition_id: int | None, user: User, *, accepted: bool) -> bool:
    """Whether the user's organisation is in the coalition (`accepted`: has taken its place, not only invited)."""
    if coalition_id is None or user.organisation_id is None:
        return False
    statement = (
        select(func.count())
        .select_from(CoalitionMember)
        .where(CoalitionMember.coalition_id == coalition_id, CoalitionMember.organisation_id == user.organisation_id)
    )
    if accepted:
        statement = statement.where(CoalitionMember.status == MembershipStatus.accepted)
    return bool(session.exec(statement).one())


def is_lead(session: Session, coalition_id: int | None, user: User) -> bool:
    """Whether the user belongs to the coalition's lead organisation (which speaks for the coalition)."""
    if coalition_id is None or user.organisation_id is None:
        return False
    statement = (
        select(func.count())
        .select_from(CoalitionMember)
        .where(
            CoalitionMember.coalition_id == coalition_id,
            CoalitionMember.organisation_id == user.organisation_id,
            CoalitionMember.status == MembershipStatus.accepted,
            CoalitionMember.is_lead,
        )
    )
    return bool(session.exec(statement).one())


@access.rule(
    "coalition_member",
    "the user's organisation is invited to or part of the coalition",
    lambda: _("This coalition does not exist or you are not part of it."),
    hides=True,
)
def _member_rule(session: Session, user: User, subject: access.Subject) -> bool:
    return is_member(session, subject.coalition_id, user, accepted=False)


@access.rule(
    "joined_coalition",
    "the user's organisation accepted its place in the coalition",
    lambda: _("This coalition does not exist or you are not part of it."),
    hides=True,
)
def _joined_rule(session: Session, user: User, subject: access.Subject) -> bool:
    return is_member(session, subject.coalition_id, user, accepted=True)


def get_for(session: Session, coalition_id: int, user: User) -> tuple[Coalition, CoalitionMember]:
    """The coalition and the user's membership; not found for anyone outside it."""
    row = None
    if user.is_authenticated and user.organisation_id is not None:
        row = session.exec(
            select(Coalition, CoalitionMember)
            .join(CoalitionMember, CoalitionMember.coalition_id == Coalition.id)
            .where(Coalition.id == coalition_id, CoalitionMember.organisation_id == user.organisation_id)
        ).first()
    if row is None:
        raise NotFound(_("This coalition does not exist or you are not part of it."))
    return row[0], row[1]


def members(session: Session, coalition: Coalition) -> list[MemberRow]:
    rows = session.exec(
        select(CoalitionMember, Organisation)
        .join(Organisation, Organisation.id == CoalitionMember.organisation_id)
        .where(CoalitionMember.coalition_id == coalition.id)
        .order_by(CoalitionMember.is_lead.desc(), Organisation.name)
    ).all()
    return [MemberRow(member, organisation) for member, organisation in rows]


def accepted_count(session: Session, coalition: Coalition) -> int:
    return session.exec(
        select(func.count())
        .select_from(CoalitionMember)
        .where(CoalitionMember.coalition_id == coalition.id, CoalitionMember.status == MembershipStatus.accepted)
    ).one()


def invitable_organisations(session: Session, coalition: Coalition) -> list[Organisation]:
    taken = select(CoalitionMember.organisation_id).where(CoalitionMember.coalition_id == coalition.id)
    return list(
        session.exec(select(Organisation).where(Organisation.id.not_in(taken)).order_by(Organisation.name)).all()
    )


def invite_partner(
    session: Session, coalition: Coalition, *, actor: User, organisation_id: int, case: Case
) -> CoalitionMember:
    """The lead invites another registered organisation as a partner."""
    if _organisation_of(actor) != coalition.lead_organisation_id:
        raise NotAllowed(_("Only the lead organisation invites partners."))
    if not in_phase(case, "coalitions_forming"):
        raise DomainError(_("Coalitions are formed during coalition forming and while the tender is open."))
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound(_("This organisation does not exist."))
    if session.exec(
        select(CoalitionMember).where(
            CoalitionMember.coalition_id == coalition.id, CoalitionMember.organisation_id == organisation_id
        )
    ).first():
        raise DomainError(_("This organisation is already part of the coalition or invited."))
    member = CoalitionMember(coalition_id=coalition.id, organisation_id=organisation_id)
    session.add(member)
    invited = notification_recipients.of_organisations(session, [organisation_id])
    notify(  # sealed: it tells who forms a coalition to bid
        session,
        Kind.coalition_invitation,
        users=invited.users,
        addresses=invited.addresses,
        case=case,
        template="coalition_invitation",
        context={"coalition": coalition.name, "question": case.title, "reference": case.reference},
        link=link_to("coalitions.index"),
        sealed=True,
    )
    audit.record(
        session,
        action="partner_invited",
        actor=actor,
        case=case,
        details={"coalition_id": coalition.id, "organisation_id": organisation_id},
    )
    session.flush()
    return member


def respond(
    session: Session,
    coalition: Coalition,
    membership: CoalitionMember,
    *,
    actor: User,
    case: Case,
    accept: bool,
    role: str = "",
    contribution_kind: str = "",
    contribution: str = "",
) -> None:
    """A partner accepts (stating role and contribution) or declines; an accepted one may update its contribution."""
    if not in_phase(case, "coalitions_forming"):
        raise DomainError(_("Coalitions are formed during coalition forming and while the tender is open."))
    if membership.status == MembershipStatus.declined:
        raise DomainError(_("Your organisation declined this invitation."))
    if not accept:
        if membership.is_lead:
            raise DomainError(_("The lead organisation cannot leave its own coalition."))
        membership.status = MembershipStatus.declined
    else:
        if not role.strip() or not contribution.strip():
            raise DomainError(_("State your organisation's role and its contribution."))
        if contribution_kind not in CONTRIBUTION_KINDS:
            raise DomainError(_("Choose the kind of contribution."))
        joins = membership.status != MembershipStatus.accepted
        if joins:
            shared_partners.check_acceptance(session, case, coalition.id, membership.organisation_id)
        membership.status = MembershipStatus.accepted
        membership.role, membership.contribution_kind, membership.contribution = (
            role.strip(),
            contribution_kind,
            contribution.strip(),
        )
    session.add(membership)
    audit.record(
        session,
        action="partner_accepted" if accept else "partner_declined",
        actor=actor,
        case=case,
        details={"coalition_id": coalition.id, "organisation_id": membership.organisation_id},
    )
    session.flush()
    if accept and joins:
        lead = notification_recipients.of_organisations(session, [coalition.lead_organisation_id])
        partner = session.get(Organisation, membership.organisation_id)
        notify(  # sealed: only the lead organisation's own people
            session,
            Kind.coalition_acceptance,
            users=lead.users,
            case=case,
            template="coalition_acceptance",
            context={
                "coalition": coalition.name,
                "partner": partner.name if partner else "",
                "question": case.title,
                "link": link_to("coalitions.show", coalition_id=coalition.id),
            },
            sealed=True,
        )
        shared_partners.tell_leads(session, case, membership.organisation_id)


def coalitions_of(session: Session, organisation_id: int) -> list[tuple[Coalition, CoalitionMember, Case]]:
    """Every coalition the organisation leads, joined or is invited to, with its case."""
    return list(
        session.exec(
            select(Coalition, CoalitionMember, Case)
            .join(CoalitionMember, CoalitionMember.coalition_id == Coalition.id)
            .join(Case, Case.id == Coalition.case_id)
            .where(CoalitionMember.organisation_id == organisation_id)
            .order_by(Case.submission_deadline, Coalition.name)
        ).all()
    )
