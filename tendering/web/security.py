"""Login sessions, role checks, CSRF, security headers and login throttling.

Sessions live on the server (`UserSession`): the cookie carries a random token, Flask-Login's "user id"
(`User.get_id`), and the user loader accepts it only while its row is open, so logout, a password change,
"end this session" and an administrator's block end a login even where its cookie was copied to.

Failed logins are rows in `login_failures`, shared by every worker through the database. Only failures
count, per account, per client address (generous) and per device cookie; past a few free failures each
next attempt waits twice as long as the one before, up to a cap, and then works again. A browser that
logged in to the account before holds a signed device cookie and is not held back by strangers'
failures (OWASP's device cookies), so nobody can lock a user out of their own account.
"""

import hashlib
import ipaddress
import math
import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from flask import Flask, current_app, g, request
from flask import session as http_session
from flask_babel import lazy_gettext as _l
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFProtect, generate_csrf
from itsdangerous import BadSignature, URLSafeTimedSerializer
from markupsafe import Markup
from sqlalchemy import bindparam, delete, func, insert, true, update
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from ..core import audit, db
from ..models import AuditEvent, DataGeneration, LoginFailure, User, UserSession, utcnow
from ..parties.users import end_sessions
from . import fragments

login_manager = LoginManager()
csrf = CSRFProtect()
# Still used for the registration and invitation forms; login has its own, shared throttle below.
limiter = Limiter(key_func=get_remote_address, default_limits=[])

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SESSION_TOUCH_SECONDS = 300  # last-seen is written at most this often per session
DEVICE_COOKIE = "tendering_device"


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Log in to see this page.")
    login_manager.login_message_category = "info"
    csrf.init_app(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter.init_app(app)
    app.after_request(_security_headers)
    app.jinja_env.globals["csrf_field"] = csrf_field


def csrf_field() -> Markup:
    """The CSRF token as a hidden field without an id, so pages with many forms keep ids unique.

    In a cached body it is a placeholder, filled in per request (`fragments`).
    """
    token = fragments.csrf_placeholder() if fragments.rendering_fragment() else generate_csrf()
    return Markup('<input type="hidden" name="csrf_token" value="{}">').format(token)


# Sessions ----------------------------------------------------------------------------------------------------------------


def same_site_path(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None: so a `next` parameter can send nobody elsewhere. Browsers
    and Werkzeug drop tabs and line breaks from a Location (`/\t/evil.example` becomes `//evil.example`) and read a
    backslash as a slash, so any control character, space or backslash refuses the target outright."""
    if not target or any(ord(c) < 0x21 or ord(c) == 0x7F or c == "\\" for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def session_limits() -> tuple:
    """(idle_since, started_since): a session last seen before the first, or begun before the second, has expired."""
    now = utcnow()
    return (
        now - timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"]),
        now - timedelta(days=current_app.config["SESSION_MAX_DAYS"]),
    )


_SESSION_USER_AND_GENERATION = (
    select(User, UserSession.id, UserSession.created_at, UserSession.last_seen_at, DataGeneration.generation)
    .join(UserSession, UserSession.user_id == User.id)
    .outerjoin(DataGeneration, true())
    .where(UserSession.token_sha256 == bindparam("token_sha256"), UserSession.ended_at.is_(None))
)


@login_manager.user_loader
def _load_user(token: str) -> User | None:
    """The logged-in user of an open session, and in the same query the data generation, so it is read before any
    data (`fragments`). A token of an ended, expired or unknown session, or of a blocked user, logs nobody in."""
    if not token or len(token) > 100:
        return None
    row = db.session().exec(_SESSION_USER_AND_GENERATION, params={"token_sha256": _sha256(token)}).first()
    if row is None:
        return None
    user, session_id, created_at, last_seen_at, generation = row
    g.data_generation = generation or 0
    idle_since, started_since = session_limits()
    if not user.active or last_seen_at <= idle_since or created_at <= started_since:
        return None
    _attach(user, token, session_id)
    if (utcnow() - last_seen_at).total_seconds() > SESSION_TOUCH_SECONDS:
        _touch(session_id)
    return user


def _attach(user: User, token: str, session_id: int) -> None:
    """Remember on the user object which session it was loaded for (`User.get_id` gives the token back)."""
    user.__dict__["_session_token"] = token
    user.__dict__["_session_id"] = session_id


def current_session_id() -> int | None:
    return current_user.__dict__.get("_session_id") if current_user.is_authenticated else None


def _touch(session_id: int) -> None:
    """Note that the session is in use: bookkeeping, which must not count as a change of data (`db.write_aside`)."""
    table = UserSession.__table__
    try:
        db.write_aside(update(table).where(table.c.id == session_id).values(last_seen_at=utcnow()))
    except OperationalError:  # a busy database: the next request tries again
        current_app.logger.warning("could not note that session %s was seen", session_id, exc_info=True)


def log_in(session: Session, user: User) -> UserSession:
    """Start a server-side session for `user` in a fresh cookie session (against fixation); the caller commits."""
    http_session.clear()
    token = secrets.token_urlsafe(32)
    record = UserSession(
        token_sha256=_sha256(token),
        user_id=user.id,
        user_agent=(request.user_agent.string or "")[:255],
        ip_address=(request.remote_addr or "")[:45],
    )
    session.add(record)
    session.flush()
    _attach(user, token, record.id)
    login_user(user)
    return record


def log_out(session: Session) -> None:
    """End the current session on the server, so its cookie is worthless wherever it was copied; the caller commits."""
    session_id = current_session_id()
    user = current_user._get_current_object() if current_user.is_authenticated else None
    if session_id is not None:
        table = UserSession.__table__
        session.execute(
            update(table)
            .where(table.c.id == session_id, table.c.ended_at.is_(None))
            .values(ended_at=utcnow(), ended_reason="logout")
        )
        audit.record(session, action="logout", actor=user, details={"session_id": session_id})
    logout_user()
    http_session.clear()


def end_other_sessions(session: Session, user: User) -> int:
    return end_sessions(session, user, reason="ended_by_user", actor=user, keep_session_id=current_session_id())


# Login throttle -----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginAttempt:
    """Who is trying: the account as typed, the client's address, and the device cookie's id if it is valid for that account."""

    email: str
    address: str
    device: str | None

    @property
    def keys(self) -> dict[str, int]:
        """The counters this attempt is held to, with their free failures. A known device is held to its own only."""
        config = current_app.config
        if self.device:
            return {"device:" + self.device: config["LOGIN_FREE_FAILURES"]}
        return {
            "account:" + self.email: config["LOGIN_FREE_FAILURES"],
            "address:" + self.address: config["LOGIN_ADDRESS_FREE_FAILURES"],
        }


def login_attempt(email: str) -> LoginAttempt:
    email = (email or "").strip().lower()[:254]
    return LoginAttempt(email=email, address=_client_network(request.remote_addr or ""), device=_device_id(email))


def _client_network(address: str) -> str:
    """The client's address; for IPv6 its /64 network, since one household or attacker holds a whole /64."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address[:45]
    if parsed.version == 6:
        if parsed.ipv4_mapped:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def _backoff(failures: int, free: int) -> float:
    """Seconds to wait after the last failure: none for the free ones, then doubling from the base up to the cap."""
    if failures < free:
        return 0
    config = current_app.config
    return min(config["LOGIN_BACKOFF_SECONDS"] * 2 ** min(failures - free, 32), config["LOGIN_BACKOFF_MAX_SECONDS"])


def _failure_counts(session: Session, keys) -> dict[str, tuple[int, object]]:
    since = utcnow() - timedelta(seconds=current_app.config["LOGIN_FAILURE_WINDOW_SECONDS"])
    rows = session.exec(
        select(LoginFailure.key, func.count(LoginFailure.id), func.max(LoginFailure.at))
        .where(LoginFailure.key.in_(sorted(keys)), LoginFailure.at > since)
        .group_by(LoginFailure.key)
    ).all()
    return {key: (count, last) for key, count, last in rows}


def login_wait(session: Session, attempt: LoginAttempt) -> int:
    """Seconds before this attempt may be tried (0: now), counted over every worker's failures in one query."""
    keys = attempt.keys
    counts = _failure_counts(session, keys)
    now, wait = utcnow(), 0.0
    for key, free in keys.items():
        failures, last = counts.get(key, (0, None))
        if last is not None:
            wait = max(wait, _backoff(failures, free) - (now - last).total_seconds())
    return math.ceil(wait) if wait > 0 else 0


def record_login_failure(session: Session, attempt: LoginAttempt) -> None:
    """Count a failed attempt and audit it, in a transaction of its own on a connection of its own.

    Not through the request's session: a failure changes no data anyone sees, so it must not bump the data
    generation (and empty the page caches of every worker) — the more so as an attacker sends thousands.
    The counts are read in the same transaction, so the audit log notes when an account or address starts
    being held back.
    """
    now = utcnow()
    keys = attempt.keys
    window = timedelta(seconds=current_app.config["LOGIN_FAILURE_WINDOW_SECONDS"])
    failures, events = LoginFailure.__table__, AuditEvent.__table__
    details = {"email": attempt.email, "address": attempt.address, "known_device": bool(attempt.device)}
    with db.engine().begin() as connection:
        connection.execute(delete(failures).where(failures.c.at <= now - window))
        connection.execute(insert(failures), [{"key": key, "at": now} for key in keys])
        counts = dict(
            connection.execute(
                select(failures.c.key, func.count()).where(failures.c.key.in_(sorted(keys))).group_by(failures.c.key)
            ).all()
        )
        audit_rows = [{"action": "login_failed", "details": details}]
        held = sorted(key.split(":", 1)[0] for key, free in keys.items() if counts.get(key, 0) == free)
        if held:
            audit_rows.append({"action": "login_throttled", "details": {**details, "held_back": held}})
        connection.execute(insert(events), [{"actor_name": "", "at": now, "reason": "", **row} for row in audit_rows])


# Device cookies ------------------------------------------------------------------------------------------------------------


def _device_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="tendering-device-cookie")


def _device_id(email: str) -> str | None:
    """The id of this browser's device cookie, if it is signed by us, recent, and for this account."""
    value = request.cookies.get(DEVICE_COOKIE)
    if not value or not email:
        return None
    try:
        data = _device_serializer().loads(value, max_age=current_app.config["DEVICE_COOKIE_DAYS"] * 86400)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("e") != email or not isinstance(data.get("n"), str):
        return None
    return data["n"]


def set_device_cookie(response, email: str):
    """Mark this browser as one that logged in to the account, with a new id at every login."""
    value = _device_serializer().dumps({"e": email.strip().lower(), "n": secrets.token_urlsafe(16)})
    config = current_app.config
    response.set_cookie(
        DEVICE_COOKIE,
        value,
        max_age=config["DEVICE_COOKIE_DAYS"] * 86400,
        secure=config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
    return response


# Headers ---------------------------------------------------------------------------------------------------------


def _security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response
