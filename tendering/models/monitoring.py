"""The agreement and what is measured and reported under it."""

from datetime import date, datetime
from decimal import Decimal
from enum import Enum

from sqlalchemy import JSON, Index, Numeric, Text, UniqueConstraint, text
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
    # Designed together (issue 15): every change of the terms or the indicators raises the version and withdraws
    # both approvals; an approval names the version it was given to, so one of an older text is refused.
    version: int = Field(default=1)
    municipality_approved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    municipality_approved_by_id: int | None = Field(default=None, foreign_key="users.id")
    lead_approved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    lead_approved_by_id: int | None = Field(default=None, foreign_key="users.id")
    # The financial part (issue 20): how the risk is shared, in words, and who checks outcome values before an
    # outcome payment (besides an official who did not report them).
    risk_sharing: str = Field(default="", sa_type=Text)
    validator_id: int | None = Field(default=None, foreign_key="users.id")


class AgreementContribution(SQLModel, table=True):
    """One entry in the thread of the agreement's design: a proposal (a new indicator, a change of one, a text for
    the monitoring arrangement) or a comment. Append-only: a proposal's decision is set once, in its own columns."""

    __tablename__ = "agreement_contributions"

    id: int | None = Field(default=None, primary_key=True)
    agreement_id: int = Field(foreign_key="agreements.id", index=True)
    indicator_id: int | None = Field(default=None, index=True)  # no foreign key: the thread outlives a removed one
    subject: str = Field(default="", max_length=200)  # the indicator's name when written, for the history
    kind: str = Field(max_length=20)  # indicator, change, arrangement (proposals) or comment
    payload: dict = Field(default_factory=dict, sa_type=JSON)  # the proposed indicator fields
    body: str = Field(default="", sa_type=Text)
    author_id: int = Field(foreign_key="users.id")
    side: str = Field(max_length=20)  # municipality or coalition
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    decision: str | None = Field(default=None, max_length=20)  # accepted or declined
    decision_reason: str = Field(default="", sa_type=Text)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_by_id: int | None = Field(default=None, foreign_key="users.id")


class IndicatorStatus(str, Enum):
    """Where an indicator stands against its norms (computed in `tendering.realisation.monitoring`)."""

    on_track = "on_track"
    at_risk = "at_risk"
    off_track = "off_track"
    no_data = "no_data"
    overdue = "overdue"


class ReportStatus(str, Enum):
    """A progress report: sent by the coalition, then acknowledged or answered with questions by the municipality."""

    submitted = "submitted"
    acknowledged = "acknowledged"
    questions = "questions"


class Direction(str, Enum):
    higher_is_better = "higher_is_better"
    lower_is_better = "lower_is_better"


class Indicator(SQLModel, table=True):
    __tablename__ = "indicators"

    id: int | None = Field(default=None, primary_key=True)
    agreement_id: int = Field(foreign_key="agreements.id", index=True)
    outcome_id: int | None = Field(default=None, foreign_key="outcomes.id")
    # The city indicator of the Maatschappelijke Agenda this indicator contributes to (issue 16).
    city_indicator_id: int | None = Field(default=None, foreign_key="city_indicators.id", index=True)
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
    # Summary of the values in force, refreshed on every write (see `tendering.realisation.monitoring`).
    latest_value: float | None = None
    latest_period: date | None = None
    assessed_status: IndicatorStatus = Field(
        default=IndicatorStatus.no_data, sa_type=SAEnum(IndicatorStatus, native_enum=False, length=20), index=True
    )
    next_due_on: date | None = Field(default=None, index=True)


class Measurement(SQLModel, table=True):
    """A value for one period; a correction is a new row that supersedes the old."""

    __tablename__ = "measurements"
    __table_args__ = (
        Index("ix_measurements_indicator_period", "indicator_id", "period"),
        # One value in force per period, held by the database (migration 0014): one first value per indicator and
        # period, and each value superseded at most once. The second index also finds, for "values in force",
        # whether a value was corrected, without reading the first values (most rows) at all.
        Index(
            "uq_measurements_first_value",
            "indicator_id",
            "period",
            unique=True,
            sqlite_where=text("supersedes_id IS NULL"),
            postgresql_where=text("supersedes_id IS NULL"),
        ),
        Index(
            "uq_measurements_supersedes",
            "supersedes_id",
            unique=True,
            sqlite_where=text("supersedes_id IS NOT NULL"),
            postgresql_where=text("supersedes_id IS NOT NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    indicator_id: int = Field(foreign_key="indicators.id")
    period: date
    value: float
    source: str = Field(default="", sa_type=Text)
    note: str = Field(default="", sa_type=Text)
    reported_by_id: int = Field(foreign_key="users.id")
    reported_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    supersedes_id: int | None = Field(default=None, foreign_key="measurements.id")
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
    adjustment_reason: str = Field(default="", sa_type=Text)
    status: ReportStatus = Field(
        default=ReportStatus.submitted, sa_type=SAEnum(ReportStatus, native_enum=False, length=20)
    )
    submitted_by_id: int = Field(foreign_key="users.id")
    submitted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    acknowledged_by_id: int | None = Field(default=None, foreign_key="users.id")
    acknowledged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    response: str = Field(default="", sa_type=Text)


class AgreementAdjustment(SQLModel, table=True):
    """A change of approach the municipality accepted, recorded against the agreement."""

    __tablename__ = "agreement_adjustments"

    id: int | None = Field(default=None, primary_key=True)
    agreement_id: int = Field(foreign_key="agreements.id", index=True)
    progress_report_id: int | None = Field(default=None, foreign_key="progress_reports.id")
    description: str = Field(sa_type=Text)
    reason: str = Field(default="", sa_type=Text)
    accepted_by_id: int = Field(foreign_key="users.id")
    accepted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ApiToken(SQLModel, table=True):
    """A coalition's key to the reporting API; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: int | None = Field(default=None, primary_key=True)
    coalition_id: int = Field(foreign_key="coalitions.id", index=True)
    name: str = Field(max_length=100)
    token_hash: str = Field(max_length=64, unique=True)
    prefix: str = Field(max_length=12)
    created_by_id: int = Field(foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_by_id: int | None = Field(default=None, foreign_key="users.id")


class JointEvaluation(SQLModel, table=True):
    """Joint accountability; public only once both sides approved."""

    __tablename__ = "joint_evaluations"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", unique=True)
    participants: str = Field(sa_type=Text)
    findings: str = Field(sa_type=Text)
    lessons: str = Field(default="", sa_type=Text)
    legacy: str = Field(default="", sa_type=Text)
    indicator_notes: dict = Field(default_factory=dict, sa_type=JSON)  # indicator id -> what the result means
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_by_id: int | None = Field(default=None, foreign_key="users.id")
    content_html: str = Field(default="", sa_type=Text)  # frozen when the second approval makes it public
    sha256: str = Field(default="", max_length=64)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    municipality_approved_by_id: int | None = Field(default=None, foreign_key="users.id")
    municipality_approved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    lead_approved_by_id: int | None = Field(default=None, foreign_key="users.id")
    lead_approved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    follow_up_case_id: int | None = Field(default=None, foreign_key="cases.id")
