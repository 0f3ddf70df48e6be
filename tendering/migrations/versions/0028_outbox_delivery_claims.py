"""Outbox messages with an HTML part, a List-Unsubscribe address, and claims for idempotent delivery by jobs.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-08 00:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import tendering.models.base

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("html_body", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column(
                "list_unsubscribe", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False, server_default=""
            )
        )
        batch_op.add_column(sa.Column("claimed_at", tendering.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("retry_at", tendering.models.base.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_column("retry_at")
        batch_op.drop_column("attempts")
        batch_op.drop_column("claimed_at")
        batch_op.drop_column("list_unsubscribe")
        batch_op.drop_column("html_body")
