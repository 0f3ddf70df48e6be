"""Evaluators declare conflicts and score; the owner records the consensus."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access import Capability, allows
from ..core import db
from ..core.errors import NotFound
from ..models import Case
from ..parties import coalitions, shared_partners
from ..procurement import consensus_panel, evaluator_shortfall, scoring, tender_box
from ..web.forms import ConfirmForm, DeclarationForm, ShortfallExceptionForm
from ..web.numbers import whole

bp = Blueprint("evaluation", __name__, url_prefix="/cases/<int:case_id>/evaluation")


def _entry(session, case, proposal_id: int) -> scoring.Entry:
    entry = next((e for e in scoring.entries(session, case) if e.proposal_id == proposal_id), None)
    if entry is None:
        raise NotFound(_("This proposal does not exist."))
    return entry


def _scores_from_form(criteria) -> dict[int, tuple[float | None, str]]:
    """Read `score-<id>` and `motivation-<id>`; an unreadable number is a clear error, not a crash."""
    scores = {}
    for criterion in criteria:
        raw = (request.form.get(f"score-{criterion.id}") or "").strip().replace(",", ".")
        try:
            value = float(raw) if raw else None
        except ValueError:
            value = -1.0  # refused by the range check with the criterion's name
        scores[criterion.id] = (value, request.form.get(f"motivation-{criterion.id}", ""))
    return scores


@bp.get("")
@allows(Capability.evaluate)
def index(case: Case):
    session = db.session()
    entries = scoring.entries(session, case) if tender_box.may_read_submissions(session, case, current_user) else []
    mine = {e.proposal_id: e for e, u in scoring.all_evaluations(session, case) if u.id == current_user.id}
    members = {e.coalition.id: coalitions.members(session, e.coalition) for e in entries}
    done, total = scoring.progress(session, case)
    is_owner = current_user.id == case.owner_id
    return render_template(
        "evaluation/index.html",
        case=case,
        entries=entries,
        mine=mine,
        members=members,
        done=done,
        total=total,
        is_owner=is_owner,
        ranking=scoring.ranking(session, case) if is_owner else [],
        declaration_form=DeclarationForm(),
        shortfalls=evaluator_shortfall.shortfalls(session, case) if entries else {},
        exceptions=evaluator_shortfall.exceptions_of(session, case) if entries else {},
        exception_form=ShortfallExceptionForm(),
        participants=consensus_panel.participants(session, [e.proposal_id for e in entries]) if is_owner else {},
        shared=shared_partners.after_opening(session, case) if entries else [],
    )


@bp.post("/<int:proposal_id>/exception")
@allows(Capability.record_consensus)
def record_exception(case: Case, proposal_id: int):
    session = db.session()
    entry = _entry(session, case, proposal_id)
    form = ShortfallExceptionForm()
    if not form.validate_on_submit():
        flash(_("Give the reason for the exception."), "error")
    else:
        evaluator_shortfall.record_exception(session, case, entry, actor=current_user, reason=form.reason.data)
        flash(_("The exception is recorded."), "success")
    return redirect(url_for(".index", case_id=case.id) + f"#p-{proposal_id}")


@bp.post("/<int:proposal_id>/declaration")
@allows(Capability.evaluate)
def declare(case: Case, proposal_id: int):
    session = db.session()
    form = DeclarationForm()
    if not form.validate_on_submit():
        flash(_("Say whether you have a conflict of interest."), "error")
        return redirect(url_for(".index", case_id=case.id))
    scoring.declare(
        session,
        case,
        _entry(session, case, proposal_id),
        actor=current_user,
        has_conflict=form.conflict.data == "yes",
        note=form.note.data or "",
    )
    flash(_("Your declaration is recorded."), "success")
    return redirect(url_for(".index", case_id=case.id))


def _score_page(session, case, entry, status=200):
    evaluation = scoring.evaluation_of(session, entry.proposal_id, current_user)
    return render_template(
        "evaluation/score.html",
        case=case,
        entry=entry,
        submission=entry.submission,
        criteria=scoring.criteria(session, case),
        evaluation=evaluation,
        scores=scoring.scores_of(session, evaluation) if evaluation else {},
        others=scoring.visible_scores(session, case, entry, current_user),
        confirm=ConfirmForm(),
    ), status


@bp.get("/<int:proposal_id>")
@allows(Capability.score_proposal)
def score(case: Case, proposal_id: int):
    session = db.session()
    return _score_page(session, case, _entry(session, case, proposal_id))


@bp.post("/<int:proposal_id>")
@allows(Capability.score_proposal)
def save_score(case: Case, proposal_id: int):
    session = db.session()
    entry = _entry(session, case, proposal_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    requirements = request.form.get("requirements_met")
    scoring.save_scores(
        session,
        case,
        entry,
        actor=current_user,
        scores=_scores_from_form(scoring.criteria(session, case)),
        requirements_met={"yes": True, "no": False}.get(requirements),
        requirements_note=request.form.get("requirements_note", ""),
        submit=request.form.get("action") == "submit",
    )
    flash(
        _("Your evaluation is submitted.") if request.form.get("action") == "submit" else _("Your scores are saved."),
        "success",
    )
    return redirect(url_for(".score", case_id=case.id, proposal_id=proposal_id))


@bp.route("/<int:proposal_id>/consensus", methods=["GET", "POST"])
@allows(Capability.record_consensus)
def consensus(case: Case, proposal_id: int):
    session = db.session()
    entry = _entry(session, case, proposal_id)
    criteria = scoring.criteria(session, case)
    if request.method == "POST":
        if not ConfirmForm().validate_on_submit():
            abort(400)
        scores = {
            cid: (value, motivation)
            for cid, (value, motivation) in _scores_from_form(criteria).items()
            if value is not None
        }
        participant_ids = [number for v in request.form.getlist("participants") if (number := whole(v)) is not None]
        scoring.record_consensus(
            session, case, entry, actor=current_user, scores=scores, participant_ids=participant_ids
        )
        flash(_("The consensus is recorded."), "success")
        return redirect(url_for(".index", case_id=case.id))
    return render_template(
        "evaluation/consensus.html",
        case=case,
        entry=entry,
        criteria=criteria,
        others=scoring.visible_scores(session, case, entry, current_user),
        consensus=scoring.consensus_of(session, case),
        candidates=[u for u in consensus_panel.candidates(session, case, entry.proposal_id) if u.id != current_user.id],
        taking_part={
            u.id for u in consensus_panel.participants(session, [entry.proposal_id]).get(entry.proposal_id, [])
        },
        confirm=ConfirmForm(),
    )
