"""proposal drafts: confirmed requirements, attachment uploader and removal

No attachment could be stored before this revision, so uploaded_by_id needs no default.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

import tendering.models.base

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("proposal_attachments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("uploaded_by_id", sa.Integer(), nullable=False))
        batch_op.add_column(sa.Column("removed_at", tendering.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key("fk_proposal_attachments_uploaded_by", "users", ["uploaded_by_id"], ["id"])

    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("requirements_confirmed", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.drop_column("requirements_confirmed")

    with op.batch_alter_table("proposal_attachments", schema=None) as batch_op:
        batch_op.drop_constraint("fk_proposal_attachments_uploaded_by", type_="foreignkey")
        batch_op.drop_column("removed_at")
        batch_op.drop_column("uploaded_by_id")
