"""Outgoing mail: queued in the same transaction as what it reports.

The outbox is the source of truth for delivery: a job claims a message (`claimed_at`, a lease) before sending it,
and marks it sent afterwards, so two consumers or a duplicated job never send it twice, and a consumer that dies
mid-delivery only delays the message until its lease expires.
"""

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
    # The same message as HTML; sent as the alternative part of a multipart mail when set.
    html_body: str = Field(default="", sa_type=Text, sa_column_kwargs={"server_default": ""})
    # Where the recipient unsubscribes from this kind of mail (RFC 8058 one-click); empty for mail one cannot refuse.
    list_unsubscribe: str = Field(default="", max_length=500, sa_column_kwargs={"server_default": ""})
    case_id: int | None = Field(default=None, foreign_key="cases.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    # Set by the delivering job when it takes the message; a claim older than the lease may be taken over.
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    attempts: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # After a failed attempt: not before this time again (a back-off that grows with the attempts).
    retry_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    error: str = Field(default="", sa_type=Text)
    # About a bid (a coalition invitation, a receipt): recipient, subject, body and time tell who bids and when.
    sealed: bool = Field(default=False)
