"""Attacks on the tender box by timing: a double click, two members at once,
two officials at once, and judging before the four-eyes opening.

Each race sends its requests through the web layer from threads released by
one barrier, as gunicorn workers would; no request may end in a server error,
and the database must hold exactly one outcome.
"""

import threading

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select

from tendering.core.errors import DomainError
from tendering.models import BoxOpening, ConsensusScore, Evaluation, Proposal, ProposalSubmission
from tendering.parties.proposals import DraftFields, minimum_requirements, save_draft
from tendering.procurement import award, scoring, tender_box
from tendering.procurement.evaluation import assign_evaluator

from . import factories as f
from .conftest import form_token, login
from .seal_helpers import to_stage

ROUNDS = 25


def _at_once(app, requests: list[tuple[object, str, str]]) -> list[int]:
    """POST each (user, page, url) from its own logged-in client at the same moment; the status codes."""
    prepared = []
    for user, page, url in requests:
        client = app.test_client()
        login(client, user)
        prepared.append((client, form_token(client.get(page)), url))
    barrier = threading.Barrier(len(prepared), timeout=30)
    statuses = [0] * len(prepared)

    def post(index, client, token, url):
        barrier.wait()
        statuses[index] = client.post(url, data={"csrf_token": token, "conflict": "no"}).status_code

    threads = [threading.Thread(target=post, args=(i, *p)) for i, p in enumerate(prepared)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


def _current(session: Session, proposal_id: int) -> int:
    return session.exec(
        select(func.count())
        .select_from(ProposalSubmission)
        .where(
            ProposalSubmission.proposal_id == proposal_id,
            ProposalSubmission.superseded_at.is_(None),
            ProposalSubmission.withdrawn_at.is_(None),
        )
    ).one()


def test_two_members_submitting_at_once_leave_one_current_submission(app, session, sealed):
    case, coalition = sealed.case, sealed.coalitions["zilvermeeuw"]
    lead, partner = sealed.users["zilvermeeuw"], sealed.users["zilvermeeuw_partner"]
    proposal = session.exec(select(Proposal).where(Proposal.coalition_id == coalition.id)).one()
    page, url = f"/coalitions/{coalition.id}/proposal", f"/coalitions/{coalition.id}/proposal/submit"
    versions_before = session.exec(
        select(func.count()).select_from(ProposalSubmission).where(ProposalSubmission.proposal_id == proposal.id)
    ).one()
    for number in range(ROUNDS):
        session.refresh(proposal)
        save_draft(
            session,
            proposal,
            actor=lead,
            case=case,
            fields=DraftFields(
                approach=f"Herziene aanpak {number}",
                answer_to_question=proposal.answer_to_question,
                outcome_commitments=proposal.outcome_commitments,
                monitoring=proposal.monitoring,
                price=proposal.price,
                price_breakdown=proposal.price_breakdown,
                requirements_confirmed=tuple(r.id for r in minimum_requirements(session, case)),
            ),
        )
        session.commit()
        statuses = _at_once(app, [(lead, page, url), (partner, page, url)])
        assert statuses == [302, 302]
        assert _current(session, proposal.id) == 1
    # A double click seals the same draft twice: one receipt per draft, not two.
    versions = session.exec(
        select(func.count()).select_from(ProposalSubmission).where(ProposalSubmission.proposal_id == proposal.id)
    ).one()
    assert versions == versions_before + ROUNDS
    current = tender_box.current_submission(session, proposal)
    assert current.content["approach"] == f"Herziene aanpak {ROUNDS - 1}"


def test_the_database_refuses_a_second_current_submission(session, sealed):
    """Even a writer that skips the service cannot leave two current submissions: the partial unique index holds."""
    current = sealed.submissions["zilvermeeuw"]
    session.add(
        ProposalSubmission(
            proposal_id=current.proposal_id,
            version=current.version + 1,
            content=current.content,
            submitted_at=current.submitted_at,
            submitted_by_id=current.submitted_by_id,
            receipt_sha256=current.receipt_sha256,
        )
    )
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def test_two_officials_confirming_the_opening_at_once_open_it_once(app, session, sealed, make_user):
    case = sealed.case
    to_stage(session, sealed, "after_deadline")  # the owner requested the opening
    second = make_user(name="Tweede Beoordelaar")
    assign_evaluator(session, case, actor=sealed.users["owner"], evaluator_id=second.id)
    session.commit()
    page, url = f"/cases/{case.id}/proposals", f"/cases/{case.id}/proposals/open"
    statuses = _at_once(app, [(sealed.users["evaluator"], page, url), (second, page, url)])
    assert all(status < 500 for status in statuses)
    opening = session.exec(
        select(BoxOpening).where(BoxOpening.case_id == case.id).execution_options(populate_existing=True)
    ).one()
    assert opening.opened_at is not None and opening.opened_by_id in (sealed.users["evaluator"].id, second.id)


def test_two_officials_requesting_the_opening_at_once_make_one_request(app, session, sealed):
    case = sealed.case
    f.pass_deadline(session, case)
    page, url = f"/cases/{case.id}/proposals", f"/cases/{case.id}/proposals/open"
    statuses = _at_once(app, [(sealed.users["owner"], page, url), (sealed.users["evaluator"], page, url)])
    assert all(status < 500 for status in statuses)
    # The second of the two is a different official: it confirms the first one's request.
    openings = session.exec(
        select(BoxOpening).where(BoxOpening.case_id == case.id).execution_options(populate_existing=True)
    ).all()
    assert len(openings) == 1 and openings[0].opened_at is not None


def test_an_evaluator_declaring_twice_at_once_is_recorded_once(app, session, sealed):
    case = sealed.case
    to_stage(session, sealed, "opened")
    proposal_id = sealed.submissions["zilvermeeuw"].proposal_id
    evaluator = sealed.users["evaluator"]
    page, url = f"/cases/{case.id}/evaluation", f"/cases/{case.id}/evaluation/{proposal_id}/declaration"
    statuses = _at_once(app, [(evaluator, page, url), (evaluator, page, url)])
    assert statuses == [302, 302]
    count = session.exec(
        select(func.count())
        .select_from(Evaluation)
        .where(Evaluation.proposal_id == proposal_id, Evaluation.evaluator_id == evaluator.id)
    ).one()
    assert count == 1


def test_no_judgement_exists_before_the_four_eyes_opening(app, session, sealed):
    """After the deadline, with the opening requested but not confirmed, the owner alone can judge nothing."""
    case, owner = sealed.case, sealed.users["owner"]
    to_stage(session, sealed, "after_deadline")
    client = app.test_client()
    login(client, owner)
    token = form_token(client.get(f"/cases/{case.id}/evaluation"))
    criteria = scoring.criteria(session, case)
    for submission in sealed.submissions.values():
        page = client.get(f"/cases/{case.id}/evaluation/{submission.proposal_id}/consensus")
        assert page.status_code == 404  # not even which proposal ids exist
        data = {
            "csrf_token": token,
            **{f"score-{c.id}": "8" for c in criteria},
            **{f"motivation-{c.id}": "Goed." for c in criteria},
        }
        assert (
            client.post(f"/cases/{case.id}/evaluation/{submission.proposal_id}/consensus", data=data).status_code == 404
        )
    assert session.exec(select(func.count()).select_from(ConsensusScore)).one() == 0
    assert scoring.ranking(session, case) == [] and award.eligible(session, case) == []
    assert scoring.progress(session, case) == (0, 0)
    # The services refuse too, whoever calls them.
    entry = scoring.Entry(sealed.submissions["zilvermeeuw"], sealed.coalitions["zilvermeeuw"])
    with pytest.raises(DomainError):
        scoring.record_consensus(session, case, entry, actor=owner, scores={})
    session.rollback()
    with pytest.raises(DomainError):
        scoring.declare(session, case, entry, actor=sealed.users["evaluator"], has_conflict=False)
    session.rollback()
