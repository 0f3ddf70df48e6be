"""One current submission per proposal, guaranteed by the database: two submits
at the same moment (a double click, two members) can no longer both stay current.
Duplicates left by earlier races are superseded first, keeping the newest.
Receipts and coalition invitations in the outbox are marked sealed: they tell who bids, and when.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 07:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

CURRENT = "superseded_at IS NULL AND withdrawn_at IS NULL"


def upgrade() -> None:
    op.execute(
        f"UPDATE proposal_submissions SET superseded_at = submitted_at WHERE {CURRENT} AND id NOT IN "
        f"(SELECT MAX(id) FROM proposal_submissions WHERE {CURRENT} GROUP BY proposal_id)"
    )
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sealed", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute(
        "UPDATE outbox_messages SET sealed = TRUE WHERE subject LIKE 'Receipt for your proposal%' "
        "OR subject LIKE 'Ontvangstbewijs van uw voorstel%' OR subject LIKE 'Invitation to the coalition%' "
        "OR subject LIKE 'Uitnodiging voor de coalitie%'"
    )
    op.create_index(
        "uq_proposal_submissions_current",
        "proposal_submissions",
        ["proposal_id"],
        unique=True,
        sqlite_where=sa.text(CURRENT),
        postgresql_where=sa.text(CURRENT),
    )


def downgrade() -> None:
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_column("sealed")
    op.drop_index("uq_proposal_submissions_current", table_name="proposal_submissions")
