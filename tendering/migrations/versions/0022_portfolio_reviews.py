"""Portfolio reviews held with partners, and what each decided per case.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04 20:05:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import tendering.models.base

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "portfolio_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("participants", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", tendering.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "portfolio_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("decision", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
        ),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["portfolio_reviews.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("portfolio_decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_portfolio_decisions_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_portfolio_decisions_review_id"), ["review_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("portfolio_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_portfolio_decisions_review_id"))
        batch_op.drop_index(batch_op.f("ix_portfolio_decisions_case_id"))

    op.drop_table("portfolio_decisions")
    op.drop_table("portfolio_reviews")
