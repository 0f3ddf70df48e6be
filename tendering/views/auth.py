"""Logging in and out, a forgotten password, one's own account (password, e-mail address, sessions), and
confirming a registration."""

from flask import Blueprint, current_app, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access import Capability, allows, public
from ..core import db
from ..core.errors import DomainError
from ..parties import addresses, organisations, users
from ..web import security
from ..web.forms import (
    ChangeEmailForm,
    ChangePasswordForm,
    ConfirmForm,
    ForgotPasswordForm,
    LoginForm,
    ResetPasswordForm,
)
from ..web.security import limiter
from . import sso as sso_views

bp = Blueprint("auth", __name__)

# A request for a reset link mails someone: per client address, and per e-mail address asked for (the same for
# addresses with and without an account, so the limit tells nothing either).
FORGOT_LIMIT_PER_CLIENT = "10 per hour"
FORGOT_LIMIT_PER_ADDRESS = "5 per hour"


def _asked_address() -> str:
    return "forgot:" + (request.form.get("email") or "").strip().lower()[:254]


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
            if (step := sso_views.after_password(user, _next_url())) is not None:  # a second factor, or SSO only
                return step
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
    """Only same-site paths, so the parameter cannot send users elsewhere."""
    return security.same_site_path(request.args.get("next"))


# One's own account --------------------------------------------------------------------------------------------------------


@bp.route("/account/password", methods=["GET", "POST"])
@allows(Capability.manage_own_account)
def change_password():
    form = ChangePasswordForm()
    form.known_words = [current_user.email, current_user.name]
    status = 200
    if form.validate_on_submit():
        refused, ended = _with_current_password(
            lambda: users.change_password(
                db.session(),
                current_user,
                current=form.current_password.data,
                new=form.password.data,
                keep_session_id=security.current_session_id(),
            )
        )
        if refused:
            status = refused
        else:
            flash(_("Your password is changed. Logins on other devices (%(n)d) are ended.", n=ended), "success")
            return redirect(url_for(".sessions"))
    return render_template("account/password.html", form=form), status


def _with_current_password(work):
    """Run `work()`, which checks the current password, under the login's throttle (a stolen session must not
    guess the password here either): (None, its result), or (the status to answer with, None), the reason flashed."""
    attempt = security.login_attempt(current_user.email)
    if security.login_wait(db.session(), attempt):
        flash(_("Too many attempts with wrong passwords. Wait a moment and try again."), "error")
        return 429, None
    try:
        return None, work()
    except DomainError as error:
        if isinstance(error, users.WrongPassword):
            security.record_login_failure(db.session(), attempt)
        flash(error.message, "error")
        return 400, None


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


# A forgotten password ----------------------------------------------------------------------------------------------------


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(FORGOT_LIMIT_PER_CLIENT, methods=["POST"])
@limiter.limit(FORGOT_LIMIT_PER_ADDRESS, methods=["POST"], key_func=_asked_address)
@public
def forgot_password():
    """Ask for a link to choose a new password. The answer is the same whether or not the address has an account
    (the service does the same work for both), so the page tells nobody which addresses do."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        try:
            users.request_password_reset(
                db.session(),
                form.email.data,
                link=lambda token: url_for(".reset_password", token=token, _external=True),
            )
        except DomainError as error:  # not an address at all: that tells nothing about accounts
            form.email.errors.append(error.message)
        else:
            return redirect(url_for(".forgot_password_sent"))
    return render_template("auth/forgot_password.html", form=form), 400 if form.errors else 200


@bp.get("/password/forgot/sent")
@public
def forgot_password_sent():
    return render_template(
        "auth/forgot_password_sent.html", minutes=current_app.config.get("PASSWORD_RESET_SECONDS", 3600) // 60
    )


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit("30 per hour", methods=["POST"])
@public
def reset_password(token: str):
    """The link in the reset mail: a form for the new password, then to the login. A bad, expired or used link
    changes nothing."""
    db_session = db.session()
    try:
        user = users.user_for_reset(db_session, token)
    except users.BadLink as error:
        return render_template("auth/bad_link.html", message=error.message), 400
    if current_user.is_authenticated and current_user.id != user.id:
        message = _("You are logged in with another account. Log out first to use this link.")
        return render_template("auth/bad_link.html", message=message), 400
    form = ResetPasswordForm()
    form.known_words = [user.email, user.name]
    status = 200
    if form.validate_on_submit():
        try:
            user = users.reset_password(db_session, token, form.password.data)
        except DomainError as error:
            flash(error.message, "error")
            status = 400
        else:
            # To the login rather than logged in here: the login asks what else the account needs (a second
            # factor, or single sign-on), which the mailbox alone must not skip.
            if current_user.is_authenticated:
                security.log_out(db_session)
            flash(_("Your new password is set and every login of your account is ended. Log in with it."), "success")
            return redirect(url_for(".login"))
    elif form.errors:
        status = 400
    return render_template("auth/reset_password.html", form=form), status


# Changing one's e-mail address ------------------------------------------------------------------------------------------


@bp.route("/account/email", methods=["GET", "POST"])
@allows(Capability.manage_own_account)
def change_email():
    """Ask for another e-mail address: it counts only once the link mailed to it is opened."""
    form = ChangeEmailForm()
    status = 200
    if form.validate_on_submit():
        refused, _done = _with_current_password(
            lambda: users.request_email_change(
                db.session(),
                current_user,
                password=form.current_password.data,
                new_email=form.email.data,
                link=lambda token: url_for(".confirm_email", token=token, _external=True),
                account_link=url_for(".change_password", _external=True),
            )
        )
        if refused:
            status = refused
        else:
            flash(
                _(
                    "We sent a link to %(email)s. Your address changes once you open it; until then you keep "
                    "logging in with %(current)s.",
                    email=addresses.normalised(form.email.data),
                    current=current_user.email,
                ),
                "success",
            )
            return redirect(url_for(".change_email"))
    elif form.errors:
        status = 400
    return render_template("account/email.html", form=form), status


@bp.route("/account/email/confirm/<token>", methods=["GET", "POST"])
@limiter.limit("30 per hour", methods=["POST"])
@public
def confirm_email(token: str):
    """The link mailed to the new address. Opening it changes nothing (mail scanners open links); the button does."""
    db_session = db.session()
    form = ConfirmForm()
    try:
        if form.validate_on_submit():
            user = users.confirm_email_change(db_session, token)
            flash(_("Your e-mail address is now %(email)s: log in with it from now on.", email=user.email), "success")
            return redirect(url_for(".sessions") if current_user.is_authenticated else url_for(".login"))
        email = users.email_change_target(db_session, token)
    except users.BadLink as error:
        return render_template("auth/bad_link.html", message=error.message), 400
    return render_template("account/confirm_email.html", form=form, email=email)
