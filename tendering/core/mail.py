"""Mail: queued in the outbox within the transaction, delivered after commit.

Each message is a template under `templates/mail/` that sets its `subject` and writes its body, rendered in the
language that is current where it is composed (the document language, for letters that must be in Dutch).

With MAIL_SERVER set, messages go out through SMTP; without it (development)
they stay in the outbox, which admins can read, so nothing is lost silently.
A failed delivery keeps the message with its error for the next attempt.
"""

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import case
from sqlmodel import Session, func, select

from ..models import OutboxMessage, utcnow
from . import db


@dataclass(frozen=True)
class Composed:
    subject: str
    body: str


def compose(template: str, **context) -> Composed:
    """Render `templates/mail/<template>.txt`: its `subject` variable and its text."""
    module = current_app.jinja_env.get_template(f"mail/{template}.txt").make_module(context)
    return Composed(str(module.subject).strip(), str(module).strip())


def queue(
    session: Session, *, to: str, message: Composed, case_id: int | None = None, sealed: bool = False
) -> OutboxMessage:
    """Put a message in the outbox; `sealed` ones (coalition invitations, receipts) tell who bids, so the admin's outbox only counts them."""
    stored = OutboxMessage(to_address=to, subject=message.subject, body=message.body, case_id=case_id, sealed=sealed)
    session.add(stored)
    db.after_commit(session, deliver_pending)
    return stored


def deliver_pending(session: Session) -> int:
    """Send every unsent message through SMTP; returns how many went out."""
    server = current_app.config.get("MAIL_SERVER")
    if not server:
        return 0
    pending = session.exec(
        select(OutboxMessage).where(OutboxMessage.sent_at.is_(None)).order_by(OutboxMessage.id)
    ).all()
    sent = 0
    with smtplib.SMTP(server, int(current_app.config.get("MAIL_PORT", 25)), timeout=20) as smtp:
        if current_app.config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if current_app.config.get("MAIL_USERNAME"):
            smtp.login(current_app.config["MAIL_USERNAME"], current_app.config["MAIL_PASSWORD"])
        for message in pending:
            email = EmailMessage()
            email["From"] = current_app.config["MAIL_FROM"]
            email["To"] = message.to_address
            email["Subject"] = message.subject
            email.set_content(message.body)
            try:
                smtp.send_message(email)
            except smtplib.SMTPException as error:
                message.error = str(error)
            else:
                message.sent_at, message.error = utcnow(), ""
                sent += 1
            session.add(message)
    session.commit()
    return sent


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
