from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlmodel import select
from wtforms import StringField
from wtforms.validators import Length

from .. import access
from ..access import Capability, allows
from ..core import db, mail
from ..models import AuditEvent, Role
from ..parties import users
from ..web import security
from ..web.forms import ConfirmForm

bp = Blueprint("admin", __name__, url_prefix="/admin")
OUTBOX_PAGE_SIZE = 200


ROLE_LABELS = {
    Role.official: _l("Official"),
    Role.council_member: _l("Council member"),
    Role.coalition_member: _l("Coalition member"),
    Role.admin: _l("Administrator"),
}


class BlockForm(ConfirmForm):
    reason = StringField(_l("Reason (optional)"), validators=[Length(max=500)])


@bp.get("/outbox")
@allows(Capability.administer)
def outbox():
    """Outgoing mail, newest first: in development nothing leaves, and nothing is lost. Sealed receipts only as counts."""
    messages, sealed = mail.outbox(db.session(), OUTBOX_PAGE_SIZE)
    return render_template("admin/outbox.html", messages=messages, sealed=sealed, limit=OUTBOX_PAGE_SIZE)


@bp.get("/refusals")
@allows(Capability.administer)
def refusals():
    """Every refused attempt to read sealed data (EU 2014/24 Annex IV (g)), newest first."""
    events = (
        db.session()
        .exec(
            select(AuditEvent)
            .where(AuditEvent.action == access.REFUSED)
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
            .limit(OUTBOX_PAGE_SIZE)
        )
        .all()
    )
    return render_template("admin/refusals.html", events=events, limit=OUTBOX_PAGE_SIZE)


USERS_PAGE_SIZE = 500


@bp.get("/users")
@allows(Capability.administer)
def user_list():
    """Every account, with how many logins it has open, and a button to block or unblock it."""
    idle_since, started_since = security.session_limits()
    rows = users.users_with_session_counts(
        db.session(), idle_since=idle_since, started_since=started_since, limit=USERS_PAGE_SIZE
    )
    return render_template("admin/users.html", rows=rows, limit=USERS_PAGE_SIZE, role_labels=ROLE_LABELS)


@bp.post("/users/<int:user_id>/block")
@allows(Capability.administer)
def block_user(user_id: int):
    """Refuse the account's logins and end the ones it has open, at once, on every device."""
    form = BlockForm()
    if form.validate_on_submit():
        user = users.block_user(db.session(), admin=current_user, user_id=user_id, reason=form.reason.data or "")
        flash(_("%(name)s is blocked and logged out everywhere.", name=user.name), "success")
    return redirect(url_for(".user_list"))


@bp.post("/users/<int:user_id>/unblock")
@allows(Capability.administer)
def unblock_user(user_id: int):
    if ConfirmForm().validate_on_submit():
        user = users.unblock_user(db.session(), admin=current_user, user_id=user_id)
        flash(_("%(name)s can log in again.", name=user.name), "success")
    return redirect(url_for(".user_list"))
