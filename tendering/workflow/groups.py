"""The phase groups: what a state means for the rest of the app.

Every workflow file lists, under `[groups]`, the states that belong to each of
these groups (an empty list where none does), so a new state or a new variant
says in one place which pages, forms and rules apply to it. Code and templates
ask `phases.in_phase(case, group)`; they never name a state.
"""

GROUPS: dict[str, str] = {
    "question_editable": "The question document (question, outcomes, frameworks, criteria) may be changed freely.",
    "question_amendable": "The question is published: a change is a numbered amendment sent to every interested party.",
    "procedure_choosable": "The procedure (workflow variant and its settings) may still be chosen.",
    "suitability_open": "The suitability of social tendering is being decided.",
    "stakeholders_editable": "The stakeholder analysis may be changed.",
    "coalitions_forming": "Organisations may register interest, form coalitions and invite partners.",
    "tender_open": "The tender is published: clarification questions, drafts and submissions until the deadline.",
    "proposals_scorable": "The opened proposals are evaluated: declarations, scores and consensus.",
    "award_decidable": "The case owner may record (or revise) the intended award decision.",
    "strategy_choice": "The choice made in this phase selects a strategy, not the award (the two-stage variant).",
    "plan_open": "The chosen coalitions work their strategy out into a realisation plan, with the municipality reachable; "
    "the plans are sealed until the call's deadline, then opened, judged and accepted or not (the two-stage variant).",
    "award_intended": "The award letters are out: standstill, objections and negotiating the agreement.",
    "award_known": "The award is known: the submitted proposals are no longer secret to the council.",
    "reconsidering": "No award came of the round: the owner records what changes before a new round.",
    "reporting_open": "The coalition reports indicator values and progress.",
    "accountability_open": "Municipality and coalition write and approve the joint evaluation.",
    "accountability_readable": "The joint accountability exists and can be read.",
    "monitored": "The agreed outcomes are shown on the public outcome monitor.",
    "concluded": "The agreement has run its course and the case is closed.",
    # helper D, issue 15: what a closed tender's public page says happened
    "strategy_chosen": "A strategy is chosen; its coalition works it out into a realisation plan (the two-stage variant).",
    "stopped": "The case ended before an award: cancelled, or the question withdrawn.",
    "running": "The case has not ended: it may still be linked to the ambitions of the agenda it contributes to.",
}

# The OCDS tender status codelist (https://standard.open-contracting.org/1.1/en/schema/codelists/#tender-status).
OCDS_TENDER_STATUSES = frozenset(
    {"planning", "planned", "active", "cancelled", "unsuccessful", "complete", "withdrawn"}
)
