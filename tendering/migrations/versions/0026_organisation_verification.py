"""Organisations confirmed by an official: a status (existing ones count as verified), when the first user's
address was confirmed, and the officials' reviews (confirmed, with or without a checked KvK number, or rejected).

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-08 00:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import tendering.models.base

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

STATUS = ("unverified", "verified", "rejected")


def upgrade() -> None:
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "status",
                sa.Enum(*STATUS, name="organisationstatus", native_enum=False, length=20),
                nullable=False,
                server_default="verified",
            )
        )
        batch_op.add_column(
            sa.Column("address_confirmed_at", tendering.models.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(batch_op.f("ix_organisations_status"), ["status"], unique=False)
    op.create_table(
        "organisation_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column(
            "decision", sa.Enum(*STATUS, name="organisationstatus", native_enum=False, length=20), nullable=False
        ),
        sa.Column("kvk_checked", sa.Boolean(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("at", tendering.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"]),
        sa.ForeignKeyConstraint(["reviewer_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("organisation_reviews", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_organisation_reviews_organisation_id"), ["organisation_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("organisation_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organisation_reviews_organisation_id"))
    op.drop_table("organisation_reviews")
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organisations_status"))
        batch_op.drop_column("address_confirmed_at")
        batch_op.drop_column("status")
