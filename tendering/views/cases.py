from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access import Capability, allows, may
from ..agenda import portfolio
from ..core import audit, db, generations
from ..models import Case
from ..procurement import tender_box
from ..question import follow_up
from ..question.cases import (
    add_outcome,
    edit_case,
    get_outcome,
    list_cases,
    open_case,
    outcomes_of,
    update_outcome,
)
from ..question.coaching import coach_question
from ..question.tender_lock import needs_amendment
from ..realisation import claims
from ..web import fragments
from ..web.forms import CaseForm, NewCaseForm, OutcomeForm, TransitionForm
from ..web.numbers import whole
from ..workflow.diagram import layout
from ..workflow.engine import catch_up, checklist, fire, workflow_for
from ..workflow.labels import STATE_LABELS, WORKFLOW_LABELS, action_label, reason_hint, state_label, trigger_label

bp = Blueprint("cases", __name__, url_prefix="/cases")
TIMELINE_LATEST = 25  # events on the case page; the full audit trail has its own page


@bp.get("/")
@allows(Capability.read_cases)
def index():
    state = request.args.get("state") or None
    if state is not None and state not in STATE_LABELS:
        state = None
    mine = request.args.get("mine") == "1" and may("steer_case")
    rows = list_cases(db.session(), state=state, owner=current_user if mine else None)
    return render_template("cases/index.html", rows=rows, state=state, mine=mine, states=STATE_LABELS)


@bp.route("/new", methods=["GET", "POST"])
@allows(Capability.open_case)
def new():
    form = NewCaseForm()
    if form.validate_on_submit():
        case = open_case(db.session(), actor=current_user, fields=form.fields(), workflow=form.workflow.data)
        flash(_("Case %(reference)s is opened.", reference=case.reference), "success")
        return redirect(url_for(".show", case_id=case.id))
    return render_template(
        "cases/form.html",
        form=form,
        case=None,
        amending=False,
        flags=coach_question(form.question.data or ""),
        load=portfolio.load_of(db.session(), current_user),
        team_load=portfolio.team_load_of(db.session(), current_user),
    )


def _hidden_events(session, case) -> frozenset[str]:
    """What the reader may not see of the case's audit trail: the sealed bidding, and claims before approval."""
    return tender_box.hidden_events(session, case, current_user) | claims.hidden_events(session, case, current_user)


@bp.get("/<int:case_id>/audit-trail")
@allows(Capability.read_cases)
def audit_trail(case: Case):
    """Every event of the case, newest first."""
    session = db.session()
    events = audit.timeline(session, case, hidden=_hidden_events(session, case))
    return render_template("cases/audit_trail.html", case=case, events=events, action_label=action_label)


@bp.get("/<int:case_id>")
@allows(Capability.read_cases)
def show(case: Case):
    session = db.session()
    catch_up(case)

    def body():
        workflow = workflow_for(case)
        options, changes_at = checklist(session, case, current_user)
        return render_template(
            "cases/_show.html",
            case=case,
            outcomes=outcomes_of(session, case),
            lineage=follow_up.lineage(session, case),
            options=options,
            events=audit.timeline(session, case, limit=TIMELINE_LATEST + 1, hidden=_hidden_events(session, case)),
            timeline_latest=TIMELINE_LATEST,
            diagram=layout(workflow),
            workflow=workflow,
            outcome_form=OutcomeForm(),
            amending=needs_amendment(case),
            action_label=action_label,
            reason_hint=reason_hint,
            workflow_label=WORKFLOW_LABELS.get(case.workflow, case.workflow),
        ), changes_at

    return render_template(
        "cases/show.html",
        case=case,
        body=fragments.cached("case", (case.id, current_user.id), body, (generations.case(case.id),)),
    )


@bp.route("/<int:case_id>/edit", methods=["GET", "POST"])
@allows(Capability.steer_case)
def edit(case: Case):
    session = db.session()
    form = CaseForm(obj=case)
    if request.method == "GET":
        form.version.data = case.version
    if form.validate_on_submit():
        found = whole(str(form.version.data or ""))
        expected = found if found is not None else -1
        edit_case(
            session,
            case,
            actor=current_user,
            fields=form.fields(),
            expected_version=expected,
            amendment_note=form.amendment_note.data or "",
        )
        flash(_("The case is saved."), "success")
        return redirect(url_for(".show", case_id=case.id))
    return render_template(
        "cases/form.html",
        form=form,
        case=case,
        amending=needs_amendment(case),
        flags=coach_question(form.question.data or ""),
    )


@bp.post("/<int:case_id>/outcomes")
@allows(Capability.steer_case)
def outcome(case: Case):
    session = db.session()
    form = OutcomeForm()
    if not form.validate_on_submit():
        flash(_("Describe the outcome."), "error")
    else:
        add_outcome(
            session,
            case,
            actor=current_user,
            description=form.description.data,
            indicator_hint=form.indicator_hint.data or "",
            amendment_note=form.amendment_note.data or "",
        )
        flash(_("The outcome is added."), "success")
    return redirect(url_for(".show", case_id=case.id) + "#outcomes")


@bp.route("/<int:case_id>/outcomes/<int:outcome_id>", methods=["GET", "POST"])
@allows(Capability.steer_case)
def edit_outcome(case: Case, outcome_id: int):
    session = db.session()
    outcome = get_outcome(session, case, outcome_id)
    form = OutcomeForm(obj=outcome)
    if form.validate_on_submit():
        update_outcome(
            session,
            case,
            outcome,
            actor=current_user,
            description=form.description.data,
            indicator_hint=form.indicator_hint.data or "",
            amendment_note=form.amendment_note.data or "",
        )
        flash(_("The outcome is saved."), "success")
        return redirect(url_for("workbench.articulation_page", case_id=case.id) + "#outcomes-heading")
    return render_template(
        "cases/outcome_form.html", case=case, outcome=outcome, form=form, amending=needs_amendment(case)
    )


@bp.post("/<int:case_id>/transition")
@allows(Capability.steer_case)
def transition(case: Case):
    session = db.session()
    form = TransitionForm()
    if not form.validate_on_submit():
        abort(400)
    event = fire(
        session,
        case,
        form.trigger.data,
        actor=current_user,
        reason=form.reason.data or "",
        expected_version=form.version.data,
    )
    flash(
        _(
            "“%(action)s” done: the case is now in the phase “%(state)s”.",
            action=trigger_label(event.trigger),
            state=state_label(event.to_state),
        ),
        "success",
    )
    return redirect(url_for(".show", case_id=case.id))
