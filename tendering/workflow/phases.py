"""Ask what a case's phase allows, by group (tendering/workflow/groups.py), never by state name.

The groups' states come from the case's own workflow file, so the two-stage
variant or a new state changes the answers without a line of code here.
"""

from datetime import datetime

from sqlalchemy import and_, false, or_

from ..models import Case, utcnow
from .definitions import workflow_for, workflows
from .groups import GROUPS


def _known(group: str) -> str:
    if group not in GROUPS:
        raise KeyError(f"unknown phase group {group!r}; see tendering/workflow/groups.py")
    return group


def in_phase(case: Case, group: str) -> bool:
    """Whether the case's state belongs to the group in its workflow."""
    return case.state in workflow_for(case).groups[_known(group)]


def states_in(group: str) -> tuple[str, ...]:
    """The states of the group in any workflow, in the order of the cycle (for choices offered over all cases)."""
    members = set().union(*(w.groups[_known(group)] for w in workflows().values()))
    return tuple(dict.fromkeys(s for w in workflows().values() for s in w.states if s in members))


def where_in_phase(group: str):
    """The SQL condition "the case is in the group", per workflow."""
    _known(group)
    clauses = [
        and_(Case.workflow == w.name, Case.state.in_(sorted(w.groups[group])))
        for w in workflows().values()
        if w.groups[group]
    ]
    return or_(*clauses) if clauses else false()


def accepting_proposals(case: Case, now: datetime | None = None) -> bool:
    """The tender is open and its deadline has not passed: drafts, submissions and withdrawals are possible."""
    return (
        in_phase(case, "tender_open")
        and case.submission_deadline is not None
        and (now or utcnow()) < case.submission_deadline
    )


def ocds_tender_status(case: Case) -> str:
    return workflow_for(case).ocds_tender_status[case.state]
