"""One's notifications: the inbox, the settings per kind, and the one-click unsubscribe link of a mail."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access import Capability, allows, public
from ..core import db
from ..core.errors import DomainError
from ..notifications import inbox, preferences
from ..notifications.kinds import KINDS, Kind, kinds_for
from ..notifications.service import read_unsubscribe_token
from ..web.forms import ConfirmForm, PreferencesForm
from ..web.security import csrf

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.get("/")
@allows(Capability.manage_own_account)
def index():
    number = request.args.get("page", 1, type=int) or 1
    page = inbox.page_of(db.session(), current_user, max(1, min(number, 10**6)))
    return render_template("notifications/index.html", page=page, form=ConfirmForm())


@bp.post("/<int:notification_id>/read")
@allows(Capability.manage_own_account)
def mark_read(notification_id: int):
    if ConfirmForm().validate_on_submit():
        inbox.mark_read(db.session(), current_user, notification_id)
    return redirect(url_for(".index", page=request.args.get("page", 1, type=int)))


@bp.post("/read-all")
@allows(Capability.manage_own_account)
def mark_all_read():
    if ConfirmForm().validate_on_submit():
        inbox.mark_all_read(db.session(), current_user)
        flash(_("All notifications are marked as read."), "success")
    return redirect(url_for(".index"))


@bp.route("/settings", methods=["GET", "POST"])
@allows(Capability.manage_own_account)
def settings():
    session = db.session()
    modes = preferences.modes_of(session, current_user)
    form = PreferencesForm(
        data={"language": current_user.language or _default_language()}
        | {f"mode_{kind.value}": mode for kind, mode in modes.items()}
    )
    shown = kinds_for(current_user.role)
    status = 200
    if request.method == "POST":
        form = PreferencesForm()
        for kind in set(Kind) - set(shown):  # kinds this role is never sent are neither offered nor asked
            del form[f"mode_{kind.value}"]
        if form.validate_on_submit():
            try:
                preferences.save(
                    session,
                    current_user,
                    modes={kind: getattr(form, f"mode_{kind.value}").data for kind in shown},
                    language=form.language.data,
                )
            except DomainError as error:
                session.rollback()
                flash(str(error), "error")
                status = 400
            else:
                flash(_("Your notification settings are saved."), "success")
                return redirect(url_for(".settings"))
        else:
            flash(_("Choose one of the options for every kind."), "error")
            status = 400
    rows = [(kind, KINDS[kind], form[f"mode_{kind.value}"]) for kind in shown]
    return render_template("notifications/settings.html", form=form, rows=rows), status


def _default_language() -> str:
    return current_app.config["BABEL_DEFAULT_LOCALE"]


@bp.get("/unsubscribe/<token>")
@public
def unsubscribe(token: str):
    """The link in a mail: opening it changes nothing (mail scanners open links); the button does."""
    unsubscription = read_unsubscribe_token(db.session(), token)
    if unsubscription is None:
        return render_template("notifications/unsubscribe.html", unsubscription=None), 404
    return render_template("notifications/unsubscribe.html", unsubscription=unsubscription, kinds=KINDS, done=False)


@bp.post("/unsubscribe/<token>")
@public
@csrf.exempt
def unsubscribe_confirm(token: str):
    """The confirm button, and a mail client's RFC 8058 one-click POST (no CSRF token: the signed link is the proof)."""
    session = db.session()
    unsubscription = read_unsubscribe_token(session, token)
    if unsubscription is None:
        abort(404)
    preferences.unsubscribe(session, unsubscription)
    return render_template("notifications/unsubscribe.html", unsubscription=unsubscription, kinds=KINDS, done=True)
