import tomllib

import pytest

from tendering.core.config import ROOT
from tendering.workflow.definitions import WorkflowError, load_workflows, parse_workflow
from tendering.workflow.diagram import layout

# The social tender's states, groups and OCDS statuses, without its transitions: each test brings its own.
BASE = {
    k: v
    for k, v in tomllib.loads((ROOT / "workflows" / "social_tender.toml").read_text()).items()
    if k != "transitions"
}
A, B = "articulation", "closed"  # a state with a way out, and a terminal one


def test_both_workflows_load():
    assert set(load_workflows(str(ROOT / "workflows"))) == {"social_tender", "strategy_then_realisation"}


@pytest.mark.parametrize("name", ["social_tender", "strategy_then_realisation"])
def test_every_state_is_reachable_and_every_non_terminal_state_has_a_way_out(name):
    workflow = load_workflows(str(ROOT / "workflows"))[name]
    reachable, frontier = {workflow.initial}, [workflow.initial]
    while frontier:
        state = frontier.pop()
        for t in workflow.transitions_from(state):
            if t.dest not in reachable:
                reachable.add(t.dest)
                frontier.append(t.dest)
    assert reachable == set(workflow.states)
    for state in set(workflow.states) - workflow.terminal:
        assert workflow.transitions_from(state), state


@pytest.mark.parametrize(
    "transition, message",
    [
        ({"trigger": "assess", "source": [A], "dest": "c", "roles": ["official"]}, "unknown state 'c'"),
        ({"trigger": "assess", "source": [A], "dest": B, "roles": ["official"], "guards": ["nope"]}, "unknown guards"),
        (
            {"trigger": "assess", "source": [A], "dest": B, "roles": ["official"], "effects": ["nope"]},
            "unknown effects",
        ),
        ({"trigger": "assess", "source": [A], "dest": B, "roles": ["wizard"]}, "unknown roles"),
        ({"trigger": "assess", "source": [B], "dest": A, "roles": ["official"]}, "leaves a terminal state"),
        ({"trigger": "go", "source": [A], "dest": B, "roles": ["official"]}, "trigger has no label"),
        ({"source": [A], "dest": B, "roles": ["official"]}, "lacks 'trigger'"),
    ],
)
def test_inconsistent_definitions_fail_at_load(transition, message):
    with pytest.raises(WorkflowError, match=message):
        parse_workflow({**BASE, "transitions": [transition]})


def test_diagram_places_every_state_once_and_the_main_path_top_down():
    workflow = load_workflows(str(ROOT / "workflows"))["social_tender"]
    diagram = layout(workflow)
    ys = {node.state: node.y for node in diagram.nodes}
    assert sorted(ys) == sorted(workflow.states)
    path = [
        "articulation",
        "suitability",
        "stakeholder_analysis",
        "coalition_forming",
        "tendering",
        "evaluation",
        "awarded",
        "realisation",
        "accountability",
        "closed",
    ]
    assert [ys[s] for s in path] == sorted(ys[s] for s in path)
    assert not any(edge.trigger == "cancel" for edge in diagram.edges)
