"""The notifications' periodic jobs (loaded by `tendering.jobs`): the daily digest and the reminders.

Both look often (every REMINDER_INTERVAL_MINUTES, default 15) rather than once at a fixed moment, so a consumer
that was down catches up when it is back; both are safe to run twice or on two consumers at once. The database is
their guard, not a Huey lock (which a killed consumer would leave held for good): the digest claims its rows with a
conditional update, the reminders insert their unique `sent_reminders` rows first, each in the transaction of the
mail it queues, so of two runs at once one sends and the other finds it done.
The digest goes out at DIGEST_HOUR, Europe/Amsterdam (default 7): a run collects what was made before the latest
such moment, so later runs that day find nothing new to send and every user gets at most one digest a day.
"""

import os
from datetime import datetime

from huey import crontab
from sqlmodel import Session

from ..core import db
from ..jobs import huey, in_app
from ..models import utcnow
from .digests import digest_cutoff, send_digests
from .reminders import send_reminders

INTERVAL = max(1, min(59, int(os.environ.get("REMINDER_INTERVAL_MINUTES", 15))))


def run_digests(now: datetime | None = None) -> int:
    with Session(db.engine(), expire_on_commit=False) as session:
        return send_digests(session, digest_cutoff(now or utcnow()))


def run_reminders(now: datetime | None = None) -> int:
    with Session(db.engine(), expire_on_commit=False) as session:
        return send_reminders(session, now or utcnow())


@huey.periodic_task(crontab(minute=f"*/{INTERVAL}"))
@in_app
def daily_digest() -> int:
    return run_digests()


@huey.periodic_task(crontab(minute=f"*/{INTERVAL}"))
@in_app
def reminders() -> int:
    return run_reminders()
