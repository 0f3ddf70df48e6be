"""Following a tender, and the hashed tokens of personal calendar feeds.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-08 00:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import tendering.models.base

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tender_follows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("created_at", tendering.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "case_id", name="uq_tender_follows_user_case"),
    )
    with op.batch_alter_table("tender_follows", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tender_follows_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tender_follows_user_id"), ["user_id"], unique=False)
    op.create_table(
        "calendar_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("created_at", tendering.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", tendering.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_sha256"),
    )
    with op.batch_alter_table("calendar_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_calendar_tokens_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("calendar_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calendar_tokens_user_id"))
    op.drop_table("calendar_tokens")
    with op.batch_alter_table("tender_follows", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tender_follows_user_id"))
        batch_op.drop_index(batch_op.f("ix_tender_follows_case_id"))
    op.drop_table("tender_follows")
