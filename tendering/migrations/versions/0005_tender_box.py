"""tender box: sealed submission snapshots and the four-eyes opening

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import tendering.models.base

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "box_openings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", tendering.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("opened_by_id", sa.Integer(), nullable=True),
        sa.Column("opened_at", tendering.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("opened_by_id IS NULL OR opened_by_id != requested_by_id", name="ck_box_openings_four_eyes"),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
        ),
        sa.ForeignKeyConstraint(
            ["opened_by_id"],
            ["users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "round", name="uq_box_openings_case_round"),
    )
    with op.batch_alter_table("box_openings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_box_openings_case_id"), ["case_id"], unique=False)

    op.create_table(
        "proposal_submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("attachments", sa.JSON(), nullable=False),
        sa.Column("submitted_at", tendering.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("submitted_by_id", sa.Integer(), nullable=False),
        sa.Column("receipt_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("superseded_at", tendering.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_at", tendering.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("proposal_id", "version"),
    )
    with op.batch_alter_table("proposal_submissions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_proposal_submissions_proposal_id"), ["proposal_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("proposal_submissions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposal_submissions_proposal_id"))

    op.drop_table("proposal_submissions")
    with op.batch_alter_table("box_openings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_box_openings_case_id"))

    op.drop_table("box_openings")
