"""Reconsideration: what must change before a new round, on a page of its own that the case's checklist links to."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access import Capability, allows
from ..core import db
from ..models import Case
from ..procurement import reconsideration
from ..web.forms import ReconsiderationForm
from ..workflow.labels import trigger_label
from ..workflow.phases import in_phase

bp = Blueprint("reconsideration", __name__)


def _form() -> ReconsiderationForm:
    form = ReconsiderationForm()
    form.changes.choices = [(key, str(label)) for key, label in reconsideration.CHANGES.items()]
    return form


def _page(case: Case, form: ReconsiderationForm):
    session = db.session()
    return render_template(
        "reconsideration/index.html",
        case=case,
        form=form,
        may_record=current_user.id == case.owner_id and in_phase(case, "reconsidering"),
        history=reconsideration.history(session, case),
        change_labels=reconsideration.CHANGES,
    )


@bp.get("/cases/<int:case_id>/reconsideration")
@allows(Capability.decide_award)
def index(case: Case):
    form = _form()
    current = reconsideration.of_round(db.session(), case)
    if current is not None:
        form.changes.data, form.note.data = list(current.changes), current.note
    return _page(case, form)


@bp.post("/cases/<int:case_id>/reconsideration")
@allows(Capability.decide_award)
def record(case: Case):
    form = _form()
    if not form.validate_on_submit():
        flash(_("Not saved: check the fields marked below."), "error")
        return _page(case, form)
    reconsideration.record(db.session(), case, actor=current_user, changes=form.changes.data, note=form.note.data or "")
    flash(
        _(
            "The reconsideration is recorded. Start the new round with “%(action)s” on the case page.",
            action=trigger_label("rearticulate"),
        ),
        "success",
    )
    return redirect(url_for("cases.show", case_id=case.id))
