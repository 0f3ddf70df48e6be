"""Login sessions, role checks, CSRF, security headers and login throttling."""

from functools import wraps

from flask import Flask, abort, g, request
from flask_babel import lazy_gettext as _l
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFProtect, generate_csrf
from markupsafe import Markup
from sqlalchemy import bindparam, true
from sqlmodel import select

from . import db, fragments
from .models import DataGeneration, Role, User

login_manager = LoginManager()
csrf = CSRFProtect()
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


_USER_AND_GENERATION = (
    select(User, DataGeneration.generation).outerjoin(DataGeneration, true()).where(User.id == bindparam("user_id"))
)


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    """The logged-in user, and in the same query the data generation, so it is read before any data (`fragments`)."""
    if not user_id.isdigit():
        return None
    row = db.session().exec(_USER_AND_GENERATION, params={"user_id": int(user_id)}).first()
    if row is None:
        return None
    user, g.data_generation = row[0], row[1] or 0
    return user if user.active else None


def _security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def roles_required(*roles: Role):
    """Refuse the view (403) unless the logged-in user has one of `roles`."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
