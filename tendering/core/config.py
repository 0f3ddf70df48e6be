"""Configuration read from the environment, so one build runs anywhere."""

import os
import secrets
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _amount(name: str, default: str) -> Decimal:
    """An amount in euros from the environment; a deployment with a wrong one does not start."""
    try:
        value = Decimal(os.environ.get(name, default))
    except ArithmeticError:
        value = Decimal("NaN")
    if not value.is_finite() or value < 0:
        raise ValueError(f"{name} must be an amount in euros of zero or more, such as {default}")
    return value


def from_environment(instance_path: str) -> dict:
    """Build the config dict; every setting can be overridden per deployment."""
    default_db = f"sqlite:///{Path(instance_path) / 'tendering.sqlite3'}"
    return {
        "SECRET_KEY": os.environ.get("SECRET_KEY") or _instance_secret(instance_path),
        "DATABASE_URL": os.environ.get("DATABASE_URL", default_db),
        "UPLOAD_DIR": os.environ.get("UPLOAD_DIR", str(Path(instance_path) / "uploads")),
        "REDIS_URL": os.environ.get("REDIS_URL"),
        "WORKFLOWS_DIR": os.environ.get("WORKFLOWS_DIR", str(ROOT / "workflows")),
        "DISPLAY_TIMEZONE": os.environ.get("DISPLAY_TIMEZONE", "Europe/Amsterdam"),
        "BABEL_DEFAULT_LOCALE": "nl",
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("DISPLAY_TIMEZONE", "Europe/Amsterdam"),
        "LANGUAGES": ("nl", "en"),
        "SESSION_COOKIE_SECURE": _flag("SESSION_COOKIE_SECURE", True),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _flag("SESSION_COOKIE_SECURE", True),
        "REMEMBER_COOKIE_HTTPONLY": True,
        # How many reverse proxies in front of the app set X-Forwarded-For and -Proto (0: trust none of them).
        "PROXY_COUNT": int(os.environ.get("PROXY_COUNT", 0)),
        # Login sessions: ended after this long unused, and after this long at all.
        "SESSION_IDLE_MINUTES": int(os.environ.get("SESSION_IDLE_MINUTES", 8 * 60)),
        "SESSION_MAX_DAYS": int(os.environ.get("SESSION_MAX_DAYS", 14)),
        # Login throttle (failures only, shared through the database): free failures per account and device cookie,
        # per client address, over this window; then each attempt waits twice as long, from the base up to the cap.
        "LOGIN_FREE_FAILURES": int(os.environ.get("LOGIN_FREE_FAILURES", 5)),
        "LOGIN_ADDRESS_FREE_FAILURES": int(os.environ.get("LOGIN_ADDRESS_FREE_FAILURES", 100)),
        "LOGIN_FAILURE_WINDOW_SECONDS": int(os.environ.get("LOGIN_FAILURE_WINDOW_SECONDS", 3600)),
        "LOGIN_BACKOFF_SECONDS": int(os.environ.get("LOGIN_BACKOFF_SECONDS", 30)),
        "LOGIN_BACKOFF_MAX_SECONDS": int(os.environ.get("LOGIN_BACKOFF_MAX_SECONDS", 900)),
        "DEVICE_COOKIE_DAYS": int(os.environ.get("DEVICE_COOKIE_DAYS", 180)),
        # How long the mailed links to choose a new password and to confirm a changed e-mail address work.
        "PASSWORD_RESET_SECONDS": int(os.environ.get("PASSWORD_RESET_SECONDS", 3600)),
        "EMAIL_CHANGE_SECONDS": int(os.environ.get("EMAIL_CHANGE_SECONDS", 24 * 3600)),
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_CONTENT_LENGTH", 50 * 1024 * 1024)),
        "WTF_CSRF_TIME_LIMIT": None,
        # Rendered page bodies kept per worker (see `fragments`): how many, and for how long at most.
        "FRAGMENT_CACHE_ENTRIES": int(os.environ.get("FRAGMENT_CACHE_ENTRIES", 500)),
        "FRAGMENT_CACHE_SECONDS": int(os.environ.get("FRAGMENT_CACHE_SECONDS", 300)),
        # With REDIS_URL the bodies are shared in Redis under this prefix (default: one derived from SECRET_KEY).
        "FRAGMENT_CACHE_PREFIX": os.environ.get("FRAGMENT_CACHE_PREFIX"),
        "CASES_PER_OFFICIAL": int(os.environ.get("CASES_PER_OFFICIAL", 6)),
        "PAYMENT_FOUR_EYES_ABOVE": _amount("PAYMENT_FOUR_EYES_ABOVE", "25000"),
        # Single sign-on for officials and council members (`parties.sso`); without OIDC_ISSUER it is off.
        "OIDC_ISSUER": os.environ.get("OIDC_ISSUER", ""),
        "OIDC_CLIENT_ID": os.environ.get("OIDC_CLIENT_ID", ""),
        "OIDC_CLIENT_SECRET": os.environ.get("OIDC_CLIENT_SECRET", ""),
        "OIDC_ROLE_CLAIM": os.environ.get("OIDC_ROLE_CLAIM", "roles"),
        "OIDC_ROLE_MAP": os.environ.get("OIDC_ROLE_MAP", ""),
        "OIDC_LABEL": os.environ.get("OIDC_LABEL", ""),
        "OIDC_MFA_ACR": os.environ.get("OIDC_MFA_ACR", ""),
        # Second factor (`parties.second_factor`): the key its secrets are encrypted with (default: from SECRET_KEY),
        # and whether the four-eyes opening of the tender box needs it of both officials.
        "SECOND_FACTOR_KEY": os.environ.get("SECOND_FACTOR_KEY", ""),
        "REQUIRE_SECOND_FACTOR_FOR_OPENING": _flag("REQUIRE_SECOND_FACTOR_FOR_OPENING", False),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER"),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", 25)),
        "MAIL_USE_TLS": _flag("MAIL_USE_TLS", False),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME"),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD"),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "noreply@tendering.invalid"),
        # Notifications (`notifications`): days before a deadline that reminders go out, the hour (Europe/Amsterdam)
        # of the daily digest, and how often (minutes) the reminder job looks for reminders due.
        "REMINDER_DAYS": os.environ.get("REMINDER_DAYS", "7,2,1"),
        "DIGEST_HOUR": int(os.environ.get("DIGEST_HOUR", 7)),
        "REMINDER_INTERVAL_MINUTES": int(os.environ.get("REMINDER_INTERVAL_MINUTES", 15)),
        # Open data: the municipality as publisher, its registered OCDS prefix, and where the site is reached.
        "MUNICIPALITY_NAME": os.environ.get("MUNICIPALITY_NAME", "Gemeente"),
        "OCDS_PREFIX": os.environ.get("OCDS_PREFIX", "ocds-tndrng"),
        "PUBLIC_URL": os.environ.get("PUBLIC_URL", "http://localhost:5000/"),
    }


def _instance_secret(instance_path: str) -> str:
    """A per-installation secret kept in the instance folder, made on first start.

    Generating one at every start would log everybody out on each restart and
    break sessions shared by several gunicorn workers.
    """
    path = Path(instance_path) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
