"""price formula of the price criterion

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("award_criteria", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("price_formula", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("award_criteria", schema=None) as batch_op:
        batch_op.drop_column("price_formula")
