"""The agreement is designed together: the thread of proposals and comments of both sides, and the two approvals
(the case owner's and the coalition lead's) of a numbered version of the text.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04 01:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import tendering.models.base

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("agreements", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(
            sa.Column("municipality_approved_at", tendering.models.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("municipality_approved_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("lead_approved_at", tendering.models.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("lead_approved_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_agreements_municipality_approved_by_id", "users", ["municipality_approved_by_id"], ["id"]
        )
        batch_op.create_foreign_key("fk_agreements_lead_approved_by_id", "users", ["lead_approved_by_id"], ["id"])
    op.create_table(
        "agreement_contributions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=True),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("side", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("created_at", tendering.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decision", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=False),
        sa.Column("decided_at", tendering.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["agreement_id"], ["agreements.id"]),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("agreement_contributions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agreement_contributions_agreement_id"), ["agreement_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_agreement_contributions_indicator_id"), ["indicator_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("agreement_contributions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreement_contributions_indicator_id"))
        batch_op.drop_index(batch_op.f("ix_agreement_contributions_agreement_id"))
    op.drop_table("agreement_contributions")
    with op.batch_alter_table("agreements", schema=None) as batch_op:
        batch_op.drop_constraint("fk_agreements_lead_approved_by_id", type_="foreignkey")
        batch_op.drop_constraint("fk_agreements_municipality_approved_by_id", type_="foreignkey")
        batch_op.drop_column("lead_approved_by_id")
        batch_op.drop_column("lead_approved_at")
        batch_op.drop_column("municipality_approved_by_id")
        batch_op.drop_column("municipality_approved_at")
        batch_op.drop_column("version")
