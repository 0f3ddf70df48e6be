"""Organisations register themselves and invite their colleagues by e-mail link."""

import hashlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import gettext as _
from sqlmodel import Session, select

from . import audit, mail
from .errors import DomainError, NotAllowed, NotFound
from .models import Invitation, Organisation, OrganisationKind, Role, User, utcnow
from .users import create_user

INVITATION_DAYS = 14
KVK_PATTERN = re.compile(r"^\d{8}$")


@dataclass
class OrganisationFields:
    name: str
    kind: OrganisationKind
    kvk_number: str = ""
    contact_email: str = ""
    contact_phone: str = ""


def register_organisation(
    session: Session, *, fields: OrganisationFields, user_name: str, user_email: str, password: str
) -> User:
    """Create the organisation and its first user, a coalition member."""
    name = fields.name.strip()
    if not name:
        raise DomainError(_("Give the organisation's name."))
    kvk = fields.kvk_number.strip()
    if kvk and not KVK_PATTERN.match(kvk):
        raise DomainError(_("A Chamber of Commerce number has 8 digits."))
    if kvk and session.exec(select(Organisation).where(Organisation.kvk_number == kvk)).first():
        raise DomainError(_("An organisation with this Chamber of Commerce number is already registered."))
    organisation = Organisation(
        name=name,
        kind=fields.kind,
        kvk_number=kvk or None,
        contact_email=fields.contact_email.strip().lower() or None,
        contact_phone=fields.contact_phone.strip() or None,
    )
    session.add(organisation)
    session.flush()
    user = create_user(
        session, email=user_email, name=user_name, password=password, role=Role.coalition_member,
        organisation_id=organisation.id,
    )
    audit.record(session, action="organisation_registered", actor=user, details={"organisation_id": organisation.id, "name": name})
    return user


def members_of(session: Session, organisation_id: int) -> list[User]:
    return list(session.exec(select(User).where(User.organisation_id == organisation_id).order_by(User.name)).all())


def open_invitations(session: Session, organisation_id: int) -> list[Invitation]:
    return list(
        session.exec(
            select(Invitation)
            .where(Invitation.organisation_id == organisation_id, Invitation.accepted_at.is_(None), Invitation.expires_at > utcnow())
            .order_by(Invitation.created_at)
        ).all()
    )


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite_colleague(session: Session, *, inviter: User, email: str, link: Callable[[str], str]) -> Invitation:
    """Send a one-time link to join the inviter's organisation; only its hash is kept."""
    if inviter.role != Role.coalition_member or inviter.organisation_id is None:
        raise NotAllowed(_("Only members of an organisation can invite colleagues."))
    email = email.strip().lower()
    if "@" not in email:
        raise DomainError(_("Give a valid e-mail address."))
    if session.exec(select(User).where(User.email == email)).first():
        raise DomainError(_("An account with this e-mail address already exists."))
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        organisation_id=inviter.organisation_id,
        email=email,
        token_sha256=_hash(token),
        invited_by_id=inviter.id,
        expires_at=utcnow() + timedelta(days=INVITATION_DAYS),
    )
    session.add(invitation)
    organisation = session.get(Organisation, inviter.organisation_id)
    mail.queue(
        session,
        to=email,
        subject=_("Invitation to join %(organisation)s", organisation=organisation.name),
        body=_(
            "%(name)s invites you to join %(organisation)s on the social tendering platform.\n\n"
            "Open this link within %(days)d days to create your account:\n%(link)s",
            name=inviter.name, organisation=organisation.name, days=INVITATION_DAYS, link=link(token),
        ),
    )
    audit.record(session, action="colleague_invited", actor=inviter, details={"organisation_id": organisation.id})
    session.flush()
    return invitation


def find_invitation(session: Session, token: str) -> Invitation:
    invitation = session.exec(select(Invitation).where(Invitation.token_sha256 == _hash(token))).first()
    if invitation is None or invitation.accepted_at is not None or invitation.expires_at <= utcnow():
        raise NotFound(_("This invitation link is not valid (any more). Ask for a new one."))
    return invitation


def accept_invitation(session: Session, token: str, *, name: str, password: str) -> User:
    invitation = find_invitation(session, token)
    user = create_user(
        session, email=invitation.email, name=name, password=password, role=Role.coalition_member,
        organisation_id=invitation.organisation_id,
    )
    invitation.accepted_at = utcnow()
    session.add(invitation)
    audit.record(session, action="invitation_accepted", actor=user, details={"organisation_id": invitation.organisation_id})
    session.flush()
    return user


def get_organisation(session: Session, organisation_id: int) -> Organisation:
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound(_("This organisation does not exist."))
    return organisation
