"""Joint accountability reports (frozen when both sides approved), progress
report status and accepted adjustments, and hashed API tokens per coalition.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22 21:58:11.135444
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import tendering.models.base

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("coalition_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("prefix", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", tendering.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", tendering.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", tendering.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["coalition_id"],
            ["coalitions.id"],
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash", name="uq_api_tokens_token_hash"),
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_tokens_coalition_id"), ["coalition_id"], unique=False)

    op.create_table(
        "agreement_adjustments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("progress_report_id", sa.Integer(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("accepted_by_id", sa.Integer(), nullable=False),
        sa.Column("accepted_at", tendering.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["accepted_by_id"],
            ["users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreements.id"],
        ),
        sa.ForeignKeyConstraint(
            ["progress_report_id"],
            ["progress_reports.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("agreement_adjustments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agreement_adjustments_agreement_id"), ["agreement_id"], unique=False)

    with op.batch_alter_table("joint_evaluations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("indicator_notes", sa.JSON(), nullable=False, server_default="{}"))
        batch_op.add_column(
            sa.Column(
                "updated_at",
                tendering.models.base.UTCDateTime(timezone=True),
                nullable=False,
                server_default=sa.func.current_timestamp(),
            )
        )
        batch_op.add_column(sa.Column("updated_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("content_html", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("published_at", tendering.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key("fk_joint_evaluations_updated_by_id_users", "users", ["updated_by_id"], ["id"])

    with op.batch_alter_table("progress_reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("adjustment_reason", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False, server_default="submitted")
        )


def downgrade() -> None:
    with op.batch_alter_table("progress_reports", schema=None) as batch_op:
        batch_op.drop_column("status")
        batch_op.drop_column("adjustment_reason")

    with op.batch_alter_table("joint_evaluations", schema=None) as batch_op:
        batch_op.drop_constraint("fk_joint_evaluations_updated_by_id_users", type_="foreignkey")
        batch_op.drop_column("published_at")
        batch_op.drop_column("sha256")
        batch_op.drop_column("content_html")
        batch_op.drop_column("updated_by_id")
        batch_op.drop_column("updated_at")
        batch_op.drop_column("indicator_notes")

    with op.batch_alter_table("agreement_adjustments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreement_adjustments_agreement_id"))

    op.drop_table("agreement_adjustments")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_tokens_coalition_id"))

    op.drop_table("api_tokens")
