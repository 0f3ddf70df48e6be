"""Writing and reading the append-only audit log."""

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import insert
from sqlmodel import Session, select

from ..models import AuditEvent, Case, User, utcnow
from . import db


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


def record_aside(*, action: str, actor: User | None, case_id: int | None = None, details: dict | None = None) -> None:
    """Log an event that changes nothing a reader sees (a refused read) in a transaction of its own (`db.write_aside`):
    it is kept although the request it belongs to is refused, and no cached page goes stale, however often an
    attacker knocks."""
    db.write_aside(
        insert(AuditEvent.__table__).values(
            case_id=case_id,
            actor_id=actor.id if actor else None,
            actor_name=actor.name if actor else "",
            at=utcnow(),
            action=action,
            reason="",
            details=details or {},
        )
    )


def timeline(
    session: Session, case: Case, limit: int | None = None, *, hidden: Collection[str] = ()
) -> list[AuditEvent]:
    """The case's events, newest first, without the `hidden` actions; the case page shows the latest `limit`."""
    statement = (
        select(AuditEvent).where(AuditEvent.case_id == case.id).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )
    if hidden:
        statement = statement.where(AuditEvent.action.not_in(sorted(hidden)))
    return list(session.exec(statement.limit(limit) if limit else statement).all())
