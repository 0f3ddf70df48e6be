"""Open-data releases stored when their event happens; the round a question document was published in.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 02:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import tendering.models.base

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ocds_releases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("ocid", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("release_id", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("stage", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("tag", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("date", tendering.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("fingerprint", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("documents", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_ocds_releases_case_id_cases"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_ocds_releases_case_id", "ocds_releases", ["case_id"])
    op.create_index("ix_ocds_releases_ocid", "ocds_releases", ["ocid"])
    op.create_index("ix_ocds_releases_release_id", "ocds_releases", ["release_id"], unique=True)
    with op.batch_alter_table("question_documents") as batch_op:
        batch_op.add_column(sa.Column("round", sa.Integer(), server_default="1", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("question_documents") as batch_op:
        batch_op.drop_column("round")
    op.drop_index("ix_ocds_releases_ocid", table_name="ocds_releases")
    op.drop_index("ix_ocds_releases_release_id", table_name="ocds_releases")
    op.drop_index("ix_ocds_releases_case_id", table_name="ocds_releases")
    op.drop_table("ocds_releases")
