"""Officials confirm the organisations that registered themselves: until then they cannot submit."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access import Capability, allows
from ..core import db
from ..parties import organisations
from ..web.forms import ORGANISATION_KIND_LABELS, ConfirmOrganisationForm, RejectOrganisationForm

bp = Blueprint("organisations", __name__, url_prefix="/organisations")
AWAITING_PAGE_SIZE = 200


@bp.get("/awaiting")
@allows(Capability.confirm_organisations)
def awaiting():
    """The registered organisations no official has confirmed yet, oldest first, with who registered them."""
    rows = organisations.awaiting_confirmation(db.session(), limit=AWAITING_PAGE_SIZE)
    return render_template(
        "organisations/awaiting.html",
        rows=rows,
        limit=AWAITING_PAGE_SIZE,
        kind_labels=ORGANISATION_KIND_LABELS,
        confirm_form=ConfirmOrganisationForm(),
        reject_form=RejectOrganisationForm(),
    )


@bp.post("/<int:organisation_id>/confirm")
@allows(Capability.confirm_organisations)
def confirm(organisation_id: int):
    form = ConfirmOrganisationForm()
    if form.validate_on_submit():
        organisation = organisations.confirm_organisation(
            db.session(),
            official=current_user,
            organisation_id=organisation_id,
            kvk_checked=bool(form.kvk_checked.data),
            note=form.note.data or "",
        )
        flash(_("%(name)s is confirmed: it can now submit proposals.", name=organisation.name), "success")
    else:
        flash(_("Not confirmed: the form was not complete. Try again."), "error")
    return redirect(url_for(".awaiting"))


@bp.post("/<int:organisation_id>/reject")
@allows(Capability.confirm_organisations)
def reject(organisation_id: int):
    form = RejectOrganisationForm()
    if form.validate_on_submit():
        organisation = organisations.reject_organisation(
            db.session(), official=current_user, organisation_id=organisation_id, reason=form.reason.data
        )
        flash(_("%(name)s is not confirmed; its members see your reason.", name=organisation.name), "success")
    else:
        flash(_("Say why the organisation is not confirmed."), "error")
    return redirect(url_for(".awaiting"))
