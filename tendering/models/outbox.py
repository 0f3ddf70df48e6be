"""Outgoing mail: queued in the same transaction as what it reports."""

from datetime import datetime

from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from .base import UTCDateTime, utcnow


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox_messages"

    id: int | None = Field(default=None, primary_key=True)
    to_address: str = Field(max_length=254)
    subject: str = Field(max_length=300)
    body: str = Field(sa_type=Text)
    case_id: int | None = Field(default=None, foreign_key="cases.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    error: str = Field(default="", sa_type=Text)
    # About a bid (a coalition invitation, a receipt): recipient, subject, body and time tell who bids and when.
    sealed: bool = Field(default=False)
