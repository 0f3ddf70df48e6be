"""The app's own jobs: deliver the outbox, and the per-minute tick (time-driven steps, then delivery)."""

from dataclasses import dataclass
from datetime import datetime

from huey import crontab
from sqlmodel import Session

from ..core import db, mail
from . import huey, in_app


@dataclass(frozen=True)
class Tick:
    fired: int
    delivery: mail.Delivery


def tick(now: datetime | None = None) -> Tick:
    """Apply the time-driven steps that are due at `now` (a submission deadline passed, a standstill ended) to every
    case, whether or not anyone opens it, then deliver the outbox (what those steps queued, and what earlier jobs
    could not send). Safe to run often and from several consumers at once."""
    from ..workflow.engine import apply_all_due_steps

    with Session(db.engine(), expire_on_commit=False) as session:
        fired = apply_all_due_steps(session, now=now)
        session.commit()
    return Tick(fired, mail.deliver(now=now))


# A whole run that fails (the database unreachable) is retried; single messages have their own back-off (mail.py).
@huey.task(retries=3, retry_delay=30)
@in_app
def deliver_outbox() -> int:
    """Send what the outbox holds; enqueued after every commit that queued mail (see `mail.enqueue_delivery`)."""
    return mail.deliver().sent


@huey.periodic_task(crontab(minute="*"))
@in_app
def every_minute() -> int:
    """The tick, every minute, on every consumer that runs periodic tasks."""
    return tick().fired
