"""Random trigger sequences, random roles, random guard outcomes: the case is
always in a state of its workflow, every state change has exactly one audit
event, and the events form an unbroken chain."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from tendering.core.config import ROOT
from tendering.core.errors import DomainError
from tendering.models import AuditEvent, Role
from tendering.workflow.definitions import load_workflows
from tendering.workflow.engine import fire

WORKFLOWS = load_workflows(str(ROOT / "workflows"))
ACTORS = ["official", "council_member", "system"]

steps = st.lists(
    st.tuples(
        st.sampled_from(sorted({t for wf in WORKFLOWS.values() for t in wf.triggers} | {"no_such_trigger"})),
        st.sampled_from(ACTORS),
        st.booleans(),  # do the guards pass?
        st.sampled_from(["", "Omdat het nodig is."]),
    ),
    max_size=25,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(workflow_name=st.sampled_from(sorted(WORKFLOWS)), sequence=steps)
def test_random_trigger_sequences_keep_case_and_audit_consistent(
    app, session, make_case, official, make_user, workflow_name, sequence
):
    workflow = WORKFLOWS[workflow_name]
    council = getattr(test_random_trigger_sequences_keep_case_and_audit_consistent, "council", None)
    if council is None or council.email.split("@")[0] == "":
        council = make_user(Role.council_member)
    actors = {"official": official, "council_member": council, "system": None}
    case = make_case(workflow=workflow_name)
    changes = 0
    for trigger, actor, guards_pass, reason in sequence:
        before = case.state
        try:
            fire(
                session,
                case,
                trigger,
                actor=actors[actor],
                reason=reason,
                runner=lambda name, ctx, ok=guards_pass: [] if ok else [f"{name} fails"],
            )
        except DomainError:
            session.rollback()
            assert case.state == before
            continue
        session.commit()
        changes += 1
        assert before not in workflow.terminal
        assert case.state in workflow.states

    events = session.exec(
        select(AuditEvent)
        .where(AuditEvent.case_id == case.id, AuditEvent.action == "transition")
        .order_by(AuditEvent.id)
    ).all()
    assert len(events) == changes
    expected_from = workflow.initial
    for event in events:
        assert event.from_state == expected_from
        assert event.trigger in workflow.triggers
        expected_from = event.to_state
    assert case.state == expected_from
    assert case.version == 1 + changes
