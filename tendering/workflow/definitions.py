"""Workflow definitions, read from the TOML files in `workflows/`.

A definition is data: states and transitions, each transition with the roles
allowed to fire it and the names of its guards and effects, and the phase
groups each state belongs to. Loading checks that every state, guard, effect
and group it mentions exists and that every group and state is accounted
for, so a typo or a forgotten group fails at start-up, not mid-case.
"""

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from flask import current_app

from ..models import Case, Role
from .effects import EFFECTS
from .groups import GROUPS, OCDS_TENDER_STATUSES
from .guards import GUARDS
from .labels import STATE_LABELS, TRIGGER_LABELS, WORKFLOW_LABELS

SYSTEM_ROLE = "system"
KNOWN_ROLES = {role.value for role in Role} | {SYSTEM_ROLE}


class WorkflowError(ValueError):
    """A workflow file is malformed; raised at load time."""


@dataclass(frozen=True)
class TransitionDef:
    trigger: str
    sources: tuple[str, ...]
    dest: str
    roles: frozenset[str]
    guards: tuple[str, ...] = ()
    reason_required: bool = False
    automatic: bool = False
    effects: tuple[str, ...] = ()


@dataclass(frozen=True)
class WorkflowDef:
    name: str
    initial: str
    states: tuple[str, ...]
    terminal: frozenset[str]
    transitions: tuple[TransitionDef, ...]
    groups: Mapping[str, frozenset[str]]  # group -> its states (tendering/workflow/groups.py)
    ocds_tender_status: Mapping[str, str]  # state -> OCDS tender status

    def transitions_from(self, state: str, trigger: str | None = None) -> list[TransitionDef]:
        return [t for t in self.transitions if state in t.sources and (trigger is None or t.trigger == trigger)]

    def triggers_from(self, state: str) -> list[str]:
        return list(dict.fromkeys(t.trigger for t in self.transitions_from(state)))

    @property
    def triggers(self) -> list[str]:
        return list(dict.fromkeys(t.trigger for t in self.transitions))


def parse_workflow(data: dict) -> WorkflowDef:
    """Turn the TOML data into a definition, refusing anything inconsistent."""
    try:
        states = tuple(data["states"])
        transitions = tuple(
            TransitionDef(
                trigger=t["trigger"],
                sources=tuple(t["source"]),
                dest=t["dest"],
                roles=frozenset(t["roles"]),
                guards=tuple(t.get("guards", ())),
                reason_required=bool(t.get("reason_required", False)),
                automatic=bool(t.get("automatic", False)),
                effects=tuple(t.get("effects", ())),
            )
            for t in data.get("transitions", ())
        )
        workflow = WorkflowDef(
            name=data["name"],
            initial=data["initial"],
            states=states,
            terminal=frozenset(data.get("terminal", ())),
            transitions=transitions,
            groups={name: frozenset(members) for name, members in data["groups"].items()},
            ocds_tender_status=dict(data["ocds_tender_status"]),
        )
    except (KeyError, AttributeError, TypeError) as missing:
        raise WorkflowError(f"workflow definition lacks {missing}") from None
    _validate(workflow)
    return workflow


def _validate(workflow: WorkflowDef) -> None:
    known = set(workflow.states)
    if workflow.initial not in known:
        raise WorkflowError(f"{workflow.name}: initial state {workflow.initial!r} is not a state")
    if not workflow.terminal <= known:
        raise WorkflowError(f"{workflow.name}: unknown terminal states {sorted(workflow.terminal - known)}")
    for t in workflow.transitions:
        for state in (*t.sources, t.dest):
            if state not in known:
                raise WorkflowError(f"{workflow.name}.{t.trigger}: unknown state {state!r}")
        if set(t.sources) & workflow.terminal:
            raise WorkflowError(f"{workflow.name}.{t.trigger}: leaves a terminal state")
        if unknown := set(t.guards) - GUARDS.keys():
            raise WorkflowError(f"{workflow.name}.{t.trigger}: unknown guards {sorted(unknown)}")
        if unknown := set(t.effects) - EFFECTS.keys():
            raise WorkflowError(f"{workflow.name}.{t.trigger}: unknown effects {sorted(unknown)}")
        if unknown := t.roles - KNOWN_ROLES:
            raise WorkflowError(f"{workflow.name}.{t.trigger}: unknown roles {sorted(unknown)}")
        if t.trigger not in TRIGGER_LABELS:
            raise WorkflowError(f"{workflow.name}.{t.trigger}: the trigger has no label in workflow/labels.py")
    _validate_meaning(workflow, known)


def _validate_meaning(workflow: WorkflowDef, known: set[str]) -> None:
    """Every group named and no other; every state labelled and published with an OCDS status."""
    if missing := GROUPS.keys() - workflow.groups.keys():
        raise WorkflowError(
            f"{workflow.name}: [groups] lacks {sorted(missing)} (list no states for a group that does not apply)"
        )
    if unknown := workflow.groups.keys() - GROUPS.keys():
        raise WorkflowError(f"{workflow.name}: unknown groups {sorted(unknown)}; add them to workflow/groups.py first")
    for name, members in workflow.groups.items():
        if unknown := members - known:
            raise WorkflowError(f"{workflow.name}: group {name} names unknown states {sorted(unknown)}")
    if workflow.ocds_tender_status.keys() != known:
        raise WorkflowError(f"{workflow.name}: [ocds_tender_status] must give every state, and only states")
    if unknown := set(workflow.ocds_tender_status.values()) - OCDS_TENDER_STATUSES:
        raise WorkflowError(f"{workflow.name}: not OCDS tender statuses: {sorted(unknown)}")
    if unlabelled := known - STATE_LABELS.keys():
        raise WorkflowError(f"{workflow.name}: states without a label in workflow/labels.py: {sorted(unlabelled)}")
    if workflow.name not in WORKFLOW_LABELS:
        raise WorkflowError(f"{workflow.name}: the workflow has no label in workflow/labels.py")


@lru_cache(maxsize=8)
def load_workflows(directory: str) -> dict[str, WorkflowDef]:
    workflows = {}
    for path in sorted(Path(directory).glob("*.toml")):
        workflow = parse_workflow(tomllib.loads(path.read_text(encoding="utf-8")))
        if workflow.name != path.stem:
            raise WorkflowError(f"{path.name} defines workflow {workflow.name!r}; name them alike")
        workflows[workflow.name] = workflow
    if not workflows:
        raise WorkflowError(f"no workflow definitions in {directory}")
    return workflows


def workflows() -> dict[str, WorkflowDef]:
    """The app's workflows, by name."""
    return load_workflows(current_app.config["WORKFLOWS_DIR"])


def workflow_for(case: Case) -> WorkflowDef:
    return workflows()[case.workflow]
