"""Coalitions of organisations and the proposals they submit."""

from datetime import datetime
from decimal import Decimal
from enum import Enum

from sqlalchemy import JSON, CheckConstraint, Index, Numeric, Text, UniqueConstraint, text
from sqlalchemy import Enum as SAEnum
from sqlmodel import Field, SQLModel

from .base import UTCDateTime, utcnow


class Coalition(SQLModel, table=True):
    __tablename__ = "coalitions"
    __table_args__ = (UniqueConstraint("case_id", "lead_organisation_id", name="uq_coalitions_case_lead"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    name: str = Field(max_length=200)
    lead_organisation_id: int = Field(foreign_key="organisations.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class MembershipStatus(str, Enum):
    invited = "invited"
    accepted = "accepted"
    declined = "declined"


class CoalitionMember(SQLModel, table=True):
    __tablename__ = "coalition_members"
    __table_args__ = (UniqueConstraint("coalition_id", "organisation_id"),)

    id: int | None = Field(default=None, primary_key=True)
    coalition_id: int = Field(foreign_key="coalitions.id", index=True)
    organisation_id: int = Field(foreign_key="organisations.id", index=True)
    is_lead: bool = False
    status: MembershipStatus = Field(
        default=MembershipStatus.invited, sa_type=SAEnum(MembershipStatus, native_enum=False, length=20)
    )
    role: str = Field(default="", max_length=200)
    contribution_kind: str = Field(default="", max_length=40)
    contribution: str = Field(default="", sa_type=Text)


class ProposalStatus(str, Enum):
    draft = "draft"
    submitted = "submitted"
    withdrawn = "withdrawn"


class ProposalStage(str, Enum):
    """`single` in the default workflow; two stages in strategy_then_realisation."""

    single = "single"
    strategy = "strategy"
    realisation = "realisation"


class Proposal(SQLModel, table=True):
    __tablename__ = "proposals"
    __table_args__ = (
        UniqueConstraint("coalition_id", "stage", "round"),
        CheckConstraint("price IS NULL OR price >= 0", name="ck_proposals_price"),
        CheckConstraint(
            "status != 'submitted' OR (submitted_at IS NOT NULL AND receipt_sha256 IS NOT NULL)",
            name="ck_proposals_submitted_has_receipt",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    coalition_id: int = Field(foreign_key="coalitions.id", index=True)
    stage: ProposalStage = Field(
        default=ProposalStage.single, sa_type=SAEnum(ProposalStage, native_enum=False, length=20)
    )
    round: int = 1
    status: ProposalStatus = Field(
        default=ProposalStatus.draft, sa_type=SAEnum(ProposalStatus, native_enum=False, length=20)
    )
    approach: str = Field(default="", sa_type=Text)
    answer_to_question: str = Field(default="", sa_type=Text)
    outcome_commitments: str = Field(default="", sa_type=Text)
    monitoring: str = Field(default="", sa_type=Text)
    price: Decimal | None = Field(default=None, sa_type=Numeric(14, 2))
    price_breakdown: str = Field(default="", sa_type=Text)
    partner_contributions: str = Field(default="", sa_type=Text)
    risk_sharing: str = Field(default="", sa_type=Text)
    legacy: str = Field(default="", sa_type=Text)
    # Ids of the case's minimum requirements the coalition states it meets.
    requirements_confirmed: list = Field(default_factory=list, sa_type=JSON)
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    receipt_sha256: str | None = Field(default=None, max_length=64)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ProposalAttachment(SQLModel, table=True):
    """Stored outside the web root under `stored_name`, a random name."""

    __tablename__ = "proposal_attachments"

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposals.id", index=True)
    filename: str = Field(max_length=255)
    stored_name: str = Field(max_length=64, unique=True)
    content_type: str = Field(max_length=100)
    size: int
    sha256: str = Field(max_length=64)
    uploaded_by_id: int = Field(foreign_key="users.id")
    uploaded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Removed from the draft; the file stays, since a submitted version may cite it.
    removed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ProposalSubmission(SQLModel, table=True):
    """A sealed, immutable snapshot of a proposal as submitted, with its receipt.

    Resubmitting supersedes the previous snapshot (kept); withdrawing marks it.
    """

    __tablename__ = "proposal_submissions"
    __table_args__ = (
        UniqueConstraint("proposal_id", "version"),
        # At most one current submission per proposal, whatever races the web workers run.
        Index(
            "uq_proposal_submissions_current",
            "proposal_id",
            unique=True,
            sqlite_where=text("superseded_at IS NULL AND withdrawn_at IS NULL"),
            postgresql_where=text("superseded_at IS NULL AND withdrawn_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposals.id", index=True)
    version: int
    content: dict = Field(sa_type=JSON)
    attachments: list = Field(default_factory=list, sa_type=JSON)
    submitted_at: datetime = Field(sa_type=UTCDateTime)
    submitted_by_id: int = Field(foreign_key="users.id")
    receipt_sha256: str = Field(max_length=64)
    superseded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    withdrawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class BoxOpening(SQLModel, table=True):
    """Opening the tender box takes two different officials (four eyes); each stage, and each call for a
    realisation plan, has a box of its own (see `procurement.stages`)."""

    __tablename__ = "box_openings"
    __table_args__ = (
        UniqueConstraint("case_id", "round", "stage", "plan_call", name="uq_box_openings_stage_call"),
        CheckConstraint("opened_by_id IS NULL OR opened_by_id != requested_by_id", name="ck_box_openings_four_eyes"),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    round: int = 1
    stage: str = Field(default="single", max_length=20)
    plan_call: int = 0  # the call for a realisation plan this box belongs to; 0 for the strategy or single stage
    requested_by_id: int = Field(foreign_key="users.id")
    requested_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    opened_by_id: int | None = Field(default=None, foreign_key="users.id")
    opened_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
