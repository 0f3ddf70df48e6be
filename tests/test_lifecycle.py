"""One societal question travels the whole policy cycle with the real guards."""

from datetime import timedelta

import pytest
from sqlmodel import select

from tendering.core.errors import GuardFailed
from tendering.models import AuditEvent, Role, utcnow
from tendering.procurement import reconsideration
from tendering.workflow.engine import apply_due_steps, fire

from . import factories as f


def _fire(session, case, trigger, actor, **kwargs):
    event = fire(session, case, trigger, actor=actor, **kwargs)
    session.commit()
    return event


def test_elderly_question_travels_the_whole_cycle(session, make_case, official, make_user):
    evaluators = [make_user(Role.official), make_user(Role.official)]
    member = make_user(Role.coalition_member)
    case = make_case()

    with pytest.raises(GuardFailed) as refused:
        _fire(session, case, "assess", official)
    assert "No desired outcome is described yet." in refused.value.reasons
    f.articulate(session, case, official)
    _fire(session, case, "assess", official)

    f.answer_suitability(session, case)
    _fire(session, case, "decide_to_tender", official)
    f.analyse_stakeholders(session, case)
    _fire(session, case, "start_coalition_forming", official)
    criteria = f.set_up_tender(session, case)
    _fire(session, case, "publish", official)
    assert case.state == "tendering"

    proposals = [
        f.submit_proposal(session, case, name="Coalitie A"),
        f.submit_proposal(session, case, name="Coalitie B"),
    ]
    assert apply_due_steps(session, case) == []  # deadline not yet passed
    f.pass_deadline(session, case)
    [closed] = apply_due_steps(session, case)
    session.commit()
    assert (closed.actor_id, closed.to_state) == (None, "evaluation")

    f.evaluate(session, case, proposals, evaluators, criteria)
    decision = f.decide_award(session, case, proposals[0], standstill_ends=utcnow() + timedelta(days=20))
    _fire(session, case, "propose_award", official)

    agreement, indicator = f.conclude(session, case, proposals[0], official)
    with pytest.raises(GuardFailed) as refused:
        _fire(session, case, "conclude_agreement", official)
    assert refused.value.reasons == ["The standstill period is still running."]
    decision.standstill_ends_at = utcnow() - timedelta(minutes=1)
    session.commit()
    _fire(session, case, "conclude_agreement", official)

    f.measure(session, indicator, member)
    _fire(session, case, "start_accountability", official)
    f.account(session, case, official, member)
    _fire(session, case, "close", official)

    assert case.state == "closed"
    trail = session.exec(
        select(AuditEvent).where(AuditEvent.case_id == case.id, AuditEvent.action == "transition")
    ).all()
    assert [e.to_state for e in trail] == [
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


def test_no_proposals_sends_the_case_to_reconsideration_and_back(session, make_case, official):
    case = make_case(state="tendering")
    f.pass_deadline(session, case)
    [event] = apply_due_steps(session, case)
    session.commit()
    assert event.to_state == "reconsider"
    with pytest.raises(GuardFailed) as refused:
        _fire(session, case, "rearticulate", official, reason="Nieuwe ronde.")
    assert refused.value.reasons == [
        "Record what must change (question, frameworks or urgency) before starting a new round."
    ]

    reconsideration.record(
        session, case, actor=official, changes=["frameworks", "question"], note="Budget verhogen en de vraag verbreden."
    )
    _fire(session, case, "rearticulate", official, reason="Budget verhogen en de vraag verbreden.")
    assert (case.state, case.round, case.submission_deadline) == ("articulation", 2, None)
    [first] = reconsideration.history(session, case)
    assert (first.round, first.changes) == (1, ["question", "frameworks"])


def test_open_objection_blocks_the_agreement(session, make_case, official, make_user, organisation):
    case = make_case(state="awarded")
    proposal = f.submit_proposal(session, case)
    decision = f.decide_award(session, case, proposal, standstill_ends=utcnow() - timedelta(days=1))
    f.conclude(session, case, proposal, official)
    objection = f.object_to(session, decision, organisation.id)
    with pytest.raises(GuardFailed) as refused:
        _fire(session, case, "conclude_agreement", official)
    assert refused.value.reasons == ["1 objection(s) still open."]
    objection.resolved_at = utcnow()
    session.commit()
    _fire(session, case, "conclude_agreement", official)
    assert case.state == "realisation"
