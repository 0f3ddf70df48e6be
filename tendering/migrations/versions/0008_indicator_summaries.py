"""Indicator summaries: latest value, assessed status and next due date, so
monitors read one row an indicator; measurements indexed by indicator and period.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 21:45:37.273836
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("indicators", schema=None) as batch_op:
        batch_op.add_column(sa.Column("latest_value", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("latest_period", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "assessed_status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False, server_default="no_data"
            )
        )
        batch_op.add_column(sa.Column("next_due_on", sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f("ix_indicators_assessed_status"), ["assessed_status"], unique=False)
        batch_op.create_index(batch_op.f("ix_indicators_next_due_on"), ["next_due_on"], unique=False)

    with op.batch_alter_table("measurements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_measurements_indicator_id"))
        batch_op.create_index("ix_measurements_indicator_period", ["indicator_id", "period"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("measurements", schema=None) as batch_op:
        batch_op.drop_index("ix_measurements_indicator_period")
        batch_op.create_index(batch_op.f("ix_measurements_indicator_id"), ["indicator_id"], unique=False)

    with op.batch_alter_table("indicators", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_indicators_next_due_on"))
        batch_op.drop_index(batch_op.f("ix_indicators_assessed_status"))
        batch_op.drop_column("next_due_on")
        batch_op.drop_column("assessed_status")
        batch_op.drop_column("latest_period")
        batch_op.drop_column("latest_value")
