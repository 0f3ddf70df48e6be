"""award letters, objections, agreements, reconsiderations

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import tendering.models.base

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reconsiderations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", tendering.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "round"),
    )
    with op.batch_alter_table("reconsiderations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reconsiderations_case_id"), ["case_id"], unique=False)

    op.create_table(
        "award_letters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("award_decision_id", sa.Integer(), nullable=False),
        sa.Column("coalition_id", sa.Integer(), nullable=False),
        sa.Column("is_winner", sa.Boolean(), nullable=False),
        sa.Column("content_html", sa.Text(), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("sent_at", tendering.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["award_decision_id"],
            ["award_decisions.id"],
        ),
        sa.ForeignKeyConstraint(
            ["coalition_id"],
            ["coalitions.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("award_decision_id", "coalition_id"),
    )
    with op.batch_alter_table("award_letters", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_award_letters_award_decision_id"), ["award_decision_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_award_letters_coalition_id"), ["coalition_id"], unique=False)

    with op.batch_alter_table("agreements", schema=None) as batch_op:
        batch_op.add_column(sa.Column("award_decision_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("overseers", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("recorded_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "updated_at",
                tendering.models.base.UTCDateTime(timezone=True),
                nullable=False,
                server_default=sa.func.current_timestamp(),
            )
        )
        batch_op.add_column(sa.Column("content_html", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False, server_default="")
        )
        batch_op.alter_column(
            "concluded_at", existing_type=tendering.models.base.UTCDateTime(timezone=True), nullable=True
        )
        batch_op.alter_column("concluded_by_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_unique_constraint("uq_agreements_award_decision_id", ["award_decision_id"])
        batch_op.create_foreign_key("fk_agreements_recorded_by_id_users", "users", ["recorded_by_id"], ["id"])
        batch_op.create_foreign_key("fk_agreements_award_decision_id", "award_decisions", ["award_decision_id"], ["id"])

    with op.batch_alter_table("award_decisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("advantages", sa.Text(), nullable=False, server_default=""))

    with op.batch_alter_table("objections", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lodged_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("resolved_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_objections_lodged_by_id_users", "users", ["lodged_by_id"], ["id"])
        batch_op.create_foreign_key("fk_objections_resolved_by_id_users", "users", ["resolved_by_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("objections", schema=None) as batch_op:
        batch_op.drop_constraint("fk_objections_resolved_by_id_users", type_="foreignkey")
        batch_op.drop_constraint("fk_objections_lodged_by_id_users", type_="foreignkey")
        batch_op.drop_column("resolved_by_id")
        batch_op.drop_column("lodged_by_id")

    with op.batch_alter_table("award_decisions", schema=None) as batch_op:
        batch_op.drop_column("advantages")

    with op.batch_alter_table("agreements", schema=None) as batch_op:
        batch_op.drop_constraint("fk_agreements_award_decision_id", type_="foreignkey")
        batch_op.drop_constraint("fk_agreements_recorded_by_id_users", type_="foreignkey")
        batch_op.drop_constraint("uq_agreements_award_decision_id", type_="unique")
        batch_op.alter_column("concluded_by_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column(
            "concluded_at", existing_type=tendering.models.base.UTCDateTime(timezone=True), nullable=False
        )
        batch_op.drop_column("sha256")
        batch_op.drop_column("content_html")
        batch_op.drop_column("updated_at")
        batch_op.drop_column("recorded_by_id")
        batch_op.drop_column("overseers")
        batch_op.drop_column("award_decision_id")

    with op.batch_alter_table("award_letters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_award_letters_coalition_id"))
        batch_op.drop_index(batch_op.f("ix_award_letters_award_decision_id"))

    op.drop_table("award_letters")
    with op.batch_alter_table("reconsiderations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reconsiderations_case_id"))

    op.drop_table("reconsiderations")
