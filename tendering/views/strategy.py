"""The two-stage variant: the owner's strategy choice, the realisation plans' progress and judgement, the
messages with the chosen coalitions; a coalition's own letter on the strategy choice."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ..access import Capability, allows
from ..core import db
from ..core.errors import NotFound
from ..core.i18n import local_to_utc
from ..models import Case, Coalition, MembershipStatus, ProposalStage, utcnow
from ..parties import coalitions
from ..procurement import scoring, stages, strategy, tender_box
from ..web.forms import InviteNextForm, PlanMessageForm, PlanRejectionForm, StrategyChoiceForm
from ..workflow.labels import trigger_label
from ..workflow.phases import in_phase

bp = Blueprint("strategy", __name__)


def _choice_form(session, case) -> StrategyChoiceForm:
    form = StrategyChoiceForm()
    form.proposal_ids.choices = [
        SelectChoice(r.entry.proposal_id, f"{r.entry.coalition.name} ({r.total:.2f})")
        for r in strategy.candidates(session, case)
    ]
    return form


def _rejection_form(session, case) -> PlanRejectionForm:
    form = PlanRejectionForm()
    called = stages.box_of(session, case).coalition_ids or frozenset()
    form.coalition_id.choices = [
        SelectChoice(c.coalition.id, c.coalition.name)
        for c in strategy.chosen(session, case)
        if c.coalition.id in called
    ]
    return form


@bp.get("/cases/<int:case_id>/strategy")
@allows(Capability.choose_strategy)
def index(case: Case):
    session = db.session()
    is_owner = current_user.id == case.owner_id
    authorised = tender_box.is_authorised_official(session, case, current_user)
    choosing = in_phase(case, "strategy_choice")
    planning = in_phase(case, "plan_open")
    box = stages.box_of(session, case, ProposalStage.realisation)
    return render_template(
        "strategy/index.html",
        case=case,
        is_owner=is_owner,
        authorised=authorised,
        choosing=choosing,
        planning=planning,
        ranking=scoring.ranking(session, case, ProposalStage.strategy) if is_owner else [],
        passed=scoring.requirements_passed(session, case, ProposalStage.strategy) if is_owner else {},
        choice=strategy.choice_of(session, case),
        chosen=strategy.chosen(session, case),
        called=box.coalition_ids or frozenset(),
        deadline=box.deadline,
        deadline_passed=box.deadline is not None and box.deadline <= utcnow(),
        plans_submitted=tender_box.submitted_count(session, case) if planning else 0,
        plans_open=planning and tender_box.is_open(session, case),
        letters=strategy.letters(session, case) if authorised else [],
        threads=strategy.all_messages(session, case) if authorised else {},
        reserve=strategy.next_in_reserve(session, case) if planning else None,
        form=_choice_form(session, case),
        message_form=PlanMessageForm(),
        rejection_form=_rejection_form(session, case),
        invite_form=InviteNextForm(),
        select_label=trigger_label("select_strategy"),
    )


@bp.post("/cases/<int:case_id>/strategy/choice")
@allows(Capability.choose_strategy)
def choose(case: Case):
    session = db.session()
    form = _choice_form(session, case)
    if not form.validate_on_submit():
        flash(_("Choose the strategies, give the motivation and the deadline for the realisation plan."), "error")
        return redirect(url_for(".index", case_id=case.id))
    strategy.choose(
        session,
        case,
        actor=current_user,
        proposal_ids=form.proposal_ids.data,
        motivation=form.motivation.data,
        plan_deadline=local_to_utc(form.plan_deadline.data),
    )
    flash(
        _(
            "The strategy choice is recorded. Send the letters with “%(action)s” on the case page.",
            action=trigger_label("select_strategy"),
        ),
        "success",
    )
    return redirect(url_for(".index", case_id=case.id))


@bp.get("/cases/<int:case_id>/strategy/letters/<int:letter_id>")
@allows(Capability.read_award_letters)
def letter(case: Case, letter_id: int):
    found, coalition = strategy.get_letter(db.session(), case, letter_id)
    return render_template("strategy/letter_page.html", letter=found, coalition=coalition)


def _coalition_of(session, case: Case, coalition_id: int) -> Coalition:
    coalition = session.get(Coalition, coalition_id)
    if coalition is None or coalition.case_id != case.id:
        raise NotFound(_("This coalition does not exist."))
    return coalition


@bp.post("/cases/<int:case_id>/strategy/messages/<int:coalition_id>")
@allows(Capability.choose_strategy)
def reply(case: Case, coalition_id: int):
    session = db.session()
    coalition = _coalition_of(session, case, coalition_id)
    form = PlanMessageForm()
    if not form.validate_on_submit():
        flash(_("Write your message."), "error")
    else:
        strategy.send_message(session, case, coalition, actor=current_user, text=form.text.data)
        flash(_("Your message is sent to %(name)s.", name=coalition.name), "success")
    return redirect(url_for(".index", case_id=case.id) + f"#messages-{coalition_id}")


@bp.post("/cases/<int:case_id>/strategy/rejections")
@allows(Capability.choose_strategy)
def reject(case: Case):
    session = db.session()
    form = _rejection_form(session, case)
    if not form.validate_on_submit():
        flash(_("Choose the realisation plan and give the motivation why it is not accepted."), "error")
    else:
        strategy.reject_plan(
            session, case, actor=current_user, coalition_id=form.coalition_id.data, motivation=form.motivation.data
        )
        flash(_("It is recorded that the realisation plan is not accepted; the coalition is told."), "success")
    return redirect(url_for(".index", case_id=case.id) + "#judgement")


@bp.post("/cases/<int:case_id>/strategy/invitations")
@allows(Capability.choose_strategy)
def invite_next(case: Case):
    session = db.session()
    form = InviteNextForm()
    if not form.validate_on_submit():
        flash(_("Give the deadline for the realisation plan and the motivation."), "error")
    else:
        row = strategy.invite_next(
            session,
            case,
            actor=current_user,
            plan_deadline=local_to_utc(form.plan_deadline.data),
            motivation=form.motivation.data,
        )
        flash(
            _(
                "The coalition %(name)s is invited to work out its strategy.",
                name=session.get(Coalition, row.coalition_id).name,
            ),
            "success",
        )
    return redirect(url_for(".index", case_id=case.id) + "#judgement")


# --- the coalition's side -------------------------------------------------------------


@bp.get("/coalitions/<int:coalition_id>/strategy")
@allows(Capability.read_own_award)
def own_letter(coalition_id: int):
    session = db.session()
    coalition, membership = coalitions.get_for(session, coalition_id, current_user)
    if membership.status != MembershipStatus.accepted:
        raise NotFound(_("This coalition does not exist or you are not part of it."))
    case = session.get(Case, coalition.case_id)
    found = strategy.letter_for(session, case, coalition)
    if found is None:
        raise NotFound(_("Your coalition has no letter on a strategy choice."))
    return render_template(
        "strategy/coalition.html",
        case=case,
        coalition=coalition,
        letter=found,
        called=strategy.is_called(session, case, coalition),
    )
