"""The two-stage variant made completable: award criteria and tender boxes know their
stage, a tender says how many strategies may be chosen, and the strategy choice, its
letters, the calls for a realisation plan and the messages between a chosen coalition
and the municipality are stored.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 01:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import tendering.models.base

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def _id():
    return sa.Column("id", sa.Integer(), nullable=False)


def _when(name: str, nullable: bool = False):
    return sa.Column(name, tendering.models.base.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("strategies_to_choose", sa.Integer(), nullable=False, server_default="1"))
    with op.batch_alter_table("award_criteria", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("stage", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False, server_default="single")
        )
    with op.batch_alter_table("box_openings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("stage", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False, server_default="single")
        )
        batch_op.add_column(sa.Column("plan_call", sa.Integer(), nullable=False, server_default="0"))
        batch_op.drop_constraint("uq_box_openings_case_round", type_="unique")
        batch_op.create_unique_constraint("uq_box_openings_stage_call", ["case_id", "round", "stage", "plan_call"])

    # The criteria of existing two-stage cases judged the strategy (the only stage that could be judged until now).
    op.execute(
        "UPDATE award_criteria SET stage = 'strategy' "
        "WHERE case_id IN (SELECT id FROM cases WHERE workflow = 'strategy_then_realisation')"
    )

    op.create_table(
        "strategy_choices",
        _id(),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("motivation", sa.Text(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=False),
        _when("decided_at"),
        _when("letters_sent_at", nullable=True),
        sa.Column("plan_call", sa.Integer(), nullable=False),
        _when("plan_deadline"),
        sa.Column("reserve", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "round", name="uq_strategy_choices_case_round"),
    )
    with op.batch_alter_table("strategy_choices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_strategy_choices_case_id"), ["case_id"], unique=False)

    op.create_table(
        "chosen_strategies",
        _id(),
        sa.Column("choice_id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("coalition_id", sa.Integer(), nullable=False),
        sa.Column("plan_call", sa.Integer(), nullable=False),
        _when("rejected_at", nullable=True),
        sa.Column("rejected_by_id", sa.Integer(), nullable=True),
        sa.Column("rejection", sa.Text(), nullable=False),
        sa.CheckConstraint("rejected_at IS NULL OR rejection != ''", name="ck_chosen_strategies_rejection_motivated"),
        sa.ForeignKeyConstraint(["choice_id"], ["strategy_choices.id"]),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposals.id"]),
        sa.ForeignKeyConstraint(["coalition_id"], ["coalitions.id"]),
        sa.ForeignKeyConstraint(["rejected_by_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("choice_id", "coalition_id", name="uq_chosen_strategies_choice_coalition"),
    )
    with op.batch_alter_table("chosen_strategies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chosen_strategies_choice_id"), ["choice_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_chosen_strategies_coalition_id"), ["coalition_id"], unique=False)

    op.create_table(
        "strategy_letters",
        _id(),
        sa.Column("choice_id", sa.Integer(), nullable=False),
        sa.Column("coalition_id", sa.Integer(), nullable=False),
        sa.Column("is_chosen", sa.Boolean(), nullable=False),
        sa.Column("content_html", sa.Text(), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        _when("sent_at"),
        sa.ForeignKeyConstraint(["choice_id"], ["strategy_choices.id"]),
        sa.ForeignKeyConstraint(["coalition_id"], ["coalitions.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("choice_id", "coalition_id", name="uq_strategy_letters_choice_coalition"),
    )
    with op.batch_alter_table("strategy_letters", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_strategy_letters_choice_id"), ["choice_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_strategy_letters_coalition_id"), ["coalition_id"], unique=False)

    op.create_table(
        "plan_messages",
        _id(),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("coalition_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("from_municipality", sa.Boolean(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        _when("sent_at"),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.ForeignKeyConstraint(["coalition_id"], ["coalitions.id"]),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("plan_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_messages_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_plan_messages_coalition_id"), ["coalition_id"], unique=False)


def downgrade() -> None:
    for table in ("plan_messages", "strategy_letters", "chosen_strategies", "strategy_choices"):
        op.drop_table(table)
    with op.batch_alter_table("box_openings", schema=None) as batch_op:
        batch_op.drop_constraint("uq_box_openings_stage_call", type_="unique")
        batch_op.create_unique_constraint("uq_box_openings_case_round", ["case_id", "round"])
        batch_op.drop_column("plan_call")
        batch_op.drop_column("stage")
    with op.batch_alter_table("award_criteria", schema=None) as batch_op:
        batch_op.drop_column("stage")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("strategies_to_choose")
