"""Rendered page bodies, kept until the data or the clock changes them.

The pages read most (the outcome monitor, the tender board, a case, a
coalition's indicators) cost tens of queries' worth of work to build and far
less to serve once built. A body is cached under the data generation, the
counter that every writing transaction bumps before it commits (see `db`): a
commit makes every older body unreachable, so nothing stale is served after a
change. What changes with time alone (a deadline passing, a new day for the
monitor's statuses) is the caller's `until`: the body expires at that moment.

The layout around a body (the user's name, the logout form, flash messages) is
rendered on every request. A body's forms carry a placeholder where the CSRF
token goes, filled in per request, so a cached body never holds anyone's token.
Each worker keeps its own cache, bounded in entries (FRAGMENT_CACHE_ENTRIES,
0 turns caching off) and in age (FRAGMENT_CACHE_SECONDS).
"""

import hashlib
import hmac
import math
from collections.abc import Callable, Hashable
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import TypeVar

from cachelib import NullCache, SimpleCache
from flask import Flask, current_app, g
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy import select

from ..core import db
from ..models import DataGeneration, utcnow

EXTENSION = "tendering.fragments"
T = TypeVar("T")


def init_app(app: Flask) -> None:
    entries = app.config["FRAGMENT_CACHE_ENTRIES"]
    app.extensions[EXTENSION] = SimpleCache(threshold=entries, default_timeout=0) if entries else NullCache()


def generation() -> int:
    """The data generation this request reads; read once and before any data (the user loader reads it
    with the user), so a body is never older than its key."""
    if "data_generation" not in g:
        g.data_generation = db.session().exec(select(DataGeneration.generation)).first() or 0
    return g.data_generation


def cached(name: str, key: tuple[Hashable, ...], render: Callable[[], tuple[str, datetime | None]]) -> Markup:
    """The body `render` makes for `key`, from the cache when this generation already made it.

    `key` holds everything the body depends on besides the data: the viewer's
    role or id where it matters, the filters, the day. `render` gives the body
    and the moment it changes with time alone (None: not before the cache's
    longest age).
    """

    def rendered():
        g.rendering_fragment = True
        try:
            return render()
        finally:
            g.rendering_fragment = False

    body, placeholder = remember(name, key, rendered), csrf_placeholder()
    if placeholder in body:  # a body without forms leaves the session alone: no token, no cookie
        body = body.replace(placeholder, generate_csrf())
    return Markup(body)


def remember(name: str, key: tuple[Hashable, ...], compute: Callable[[], tuple[T, datetime | None]]) -> T:
    """A value computed from the data (a body, or counts shared by many bodies), kept like a body."""
    cache = current_app.extensions[EXTENSION]
    cache_key = f"{name}:{generation()}:{get_locale()}:{key!r}"
    value = cache.get(cache_key)
    if value is None:
        value, until = compute()
        cache.set(cache_key, value, timeout=_seconds_left(until))
    return value


def csrf_placeholder() -> str:
    """A marker no user can guess, so no typed text is ever mistaken for it."""
    return _placeholder(current_app.config["SECRET_KEY"])


@lru_cache(maxsize=8)
def _placeholder(secret: str) -> str:
    return "csrf-" + hmac.new(secret.encode(), b"fragment csrf placeholder", hashlib.sha256).hexdigest()[:32]


def rendering_fragment() -> bool:
    return g.get("rendering_fragment", False)


def _seconds_left(until: datetime | None) -> int:
    longest = current_app.config["FRAGMENT_CACHE_SECONDS"]
    if until is None:
        return longest
    return max(1, min(longest, math.ceil((until - utcnow()).total_seconds())))


def next_day(today: date) -> datetime:
    """Midnight after `today` (a UTC date, as the monitoring rules use): when statuses such as overdue move on."""
    return datetime.combine(today + timedelta(days=1), time(), tzinfo=UTC)
