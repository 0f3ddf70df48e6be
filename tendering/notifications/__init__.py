"""Notifications: who is told what, in which language, at once or in a daily digest; the inbox; reminders.

Services call `notify(session, Kind.x, users=..., template=..., context=...)` in the transaction of the event.
"""

from .kinds import KINDS, Kind
from .service import link_to, notify

__all__ = ["KINDS", "Kind", "link_to", "notify"]
