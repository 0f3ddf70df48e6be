"""Question articulation: the case's frameworks (the coaching on the question lives in `coaching`)."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from ..core import audit
from ..core.errors import DomainError, NotFound
from ..models import Case, Framework, FrameworkKind, User
from .tender_lock import tender_change

FRAMEWORK_LABELS = {
    FrameworkKind.legal: _l("Legal condition"),
    FrameworkKind.minimum_requirement: _l("Minimum requirement"),
    FrameworkKind.public_value: _l("Public value to safeguard"),
    FrameworkKind.other: _l("Other framework"),
}


def frameworks_of(session: Session, case: Case) -> list[Framework]:
    return list(
        session.exec(select(Framework).where(Framework.case_id == case.id).order_by(Framework.kind, Framework.id)).all()
    )


def add_framework(
    session: Session, case: Case, *, actor: User, kind: FrameworkKind, description: str, amendment_note: str = ""
) -> Framework:
    """Add a randvoorwaarde; after publication only as part of an amendment."""
    description = description.strip()
    if not description:
        raise DomainError(_("Describe the framework."))
    with tender_change(session, case, actor=actor, amendment_note=amendment_note):
        framework = Framework(case_id=case.id, kind=kind, description=description)
        session.add(framework)
        audit.record(
            session,
            action="framework_added",
            actor=actor,
            case=case,
            details={"kind": kind.value, "description": description},
        )
    return framework


def remove_framework(session: Session, case: Case, framework_id: int, *, actor: User, amendment_note: str = "") -> None:
    framework = session.get(Framework, framework_id)
    if framework is None or framework.case_id != case.id:
        raise NotFound(_("This framework does not exist."))
    with tender_change(session, case, actor=actor, amendment_note=amendment_note):
        session.delete(framework)
        audit.record(
            session, action="framework_removed", actor=actor, case=case, details={"description": framework.description}
        )
