"""Organisations and the people who log in."""

from datetime import datetime
from enum import Enum

from sqlalchemy import JSON, UniqueConstraint
from sqlalchemy import Enum as SAEnum
from sqlmodel import Field, SQLModel

from .base import UTCDateTime, utcnow


class OrganisationKind(str, Enum):
    resident_initiative = "resident_initiative"
    company = "company"
    social_organisation = "social_organisation"
    association = "association"
    school = "school"
    housing_corporation = "housing_corporation"
    care_provider = "care_provider"
    public_body = "public_body"
    other = "other"


class Role(str, Enum):
    official = "official"
    council_member = "council_member"
    coalition_member = "coalition_member"
    admin = "admin"


class OrganisationStatus(str, Enum):
    """Whether an official confirmed the organisation. One registered by itself starts `unverified`; one made
    otherwise (by the demo, before migration 0026, in set-ups) counts as verified."""

    unverified = "unverified"
    verified = "verified"
    rejected = "rejected"


class Organisation(SQLModel, table=True):
    __tablename__ = "organisations"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, index=True)
    kind: OrganisationKind = Field(sa_type=SAEnum(OrganisationKind, native_enum=False, length=40))
    kvk_number: str | None = Field(default=None, max_length=8)
    contact_email: str | None = Field(default=None, max_length=254)
    contact_phone: str | None = Field(default=None, max_length=40)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    status: OrganisationStatus = Field(
        default=OrganisationStatus.verified,
        sa_type=SAEnum(OrganisationStatus, native_enum=False, length=20),
        sa_column_kwargs={"server_default": "verified"},
        index=True,
    )
    # When its first user confirmed the e-mail address (the registration link); None for one made otherwise.
    address_confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class OrganisationReview(SQLModel, table=True):
    """An official's decision on a registered organisation: confirmed (with or without a checked Chamber of
    Commerce number) or rejected with a reason. The newest one is the organisation's current status."""

    __tablename__ = "organisation_reviews"

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisations.id", index=True)
    reviewer_id: int = Field(foreign_key="users.id")
    decision: OrganisationStatus = Field(sa_type=SAEnum(OrganisationStatus, native_enum=False, length=20))
    kvk_checked: bool = False
    reason: str = Field(default="", max_length=500)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Team(SQLModel, table=True):
    """A team of officials, with how many running cases it can steer well at once: a new question is taken on when
    its team has room ("pull"). An official belongs to at most one team."""

    __tablename__ = "teams"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    case_limit: int
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class User(SQLModel, table=True):
    """A person with one role; evaluators are officials assigned to a case."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("oidc_issuer", "oidc_subject", name="uq_users_oidc_identity"),)

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    name: str = Field(max_length=200)
    password_hash: str = Field(max_length=255)
    role: Role = Field(sa_type=SAEnum(Role, native_enum=False, length=30))
    organisation_id: int | None = Field(default=None, foreign_key="organisations.id", index=True)
    team_id: int | None = Field(default=None, foreign_key="teams.id", index=True)  # officials only
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Single sign-on: the identity provider (its issuer) and the subject it knows this person by (`parties.sso`).
    oidc_issuer: str | None = Field(default=None, max_length=255)
    oidc_subject: str | None = Field(default=None, max_length=255)
    # The language their notifications are written in ("nl", "en"); unset: the mail's own default (`notifications`).
    language: str | None = Field(default=None, max_length=10)
    # Unread in-app notifications, kept with the user so the header shows it without a query of its own.
    unread_notifications: int = Field(default=0, sa_column_kwargs={"server_default": "0"})

    # Flask-Login's user protocol, spelled out rather than mixed in.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        """The login session's token, not the user id: Flask-Login keeps this in the cookie, and the
        user loader accepts it only while its server-side session is open (`security`)."""
        return self.__dict__.get("_session_token") or ""

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles


class Invitation(SQLModel, table=True):
    """An e-mail link to join an organisation; only the token's hash is stored."""

    __tablename__ = "invitations"

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisations.id", index=True)
    email: str = Field(max_length=254)
    token_sha256: str = Field(max_length=64, unique=True)
    invited_by_id: int = Field(foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    accepted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class RegistrationRequest(SQLModel, table=True):
    """A registration waiting for its e-mail address to be confirmed; the organisation and the account are
    made only then, so the registration page answers the same whether or not the address has an account."""

    __tablename__ = "registration_requests"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254)
    token_sha256: str = Field(max_length=64, unique=True)
    details: dict = Field(default_factory=dict, sa_type=JSON)
    password_hash: str = Field(max_length=255)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
