"""Phases as data: what a state means comes from the workflow files' groups, and no code names a state.

A new state joins its groups in the workflow file; a forgotten group, an unknown one or an unlabelled state
fails at start-up; and the scan below keeps state names out of Python and templates for good.
"""

import re
from pathlib import Path

import pytest

from tendering.core.config import ROOT
from tendering.workflow import phases
from tendering.workflow.definitions import WorkflowError, load_workflows, parse_workflow
from tendering.workflow.groups import GROUPS

from .test_workflow_definitions import BASE

WORKFLOWS = load_workflows(str(ROOT / "workflows"))
STATES = {s for w in WORKFLOWS.values() for s in w.states}
SOURCES = [
    p for p in (ROOT / "tendering").rglob("*.py") if not {"workflow", "migrations"} & set(p.relative_to(ROOT).parts)
]
SOURCES += list((ROOT / "templates").rglob("*.html"))
# Quoted words that are state names but mean something else where they stand.
NOT_A_STATE = {
    ("tendering/parties/users.py", "tendering"): "a word a password may not be made of",
    ("tendering/views/evaluation.py", "evaluation"): "the blueprint's name",
    ("tendering/access.py", "evaluation"): "what a refused read was after, in the log of refusals",
    ("tendering/views/accountability.py", "accountability"): "the blueprint's name",
    ("tendering/views/api.py", "tendering"): "the API's authentication realm",
    ("tendering/realisation/accountability.py", "evaluation"): "the joint evaluation, a key of the page's context",
    ("tendering/models/coalitions.py", "realisation"): "a kind of contribution",
    ("templates/accountability/index.html", "evaluation"): "the id of the joint evaluation's block",
    ("tendering/open_data/releases.py", "cancelled"): "the OCDS tender status (codelist tenderStatus)",
    ("tendering/jobs/__init__.py", "tendering"): "the name of the job queue",
    ("tendering/realisation/accountability.py", "accountability"): "the name of a mail template",
    ("tendering/notifications/kinds.py", "accountability"): "a kind of notification",
}
LITERAL = re.compile(r"""["']([a-z_]+)["']""")
GRANT_PHASES = re.compile(r"""phases=\(([^)]*)\)""")  # the access policy's grants (tendering/access.py)
GROUP_USE = re.compile(r"""(?:in_phase\([^,()]+(?:\([^()]*\))?,\s*|states_in\(|where_in_phase\()["'](\w+)["']""")


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_no_code_or_template_names_a_state():
    found = []
    for path in SOURCES:
        name = str(path.relative_to(ROOT))
        for number, line in enumerate(_text(path).splitlines(), start=1):
            found += [
                f"{name}:{number}: {word!r}"
                for word in LITERAL.findall(line)
                if word in STATES and (name, word) not in NOT_A_STATE
            ]
    assert not found, "ask phases.in_phase(case, group) instead:\n" + "\n".join(found)


def test_every_group_asked_for_exists_and_every_group_is_asked_for():
    used = {group for path in SOURCES for group in GROUP_USE.findall(_text(path))}
    used |= {
        group for path in SOURCES for listed in GRANT_PHASES.findall(_text(path)) for group in LITERAL.findall(listed)
    }
    assert used - GROUPS.keys() == set()
    assert GROUPS.keys() - used == set(), "a group nothing asks for is dead data"


def test_an_unknown_group_is_an_error_not_a_no(app, make_case):
    with pytest.raises(KeyError, match="unknown phase group"):
        phases.in_phase(make_case(), "tender_opne")


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d["groups"].pop("tender_open"), r"\[groups\] lacks \['tender_open'\]"),
        (lambda d: d["groups"].update(tender_closed=[]), "unknown groups"),
        (lambda d: d["groups"].update(tender_open=["tendring"]), "unknown states"),
        (lambda d: d["ocds_tender_status"].pop("tendering"), "must give every state"),
        (lambda d: d["ocds_tender_status"].update(tendering="open"), "not OCDS tender statuses"),
        (
            lambda d: d.update(
                states=[*d["states"], "pilot"], ocds_tender_status={**d["ocds_tender_status"], "pilot": "active"}
            ),
            "without a label",
        ),
        (lambda d: d.pop("groups"), "lacks 'groups'"),
    ],
)
def test_a_workflow_that_forgets_what_a_state_means_fails_at_load(change, message):
    data = {
        **BASE,
        "groups": dict(BASE["groups"]),
        "ocds_tender_status": dict(BASE["ocds_tender_status"]),
        "transitions": [],
    }
    change(data)
    with pytest.raises(WorkflowError, match=message):
        parse_workflow(data)


def test_the_two_stage_variant_is_known_by_its_groups_not_its_name():
    assert WORKFLOWS["social_tender"].groups["strategy_choice"] == frozenset()
    assert WORKFLOWS["strategy_then_realisation"].groups["strategy_choice"] == {"evaluation"}


def test_groups_answer_per_workflow_and_in_sql(app, make_case, session):
    from sqlmodel import select

    from tendering.models import Case

    one, two = make_case(state="tendering"), make_case(state="evaluation")
    two.workflow = "strategy_then_realisation"
    session.commit()
    assert phases.in_phase(one, "tender_open") and not phases.in_phase(two, "tender_open")
    assert phases.in_phase(two, "strategy_choice") and not phases.in_phase(one, "strategy_choice")
    assert session.exec(select(Case.id).where(phases.where_in_phase("tender_open"))).all() == [one.id]
    assert session.exec(select(Case.id).where(phases.where_in_phase("strategy_choice"))).all() == [two.id]
    assert phases.states_in("monitored") == ("realisation", "accountability", "closed")
