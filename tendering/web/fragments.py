"""Rendered page bodies, kept until the data or the clock changes them.

The pages read most (the outcome monitor, the tender board, a case, a
coalition's indicators) cost tens of queries' worth of work to build and far
less to serve once built. A body is cached under the data generation, the
counter that every writing transaction bumps before it commits (see `db`): a
commit makes every older body unreachable, so nothing stale is served after a
change. A write that changes only rows of a known scope (a measurement: its
case, its coalition, the monitor; see `generations`) bumps those scopes
instead, and a body names the scopes it shows besides. What changes with time
alone (a deadline passing, a new day for the monitor's statuses) is the
caller's `until`: the body expires at that moment.

The layout around a body (the user's name, the logout form, flash messages) is
rendered on every request. A body's forms carry a placeholder where the CSRF
token goes, filled in per request, so a cached body never holds anyone's token.
With REDIS_URL set, every worker on every machine shares one cache in Redis,
and a body missing from it is built by one worker while the others wait for it
(a lock per key); without, each worker keeps its own, bounded in entries
(FRAGMENT_CACHE_ENTRIES, 0 turns caching off). Either way a body lives at most
FRAGMENT_CACHE_SECONDS.
"""

import hashlib
import hmac
import math
from collections.abc import Callable, Hashable
from contextlib import contextmanager, nullcontext, suppress
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import TypeVar

from cachelib import NullCache, RedisCache, SimpleCache
from flask import Flask, current_app, g
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from redis.exceptions import RedisError
from sqlalchemy import select

from ..core import db, generations
from ..models import DataGeneration, utcnow

EXTENSION = "tendering.fragments"
T = TypeVar("T")


BUILD_LOCK_SECONDS = 5  # how long other workers wait for the one building a body, before they build it too


class SharedCache(RedisCache):
    """The cache in Redis, shared by every worker. With Redis unreachable, pages are built as if nothing were
    cached, and said so in the log: slower, never an error page."""

    def get(self, key):
        return self._or_none(lambda: super(SharedCache, self).get(key))

    def get_many(self, *keys):
        return self._or_none(lambda: super(SharedCache, self).get_many(*keys)) or [None] * len(keys)

    def set(self, key, value, timeout=None):
        return self._or_none(lambda: super(SharedCache, self).set(key, value, timeout))

    @contextmanager
    def building(self, key: str):
        """One builder per key at a time; a worker that waited in vain builds it anyway."""
        lock = self._write_client.lock(
            f"{self.key_prefix}{key}:building", timeout=BUILD_LOCK_SECONDS, blocking_timeout=BUILD_LOCK_SECONDS
        )
        acquired = self._or_none(lock.acquire)
        try:
            yield
        finally:
            if acquired:
                with suppress(RedisError):  # LockError too: held past its timeout, another builder may have it
                    lock.release()

    @staticmethod
    def _or_none(call):
        try:
            return call()
        except RedisError:
            current_app.logger.warning("the shared page cache in Redis is unreachable", exc_info=True)
            return None


def init_app(app: Flask) -> None:
    entries, redis_url = app.config["FRAGMENT_CACHE_ENTRIES"], app.config.get("REDIS_URL")
    if not entries:
        app.extensions[EXTENSION] = NullCache()
    elif redis_url:
        import redis

        # The prefix tells deployments sharing one Redis apart: each has its own secret key.
        prefix = app.config.get("FRAGMENT_CACHE_PREFIX") or _deployment_prefix(app.config["SECRET_KEY"])
        client = redis.Redis.from_url(redis_url, socket_timeout=2, socket_connect_timeout=2)
        app.extensions[EXTENSION] = SharedCache(host=client, key_prefix=prefix, default_timeout=0)
    else:
        app.extensions[EXTENSION] = SimpleCache(threshold=entries, default_timeout=0)


def _deployment_prefix(secret: str) -> str:
    return "fragments:" + hmac.new(secret.encode(), b"fragment cache prefix", hashlib.sha256).hexdigest()[:16] + ":"


def _building(cache, key: str):
    return cache.building(key) if isinstance(cache, SharedCache) else nullcontext()


def generation() -> int:
    """The data generation this request reads; read once and before any data (the user loader reads it
    with the user), so a body is never older than its key."""
    if "data_generation" not in g:
        g.data_generation = db.session().exec(select(DataGeneration.generation)).first() or 0
    return g.data_generation


def scope_generations(scopes: tuple[str, ...]) -> tuple[int, ...]:
    """The generations of `scopes` this request reads, each read once, and before the rows they cover."""
    known = g.setdefault("scope_generations", {})
    if missing := [scope for scope in scopes if scope not in known]:
        known.update(generations.read(db.session(), missing))
    return tuple(known[scope] for scope in scopes)


def cached(
    name: str,
    key: tuple[Hashable, ...],
    render: Callable[[], tuple[str, datetime | None]],
    scopes: tuple[str, ...] = (),
) -> Markup:
    """The body `render` makes for `key`, from the cache when this generation already made it.

    `key` holds everything the body depends on besides the data: the viewer's
    role or id where it matters, the filters, the day. `scopes` names the parts
    of the data it shows whose writes do not move the data generation (see
    `generations`). `render` gives the body and the moment it changes with
    time alone (None: not before the cache's longest age).
    """

    def rendered():
        g.rendering_fragment = True
        try:
            return render()
        finally:
            g.rendering_fragment = False

    body, placeholder = remember(name, key, rendered, scopes), csrf_placeholder()
    if placeholder in body:  # a body without forms leaves the session alone: no token, no cookie
        body = body.replace(placeholder, generate_csrf())
    return Markup(body)


def remember(
    name: str,
    key: tuple[Hashable, ...],
    compute: Callable[[], tuple[T, datetime | None]],
    scopes: tuple[str, ...] = (),
) -> T:
    """A value computed from the data (a body, or counts shared by many bodies), kept like a body."""
    cache = current_app.extensions[EXTENSION]
    cache_key = _key(name, key, scopes)
    value = cache.get(cache_key)
    if value is None:
        with _building(cache, cache_key):
            value = cache.get(cache_key)  # built by another worker while this one waited
            if value is None:
                value, until = compute()
                cache.set(cache_key, value, timeout=_seconds_left(until))
    return value


def cached_each(
    name: str,
    keys: list[tuple[Hashable, ...]],
    scopes: list[tuple[str, ...]],
    render: Callable[[list[int]], list[str]],
    until: datetime | None,
) -> list[Markup]:
    """Bodies without forms kept one by one (the cards of a page), so that one write redraws one of them:
    `render(positions)` draws those of `keys` not in the cache, all at once. Each key has its own scopes."""
    cache = current_app.extensions[EXTENSION]
    scope_generations(tuple(scope for own in scopes for scope in own))  # one query for all of them
    cache_keys = [_key(name, key, own) for key, own in zip(keys, scopes, strict=True)]
    bodies = cache.get_many(*cache_keys) if cache_keys else []
    if missing := [position for position, body in enumerate(bodies) if body is None]:
        for position, body in zip(missing, render(missing), strict=True):
            cache.set(cache_keys[position], body, timeout=_seconds_left(until))
            bodies[position] = body
    return [Markup(body) for body in bodies]


def _key(name: str, key: tuple[Hashable, ...], scopes: tuple[str, ...]) -> str:
    """Where a value is kept: its name and key under the generations it was built from, in the reader's language."""
    return f"{name}:{generation()}:{scope_generations(scopes)}:{get_locale()}:{key!r}"


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
