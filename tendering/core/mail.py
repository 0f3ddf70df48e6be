"""Mail: queued in the outbox within the transaction, delivered after commit.

Each message is a template under `templates/mail/` that sets its `subject` and writes its body, rendered in the
language that is current where it is composed (the document language, for letters that must be in Dutch).

With MAIL_SERVER set, the commit that queued mail enqueues the `deliver_outbox` job (tendering.jobs), which sends
them through SMTP; without it (development) they stay in the outbox, which admins can read, so nothing is lost
silently. The outbox is the source of truth: a message is claimed before it is sent and marked sent right after, so
it goes out once however many consumers run; a failed delivery keeps the message with its error for a later attempt.
"""

import hmac
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate

from flask import current_app
from sqlalchemy import case, update
from sqlmodel import Session, func, select

from ..models import OutboxMessage, utcnow
from . import db


@dataclass(frozen=True)
class Composed:
    subject: str
    body: str
    html: str = ""  # the same message as HTML, sent as the alternative part when set


def compose(template: str, **context) -> Composed:
    """Render `templates/mail/<template>.txt`: its `subject` variable and its text."""
    module = current_app.jinja_env.get_template(f"mail/{template}.txt").make_module(context)
    return Composed(str(module.subject).strip(), str(module).strip())


def queue(
    session: Session,
    *,
    to: str,
    message: Composed,
    case_id: int | None = None,
    sealed: bool = False,
    unsubscribe_url: str = "",
) -> OutboxMessage:
    """Put a message in the outbox; `sealed` ones (coalition invitations, receipts) tell who bids, so the admin's
    outbox only counts them. `unsubscribe_url` (one-click, RFC 8058) goes out as the List-Unsubscribe header."""
    stored = OutboxMessage(
        to_address=to,
        subject=message.subject,
        body=message.body,
        html_body=message.html,
        list_unsubscribe=unsubscribe_url,
        case_id=case_id,
        sealed=sealed,
    )
    session.add(stored)
    db.after_commit(session, enqueue_delivery)
    return stored


# A claim older than this is taken to be from a consumer that died while delivering: the message is taken over.
# (Had it been sent just before the crash, it goes out again, with the same Message-ID, so mail clients merge them.)
CLAIM_LEASE = timedelta(minutes=10)
CLAIM_BATCH = 50
RETRY_FIRST = timedelta(minutes=1)
RETRY_MAX = timedelta(hours=6)
# After this many failed attempts (about a day and a half of back-off) a message is given up; it stays in the outbox
# with its error for the admin.
MAX_ATTEMPTS = 12
# Failures of one message, not of the connection: the next message can go through the same one.
ONE_MESSAGE_FAILED = (
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPDataError,
    smtplib.SMTPNotSupportedError,  # e.g. a non-ASCII address on a server without SMTPUTF8
    ValueError,  # a header the message cannot carry (a line break in an address)
)


@dataclass(frozen=True)
class Delivery:
    sent: int
    failed: int


def _deliverable(now: datetime):
    """Not sent, not given up, claimed by nobody (or by somebody whose lease ran out), and not waiting for its next
    attempt."""
    return (
        OutboxMessage.sent_at.is_(None)
        & (OutboxMessage.attempts < MAX_ATTEMPTS)
        & (OutboxMessage.claimed_at.is_(None) | (OutboxMessage.claimed_at < now - CLAIM_LEASE))
        & (OutboxMessage.retry_at.is_(None) | (OutboxMessage.retry_at <= now))
    )


def retry_delay(attempts: int) -> timedelta:
    """Wait before the next attempt after `attempts` failed ones: a minute, doubling, at most six hours."""
    return min(RETRY_FIRST * 2 ** max(attempts - 1, 0), RETRY_MAX)


def _claim(engine, now: datetime) -> list[OutboxMessage]:
    """Take the next batch of deliverable messages in one statement that only succeeds for rows still deliverable,
    so two consumers (or a job enqueued twice) never take the same message; committed before anything is sent."""
    with Session(engine, expire_on_commit=False) as session:
        batch = select(OutboxMessage.id).where(_deliverable(now)).order_by(OutboxMessage.id).limit(CLAIM_BATCH)
        claimed = session.exec(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(batch.scalar_subquery()), _deliverable(now))
            .values(claimed_at=now, attempts=OutboxMessage.attempts + 1)
            .returning(OutboxMessage.id)
            .execution_options(synchronize_session=False)
        ).all()
        session.commit()
        if not claimed:
            return []
        ids = [row[0] for row in claimed]
        return list(session.exec(select(OutboxMessage).where(OutboxMessage.id.in_(ids)).order_by(OutboxMessage.id)))


def _settle(engine, message: OutboxMessage, now: datetime, error: str = "") -> None:
    """Record the outcome of one attempt at once, before the next message is sent: sent, or failed with its error
    and released for a later attempt after the back-off."""
    values = (
        {"sent_at": utcnow(), "error": "", "retry_at": None}
        if not error
        else {"error": error, "claimed_at": None, "retry_at": now + retry_delay(message.attempts)}
    )
    with Session(engine) as session:
        session.exec(
            update(OutboxMessage)
            .where(OutboxMessage.id == message.id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        session.commit()


def message_id(outbox_id: int) -> str:
    """The Message-ID of an outbox message: the same at every attempt (a message sent twice after a crash is one
    message to mail clients), different between installations (keyed with the secret key)."""
    config = current_app.config
    domain = config["MAIL_FROM"].rpartition("@")[2] or "tendering.invalid"
    digest = hmac.new(config["SECRET_KEY"].encode(), f"outbox:{outbox_id}".encode(), "sha256").hexdigest()[:16]
    return f"<outbox.{outbox_id}.{digest}@{domain}>"


def as_email(message: OutboxMessage) -> EmailMessage:
    """The mail for an outbox message: text, with the HTML as its alternative when there is one."""
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_FROM"]
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Message-ID"] = message_id(message.id)
    email["Date"] = formatdate(message.created_at.timestamp(), usegmt=True)
    if message.list_unsubscribe:
        email["List-Unsubscribe"] = f"<{message.list_unsubscribe}>"
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"  # RFC 8058: a POST to the address suffices
    email.set_content(message.body)
    if message.html_body:
        email.add_alternative(message.html_body, subtype="html")
    return email


def _connect() -> smtplib.SMTP:
    config = current_app.config
    smtp = smtplib.SMTP(config["MAIL_SERVER"], int(config.get("MAIL_PORT") or 25), timeout=20)
    try:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
    except BaseException:
        smtp.close()
        raise
    return smtp


def deliver(now: datetime | None = None) -> Delivery:
    """Send what the outbox holds through SMTP, each message once (see `_claim`); a message that fails keeps its
    error and is tried again after a back-off (`retry_delay`). Without MAIL_SERVER nothing is sent (development):
    the messages stay in the outbox for the admin to read. Runs in the `deliver_outbox` job (tendering.jobs)."""
    if not current_app.config.get("MAIL_SERVER"):
        return Delivery(0, 0)
    now = now or utcnow()
    engine = db.engine()
    sent = failed = 0
    smtp = None
    try:
        while batch := _claim(engine, now):
            for position, message in enumerate(batch):
                try:
                    email = as_email(message)
                    smtp = smtp or _connect()
                    smtp.send_message(email)
                except (smtplib.SMTPException, OSError, ValueError) as error:
                    failed += 1
                    _settle(engine, message, now, error=f"{type(error).__name__}: {error}"[:2000])
                    if isinstance(error, ONE_MESSAGE_FAILED):
                        continue  # this message cannot go; the connection is fine for the next ones
                    for rest in batch[position + 1 :]:  # the server is unreachable: release the rest of the batch
                        _settle(engine, rest, now, error=f"{type(error).__name__}: {error}"[:2000])
                        failed += 1
                    return Delivery(sent, failed)
                else:
                    sent += 1
                    _settle(engine, message, now)
    finally:
        if smtp is not None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()
    return Delivery(sent, failed)


def enqueue_delivery(_session: Session) -> None:
    """After a commit that queued mail: hand its delivery to the job queue, not the web request. Should the queue be
    unreachable (Redis down), nothing is lost: the mail stays in the outbox and the periodic job sends it."""
    if not current_app.config.get("MAIL_SERVER"):
        return  # development: the outbox is the mailbox
    from ..jobs import enqueue
    from ..jobs.tasks import deliver_outbox

    enqueue(deliver_outbox)


@dataclass(frozen=True)
class SealedCount:
    """Sealed messages (coalition invitations, receipts) as the admin sees them: how many, and how their delivery went."""

    total: int
    sent: int
    failed: int


def outbox(session: Session, limit: int) -> tuple[list[OutboxMessage], SealedCount]:
    """The newest readable messages, and only counts of the sealed ones: their recipients,
    subjects and times would tell who bids and when (Annex IV (b))."""
    messages = session.exec(
        select(OutboxMessage)
        .where(OutboxMessage.sealed.is_(False))
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .limit(limit)
    ).all()
    failed = (OutboxMessage.sent_at.is_(None)) & (OutboxMessage.error != "")
    total, sent, failures = session.exec(
        select(
            func.count(), func.count(OutboxMessage.sent_at), func.coalesce(func.sum(case((failed, 1), else_=0)), 0)
        ).where(OutboxMessage.sealed.is_(True))
    ).one()
    return list(messages), SealedCount(total, sent, failures)
