"""Money follows outcomes: the agreement's payment schedule and risk sharing, the coalition's claims, the
validation of the values an outcome payment rests on, and corrections flagged on claims.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 11:15:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import tendering.models.base

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "payment_terms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("fixed", "milestone", "outcome", name="paymentkind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("deliverable", sa.Text(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=True),
        sa.Column("reference_value", sa.Float(), nullable=True),
        sa.Column("target_value", sa.Float(), nullable=True),
        sa.Column(
            "partial",
            sa.Enum("per_unit", "per_step", "nothing", name="partialrule", native_enum=False, length=20),
            nullable=True,
        ),
        sa.Column("rate", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("step", sa.Float(), nullable=True),
        sa.Column("shares", sa.JSON(), nullable=False),
        sa.Column("created_at", tendering.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreements.id"],
        ),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["indicators.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("payment_terms", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payment_terms_agreement_id"), ["agreement_id"], unique=False)

    op.create_table(
        "measurement_validations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measurement_id", sa.Integer(), nullable=False),
        sa.Column("confirmed", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("validated_by_id", sa.Integer(), nullable=False),
        sa.Column("validated_at", tendering.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["measurement_id"],
            ["measurements.id"],
        ),
        sa.ForeignKeyConstraint(
            ["validated_by_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("measurement_id"),
    )
    op.create_table(
        "payment_claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("term_id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "awaiting_validation",
                "submitted",
                "approved",
                "paid",
                "rejected",
                name="claimstatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("measurement_id", sa.Integer(), nullable=True),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("period", sa.Date(), nullable=True),
        sa.Column("submitted_by_id", sa.Integer(), nullable=False),
        sa.Column("submitted_at", tendering.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("first_approved_by_id", sa.Integer(), nullable=True),
        sa.Column("first_approved_at", tendering.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("approved_at", tendering.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("rejected_by_id", sa.Integer(), nullable=True),
        sa.Column("rejected_at", tendering.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("rejection_reason", sa.Text(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.Column("payment_reference", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("paid_recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("paid_recorded_at", tendering.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreements.id"],
        ),
        sa.ForeignKeyConstraint(
            ["approved_by_id"],
            ["users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["first_approved_by_id"],
            ["users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["measurement_id"],
            ["measurements.id"],
        ),
        sa.ForeignKeyConstraint(
            ["paid_recorded_by_id"],
            ["users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["rejected_by_id"],
            ["users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"],
            ["users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["term_id"],
            ["payment_terms.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("payment_claims", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payment_claims_agreement_id"), ["agreement_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_payment_claims_measurement_id"), ["measurement_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_payment_claims_status"), ["status"], unique=False)
        batch_op.create_index(
            "uq_payment_claims_live",
            ["term_id"],
            unique=True,
            sqlite_where=sa.text("rejected_at IS NULL"),
            postgresql_where=sa.text("rejected_at IS NULL"),
        )

    op.create_table(
        "claim_corrections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("corrected_id", sa.Integer(), nullable=False),
        sa.Column("correction_id", sa.Integer(), nullable=False),
        sa.Column("new_value", sa.Float(), nullable=False),
        sa.Column("recomputed_amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("flagged_at", tendering.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("settled_at", tendering.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("settled_by_id", sa.Integer(), nullable=True),
        sa.Column("settlement", sa.Text(), nullable=False),
        sa.Column("settlement_amount", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["payment_claims.id"],
        ),
        sa.ForeignKeyConstraint(
            ["corrected_id"],
            ["measurements.id"],
        ),
        sa.ForeignKeyConstraint(
            ["correction_id"],
            ["measurements.id"],
        ),
        sa.ForeignKeyConstraint(
            ["settled_by_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("claim_id", "corrected_id"),
    )
    with op.batch_alter_table("claim_corrections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claim_corrections_claim_id"), ["claim_id"], unique=False)

    with op.batch_alter_table("agreements", schema=None) as batch_op:
        batch_op.add_column(sa.Column("risk_sharing", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("validator_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_agreements_validator_id", "users", ["validator_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("agreements", schema=None) as batch_op:
        batch_op.drop_constraint("fk_agreements_validator_id", type_="foreignkey")
        batch_op.drop_column("validator_id")
        batch_op.drop_column("risk_sharing")

    with op.batch_alter_table("claim_corrections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claim_corrections_claim_id"))

    op.drop_table("claim_corrections")
    with op.batch_alter_table("payment_claims", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_payment_claims_live",
            sqlite_where=sa.text("rejected_at IS NULL"),
            postgresql_where=sa.text("rejected_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_payment_claims_status"))
        batch_op.drop_index(batch_op.f("ix_payment_claims_measurement_id"))
        batch_op.drop_index(batch_op.f("ix_payment_claims_agreement_id"))

    op.drop_table("payment_claims")
    op.drop_table("measurement_validations")
    with op.batch_alter_table("payment_terms", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_terms_agreement_id"))

    op.drop_table("payment_terms")
