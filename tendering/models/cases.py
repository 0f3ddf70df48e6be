"""The societal question and what the municipality writes down about it."""

from datetime import date, datetime
from decimal import Decimal
from enum import Enum

import sqlalchemy as sa
from sqlalchemy import CheckConstraint, Numeric, Text, UniqueConstraint
from sqlalchemy import Enum as SAEnum
from sqlmodel import Field, SQLModel

from .base import UTCDateTime, utcnow


class Case(SQLModel, table=True):
    """One societal question on its way through the policy cycle.

    `version` is SQLAlchemy's version counter: every UPDATE checks it, so two
    people changing the same case at once cannot both win.
    """

    __tablename__ = "cases"
    __table_args__ = (
        CheckConstraint("min_partners >= 1", name="ck_cases_min_partners"),
        CheckConstraint("budget_ceiling IS NULL OR budget_ceiling >= 0", name="ck_cases_budget"),
        # The outcome monitor lists cards by case title: with this index a page reads its own rows, not all of them.
        sa.Index("ix_cases_title_id", "title", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(max_length=40, unique=True)
    title: str = Field(max_length=200)
    question: str = Field(default="", sa_type=Text)
    problem_analysis: str = Field(default="", sa_type=Text)
    signals: str = Field(default="", sa_type=Text)
    target_group: str = Field(default="", sa_type=Text)
    ambition: str = Field(default="", sa_type=Text)
    theme: str = Field(default="", max_length=80, index=True)
    budget_ceiling: Decimal | None = Field(default=None, sa_type=Numeric(14, 2))
    current_role: str = Field(default="", sa_type=Text)
    desired_role: str = Field(default="", sa_type=Text)
    council_decision_date: date | None = None
    council_decision_reference: str = Field(default="", max_length=100)
    workflow: str = Field(default="social_tender", max_length=60)
    state: str = Field(max_length=40, index=True)
    version: int = Field(default=1)
    round: int = Field(default=1)
    owner_id: int = Field(foreign_key="users.id", index=True)
    parent_case_id: int | None = Field(default=None, foreign_key="cases.id")
    clarification_deadline: datetime | None = Field(default=None, sa_type=UTCDateTime)
    submission_deadline: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    # The day the municipality expects to decide on the award (announced with the procedure; after the submission
    # deadline); an all-day event in the tender's calendar, never a reminder.
    expected_award_on: date | None = None
    standstill_days: int = Field(default=20)
    # A national procedure (below the European threshold) may have a shorter standstill, for the reason recorded.
    national_procedure: bool = False
    standstill_reason: str = Field(default="", sa_type=Text)
    # The evaluation rules the question document announces (tender_rules.py).
    consensus_joint: bool = False
    shared_partners_allowed: bool = True
    min_partners: int = Field(default=2)
    # Two-stage variant: how many strategies the municipality may choose to be worked out into a realisation plan.
    strategies_to_choose: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @sa.orm.declared_attr.directive
    def __mapper_args__(cls):
        return {"version_id_col": cls.__table__.c.version}


class Outcome(SQLModel, table=True):
    """A desired outcome: what will really change, and when are we satisfied."""

    __tablename__ = "outcomes"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    description: str = Field(sa_type=Text)
    indicator_hint: str = Field(default="", sa_type=Text)
    position: int = 0
    inherited_from_id: int | None = Field(default=None, foreign_key="outcomes.id")  # the earlier case's outcome


class FrameworkKind(str, Enum):
    legal = "legal"
    minimum_requirement = "minimum_requirement"
    public_value = "public_value"
    other = "other"


class Framework(SQLModel, table=True):
    """A randvoorwaarde; the budget ceiling lives on the case as a number."""

    __tablename__ = "frameworks"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    kind: FrameworkKind = Field(sa_type=SAEnum(FrameworkKind, native_enum=False, length=30))
    description: str = Field(sa_type=Text)


class SuitabilityAnswer(SQLModel, table=True):
    """One of the method's three conditions or three usefulness questions."""

    __tablename__ = "suitability_answers"
    __table_args__ = (UniqueConstraint("case_id", "question"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    question: str = Field(max_length=40)
    answer: bool
    motivation: str = Field(default="", sa_type=Text)


class Stakeholder(SQLModel, table=True):
    __tablename__ = "stakeholders"
    __table_args__ = (
        CheckConstraint("interest BETWEEN 1 AND 5", name="ck_stakeholders_interest"),
        CheckConstraint("influence BETWEEN 1 AND 5", name="ck_stakeholders_influence"),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    name: str = Field(max_length=200)
    organisation_id: int | None = Field(default=None, foreign_key="organisations.id")
    category: str = Field(default="", max_length=80)
    interest: int
    influence: int
    strengths: str = Field(default="", sa_type=Text)
    weaknesses: str = Field(default="", sa_type=Text)
    history: str = Field(default="", sa_type=Text)
    untapped_potential: str = Field(default="", sa_type=Text)
    risk_willingness: str = Field(default="", sa_type=Text)
    mobilisation: str = Field(default="", sa_type=Text)
    usual_partner: bool = True
    inherited_from_id: int | None = Field(default=None, foreign_key="stakeholders.id")  # the earlier case's analysis


class ContactKind(str, Enum):
    visit = "visit"
    invitation = "invitation"
    meeting = "meeting"
    letter = "letter"


class ContactMoment(SQLModel, table=True):
    __tablename__ = "contact_moments"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    kind: ContactKind = Field(sa_type=SAEnum(ContactKind, native_enum=False, length=20))
    held_on: date
    with_whom: str = Field(sa_type=Text)
    result: str = Field(default="", sa_type=Text)
    recorded_by_id: int = Field(foreign_key="users.id")


class Interest(SQLModel, table=True):
    """An organisation's public statement that it wants to contribute to a case."""

    __tablename__ = "interests"
    __table_args__ = (UniqueConstraint("case_id", "organisation_id"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    organisation_id: int = Field(foreign_key="organisations.id")
    offer: str = Field(sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AwardCriterion(SQLModel, table=True):
    __tablename__ = "award_criteria"
    __table_args__ = (
        CheckConstraint("weight BETWEEN 0 AND 100", name="ck_award_criteria_weight"),
        CheckConstraint("scale_max >= 1", name="ck_award_criteria_scale"),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    name: str = Field(max_length=200)
    description: str = Field(default="", sa_type=Text)
    weight: int
    scale_max: int = 10
    is_price: bool = False
    # For the price criterion: "lowest" (relative to the lowest price) or "ceiling"
    # (relative to the budget ceiling) computes the score; empty means scored by hand.
    price_formula: str = Field(default="", max_length=20)
    position: int = 0
    # What the criterion judges: the one proposal (`single`), or in the two-stage variant the strategy or the plan.
    stage: str = Field(default="single", max_length=20)


class QuestionDocument(SQLModel, table=True):
    """A frozen version of the question document; version 1 is the publication."""

    __tablename__ = "question_documents"
    __table_args__ = (UniqueConstraint("case_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    version: int
    round: int = Field(default=1, sa_column_kwargs={"server_default": "1"})  # the round it was published in
    content_html: str = Field(sa_type=Text)
    sha256: str = Field(max_length=64)
    amendment_note: str = Field(default="", sa_type=Text)
    published_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    published_by_id: int = Field(foreign_key="users.id")


class Clarification(SQLModel, table=True):
    """A clarification question; the asker is never shown outside the municipality."""

    __tablename__ = "clarifications"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    asked_by_id: int = Field(foreign_key="users.id")
    question: str = Field(sa_type=Text)
    asked_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    answer: str = Field(default="", sa_type=Text)
    answered_by_id: int | None = Field(default=None, foreign_key="users.id")
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    nota_number: int | None = None


class Reconsideration(SQLModel, table=True):
    """Why a round ended without award and what changes before the next one."""

    __tablename__ = "reconsiderations"
    __table_args__ = (UniqueConstraint("case_id", "round"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    round: int
    changes: list = Field(default_factory=list, sa_type=sa.JSON)  # question, frameworks, urgency
    note: str = Field(sa_type=Text)
    recorded_by_id: int = Field(foreign_key="users.id")
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
