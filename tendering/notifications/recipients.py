"""Who is told: the people of coalitions and organisations, each in one query."""

from dataclasses import dataclass, field

from sqlmodel import Session, select

from ..models import CoalitionMember, Interest, MembershipStatus, Organisation, Role, User


@dataclass
class Audience:
    """The accounts to tell, and contact addresses of organisations that are no account's."""

    users: list[User] = field(default_factory=list)
    addresses: set[str] = field(default_factory=set)


def of_coalitions(session: Session, coalition_ids: list[int]) -> dict[int, Audience]:
    """Per coalition: the active users of its accepted organisations, and those organisations' contact addresses."""
    if not coalition_ids:
        return {}
    rows = session.exec(
        select(CoalitionMember.coalition_id, User, Organisation.contact_email)
        .join(Organisation, Organisation.id == CoalitionMember.organisation_id)
        .outerjoin(User, (User.organisation_id == Organisation.id) & (User.role == Role.coalition_member) & User.active)
        .where(CoalitionMember.coalition_id.in_(coalition_ids), CoalitionMember.status == MembershipStatus.accepted)
        .order_by(CoalitionMember.coalition_id, User.id)
    ).all()
    return _collect(rows)


def of_organisations(session: Session, organisation_ids: list[int]) -> Audience:
    """The active coalition-member users of these organisations, and their contact addresses."""
    if not organisation_ids:
        return Audience()
    rows = session.exec(
        select(Organisation.id, User, Organisation.contact_email)
        .outerjoin(User, (User.organisation_id == Organisation.id) & (User.role == Role.coalition_member) & User.active)
        .where(Organisation.id.in_(organisation_ids))
        .order_by(Organisation.id, User.id)
    ).all()
    merged = Audience()
    for audience in _collect(rows).values():
        merged.users.extend(audience.users)
        merged.addresses |= audience.addresses
    return merged


def _collect(rows) -> dict[int, Audience]:
    found: dict[int, Audience] = {}
    for key, user, contact in rows:
        audience = found.setdefault(key, Audience())
        if user is not None and all(u.id != user.id for u in audience.users):
            audience.users.append(user)
        if contact:
            audience.addresses.add(contact)
    return found


def interested(session: Session, case_id: int) -> Audience:
    """Who is told about a tender's publication, amendments and answers: those who follow it, and the organisations
    that stated an interest in the case (their people and contact addresses). Two queries."""
    from ..question.following import followers  # the following module imports the access policy

    stated = of_organisations(
        session, list(session.exec(select(Interest.organisation_id).where(Interest.case_id == case_id)).all())
    )
    audience = Audience(users=list(followers(session, case_id)), addresses=stated.addresses)
    known = {u.id for u in audience.users}
    audience.users.extend(u for u in stated.users if u.id not in known)
    return audience
