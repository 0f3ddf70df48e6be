"""Refused reads of sealed data, handled in one place (EU 2014/24 Annex IV (g)).

Every view that shows sealed data checks roles with `sealed_read` and refuses
objects through `refuse_read`, so an attempt is logged whoever makes it: a
rival coalition, an official who is not authorised, or a visitor who is not
logged in (who is then sent to the login page, as any visitor is).
"""

from functools import wraps

from flask import abort, request
from flask_login import current_user
from sqlmodel import Session

from .. import db, tender_box
from ..models import Case, Role
from ..security import login_manager


def refuse_read(session: Session, *, what: str, case: Case | None = None, **details):
    """Log the refused read in a transaction of its own, then answer 403."""
    session.rollback()
    tender_box.refuse(session, current_user, what=what, case=case, path=request.path, **details)
    db.commit()
    abort(403)


def sealed_read(what: str, *roles: Role):
    """`roles_required` for a view of sealed data (any logged-in user when no roles are named):
    a visitor who is not logged in, or a user of another role, is logged as a refused reader
    before being sent to log in or refused."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated or (roles and current_user.role not in roles):
                session = db.session()
                tender_box.refuse(session, current_user, what=what, path=request.path, **kwargs)
                db.commit()
                if not current_user.is_authenticated:
                    return login_manager.unauthorized()
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
