"""Notifications per recipient, preferences per kind, reminders given, and the user's language and unread count.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-08 00:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import tendering.models.base

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True))
        batch_op.add_column(sa.Column("unread_notifications", sa.Integer(), server_default="0", nullable=False))
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("link", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("created_at", tendering.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("read_at", tendering.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sealed", sa.Boolean(), nullable=False),
        sa.Column("digest", sa.Boolean(), nullable=False),
        sa.Column("mailed_at", tendering.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("digested_at", tendering.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notifications_case_id"), ["case_id"], unique=False)
        batch_op.create_index("ix_notifications_user_created", ["user_id", "created_at"], unique=False)
        batch_op.create_index("ix_notifications_pending_digest", ["digest", "digested_at"], unique=False)
    op.create_table(
        "notification_preferences",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("mode", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("user_id", "kind"),
    )
    op.create_table(
        "sent_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("deadline_uid", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("deadline_at", tendering.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("offset_days", sa.Integer(), nullable=False),
        sa.Column("created_at", tendering.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "deadline_uid", "deadline_at", "offset_days"),
    )


def downgrade() -> None:
    op.drop_table("sent_reminders")
    op.drop_table("notification_preferences")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_pending_digest")
        batch_op.drop_index("ix_notifications_user_created")
        batch_op.drop_index(batch_op.f("ix_notifications_case_id"))
    op.drop_table("notifications")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("unread_notifications")
        batch_op.drop_column("language")
