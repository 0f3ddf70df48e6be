"""What a follow-up case inherits: outcomes and stakeholders point to the ones they were copied from, and
indicator drafts carry the earlier agreement's indicators with their last values in force as new baselines
(see tendering/models/inheritance.py). A reconsideration needs no schema change: what changed is in its audit event.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 01:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import tendering.models.base

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outcomes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("inherited_from_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_outcomes_inherited_from_id", "outcomes", ["inherited_from_id"], ["id"])
    with op.batch_alter_table("stakeholders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("inherited_from_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_stakeholders_inherited_from_id", "stakeholders", ["inherited_from_id"], ["id"])
    op.create_table(
        "indicator_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("outcome_id", sa.Integer(), nullable=True),
        sa.Column("source_indicator_id", sa.Integer(), nullable=True),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("unit", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column(
            "direction",
            sa.Enum("higher_is_better", "lower_is_better", name="direction", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("data_source", sa.Text(), nullable=False),
        sa.Column("baseline_value", sa.Float(), nullable=False),
        sa.Column("baseline_date", sa.Date(), nullable=False),
        sa.Column("baseline_source", sa.Text(), nullable=False),
        sa.Column("previous_target_value", sa.Float(), nullable=True),
        sa.Column("previous_target_date", sa.Date(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", tendering.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.ForeignKeyConstraint(["outcome_id"], ["outcomes.id"]),
        sa.ForeignKeyConstraint(["source_indicator_id"], ["indicators.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("indicator_drafts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_indicator_drafts_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_indicator_drafts_outcome_id"), ["outcome_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("indicator_drafts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_indicator_drafts_outcome_id"))
        batch_op.drop_index(batch_op.f("ix_indicator_drafts_case_id"))
    op.drop_table("indicator_drafts")
    with op.batch_alter_table("stakeholders", schema=None) as batch_op:
        batch_op.drop_constraint("fk_stakeholders_inherited_from_id", type_="foreignkey")
        batch_op.drop_column("inherited_from_id")
    with op.batch_alter_table("outcomes", schema=None) as batch_op:
        batch_op.drop_constraint("fk_outcomes_inherited_from_id", type_="foreignkey")
        batch_op.drop_column("inherited_from_id")
