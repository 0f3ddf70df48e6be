"""initial schema: every core table, and the audit log made append-only in the database

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import tendering.models.base

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "organisations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "resident_initiative",
                "company",
                "social_organisation",
                "association",
                "school",
                "housing_corporation",
                "care_provider",
                "public_body",
                "other",
                name="organisationkind",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("kvk_number", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
        sa.Column("contact_email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
        sa.Column("contact_phone", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("created_at", tendering.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_organisations_name"), ["name"], unique=False)

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("password_hash", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "official", "council_member", "coalition_member", "admin", name="role", native_enum=False, length=30
            ),
            nullable=False,
        ),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", tendering.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_users_email"), ["email"], unique=True)
        batch_op.create_index(batch_op.f("ix_users_organisation_id"), ["organisation_id"], unique=False)

    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("problem_analysis", sa.Text(), nullable=False),
        sa.Column("signals", sa.Text(), nullable=False),
        sa.Column("target_group", sa.Text(), nullable=False),
        sa.Column("ambition", sa.Text(), nullable=False),
        sa.Column("theme", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("budget_ceiling", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("current_role", sa.Text(), nullable=False),
        sa.Column("desired_role", sa.Text(), nullable=False),
        sa.Column("council_decision_date", sa.Date(), nullable=True),
        sa.Column("council_decision_reference", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("workflow", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("parent_case_id", sa.Integer(), nullable=True),
        sa.Column("clarification_deadline", tendering.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("submission_deadline", tendering.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("standstill_days", sa.Integer(), nullable=False),
        sa.Column("min_partners", sa.Integer(), nullable=False),
        sa.Column("created_at", tendering.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", tendering.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("budget_ceiling IS NULL OR budget_ceiling >= 0", name="ck_cases_budget"),
        sa.CheckConstraint("min_partners >= 1", name="ck_cases_min_partners"),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["parent_case_id"],
            ["cases.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("reference"),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cases_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_state"), ["state"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_submission_deadline"), ["submission_deadline"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_theme"), ["theme"], unique=False)

    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("at", tendering.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("trigger", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
        sa.Column("from_state", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("to_state", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_events_case_id"), ["case_id"], unique=False)

    op.create_table(
        "award_criteria",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column("scale_max", sa.Integer(), nullable=False),
        sa.Column("is_price", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint("scale_max >= 1", name="ck_award_criteria_scale"),
        sa.CheckConstraint("weight BETWEEN 0 AND 100", name="ck_award_criteria_weight"),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("award_criteria", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_award_criteria_case_id"), ["case_id"], unique=False)

    op.create_table(
        "clarifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("asked_by_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("asked_at", tendering.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("answered_at", tendering.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("nota_number", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["answered_by_id"],
            ["users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["asked_by_id"],
            ["users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("clarifications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_clarifications_case_id"), ["case_id"], unique=False)

    op.create_table(
        "coalitions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("lead_organisation_id", sa.Integer(), nullable=False),
        sa.Column("created_at", tendering.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
        ),
        sa.ForeignKeyConstraint(
            ["lead_organisation_id"],
            ["organisations.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("coalitions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_coalitions_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_coalitions_lead_organisation_id"), ["lead_organisation_id"], unique=False)

    op.create_table(
        "contact_moments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("visit", "invitation", "meeting", "letter", name="contactkind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("with_whom", sa.Text(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("contact_moments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contact_moments_case_id"), ["case_id"], unique=False)

    op.create_table(
        "evaluator_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("assigned_at", tendering.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "user_id"),
    )
    with op.batch_alter_table("evaluator_assignments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evaluator_assignments_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_evaluator_assignments_user_id"), ["user_id"], unique=False)

    op.create_table(
        "frameworks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "legal",
                "minimum_requirement",
                "public_value",
                "other",
                name="frameworkkind",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("description", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("frameworks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_frameworks_case_id"), ["case_id"], unique=False)

    op.create_table(
        "interests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("offer", sa.Text(), nullable=False),
        sa.Column("created_at", tendering.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "organisation_id"),
    )
    with op.batch_alter_table("interests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_interests_case_id"), ["case_id"], unique=False)

    op.create_table(
        "joint_evaluations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("participants", sa.Text(), nullable=False),
        sa.Column("findings", sa.Text(), nullable=False),
        sa.Column("lessons", sa.Text(), nullable=False),
        sa.Column("legacy", sa.Text(), nullable=False),
        sa.Column("municipality_approved_by_id", sa.Integer(), nullable=True),
        sa.Column("municipality_approved_at", tendering.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("lead_approved_by_id", sa.Integer(), nullable=True),
        sa.Column("lead_approved_at", tendering.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("follow_up_case_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
        ),
        sa.ForeignKeyConstraint(
            ["follow_up_case_id"],
            ["cases.id"],
        ),
        sa.ForeignKeyConstraint(
            ["lead_approved_by_id"],
            ["users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["municipality_approved_by_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id"),
    )
    op.create_table(
        "outcomes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("indicator_hint", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("outcomes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outcomes_case_id"), ["case_id"], unique=False)

    op.create_table(
        "question_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content_html", sa.Text(), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("amendment_note", sa.Text(), nullable=False),
        sa.Column("published_at", tendering.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
        ),
        sa.ForeignKeyConstraint(
            ["published_by_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "version"),
    )
    with op.batch_alter_table("question_documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_question_documents_case_id"), ["case_id"], unique=False)

    op.create_table(
        "stakeholders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("interest", sa.Integer(), nullable=False),
        sa.Column("influence", sa.Integer(), nullable=False),
        sa.Column("strengths", sa.Text(), nullable=False),
        sa.Column("weaknesses", sa.Text(), nullable=False),
        sa.Column("history", sa.Text(), nullable=False),
        sa.Column("untapped_potential", sa.Text(), nullable=False),
        sa.Column("risk_willingness", sa.Text(), nullable=False),
        sa.Column("mobilisation", sa.Text(), nullable=False),
        sa.Column("usual_partner", sa.Boolean(), nullable=False),
        sa.CheckConstraint("influence BETWEEN 1 AND 5", name="ck_stakeholders_influence"),
        sa.CheckConstraint("interest BETWEEN 1 AND 5", name="ck_stakeholders_interest"),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("stakeholders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stakeholders_case_id"), ["case_id"], unique=False)

    op.create_table(
        "suitability_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("question", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("answer", sa.Boolean(), nullable=False),
        sa.Column("motivation", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "question"),
    )
    with op.batch_alter_table("suitability_answers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_suitability_answers_case_id"), ["case_id"], unique=False)

    op.create_table(
        "agreements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("coalition_id", sa.Integer(), nullable=False),
        sa.Column("budget", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("monitoring_arrangement", sa.Text(), nullable=False),
        sa.Column("report_cadence", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("concluded_at", tendering.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("concluded_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
        ),
        sa.ForeignKeyConstraint(
            ["coalition_id"],
            ["coalitions.id"],
        ),
        sa.ForeignKeyConstraint(
            ["concluded_by_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("agreements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agreements_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_agreements_coalition_id"), ["coalition_id"], unique=False)

    op.create_table(
        "coalition_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("coalition_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("is_lead", sa.Boolean(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("invited", "accepted", "declined", name="membershipstatus", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("contribution_kind", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("contribution", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["coalition_id"],
            ["coalitions.id"],
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("coalition_id", "organisation_id"),
    )
    with op.batch_alter_table("coalition_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_coalition_members_coalition_id"), ["coalition_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_coalition_members_organisation_id"), ["organisation_id"], unique=False)

    op.create_table(
        "proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("coalition_id", sa.Integer(), nullable=False),
        sa.Column(
            "stage",
            sa.Enum("single", "strategy", "realisation", name="proposalstage", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("draft", "submitted", "withdrawn", name="proposalstatus", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("approach", sa.Text(), nullable=False),
        sa.Column("answer_to_question", sa.Text(), nullable=False),
        sa.Column("outcome_commitments", sa.Text(), nullable=False),
        sa.Column("monitoring", sa.Text(), nullable=False),
        sa.Column("price", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("price_breakdown", sa.Text(), nullable=False),
        sa.Column("partner_contributions", sa.Text(), nullable=False),
        sa.Column("risk_sharing", sa.Text(), nullable=False),
        sa.Column("legacy", sa.Text(), nullable=False),
        sa.Column("submitted_at", tendering.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("receipt_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("updated_at", tendering.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status != 'submitted' OR (submitted_at IS NOT NULL AND receipt_sha256 IS NOT NULL)",
            name="ck_proposals_submitted_has_receipt",
        ),
        sa.CheckConstraint("price IS NULL OR price >= 0", name="ck_proposals_price"),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
        ),
        sa.ForeignKeyConstraint(
            ["coalition_id"],
            ["coalitions.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("coalition_id", "stage", "round"),
    )
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_proposals_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_proposals_coalition_id"), ["coalition_id"], unique=False)

    op.create_table(
        "award_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("stage", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("motivation", sa.Text(), nullable=False),
        sa.Column("decided_at", tendering.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=False),
        sa.Column("standstill_ends_at", tendering.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("letters_sent_at", tendering.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("award_decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_award_decisions_case_id"), ["case_id"], unique=False)

    op.create_table(
        "consensus_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("criterion_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("motivation", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", tendering.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["criterion_id"],
            ["award_criteria.id"],
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("proposal_id", "criterion_id"),
    )
    with op.batch_alter_table("consensus_scores", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consensus_scores_proposal_id"), ["proposal_id"], unique=False)

    op.create_table(
        "evaluations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("evaluator_id", sa.Integer(), nullable=False),
        sa.Column("has_conflict", sa.Boolean(), nullable=False),
        sa.Column("conflict_note", sa.Text(), nullable=False),
        sa.Column("declared_at", tendering.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("requirements_met", sa.Boolean(), nullable=True),
        sa.Column("requirements_note", sa.Text(), nullable=False),
        sa.Column("submitted_at", tendering.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("NOT has_conflict OR submitted_at IS NULL", name="ck_evaluations_conflict_not_submitted"),
        sa.ForeignKeyConstraint(
            ["evaluator_id"],
            ["users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("proposal_id", "evaluator_id"),
    )
    with op.batch_alter_table("evaluations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evaluations_evaluator_id"), ["evaluator_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_evaluations_proposal_id"), ["proposal_id"], unique=False)

    op.create_table(
        "indicators",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("outcome_id", sa.Integer(), nullable=True),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("unit", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column(
            "direction",
            sa.Enum("higher_is_better", "lower_is_better", name="direction", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("data_source", sa.Text(), nullable=False),
        sa.Column("baseline_value", sa.Float(), nullable=False),
        sa.Column("baseline_date", sa.Date(), nullable=False),
        sa.Column("target_value", sa.Float(), nullable=False),
        sa.Column("target_date", sa.Date(), nullable=False),
        sa.Column("norm_at_risk", sa.Float(), nullable=True),
        sa.Column("norm_off_track", sa.Float(), nullable=True),
        sa.Column("frequency", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("measured_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("confidential", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreements.id"],
        ),
        sa.ForeignKeyConstraint(
            ["outcome_id"],
            ["outcomes.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("indicators", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_indicators_agreement_id"), ["agreement_id"], unique=False)

    op.create_table(
        "progress_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("narrative", sa.Text(), nullable=False),
        sa.Column("adjustments", sa.Text(), nullable=False),
        sa.Column("setbacks", sa.Text(), nullable=False),
        sa.Column("windfalls", sa.Text(), nullable=False),
        sa.Column("client_panel", sa.Text(), nullable=False),
        sa.Column("submitted_by_id", sa.Integer(), nullable=False),
        sa.Column("submitted_at", tendering.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_by_id", sa.Integer(), nullable=True),
        sa.Column("acknowledged_at", tendering.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("response", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["acknowledged_by_id"],
            ["users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreements.id"],
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("agreement_id", "period"),
    )
    with op.batch_alter_table("progress_reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_progress_reports_agreement_id"), ["agreement_id"], unique=False)

    op.create_table(
        "proposal_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("stored_name", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("content_type", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("uploaded_at", tendering.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("stored_name"),
    )
    with op.batch_alter_table("proposal_attachments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_proposal_attachments_proposal_id"), ["proposal_id"], unique=False)

    op.create_table(
        "criterion_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("evaluation_id", sa.Integer(), nullable=False),
        sa.Column("criterion_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("motivation", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["criterion_id"],
            ["award_criteria.id"],
        ),
        sa.ForeignKeyConstraint(
            ["evaluation_id"],
            ["evaluations.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("evaluation_id", "criterion_id"),
    )
    with op.batch_alter_table("criterion_scores", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_criterion_scores_evaluation_id"), ["evaluation_id"], unique=False)

    op.create_table(
        "measurements",
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
            ["indicators.id"],
        ),
        sa.ForeignKeyConstraint(
            ["reported_by_id"],
            ["users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"],
            ["measurements.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("supersedes_id"),
    )
    with op.batch_alter_table("measurements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_measurements_indicator_id"), ["indicator_id"], unique=False)

    op.create_table(
        "objections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("award_decision_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("lodged_at", tendering.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", tendering.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["award_decision_id"],
            ["award_decisions.id"],
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("objections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_objections_award_decision_id"), ["award_decision_id"], unique=False)

    _make_audit_append_only()


def downgrade() -> None:
    _drop_audit_protection()
    with op.batch_alter_table("objections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_objections_award_decision_id"))

    op.drop_table("objections")
    with op.batch_alter_table("measurements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_measurements_indicator_id"))

    op.drop_table("measurements")
    with op.batch_alter_table("criterion_scores", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_criterion_scores_evaluation_id"))

    op.drop_table("criterion_scores")
    with op.batch_alter_table("proposal_attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposal_attachments_proposal_id"))

    op.drop_table("proposal_attachments")
    with op.batch_alter_table("progress_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_progress_reports_agreement_id"))

    op.drop_table("progress_reports")
    with op.batch_alter_table("indicators", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_indicators_agreement_id"))

    op.drop_table("indicators")
    with op.batch_alter_table("evaluations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evaluations_proposal_id"))
        batch_op.drop_index(batch_op.f("ix_evaluations_evaluator_id"))

    op.drop_table("evaluations")
    with op.batch_alter_table("consensus_scores", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consensus_scores_proposal_id"))

    op.drop_table("consensus_scores")
    with op.batch_alter_table("award_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_award_decisions_case_id"))

    op.drop_table("award_decisions")
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposals_coalition_id"))
        batch_op.drop_index(batch_op.f("ix_proposals_case_id"))

    op.drop_table("proposals")
    with op.batch_alter_table("coalition_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coalition_members_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_coalition_members_coalition_id"))

    op.drop_table("coalition_members")
    with op.batch_alter_table("agreements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreements_coalition_id"))
        batch_op.drop_index(batch_op.f("ix_agreements_case_id"))

    op.drop_table("agreements")
    with op.batch_alter_table("suitability_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_suitability_answers_case_id"))

    op.drop_table("suitability_answers")
    with op.batch_alter_table("stakeholders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stakeholders_case_id"))

    op.drop_table("stakeholders")
    with op.batch_alter_table("question_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_question_documents_case_id"))

    op.drop_table("question_documents")
    with op.batch_alter_table("outcomes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outcomes_case_id"))

    op.drop_table("outcomes")
    op.drop_table("joint_evaluations")
    with op.batch_alter_table("interests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_interests_case_id"))

    op.drop_table("interests")
    with op.batch_alter_table("frameworks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_frameworks_case_id"))

    op.drop_table("frameworks")
    with op.batch_alter_table("evaluator_assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evaluator_assignments_user_id"))
        batch_op.drop_index(batch_op.f("ix_evaluator_assignments_case_id"))

    op.drop_table("evaluator_assignments")
    with op.batch_alter_table("contact_moments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_moments_case_id"))

    op.drop_table("contact_moments")
    with op.batch_alter_table("coalitions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coalitions_lead_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_coalitions_case_id"))

    op.drop_table("coalitions")
    with op.batch_alter_table("clarifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_clarifications_case_id"))

    op.drop_table("clarifications")
    with op.batch_alter_table("award_criteria", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_award_criteria_case_id"))

    op.drop_table("award_criteria")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_events_case_id"))

    op.drop_table("audit_events")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cases_theme"))
        batch_op.drop_index(batch_op.f("ix_cases_submission_deadline"))
        batch_op.drop_index(batch_op.f("ix_cases_state"))
        batch_op.drop_index(batch_op.f("ix_cases_owner_id"))

    op.drop_table("cases")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_users_email"))

    op.drop_table("users")
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organisations_name"))

    op.drop_table("organisations")


def _make_audit_append_only() -> None:
    """UPDATE and DELETE on audit_events are refused by the database itself."""
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_events_no_{verb.lower()} BEFORE {verb} ON audit_events "
                "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"
            )
    else:
        op.execute(
            "CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'audit_events is append-only'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
            "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()"
        )


def _drop_audit_protection() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_delete")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events")
        op.execute("DROP FUNCTION IF EXISTS audit_events_append_only()")
