"""Notifications: one row per recipient, their preferences per kind, and the reminders already sent."""

from datetime import datetime

from sqlalchemy import Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from .base import UTCDateTime, utcnow


class Notification(SQLModel, table=True):
    """What one user was told: shown in their inbox, mailed at once (`mailed_at`) or in a daily digest (`digested_at`)."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_user_created", "user_id", "created_at"),
        Index("ix_notifications_pending_digest", "digest", "digested_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id")
    kind: str = Field(max_length=40)
    case_id: int | None = Field(default=None, foreign_key="cases.id", index=True)
    subject: str = Field(max_length=300)
    text: str = Field(sa_type=Text)
    link: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    read_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # About a bid: only its own coalition's members are ever told, and the admin's outbox only counts the mail.
    sealed: bool = Field(default=False)
    # Waiting for (or sent in) the recipient's daily digest, rather than mailed at once.
    digest: bool = Field(default=False)
    mailed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    digested_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class NotificationPreference(SQLModel, table=True):
    """How a user wants one kind: "immediately", "digest" or "off"; no row means immediately."""

    __tablename__ = "notification_preferences"

    user_id: int = Field(foreign_key="users.id", primary_key=True)
    kind: str = Field(max_length=40, primary_key=True)
    mode: str = Field(max_length=20)


class SentReminder(SQLModel, table=True):
    """A reminder given: one per user, deadline (its stable uid and the moment it falls) and offset, never twice.
    A moved deadline has another moment, so its reminders are given again."""

    __tablename__ = "sent_reminders"
    __table_args__ = (UniqueConstraint("user_id", "deadline_uid", "deadline_at", "offset_days"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id")
    deadline_uid: str = Field(max_length=200)
    deadline_at: datetime = Field(sa_type=UTCDateTime)
    offset_days: int
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
