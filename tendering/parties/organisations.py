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
from sqlalchemy import func
from sqlmodel import Session, select

from .. import access
from ..core import audit, mail
from ..core.errors import DomainError, NotAllowed, NotFound
from ..models import (
    Coalition,
    Invitation,
    Organisation,
    OrganisationKind,
    OrganisationReview,
    OrganisationStatus,
    RegistrationRequest,
    Role,
    User,
    utcnow,
)
from . import addresses
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
        contact_email=addresses.checked(fields.contact_email) if fields.contact_email.strip() else "",
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
    address_confirmed: bool = False,
) -> User:
    """Create the organisation and its first user, a coalition member (for a registration confirmed by e-mail,
    see `confirm_registration`; the demo and tests call it directly). It is unverified until an official
    confirms it (`confirm_organisation`): until then it cannot submit a proposal."""
    fields = _checked_fields(session, fields)
    organisation = Organisation(
        name=fields.name,
        kind=fields.kind,
        kvk_number=fields.kvk_number or None,
        contact_email=fields.contact_email or None,
        contact_phone=fields.contact_phone or None,
        status=OrganisationStatus.unverified,
        address_confirmed_at=utcnow() if address_confirmed else None,
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
    email = addresses.checked(user_email)
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
        address_confirmed=True,
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
    email = addresses.checked(email)
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


# Verified organisations --------------------------------------------------------------------------------------------
#
# An organisation that registered itself is unverified until its first user confirmed the e-mail address (the
# registration link) and an official confirmed the organisation, optionally after checking its Chamber of Commerce
# number. Until then it can form coalitions and write drafts, but not submit (`Capability.submit_proposal`).


def verification_problem(organisation: Organisation | None, review: OrganisationReview | None = None) -> str | None:
    """Why this organisation cannot submit yet, in the user's language, or None when it is verified."""
    if organisation is None:
        return _("Only members of an organisation can submit a proposal.")
    if organisation.status == OrganisationStatus.verified:
        return None
    if organisation.status == OrganisationStatus.rejected:
        reason = review.reason if review is not None and review.reason else ""
        return _(
            "The municipality did not confirm the registration of %(name)s (%(reason)s), so it cannot submit "
            "proposals. Contact the municipality if this is a mistake.",
            name=organisation.name,
            reason=reason or _("no reason given"),
        )
    return _(
        "%(name)s is not yet confirmed by the municipality. You can prepare the proposal now; it can be submitted "
        "once an official has confirmed the registration.",
        name=organisation.name,
    )


def _submitting_organisations(session: Session, user: User, coalition_id: int | None) -> list[Organisation | None]:
    """Who a submission speaks for: the user's own organisation and the coalition's lead (penvoerder), which
    signs for the coalition; both must be confirmed, so a confirmed partner cannot carry in a bid of an
    unconfirmed or rejected lead. Partners that do not submit may still be unconfirmed."""
    lead_id = session.exec(select(Coalition.lead_organisation_id).where(Coalition.id == coalition_id)).first()
    wanted = [user.organisation_id, lead_id]
    ids = {i for i in wanted if i is not None}
    found = {o.id: o for o in session.exec(select(Organisation).where(Organisation.id.in_(ids)))} if ids else {}
    return [found.get(i) if i is not None else None for i in dict.fromkeys(wanted)]


@access.rule(
    "verified_organisation",
    "the user's organisation and the coalition's lead are confirmed by an official (a self-registered one is not "
    "until then)",
    lambda: _("Your organisation is not yet confirmed by the municipality, so it cannot submit a proposal yet."),
)
def _verified_rule(session: Session, user: User, subject: access.Subject) -> bool:
    return all(
        organisation is not None and organisation.status == OrganisationStatus.verified
        for organisation in _submitting_organisations(session, user, subject.coalition_id)
    )


def submit_refusals(session: Session, actor: User, case, coalition_id: int) -> list[str]:
    """The named check before a submission (`tender_box.submit`): what the access rule of submitting says, with
    each organisation's own status spelled out (not yet confirmed, or rejected and why)."""
    decision = access.decide(session, access.Capability.submit_proposal, actor, case=case, coalition_id=coalition_id)
    if decision:
        return []
    problems = [
        verification_problem(organisation, latest_review(session, organisation.id) if organisation else None)
        for organisation in _submitting_organisations(session, actor, coalition_id)
    ]
    specific = [problem for problem in problems if problem]
    return specific or list(decision.reasons)


def latest_review(session: Session, organisation_id: int) -> OrganisationReview | None:
    return session.exec(
        select(OrganisationReview)
        .where(OrganisationReview.organisation_id == organisation_id)
        .order_by(OrganisationReview.at.desc(), OrganisationReview.id.desc())
    ).first()


@dataclass(frozen=True)
class Verification:
    """What a member sees of the organisation's status: verified or not, and why it cannot submit."""

    status: OrganisationStatus
    problem: str | None
    review: OrganisationReview | None


def verification_status(session: Session, organisation_id: int) -> Verification:
    organisation = get_organisation(session, organisation_id)
    review = latest_review(session, organisation_id)
    return Verification(organisation.status, verification_problem(organisation, review), review)


@dataclass(frozen=True)
class AwaitingRow:
    organisation: Organisation
    first_user: User | None
    members: int


def awaiting_confirmation(session: Session, *, limit: int) -> list[AwaitingRow]:
    """Unverified organisations, oldest first, each with its first user and number of members: one query."""
    first = (
        select(
            User.organisation_id.label("organisation_id"),
            func.min(User.id).label("first_id"),
            func.count(User.id).label("members"),
        )
        .group_by(User.organisation_id)
        .subquery()
    )
    rows = session.exec(
        select(Organisation, User, func.coalesce(first.c.members, 0))
        .outerjoin(first, first.c.organisation_id == Organisation.id)
        .outerjoin(User, User.id == first.c.first_id)
        .where(Organisation.status == OrganisationStatus.unverified)
        .order_by(Organisation.created_at, Organisation.id)
        .limit(limit)
    ).all()
    return [AwaitingRow(organisation, user, members) for organisation, user, members in rows]


def _reviewable(session: Session, official: User, organisation_id: int) -> Organisation:
    access.require(session, access.Capability.confirm_organisations, official)
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound(_("This organisation does not exist."))
    return organisation


def _tell_first_user(session: Session, organisation: Organisation, template: str, **context) -> None:
    first = session.exec(
        select(User).where(User.organisation_id == organisation.id, User.active.is_(True)).order_by(User.id)
    ).first()
    if first is not None:
        mail.queue(session, to=first.email, message=mail.compose(template, organisation=organisation.name, **context))


def confirm_organisation(
    session: Session, *, official: User, organisation_id: int, kvk_checked: bool = False, note: str = ""
) -> Organisation:
    """An official confirms a registered organisation, once its first user confirmed the address: from now on it
    may submit proposals. A rejected one may be confirmed after all (say, after a call that cleared things up)."""
    organisation = _reviewable(session, official, organisation_id)
    if organisation.status == OrganisationStatus.verified:
        raise DomainError(_("This organisation is already confirmed."))
    if organisation.address_confirmed_at is None:
        raise DomainError(_("The organisation's first user has not confirmed the e-mail address yet."))
    if kvk_checked and not organisation.kvk_number:
        raise DomainError(_("This organisation gave no Chamber of Commerce number to check."))
    note = note.strip()
    if len(note) > 500:
        raise DomainError(_("A note has at most 500 characters."))
    return _decide(session, organisation, official, OrganisationStatus.verified, note, kvk_checked=kvk_checked)


def reject_organisation(session: Session, *, official: User, organisation_id: int, reason: str) -> Organisation:
    """An official does not confirm a registered organisation, and says why; its members see the reason."""
    organisation = _reviewable(session, official, organisation_id)
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Say why the organisation is not confirmed: its members read the reason."))
    if len(reason) > 500:
        raise DomainError(_("A reason has at most 500 characters."))
    if organisation.status != OrganisationStatus.unverified:
        raise DomainError(_("Only an organisation awaiting confirmation can be rejected."))
    return _decide(session, organisation, official, OrganisationStatus.rejected, reason)


def _decide(
    session: Session,
    organisation: Organisation,
    official: User,
    decision: OrganisationStatus,
    reason: str,
    *,
    kvk_checked: bool = False,
) -> Organisation:
    """Record an official's decision on a registered organisation: its status, the review, the audit event, and a
    mail to its first user."""
    confirmed = decision == OrganisationStatus.verified
    organisation.status = decision
    session.add(organisation)
    session.add(
        OrganisationReview(
            organisation_id=organisation.id,
            reviewer_id=official.id,
            decision=decision,
            kvk_checked=kvk_checked,
            reason=reason,
        )
    )
    details = {"organisation_id": organisation.id, "name": organisation.name}
    audit.record(
        session,
        action="organisation_confirmed" if confirmed else "organisation_rejected",
        actor=official,
        reason=reason,
        details=details | ({"kvk_checked": kvk_checked} if confirmed else {}),
    )
    if confirmed:
        _tell_first_user(session, organisation, "organisation_confirmed")
    else:
        _tell_first_user(session, organisation, "organisation_rejected", reason=reason)
    session.flush()
    return organisation
