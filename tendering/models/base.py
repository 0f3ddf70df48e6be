"""Column types shared by every model."""

from datetime import datetime, timezone

from sqlalchemy import BigInteger, DateTime
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """Stores aware datetimes as UTC and always gives them back aware.

    SQLite keeps no time zone, PostgreSQL does; this makes both behave alike so
    no comparison ever mixes naive and aware values.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class DataGeneration(SQLModel, table=True):
    """One row counting committed writes: every transaction that changes data bumps it (see `db`),
    so a page body cached under a generation (see `fragments`) is never served after a change."""

    __tablename__ = "data_generation"
    id: int = Field(default=1, primary_key=True)
    generation: int = Field(default=0, sa_type=BigInteger, sa_column_kwargs={"server_default": "0"})


class ScopeGeneration(SQLModel, table=True):
    """A counter per part of the data that pages cache by ("case:7", "coalition:3", "monitor"): a write that
    changes only such a part (a measurement) bumps its scopes, not the data generation (see `generations`)."""

    __tablename__ = "scope_generations"
    scope: str = Field(primary_key=True, max_length=80)
    generation: int = Field(default=0, sa_type=BigInteger, sa_column_kwargs={"server_default": "0"})
