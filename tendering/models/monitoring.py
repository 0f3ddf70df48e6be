"""The agreement and what is measured and reported under it."""

from datetime import date, datetime
from decimal import Decimal
from enum import Enum

from sqlalchemy import JSON, Numeric, Text, UniqueConstraint
from sqlalchemy import Enum as SAEnum
from sqlmodel import Field, SQLModel

from .base import UTCDateTime, utcnow


class Agreement(SQLModel, table=True):
    """Negotiated during the standstill; frozen as a document when concluded."""

    __tablename__ = "agreements"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    coalition_id: int = Field(foreign_key="coalitions.id", index=True)
    award_decision_id: int | None = Field(default=None, foreign_key="award_decisions.id", unique=True)
    budget: Decimal = Field(sa_type=Numeric(14, 2))
    starts_on: date
    ends_on: date
    overseers: list = Field(default_factory=list, sa_type=JSON)  # municipality, client_panel, stakeholders
    monitoring_arrangement: str = Field(default="", sa_type=Text)
    report_cadence: str = Field(default="quarterly", max_length=20)
    recorded_by_id: int | None = Field(default=None, foreign_key="users.id")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    concluded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    concluded_by_id: int | None = Field(default=None, foreign_key="users.id")
    content_html: str = Field(default="", sa_type=Text)
    sha256: str = Field(default="", max_length=64)


class Direction(str, Enum):
    higher_is_better = "higher_is_better"
    lower_is_better = "lower_is_better"


class Indicator(SQLModel, table=True):
    __tablename__ = "indicators"

    id: int | None = Field(default=None, primary_key=True)
    agreement_id: int = Field(foreign_key="agreements.id", index=True)
    outcome_id: int | None = Field(default=None, foreign_key="outcomes.id")
    name: str = Field(max_length=200)
    definition: str = Field(default="", sa_type=Text)
    unit: str = Field(default="", max_length=40)
    direction: Direction = Field(sa_type=SAEnum(Direction, native_enum=False, length=20))
    data_source: str = Field(default="", sa_type=Text)
    baseline_value: float
    baseline_date: date
    target_value: float
    target_date: date
    norm_at_risk: float | None = None
    norm_off_track: float | None = None
    frequency: str = Field(default="quarterly", max_length=20)
    measured_by: str = Field(default="", max_length=200)
    confidential: bool = False


class Measurement(SQLModel, table=True):
    """A value for one period; a correction is a new row that supersedes the old."""

    __tablename__ = "measurements"

    id: int | None = Field(default=None, primary_key=True)
    indicator_id: int = Field(foreign_key="indicators.id", index=True)
    period: date
    value: float
    source: str = Field(default="", sa_type=Text)
    note: str = Field(default="", sa_type=Text)
    reported_by_id: int = Field(foreign_key="users.id")
    reported_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    supersedes_id: int | None = Field(default=None, foreign_key="measurements.id", unique=True)
    correction_reason: str = Field(default="", sa_type=Text)


class ProgressReport(SQLModel, table=True):
    __tablename__ = "progress_reports"
    __table_args__ = (UniqueConstraint("agreement_id", "period"),)

    id: int | None = Field(default=None, primary_key=True)
    agreement_id: int = Field(foreign_key="agreements.id", index=True)
    period: date
    narrative: str = Field(sa_type=Text)
    adjustments: str = Field(default="", sa_type=Text)
    setbacks: str = Field(default="", sa_type=Text)
    windfalls: str = Field(default="", sa_type=Text)
    client_panel: str = Field(default="", sa_type=Text)
    submitted_by_id: int = Field(foreign_key="users.id")
    submitted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    acknowledged_by_id: int | None = Field(default=None, foreign_key="users.id")
    acknowledged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    response: str = Field(default="", sa_type=Text)


class JointEvaluation(SQLModel, table=True):
    """Joint accountability; public only once both sides approved."""

    __tablename__ = "joint_evaluations"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", unique=True)
    participants: str = Field(sa_type=Text)
    findings: str = Field(sa_type=Text)
    lessons: str = Field(default="", sa_type=Text)
    legacy: str = Field(default="", sa_type=Text)
    municipality_approved_by_id: int | None = Field(default=None, foreign_key="users.id")
    municipality_approved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    lead_approved_by_id: int | None = Field(default=None, foreign_key="users.id")
    lead_approved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    follow_up_case_id: int | None = Field(default=None, foreign_key="cases.id")
