"""Per-coalition API tokens: shown once, stored only as a SHA-256, revocable.

A token acts for the coalition that created it and is refused once revoked, or
once the coalition no longer has a concluded agreement to report on.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import update
from sqlmodel import Session, select

from ..core import audit, db
from ..core.errors import DomainError, NotFound
from ..models import ApiToken, Coalition, User, utcnow
from . import measurements

PREFIX = "tnd_"
LAST_USE_PRECISION = timedelta(hours=1)  # the last use is noted at most once an hour: bookkeeping, on every API call


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def tokens_of(session: Session, reporting: measurements.Reporting) -> list[ApiToken]:
    return list(
        session.exec(
            select(ApiToken)
            .where(ApiToken.coalition_id == reporting.coalition.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        ).all()
    )


def create(session: Session, reporting: measurements.Reporting, *, actor: User, name: str) -> tuple[ApiToken, str]:
    """A new token; the plain value is returned this once and never stored."""
    if not name.strip():
        raise DomainError(_("Name the token after the system that will use it."))
    plain = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        coalition_id=reporting.coalition.id,
        name=name.strip()[:100],
        token_hash=_hash(plain),
        prefix=plain[:12],
        created_by_id=actor.id,
    )
    session.add(token)
    session.flush()
    audit.record(session, action="api_token_created", actor=actor, case=reporting.case, details={"token": token.prefix})
    return token, plain


def revoke(session: Session, reporting: measurements.Reporting, token_id: int, *, actor: User) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None or token.coalition_id != reporting.coalition.id:
        raise NotFound(_("This token does not exist."))
    if token.revoked_at is None:
        token.revoked_at, token.revoked_by_id = utcnow(), actor.id
        session.add(token)
        audit.record(
            session, action="api_token_revoked", actor=actor, case=reporting.case, details={"token": token.prefix}
        )
    return token


@dataclass(frozen=True)
class Caller:
    """Who an API request acts for: the token's coalition, reported as the member who created the token."""

    token: ApiToken
    user: User
    reporting: measurements.Reporting


def authenticate(session: Session, header: str | None) -> Caller | None:
    """The caller of a `Bearer` token, or None for a missing, unknown or revoked one."""
    if not header or not header.startswith("Bearer "):
        return None
    token = session.exec(select(ApiToken).where(ApiToken.token_hash == _hash(header[7:].strip()))).first()
    if token is None or token.revoked_at is not None:
        return None
    coalition = session.get(Coalition, token.coalition_id)
    user = session.get(User, token.created_by_id)
    if user is None or not user.active:
        return None
    try:
        reporting = measurements.reporting_for(session, coalition.id, user)
    except NotFound:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USE_PRECISION:
        table = ApiToken.__table__
        db.write_aside(update(table).where(table.c.id == token.id).values(last_used_at=now))  # bookkeeping
    return Caller(token, user, reporting)
