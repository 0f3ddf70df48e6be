"""Every change to what the question document shows goes through here.

Before publication the municipality edits freely; while the tender runs a
change is only possible as a published, numbered amendment that every
interested organisation is told about; after the submission deadline closed
the tender, nothing in it changes any more.
"""

from contextlib import contextmanager

from flask_babel import gettext as _
from sqlmodel import Session

from .. import access
from ..core.errors import DomainError
from ..models import Case, User
from ..workflow.phases import in_phase
from .question_document import publish_amendment


def needs_amendment(case: Case) -> bool:
    return in_phase(case, "question_amendable")


@contextmanager
def tender_change(session: Session, case: Case, *, actor: User, amendment_note: str = ""):
    """Allow the change in the block, and publish it as an amendment when the tender runs."""
    access.require(session, access.Capability.change_tender, actor, case=case)
    note = amendment_note.strip()
    if needs_amendment(case) and not note:
        raise DomainError(
            _(
                "The tender is published: describe the change in an amendment note. It is published as a numbered amendment and sent to every interested organisation."
            )
        )
    yield
    session.flush()
    if needs_amendment(case):
        publish_amendment(session, case, actor=actor, note=note)
