"""A second factor for logging in: a TOTP authenticator app, and one-time recovery codes."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from .base import UTCDateTime, utcnow


class SecondFactor(SQLModel, table=True):
    """A user's TOTP secret (RFC 6238), encrypted (`parties.second_factor`). It counts once `confirmed_at` is set:
    the user typed a code from it. `last_used_step` is the time step of the last code accepted, so no code
    works twice."""

    __tablename__ = "second_factors"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", unique=True)
    secret_encrypted: str = Field(max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_used_step: int | None = None


class RecoveryCode(SQLModel, table=True):
    """A one-time code for when the authenticator is lost; only its SHA-256 is stored (the codes are random)."""

    __tablename__ = "recovery_codes"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    code_sha256: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
