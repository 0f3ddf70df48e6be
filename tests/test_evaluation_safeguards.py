"""Evaluation a court would accept: two independent evaluators per proposal (or a motivated exception), who took
part in the consensus (joint when the tender says so), partners in competing coalitions flagged without breaking
the seal, objections decided by another official with a letter naming the legal remedy, and a shorter standstill
only in a national procedure, with its reason."""

import hashlib
from datetime import timedelta

import pytest
from sqlmodel import select

from tendering.access import Capability
from tendering.models import (
    AuditEvent,
    Case,
    Coalition,
    CoalitionMember,
    ConsensusParticipant,
    ConsensusScore,
    EvaluatorAssignment,
    EvaluatorShortfallException,
    MembershipStatus,
    Objection,
    ObjectionLetter,
    Organisation,
    OrganisationKind,
    OutboxMessage,
    Role,
    User,
    utcnow,
)
from tendering.parties.coalitions import form_coalition, invite_partner, respond
from tendering.procurement import award, scoring
from tendering.question import question_document
from tendering.workflow.guards import GUARDS, GuardContext

from .conftest import form_token, roles_without
from .evaluation_helpers import as_, consensus
from .test_accessibility import audit
from .test_award import awarded, decide_objection, object_to, transition

# --- 1. fewer than two evaluators because of conflicts ----------------------------------------------------------------


def judge(session, case, criteria, proposals, evaluators, *, conflicts=(), participants=True):
    """Every evaluator declares and scores every proposal (`conflicts`: (evaluator, proposal) pairs declare a
    conflict); the owner records the consensus with those who scored."""
    for proposal in proposals:
        entry = next(e for e in scoring.entries(session, case) if e.proposal_id == proposal.id)
        scorers = []
        for evaluator in evaluators:
            conflicted = (evaluator.id, proposal.id) in conflicts
            scoring.declare(session, case, entry, actor=evaluator, has_conflict=conflicted, note="Familie.")
            if conflicted:
                continue
            scoring.save_scores(
                session,
                case,
                entry,
                actor=evaluator,
                scores={c.id: (7.0, "Onderbouwd.") for c in criteria},
                requirements_met=True,
                requirements_note="Getoetst.",
                submit=True,
            )
            scorers.append(evaluator.id)
        scoring.record_consensus(
            session,
            case,
            entry,
            actor=case_owner(session, case),
            scores={criteria[0].id: (7 if proposal is proposals[0] else 6, "Samen besproken.")},
            participant_ids=scorers if participants else (),
        )
    session.commit()


def case_owner(session, case):
    return session.get(User, case.owner_id)


def guard_reasons(app, session, case, name):
    with app.test_request_context():
        return GUARDS[name].check(GuardContext(session, case, utcnow()))


def test_a_proposal_left_with_one_evaluator_by_conflicts_is_flagged_and_blocks_the_award(
    app, opened, official, session
):
    case, criteria, proposals, evaluators = opened
    judge(session, case, criteria, proposals, evaluators, conflicts={(evaluators[0].id, proposals[0].id)})
    owner = as_(app, official)
    overview = owner.get(f"/cases/{case.id}/evaluation").text
    assert f'id="shortfall-{proposals[0].id}"' in overview and f'id="shortfall-{proposals[1].id}"' not in overview
    award_page = owner.get(f"/cases/{case.id}/award").text
    assert f'id="shortfall-{proposals[0].id}"' in award_page and "The proposal of Coalitie A" in award_page
    for path in ("evaluation", "award", f"evaluation/{proposals[1].id}/consensus"):
        assert audit(owner, f"/cases/{case.id}/{path}") == [], path
    assert "fewer than two evaluators" in guard_reasons(app, session, case, "two_evaluators_per_proposal")[0]
    with app.test_request_context(), pytest.raises(Exception, match="fewer than two evaluators"):
        award.decide(session, case, actor=official, proposal_id=proposals[0].id, motivation="m", advantages="a")
    session.rollback()
    refused = transition(owner, case, "propose_award")
    assert "fewer than two evaluators" in refused.text
    session.refresh(case)
    assert case.state == "evaluation"


def test_the_owner_records_a_motivated_exception_and_nobody_else_can(app, opened, official, session, make_user):
    case, criteria, proposals, evaluators = opened
    judge(session, case, criteria, proposals, evaluators, conflicts={(evaluators[0].id, proposals[0].id)})
    url = f"/cases/{case.id}/evaluation/{proposals[0].id}/exception"
    for role in roles_without(Capability.record_consensus):
        client = as_(app, make_user(role))
        token = form_token(client.get("/account/sessions"))
        assert client.post(url, data={"csrf_token": token, "reason": "x"}).status_code == 403
    evaluator = as_(app, evaluators[1])  # an official, but not the owner
    page = evaluator.get(f"/cases/{case.id}/evaluation")
    assert evaluator.post(url, data={"csrf_token": form_token(page), "reason": "Geen tijd."}).status_code == 403
    owner = as_(app, official)
    page = owner.get(f"/cases/{case.id}/evaluation")
    assert (
        "Give the reason"
        in owner.post(url, data={"csrf_token": form_token(page), "reason": " "}, follow_redirects=True).text
    )
    assert session.exec(select(EvaluatorShortfallException)).all() == []
    other = f"/cases/{case.id}/evaluation/{proposals[1].id}/exception"
    assert (
        "no exception is needed"
        in owner.post(other, data={"csrf_token": form_token(page), "reason": "Toch."}, follow_redirects=True).text
    )

    done = owner.post(
        url,
        data={"csrf_token": form_token(page), "reason": "Geen ander onafhankelijk lid beschikbaar; extern getoetst."},
        follow_redirects=True,
    )
    assert "The exception is recorded." in done.text and "extern getoetst" in done.text
    exception = session.exec(select(EvaluatorShortfallException)).one()
    assert exception.recorded_by_id == official.id and exception.proposal_id == proposals[0].id
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "evaluator_shortfall_excepted")).one()
    assert guard_reasons(app, session, case, "two_evaluators_per_proposal") == []
    assert "Exception recorded for a proposal" in owner.get(f"/cases/{case.id}/audit-trail").text


def test_assigning_another_evaluator_lifts_the_flag(app, opened, official, session, make_user):
    case, criteria, proposals, evaluators = opened
    judge(session, case, criteria, proposals, evaluators, conflicts={(evaluators[0].id, proposals[0].id)})
    third = make_user(Role.official, name="Derde Lid")
    session.add(EvaluatorAssignment(case_id=case.id, user_id=third.id))
    session.commit()
    assert guard_reasons(app, session, case, "two_evaluators_per_proposal") == []
    assert "evaluations done" in " ".join(guard_reasons(app, session, case, "evaluations_complete"))


# --- 2. who took part in the consensus ---------------------------------------------------------------------------------


def score_all(session, case, criteria, proposals, evaluators):
    for proposal in proposals:
        entry = next(e for e in scoring.entries(session, case) if e.proposal_id == proposal.id)
        for evaluator in evaluators:
            scoring.declare(session, case, entry, actor=evaluator, has_conflict=False)
            scoring.save_scores(
                session,
                case,
                entry,
                actor=evaluator,
                scores={c.id: (7.0, "Onderbouwd.") for c in criteria},
                requirements_met=True,
                requirements_note="Getoetst.",
                submit=True,
            )
    session.commit()


def test_the_consensus_shows_who_took_part(app, opened, official, session):
    case, criteria, proposals, evaluators = opened
    score_all(session, case, criteria, proposals, evaluators)
    owner = as_(app, official)
    consensus(owner, case, proposals[0], criteria, 8, participants=[evaluators[0].id])
    taking_part = {p.user_id for p in session.exec(select(ConsensusParticipant)).all()}
    assert taking_part == {official.id, evaluators[0].id}
    assert (
        f'id="participant-{evaluators[0].id}" checked'
        in owner.get(f"/cases/{case.id}/evaluation/{proposals[0].id}/consensus").text
    )
    assert "Eva Luator" in owner.get(f"/cases/{case.id}/evaluation").text.split("taken part:")[1]
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "consensus_recorded")).one()
    assert sorted(event.details["participants"]) == sorted([official.name, "Eva Luator"])


def test_a_joint_consensus_is_not_recorded_by_the_owner_alone(app, opened, official, session, make_user):
    case, criteria, proposals, evaluators = opened
    case.consensus_joint = True
    session.commit()
    score_all(session, case, criteria, proposals, evaluators)
    owner = as_(app, official)
    alone = consensus(owner, case, proposals[0], criteria, 8)
    assert "joint decision" in alone.text and session.exec(select(ConsensusScore)).all() == []
    stranger = make_user(Role.official, name="Buiten Staander")
    assert (
        "evaluators without a conflict of interest with this proposal take part"
        in consensus(owner, case, proposals[0], criteria, 8, participants=[stranger.id]).text
    )
    assert session.exec(select(ConsensusScore)).all() == []
    together = consensus(owner, case, proposals[0], criteria, 8, participants=[evaluators[1].id])
    assert "The consensus is recorded." in together.text and session.exec(select(ConsensusScore)).all()


def test_an_evaluator_with_a_conflict_does_not_take_part_in_that_consensus(app, opened, official, session):
    case, criteria, proposals, evaluators = opened
    case.consensus_joint = True
    session.commit()
    judge(
        session,
        case,
        criteria,
        proposals[1:],
        evaluators,
        conflicts={(evaluators[0].id, proposals[1].id)},
    )
    owner = as_(app, official)
    page = owner.get(f"/cases/{case.id}/evaluation/{proposals[1].id}/consensus").text
    assert f'id="participant-{evaluators[0].id}"' not in page
    refused = consensus(owner, case, proposals[1], criteria, 5, participants=[evaluators[0].id])
    assert "evaluators without a conflict of interest with this proposal take part" in refused.text


# --- 3. a partner in two competing coalitions -------------------------------------------------------------------------


@pytest.fixture
def two_coalitions(app, session, make_case, make_user):
    """A published case with two coalitions; a third organisation is invited by both."""
    case = make_case(state="tendering")
    case.submission_deadline = utcnow() + timedelta(days=10)
    orgs = []
    for name in ("Leider Noord", "Leider Zuid", "Voedselbank Gedeeld"):
        org = Organisation(name=name, kind=OrganisationKind.social_organisation, contact_email=f"{name[:6]}@x.example")
        session.add(org)
        orgs.append(org)
    session.commit()
    users = [make_user(Role.coalition_member, org=org) for org in orgs]
    with app.test_request_context():
        coalitions = [
            form_coalition(session, case, actor=users[i], name=n) for i, n in ((0, "Noordlicht"), (1, "Zuidwind"))
        ]
        memberships = [
            invite_partner(session, c, actor=users[i], organisation_id=orgs[2].id, case=case)
            for i, c in enumerate(coalitions)
        ]
    session.commit()
    return case, coalitions, memberships, users


def accept(app, session, case, coalition, membership, user):
    with app.test_request_context():
        respond(
            session,
            coalition,
            membership,
            actor=user,
            case=case,
            accept=True,
            role="Voedselpakketten",
            contribution_kind="people",
            contribution="Twee vrijwilligers.",
        )
    session.commit()


def test_a_shared_partner_is_flagged_to_both_leads_without_naming_the_other_coalition(
    app, session, two_coalitions, official
):
    case, coalitions, memberships, users = two_coalitions
    for coalition, membership in zip(coalitions, memberships, strict=True):
        accept(app, session, case, coalition, membership, users[2])
    mails = session.exec(select(OutboxMessage).where(OutboxMessage.subject.contains("also in another"))).all()
    assert {m.to_address for m in mails} >= {users[0].email, users[1].email}
    for mail in mails:
        assert mail.sealed
        other = "Zuidwind" if "Noordlicht" in mail.subject else "Noordlicht"
        assert other not in mail.body and other not in mail.subject
    for i, coalition in enumerate(coalitions):
        page = as_(app, users[i]).get(f"/coalitions/{coalition.id}").text
        flag = page.split('id="shared-partner"')[1].split("</div></div></div>")[0]
        assert "also a partner in another coalition" in flag and ("Noordlicht", "Zuidwind")[1 - i] not in page
    # Before the opening the municipality learns nothing: not who bids, not that a partner is shared.
    owner = as_(app, official)
    for path in (
        f"/cases/{case.id}",
        f"/cases/{case.id}/proposals",
        f"/cases/{case.id}/evaluation",
        f"/cases/{case.id}/audit-trail",
    ):
        page = owner.get(path)
        assert page.status_code == 200, path
        assert "Voedselbank Gedeeld" not in page.text and "shared-partners" not in page.text, path
        assert "Noordlicht" not in page.text and "Zuidwind" not in page.text, path


def test_where_the_tender_forbids_it_a_second_coalition_cannot_be_joined(app, session, two_coalitions):
    case, coalitions, memberships, users = two_coalitions
    case.shared_partners_allowed = False
    session.commit()
    accept(app, session, case, coalitions[0], memberships[0], users[2])
    partner = as_(app, users[2])
    page = partner.get(f"/coalitions/{coalitions[1].id}")
    refused = partner.post(
        f"/coalitions/{coalitions[1].id}/membership",
        data={
            "csrf_token": form_token(page),
            "decision": "accept",
            "role": "Pakketten",
            "contribution_kind": "people",
            "contribution": "Vrijwilligers.",
        },
        follow_redirects=True,
    )
    session.refresh(memberships[1])
    assert memberships[1].status == MembershipStatus.invited
    assert "does not allow an organisation to be a partner in more than one coalition" in refused.text
    assert "Noordlicht" not in refused.text.split("does not allow")[1][:300]


def test_after_the_opening_the_evaluators_see_who_is_shared(app, opened, official, session):
    case, criteria, proposals, evaluators = opened
    case.shared_partners_allowed = False
    shared = Organisation(name="Voedselbank Gedeeld", kind=OrganisationKind.social_organisation)
    session.add(shared)
    session.flush()
    for proposal in proposals:
        session.add(
            CoalitionMember(
                coalition_id=proposal.coalition_id, organisation_id=shared.id, status=MembershipStatus.accepted
            )
        )
    session.commit()
    page = as_(app, official).get(f"/cases/{case.id}/evaluation").text
    flag = page.split('id="shared-partners"')[1]
    assert "Voedselbank Gedeeld" in flag and "Coalitie A" in flag and "Coalitie B" in flag
    assert "Hear both coalitions" in flag
    assert "Voedselbank Gedeeld" in as_(app, official).get(f"/cases/{case.id}/proposals").text


# --- 4. objections --------------------------------------------------------------------------------------------------


def test_an_objection_is_decided_by_another_official_and_the_coalition_gets_a_frozen_letter(
    app,
    evaluated,
    official,
    session,
    make_user,
):
    case, proposals, coalitions, members = evaluated
    owner = awarded(app, evaluated, official)
    object_to(as_(app, members[0]), coalitions[0])
    objection = session.exec(select(Objection)).one()
    assert objection.coalition_id == coalitions[0].id
    assert decide_objection(owner, case, objection, "rejected", "Herberekend.").status_code == 403  # the award's own
    colleague_user = make_user(Role.official, name="Tweede Ambtenaar")
    colleague = as_(app, colleague_user)
    for outcome, motivation in (("", "Herberekend."), ("rejected", " "), ("maybe", "Herberekend.")):
        refused = decide_objection(colleague, case, objection, outcome, motivation)
        assert "Choose whether the objection is upheld or rejected and give the motivation." in refused.text
    session.refresh(objection)
    assert objection.resolved_at is None and session.exec(select(ObjectionLetter)).all() == []

    done = decide_objection(colleague, case, objection, "rejected", "De prijs is juist berekend; zie de bijlage.")
    assert "The decision on the objection is recorded" in done.text
    session.refresh(objection)
    assert (objection.outcome, objection.resolved_by_id) == ("rejected", colleague_user.id)
    letter = session.exec(select(ObjectionLetter)).one()
    assert letter.sha256 == hashlib.sha256(letter.content_html.encode()).hexdigest()
    assert "kort geding" in letter.content_html and "voorzieningenrechter" in letter.content_html
    assert "De prijs is juist berekend" in letter.content_html and "Tweede Ambtenaar" in letter.content_html
    assert letter.remedy_ends_at - letter.sent_at > timedelta(days=20)  # the tender's 20-day standstill
    mails = session.exec(select(OutboxMessage).where(OutboxMessage.body.contains("#objections"))).all()
    assert members[0].email in {m.to_address for m in mails} and members[1].email not in {m.to_address for m in mails}
    own = as_(app, members[0]).get(f"/coalitions/{coalitions[0].id}/award").text
    assert f'id="objection-letter-{objection.id}"' in own and "kort geding" in own
    award_page = owner.get(f"/cases/{case.id}/award").text
    assert "Tweede Ambtenaar" in award_page and letter.sha256 in award_page
    assert "Objection decided, letter sent" in owner.get(f"/cases/{case.id}/audit-trail").text
    assert audit(owner, f"/cases/{case.id}/award") == []  # labelled, headings in order, with the letters inside
    assert audit(as_(app, members[0]), f"/coalitions/{coalitions[0].id}/award") == []
    again = decide_objection(colleague, case, objection, "upheld", "Toch.")
    assert "This objection is already decided." in again.text


# --- 5. the standstill --------------------------------------------------------------------------------------------------


def post_procedure(client, case, **data):
    page = client.get(f"/cases/{case.id}/tender")
    return client.post(
        f"/cases/{case.id}/procedure",
        data={"csrf_token": form_token(page), "min_partners": "2"} | data,
        follow_redirects=True,
    )


def test_a_standstill_shorter_than_twenty_days_needs_a_national_procedure_and_a_reason(
    app, make_case, official, session
):
    case = make_case(state="coalition_forming")
    owner = as_(app, official)
    refused = post_procedure(owner, case, standstill_days="10")
    assert "only possible in a national procedure" in refused.text
    refused = post_procedure(owner, case, standstill_days="10", national_procedure="y")
    assert "Give the reason for a standstill period shorter than 20 calendar days." in refused.text
    assert (
        "Number must be between 0 and 90."
        in post_procedure(owner, case, standstill_days="-1", national_procedure="y").text
    )
    session.refresh(case)
    assert (case.standstill_days, case.national_procedure, case.standstill_reason) == (20, False, "")
    saved = post_procedure(
        owner, case, standstill_days="0", national_procedure="y", standstill_reason="Spoedeisend: de winter begint."
    )
    assert "The procedure is saved." in saved.text
    session.refresh(case)
    assert (case.standstill_days, case.national_procedure, case.standstill_reason) == (
        0,
        True,
        "Spoedeisend: de winter begint.",
    )
    with app.test_request_context():
        document = question_document.render_body(session, case)
    assert 'id="national-procedure"' in document and "Spoedeisend: de winter begint." in document


def test_the_shorter_term_and_its_reason_are_in_the_letters_and_the_public_notice(
    app,
    evaluated,
    official,
    session,
    client,
):
    case, proposals, coalitions, members = evaluated
    case.national_procedure, case.standstill_days, case.standstill_reason = True, 5, "Kleine opdracht, snel nodig."
    with app.test_request_context():
        question_document.freeze(session, case, actor=official)
    session.commit()
    awarded(app, evaluated, official)
    decision = award.current_decision(session, case)
    assert timedelta(days=5) < decision.standstill_ends_at - decision.letters_sent_at <= timedelta(days=6)
    letter = award.letter_for(session, case, coalitions[0])
    assert "Kleine opdracht, snel nodig." in letter.content_html
    notice = client.get(f"/tenders/{case.reference}").text
    assert 'id="standstill-reason"' in notice and "Kleine opdracht, snel nodig." in notice


def test_the_demo_has_a_national_case_that_completed_its_short_standstill(app, session, client):
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    case = session.exec(select(Case).where(Case.state == "realisation")).one()
    assert (case.national_procedure, case.standstill_days, case.consensus_joint) == (True, 10, True)
    assert "schooljaar" in case.standstill_reason
    assert session.exec(select(ConsensusParticipant)).all()  # both evaluators took part in each consensus
    notice = client.get(f"/tenders/{case.reference}").text
    assert 'id="standstill-reason"' in notice and "schooljaar" in notice
    assert (
        "schooljaar"
        in award.letter_for(
            session, case, session.exec(select(Coalition).where(Coalition.case_id == case.id)).first()
        ).content_html
    )


def test_the_evaluation_rules_are_set_in_the_tender_set_up_and_shown_in_the_question_document(
    app, make_case, official, session, make_user
):
    case = make_case(state="coalition_forming")
    for role in roles_without(Capability.steer_case):
        other = as_(app, make_user(role))
        token = form_token(other.get("/account/sessions"))
        assert other.post(f"/cases/{case.id}/evaluation-rules", data={"csrf_token": token}).status_code == 403
    owner = as_(app, official)
    page = owner.get(f"/cases/{case.id}/tender")
    saved = owner.post(
        f"/cases/{case.id}/evaluation-rules",
        data={"csrf_token": form_token(page), "consensus_joint": "y"},
        follow_redirects=True,
    )
    assert "The evaluation rules are saved." in saved.text
    session.refresh(case)
    assert (case.consensus_joint, case.shared_partners_allowed) == (True, False)
    with app.test_request_context():
        document = question_document.render_body(session, case)
    assert "does not record them alone" in document and "only one coalition" in document
    case.state = "tendering"  # published: a change is an amendment, with its note
    session.commit()
    refused = owner.post(
        f"/cases/{case.id}/evaluation-rules",
        data={"csrf_token": form_token(page), "shared_partners_allowed": "y"},
        follow_redirects=True,
    )
    assert "describe the change in an amendment note" in refused.text
    session.refresh(case)
    assert case.shared_partners_allowed is False
