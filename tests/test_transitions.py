"""Every transition of both workflows: allowed for the right role with its
guards met; refused, with the reason, for another role or an unmet guard."""

import pytest
from sqlmodel import func, select

from tendering.access import Capability
from tendering.core.config import ROOT
from tendering.core.errors import DomainError, GuardFailed, NotAllowed
from tendering.models import AuditEvent
from tendering.workflow.definitions import load_workflows

from .conftest import roles_without

WORKFLOWS = load_workflows(str(ROOT / "workflows"))
CASES = [
    pytest.param(workflow, transition, source, id=f"{workflow.name}:{transition.trigger}:{source}->{transition.dest}")
    for workflow in WORKFLOWS.values()
    for transition in workflow.transitions
    for source in transition.sources
]


def rival_guards(workflow, transition, source) -> set[str]:
    """Guards of the other transitions sharing the trigger, not of this one."""
    return {
        name for t in workflow.transitions_from(source, transition.trigger) if t is not transition for name in t.guards
    } - set(transition.guards)


def only_this_transition_passes(workflow, transition, source):
    """A guard runner under which `transition` is the one its trigger picks."""
    rivals = rival_guards(workflow, transition, source)
    return lambda name, ctx: ["blocked"] if name in rivals else []


def audit_count(session, case):
    return session.exec(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.case_id == case.id, AuditEvent.action == "transition")
    ).one()


@pytest.mark.parametrize("workflow, transition, source", CASES)
def test_official_fires_transition_when_guards_met(
    app, session, make_case, official, workflow, transition, source, monkeypatch
):
    """The engine fires the transition and calls its named effects; the effects' own work is tested with their services."""
    from tendering.workflow.effects import EFFECTS
    from tendering.workflow.engine import fire

    called = []
    monkeypatch.setattr(
        "tendering.workflow.engine.EFFECTS",
        {name: (lambda _s, _c, _a, name=name: called.append(name)) for name in EFFECTS},
    )
    case = make_case(workflow=workflow.name, state=source)
    event = fire(
        session,
        case,
        transition.trigger,
        actor=official,
        reason="Besproken met de wethouder.",
        runner=only_this_transition_passes(workflow, transition, source),
    )
    session.commit()
    assert case.state == transition.dest
    assert (event.from_state, event.to_state, event.actor_id, event.reason) == (
        source,
        transition.dest,
        official.id,
        "Besproken met de wethouder.",
    )
    assert audit_count(session, case) == 1
    assert called == list(transition.effects)


@pytest.mark.parametrize("workflow, transition, source", CASES)
@pytest.mark.parametrize("role", roles_without(Capability.steer_case))
def test_other_roles_are_refused(app, session, make_case, make_user, workflow, transition, source, role):
    from tendering.workflow.engine import fire

    case = make_case(workflow=workflow.name, state=source)
    with pytest.raises(NotAllowed):
        fire(session, case, transition.trigger, actor=make_user(role), reason="x", runner=lambda n, c: [])
    session.rollback()
    assert case.state == source and audit_count(session, case) == 0


GUARDED = [p for p in CASES if p.values[1].guards]


@pytest.mark.parametrize("workflow, transition, source", GUARDED)
def test_unmet_guard_refuses_with_its_reason(app, session, make_case, official, workflow, transition, source):
    from tendering.workflow.engine import fire

    case = make_case(workflow=workflow.name, state=source)
    blocked = {transition.guards[-1]} | rival_guards(workflow, transition, source)
    with pytest.raises(GuardFailed) as refused:
        fire(
            session,
            case,
            transition.trigger,
            actor=official,
            reason="x",
            runner=lambda name, ctx: [f"{name} is not met"] if name in blocked else [],
        )
    assert f"{transition.guards[-1]} is not met" in refused.value.reasons
    session.rollback()
    assert case.state == source and audit_count(session, case) == 0


REASONED = [p for p in CASES if p.values[1].reason_required]


@pytest.mark.parametrize("workflow, transition, source", REASONED)
def test_transition_without_required_reason_is_refused(app, session, make_case, official, workflow, transition, source):
    from tendering.workflow.engine import fire

    case = make_case(workflow=workflow.name, state=source)
    with pytest.raises(DomainError, match="Give a reason"):
        fire(session, case, transition.trigger, actor=official, reason="   ", runner=lambda n, c: [])
    assert case.state == source


def test_trigger_from_wrong_state_is_refused(app, session, make_case, official):
    from tendering.workflow.engine import fire

    case = make_case()
    with pytest.raises(DomainError, match="not possible in the phase"):
        fire(session, case, "publish", actor=official)


@pytest.mark.parametrize("terminal", ["not_tendered", "cancelled", "closed"])
def test_terminal_states_have_no_way_out(app, session, make_case, official, terminal):
    from tendering.workflow.engine import checklist

    case = make_case(state=terminal)
    assert checklist(session, case, official) == ([], None)


def test_only_the_engine_and_officials_close_submissions(app, session, make_case):
    from tendering.workflow.engine import fire

    from . import factories as f

    case = make_case(state="tendering")
    f.pass_deadline(session, case)
    event = fire(session, case, "close_submissions", actor=None)
    assert event.actor_id is None and event.to_state == "reconsider"
