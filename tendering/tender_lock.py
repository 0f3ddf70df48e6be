"""Every change to what the question document shows goes through here.

Before publication the municipality edits freely; while the tender runs a
change is only possible as a published, numbered amendment that every
interested organisation is told about; after the submission deadline closed
the tender, nothing in it changes any more.
"""

from contextlib import contextmanager

from flask_babel import gettext as _
from sqlmodel import Session

from .errors import DomainError, NotAllowed
from .models import Case, Role, User
from .question_document import publish_amendment
from .workflow.phases import in_phase


def require_official(user: User) -> None:
    if not (user.is_authenticated and user.role == Role.official):
        raise NotAllowed(_("Only municipal officials may do this."))


def needs_amendment(case: Case) -> bool:
    return in_phase(case, "question_amendable")


def can_change_tender(case: Case) -> bool:
    return in_phase(case, "question_editable") or in_phase(case, "question_amendable")


@contextmanager
def tender_change(session: Session, case: Case, *, actor: User, amendment_note: str = ""):
    """Allow the change in the block, and publish it as an amendment when the tender runs."""
    require_official(actor)
    if not can_change_tender(case):
        raise DomainError(_("In this phase the question and the tender set-up can no longer change."))
    note = amendment_note.strip()
    if needs_amendment(case) and not note:
        raise DomainError(
            _("The tender is published: describe the change in an amendment note. It is published as a numbered amendment and sent to every interested organisation.")
        )
    yield
    session.flush()
    if needs_amendment(case):
        publish_amendment(session, case, actor=actor, note=note)
