"""Telling people: a notification per recipient, in their language, mailed at once or kept for the daily digest.

`notify` is called by the service that does the thing, inside its transaction: the inbox rows and the outbox
messages are committed with the event or not at all. Each recipient's preference for the kind decides: mailed
at once (the default), kept for the digest, or not at all ("off"; never for a mandatory kind). The mail's text
comes from `templates/mail/<template>.txt` (its `subject` and body), rendered in the recipient's language, and its
HTML from `templates/mail/notification.html`; every mail one may refuse carries a signed one-click unsubscribe link.

Addresses without an account (an organisation's contact address) get the mail in the mail's default language
and no inbox row: there is nobody to hold preferences.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from flask import current_app, has_request_context, render_template, url_for
from flask_babel import force_locale
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import update
from sqlmodel import Session, select

from ..core import mail
from ..models import Case, Notification, NotificationPreference, User, utcnow
from .kinds import DIGEST, IMMEDIATELY, KINDS, OFF, Kind

UNSUBSCRIBE_SALT = "notifications-unsubscribe"
ALL_DIGEST = "digest"  # the kind named by a digest's unsubscribe link: every kind that waits for the digest


@dataclass
class Item:
    """One thing to tell: a kind, a template with its context, to users (and addresses without an account)."""

    kind: Kind
    template: str
    context: dict
    users: list[User]
    case: Case | None = None
    addresses: Iterable[str] = ()
    default_locale: str | None = None  # the language when the recipient chose none (a letter's document language)
    sealed: bool | None = None  # None: the kind's
    link: str = ""
    case_id: int | None = None  # when no Case object is at hand
    notifications: list[Notification] = field(default_factory=list)

    @property
    def about_case(self) -> int | None:
        return self.case.id if self.case is not None else self.case_id


@contextmanager
def site_links() -> Iterator[None]:
    """Outside a request (a job, the CLI), build links to the site against PUBLIC_URL."""
    if has_request_context():
        yield
        return
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
        yield


def link_to(endpoint: str, **values) -> str:
    """An absolute link to a page of the site, also outside a request."""
    with site_links():
        return url_for(endpoint, _external=True, **values)


def locale_of(user: User | None, default_locale: str | None = None) -> str:
    """The user's chosen language, else the mail's default, else the install's."""
    languages = current_app.config["LANGUAGES"]
    if user is not None and user.language in languages:
        return user.language
    return default_locale or current_app.config["BABEL_DEFAULT_LOCALE"]


def preferences(session: Session, user_ids: Iterable[int]) -> dict[tuple[int, str], str]:
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    rows = session.exec(select(NotificationPreference).where(NotificationPreference.user_id.in_(ids))).all()
    return {(row.user_id, row.kind): row.mode for row in rows}


def mode_for(prefs: dict[tuple[int, str], str], user_id: int, kind: Kind) -> str:
    if KINDS[kind].mandatory:
        return IMMEDIATELY
    return prefs.get((user_id, kind.value), IMMEDIATELY)


def notify(
    session: Session,
    kind: Kind,
    *,
    users: Iterable[User],
    template: str,
    context: dict,
    case: Case | None = None,
    addresses: Iterable[str] = (),
    default_locale: str | None = None,
    sealed: bool | None = None,
    link: str | None = None,
) -> list[Notification]:
    """Tell `users` (and `addresses` without an account) about one event; returns the inbox rows made.

    For a sealed kind the caller passes only the members of the coalition concerned."""
    item = Item(
        kind,
        template,
        context,
        list(users),
        case,
        addresses,
        default_locale,
        sealed,
        link if link is not None else str(context.get("link", "")),
    )
    deliver(session, [item])
    return item.notifications


def deliver(session: Session, items: list[Item]) -> None:
    """Several notifications at once: one query for every recipient's preferences, one update of unread counts."""
    now = utcnow()
    prefs = preferences(session, (u.id for item in items for u in item.users))
    unread: Counter[int] = Counter()
    with site_links():
        for item in items:
            _deliver_one(session, item, prefs, unread, now)
    _bump_unread(session, unread)


def _deliver_one(session: Session, item: Item, prefs, unread: Counter, now) -> None:
    info = KINDS[item.kind]
    sealed = info.sealed if item.sealed is None else item.sealed
    composed: dict[str, mail.Composed] = {}

    def compose_in(locale: str) -> mail.Composed:
        if locale not in composed:
            with force_locale(locale):
                composed[locale] = mail.compose(item.template, **item.context)
        return composed[locale]

    seen: set[int] = set()
    user_addresses = set()
    for user in item.users:
        if user.id in seen or not user.active:
            continue
        seen.add(user.id)
        user_addresses.add(user.email.lower())
        mode = mode_for(prefs, user.id, item.kind)
        if mode == OFF:
            continue
        locale = locale_of(user, item.default_locale)
        message = compose_in(locale)
        row = Notification(
            user_id=user.id,
            kind=item.kind.value,
            case_id=item.about_case,
            subject=message.subject[:300],
            text=message.body,
            link=item.link[:500],
            created_at=now,
            sealed=sealed,
            digest=mode == DIGEST,
        )
        if mode == IMMEDIATELY:
            row.mailed_at = now
            unsubscribe = "" if info.mandatory else unsubscribe_url(user, item.kind.value)
            mail.queue(
                session,
                to=user.email,
                message=_with_html(message, locale, link=item.link, unsubscribe=unsubscribe),
                case_id=row.case_id,
                sealed=sealed,
                unsubscribe_url=unsubscribe,
            )
        session.add(row)
        item.notifications.append(row)
        unread[user.id] += 1
    for address in sorted({a for a in item.addresses if a and a.lower() not in user_addresses}):
        locale = locale_of(None, item.default_locale)
        message = _with_html(compose_in(locale), locale, link=item.link, unsubscribe="")
        mail.queue(session, to=address, message=message, case_id=item.about_case, sealed=sealed)


def _with_html(message: mail.Composed, locale: str, *, link: str, unsubscribe: str) -> mail.Composed:
    """The text with, for mail one may refuse, how to refuse it; and the same as HTML from its template."""
    with force_locale(locale):
        html = render_template(
            "mail/notification.html",
            lang=locale,
            subject=message.subject,
            body=message.body,
            link=link,
            unsubscribe_url=unsubscribe,
        )
        text = message.body
        if unsubscribe:
            text += "\n\n-- \n" + render_template("mail/_unsubscribe.txt", unsubscribe_url=unsubscribe).strip()
    return mail.Composed(message.subject, text, html=html)


def _bump_unread(session: Session, unread: Counter) -> None:
    by_count: dict[int, list[int]] = defaultdict(list)
    for user_id, count in unread.items():
        by_count[count].append(user_id)
    for count, user_ids in sorted(by_count.items()):
        session.exec(
            update(User)
            .where(User.id.in_(user_ids))
            .values(unread_notifications=User.unread_notifications + count)
            .execution_options(synchronize_session=False, changes_nothing=True)  # the header's count: never cached
        )


# One-click unsubscribe ---------------------------------------------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT)


def unsubscribe_token(user: User, kind: str) -> str:
    return _serializer().dumps({"u": user.id, "k": kind})


def unsubscribe_url(user: User, kind: str) -> str:
    return url_for("notifications.unsubscribe", token=unsubscribe_token(user, kind), _external=True)


@dataclass(frozen=True)
class Unsubscription:
    user: User
    kinds: list[Kind]  # what the link turns off
    digest: bool  # the link of a digest: every kind that waits for it


def read_unsubscribe_token(session: Session, token: str) -> Unsubscription | None:
    """What a signed link turns off, or None for a tampered or unknown one."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int) or not isinstance(data.get("k"), str):
        return None
    user = session.get(User, data["u"])
    if user is None:
        return None
    if data["k"] == ALL_DIGEST:
        prefs = preferences(session, [user.id])
        kinds = [k for k in Kind if not KINDS[k].mandatory and prefs.get((user.id, k.value)) == DIGEST]
        return Unsubscription(user, kinds, True)
    try:
        kind = Kind(data["k"])
    except ValueError:
        return None
    if KINDS[kind].mandatory:
        return None
    return Unsubscription(user, [kind], False)
