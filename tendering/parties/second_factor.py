"""An optional second factor for logging in: a TOTP authenticator app (RFC 6238, `pyotp`) and recovery codes.

- Enrolling makes a secret that is shown (as text and as a QR code) only until it is confirmed with a code
  from the app; from then on it is never shown again. It is stored encrypted (Fernet, with SECOND_FACTOR_KEY
  or a key derived from SECRET_KEY) and never logged.
- Confirming gives ten one-time recovery codes, shown once; only their SHA-256 is stored (they are random
  60-bit codes, so a slow hash adds nothing).
- A code is accepted once: the time step of the last accepted code is kept, and a code of that step or an
  earlier one is refused, also when two requests race (one conditional UPDATE).
- Each login session notes how it passed a second factor (`UserSession.second_factor`): "totp",
  "recovery_code", or "identity_provider" when single sign-on's provider said it did (`parties.sso`).
- With REQUIRE_SECOND_FACTOR_FOR_OPENING each official who requests or confirms the four-eyes opening of
  the tender box must have passed a second factor in the session they do it with (`require_for_opening`).
"""

import base64
import hashlib
import hmac
import secrets
import string
import time
from datetime import datetime, timedelta

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import delete, or_, update
from sqlmodel import Session, select

from ..core import audit
from ..core.errors import DomainError
from ..models import RecoveryCode, Role, SecondFactor, User, UserSession, utcnow

ROLES = (Role.official, Role.council_member)  # who may enrol (the access policy says the same)
RECOVERY_CODES = 10
TOTP = "totp"
RECOVERY_CODE = "recovery_code"
IDENTITY_PROVIDER = "identity_provider"
PASSED = (TOTP, RECOVERY_CODE, IDENTITY_PROVIDER)
_INTERVAL = 30
_ASCII_ALNUM = frozenset(string.ascii_lowercase + string.digits)
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread


class WrongCode(DomainError):
    """The code typed is not a valid, unused code of the user's second factor."""


# The secret, encrypted -------------------------------------------------------------------------------------------------


def _fernet() -> Fernet:
    configured = current_app.config.get("SECOND_FACTOR_KEY") or ""
    if configured:
        return Fernet(configured.encode())
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"tendering-second-factor").derive(
        current_app.secret_key.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def _secret_of(factor: SecondFactor) -> str:
    try:
        return _fernet().decrypt(factor.secret_encrypted.encode()).decode()
    except InvalidToken:  # the key changed: the factor cannot be checked; recovery codes still work
        current_app.logger.error(
            "the second factor of user %s cannot be decrypted with the current key", factor.user_id
        )
        return ""


# Reading ---------------------------------------------------------------------------------------------------------------


def factor_of(session: Session, user: User) -> SecondFactor | None:
    return session.exec(select(SecondFactor).where(SecondFactor.user_id == user.id)).first()


def is_active(session: Session, user: User) -> bool:
    factor = factor_of(session, user)
    return factor is not None and factor.confirmed_at is not None


def pending_secret(session: Session, user: User) -> str | None:
    """The secret of an enrolment not yet confirmed, for the page that shows it; never once it is active."""
    factor = factor_of(session, user)
    if factor is None or factor.confirmed_at is not None:
        return None
    return _secret_of(factor) or None


def provisioning_uri(user: User, secret: str) -> str:
    issuer = f"{current_app.config['MUNICIPALITY_NAME']} tendering"
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=issuer)


def qr_svg(uri: str) -> Markup:
    """The otpauth URI as an inline SVG QR code (no script, no image from elsewhere)."""
    svg = segno.make(uri, error="m").svg_inline(scale=5, dark="#000", light="#fff", title=_("QR code of the secret"))
    return Markup(svg)


def remaining_recovery_codes(session: Session, user: User) -> int:
    return len(
        session.exec(
            select(RecoveryCode.id).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        ).all()
    )


# Enrolling and switching off ---------------------------------------------------------------------------------------------


def _require_role(user: User) -> None:
    if user.role not in ROLES:
        raise DomainError(_("Only officials and council members can set up a second factor."))


# Setting up a second factor takes a login of the last few minutes: a session left open (or stolen) cannot put
# another person's authenticator on the account and lock its owner out.
RECENT_LOGIN = timedelta(minutes=10)


def start_enrolment(session: Session, user: User, *, logged_in_at: datetime | None, now: datetime | None = None) -> str:
    """A new secret, waiting for its first code; an earlier unconfirmed one is replaced."""
    _require_role(user)
    if logged_in_at is None or (now or utcnow()) - logged_in_at > RECENT_LOGIN:
        raise DomainError(
            _("To set up a second factor, log out and log in again first: it takes a login of the last 10 minutes.")
        )
    factor = factor_of(session, user)
    if factor is not None and factor.confirmed_at is not None:
        raise DomainError(_("Your second factor is already on. Switch it off first to set up another one."))
    secret = pyotp.random_base32()
    encrypted = _fernet().encrypt(secret.encode()).decode()
    if factor is None:
        factor = SecondFactor(user_id=user.id, secret_encrypted=encrypted)
    else:
        factor.secret_encrypted, factor.created_at, factor.last_used_step = encrypted, utcnow(), None
    session.add(factor)
    audit.record(session, action="second_factor_enrolment_started", actor=user)
    session.flush()
    return secret


def confirm_enrolment(session: Session, user: User, code: str) -> list[str]:
    """Switch the factor on when `code` comes from it; returns the recovery codes, shown to the user once."""
    _require_role(user)
    factor = factor_of(session, user)
    if factor is None or factor.confirmed_at is not None:
        raise DomainError(_("There is no second factor waiting to be confirmed. Start again."))
    _use_totp(session, factor, code)
    factor.confirmed_at = utcnow()
    session.add(factor)
    codes = _new_recovery_codes(session, user)
    audit.record(session, action="second_factor_enabled", actor=user)
    session.flush()
    return codes


def disable(session: Session, user: User, code: str) -> None:
    """Switch the factor off; it takes a current code (or a recovery code), so a session left open cannot."""
    factor = factor_of(session, user)
    if factor is None or factor.confirmed_at is None:
        raise DomainError(_("You have no second factor switched on."))
    verify(session, user, code)
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    session.delete(factor)
    audit.record(session, action="second_factor_disabled", actor=user)
    session.flush()


def _new_recovery_codes(session: Session, user: User) -> list[str]:
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _n in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _c in range(12))
        codes.append(f"{raw[:4]}-{raw[4:8]}-{raw[8:]}")
    session.add_all(RecoveryCode(user_id=user.id, code_sha256=_code_hash(code)) for code in codes)
    return codes


def _code_hash(code: str) -> str:
    return hashlib.sha256(_normalised(code).encode()).hexdigest()


def _normalised(code: str) -> str:
    """Lower case ASCII letters and digits only: spaces and dashes go; other scripts' digits are no code."""
    return "".join(ch for ch in (code or "").lower() if ch in _ASCII_ALNUM)


# Checking a code --------------------------------------------------------------------------------------------------------


def verify(session: Session, user: User, code: str) -> str:
    """Accept a current TOTP code or an unused recovery code of the user's active factor, once; returns which
    (TOTP or RECOVERY_CODE). Anything else raises WrongCode and changes nothing."""
    factor = factor_of(session, user)
    if factor is None or factor.confirmed_at is None:
        raise WrongCode(_("The code is not correct."))
    digits = _normalised(code)
    if digits.isdigit():
        _use_totp(session, factor, digits)
        return TOTP
    used = session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_sha256 == _code_hash(digits),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if not used:
        raise WrongCode(_("The code is not correct."))
    audit.record(
        session, action="recovery_code_used", actor=user, details={"left": remaining_recovery_codes(session, user)}
    )
    return RECOVERY_CODE


def _use_totp(session: Session, factor: SecondFactor, code: str) -> None:
    """A code of the previous, the current or the next 30-second step (clocks drift), newer than the last used."""
    code = _normalised(code)
    secret = _secret_of(factor)
    if not secret or len(code) != 6 or not code.isdigit():
        raise WrongCode(_("The code is not correct."))
    totp = pyotp.TOTP(secret, interval=_INTERVAL)
    now = int(time.time()) // _INTERVAL
    step = next((s for s in (now - 1, now, now + 1) if hmac.compare_digest(totp.at(s * _INTERVAL), code)), None)
    if step is None:
        raise WrongCode(_("The code is not correct."))
    table = SecondFactor.__table__
    taken = session.execute(
        update(SecondFactor)
        .where(table.c.id == factor.id, or_(table.c.last_used_step.is_(None), table.c.last_used_step < step))
        .values(last_used_step=step)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not taken:
        raise WrongCode(_("This code was used already. Wait for the next code of your app."))
    factor.last_used_step = step


# Sessions and the tender box ------------------------------------------------------------------------------------------


def mark_session(session: Session, record: UserSession, how: str) -> None:
    """Note on a login session that it passed a second factor, and how."""
    record.second_factor = how
    session.add(record)
    session.flush()


def session_passed(session: Session, user: User) -> bool:
    """The login session `user` was loaded for (`web.security`) passed a second factor."""
    session_id = user.__dict__.get("_session_id")
    if session_id is None:
        return False
    how = session.exec(select(UserSession.second_factor).where(UserSession.id == session_id)).first()
    return how in PASSED


def require_for_opening(session: Session, actor: User) -> None:
    """With REQUIRE_SECOND_FACTOR_FOR_OPENING, an official requests or confirms the four-eyes opening only in a
    session that passed a second factor (an authenticator code, or the identity provider's own). Both officials
    of an opening do one of the two steps each, so both have passed one."""
    if not current_app.config.get("REQUIRE_SECOND_FACTOR_FOR_OPENING"):
        return
    if session_passed(session, actor):
        return
    if is_active(session, actor):
        raise DomainError(
            _(
                "Opening the tender box needs a second factor, and this login did not use one. Log out and log in "
                "again with the code of your authenticator app."
            )
        )
    raise DomainError(
        _(
            "Opening the tender box needs a second factor: both officials must have one switched on and have "
            "logged in with it. Set one up on your account page (Second factor), then log in again."
        )
    )
