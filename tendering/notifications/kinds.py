"""The kinds of notification: who is told, and whether one may turn it off.

A mandatory kind (a receipt, an award letter, a decision on one's own objection) is always mailed at once,
whatever the recipient chose; the others follow the recipient's preference. A sealed kind tells who bids, so it
only ever goes to the members of the coalition it concerns (see `service.notify`).
"""

from dataclasses import dataclass
from enum import Enum

from flask_babel import lazy_gettext as _l

from ..models import Role


class Kind(str, Enum):
    publication = "publication"
    amendment = "amendment"
    answers = "answers"
    coalition_invitation = "coalition_invitation"
    coalition_acceptance = "coalition_acceptance"
    shared_partner = "shared_partner"
    receipt = "receipt"
    opening = "opening"
    award_letter = "award_letter"
    strategy_choice = "strategy_choice"
    plan_message = "plan_message"
    objection = "objection"
    objection_decision = "objection_decision"
    agreement_approval = "agreement_approval"
    payment_claim = "payment_claim"
    report_due = "report_due"
    report_overdue = "report_overdue"
    report_response = "report_response"
    accountability = "accountability"
    follow_up_case = "follow_up_case"
    deadline_reminder = "deadline_reminder"
    standstill_end = "standstill_end"


EVERYONE = frozenset(Role)  # anyone logged in may follow a tender
COALITION = frozenset({Role.coalition_member})
OFFICIALS = frozenset({Role.official})
BOTH = COALITION | OFFICIALS


@dataclass(frozen=True)
class KindInfo:
    label: object  # a lazy string
    audience: object  # who gets it, in a sentence (a lazy string)
    mandatory: bool = False
    sealed: bool = False
    roles: frozenset = EVERYONE  # who can ever get it: the settings page offers a person only these


KINDS: dict[Kind, KindInfo] = {
    Kind.publication: KindInfo(_l("Publication of a tender"), _l("Organisations that follow the tender.")),
    Kind.amendment: KindInfo(_l("Amendments to a tender"), _l("Organisations that follow the tender.")),
    Kind.answers: KindInfo(
        _l("Answers to clarification questions (nota van inlichtingen)"),
        _l("Organisations that follow the tender, and everyone who asked a question."),
    ),
    Kind.coalition_invitation: KindInfo(
        _l("Invitations to join a coalition"), _l("The invited organisation."), sealed=True, roles=COALITION
    ),
    Kind.coalition_acceptance: KindInfo(
        _l("A partner accepts your coalition's invitation"),
        _l("The lead organisation of the coalition."),
        sealed=True,
        roles=COALITION,
    ),
    Kind.shared_partner: KindInfo(
        _l("A partner is also in another coalition"),
        _l("The lead organisations of the coalitions concerned."),
        sealed=True,
        roles=COALITION,
    ),
    Kind.receipt: KindInfo(
        _l("Receipt of a submitted proposal"),
        _l("The member who submitted; it is always sent and only to the submitting coalition."),
        mandatory=True,
        sealed=True,
        roles=COALITION,
    ),
    Kind.opening: KindInfo(
        _l("Opening of the tender box"),
        _l("Members of each coalition that submitted, on their own."),
        sealed=True,
        roles=COALITION,
    ),
    Kind.award_letter: KindInfo(
        _l("Award letters"), _l("Every coalition that submitted; always sent."), mandatory=True, roles=COALITION
    ),
    Kind.strategy_choice: KindInfo(
        _l("Choice of a strategy"),
        _l("Every coalition that submitted a strategy; always sent."),
        mandatory=True,
        roles=COALITION,
    ),
    Kind.plan_message: KindInfo(
        _l("Messages about a realisation plan"),
        _l("The chosen coalition and the case's officials."),
        sealed=True,
        roles=BOTH,
    ),
    Kind.objection: KindInfo(_l("New objections to an award"), _l("The officials of the case."), roles=OFFICIALS),
    Kind.objection_decision: KindInfo(
        _l("Decisions on objections"), _l("The objecting organisation; always sent."), mandatory=True, roles=COALITION
    ),
    Kind.agreement_approval: KindInfo(
        _l("Agreement approvals and conclusion"), _l("The coalition and the officials of the case."), roles=BOTH
    ),
    Kind.payment_claim: KindInfo(_l("Payment claims"), _l("The coalition and the officials of the case."), roles=BOTH),
    Kind.report_due: KindInfo(_l("A report is due"), _l("The members of the reporting coalition."), roles=COALITION),
    Kind.report_overdue: KindInfo(
        _l("A report is overdue"), _l("The reporting coalition and the case's officials."), roles=BOTH
    ),
    Kind.report_response: KindInfo(
        _l("Acknowledgements of and questions on progress reports"),
        _l("The members of the reporting coalition."),
        roles=COALITION,
    ),
    Kind.accountability: KindInfo(
        _l("Accountability approvals and publication"), _l("The coalition and the officials of the case."), roles=BOTH
    ),
    Kind.follow_up_case: KindInfo(
        _l("A follow-up case is opened"), _l("The coalition of the closed case."), roles=COALITION
    ),
    Kind.deadline_reminder: KindInfo(
        _l("Reminders of clarification and submission deadlines"),
        _l("Organisations that follow the tender and coalitions taking part."),
    ),
    Kind.standstill_end: KindInfo(_l("The standstill period ends"), _l("The officials of the case."), roles=OFFICIALS),
}

IMMEDIATELY, DIGEST, OFF = "immediately", "digest", "off"
MODES = {IMMEDIATELY: _l("Immediately"), DIGEST: _l("In a daily digest"), OFF: _l("Off")}


def info(kind: Kind) -> KindInfo:
    return KINDS[kind]


def kinds_for(role: Role) -> list[Kind]:
    """The kinds a person in this role can ever be sent, in the order of `Kind`."""
    return [kind for kind in Kind if role in KINDS[kind].roles]
