"""Human names of states and triggers, in the reader's language."""

from flask_babel import lazy_gettext as _l

STATE_LABELS = {
    "articulation": _l("Question articulation"),
    "suitability": _l("Suitability decision"),
    "stakeholder_analysis": _l("Stakeholder analysis"),
    "coalition_forming": _l("Coalition forming"),
    "tendering": _l("Tendering"),
    "evaluation": _l("Evaluation"),
    "realisation_planning": _l("Realisation plan"),
    "awarded": _l("Intended award"),
    "realisation": _l("Realisation"),
    "accountability": _l("Accountability"),
    "reconsider": _l("Reconsideration"),
    "not_tendered": _l("Not tendered"),
    "cancelled": _l("Cancelled"),
    "closed": _l("Closed"),
}

TRIGGER_LABELS = {
    "assess": _l("Assess suitability"),
    "decide_to_tender": _l("Decide to tender socially"),
    "decide_not_to_tender": _l("Decide not to tender"),
    "start_coalition_forming": _l("Start coalition forming"),
    "publish": _l("Publish the tender"),
    "close_submissions": _l("Close submissions"),
    "select_strategy": _l("Select the strategy"),
    "propose_award": _l("Propose the award"),
    "declare_unsuccessful": _l("Declare unsuccessful"),
    "conclude_agreement": _l("Conclude the agreement"),
    "start_accountability": _l("Start joint accountability"),
    "close": _l("Close the case"),
    "rearticulate": _l("Articulate the question anew"),
    "withdraw": _l("Withdraw the question"),
    "cancel": _l("Cancel the case"),
}

WORKFLOW_LABELS = {
    "social_tender": _l("Strategy and realisation at once"),
    "strategy_then_realisation": _l("First the strategy, then the realisation"),
}


def state_label(state: str) -> str:
    return str(STATE_LABELS.get(state, state))


def trigger_label(trigger: str) -> str:
    return str(TRIGGER_LABELS.get(trigger, trigger))


ACTION_LABELS = {
    "case_opened": _l("Case opened"),
    "case_edited": _l("Case edited"),
    "outcome_added": _l("Desired outcome added"),
    # Evaluation a court would accept (issue 15, part C)
    "evaluation_rules_set": _l("Evaluation rules set"),
    "evaluator_shortfall_excepted": _l("Exception recorded for a proposal with fewer than two evaluators"),
    "objection_decided": _l("Objection decided, letter sent"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


REASON_HINTS = {
    "decide_not_to_tender": _l(
        "Why not, and which route is chosen instead (a subsidy, a regular procurement, doing it ourselves)?"
    ),
    "declare_unsuccessful": _l("Why no proposal can be awarded."),
    "rearticulate": _l("What must change: the question, the frameworks (including the budget), or the urgency?"),
    "withdraw": _l("Why the question is withdrawn."),
    "cancel": _l("Why the case is cancelled."),
}


def reason_hint(trigger: str) -> str:
    hint = REASON_HINTS.get(trigger)
    return str(hint) if hint else ""
