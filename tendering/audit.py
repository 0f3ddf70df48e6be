"""Writing and reading the append-only audit log."""

from datetime import datetime

from sqlmodel import Session, select

from .models import AuditEvent, Case, User, utcnow


def record(
    session: Session,
    *,
    action: str,
    actor: User | None,
    case: Case | None = None,
    reason: str = "",
    details: dict | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    """Add an audit event to the current transaction (flushed with the change it records)."""
    event = AuditEvent(
        case_id=case.id if case else None,
        actor_id=actor.id if actor else None,
        actor_name=actor.name if actor else "",
        at=at or utcnow(),
        action=action,
        reason=reason,
        details=details or {},
    )
    session.add(event)
    return event


def timeline(session: Session, case: Case, limit: int | None = None) -> list[AuditEvent]:
    """The case's events, newest first; the case page shows the latest `limit` and links to the rest."""
    statement = select(AuditEvent).where(AuditEvent.case_id == case.id).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    return list(session.exec(statement.limit(limit) if limit else statement).all())
