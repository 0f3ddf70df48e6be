"""A user's choices: per kind immediately, in the daily digest or off (never off for a mandatory kind), and the
language their notifications are written in."""

from flask import current_app
from flask_babel import gettext as _
from sqlmodel import Session, select

from ..core import audit
from ..core.errors import DomainError
from ..models import NotificationPreference, User
from .kinds import IMMEDIATELY, KINDS, MODES, OFF, Kind
from .service import Unsubscription, mode_for, preferences


def modes_of(session: Session, user: User) -> dict[Kind, str]:
    """The user's mode for every kind (mandatory kinds: always immediately)."""
    prefs = preferences(session, [user.id])
    return {kind: mode_for(prefs, user.id, kind) for kind in Kind}


def save(session: Session, user: User, *, modes: dict[Kind, str], language: str | None) -> None:
    """Store the choices; refuses a mode it does not know or "off" for a mandatory kind, changing nothing."""
    for kind, mode in modes.items():
        if mode not in MODES:
            raise DomainError(_("Choose immediately, in a daily digest or off."))
        if KINDS[kind].mandatory and mode != IMMEDIATELY:
            raise DomainError(_("“%(kind)s” is always sent at once; it cannot be turned off.", kind=KINDS[kind].label))
    if language is not None and language not in current_app.config["LANGUAGES"]:
        raise DomainError(_("Choose one of the languages of this site."))
    _store(session, user, {k: m for k, m in modes.items() if not KINDS[k].mandatory})
    changed = {"modes": {k.value: m for k, m in modes.items() if not KINDS[k].mandatory}}
    if language is not None and language != user.language:
        user.language = language
        session.add(user)
        changed["language"] = language
    audit.record(session, action="notification_preferences_saved", actor=user, details=changed)
    session.flush()


def unsubscribe(session: Session, unsubscription: Unsubscription) -> None:
    """What a one-click link asks: its kinds off."""
    user = unsubscription.user
    _store(session, user, {kind: OFF for kind in unsubscription.kinds})
    audit.record(
        session,
        action="notifications_unsubscribed",
        actor=user,
        details={"kinds": [k.value for k in unsubscription.kinds], "digest": unsubscription.digest},
    )
    session.flush()


def _store(session: Session, user: User, modes: dict[Kind, str]) -> None:
    if not modes:
        return
    existing = {
        row.kind: row
        for row in session.exec(
            select(NotificationPreference).where(
                NotificationPreference.user_id == user.id,
                NotificationPreference.kind.in_([k.value for k in modes]),
            )
        ).all()
    }
    for kind, mode in modes.items():
        row = existing.get(kind.value) or NotificationPreference(user_id=user.id, kind=kind.value, mode=mode)
        row.mode = mode
        session.add(row)
