from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import audit, db, fragments, tender_box
from ..articulation import coach_question
from ..cases import add_outcome, can_steer_case, edit_case, get_case, list_cases, open_case, outcomes_of
from ..forms import CaseForm, NewCaseForm, OutcomeForm, TransitionForm
from ..models import Role
from ..security import roles_required
from ..tender_lock import can_change_tender, needs_amendment
from ..workflow.diagram import layout
from ..workflow.engine import apply_due_steps, checklist, fire, workflow_for
from ..workflow.labels import STATE_LABELS, WORKFLOW_LABELS, action_label, reason_hint, state_label, trigger_label

bp = Blueprint("cases", __name__, url_prefix="/cases")
readers = roles_required(Role.official, Role.council_member)
officials = roles_required(Role.official)
TIMELINE_LATEST = 25  # events on the case page; the full audit trail has its own page


@bp.get("/")
@readers
def index():
    state = request.args.get("state") or None
    if state is not None and state not in STATE_LABELS:
        state = None
    mine = request.args.get("mine") == "1" and current_user.role == Role.official
    rows = list_cases(db.session(), state=state, owner=current_user if mine else None)
    return render_template("cases/index.html", rows=rows, state=state, mine=mine, states=STATE_LABELS)


@bp.route("/new", methods=["GET", "POST"])
@officials
def new():
    form = NewCaseForm()
    if form.validate_on_submit():
        case = open_case(db.session(), actor=current_user, fields=form.fields(), workflow=form.workflow.data)
        db.commit()
        flash(_("Case %(reference)s is opened.", reference=case.reference), "success")
        return redirect(url_for(".show", case_id=case.id))
    return render_template(
        "cases/form.html", form=form, case=None, amending=False, flags=coach_question(form.question.data or "")
    )


@bp.get("/<int:case_id>/audit-trail")
@readers
def audit_trail(case_id: int):
    """Every event of the case, newest first."""
    session = db.session()
    case = get_case(session, case_id)
    events = audit.timeline(session, case, hidden=tender_box.hidden_events(session, case, current_user))
    return render_template("cases/audit_trail.html", case=case, events=events, action_label=action_label)


@bp.get("/<int:case_id>")
@readers
def show(case_id: int):
    session = db.session()
    case = get_case(session, case_id)
    if apply_due_steps(session, case):
        db.commit()

    def body():
        workflow = workflow_for(case)
        options, changes_at = checklist(session, case, current_user)
        return render_template(
            "cases/_show.html",
            case=case,
            outcomes=outcomes_of(session, case),
            options=options,
            events=audit.timeline(session, case, limit=TIMELINE_LATEST + 1, hidden=tender_box.hidden_events(session, case, current_user)),
            timeline_latest=TIMELINE_LATEST,
            diagram=layout(workflow),
            workflow=workflow,
            outcome_form=OutcomeForm(),
            can_steer=can_steer_case(current_user),
            can_change=can_change_tender(case),
            amending=needs_amendment(case),
            action_label=action_label,
            reason_hint=reason_hint,
            workflow_label=WORKFLOW_LABELS.get(case.workflow, case.workflow),
        ), changes_at

    return render_template("cases/show.html", case=case, body=fragments.cached("case", (case.id, current_user.id), body))


@bp.route("/<int:case_id>/edit", methods=["GET", "POST"])
@officials
def edit(case_id: int):
    session = db.session()
    case = get_case(session, case_id)
    form = CaseForm(obj=case)
    if request.method == "GET":
        form.version.data = case.version
    if form.validate_on_submit():
        expected = int(form.version.data) if (form.version.data or "").isdigit() else -1
        edit_case(
            session, case, actor=current_user, fields=form.fields(), expected_version=expected,
            amendment_note=form.amendment_note.data or "",
        )
        db.commit()
        flash(_("The case is saved."), "success")
        return redirect(url_for(".show", case_id=case.id))
    return render_template(
        "cases/form.html", form=form, case=case, amending=needs_amendment(case), flags=coach_question(form.question.data or "")
    )


@bp.post("/<int:case_id>/outcomes")
@officials
def outcome(case_id: int):
    session = db.session()
    case = get_case(session, case_id)
    form = OutcomeForm()
    if not form.validate_on_submit():
        flash(_("Describe the outcome."), "error")
    else:
        add_outcome(
            session, case, actor=current_user, description=form.description.data, indicator_hint=form.indicator_hint.data or "",
            amendment_note=form.amendment_note.data or "",
        )
        db.commit()
        flash(_("The outcome is added."), "success")
    return redirect(url_for(".show", case_id=case.id) + "#outcomes")


@bp.post("/<int:case_id>/transition")
@officials
def transition(case_id: int):
    session = db.session()
    case = get_case(session, case_id)
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
    db.commit()
    flash(
        _(
            "“%(action)s” done: the case is now in the phase “%(state)s”.",
            action=trigger_label(event.trigger),
            state=state_label(event.to_state),
        ),
        "success",
    )
    return redirect(url_for(".show", case_id=case.id))
