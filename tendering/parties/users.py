"""Accounts: creation, authentication, password strength and changes, password reset by e-mail, changing one's
e-mail address, blocking, and login sessions.

Passwords are hashed with scrypt. A login is a row in `user_sessions` (see `security`); ending
that row ends the login everywhere its cookie was copied to.

The links of a password reset and of an address change are signed with the app's SECRET_KEY (itsdangerous) and
carry the time they were made, so they expire; they also carry a fingerprint of the account as it was (address,
password hash, active), so a link works once: using it changes the account, and with it the fingerprint.
"""

import hashlib
import hmac
import re
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from flask import current_app, has_app_context
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import func, update
from sqlmodel import Session, select
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from ..core import audit, mail
from ..core.errors import DomainError, NotAllowed, NotFound
from ..models import Role, User, UserSession, utcnow
from . import addresses

MIN_PASSWORD_LENGTH = 12
MIN_PASSWORD_SCORE = 3  # zxcvbn: 3 is "safely unguessable: moderate protection from offline slow-hash attacks"
_ZXCVBN_MAX_LENGTH = 72  # zxcvbn refuses longer input; a password that long is not weak for its first 72 characters
# Compared against when the e-mail is unknown, so timing does not reveal which accounts exist.
_DUMMY_HASH = generate_password_hash("not-a-real-password", method="scrypt")


def hash_password(password: str) -> str:
    """scrypt at werkzeug's cost. A test run may set PASSWORD_HASH_METHOD to a cheaper scrypt, as Django's test
    settings do; it is not read from the environment, so no deployment can weaken it."""
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt") if has_app_context() else "scrypt"
    return generate_password_hash(password, method=method)


# Dutch words zxcvbn's English dictionaries miss, and the words of this platform: a password built on one is guessed early.
COMMON_WORDS = (
    "wachtwoord",
    "welkom",
    "geheim",
    "gemeente",
    "ambtenaar",
    "inloggen",
    "aanbesteden",
    "aanbesteding",
    "tendering",
    "lindendal",
    "zomer",
    "winter",
    "lente",
    "herfst",
    "voorjaar",
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
    "maandag",
    "dinsdag",
    "woensdag",
    "donderdag",
    "vrijdag",
    "zaterdag",
    "zondag",
    "ajax",
    "feyenoord",
    "amsterdam",
    "rotterdam",
    "utrecht",
    "denhaag",
    "nederland",
    "holland",
    "oranje",
    "koning",
    "prinses",
    "schatje",
    "liefje",
    "hallo",
    "doei",
    "voetbal",
    "fiets",
)
COMMON_PASSWORDS = frozenset(
    {
        "wachtwoord123",
        "wachtwoord1234",
        "welkom123456",
        "welkomwelkom",
        "qwertyuiop12",
        "123456789012",
        "wachtwoord01",
        "welkom01welkom",
        "geheimgeheim",
        "password1234",
        "passwordpassword",
        "aaaaaaaaaaaa",
    }
)
# A common word dressed up with digits and signs ("Welkom2026!!", "Summer2024!") is among the first guesses of any
# cracking tool, though zxcvbn scores some of them 3: refused when the letters alone are such a word.
_COMMON_BASE_WORDS = frozenset(COMMON_WORDS) | frozenset(FREQUENCY_LISTS["passwords"][:10000])


class WrongPassword(DomainError):
    """The current password given to confirm a change is not the user's."""


def password_problem(password: str, user_inputs: Iterable[str] = ()) -> str | None:
    """Why this password is refused, in the user's language, or None when it is strong enough.

    zxcvbn estimates how many guesses it takes, knowing common passwords, names, keyboard patterns, dates,
    repeats and the user's own details (`user_inputs`: e-mail address, name, organisation).
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("A password needs at least %(n)d characters.", n=MIN_PASSWORD_LENGTH)
    inputs = [part for text in user_inputs if text for part in _parts(text)]
    if password.strip().lower() in COMMON_PASSWORDS:
        return _("This password is one of the most used passwords. Choose another one.")
    if re.sub(r"[^a-z]", "", password.lower()) in _COMMON_BASE_WORDS | set(inputs):
        return _(
            "This password is a common word or your own name with digits or signs added, which is among the first "
            "things guessed. Choose another one."
        )
    if zxcvbn(password[:_ZXCVBN_MAX_LENGTH], user_inputs=[*inputs, *COMMON_WORDS])["score"] < MIN_PASSWORD_SCORE:
        return _(
            "This password is too easy to guess. Use a sentence of four or more unusual words, or a mix that is not "
            "a word, name, date or keyboard pattern, and not your name or e-mail address."
        )
    return None


def _parts(text: str) -> list[str]:
    """The text and its pieces (`sanne@buurtkracht.example` gives `sanne`, `buurtkracht`), lower case."""
    text = text.strip().lower()
    pieces = [p for p in text.replace("@", " ").replace(".", " ").replace("-", " ").split() if len(p) >= 3]
    return [text, *pieces]


def check_password(password: str, user_inputs: Iterable[str] = ()) -> None:
    problem = password_problem(password, user_inputs)
    if problem:
        raise DomainError(problem)


def create_user(
    session: Session,
    *,
    email: str,
    name: str,
    password: str | None = None,
    role: Role,
    organisation_id: int | None = None,
    password_hash: str | None = None,
) -> User:
    """A new account; give `password` (checked for strength), or `password_hash` of one checked earlier."""
    email = email.strip().lower()
    if password_hash is None:
        check_password(password or "", [email, name])
        password_hash = hash_password(password)
    if session.exec(select(User).where(User.email == email)).first():
        raise DomainError(_("An account with this e-mail address already exists."))
    if role == Role.coalition_member and organisation_id is None:
        raise DomainError(_("A coalition member belongs to an organisation."))
    user = User(
        email=email,
        name=name.strip(),
        password_hash=password_hash,
        role=role,
        organisation_id=organisation_id,
    )
    session.add(user)
    session.flush()
    return user


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == email.strip().lower())).first()


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with these credentials, or None. Success is audited here; a failure is recorded by the
    login throttle (`security.record_login_failure`), outside this transaction, with its audit event."""
    user = find_user_by_email(session, email)
    valid = check_password_hash(user.password_hash if user else _DUMMY_HASH, password)
    if user is None or not valid or not user.active:
        return None
    audit.record(session, action="login", actor=user)
    return user


def change_password(session: Session, user: User, *, current: str, new: str, keep_session_id: int | None) -> int:
    """Set a new password and end every other login of this user; the number ended is returned.

    A wrong current password raises, and changes nothing.
    """
    if not check_password_hash(user.password_hash, current):
        raise WrongPassword(_("The current password is incorrect."))
    check_password(new, [user.email, user.name])
    if check_password_hash(user.password_hash, new):
        raise DomainError(_("The new password is the same as the current one."))
    user.password_hash = hash_password(new)
    session.add(user)
    ended = end_sessions(session, user, reason="password_changed", actor=user, keep_session_id=keep_session_id)
    audit.record(session, action="password_changed", actor=user, details={"sessions_ended": ended})
    session.flush()
    return ended


# Password reset and address change by signed e-mail links ---------------------------------------------------------------

RESET_SALT = "tendering.password-reset"
EMAIL_CHANGE_SALT = "tendering.email-change"


class BadLink(DomainError):
    """A reset or confirmation link that is tampered with, expired, used, or for an account that changed since."""


def token_now() -> datetime:
    """The clock the links' age is measured by (tests move it)."""
    return utcnow()


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _fingerprint(user: User | None) -> str:
    """A keyed digest of what a link must find unchanged: address, password hash, active. The token's payload is
    readable, so it holds this digest, never anything of the hash itself."""
    state = f"{user.id}|{user.email}|{user.password_hash}|{user.active}" if user else "|none|" + _DUMMY_HASH
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, state.encode(), hashlib.sha256).hexdigest()[:32]


def _seconds(setting: str, default: int) -> int:
    return int(current_app.config.get(setting, default))


def _read_link(token: str, salt: str, max_age: int, now: datetime | None) -> dict:
    try:
        payload, signed_at = _serializer(salt).loads(token, return_timestamp=True)
    except BadSignature:
        payload, signed_at = None, None
    if not isinstance(payload, dict) or signed_at is None:
        raise BadLink(_("This link is not valid. Open the link from the e-mail exactly as it was sent."))
    if (now or token_now()) - signed_at > timedelta(seconds=max_age):
        raise BadLink(_("This link has expired. Ask for a new one."))
    return payload


def request_password_reset(session: Session, email: str, *, link: Callable[[str], str]) -> None:
    """Mail a link to choose a new password, or, to an address without an active account, a notice that
    nothing can be reset. Both take the same steps (a look-up, a signed token, one mail, one audit event), and
    the caller answers both alike, so the page tells nobody whether an address has an account."""
    email = addresses.checked(email)
    user = find_user_by_email(session, email)
    usable = user is not None and user.active
    token = _serializer(RESET_SALT).dumps({"u": user.id if usable else 0, "f": _fingerprint(user if usable else None)})
    minutes = _seconds("PASSWORD_RESET_SECONDS", 3600) // 60
    if usable:
        message = mail.compose("password_reset", name=user.name, minutes=minutes, link=link(token))
    else:
        message = mail.compose("password_reset_unknown")
    mail.queue(session, to=email, message=message)
    audit.record(
        session,
        action="password_reset_requested",
        actor=None,
        details={"email": email, "user_id": user.id if usable else None},
    )
    session.flush()


def user_for_reset(session: Session, token: str, *, now: datetime | None = None) -> User:
    """The account a reset link is for, while the link is valid: signed by us, younger than PASSWORD_RESET_SECONDS,
    the account active and unchanged since (so a used link, or one older than a password change, is refused)."""
    payload = _read_link(token, RESET_SALT, _seconds("PASSWORD_RESET_SECONDS", 3600), now)
    user = session.get(User, payload.get("u")) if isinstance(payload.get("u"), int) and payload.get("u") else None
    if user is None or not user.active or not hmac.compare_digest(str(payload.get("f", "")), _fingerprint(user)):
        raise BadLink(_("This link was used already or is no longer valid. Ask for a new one."))
    return user


def reset_password(session: Session, token: str, new: str, *, now: datetime | None = None) -> User:
    """Set the new password of the link's account and end every login it has; a bad link or a weak password
    changes nothing."""
    user = user_for_reset(session, token, now=now)
    check_password(new, [user.email, user.name])
    user.password_hash = hash_password(new)
    session.add(user)
    ended = end_sessions(session, user, reason="password_reset", actor=user)
    audit.record(session, action="password_reset", actor=user, details={"sessions_ended": ended})
    session.flush()
    return user


def request_email_change(
    session: Session,
    user: User,
    *,
    password: str,
    new_email: str,
    link: Callable[[str], str],
    account_link: str,
) -> None:
    """Mail a confirmation link to the new address and a notice to the old one; nothing changes until the link
    is used (`confirm_email_change`). An address that has an account gets a notice instead of the link, and the
    caller answers alike, so the form does not tell whether it has one."""
    if not check_password_hash(user.password_hash, password):
        raise WrongPassword(_("The current password is incorrect."))
    new = addresses.checked(new_email)
    if new == user.email:
        raise DomainError(_("This is already your e-mail address."))
    taken = find_user_by_email(session, new) is not None
    token = _serializer(EMAIL_CHANGE_SALT).dumps({"u": user.id, "new": new, "f": _fingerprint(user)})
    hours = max(1, _seconds("EMAIL_CHANGE_SECONDS", 24 * 3600) // 3600)
    if taken:
        message = mail.compose("email_change_taken")
    else:
        message = mail.compose("email_change", name=user.name, hours=hours, link=link(token))
    mail.queue(session, to=new, message=message)
    mail.queue(session, to=user.email, message=mail.compose("email_change_notice", new=new, link=account_link))
    audit.record(session, action="email_change_requested", actor=user, details={"new": new, "taken": taken})
    session.flush()


def email_change_target(session: Session, token: str, *, now: datetime | None = None) -> str:
    """The new address a valid change link is for (to show before the button); a bad link raises `BadLink`."""
    return _email_change(session, token, now)[1]


def confirm_email_change(session: Session, token: str, *, now: datetime | None = None) -> User:
    """Give the account the address the link was sent to. The link works once (the account's address is in its
    fingerprint), not after a password change or a block, and not when the address got an account since."""
    user, new = _email_change(session, token, now)
    old, user.email = user.email, new
    session.add(user)
    mail.queue(session, to=old, message=mail.compose("email_changed", new=new))
    audit.record(session, action="email_changed", actor=user, details={"old": old, "new": new})
    session.flush()
    return user


def _email_change(session: Session, token: str, now: datetime | None) -> tuple[User, str]:
    payload = _read_link(token, EMAIL_CHANGE_SALT, _seconds("EMAIL_CHANGE_SECONDS", 24 * 3600), now)
    user = session.get(User, payload.get("u")) if isinstance(payload.get("u"), int) else None
    new = payload.get("new")
    if (
        user is None
        or not isinstance(new, str)
        or not user.active
        or not hmac.compare_digest(str(payload.get("f", "")), _fingerprint(user))
    ):
        raise BadLink(_("This link was used already or is no longer valid. Ask for a new one."))
    if find_user_by_email(session, new) is not None:
        raise BadLink(_("This e-mail address belongs to another account by now; your address is not changed."))
    return user, new


# Login sessions --------------------------------------------------------------------------------------------------------


def open_sessions_filter(idle_since: datetime, started_since: datetime):
    """The condition for a session still usable: not ended, seen after `idle_since`, begun after `started_since`."""
    return (
        UserSession.ended_at.is_(None),
        UserSession.last_seen_at > idle_since,
        UserSession.created_at > started_since,
    )


def open_sessions(session: Session, user: User, *, idle_since: datetime, started_since: datetime) -> list[UserSession]:
    """The user's logins that still work, most recently used first."""
    return list(
        session.exec(
            select(UserSession)
            .where(UserSession.user_id == user.id, *open_sessions_filter(idle_since, started_since))
            .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
        ).all()
    )


def end_sessions(
    session: Session, user: User, *, reason: str, actor: User | None, keep_session_id: int | None = None
) -> int:
    """End every open login of `user` (but `keep_session_id`); the cookies of those logins stop working at once."""
    statement = (
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow(), ended_reason=reason)
        .execution_options(synchronize_session=False)
    )
    if keep_session_id is not None:
        statement = statement.where(UserSession.id != keep_session_id)
    ended = session.execute(statement).rowcount or 0
    if ended:
        audit.record(
            session,
            action="sessions_ended",
            actor=actor,
            details={"user_id": user.id, "reason": reason, "count": ended},
        )
    return ended


def end_session(session: Session, user: User, session_id: int, *, reason: str, current_session_id: int | None) -> None:
    """End one of the user's own logins, from the list of their sessions."""
    record = session.get(UserSession, session_id)
    if record is None or record.user_id != user.id:
        raise NotFound(_("This session does not exist."))
    if record.id == current_session_id:
        raise DomainError(_("This is the session you are using now: log out to end it."))
    if record.ended_at is None:
        record.ended_at, record.ended_reason = utcnow(), reason
        session.add(record)
        audit.record(session, action="session_ended", actor=user, details={"session_id": record.id, "reason": reason})
        session.flush()


# Blocking --------------------------------------------------------------------------------------------------------------


def users_with_session_counts(session: Session, *, idle_since: datetime, started_since: datetime, limit: int):
    """Every account with the number of its logins that still work, in one query, by name."""
    open_count = (
        select(UserSession.user_id, func.count(UserSession.id).label("n"))
        .where(*open_sessions_filter(idle_since, started_since))
        .group_by(UserSession.user_id)
        .subquery()
    )
    rows = session.exec(
        select(User, func.coalesce(open_count.c.n, 0))
        .outerjoin(open_count, open_count.c.user_id == User.id)
        .order_by(User.name, User.id)
        .limit(limit)
    ).all()
    return [(user, count) for user, count in rows]


def _other_user(session: Session, admin: User, user_id: int) -> User:
    if not admin.has_role(Role.admin):
        raise NotAllowed(_("Only an administrator can block or unblock accounts."))
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(_("This account does not exist."))
    if user.id == admin.id:
        raise DomainError(_("You cannot block or unblock your own account."))
    return user


def block_user(session: Session, *, admin: User, user_id: int, reason: str = "") -> User:
    """Refuse the account's logins from now on and end every login it has open."""
    user = _other_user(session, admin, user_id)
    if user.active:
        user.active = False
        session.add(user)
        ended = end_sessions(session, user, reason="blocked", actor=admin)
        audit.record(
            session,
            action="user_blocked",
            actor=admin,
            reason=reason.strip(),
            details={"user_id": user.id, "email": user.email, "sessions_ended": ended},
        )
        session.flush()
    return user


def unblock_user(session: Session, *, admin: User, user_id: int) -> User:
    user = _other_user(session, admin, user_id)
    if not user.active:
        user.active = True
        session.add(user)
        audit.record(session, action="user_unblocked", actor=admin, details={"user_id": user.id, "email": user.email})
        session.flush()
    return user
