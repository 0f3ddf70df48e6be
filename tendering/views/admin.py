from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlmodel import select
from wtforms import StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from .. import access
from ..access import Capability, allows
from ..core import db, mail
from ..models import AuditEvent, Role
from ..parties import teams, users
from ..web import security
from ..web.forms import ConfirmForm, TeamForm, TeamMemberForm

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


# Teams of officials and their limits of running cases ("pull") --------------------------------------------------------


def _team_choices(found) -> list[SelectChoice]:
    """The teams an official can be placed in, and none: the page's choices and what a post is checked against."""
    return [SelectChoice(0, _("— no team —"))] + [SelectChoice(t.id, t.name) for t in found]


def _member_form(official_id: int, choices: list[SelectChoice], **kwargs) -> TeamMemberForm:
    form = TeamMemberForm(prefix=f"member-{official_id}", **kwargs)
    form.team_id.choices = choices
    return form


def _teams_page(*, failed=None, status: int = 200):
    """The teams with a form each, a form for a new one, and every official with the team they are in; a form that
    was refused (`failed`, by its place on the page) is shown again as typed, with its errors."""
    session = db.session()
    found, officials = teams.teams(session), teams.officials(session)
    failed = failed or {}
    choices = _team_choices(found)
    return render_template(
        "admin/teams.html",
        teams=found,
        officials=officials,
        new_form=failed.get("new") or TeamForm(prefix="new"),
        team_forms={t.id: failed.get(("team", t.id)) or TeamForm(obj=t, prefix=f"team-{t.id}") for t in found},
        member_forms={
            o.id: failed.get(("member", o.id)) or _member_form(o.id, choices, team_id=o.team_id or 0) for o in officials
        },
        failed=bool(failed),
    ), status


def _refused(form: TeamForm, refused: teams.TeamRefused, place):
    """The page again with the form as typed and the rule it broke; nothing of the request is kept."""
    db.discard_request_work()
    form.form_errors.append(refused.message)
    return _teams_page(failed={place: form}, status=400)


def _team_fields(form: TeamForm) -> teams.TeamFields:
    return teams.TeamFields(form.name.data, form.case_limit.data)


@bp.get("/teams")
@allows(Capability.administer)
def team_list():
    return _teams_page()


@bp.post("/teams")
@allows(Capability.administer)
def add_team():
    form = TeamForm(prefix="new")
    if not form.validate_on_submit():
        return _teams_page(failed={"new": form}, status=400)
    try:
        created = teams.create(db.session(), actor=current_user, fields=_team_fields(form))
    except teams.TeamRefused as refused:
        return _refused(form, refused, "new")
    flash(_("The team %(name)s is added.", name=created.name), "success")
    return redirect(url_for(".team_list"))


@bp.post("/teams/<int:team_id>")
@allows(Capability.administer)
def edit_team(team_id: int):
    session = db.session()
    found = teams.get(session, team_id)
    form = TeamForm(prefix=f"team-{found.id}")
    if not form.validate_on_submit():
        return _teams_page(failed={("team", found.id): form}, status=400)
    try:
        changed = teams.change(session, found, actor=current_user, fields=_team_fields(form))
    except teams.TeamRefused as refused:
        return _refused(form, refused, ("team", team_id))
    flash(_("The team is saved.") if changed else _("Nothing changed."), "success")
    return redirect(url_for(".team_list"))


@bp.post("/users/<int:user_id>/team")
@allows(Capability.administer)
def place_official(user_id: int):
    session = db.session()
    form = _member_form(user_id, _team_choices(teams.teams(session)))
    if not form.validate_on_submit():
        return _teams_page(failed={("member", user_id): form}, status=400)
    official = teams.place(session, user_id, actor=current_user, team_id=form.team_id.data or None)
    flash(_("The team of %(name)s is saved.", name=official.name), "success")
    return redirect(url_for(".team_list", _anchor=f"official-{official.id}"))
