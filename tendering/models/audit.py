"""The append-only audit log. The database refuses UPDATE and DELETE on it."""

from datetime import datetime

from sqlalchemy import JSON, Text
from sqlmodel import Field, SQLModel

from .base import UTCDateTime, utcnow


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_events"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int | None = Field(default=None, foreign_key="cases.id", index=True)
    actor_id: int | None = Field(default=None, foreign_key="users.id")
    actor_name: str = Field(max_length=200)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    action: str = Field(max_length=60)
    trigger: str | None = Field(default=None, max_length=60)
    from_state: str | None = Field(default=None, max_length=40)
    to_state: str | None = Field(default=None, max_length=40)
    reason: str = Field(default="", sa_type=Text)
    details: dict = Field(default_factory=dict, sa_type=JSON)
