"""Logging in and out, one's own account (password, sessions), and confirming a registration."""

from flask import Blueprint, current_app, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access import Capability, allows, public
from ..core import db
from ..core.errors import DomainError
from ..parties import organisations, users
from ..web import security
from ..web.forms import ChangePasswordForm, ConfirmForm, LoginForm

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("cases.index"))
    form = LoginForm()
    if form.validate_on_submit():
        attempt = security.login_attempt(form.email.data)
        wait = security.login_wait(db.session(), attempt)
        if wait:  # refused before the password is even checked, so waiting tells nothing about it
            minutes = max(1, round(wait / 60))
            flash(
                _("Too many attempts with wrong passwords. Wait %(minutes)d minute(s) and try again.", minutes=minutes),
                "error",
            )
            response = make_response(render_template("auth/login.html", form=form), 429)
            response.headers["Retry-After"] = str(wait)
            return response
        user = users.authenticate(db.session(), form.email.data, form.password.data)
        if user is None:
            security.record_login_failure(db.session(), attempt)
            flash(_("The e-mail address or password is incorrect."), "error")
        else:
            security.log_in(db.session(), user)
            flash(_("You are logged in as %(name)s.", name=user.name), "success")
            response = redirect(_next_url() or url_for("public.home"))
            return security.set_device_cookie(response, user.email)
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@allows(Capability.manage_own_account)
def logout():
    security.log_out(db.session())
    flash(_("You are logged out."), "success")
    return redirect(url_for("public.home"))


@bp.get("/language/<code>")
@public
def language(code: str):
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    return redirect(_next_url() or url_for("public.home"))


def _next_url() -> str | None:
    """Only same-site relative paths, so the parameter cannot send users elsewhere."""
    target = request.args.get("next", "")
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


# One's own account --------------------------------------------------------------------------------------------------------


@bp.route("/account/password", methods=["GET", "POST"])
@allows(Capability.manage_own_account)
def change_password():
    form = ChangePasswordForm()
    form.known_words = [current_user.email, current_user.name]
    status = 200
    if form.validate_on_submit():
        attempt = security.login_attempt(current_user.email)
        if security.login_wait(db.session(), attempt):  # a stolen session must not guess the password here either
            flash(_("Too many attempts with wrong passwords. Wait a moment and try again."), "error")
            status = 429
        else:
            try:
                ended = users.change_password(
                    db.session(),
                    current_user,
                    current=form.current_password.data,
                    new=form.password.data,
                    keep_session_id=security.current_session_id(),
                )
            except DomainError as error:
                if isinstance(error, users.WrongPassword):
                    security.record_login_failure(db.session(), attempt)
                flash(error.message, "error")
                status = 400
            else:
                flash(_("Your password is changed. Logins on other devices (%(n)d) are ended.", n=ended), "success")
                return redirect(url_for(".sessions"))
    return render_template("account/password.html", form=form), status


@bp.get("/account/sessions")
@allows(Capability.manage_own_account)
def sessions():
    idle_since, started_since = security.session_limits()
    return render_template(
        "account/sessions.html",
        sessions=users.open_sessions(db.session(), current_user, idle_since=idle_since, started_since=started_since),
        current_id=security.current_session_id(),
    )


@bp.post("/account/sessions/<int:session_id>/end")
@allows(Capability.manage_own_account)
def end_session(session_id: int):
    if ConfirmForm().validate_on_submit():
        users.end_session(
            db.session(),
            current_user,
            session_id,
            reason="ended_by_user",
            current_session_id=security.current_session_id(),
        )
        flash(_("The session is ended: that device is logged out."), "success")
    return redirect(url_for(".sessions"))


@bp.post("/account/sessions/end-others")
@allows(Capability.manage_own_account)
def end_other_sessions():
    if ConfirmForm().validate_on_submit():
        ended = security.end_other_sessions(db.session(), current_user)
        flash(_("Logins on other devices (%(n)d) are ended.", n=ended), "success")
    return redirect(url_for(".sessions"))


# Confirming a registration -------------------------------------------------------------------------------------------------


@bp.get("/register/sent")
@public
def registration_sent():
    return render_template("account/registration_sent.html", days=organisations.REGISTRATION_DAYS)


@bp.route("/register/confirm/<token>", methods=["GET", "POST"])
@public
def confirm_registration(token: str):
    """The link in the confirmation mail. Opening it changes nothing (mail scanners open links); the button does."""
    db_session = db.session()
    registration = organisations.find_registration(db_session, token)
    form = ConfirmForm()
    if form.validate_on_submit():
        user = organisations.confirm_registration(db_session, token)
        security.log_in(db_session, user)
        flash(_("Your organisation is registered and you are logged in."), "success")
        return security.set_device_cookie(redirect(url_for("coalitions.organisation")), user.email)
    return render_template("account/confirm_registration.html", registration=registration, form=form)
