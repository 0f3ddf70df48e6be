"""Who may do what, when: the one access policy.

A capability is granted per role, possibly only while the case is in one of
some phase groups (`workflow/groups.py`) and only when object rules hold
(facts about the case or coalition at hand: "owns this case", "assigned
evaluator", "joined this coalition"). The same table answers everywhere:
- every route declares its capability (`allows`, or `public`), and one
  request hook checks it before the view runs, after loading the objects the
  URL names (`views/loaders.py`); start-up refuses a route that declares nothing;
- services call `require` for the capability they carry out, so the rule holds
  whoever calls them;
- templates ask `may(...)`, so a button is shown by the rule the service
  enforces, and a refusal carries that rule's reasons to the user;
- a refused attempt at a sealed capability is logged here, once (EU 2014/24
  Annex IV (g)).
The table in `docs/access.md` is generated from `POLICY` (`flask access-table`)
and a test walks every route as every role in every phase against it.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum

from babel.lists import format_list
from flask import request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlmodel import Session

from .core import audit, db
from .core.errors import GuardFailed, NotAllowed, NotFound
from .models import Case, Role, User
from .workflow.groups import GROUPS
from .workflow.labels import state_label
from .workflow.phases import in_phase

ROLE_LABELS = {
    Role.official: _l("municipal officials"),
    Role.council_member: _l("council members"),
    Role.coalition_member: _l("coalition members"),
    Role.admin: _l("administrators"),
}


class Capability(str, Enum):
    read_cases = "read_cases"
    open_case = "open_case"
    steer_case = "steer_case"
    change_tender = "change_tender"
    read_tender_box = "read_tender_box"
    open_tender_box = "open_tender_box"
    assign_evaluator = "assign_evaluator"
    read_submissions = "read_submissions"
    evaluate = "evaluate"
    score_proposal = "score_proposal"
    record_consensus = "record_consensus"
    decide_award = "decide_award"
    decide_objection = "decide_objection"
    read_award_letters = "read_award_letters"
    negotiate_agreement = "negotiate_agreement"
    edit_agreement = "edit_agreement"
    read_agreement = "read_agreement"
    propose_to_agreement = "propose_to_agreement"
    comment_on_agreement = "comment_on_agreement"
    approve_agreement = "approve_agreement"
    review_progress = "review_progress"
    account_for_outcomes = "account_for_outcomes"
    write_accountability = "write_accountability"
    manage_organisation = "manage_organisation"
    take_part_in_tender = "take_part_in_tender"
    work_in_coalition = "work_in_coalition"
    write_proposal = "write_proposal"
    submit_proposal = "submit_proposal"
    read_own_award = "read_own_award"
    choose_strategy = "choose_strategy"
    work_out_plan = "work_out_plan"
    object_to_award = "object_to_award"
    report_outcomes = "report_outcomes"
    read_confidential_indicators = "read_confidential_indicators"
    read_finances = "read_finances"
    manage_agenda = "manage_agenda"
    link_ambitions = "link_ambitions"
    read_portfolio = "read_portfolio"
    review_portfolio = "review_portfolio"
    read_finance_portfolio = "read_finance_portfolio"
    read_open_claims = "read_open_claims"
    claim_payment = "claim_payment"
    validate_outcomes = "validate_outcomes"
    approve_claim = "approve_claim"
    record_payment = "record_payment"
    administer = "administer"
    manage_own_account = "manage_own_account"
    manage_second_factor = "manage_second_factor"
    confirm_organisations = "confirm_organisations"
    follow_tenders = "follow_tenders"


@dataclass(frozen=True)
class Grant:
    """A role's share of a capability: in any phase of `phases` (every phase when empty), when all `rules` hold."""

    phases: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()


ALWAYS = Grant()


@dataclass(frozen=True)
class Policy:
    description: str  # for the generated table in docs/access.md
    grants: Mapping[Role, Grant]
    sealed: str = ""  # a refused attempt is logged as a refused read of this (Annex IV (g))
    not_now: Callable[[], str] | None = None  # the reason when the phase refuses, if better than the general one


def _every_role(grant: Grant = ALWAYS) -> dict[Role, Grant]:
    return {role: grant for role in Role}


POLICY: dict[Capability, Policy] = {
    Capability.read_cases: Policy(
        "Read the case list, case pages, workbench pages and audit trail.",
        {Role.official: ALWAYS, Role.council_member: ALWAYS},
    ),
    Capability.open_case: Policy("Open a new societal question.", {Role.official: ALWAYS}),
    Capability.steer_case: Policy(
        "Edit a case, fire its transitions and use the workbench forms (each form's own phase rules apply).",
        {Role.official: ALWAYS},
    ),
    Capability.change_tender: Policy(
        "Change what the question document shows (an amendment once published).",
        {Role.official: Grant(phases=("question_editable", "question_amendable"))},
        not_now=lambda: _("In this phase the question and the tender set-up can no longer change."),
    ),
    Capability.read_tender_box: Policy(
        "See the tender box: how many proposals, the opening, the evaluators.",
        {Role.official: ALWAYS, Role.council_member: ALWAYS},
    ),
    Capability.open_tender_box: Policy(
        "Request or confirm the four-eyes opening of the tender box.",
        {Role.official: Grant(rules=("authorised_official",))},
    ),
    Capability.assign_evaluator: Policy("Assign an evaluator to the case.", {Role.official: ALWAYS}),
    Capability.read_submissions: Policy(
        "Read submitted proposals and their attachments.",
        {
            Role.official: Grant(rules=("box_open", "authorised_official")),
            Role.council_member: Grant(phases=("award_known",)),
        },
        sealed="submission",
    ),
    Capability.evaluate: Policy(
        "See the proposals to evaluate and declare conflicts of interest.", {Role.official: ALWAYS}, sealed="evaluation"
    ),
    Capability.score_proposal: Policy(
        "Read and score a proposal one declared to have no conflict with.",
        {Role.official: Grant(rules=("declared_no_conflict",))},
        sealed="evaluation",
    ),
    Capability.record_consensus: Policy(
        "See every evaluator's scores of a proposal and record the consensus.",
        {Role.official: Grant(rules=("case_owner",))},
        sealed="consensus",
    ),
    Capability.decide_award: Policy("Record the award decision, record a reconsideration.", {Role.official: ALWAYS}),
    Capability.decide_objection: Policy(
        "Decide on an objection to the award decision, as another official than the one who took it.",
        {Role.official: Grant(phases=("award_intended",), rules=("not_the_award_decider",))},
    ),
    Capability.read_award_letters: Policy(
        "Read the award letters the municipality sent.",
        {Role.official: Grant(rules=("authorised_official",))},
        sealed="award_letter",
    ),
    Capability.negotiate_agreement: Policy(
        "See the agreement being negotiated, the history of its proposals and comments, and its approvals.",
        {Role.official: ALWAYS, Role.coalition_member: Grant(rules=("winning_coalition",))},
    ),
    Capability.edit_agreement: Policy(
        "Change the agreement's terms and indicators; accept or decline the coalition's proposals.",
        {Role.official: Grant(phases=("award_intended",), rules=("case_owner",))},
        not_now=lambda: _("The agreement is negotiated in the phase “Intended award” and fixed once concluded."),
    ),
    Capability.propose_to_agreement: Policy(
        "Propose an indicator, a change of an agreed one or a text for the monitoring arrangement.",
        {Role.coalition_member: Grant(phases=("award_intended",), rules=("winning_coalition",))},
        not_now=lambda: _("The agreement is negotiated in the phase “Intended award” and fixed once concluded."),
    ),
    Capability.comment_on_agreement: Policy(
        "Comment on the agreement being negotiated or on one of its indicators.",
        {
            Role.official: Grant(phases=("award_intended",)),
            Role.coalition_member: Grant(phases=("award_intended",), rules=("winning_coalition",)),
        },
        not_now=lambda: _("The agreement is negotiated in the phase “Intended award” and fixed once concluded."),
    ),
    Capability.approve_agreement: Policy(
        "Approve the current text of the agreement: the case owner for the municipality, the lead for the coalition.",
        {
            Role.official: Grant(phases=("award_intended",), rules=("case_owner",)),
            Role.coalition_member: Grant(phases=("award_intended",), rules=("lead_of_winning_coalition",)),
        },
        not_now=lambda: _("The agreement is negotiated in the phase “Intended award” and fixed once concluded."),
    ),
    Capability.read_agreement: Policy(
        "Read the concluded agreement as a document.",
        {
            Role.official: ALWAYS,
            Role.council_member: ALWAYS,
            Role.coalition_member: Grant(rules=("party_to_agreement",)),
        },
    ),
    Capability.review_progress: Policy("Read and answer the coalition's progress reports.", {Role.official: ALWAYS}),
    Capability.account_for_outcomes: Policy(
        "Take part in the joint accountability of a concluded agreement.",
        {Role.official: ALWAYS, Role.coalition_member: Grant(rules=("party_to_agreement",))},
    ),
    Capability.write_accountability: Policy(
        "Write, approve and close the joint evaluation.",
        {
            Role.official: Grant(phases=("accountability_open",)),
            Role.coalition_member: Grant(phases=("accountability_open",), rules=("party_to_agreement",)),
        },
        not_now=lambda: _("The joint evaluation is written in the phase “Accountability”."),
    ),
    Capability.manage_organisation: Policy(
        "Manage one's organisation and invite colleagues.", {Role.coalition_member: ALWAYS}
    ),
    Capability.take_part_in_tender: Policy(
        "Ask clarification questions, register interest, form coalitions and list one's coalitions.",
        {Role.coalition_member: ALWAYS},
    ),
    Capability.work_in_coalition: Policy(
        "See a coalition one's organisation is part of, invite and answer partners.",
        {Role.coalition_member: Grant(rules=("coalition_member",))},
    ),
    Capability.write_proposal: Policy(
        "Read, write, submit and withdraw the coalition's proposal; read its receipts.",
        {Role.coalition_member: Grant(rules=("joined_coalition",))},
        sealed="proposal",
    ),
    Capability.submit_proposal: Policy(
        "Submit the coalition's proposal or plan: only for an organisation an official confirmed.",
        {Role.coalition_member: Grant(rules=("joined_coalition", "verified_organisation"))},
    ),
    Capability.read_own_award: Policy(
        "Read the coalition's award letter and its letter on the strategy choice.",
        {Role.coalition_member: Grant(rules=("joined_coalition",))},
    ),
    # Two-stage variant (issue 15, part A) -------------------------------------------------------------------------
    Capability.choose_strategy: Policy(
        "See the realisation plans' progress; the owner chooses the strategy, rejects a plan or invites the next "
        "strategy; the owner and its evaluators see the choice and answer the chosen coalitions.",
        {Role.official: ALWAYS},
    ),
    Capability.work_out_plan: Policy(
        "Write, submit and withdraw the realisation plan of a chosen strategy; write to the municipality.",
        {Role.coalition_member: Grant(phases=("plan_open",), rules=("joined_coalition", "strategy_chosen"))},
        sealed="proposal",
        not_now=lambda: _("The realisation plan is worked out in the phase “Realisation plan”."),
    ),
    Capability.object_to_award: Policy(
        "Object to the intended award during the standstill.",
        {Role.coalition_member: Grant(phases=("award_intended",), rules=("joined_coalition",))},
    ),
    Capability.report_outcomes: Policy(
        "Report indicator values and progress, manage the coalition's API tokens.",
        {Role.coalition_member: Grant(rules=("joined_coalition",))},
    ),
    Capability.read_confidential_indicators: Policy(
        "See indicators marked confidential on the outcome monitor.",
        {Role.official: ALWAYS, Role.council_member: ALWAYS, Role.admin: ALWAYS},
    ),
    # The Maatschappelijke Agenda and the portfolio (issue 16) ----------------------------------------------------
    Capability.manage_agenda: Policy(
        "Manage the Maatschappelijke Agenda: agendas, ambitions, city indicators, the norms agreed with partners and "
        "the values the municipality measures.",
        {Role.official: ALWAYS},
    ),
    Capability.link_ambitions: Policy(
        "Link a case to the ambitions it contributes to, and its agreed indicators to city indicators.",
        {Role.official: Grant(phases=("running",))},
        not_now=lambda: _("A case is linked to ambitions while it runs."),
    ),
    Capability.read_portfolio: Policy(
        "See every commission of the municipality in one view: phases, ambitions, money, capacity and reviews.",
        {Role.official: ALWAYS, Role.council_member: ALWAYS},
    ),
    Capability.review_portfolio: Policy(
        "Record a portfolio review held with partners: which questions are taken on, continued, paused or stopped.",
        {Role.official: ALWAYS},
    ),
    # Money follows outcomes (issue 20) ------------------------------------------------------------------------------
    Capability.read_finances: Policy(
        "See an agreement's payment schedule, its approved and paid claims and what they paid for.",
        {
            Role.official: ALWAYS,
            Role.council_member: ALWAYS,
            Role.coalition_member: Grant(rules=("party_to_agreement",)),
        },
    ),
    Capability.read_finance_portfolio: Policy(
        "See the totals across all agreements: budget, committed, approved and paid, and for which outcomes.",
        {Role.official: ALWAYS, Role.council_member: ALWAYS},
    ),
    Capability.read_open_claims: Policy(
        "See claims that are not approved: awaiting validation, submitted or rejected.",
        {Role.official: ALWAYS, Role.coalition_member: Grant(rules=("party_to_agreement",))},
    ),
    Capability.claim_payment: Policy(
        "Claim a payment of the schedule that is due, with its evidence: the coalition's lead.",
        {
            Role.coalition_member: Grant(
                phases=("reporting_open",), rules=("party_to_agreement", "lead_of_winning_coalition")
            )
        },
        not_now=lambda: _("Payments are claimed while the agreement runs."),
    ),
    Capability.validate_outcomes: Policy(
        "Confirm or not confirm the indicator values an outcome claim rests on: an official who did not report them, "
        "or the validator the agreement names.",
        {
            Role.official: Grant(phases=("reporting_open",)),
            Role.coalition_member: Grant(phases=("reporting_open",), rules=("named_validator",)),
        },
        not_now=lambda: _("Values are validated for claims while the agreement runs."),
    ),
    Capability.approve_claim: Policy(
        "Approve or reject a claim: another official than who validated its values, two above the install's amount.",
        {Role.official: Grant(phases=("reporting_open",))},
        not_now=lambda: _("Claims are approved or rejected while the agreement runs."),
    ),
    Capability.record_payment: Policy(
        "Mark an approved claim paid, settle a correction after approval, export approved claims for the financial "
        "administration.",
        {Role.official: ALWAYS},
    ),
    Capability.administer: Policy(
        "Read the outbox and the refusal log, block and unblock users, keep the teams of officials and their limits "
        "of running cases.",
        {Role.admin: ALWAYS},
    ),
    Capability.manage_own_account: Policy(
        "Change one's password and e-mail address, see and end one's sessions, read one's notifications and choose "
        "how they come, log out.",
        _every_role(),
    ),
    Capability.manage_second_factor: Policy(
        "Switch a second factor (an authenticator app) for one's login on and off.",
        {Role.official: ALWAYS, Role.council_member: ALWAYS},
    ),
    Capability.confirm_organisations: Policy(
        "See the registered organisations awaiting confirmation; confirm them (noting a checked KvK number) or "
        "reject them with a reason.",
        {Role.official: ALWAYS},
    ),
    Capability.follow_tenders: Policy(
        "Follow a published tender; make, renew or revoke one's private calendar feed.", _every_role()
    ),
}


# Object rules: each is registered by the module that knows the facts it rests on --------------------------------


@dataclass(frozen=True)
class Subject:
    """The objects a request or a service call is about: a case, a coalition (by id, so that a rule can refuse
    an unknown id and a stranger's alike, without loading anything)."""

    case: Case | None = None
    coalition_id: int | None = None
    proposal_id: int | None = None


@dataclass(frozen=True)
class Rule:
    check: Callable[[Session, User, Subject], bool]
    description: str  # for the docs
    refusal: Callable[[], str]  # the reason shown to the user
    hides: bool = False  # refused as "not found", so an outsider cannot tell whether the object exists


RULES: dict[str, Rule] = {}


def rule(name: str, description: str, refusal: Callable[[], str], *, hides: bool = False):
    """Register an object rule under `name`; start-up checks that every rule the policy names is registered."""

    def register(check: Callable[[Session, User, Subject], bool]):
        RULES[name] = Rule(check, description, refusal, hides)
        return check

    return register


def validate() -> None:
    """Refuse to start when the policy names an unknown phase group or an unregistered rule."""
    for capability, policy in POLICY.items():
        for grant in policy.grants.values():
            unknown = [g for g in grant.phases if g not in GROUPS] + [r for r in grant.rules if r not in RULES]
            if unknown:
                raise RuntimeError(f"access policy {capability.value}: unknown group or rule {unknown}")


# Decisions ----------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reasons: tuple[str, ...] = ()
    error: type = NotAllowed  # what a refusal raises: NotAllowed, NotFound (the rule hides) or GuardFailed (not now;
    # a sealed capability is NotAllowed then too: sealed data is not "not yet" but closed to the reader)

    def __bool__(self) -> bool:
        return self.allowed


def decide(
    session: Session,
    capability: Capability,
    user: User,
    *,
    case: Case | None = None,
    coalition_id: int | None = None,
    proposal_id: int | None = None,
    roles_only: bool = False,
) -> Decision:
    """May `user` use `capability` on these objects now? With `roles_only`, only the role is asked (before loading)."""
    policy = POLICY[capability]
    grant = policy.grants.get(user.role) if user.is_authenticated else None
    if grant is None:
        names = format_list([str(ROLE_LABELS[r]) for r in policy.grants], style="or", locale=get_locale())
        return Decision(False, (_("Only %(roles)s may do this.", roles=names),))
    if roles_only:
        return Decision(True)
    subject = Subject(case, coalition_id, proposal_id)
    for name in grant.rules:
        found = RULES[name]
        if not found.check(session, user, subject):
            return Decision(False, (found.refusal(),), NotFound if found.hides else NotAllowed)
    if grant.phases and (case is None or not any(in_phase(case, group) for group in grant.phases)):
        state = state_label(case.state) if case is not None else ""
        reason = (
            policy.not_now() if policy.not_now else _("This is not possible in the phase “%(state)s”.", state=state)
        )
        return Decision(False, (reason,), NotAllowed if policy.sealed else GuardFailed)  # sealed: not yet, for anyone
    return Decision(True)


def require(session: Session, capability: Capability, user: User, **subject) -> None:
    """Refuse (and log, for a sealed capability) unless `decide` allows."""
    decision = decide(session, capability, user, **subject)
    if not decision:
        refuse(session, capability, user, decision, case=subject.get("case"))


def refuse(
    session: Session, capability: Capability, user: User, decision: Decision, *, case: Case | None = None, **details
):
    """Raise the refusal; an attempt at sealed data is logged first, in a transaction of its own, so it survives
    the refusal. The request's own work is dropped first: it is refused, and on SQLite its write lock would keep
    the log waiting."""
    what = POLICY[capability].sealed
    if what:
        session.rollback()
        log_refused_read(user, what=what, case=case, **details)
    raise decision.error(decision.reasons[0], list(decision.reasons))


def refuse_because(
    session: Session, capability: Capability, user: User, reason: str, *, case: Case | None = None, **details
):
    """Refuse for a fact only the view can know once it loaded the object (which proposal a submission is)."""
    refuse(session, capability, user, Decision(False, (reason,)), case=case, **details)


REFUSED = "sealed_access_refused"


def log_refused_read(user: User, *, what: str, case: Case | None = None, **details) -> None:
    """One log of refused reads of sealed data (Annex IV (g)), anonymous ones included."""
    path = request.path if request else ""
    audit.record_aside(
        action=REFUSED,
        actor=user if user.is_authenticated else None,
        case_id=case.id if case else None,
        details={"what": what, "path": path, **details},
    )


def may(capability: str, case: Case | None = None, coalition_id: int | None = None) -> bool:
    """For templates: whether the current user may, by the rule the service enforces."""
    return bool(decide(db.session(), Capability(capability), current_user, case=case, coalition_id=coalition_id))


# Routes declare their capability ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RouteAccess:
    capability: Capability | None  # None: open to everyone (public pages, login, the token-checked API)


def allows(capability: Capability):
    """Declare the capability a route carries out; `views/loaders.authorise` checks it before the view runs."""

    def mark(view):
        view.access = RouteAccess(capability)
        return view

    return mark


def public(view):
    """Declare a route open to everyone: a public page, the login, or the API (which checks its own tokens)."""
    view.access = RouteAccess(None)
    return view


# The generated table (docs/access.md) ----------------------------------------------------------------------------------


def _cell(grant: Grant | None) -> str:
    if grant is None:
        return "—"
    parts = ["yes"]
    if grant.phases:
        parts.append("in " + " or ".join(f"*{group}*" for group in grant.phases))
    if grant.rules:
        parts.append("if " + " and ".join(f"*{rule}*" for rule in grant.rules))
    return ", ".join(parts)


def table(routes: Mapping[Capability | None, list[str]], groups: Mapping[str, Mapping[str, tuple[str, ...]]]) -> str:
    """The policy as Markdown: capability x role (with the phase groups and rules each grant needs), the routes that
    carry each capability, what each rule means, and which states of each workflow each phase group holds."""
    roles = list(Role)
    lines = [
        "# Who may do what, when",
        "",
        "Generated from `tendering/access.py` by `flask --app wsgi access-table`; `tests/test_access.py` fails when this",
        "file is not current, and walks every route as every role in every phase of every workflow against it.",
        "A visitor who is not logged in has no capability: such a request is sent to the login page.",
        "",
        "| capability | " + " | ".join(r.value for r in roles) + " | sealed | routes |",
        "|---|" + "---|" * (len(roles) + 2),
    ]
    for capability, policy in POLICY.items():
        cells = [_cell(policy.grants.get(role)) for role in roles]
        lines.append(
            f"| **{capability.value}**: {policy.description} | "
            + " | ".join(cells)
            + f" | {policy.sealed or ''} | "
            + "<br>".join(f"`{r}`" for r in routes.get(capability, []))
            + " |"
        )
    lines += [
        "",
        "## Open to everyone",
        "",
        "Public pages, the login and registration, and the API (which checks its",
        "own bearer tokens, `tendering/realisation/api_tokens.py`):",
        "",
    ]
    lines += [f"- `{route}`" for route in routes.get(None, [])]
    lines += ["", "## Object rules", "", "| rule | holds when | refused as |", "|---|---|---|"]
    lines += [
        f"| *{name}* | {found.description} | {'not found (404)' if found.hides else 'not allowed (403)'} |"
        for name, found in sorted(RULES.items())
    ]
    lines += [
        "",
        "## Phase groups",
        "",
        "| group | meaning | " + " | ".join(groups) + " |",
        "|---|---|" + "---|" * len(groups),
    ]
    for group, meaning in GROUPS.items():
        lines.append(
            f"| *{group}* | {meaning} | "
            + " | ".join(", ".join(states[group]) or "—" for states in groups.values())
            + " |"
        )
    return "\n".join(lines) + "\n"
