"""A closed tender's public page says it is closed and what happened, without naming who bid before the award."""

from tendering.procurement import reconsideration
from tendering.workflow.engine import fire

from . import factories as f
from .test_publication import published  # noqa: F401  (the fixture)


def _page(client, case) -> str:
    return client.get(f"/tenders/{case.reference}").text


def test_an_open_tender_is_not_called_closed(client, published):  # noqa: F811
    assert 'id="tender-status"' not in _page(client, published)


def test_no_proposals_means_reconsideration(client, session, published):  # noqa: F811
    f.pass_deadline(session, published)
    client.get(f"/tenders/{published.reference}")  # the time-driven step closes the box: nobody bid
    page = _page(client, published)
    assert "This tender is closed" in page and 'id="tender-status-reconsidering"' in page


def test_under_evaluation_names_nobody(client, session, published):  # noqa: F811
    proposal = f.submit_proposal(session, published, name="Coalitie Zilvermeeuw")
    f.pass_deadline(session, published)
    page = _page(client, published)
    assert 'id="tender-status-evaluating"' in page
    assert "Zilvermeeuw" not in page and proposal.coalition_id is not None


def test_a_cancelled_tender_says_so_with_its_reason(client, session, official, published):  # noqa: F811
    fire(session, published, "cancel", actor=official, reason="De gemeenteraad trok het budget in.")
    session.commit()
    page = _page(client, published)
    assert 'id="tender-status-called_off"' in page and "De gemeenteraad trok het budget in." in page


def test_a_withdrawn_question_says_so(client, session, official, published):  # noqa: F811
    f.pass_deadline(session, published)
    client.get(f"/tenders/{published.reference}")
    session.refresh(published)
    fire(session, published, "withdraw", actor=official, reason="Het probleem is elders opgelost.")
    session.commit()
    page = _page(client, published)
    assert 'id="tender-status-withdrawn"' in page and "Het probleem is elders opgelost." in page


def test_an_awarded_tender_points_to_the_notice(client, session, published):  # noqa: F811
    proposal = f.submit_proposal(session, published)
    f.pass_deadline(session, published)
    client.get(f"/tenders/{published.reference}")
    session.refresh(published)
    decision = f.decide_award(session, published, proposal)
    decision.letters_sent_at = decision.decided_at
    published.state = "awarded"  # test set-up only: the award journey is tested in test_award.py
    session.commit()
    page = _page(client, published)
    assert 'id="tender-status-award_made"' in page and 'id="award-notice"' in page


def test_a_new_round_in_articulation_says_the_question_is_being_rearticulated(client, session, official, published):  # noqa: F811
    f.pass_deadline(session, published)
    client.get(f"/tenders/{published.reference}")
    session.refresh(published)
    reconsideration.record(session, published, actor=official, changes=["question"], note="Te smal gevraagd.")
    fire(session, published, "rearticulate", actor=official, reason="Nieuwe ronde.")
    session.commit()
    assert 'id="tender-status-rearticulating"' in _page(client, published)
