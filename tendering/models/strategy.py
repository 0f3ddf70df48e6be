"""The two-stage variant: the strategy choice, its letters, the calls for a realisation plan and the
channel between a chosen coalition and the municipality while the plan is worked out."""

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from .base import UTCDateTime, utcnow


class StrategyChoice(SQLModel, table=True):
    """The municipality's choice, in one round, of the strategies to be worked out into a realisation plan.

    `plan_call` counts the calls for plans: 1 at the choice, one more each time a plan is not accepted and the
    next-ranked strategy's coalition is invited; `plan_deadline` is the current call's deadline."""

    __tablename__ = "strategy_choices"
    __table_args__ = (UniqueConstraint("case_id", "round", name="uq_strategy_choices_case_round"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    round: int = 1
    motivation: str = Field(sa_type=Text)
    decided_by_id: int = Field(foreign_key="users.id")
    decided_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    letters_sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    plan_call: int = 1
    plan_deadline: datetime = Field(sa_type=UTCDateTime)
    # The strategies not chosen that could have been (complete consensus, requirements met), best-ranked first:
    # the next is invited when no plan of the chosen strategies is accepted. Proposal ids.
    reserve: list = Field(default_factory=list, sa_type=JSON)


class ChosenStrategy(SQLModel, table=True):
    """One chosen strategy; its coalition works it out in call `plan_call`. A plan not accepted is recorded here."""

    __tablename__ = "chosen_strategies"
    __table_args__ = (
        UniqueConstraint("choice_id", "coalition_id", name="uq_chosen_strategies_choice_coalition"),
        CheckConstraint("rejected_at IS NULL OR rejection != ''", name="ck_chosen_strategies_rejection_motivated"),
    )

    id: int | None = Field(default=None, primary_key=True)
    choice_id: int = Field(foreign_key="strategy_choices.id", index=True)
    proposal_id: int = Field(foreign_key="proposals.id")
    coalition_id: int = Field(foreign_key="coalitions.id", index=True)
    plan_call: int = 1
    rejected_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    rejected_by_id: int | None = Field(default=None, foreign_key="users.id")
    rejection: str = Field(default="", sa_type=Text)


class StrategyLetter(SQLModel, table=True):
    """The letter on the strategy choice as it was sent to one coalition, frozen with its hash."""

    __tablename__ = "strategy_letters"
    __table_args__ = (UniqueConstraint("choice_id", "coalition_id", name="uq_strategy_letters_choice_coalition"),)

    id: int | None = Field(default=None, primary_key=True)
    choice_id: int = Field(foreign_key="strategy_choices.id", index=True)
    coalition_id: int = Field(foreign_key="coalitions.id", index=True)
    is_chosen: bool = False
    content_html: str = Field(sa_type=Text)
    sha256: str = Field(max_length=64)
    sent_at: datetime = Field(sa_type=UTCDateTime)


class PlanMessage(SQLModel, table=True):
    """A message between a chosen coalition and the municipality while the realisation plan is worked out."""

    __tablename__ = "plan_messages"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    coalition_id: int = Field(foreign_key="coalitions.id", index=True)
    author_id: int = Field(foreign_key="users.id")
    from_municipality: bool = False
    text: str = Field(sa_type=Text)
    sent_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
