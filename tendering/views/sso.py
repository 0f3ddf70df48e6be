"""Single sign-on with the municipality's OpenID provider, the second-factor step of a login, and switching
one's second factor on and off (`parties.sso`, `parties.second_factor`)."""

import time

import requests
from authlib.integrations.base_client import OAuthError
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask import session as http_session
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from joserfc.errors import JoseError
from sqlmodel import Session

from ..access import Capability, allows, public
from ..core import audit, db
from ..core.errors import DomainError
from ..models import User, UserSession
from ..parties import second_factor, sso
from ..web import security
from ..web.forms import CodeForm, ConfirmCodeForm, ConfirmForm

bp = Blueprint("sso", __name__)
bp.record_once(lambda state: sso.init_app(state.app))

PENDING = "second_factor_pending"  # in the signed session cookie: whose password (or provider) was right, and when
PENDING_SECONDS = 300
NEXT = "sso_next"


@bp.app_context_processor
def _login_button():
    return {"sso_label": sso.label}


# Opening a session, the one way -------------------------------------------------------------------------------------


def _open_session(db_session: Session, user: User, *, how: str, via: str, next_url: str | None):
    """Log in as the password login does (`security.log_in`, a device cookie), noting the second factor passed."""
    if via != "password" or how:  # a plain password login is audited by `users.authenticate`
        audit.record(db_session, action="login", actor=user, details={"via": via, "second_factor": how})
    record = security.log_in(db_session, user)
    if how:
        second_factor.mark_session(db_session, record, how)
    flash(_("You are logged in as %(name)s.", name=user.name), "success")
    return security.set_device_cookie(redirect(next_url or url_for("public.home")), user.email)


def _ask_code(user: User, *, via: str, next_url: str | None):
    http_session[PENDING] = {"user": user.id, "at": int(time.time()), "via": via, "next": next_url or ""}
    return redirect(url_for("sso.second_factor_login"))


def after_password(user: User, next_url: str | None):
    """Called by the login view once the password is right: a response when the login does not open a session
    yet (the account logs in through the provider; a second factor is asked first), or None to log in now."""
    refusal = sso.password_login_refusal(user)
    if refusal:
        db.discard_request_work()  # not a login: the audit event of the right password is dropped
        flash(refusal, "error")
        return redirect(url_for("auth.login"))
    if second_factor.is_active(db.session(), user):
        db.discard_request_work()  # the login is audited once it is complete
        return _ask_code(user, via="password", next_url=next_url)
    return None


def _pending_user(db_session: Session) -> tuple[User, dict] | None:
    pending = http_session.get(PENDING)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = db_session.get(User, pending.get("user"))
    if user is None or not user.active:
        return None
    return user, pending


def _too_many_codes(wait: int, page):
    """The answer to a code asked for while the account's throttle says wait: 429, and how long."""
    flash(
        ngettext(
            "Too many wrong codes. Wait %(num)d minute and try again.",
            "Too many wrong codes. Wait %(num)d minutes and try again.",
            max(1, round(wait / 60)),
        ),
        "error",
    )
    response = current_app.make_response(page)
    response.status_code = 429
    response.headers["Retry-After"] = str(wait)
    return response


@bp.route("/login/second-factor", methods=["GET", "POST"])
@public
def second_factor_login():
    db_session = db.session()
    found = _pending_user(db_session)
    if found is None:
        http_session.pop(PENDING, None)
        flash(_("Log in again: the step for the code has expired."), "error")
        return redirect(url_for("auth.login"))
    user, pending = found
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        attempt = security.login_attempt(user.email)
        if wait := security.login_wait(db_session, attempt):
            return _too_many_codes(wait, render_template("auth/sso_second_factor.html", form=form))
        try:
            how = second_factor.verify(db_session, user, form.code.data)
        except second_factor.WrongCode as error:
            db.discard_request_work()  # end the transaction first: the failure is written on a connection of its own
            security.record_login_failure(db_session, attempt)
            flash(error.message, "error")
            status = 400
        else:
            return _open_session(db_session, user, how=how, via=pending["via"], next_url=pending["next"] or None)
    return render_template("auth/sso_second_factor.html", form=form), status


# Single sign-on -------------------------------------------------------------------------------------------------------


@bp.get("/login/sso")
@public
def sso_login():
    if not sso.enabled():
        abort(404)
    if current_user.is_authenticated:
        return redirect(url_for("cases.index"))
    http_session[NEXT] = security.same_site_path(request.args.get("next")) or ""
    try:
        return sso.client().authorize_redirect(url_for(".sso_callback", _external=True))
    except (requests.RequestException, ValueError, KeyError):
        current_app.logger.warning("the identity provider could not be reached", exc_info=True)
        flash(
            _(
                "Logging in with %(provider)s is not possible now: the login service does not answer. Try again later.",
                provider=sso.label(),
            ),
            "error",
        )
        return redirect(url_for("auth.login"))


@bp.get("/login/sso/callback")
@public
def sso_callback():
    if not sso.enabled():
        abort(404)
    db_session = db.session()
    next_url = http_session.pop(NEXT, "") or None
    try:
        token = sso.client().authorize_access_token(claims_options=sso.claims_options())
        claims = token.get("userinfo")
        if not claims:  # no id_token, or no nonce sent: nothing checked, so nobody is logged in
            raise OAuthError(description="no validated id_token")
    except (OAuthError, JoseError, requests.RequestException, ValueError, KeyError) as error:
        current_app.logger.warning("single sign-on refused: %s", type(error).__name__)
        audit.record(db_session, action="sso_login_refused", actor=None, details={"reason": type(error).__name__})
        flash(
            _(
                "The login with %(provider)s did not succeed or has expired. Nothing was changed; try again.",
                provider=sso.label(),
            ),
            "error",
        )
        return redirect(url_for("auth.login"))
    outcome = sso.sign_in(db_session, dict(claims))
    if outcome.refusal:
        flash(outcome.refusal, "error")
        return redirect(url_for("auth.login"))
    user = outcome.user
    if outcome.provider_mfa:
        return _open_session(db_session, user, how=second_factor.IDENTITY_PROVIDER, via="sso", next_url=next_url)
    if second_factor.is_active(db_session, user):
        return _ask_code(user, via="sso", next_url=next_url)
    return _open_session(db_session, user, how="", via="sso", next_url=next_url)


# One's own second factor ----------------------------------------------------------------------------------------------


def _account_page(status: int = 200, *, recovery_codes: list[str] | None = None, confirm_form=None, code_form=None):
    db_session = db.session()
    user = current_user._get_current_object()
    secret = second_factor.pending_secret(db_session, user)
    uri = second_factor.provisioning_uri(user, secret) if secret else None
    page = render_template(
        "account/second_factor.html",
        active=second_factor.is_active(db_session, user),
        secret=secret,
        qr=second_factor.qr_svg(uri) if uri else None,
        recovery_codes=recovery_codes,
        remaining=second_factor.remaining_recovery_codes(db_session, user),
        start_form=ConfirmForm(),
        confirm_form=confirm_form or ConfirmCodeForm(formdata=None),
        code_form=code_form or CodeForm(formdata=None),
        required_for_opening=current_app.config.get("REQUIRE_SECOND_FACTOR_FOR_OPENING"),
    )
    response = current_app.make_response((page, status))
    response.headers["Cache-Control"] = "no-store"  # the secret and the recovery codes stay off disk caches
    return response


@bp.get("/account/second-factor")
@allows(Capability.manage_second_factor)
def second_factor_page():
    return _account_page()


@bp.post("/account/second-factor/start")
@allows(Capability.manage_second_factor)
def second_factor_start():
    if ConfirmForm().validate_on_submit():
        db_session = db.session()
        login = db_session.get(UserSession, security.current_session_id())
        try:
            second_factor.start_enrolment(db_session, current_user, logged_in_at=login.created_at if login else None)
        except DomainError as error:
            flash(error.message, "error")
    return redirect(url_for(".second_factor_page"))


@bp.post("/account/second-factor/confirm")
@allows(Capability.manage_second_factor)
def second_factor_confirm():
    form = ConfirmCodeForm()
    if not form.validate_on_submit():
        return _account_page(400, confirm_form=form)
    try:
        codes = second_factor.confirm_enrolment(db.session(), current_user, form.code.data)
    except second_factor.WrongCode as error:
        flash(error.message, "error")
        return redirect(url_for(".second_factor_page"))
    flash(_("Your second factor is on. From your next login on, you are asked for a code."), "success")
    return _account_page(recovery_codes=codes)


@bp.post("/account/second-factor/disable")
@allows(Capability.manage_second_factor)
def second_factor_disable():
    form = CodeForm()
    if not form.validate_on_submit():
        return _account_page(400, code_form=form)
    db_session = db.session()
    attempt = security.login_attempt(current_user.email)  # the login's throttle: a session cannot guess codes here
    if wait := security.login_wait(db_session, attempt):
        return _too_many_codes(wait, _account_page(429, code_form=form))
    try:
        second_factor.disable(db_session, current_user, form.code.data)
    except second_factor.WrongCode as error:
        db.discard_request_work()  # end the transaction first: the failure is written on a connection of its own
        security.record_login_failure(db_session, attempt)
        flash(error.message, "error")
        return redirect(url_for(".second_factor_page"))
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for(".second_factor_page"))
    flash(_("Your second factor is off."), "success")
    return redirect(url_for(".second_factor_page"))
