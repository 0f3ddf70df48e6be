"""Following a tender, and the secret addresses of personal calendar feeds (issue 17)."""

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from .base import UTCDateTime, utcnow


class TenderFollow(SQLModel, table=True):
    """A user's interest in a published tender: its deadlines reach their calendar (and reminders).

    Interest is not a bid, so following seals nothing; still the list of followers is never shown, only a count to
    the municipality."""

    __tablename__ = "tender_follows"
    __table_args__ = (UniqueConstraint("user_id", "case_id", name="uq_tender_follows_user_case"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CalendarToken(SQLModel, table=True):
    """The key in a user's private calendar-feed address; only its SHA-256 is stored. One live token per user:
    renewing revokes the old one, revoking leaves none. `language` is the feed's language, chosen when made."""

    __tablename__ = "calendar_tokens"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    token_sha256: str = Field(max_length=64, unique=True)
    language: str = Field(default="nl", max_length=10)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
