"""Evaluation of proposals, the award decision and objections against it."""

from datetime import datetime

from sqlalchemy import CheckConstraint, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from .base import UTCDateTime, utcnow


class EvaluatorAssignment(SQLModel, table=True):
    __tablename__ = "evaluator_assignments"
    __table_args__ = (UniqueConstraint("case_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    assigned_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Evaluation(SQLModel, table=True):
    """One evaluator's judgement of one proposal, after declaring conflicts."""

    __tablename__ = "evaluations"
    __table_args__ = (
        UniqueConstraint("proposal_id", "evaluator_id"),
        CheckConstraint("NOT has_conflict OR submitted_at IS NULL", name="ck_evaluations_conflict_not_submitted"),
    )

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposals.id", index=True)
    evaluator_id: int = Field(foreign_key="users.id", index=True)
    has_conflict: bool = False
    conflict_note: str = Field(default="", sa_type=Text)
    declared_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    requirements_met: bool | None = None
    requirements_note: str = Field(default="", sa_type=Text)
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class CriterionScore(SQLModel, table=True):
    __tablename__ = "criterion_scores"
    __table_args__ = (UniqueConstraint("evaluation_id", "criterion_id"),)

    id: int | None = Field(default=None, primary_key=True)
    evaluation_id: int = Field(foreign_key="evaluations.id", index=True)
    criterion_id: int = Field(foreign_key="award_criteria.id")
    score: float
    motivation: str = Field(sa_type=Text)


class ConsensusScore(SQLModel, table=True):
    """The owner's final score per criterion; the ranking is computed from these."""

    __tablename__ = "consensus_scores"
    __table_args__ = (UniqueConstraint("proposal_id", "criterion_id"),)

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposals.id", index=True)
    criterion_id: int = Field(foreign_key="award_criteria.id")
    score: float
    motivation: str = Field(sa_type=Text)
    recorded_by_id: int = Field(foreign_key="users.id")
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ConsensusParticipant(SQLModel, table=True):
    """An evaluator (or the owner) who took part in the consensus on a proposal; replaced when it is recorded again."""

    __tablename__ = "consensus_participants"
    __table_args__ = (UniqueConstraint("proposal_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposals.id", index=True)
    user_id: int = Field(foreign_key="users.id")


class EvaluatorShortfallException(SQLModel, table=True):
    """The owner's motivated exception: this proposal may be awarded on fewer than two evaluations."""

    __tablename__ = "evaluator_shortfall_exceptions"

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposals.id", unique=True)
    reason: str = Field(sa_type=Text)
    recorded_by_id: int = Field(foreign_key="users.id")
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AwardDecision(SQLModel, table=True):
    """The intended award: letters go to every coalition at once and start the standstill."""

    __tablename__ = "award_decisions"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    proposal_id: int = Field(foreign_key="proposals.id")
    stage: str = Field(default="single", max_length=20)
    motivation: str = Field(sa_type=Text)
    advantages: str = Field(default="", sa_type=Text)  # characteristics and relative advantages of the winner
    decided_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    decided_by_id: int = Field(foreign_key="users.id")
    standstill_ends_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    letters_sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AwardLetter(SQLModel, table=True):
    """The letter as it was sent to one coalition, frozen with its hash."""

    __tablename__ = "award_letters"
    __table_args__ = (UniqueConstraint("award_decision_id", "coalition_id"),)

    id: int | None = Field(default=None, primary_key=True)
    award_decision_id: int = Field(foreign_key="award_decisions.id", index=True)
    coalition_id: int = Field(foreign_key="coalitions.id", index=True)
    is_winner: bool = False
    content_html: str = Field(sa_type=Text)
    sha256: str = Field(max_length=64)
    sent_at: datetime = Field(sa_type=UTCDateTime)


class Objection(SQLModel, table=True):
    """An objection lodged during the standstill; while open it blocks the agreement.

    Decided (`outcome` upheld or rejected, `resolution` the motivation) by another official than the award's."""

    __tablename__ = "objections"

    id: int | None = Field(default=None, primary_key=True)
    award_decision_id: int = Field(foreign_key="award_decisions.id", index=True)
    organisation_id: int = Field(foreign_key="organisations.id")
    coalition_id: int | None = Field(default=None, foreign_key="coalitions.id")
    lodged_by_id: int | None = Field(default=None, foreign_key="users.id")
    text: str = Field(sa_type=Text)
    lodged_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    resolved_by_id: int | None = Field(default=None, foreign_key="users.id")
    resolution: str = Field(default="", sa_type=Text)
    outcome: str | None = Field(default=None, max_length=20)  # "upheld" or "rejected"; None before 0017 and while open


class ObjectionLetter(SQLModel, table=True):
    """The decision on an objection as sent to the objecting coalition, frozen with its hash."""

    __tablename__ = "objection_letters"

    id: int | None = Field(default=None, primary_key=True)
    objection_id: int = Field(foreign_key="objections.id", unique=True)
    coalition_id: int = Field(foreign_key="coalitions.id", index=True)
    content_html: str = Field(sa_type=Text)
    sha256: str = Field(max_length=64)
    sent_at: datetime = Field(sa_type=UTCDateTime)
    remedy_ends_at: datetime = Field(sa_type=UTCDateTime)
