"""The deadlines of a case, from where each date lives: the tender, an amendment, the boxes of both stages, the
standstill and the reports due under an agreement; and what concerns whom."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from tendering.core.errors import DomainError
from tendering.models import (
    AwardDecision,
    AwardLetter,
    EvaluatorAssignment,
    QuestionDocument,
    Role,
    SentReminder,
    Team,
    utcnow,
)
from tendering.notifications.reminders import REMINDED, send_reminders
from tendering.procurement import stages
from tendering.question import deadlines, following
from tendering.question.tender_setup import set_procedure
from tendering.realisation import monitoring

from .monitoring_helpers import add_realised
from .seal_helpers import plans_to_stage, to_stage

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def kinds(found):
    return sorted(d.kind for d in found)


def one(found, kind, **match):
    hits = [d for d in found if d.kind == kind and all(getattr(d, k) == v for k, v in match.items())]
    assert len(hits) == 1, (kind, match, hits)
    return hits[0]


def test_a_published_tender_has_its_clarification_submission_and_opening(session, sealed):
    case = sealed.case
    found = deadlines.of_case(session, case)
    assert kinds(found) == ["clarification", "opening", "submission"]
    assert one(found, "clarification").at == case.clarification_deadline
    assert one(found, "submission").at == case.submission_deadline
    opening = one(found, "opening")
    assert opening.at == case.submission_deadline and not opening.settled
    assert one(found, "submission").uid == f"submission-{case.id}@{deadlines.UID_DOMAIN}"
    assert all(d.sequence == 0 and d.public and d.coalition_ids is None for d in found)


def test_an_amendment_moves_the_deadline_in_force_keeping_the_uid_and_raising_the_sequence(session, sealed, official):
    case = sealed.case
    before = one(deadlines.of_case(session, case), "submission")
    moved = case.submission_deadline + timedelta(days=5)
    set_procedure(
        session,
        case,
        actor=official,
        clarification_deadline=case.clarification_deadline,
        submission_deadline=moved,
        min_partners=case.min_partners,
        amendment_note="De termijn is verlengd met vijf dagen.",
    )
    session.commit()
    after = one(deadlines.of_case(session, case), "submission")
    assert after.at == moved and after.uid == before.uid
    assert after.sequence == before.sequence + 1
    assert after.last_modified > before.last_modified


def test_the_opening_is_when_the_box_was_opened(session, sealed):
    to_stage(session, sealed, "opened")
    opening = one(deadlines.of_case(session, sealed.case), "opening")
    assert opening.settled and opening.at <= utcnow() and opening.sequence == 1


def test_an_unpublished_case_has_no_tender_deadlines(session, make_case):
    case = make_case(state="coalition_forming")
    case.clarification_deadline, case.submission_deadline = utcnow() + timedelta(days=3), utcnow() + timedelta(days=9)
    session.commit()
    assert deadlines.of_case(session, case) == []


def test_each_stage_of_the_two_stage_variant_has_its_deadlines(session, sealed_plans):
    case = sealed_plans.case
    found = deadlines.of_case(session, case)
    choice = stages.choice_of(session, case)
    plan = one(found, "submission", stage="realisation")
    assert plan.at == choice.plan_deadline and plan.plan_call == choice.plan_call
    assert plan.coalition_ids == frozenset(c.id for c in sealed_plans.coalitions.values())
    assert not plan.public  # only for the coalitions called
    strategy = one(found, "submission", stage="strategy")
    assert strategy.at == case.submission_deadline and strategy.public
    assert one(found, "opening", stage="realisation").at == choice.plan_deadline
    window = deadlines.falling_between(
        session, choice.plan_deadline - timedelta(minutes=1), choice.plan_deadline + timedelta(minutes=1)
    )
    assert {(d.kind, d.stage) for d in window} == {("submission", "realisation"), ("opening", "realisation")}
    called = deadlines.concerning(session, sealed_plans.users["zilvermeeuw"])
    assert {d.stage for d in called if d.kind == "submission"} == {"strategy", "realisation"}
    following.follow(session, sealed_plans.users["outsider"], case)
    outsider = deadlines.concerning(session, sealed_plans.users["outsider"])
    assert outsider and all(d.stage == "strategy" for d in outsider)  # a call for plans is the called coalitions'
    plans_to_stage(session, sealed_plans, "opened")
    assert one(deadlines.of_case(session, case), "opening", stage="realisation").settled


def test_report_due_dates_and_the_standstill_end_of_an_agreement(session, make_case, make_user, official):
    realised = add_realised(session, make_case, make_user, official)
    found = deadlines.of_case(session, realised.case)
    periods = monitoring.periods(
        realised.agreement.report_cadence, realised.agreement.starts_on, realised.agreement.ends_on
    )
    progress = [d for d in found if d.kind == "report_due" and d.indicator_id is None]
    assert [d.day for d in progress] == [p.due_on for p in periods]
    assert all(d.coalition_ids == frozenset({realised.coalition.id}) for d in progress)
    indicator = one(found, "report_due", indicator_id=realised.loneliness.id)
    assert indicator.day == realised.loneliness.next_due_on and indicator.subject == realised.loneliness.name
    standstill = one(found, "standstill_end")
    assert standstill.coalition_ids == frozenset()  # no letter was recorded: nobody outside the municipality


def test_falling_between_finds_every_case_s_deadlines_in_the_window(session, sealed, make_case, make_user, official):
    realised = add_realised(session, make_case, make_user, official, title="Tweede", coalition_name="Anders")
    case = sealed.case
    window = deadlines.falling_between(
        session, case.clarification_deadline - timedelta(hours=1), case.clarification_deadline + timedelta(hours=1)
    )
    assert [(d.case_id, d.kind) for d in window] == [(case.id, "clarification")]
    due = realised.loneliness.next_due_on
    start = deadlines._end_of(due) - timedelta(hours=1)
    window = deadlines.falling_between(session, start, start + timedelta(hours=2))
    assert {d.indicator_id for d in window if d.kind == "report_due"} >= {realised.loneliness.id}
    assert all(start <= d.at < start + timedelta(hours=2) for d in window)


def test_what_concerns_a_coalition_member_is_their_own(session, sealed):
    zilver = sealed.users["zilvermeeuw"]
    mine = deadlines.concerning(session, zilver)
    assert kinds(mine) == ["clarification", "opening", "submission"]
    assert deadlines.concerning(session, sealed.users["outsider"]) == []
    following.follow(session, sealed.users["outsider"], sealed.case)
    session.commit()
    assert kinds(deadlines.concerning(session, sealed.users["outsider"])) == ["clarification", "opening", "submission"]


def test_a_standstill_reaches_the_bidders_with_a_letter_only(session, sealed):
    case = sealed.case
    zilver, kraan = sealed.coalitions["zilvermeeuw"], sealed.coalitions["kraanvogel"]
    proposal = sealed.submissions["zilvermeeuw"].proposal_id
    decision = AwardDecision(
        case_id=case.id,
        proposal_id=proposal,
        motivation="Beste.",
        decided_by_id=case.owner_id,
        letters_sent_at=utcnow(),
        standstill_ends_at=utcnow() + timedelta(days=20),
    )
    session.add(decision)
    session.flush()
    session.add(
        AwardLetter(
            award_decision_id=decision.id,
            coalition_id=zilver.id,
            is_winner=True,
            content_html="<p>Brief</p>",
            sha256="0" * 64,
            sent_at=utcnow(),
        )
    )
    session.commit()
    assert "standstill_end" in kinds(deadlines.concerning(session, sealed.users["zilvermeeuw"]))
    assert "standstill_end" not in kinds(deadlines.concerning(session, sealed.users["kraanvogel"]))
    assert kraan.id not in one(deadlines.of_case(session, case), "standstill_end").coalition_ids


def test_report_dues_reach_the_agreement_s_coalition_and_not_another(session, make_case, make_user, official):
    first = add_realised(session, make_case, make_user, official)
    second = add_realised(session, make_case, make_user, official, title="Tweede", coalition_name="Anders")
    mine = deadlines.concerning(session, first.member)
    assert mine and {d.case_id for d in mine} == {first.case.id}
    assert {d.coalition_id for d in mine if d.kind == "report_due"} == {first.coalition.id}
    assert second.case.id not in {d.case_id for d in mine}


def test_an_official_gets_the_cases_of_their_own_their_team_and_those_they_evaluate(session, sealed, make_user):
    case = sealed.case
    owner, colleague, council = sealed.users["owner"], sealed.users["official"], sealed.users["council_member"]
    assert kinds(deadlines.concerning(session, owner)) == ["clarification", "opening", "submission"]
    assert deadlines.concerning(session, colleague) == []
    team = Team(name="Sociaal domein", case_limit=5)
    session.add(team)
    session.flush()
    owner.team_id = colleague.team_id = team.id
    session.add_all([owner, colleague])
    session.commit()
    assert {d.case_id for d in deadlines.concerning(session, colleague)} == {case.id}
    evaluator = make_user(Role.official, name="Nog een beoordelaar")
    session.add(EvaluatorAssignment(case_id=case.id, user_id=evaluator.id))
    session.commit()
    assert {d.case_id for d in deadlines.concerning(session, evaluator)} == {case.id}
    assert deadlines.concerning(session, council) == []  # the council follows what it wants to see


def test_the_dates_of_a_new_round_count_only_once_it_is_published(app, client, session, official, make_user):
    """After a round without award, the next round's dates are drafts until its publication: no calendar event, no
    reminder to those who followed the first round."""
    from decimal import Decimal

    from tendering.demo import journeys
    from tendering.models import Notification
    from tendering.notifications.reminders import send_reminders
    from tendering.procurement import reconsideration
    from tendering.workflow.engine import apply_due_steps, fire

    question = journeys.Question(
        title="Gelukkig oud",
        question="Wie helpt ons om ouderen gelukkig oud te laten worden?",
        theme="Zorg",
        budget_ceiling=Decimal("500000"),
        outcome="Minder eenzaamheid.",
        stakeholders=["Ouderenbond", "Voedselbank", "Sport"],
    )
    follower = make_user(Role.coalition_member)
    with app.test_request_context():
        case = journeys.publish(session, official, question, min_partners=1)
        following.follow(session, follower, case)
        session.commit()
        case.submission_deadline = utcnow() - timedelta(seconds=1)  # nobody bid
        apply_due_steps(session, case)
        reconsideration.record(session, case, actor=official, changes=["question"], note="Vraag verbreden.")
        fire(session, case, "rearticulate", actor=official, reason="Nieuwe ronde.")
        for trigger in ("assess", "decide_to_tender", "start_coalition_forming"):
            fire(session, case, trigger, actor=official)
        draft = utcnow() + timedelta(days=30)
        set_procedure(
            session,
            case,
            actor=official,
            clarification_deadline=draft - timedelta(days=7),
            submission_deadline=draft,
            min_partners=1,
        )
        session.commit()
        assert kinds(deadlines.of_case(session, case)) == []
        assert deadlines.concerning(session, follower) == []
        assert send_reminders(session, draft - timedelta(days=7, hours=1)) == 0
        assert "r2" not in client.get(f"/tenders/{case.reference}/calendar.ics").text
        fire(session, case, "publish", actor=official)
        session.commit()
        published = deadlines.of_case(session, case)
        assert {"clarification", "submission"} <= set(kinds(published))
        assert all(d.round == 2 for d in published)
    assert session.exec(select(Notification).where(Notification.kind == "deadline_reminder")).all() == []


def award_day(case, days=14):
    """A day this many days after the (local) day of the submission deadline."""
    return case.submission_deadline.astimezone(AMSTERDAM).date() + timedelta(days=days)


def set_expected_award(session, case, official, day, note="De verwachte gunningsdatum is bekend."):
    set_procedure(
        session,
        case,
        actor=official,
        clarification_deadline=case.clarification_deadline,
        submission_deadline=case.submission_deadline,
        min_partners=case.min_partners,
        expected_award_on=day,
        amendment_note=note,
    )
    session.commit()


def test_the_expected_award_is_an_all_day_deadline_of_the_tender_for_everyone(session, sealed, official):
    case = sealed.case
    day = award_day(case)
    set_expected_award(session, case, official, day)
    assert case.expected_award_on == day
    found = deadlines.of_case(session, case)
    assert kinds(found) == ["clarification", "expected_award", "opening", "submission"]
    expected = one(found, "expected_award")
    assert expected.day == day and expected.at == deadlines._end_of(day) and expected.public
    assert expected.uid == f"expected_award-{case.id}@{deadlines.UID_DOMAIN}"
    assert expected.sequence == one(found, "submission").sequence == 1  # the amendment: version 2
    assert "expected_award" in kinds(deadlines.concerning(session, sealed.users["zilvermeeuw"]))  # taking part
    following.follow(session, sealed.users["outsider"], case)
    session.commit()
    assert "expected_award" in kinds(deadlines.concerning(session, sealed.users["outsider"]))  # following


def test_a_moved_expected_award_keeps_its_uid_and_raises_the_sequence(session, sealed, official):
    case = sealed.case
    set_expected_award(session, case, official, award_day(case))
    before = one(deadlines.of_case(session, case), "expected_award")
    set_expected_award(session, case, official, award_day(case, 21), note="De gunning wordt een week later verwacht.")
    after = one(deadlines.of_case(session, case), "expected_award")
    assert after.day == award_day(case, 21) and after.uid == before.uid
    assert after.sequence == before.sequence + 1 and after.last_modified >= before.last_modified
    # Left out of a later change, it stays as it is.
    set_procedure(
        session,
        case,
        actor=official,
        clarification_deadline=case.clarification_deadline,
        submission_deadline=case.submission_deadline,
        min_partners=2,
        amendment_note="Minimaal twee partners.",
    )
    session.commit()
    assert case.expected_award_on == award_day(case, 21)


def test_an_expected_award_not_after_the_submission_deadline_is_refused(session, sealed, official, make_case):
    case = sealed.case
    versions = len(session.exec(select(QuestionDocument).where(QuestionDocument.case_id == case.id)).all())
    for day in (award_day(case, 0), award_day(case, -3)):
        with pytest.raises(DomainError, match="must fall after the day of the submission deadline"):
            set_expected_award(session, case, official, day)
        session.rollback()
    session.refresh(case)
    assert case.expected_award_on is None
    assert len(session.exec(select(QuestionDocument).where(QuestionDocument.case_id == case.id)).all()) == versions
    assert "expected_award" not in kinds(deadlines.of_case(session, case))
    draft = make_case(state="coalition_forming")
    with pytest.raises(DomainError, match="Set the submission deadline before the expected award date"):
        set_procedure(
            session,
            draft,
            actor=official,
            clarification_deadline=None,
            submission_deadline=None,
            min_partners=2,
            expected_award_on=utcnow().date() + timedelta(days=60),
        )
    session.rollback()


def test_no_expected_award_before_publication_or_once_stopped(session, sealed, official, make_case):
    draft = make_case(state="coalition_forming")
    submission = utcnow() + timedelta(days=9)
    set_procedure(
        session,
        draft,
        actor=official,
        clarification_deadline=utcnow() + timedelta(days=3),
        submission_deadline=submission,
        min_partners=2,
        expected_award_on=submission.astimezone(AMSTERDAM).date() + timedelta(days=10),
    )
    session.commit()
    assert draft.expected_award_on == award_day(draft, 10)  # set freely before publication
    assert deadlines.of_case(session, draft) == []  # a draft date
    case = sealed.case
    set_expected_award(session, case, official, award_day(case))
    case.state = "cancelled"
    session.commit()
    assert deadlines.of_case(session, case) == []


def test_the_expected_award_is_not_reminded_of(session, sealed, official):
    """It is the municipality's intention, not anyone's deadline: in the window the reminders read, never told."""
    case = sealed.case
    for user in (sealed.users["outsider"], sealed.users["council_member"]):
        following.follow(session, user, case)
    day = award_day(case, 3)
    set_expected_award(session, case, official, day)
    expected = one(deadlines.of_case(session, case), "expected_award")
    for days in (7, 2, 1):
        now = expected.at - timedelta(days=days) + timedelta(minutes=1)
        window = deadlines.falling_between(session, now - timedelta(days=3), now + timedelta(days=7))
        assert expected in window  # found where the reminders look...
        if now > case.submission_deadline:
            assert send_reminders(session, now) == 0  # ...and still not reminded of
    session.commit()
    assert not any(r.deadline_uid == expected.uid for r in session.exec(select(SentReminder)).all())
    assert "expected_award" not in REMINDED
