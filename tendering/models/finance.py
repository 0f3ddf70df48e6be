"""Money follows outcomes: the agreement's payment schedule, the coalition's claims, and the checks on both."""

from datetime import date, datetime
from decimal import Decimal
from enum import Enum

from sqlalchemy import JSON, Index, Numeric, Text, UniqueConstraint, text
from sqlalchemy import Enum as SAEnum
from sqlmodel import Field, SQLModel

from .base import UTCDateTime, utcnow


class PaymentKind(str, Enum):
    fixed = "fixed"  # on a date
    milestone = "milestone"  # when the municipality accepts a deliverable
    outcome = "outcome"  # when an indicator reaches a value by a date


class PartialRule(str, Enum):
    """What an outcome payment pays when its target is only partly reached by its date."""

    per_unit = "per_unit"  # the rate for every unit of progress from the reference value, up to the cap
    per_step = "per_step"  # the rate for every whole step of progress, up to the cap
    nothing = "nothing"  # the cap once the target is reached; nothing before


class PaymentTerm(SQLModel, table=True):
    """One payment in the agreement's schedule. Part of the text the two sides approve: a change raises the
    agreement's version and withdraws both approvals."""

    __tablename__ = "payment_terms"

    id: int | None = Field(default=None, primary_key=True)
    agreement_id: int = Field(foreign_key="agreements.id", index=True)
    kind: PaymentKind = Field(sa_type=SAEnum(PaymentKind, native_enum=False, length=20))
    description: str = Field(sa_type=Text)
    amount: Decimal = Field(sa_type=Numeric(14, 2))  # the amount; for an outcome payment its cap
    due_on: date  # fixed: the date it is due; milestone: the planned date; outcome: the date the value counts at
    deliverable: str = Field(default="", sa_type=Text)  # milestone: what the municipality accepts
    indicator_id: int | None = Field(default=None, foreign_key="indicators.id")  # outcome
    reference_value: float | None = None  # outcome: progress counts from here (the baseline, unless agreed)
    target_value: float | None = None  # outcome: the value that earns the whole amount
    partial: PartialRule | None = Field(default=None, sa_type=SAEnum(PartialRule, native_enum=False, length=20))
    rate: Decimal | None = Field(default=None, sa_type=Numeric(14, 2))  # per unit or per step
    step: float | None = None  # per_step: the size of a step
    shares: dict = Field(default_factory=dict, sa_type=JSON)  # organisation id -> percentage, where recorded
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ClaimStatus(str, Enum):
    awaiting_validation = "awaiting_validation"  # an outcome claim whose values nobody independent confirmed yet
    submitted = "submitted"  # before the municipality
    approved = "approved"
    paid = "paid"
    rejected = "rejected"


OPEN_CLAIMS = (ClaimStatus.awaiting_validation, ClaimStatus.submitted)


class PaymentClaim(SQLModel, table=True):
    """The lead's claim of a payment that is due, with its evidence. An outcome claim rests on one value in force,
    kept here as it was when claimed: a later correction flags the claim (`ClaimCorrection`), never changes it."""

    __tablename__ = "payment_claims"
    __table_args__ = (
        # At most one claim per payment that is not rejected, held by the database against a double click.
        Index(
            "uq_payment_claims_live",
            "term_id",
            unique=True,
            sqlite_where=text("rejected_at IS NULL"),
            postgresql_where=text("rejected_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    term_id: int = Field(foreign_key="payment_terms.id")
    agreement_id: int = Field(foreign_key="agreements.id", index=True)
    status: ClaimStatus = Field(sa_type=SAEnum(ClaimStatus, native_enum=False, length=20), index=True)
    amount: Decimal = Field(sa_type=Numeric(14, 2))
    evidence: str = Field(default="", sa_type=Text)
    measurement_id: int | None = Field(default=None, foreign_key="measurements.id", index=True)
    value: float | None = None  # the value in force when claimed
    period: date | None = None
    submitted_by_id: int = Field(foreign_key="users.id")
    submitted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    first_approved_by_id: int | None = Field(default=None, foreign_key="users.id")  # four eyes above the threshold
    first_approved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    approved_by_id: int | None = Field(default=None, foreign_key="users.id")
    approved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    rejected_by_id: int | None = Field(default=None, foreign_key="users.id")
    rejected_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    rejection_reason: str = Field(default="", sa_type=Text)
    paid_on: date | None = None
    payment_reference: str = Field(default="", max_length=100)  # the financial administration's
    paid_recorded_by_id: int | None = Field(default=None, foreign_key="users.id")
    paid_recorded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class MeasurementValidation(SQLModel, table=True):
    """Someone other than the coalition confirmed (or did not confirm) a reported value: an official who did not
    report it, or the independent validator the agreement names. Once per value; a corrected value is a new one."""

    __tablename__ = "measurement_validations"

    id: int | None = Field(default=None, primary_key=True)
    measurement_id: int = Field(foreign_key="measurements.id", unique=True)
    confirmed: bool
    note: str = Field(default="", sa_type=Text)
    validated_by_id: int = Field(foreign_key="users.id")
    validated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ClaimCorrection(SQLModel, table=True):
    """A value a claim rested on was corrected after the claim: flagged on the claim, settled by the municipality."""

    __tablename__ = "claim_corrections"
    __table_args__ = (UniqueConstraint("claim_id", "corrected_id"),)

    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(foreign_key="payment_claims.id", index=True)
    corrected_id: int = Field(foreign_key="measurements.id")  # the value the claim rested on
    correction_id: int = Field(foreign_key="measurements.id")  # the value that replaced it
    new_value: float
    recomputed_amount: Decimal = Field(sa_type=Numeric(14, 2))  # what the payment comes to on the new value
    flagged_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    settled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    settled_by_id: int | None = Field(default=None, foreign_key="users.id")
    settlement: str = Field(default="", sa_type=Text)
    settlement_amount: Decimal | None = Field(default=None, sa_type=Numeric(14, 2))  # + paid later, - paid back
