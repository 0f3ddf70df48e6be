"""The Maatschappelijke Agenda: agendas, ambitions, city indicators with their norms and values, the cases linked
to ambitions, and the coalition indicators linked to the city indicator they contribute to.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04 18:57:31
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import tendering.models.base

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agendas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("council_decision", sa.Text(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("previous_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", tendering.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["previous_id"],
            ["agendas.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "ambitions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agenda_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("carried_from_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agenda_id"],
            ["agendas.id"],
        ),
        sa.ForeignKeyConstraint(
            ["carried_from_id"],
            ["ambitions.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("ambitions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ambitions_agenda_id"), ["agenda_id"], unique=False)

    op.create_table(
        "case_ambitions",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("ambition_id", sa.Integer(), nullable=False),
        sa.Column("linked_by_id", sa.Integer(), nullable=False),
        sa.Column("linked_at", tendering.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["ambition_id"],
            ["ambitions.id"],
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
        ),
        sa.ForeignKeyConstraint(
            ["linked_by_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("case_id", "ambition_id"),
    )
    with op.batch_alter_table("case_ambitions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_ambitions_ambition_id"), ["ambition_id"], unique=False)

    op.create_table(
        "city_indicators",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ambition_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("unit", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column(
            "direction",
            sa.Enum("higher_is_better", "lower_is_better", name="direction", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("data_source", sa.Text(), nullable=False),
        sa.Column("measured_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("frequency", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("baseline_value", sa.Float(), nullable=False),
        sa.Column("baseline_date", sa.Date(), nullable=False),
        sa.Column("target_value", sa.Float(), nullable=False),
        sa.Column("target_date", sa.Date(), nullable=False),
        sa.Column("norm_at_risk", sa.Float(), nullable=True),
        sa.Column("norm_off_track", sa.Float(), nullable=True),
        sa.Column("confidential", sa.Boolean(), nullable=False),
        sa.Column("carried_from_id", sa.Integer(), nullable=True),
        sa.Column("latest_value", sa.Float(), nullable=True),
        sa.Column("latest_period", sa.Date(), nullable=True),
        sa.Column(
            "assessed_status",
            sa.Enum(
                "on_track",
                "at_risk",
                "off_track",
                "no_data",
                "overdue",
                name="indicatorstatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["ambition_id"],
            ["ambitions.id"],
        ),
        sa.ForeignKeyConstraint(
            ["carried_from_id"],
            ["city_indicators.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("city_indicators", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_city_indicators_ambition_id"), ["ambition_id"], unique=False)

    op.create_table(
        "city_measurements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("reported_by_id", sa.Integer(), nullable=False),
        sa.Column("reported_at", tendering.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("correction_reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["city_indicators.id"],
        ),
        sa.ForeignKeyConstraint(
            ["reported_by_id"],
            ["users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"],
            ["city_measurements.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("city_measurements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_city_measurements_indicator_id"), ["indicator_id"], unique=False)
        batch_op.create_index(
            "uq_city_measurements_first_value",
            ["indicator_id", "period"],
            unique=True,
            sqlite_where=sa.text("supersedes_id IS NULL"),
            postgresql_where=sa.text("supersedes_id IS NULL"),
        )
        batch_op.create_index(
            "uq_city_measurements_supersedes",
            ["supersedes_id"],
            unique=True,
            sqlite_where=sa.text("supersedes_id IS NOT NULL"),
            postgresql_where=sa.text("supersedes_id IS NOT NULL"),
        )

    op.create_table(
        "city_norms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("norm_at_risk", sa.Float(), nullable=True),
        sa.Column("norm_off_track", sa.Float(), nullable=True),
        sa.Column("agreed_on", sa.Date(), nullable=False),
        sa.Column("partners", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", tendering.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["city_indicators.id"],
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("city_norms", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_city_norms_indicator_id"), ["indicator_id"], unique=False)

    with op.batch_alter_table("indicators", schema=None) as batch_op:
        batch_op.add_column(sa.Column("city_indicator_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_indicators_city_indicator_id"), ["city_indicator_id"], unique=False)
        batch_op.create_foreign_key("fk_indicators_city_indicator_id", "city_indicators", ["city_indicator_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("indicators", schema=None) as batch_op:
        batch_op.drop_constraint("fk_indicators_city_indicator_id", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_indicators_city_indicator_id"))
        batch_op.drop_column("city_indicator_id")

    with op.batch_alter_table("city_norms", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_city_norms_indicator_id"))

    op.drop_table("city_norms")
    with op.batch_alter_table("city_measurements", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_city_measurements_supersedes",
            sqlite_where=sa.text("supersedes_id IS NOT NULL"),
            postgresql_where=sa.text("supersedes_id IS NOT NULL"),
        )
        batch_op.drop_index(
            "uq_city_measurements_first_value",
            sqlite_where=sa.text("supersedes_id IS NULL"),
            postgresql_where=sa.text("supersedes_id IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_city_measurements_indicator_id"))

    op.drop_table("city_measurements")
    with op.batch_alter_table("city_indicators", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_city_indicators_ambition_id"))

    op.drop_table("city_indicators")
    with op.batch_alter_table("case_ambitions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_ambitions_ambition_id"))

    op.drop_table("case_ambitions")
    with op.batch_alter_table("ambitions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ambitions_agenda_id"))

    op.drop_table("ambitions")
    op.drop_table("agendas")
