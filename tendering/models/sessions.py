"""Login sessions kept on the server, so logging out really ends them, and failed logins shared by every worker."""

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from .base import UTCDateTime, utcnow


class UserSession(SQLModel, table=True):
    """One login on one device. The cookie holds a random token; only its hash is stored.

    The user loader accepts a cookie only while its row is here and not ended, so a
    cookie copied before logout, a password change or a block stops working at once.
    """

    __tablename__ = "user_sessions"

    id: int | None = Field(default=None, primary_key=True)
    token_sha256: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Updated at most every few minutes, outside the request's transaction (see `security`).
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    user_agent: str = Field(default="", max_length=255)
    ip_address: str = Field(default="", max_length=45)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ended_reason: str = Field(default="", max_length=40)
    # How this login passed a second factor: "totp", "recovery_code", "identity_provider", or "" for none.
    second_factor: str = Field(default="", max_length=30, sa_column_kwargs={"server_default": ""})


class LoginFailure(SQLModel, table=True):
    """A failed login attempt, counted per account, per client address and per device cookie.

    Rows, not counters, so concurrent workers only ever insert; old rows are pruned.
    """

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_key_at", "key", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=300)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
