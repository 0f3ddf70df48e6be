"""The award decision, its letters and objections; the coalition's own letter."""

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access import Capability, allows
from ..core import db
from ..core.errors import NotFound
from ..models import Case, MembershipStatus
from ..parties import coalitions
from ..procurement import award, evaluator_shortfall, objections, scoring
from ..question.question_document import to_pdf
from ..web.forms import AwardDecisionForm, ObjectionForm, ResolutionForm
from ..workflow.labels import trigger_label
from ..workflow.phases import in_phase

bp = Blueprint("award", __name__)


def _decision_form(session, case) -> AwardDecisionForm:
    form = AwardDecisionForm()
    form.proposal_id.choices = [(r.entry.proposal_id, r.entry.coalition.name) for r in award.eligible(session, case)]
    return form


@bp.get("/cases/<int:case_id>/award")
@allows(Capability.decide_award)
def index(case: Case):
    session = db.session()
    is_owner = current_user.id == case.owner_id
    decision = award.current_decision(session, case)
    lodged = award.objections(session, case)
    return render_template(
        "award/index.html",
        case=case,
        is_owner=is_owner,
        ranking=scoring.ranking(session, case) if is_owner else [],
        passed=scoring.requirements_passed(session, case) if is_owner else {},
        decision=decision,
        letters=award.letters(session, decision) if decision else [],
        objections=lodged,
        objection_letters=objections.letters_for(session, [o.id for o, _org in lodged]),
        deciders=objections.deciders(session, [o for o, _org in lodged]),
        shortfalls=evaluator_shortfall.shortfalls(session, case) if is_owner else {},
        exceptions=evaluator_shortfall.exceptions_of(session, case) if is_owner else {},
        form=_decision_form(session, case),
        resolution_form=ResolutionForm(),
    )


@bp.post("/cases/<int:case_id>/award/decision")
@allows(Capability.decide_award)
def decide(case: Case):
    session = db.session()
    form = _decision_form(session, case)
    if not form.validate_on_submit():
        flash(_("Choose the winning proposal and give the motivation and its advantages."), "error")
        return redirect(url_for(".index", case_id=case.id))
    award.decide(
        session,
        case,
        actor=current_user,
        proposal_id=form.proposal_id.data,
        motivation=form.motivation.data,
        advantages=form.advantages.data,
    )
    flash(
        _(
            "The intended award decision is recorded. Send the letters with “%(action)s” on the case page.",
            action=trigger_label("propose_award"),
        ),
        "success",
    )
    return redirect(url_for(".index", case_id=case.id))


def _letter_page(case: Case, letter, coalition, *, pdf: bool):
    html = render_template("award/letter_page.html", case=case, letter=letter, coalition=coalition, pdf=pdf)
    if not pdf:
        return html
    return Response(
        to_pdf(html),
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="gunningsbrief-{case.reference}-{letter.coalition_id}.pdf"'
        },
    )


@bp.get("/cases/<int:case_id>/award/letters/<int:letter_id>")
@bp.get("/cases/<int:case_id>/award/letters/<int:letter_id>.pdf", endpoint="letter_pdf", defaults={"pdf": True})
@allows(Capability.read_award_letters)
def letter(case: Case, letter_id: int, pdf: bool = False):
    found, coalition = award.get_letter(db.session(), case, letter_id)
    return _letter_page(case, found, coalition, pdf=pdf)


@bp.post("/cases/<int:case_id>/award/objections/<int:objection_id>")
@allows(Capability.decide_objection)
def resolve(case: Case, objection_id: int):
    session = db.session()
    form = ResolutionForm()
    if not form.validate_on_submit():
        flash(_("Choose whether the objection is upheld or rejected and give the motivation."), "error")
    else:
        objections.decide(
            session,
            case,
            objection_id,
            actor=current_user,
            outcome=form.outcome.data,
            motivation=form.resolution.data,
        )
        flash(_("The decision on the objection is recorded and sent to the objecting coalition."), "success")
    return redirect(url_for(".index", case_id=case.id) + "#objections")


# --- the coalition's side -------------------------------------------------------------


def _own(coalition_id: int):
    """The coalition, its case and its letter, for a user of an organisation that joined it."""
    session = db.session()
    coalition, membership = coalitions.get_for(session, coalition_id, current_user)
    if membership.status != MembershipStatus.accepted:
        raise NotFound(_("This coalition does not exist or you are not part of it."))
    case = session.get(Case, coalition.case_id)
    found = award.letter_for(session, case, coalition)
    if found is None:
        raise NotFound(_("Your coalition has no award letter yet."))
    return session, coalition, case, found


@bp.get("/coalitions/<int:coalition_id>/award")
@allows(Capability.read_own_award)
def own_letter(coalition_id: int):
    session, coalition, case, found = _own(coalition_id)
    decision = award.current_decision(session, case)
    own_objections = award.objections_by(session, case, coalition.id)
    return render_template(
        "award/coalition.html",
        case=case,
        coalition=coalition,
        letter=found,
        decision=decision,
        may_object=in_phase(case, "award_intended") and award.in_standstill(decision),
        objections=own_objections,
        objection_letters=objections.letters_for(session, [o.id for o in own_objections]),
        form=ObjectionForm(),
    )


@bp.get("/coalitions/<int:coalition_id>/award.pdf")
@allows(Capability.read_own_award)
def own_letter_pdf(coalition_id: int):
    _session, coalition, case, found = _own(coalition_id)
    return _letter_page(case, found, coalition, pdf=True)


@bp.post("/coalitions/<int:coalition_id>/award/objection")
@allows(Capability.object_to_award)
def object_to(coalition_id: int):
    session, coalition, case, _found = _own(coalition_id)
    form = ObjectionForm()
    if not form.validate_on_submit():
        flash(_("Describe your objection."), "error")
    else:
        award.lodge_objection(session, case, coalition, actor=current_user, text=form.text.data)
        flash(
            _("Your objection is registered. The municipality will not conclude the agreement before it is resolved."),
            "success",
        )
    return redirect(url_for(".own_letter", coalition_id=coalition_id))
