"""Human names of states and triggers, in the reader's language."""

from collections.abc import Callable

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
    # Two-stage variant (issue 15, part A)
    "strategy_choice_recorded": _l("Strategy choice recorded"),
    "strategy_letters_sent": _l("Letters on the strategy choice sent"),
    "strategy_count_set": _l("Number of strategies to choose set"),
    "plan_message_sent": _l("Message about the realisation plan sent"),
    "realisation_plan_rejected": _l("Realisation plan not accepted"),
    "next_strategy_invited": _l("Next-ranked strategy invited to work out a plan"),
    # end of part A
    "case_opened": _l("Case opened"),
    "case_edited": _l("Case edited"),
    "outcome_added": _l("Desired outcome added"),
    # Every action an audit event records (helper D, issue 15); tests/test_audit_labels.py scans the code for them.
    "transition": _l("Phase changed"),
    "framework_added": _l("Framework added"),
    "framework_removed": _l("Framework removed"),
    "suitability_recorded": _l("Suitability decision recorded"),
    "stakeholder_added": _l("Stakeholder added"),
    "stakeholder_updated": _l("Stakeholder updated"),
    "stakeholder_removed": _l("Stakeholder removed"),
    "contact_logged": _l("Contact moment logged"),
    "criterion_added": _l("Award criterion added"),
    "criterion_removed": _l("Award criterion removed"),
    "procedure_set": _l("Procedure and deadlines set"),
    "variant_set": _l("Tender variant set"),
    "question_document_frozen": _l("Question document frozen"),
    "interest_registered": _l("Interest registered"),
    "clarification_asked": _l("Clarification question asked"),
    "clarification_answered": _l("Clarification question answered"),
    "nota_published": _l("Published answers (nota van inlichtingen) released"),
    "coalition_formed": _l("Coalition formed"),
    "partner_invited": _l("Partner invited"),
    "partner_accepted": _l("Partner accepted the invitation"),
    "partner_declined": _l("Partner declined the invitation"),
    "invitation_accepted": _l("Invitation to join an organisation accepted"),
    "colleague_invited": _l("Colleague invited to the organisation"),
    "organisation_registered": _l("Organisation registered"),
    "attachment_added": _l("Attachment added"),
    "attachment_removed": _l("Attachment removed"),
    "proposal_draft_saved": _l("Proposal draft saved"),
    "proposal_submitted": _l("Proposal submitted"),
    "proposal_withdrawn": _l("Proposal withdrawn"),
    "box_opening_requested": _l("Opening of the tender box requested"),
    "box_opened": _l("Tender box opened"),
    "sealed_access_refused": _l("Refused access to sealed data"),
    "evaluator_assigned": _l("Evaluator assigned"),
    "conflict_declared": _l("Conflict of interest declared"),
    "no_conflict_declared": _l("No conflict of interest declared"),
    "evaluation_submitted": _l("Evaluation submitted"),
    "consensus_recorded": _l("Consensus recorded"),
    "award_decision_recorded": _l("Intended award decision recorded"),
    "award_letters_sent": _l("Award letters sent"),
    "objection_lodged": _l("Objection lodged"),
    "reconsideration_recorded": _l("Reconsideration recorded"),
    "agreement_saved": _l("Agreement saved"),
    "agreement_frozen": _l("Agreement text frozen"),
    "indicator_agreed": _l("Indicator agreed"),
    "indicator_changed": _l("Agreed indicator changed"),
    "agreement_contribution_made": _l("Proposal or comment on the agreement made"),
    "agreement_proposal_accepted": _l("Proposal for the agreement accepted"),
    "agreement_proposal_declined": _l("Proposal for the agreement declined"),
    "agreement_approved": _l("Agreement approved"),
    "agreement_approvals_withdrawn": _l("Approvals of the agreement withdrawn after a change"),
    # The Maatschappelijke Agenda (issue 16)
    "agenda_created": _l("Agenda created"),
    "agenda_changed": _l("Agenda changed"),
    "ambition_added": _l("Ambition added to the agenda"),
    "ambition_changed": _l("Ambition changed"),
    "city_indicator_added": _l("City indicator added"),
    "city_indicator_changed": _l("City indicator changed"),
    "city_norms_agreed": _l("Norms of a city indicator agreed with partners"),
    "city_value_reported": _l("Value of a city indicator reported"),
    "city_value_corrected": _l("Value of a city indicator corrected"),
    "city_values_imported": _l("Values of city indicators imported"),
    "case_ambitions_changed": _l("Ambitions of the case changed"),
    "case_ambitions_carried_over": _l("Ambitions of the case carried over to the new agenda"),
    "indicator_linked_to_city": _l("Indicator linked to a city indicator"),
    "portfolio_reviewed": _l("Portfolio review recorded"),
    "portfolio_decision": _l("Decision of a portfolio review"),
    "team_created": _l("Team of officials added"),
    "team_changed": _l("Team of officials renamed or its limit changed"),
    "official_team_changed": _l("Official placed in another team"),
    # Money follows outcomes (issue 20)
    "payment_term_added": _l("Payment added to the schedule"),
    "payment_term_removed": _l("Payment removed from the schedule"),
    "payment_claimed": _l("Payment claimed"),
    "measurement_validated": _l("Value confirmed for an outcome payment"),
    "measurement_not_confirmed": _l("Value not confirmed for an outcome payment"),
    "payment_claim_first_approval": _l("Claim approved by a first official"),
    "payment_claim_approved": _l("Claim approved"),
    "payment_claim_rejected": _l("Claim rejected"),
    "payment_recorded": _l("Claim marked paid"),
    "payment_claim_flagged": _l("Claim flagged: a value it rests on was corrected"),
    "payment_claim_settled": _l("Correction of an approved claim settled"),
    "indicator_removed": _l("Indicator removed"),
    "measurement_reported": _l("Measurement reported"),
    "measurement_corrected": _l("Measurement corrected"),
    "measurements_imported": _l("Measurements imported"),
    "progress_report_submitted": _l("Progress report submitted"),
    "progress_report_acknowledged": _l("Progress report acknowledged"),
    "progress_report_questioned": _l("Questions asked about a progress report"),
    "joint_evaluation_saved": _l("Joint evaluation saved"),
    "joint_evaluation_approved": _l("Joint evaluation approved"),
    "accountability_published": _l("Accountability report published"),
    "follow_up_opened": _l("Follow-up case opened"),
    "inheritance_taken_over": _l("Outcomes, indicators, stakeholders and budget taken over from the earlier case"),
    "outcome_updated": _l("Desired outcome changed"),
    "indicator_draft_updated": _l("Inherited indicator changed"),
    "indicator_draft_removed": _l("Inherited indicator removed"),
    "api_token_created": _l("API token created"),
    "api_token_revoked": _l("API token revoked"),
    # Calendars
    "tender_followed": _l("Tender followed"),
    "tender_unfollowed": _l("Tender no longer followed"),
    "calendar_feed_created": _l("Calendar feed address made"),
    "calendar_feed_revoked": _l("Calendar feed address revoked"),
    # Notifications, accounts, organisations, single sign-on and the second factor (issue 17)
    "notification_preferences_saved": _l("Notification settings saved"),
    "notifications_unsubscribed": _l("Unsubscribed from a kind of notification"),
    "organisation_confirmed": _l("Organisation confirmed"),
    "organisation_rejected": _l("Organisation not confirmed"),
    "password_reset_requested": _l("Link to choose a new password requested"),
    "password_reset": _l("New password chosen through a mailed link"),
    "email_change_requested": _l("Change of e-mail address requested"),
    "email_changed": _l("E-mail address changed"),
    "sso_account_created": _l("Account made at a first single sign-on login"),
    "sso_account_linked": _l("Account linked to single sign-on"),
    "sso_login_refused": _l("Single sign-on login refused"),
    "sso_role_changed": _l("Role changed by single sign-on"),
    "sso_access_removed": _l("Access removed by single sign-on"),
    "second_factor_enrolment_started": _l("Second factor set-up started"),
    "second_factor_enabled": _l("Second factor switched on"),
    "second_factor_disabled": _l("Second factor switched off"),
    "recovery_code_used": _l("Recovery code used"),
    "login": _l("Signed in"),
    "logout": _l("Signed out"),
    "password_changed": _l("Password changed"),
    "session_ended": _l("Session ended"),
    "sessions_ended": _l("All sessions ended"),
    "registration_requested": _l("Registration requested"),
    "registration_for_existing_account": _l("Registration attempted for an existing account"),
    "user_blocked": _l("User blocked"),
    "user_unblocked": _l("User unblocked"),
    # Evaluation a court would accept (issue 15, part C)
    "evaluation_rules_set": _l("Evaluation rules set"),
    "evaluator_shortfall_excepted": _l("Exception recorded for a proposal with fewer than two evaluators"),
    "objection_decided": _l("Objection decided, letter sent"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


# What an event changed, in words (helper D, issue 15): the module that writes an action may register how its
# details read, so the audit trail says more than the label without the timeline knowing every domain.
EVENT_SUMMARIES: dict[str, Callable[[dict], list[str]]] = {}


def summarises(action: str):
    """Register how the details of `action` read in the audit trail (lines in the reader's language)."""

    def register(summary):
        EVENT_SUMMARIES[action] = summary
        return summary

    return register


def event_summary(event) -> list[str]:
    summary = EVENT_SUMMARIES.get(event.action)
    return summary(event.details or {}) if summary else []


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
