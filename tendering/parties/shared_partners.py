"""Organisations that are accepted partners in two or more competing coalitions for the same case.

Such a partner sees two bids in the making, so the tender says whether it is allowed
(`Case.shared_partners_allowed`, announced in the question document):
- allowed: the leads of the coalitions concerned are told (on their coalition page and by mail) that one of their
  partners is also a partner in another coalition for this case, never which coalition, since who bids is sealed
  until the opening; the municipality sees who and where only after the four-eyes opening;
- not allowed: an organisation cannot accept a second coalition's invitation (told so, with nothing else
  revealed), which is what a procurement lawyer expects: the conflict is prevented before anyone bids, rather than
  a submission refused at the deadline. Where it exists nonetheless (coalitions formed before the rule was set),
  the same flags appear, and after the opening the evaluators are told to hear both coalitions before deciding on
  exclusion: EU law forbids excluding them automatically without letting them show that their bids were made
  independently (Court of Justice, C-538/07 Assitur).
"""

from dataclasses import dataclass

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import func
from sqlmodel import Session, select

from ..core.errors import DomainError
from ..models import Case, Coalition, CoalitionMember, MembershipStatus, Organisation, Role, User
from ..notifications import Kind, notify


@dataclass(frozen=True)
class SharedPartner:
    organisation: Organisation
    coalitions: list[Coalition]


def _shared_ids(case: Case):
    """The organisations accepted in more than one coalition of the case, as a subquery."""
    return (
        select(CoalitionMember.organisation_id)
        .join(Coalition, Coalition.id == CoalitionMember.coalition_id)
        .where(Coalition.case_id == case.id, CoalitionMember.status == MembershipStatus.accepted)
        .group_by(CoalitionMember.organisation_id)
        .having(func.count() > 1)
    )


def shared(session: Session, case: Case) -> list[SharedPartner]:
    """Every shared partner with the coalitions it is in. Names bidders: only for after the opening."""
    rows = session.exec(
        select(Organisation, Coalition)
        .join(CoalitionMember, CoalitionMember.organisation_id == Organisation.id)
        .join(Coalition, Coalition.id == CoalitionMember.coalition_id)
        .where(
            Coalition.case_id == case.id,
            CoalitionMember.status == MembershipStatus.accepted,
            Organisation.id.in_(_shared_ids(case)),
        )
        .order_by(Organisation.name, Coalition.name)
    ).all()
    found: dict[int, SharedPartner] = {}
    for organisation, coalition in rows:
        found.setdefault(organisation.id, SharedPartner(organisation, [])).coalitions.append(coalition)
    return list(found.values())


def after_opening(session: Session, case: Case) -> list[SharedPartner]:
    """What the municipality is shown: nothing before the four-eyes opening, since it would tell who bids."""
    from ..procurement.tender_box import is_open  # the tender box builds on the parties, not the other way round

    return shared(session, case) if is_open(session, case) else []


def has_shared_partner(session: Session, coalition: Coalition) -> bool:
    """For the coalition's own page: whether one of its partners is also in another coalition (never which)."""
    case = session.get(Case, coalition.case_id)
    return bool(
        session.exec(
            select(func.count())
            .select_from(CoalitionMember)
            .where(
                CoalitionMember.coalition_id == coalition.id,
                CoalitionMember.status == MembershipStatus.accepted,
                CoalitionMember.organisation_id.in_(_shared_ids(case)),
            )
        ).one()
    )


def check_acceptance(session: Session, case: Case, coalition_id: int | None, organisation_id: int) -> None:
    """Refuse a second coalition where the tender does not allow it; tells the organisation only about itself."""
    if case.shared_partners_allowed:
        return
    elsewhere = session.exec(
        select(func.count())
        .select_from(CoalitionMember)
        .join(Coalition, Coalition.id == CoalitionMember.coalition_id)
        .where(
            Coalition.case_id == case.id,
            Coalition.id != (coalition_id or 0),
            CoalitionMember.organisation_id == organisation_id,
            CoalitionMember.status == MembershipStatus.accepted,
        )
    ).one()
    if elsewhere:
        raise DomainError(
            _(
                "This tender does not allow an organisation to be a partner in more than one coalition, and your "
                "organisation already takes part in another coalition for this case."
            )
        )


def tell_leads(session: Session, case: Case, organisation_id: int) -> None:
    """Once the organisation is in two or more coalitions, mail each of their leads without naming the others."""
    coalitions = session.exec(
        select(Coalition)
        .join(CoalitionMember, CoalitionMember.coalition_id == Coalition.id)
        .where(
            Coalition.case_id == case.id,
            CoalitionMember.organisation_id == organisation_id,
            CoalitionMember.status == MembershipStatus.accepted,
        )
    ).all()
    if len(coalitions) < 2:
        return
    rows = session.exec(
        select(Coalition.id, User, Organisation.contact_email)
        .join(Organisation, Organisation.id == Coalition.lead_organisation_id)
        .outerjoin(User, (User.organisation_id == Organisation.id) & (User.role == Role.coalition_member) & User.active)
        .where(Coalition.id.in_([c.id for c in coalitions]))
    ).all()
    users: dict[int, list[User]] = {}
    addresses: dict[int, set[str]] = {}
    for coalition_id, user, contact in rows:
        if user is not None:
            users.setdefault(coalition_id, []).append(user)
        if contact:
            addresses.setdefault(coalition_id, set()).add(contact)
    for coalition in coalitions:
        notify(  # sealed: each lead only, without naming the other coalitions
            session,
            Kind.shared_partner,
            users=users.get(coalition.id, []),
            addresses=addresses.get(coalition.id, ()),
            case=case,
            template="shared_partner",
            context={
                "coalition": coalition.name,
                "question": case.title,
                "reference": case.reference,
                "allowed": case.shared_partners_allowed,
                "link": url_for("coalitions.show", coalition_id=coalition.id, _external=True),
            },
            sealed=True,
        )
