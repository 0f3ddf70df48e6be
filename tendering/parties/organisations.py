"""Organisations register themselves and invite their colleagues by e-mail link.

Neither the registration page nor an invitation tells whether an e-mail address has an account: a
registration is confirmed through a link mailed to the address (and the owner of an existing account
gets a mail saying someone tried), and an invitation to an address with an account is listed like any
other but mails that owner a notice instead of a link.
"""

import hashlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import gettext as _
from sqlmodel import Session, select

from ..core import audit, mail
from ..core.errors import DomainError, NotAllowed, NotFound
from ..models import Invitation, Organisation, OrganisationKind, RegistrationRequest, Role, User, utcnow
from .users import check_password, create_user, find_user_by_email, hash_password

INVITATION_DAYS = 14
REGISTRATION_DAYS = 2
KVK_PATTERN = re.compile(r"^\d{8}$")


@dataclass
class OrganisationFields:
    name: str
    kind: OrganisationKind
    kvk_number: str = ""
    contact_email: str = ""
    contact_phone: str = ""


def _checked_fields(session: Session, fields: OrganisationFields) -> OrganisationFields:
    name = fields.name.strip()
    if not name:
        raise DomainError(_("Give the organisation's name."))
    kvk = fields.kvk_number.strip()
    if kvk and not KVK_PATTERN.match(kvk):
        raise DomainError(_("A Chamber of Commerce number has 8 digits."))
    if kvk and session.exec(select(Organisation).where(Organisation.kvk_number == kvk)).first():
        raise DomainError(_("An organisation with this Chamber of Commerce number is already registered."))
    return OrganisationFields(
        name=name,
        kind=fields.kind,
        kvk_number=kvk,
        contact_email=fields.contact_email.strip().lower(),
        contact_phone=fields.contact_phone.strip(),
    )


def register_organisation(
    session: Session,
    *,
    fields: OrganisationFields,
    user_name: str,
    user_email: str,
    password: str | None = None,
    password_hash: str | None = None,
) -> User:
    """Create the organisation and its first user, a coalition member (for a registration confirmed by e-mail,
    see `confirm_registration`; the demo and tests call it directly)."""
    fields = _checked_fields(session, fields)
    organisation = Organisation(
        name=fields.name,
        kind=fields.kind,
        kvk_number=fields.kvk_number or None,
        contact_email=fields.contact_email or None,
        contact_phone=fields.contact_phone or None,
    )
    session.add(organisation)
    session.flush()
    user = create_user(
        session,
        email=user_email,
        name=user_name,
        password=password,
        password_hash=password_hash,
        role=Role.coalition_member,
        organisation_id=organisation.id,
    )
    audit.record(
        session,
        action="organisation_registered",
        actor=user,
        details={"organisation_id": organisation.id, "name": fields.name},
    )
    return user


def request_registration(
    session: Session,
    *,
    fields: OrganisationFields,
    user_name: str,
    user_email: str,
    password: str,
    link: Callable[[str], str],
    login_link: str,
) -> None:
    """Mail a link to confirm the registration, or, when the address has an account, a notice to its owner.

    Both take the same steps (a password hash, one mail) and the caller answers both alike, so the
    registration page tells nobody whether an address has an account.
    """
    fields = _checked_fields(session, fields)
    email = user_email.strip().lower()
    if "@" not in email:
        raise DomainError(_("Give a valid e-mail address."))
    check_password(password, [email, user_name, fields.name])
    password_hash = hash_password(password)
    if find_user_by_email(session, email) is not None:
        mail.queue(
            session,
            to=email,
            message=mail.compose("registration_existing_account", organisation=fields.name, link=login_link),
        )
        audit.record(session, action="registration_for_existing_account", actor=None, details={"email": email})
        session.flush()
        return
    token = secrets.token_urlsafe(32)
    session.add(
        RegistrationRequest(
            email=email,
            token_sha256=_hash(token),
            details={
                "name": fields.name,
                "kind": fields.kind.value,
                "kvk_number": fields.kvk_number,
                "contact_email": fields.contact_email,
                "contact_phone": fields.contact_phone,
                "user_name": user_name.strip(),
            },
            password_hash=password_hash,
            expires_at=utcnow() + timedelta(days=REGISTRATION_DAYS),
        )
    )
    mail.queue(
        session,
        to=email,
        message=mail.compose(
            "registration_confirm",
            organisation=fields.name,
            name=user_name.strip(),
            days=REGISTRATION_DAYS,
            link=link(token),
        ),
    )
    audit.record(session, action="registration_requested", actor=None, details={"email": email, "name": fields.name})
    session.flush()


def find_registration(session: Session, token: str) -> RegistrationRequest:
    registration = session.exec(
        select(RegistrationRequest).where(RegistrationRequest.token_sha256 == _hash(token))
    ).first()
    if (
        registration is None
        or registration.confirmed_at is not None
        or registration.expires_at <= utcnow()
        or find_user_by_email(session, registration.email) is not None  # another registration was confirmed first
    ):
        raise NotFound(_("This confirmation link is not valid (any more). Register again to get a new one."))
    return registration


def confirm_registration(session: Session, token: str) -> User:
    """Create the organisation and the account of a registration whose e-mail address is now confirmed."""
    registration = find_registration(session, token)
    details = registration.details
    user = register_organisation(
        session,
        fields=OrganisationFields(
            name=details["name"],
            kind=OrganisationKind(details["kind"]),
            kvk_number=details.get("kvk_number", ""),
            contact_email=details.get("contact_email", ""),
            contact_phone=details.get("contact_phone", ""),
        ),
        user_name=details["user_name"],
        user_email=registration.email,
        password_hash=registration.password_hash,
    )
    registration.confirmed_at = utcnow()
    session.add(registration)
    session.flush()
    return user


def members_of(session: Session, organisation_id: int) -> list[User]:
    return list(session.exec(select(User).where(User.organisation_id == organisation_id).order_by(User.name)).all())


def open_invitations(session: Session, organisation_id: int) -> list[Invitation]:
    return list(
        session.exec(
            select(Invitation)
            .where(
                Invitation.organisation_id == organisation_id,
                Invitation.accepted_at.is_(None),
                Invitation.expires_at > utcnow(),
            )
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
    has_account = find_user_by_email(session, email) is not None
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
    # Listed like any invitation, so the inviter cannot tell; to an address with an account its link is never sent.
    mail.queue(
        session,
        to=email,
        message=mail.compose(
            "colleague_invitation",
            name=inviter.name,
            organisation=organisation.name,
            days=INVITATION_DAYS,
            link=None if has_account else link(token),
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
    if find_user_by_email(session, invitation.email) is not None:  # an account made since the invitation was sent
        raise NotFound(_("This invitation link is not valid (any more). Ask for a new one."))
    user = create_user(
        session,
        email=invitation.email,
        name=name,
        password=password,
        role=Role.coalition_member,
        organisation_id=invitation.organisation_id,
    )
    invitation.accepted_at = utcnow()
    session.add(invitation)
    audit.record(
        session, action="invitation_accepted", actor=user, details={"organisation_id": invitation.organisation_id}
    )
    session.flush()
    return user


def get_organisation(session: Session, organisation_id: int) -> Organisation:
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound(_("This organisation does not exist."))
    return organisation
