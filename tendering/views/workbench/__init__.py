"""The official's workbench: one page per phase of the upper half of the cycle, one module per phase, one
blueprint ("workbench") for all of them."""

from flask import Blueprint, flash, redirect, render_template, url_for

from ...question.tender_lock import needs_amendment
from ...web.forms import ConfirmForm

bp = Blueprint("workbench", __name__, url_prefix="/cases/<int:case_id>")


def page(template: str, case, **context):
    return render_template(
        template,
        case=case,
        amending=needs_amendment(case),
        confirm=ConfirmForm(),
        **context,
    )


def done(message: str, endpoint: str, case_id: int, anchor: str = ""):
    flash(message, "success")
    return redirect(url_for(endpoint, case_id=case_id) + anchor)


def invalid(form) -> None:
    for field, errors in form.errors.items():
        label = getattr(form, field).label.text if hasattr(form, field) else field
        flash(f"{label}: {' '.join(errors)}", "error")


from . import articulation, clarifications, document, inheritance, stakeholders, suitability, tender  # noqa: E402,F401  (their routes)
