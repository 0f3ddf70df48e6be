"""Every table model, imported here so metadata and Alembic see them all."""

from .audit import AuditEvent
from .base import UTCDateTime, utcnow
from .cases import (
    AwardCriterion,
    Case,
    Clarification,
    ContactKind,
    ContactMoment,
    Framework,
    FrameworkKind,
    Interest,
    Outcome,
    QuestionDocument,
    Stakeholder,
    SuitabilityAnswer,
)
from .coalitions import (
    Coalition,
    CoalitionMember,
    MembershipStatus,
    Proposal,
    ProposalAttachment,
    ProposalStage,
    ProposalStatus,
)
from .evaluation import (
    AwardDecision,
    ConsensusScore,
    CriterionScore,
    Evaluation,
    EvaluatorAssignment,
    Objection,
)
from .monitoring import Agreement, Direction, Indicator, JointEvaluation, Measurement, ProgressReport
from .organisations import Invitation, Organisation, OrganisationKind, Role, User
from .outbox import OutboxMessage

__all__ = [
    "Agreement",
    "AuditEvent",
    "AwardCriterion",
    "AwardDecision",
    "Case",
    "Clarification",
    "Coalition",
    "CoalitionMember",
    "ConsensusScore",
    "ContactKind",
    "ContactMoment",
    "CriterionScore",
    "Direction",
    "Evaluation",
    "EvaluatorAssignment",
    "Framework",
    "FrameworkKind",
    "Indicator",
    "Invitation",
    "Interest",
    "JointEvaluation",
    "Measurement",
    "MembershipStatus",
    "Objection",
    "Organisation",
    "OutboxMessage",
    "OrganisationKind",
    "Outcome",
    "ProgressReport",
    "Proposal",
    "ProposalAttachment",
    "ProposalStage",
    "ProposalStatus",
    "QuestionDocument",
    "Role",
    "Stakeholder",
    "SuitabilityAnswer",
    "UTCDateTime",
    "User",
    "utcnow",
]
