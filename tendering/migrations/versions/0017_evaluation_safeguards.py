"""Evaluation a court would accept: the tender's evaluation rules on the case (a joint consensus, partners in
several coalitions, a national procedure and the reason for a shorter standstill), who took part in each
consensus, the owner's motivated exception for a proposal scored by fewer than two evaluators, and the decision
on an objection (its outcome, the objecting coalition) with the letter that tells the coalition.

Existing cases keep the rules their question documents announced: no joint consensus, partners in several
coalitions allowed, a European procedure.

Revision ID: 0017
Revises: 0015
Create Date: 2026-12-03 01:00:00
"""

import sqlalchemy as sa
from alembic import op

import tendering.models.base

revision = "0017"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("national_procedure", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("standstill_reason", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("consensus_joint", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(
            sa.Column("shared_partners_allowed", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    op.create_table(
        "consensus_participants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposals.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("proposal_id", "user_id"),
    )
    op.create_index("ix_consensus_participants_proposal_id", "consensus_participants", ["proposal_id"])
    op.create_table(
        "evaluator_shortfall_exceptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", tendering.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposals.id"]),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("proposal_id"),
    )
    with op.batch_alter_table("objections", schema=None) as batch_op:
        batch_op.add_column(sa.Column("coalition_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("outcome", sa.String(length=20), nullable=True))
        batch_op.create_foreign_key("fk_objections_coalition_id", "coalitions", ["coalition_id"], ["id"])
    op.create_table(
        "objection_letters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("objection_id", sa.Integer(), nullable=False),
        sa.Column("coalition_id", sa.Integer(), nullable=False),
        sa.Column("content_html", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("sent_at", tendering.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("remedy_ends_at", tendering.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["objection_id"], ["objections.id"]),
        sa.ForeignKeyConstraint(["coalition_id"], ["coalitions.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("objection_id"),
    )
    op.create_index("ix_objection_letters_coalition_id", "objection_letters", ["coalition_id"])


def downgrade() -> None:
    op.drop_index("ix_objection_letters_coalition_id", table_name="objection_letters")
    op.drop_table("objection_letters")
    with op.batch_alter_table("objections", schema=None) as batch_op:
        batch_op.drop_constraint("fk_objections_coalition_id", type_="foreignkey")
        batch_op.drop_column("outcome")
        batch_op.drop_column("coalition_id")
    op.drop_table("evaluator_shortfall_exceptions")
    op.drop_index("ix_consensus_participants_proposal_id", table_name="consensus_participants")
    op.drop_table("consensus_participants")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("shared_partners_allowed")
        batch_op.drop_column("consensus_joint")
        batch_op.drop_column("standstill_reason")
        batch_op.drop_column("national_procedure")
