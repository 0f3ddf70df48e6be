"""Accounts: creation and authentication. Passwords are hashed with scrypt."""

from flask_babel import gettext as _
from sqlmodel import Session, select
from werkzeug.security import check_password_hash, generate_password_hash

from . import audit
from .errors import DomainError
from .models import Role, User

MIN_PASSWORD_LENGTH = 12
# Compared against when the e-mail is unknown, so timing does not reveal which accounts exist.
_DUMMY_HASH = generate_password_hash("not-a-real-password", method="scrypt")


def create_user(
    session: Session,
    *,
    email: str,
    name: str,
    password: str,
    role: Role,
    organisation_id: int | None = None,
) -> User:
    email = email.strip().lower()
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(_("A password needs at least %(n)d characters.", n=MIN_PASSWORD_LENGTH))
    if session.exec(select(User).where(User.email == email)).first():
        raise DomainError(_("An account with this e-mail address already exists."))
    if role == Role.coalition_member and organisation_id is None:
        raise DomainError(_("A coalition member belongs to an organisation."))
    user = User(
        email=email,
        name=name.strip(),
        password_hash=generate_password_hash(password, method="scrypt"),
        role=role,
        organisation_id=organisation_id,
    )
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with these credentials, or None; every attempt is audited."""
    user = session.exec(select(User).where(User.email == email.strip().lower())).first()
    valid = check_password_hash(user.password_hash if user else _DUMMY_HASH, password)
    if user is None or not valid or not user.active:
        audit.record(session, action="login_failed", actor=None, details={"email": email.strip().lower()[:254]})
        return None
    audit.record(session, action="login", actor=user)
    return user
