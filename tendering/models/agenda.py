"""The municipality's Maatschappelijke Agenda: a handful of ambitions for a council period, each with city-wide
outcome indicators that the municipality measures itself (its databook), and the cases that contribute to them.

An agenda is versioned by period: a new agenda carries the ambitions and indicators of the previous one over as new
rows (`carried_from_id`), so the old agenda and its numbers stay as the council decided them."""

from datetime import date, datetime

from sqlalchemy import Enum as SAEnum
from sqlalchemy import Index, Text, text
from sqlmodel import Field, SQLModel

from .base import UTCDateTime, utcnow
from .monitoring import Direction, IndicatorStatus


class Agenda(SQLModel, table=True):
    __tablename__ = "agendas"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    starts_on: date
    ends_on: date
    council_decision: str = Field(default="", sa_type=Text)  # the council's decision: its reference and gist
    decided_on: date | None = None
    previous_id: int | None = Field(default=None, foreign_key="agendas.id")
    created_by_id: int = Field(foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Ambition(SQLModel, table=True):
    __tablename__ = "ambitions"

    id: int | None = Field(default=None, primary_key=True)
    agenda_id: int = Field(foreign_key="agendas.id", index=True)
    position: int = 0
    title: str = Field(max_length=300)
    description: str = Field(default="", sa_type=Text)
    carried_from_id: int | None = Field(default=None, foreign_key="ambitions.id")


class CityIndicator(SQLModel, table=True):
    """A city-wide outcome indicator of an ambition, reported by the municipality (its research department). The
    norms in force are kept here for the status computation; each agreement on them is a `CityNorm`."""

    __tablename__ = "city_indicators"

    id: int | None = Field(default=None, primary_key=True)
    ambition_id: int = Field(foreign_key="ambitions.id", index=True)
    position: int = 0
    name: str = Field(max_length=200)
    definition: str = Field(default="", sa_type=Text)
    unit: str = Field(default="", max_length=40)
    direction: Direction = Field(sa_type=SAEnum(Direction, native_enum=False, length=20))
    data_source: str = Field(default="", sa_type=Text)
    measured_by: str = Field(default="", max_length=200)
    frequency: str = Field(default="yearly", max_length=20)
    baseline_value: float
    baseline_date: date
    target_value: float
    target_date: date
    norm_at_risk: float | None = None
    norm_off_track: float | None = None
    confidential: bool = False
    carried_from_id: int | None = Field(default=None, foreign_key="city_indicators.id")
    # Summary of the values in force, refreshed on every write, as for the coalitions' indicators.
    latest_value: float | None = None
    latest_period: date | None = None
    assessed_status: IndicatorStatus = Field(
        default=IndicatorStatus.no_data, sa_type=SAEnum(IndicatorStatus, native_enum=False, length=20)
    )


class CityNorm(SQLModel, table=True):
    """The norms of a city indicator as agreed with partners on a date: who agreed, and what. Append-only; the
    latest agreement is in force."""

    __tablename__ = "city_norms"

    id: int | None = Field(default=None, primary_key=True)
    indicator_id: int = Field(foreign_key="city_indicators.id", index=True)
    norm_at_risk: float | None = None
    norm_off_track: float | None = None
    agreed_on: date
    partners: str = Field(sa_type=Text)  # the partners that agreed, one per line
    note: str = Field(default="", sa_type=Text)
    recorded_by_id: int = Field(foreign_key="users.id")
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CityMeasurement(SQLModel, table=True):
    """A city indicator's value for a period; a correction is a new row that supersedes the old, as for coalitions."""

    __tablename__ = "city_measurements"
    __table_args__ = (
        Index(
            "uq_city_measurements_first_value",
            "indicator_id",
            "period",
            unique=True,
            sqlite_where=text("supersedes_id IS NULL"),
            postgresql_where=text("supersedes_id IS NULL"),
        ),
        Index(
            "uq_city_measurements_supersedes",
            "supersedes_id",
            unique=True,
            sqlite_where=text("supersedes_id IS NOT NULL"),
            postgresql_where=text("supersedes_id IS NOT NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    indicator_id: int = Field(foreign_key="city_indicators.id", index=True)
    period: date
    value: float
    source: str = Field(default="", sa_type=Text)
    note: str = Field(default="", sa_type=Text)
    reported_by_id: int = Field(foreign_key="users.id")
    reported_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    supersedes_id: int | None = Field(default=None, foreign_key="city_measurements.id")
    correction_reason: str = Field(default="", sa_type=Text)


class CaseAmbition(SQLModel, table=True):
    """A case contributes to an ambition; changeable while the case runs, each change in the case's audit trail."""

    __tablename__ = "case_ambitions"

    case_id: int = Field(foreign_key="cases.id", primary_key=True)
    ambition_id: int = Field(foreign_key="ambitions.id", primary_key=True, index=True)
    linked_by_id: int = Field(foreign_key="users.id")
    linked_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PortfolioReview(SQLModel, table=True):
    """A portfolio review held with partners: which questions are taken on, continued, paused or stopped, and why."""

    __tablename__ = "portfolio_reviews"

    id: int | None = Field(default=None, primary_key=True)
    held_on: date
    participants: str = Field(sa_type=Text)  # who was at the table, one per line
    summary: str = Field(default="", sa_type=Text)
    recorded_by_id: int = Field(foreign_key="users.id")
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PortfolioDecision(SQLModel, table=True):
    """What a review decided about one case. Append-only: a later review decides again."""

    __tablename__ = "portfolio_decisions"

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="portfolio_reviews.id", index=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    decision: str = Field(max_length=20)  # take_on, continue, pause or stop
    reason: str = Field(sa_type=Text)
