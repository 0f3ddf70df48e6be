from flask import Blueprint, render_template
from sqlmodel import select

from .. import db, mail
from ..models import AuditEvent, Role
from ..security import roles_required

bp = Blueprint("admin", __name__, url_prefix="/admin")
OUTBOX_PAGE_SIZE = 200


@bp.get("/outbox")
@roles_required(Role.admin)
def outbox():
    """Outgoing mail, newest first: in development nothing leaves, and nothing is lost."""
    messages, sealed = mail.outbox(db.session(), OUTBOX_PAGE_SIZE)
    return render_template("admin/outbox.html", messages=messages, sealed=sealed, limit=OUTBOX_PAGE_SIZE)


@bp.get("/refusals")
@roles_required(Role.admin)
def refusals():
    """Every refused attempt to read sealed data (EU 2014/24 Annex IV (g)), newest first."""
    events = db.session().exec(
        select(AuditEvent)
        .where(AuditEvent.action == "sealed_access_refused")
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(OUTBOX_PAGE_SIZE)
    ).all()
    return render_template("admin/refusals.html", events=events, limit=OUTBOX_PAGE_SIZE)
