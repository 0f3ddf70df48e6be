"""Calendar feeds and following a tender: the public feed of a tender, the private feed behind a secret address,
the account page that makes, renews or revokes that address, and the follow button of the public tender page."""

import hashlib

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask import session as http_session
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from ..access import Capability, allows, public
from ..core import db
from ..models import Case, Role
from ..question import calendars, following
from ..web.forms import ConfirmForm
from .public import published_case

bp = Blueprint("calendars", __name__)


def _ics(body: bytes, *, filename: str, private: bool) -> Response:
    response = Response(body, content_type="text/calendar; charset=utf-8")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    # A calendar app polls: it may keep the feed a few minutes, then asks with the ETag whether anything changed.
    response.headers["Cache-Control"] = ("private" if private else "public") + ", max-age=300, must-revalidate"
    if private:
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Robots-Tag"] = "noindex"
    response.set_etag(hashlib.sha256(body).hexdigest())
    return response.make_conditional(request)


@bp.get("/tenders/<reference>/calendar.ics")
@public
def tender_feed(reference: str):
    """A published tender's deadlines: clarification, submission, opening (and the expected award once known)."""
    case = published_case(reference)
    return _ics(calendars.tender_feed(db.session(), case), filename=f"{case.reference}.ics", private=False)


@bp.get("/calendar/<token>.ics")
@public
def user_feed(token: str):
    """A user's own deadlines; the token in the address is the key, so no login (and no cookie) is needed."""
    session = db.session()
    found = calendars.holder_of(session, token)
    if found is None:
        abort(404)
    user, held = found
    return _ics(calendars.user_feed(session, user, held), filename="deadlines.ics", private=True)


# The account page ---------------------------------------------------------------------------------------------------


NEW_ADDRESS = "calendar_new_address"  # in the signed session cookie, from the renewal until the page that shows it


def _page(address: str | None = None, status: int = 200):
    response = Response(
        render_template(
            "account/calendar.html",
            token=calendars.live_token(db.session(), current_user),
            address=address,
            form=ConfirmForm(),
        ),
        status=status,
    )
    response.headers["Cache-Control"] = "no-store"  # the page may show the secret address once
    return response


@bp.get("/account/calendar")
@allows(Capability.follow_tenders)
def feed_page():
    # A new address is shown once, on the page the renewal redirects to: a reload shows it no more, and makes none.
    token = http_session.pop(NEW_ADDRESS, None)
    return _page(url_for(".user_feed", token=token, _external=True) if token else None)


@bp.post("/account/calendar/renew")
@allows(Capability.follow_tenders)
def renew_feed():
    if not ConfirmForm().validate_on_submit():
        flash(_("The form had expired. Try again."), "error")
        return redirect(url_for(".feed_page"))
    http_session[NEW_ADDRESS] = calendars.renew(db.session(), current_user, language=str(get_locale()))
    flash(_("Your calendar feed has a new address; an earlier address no longer works."), "success")
    return redirect(url_for(".feed_page"))


@bp.post("/account/calendar/revoke")
@allows(Capability.follow_tenders)
def revoke_feed():
    if ConfirmForm().validate_on_submit():
        if calendars.revoke(db.session(), current_user):
            flash(_("Your calendar feed's address no longer works."), "success")
        else:
            flash(_("You have no calendar feed."), "error")
    return redirect(url_for(".feed_page"))


# Following a tender -------------------------------------------------------------------------------------------------


@bp.post("/tenders/<reference>/follow")
@allows(Capability.follow_tenders)
def follow(reference: str):
    case = published_case(reference)
    if ConfirmForm().validate_on_submit():
        following.follow(db.session(), current_user, case)
        flash(_("You follow this tender: its deadlines are in your calendar feed."), "success")
    return redirect(url_for("public.tender", reference=reference) + "#follow")


@bp.post("/tenders/<reference>/unfollow")
@allows(Capability.follow_tenders)
def unfollow(reference: str):
    case = published_case(reference)
    if ConfirmForm().validate_on_submit():
        following.unfollow(db.session(), current_user, case)
        flash(_("You no longer follow this tender."), "success")
    return redirect(url_for("public.tender", reference=reference) + "#follow")


@bp.app_template_global()
def tender_followed(case: Case) -> bool:
    """Whether the reader follows the tender (for the public tender page's button)."""
    return following.is_following(db.session(), current_user, case)


@bp.app_template_global()
def tender_follower_count(case: Case) -> int | None:
    """How many follow the tender: for officials only, and only the number (`following`)."""
    if not (current_user.is_authenticated and current_user.has_role(Role.official)):
        return None
    return following.follower_count(db.session(), case.id)
