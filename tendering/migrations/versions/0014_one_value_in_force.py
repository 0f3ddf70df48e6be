"""One value in force per indicator and period, guaranteed by the database: two
reports or corrections of one period at the same moment can no longer both stay in
force. A first value per (indicator, period) is unique, and so is what a value
supersedes; the unique constraint on supersedes_id becomes a partial unique index,
which also serves the "values in force" query (NOT EXISTS a correction).

Periods that earlier races left with two first values are repaired first: their
chains are linked in the order they were stored, so the latest report stays in
force and the earlier ones remain in the history as corrected.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

FIRST = "supersedes_id IS NULL"
CORRECTION = "supersedes_id IS NOT NULL"
REPAIR_REASON = "Reported twice at the same moment; linked by migration 0014."


def _repair_duplicate_first_values(connection) -> None:
    rows = connection.execute(
        sa.text(
            "SELECT m.id, m.indicator_id, m.period, m.supersedes_id FROM measurements m JOIN "
            f"(SELECT indicator_id, period FROM measurements WHERE {FIRST} GROUP BY indicator_id, period HAVING COUNT(*) > 1) d "
            "ON d.indicator_id = m.indicator_id AND d.period = m.period ORDER BY m.id"
        )
    ).all()
    groups: dict = {}
    for row in rows:
        groups.setdefault((row.indicator_id, row.period), []).append(row)
    links = []
    for members in groups.values():
        successor = {m.supersedes_id: m.id for m in members if m.supersedes_id is not None}
        roots = [m.id for m in members if m.supersedes_id is None]
        tip = None
        for root in roots:  # oldest first
            if tip is not None:
                links.append({"id": root, "supersedes": tip})
            tip = root
            while tip in successor:
                tip = successor[tip]
    if links:
        connection.execute(
            sa.text(
                "UPDATE measurements SET supersedes_id = :supersedes, "
                "correction_reason = CASE WHEN correction_reason = '' THEN :reason ELSE correction_reason END WHERE id = :id"
            ),
            [link | {"reason": REPAIR_REASON} for link in links],
        )


def upgrade() -> None:
    connection = op.get_bind()
    _repair_duplicate_first_values(connection)
    if connection.dialect.name == "sqlite":
        # The constraint came unnamed from 0001; the batch copy names it by this convention to drop it.
        with op.batch_alter_table(
            "measurements", schema=None, naming_convention={"uq": "uq_%(table_name)s_%(column_0_name)s"}
        ) as batch_op:
            batch_op.drop_constraint("uq_measurements_supersedes_id", type_="unique")
    else:
        op.drop_constraint("measurements_supersedes_id_key", "measurements", type_="unique")
    op.create_index(
        "uq_measurements_first_value",
        "measurements",
        ["indicator_id", "period"],
        unique=True,
        sqlite_where=sa.text(FIRST),
        postgresql_where=sa.text(FIRST),
    )
    op.create_index(
        "uq_measurements_supersedes",
        "measurements",
        ["supersedes_id"],
        unique=True,
        sqlite_where=sa.text(CORRECTION),
        postgresql_where=sa.text(CORRECTION),
    )


def downgrade() -> None:
    op.drop_index("uq_measurements_supersedes", table_name="measurements")
    op.drop_index("uq_measurements_first_value", table_name="measurements")
    connection = op.get_bind()
    if connection.dialect.name == "sqlite":
        with op.batch_alter_table("measurements", schema=None) as batch_op:
            batch_op.create_unique_constraint("uq_measurements_supersedes_id", ["supersedes_id"])
    else:
        op.create_unique_constraint("measurements_supersedes_id_key", "measurements", ["supersedes_id"])
