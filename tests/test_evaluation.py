"""Evaluators declare conflicts, score with motivations, and see others' scores
only after their own; the owner's consensus gives a computed ranking."""

from decimal import Decimal

import pytest
from sqlmodel import select

from tendering.models import AuditEvent, AwardCriterion, ProposalSubmission, Role, utcnow
from tendering.procurement import scoring

from .conftest import form_token
from .evaluation_helpers import as_, consensus, declare, score


def test_evaluator_with_a_declared_conflict_cannot_open_that_proposal(app, opened, session):
    case, criteria, proposals, evaluators = opened
    client = as_(app, evaluators[0])
    declare(client, case, proposals[0], conflict="yes", note="Mijn zus werkt bij Coalitie A.")
    assert client.get(f"/cases/{case.id}/evaluation/{proposals[0].id}").status_code == 403
    submission = session.exec(select(ProposalSubmission).where(ProposalSubmission.proposal_id == proposals[0].id)).one()
    assert client.get(f"/cases/{case.id}/proposals/{submission.id}").status_code == 403
    assert len(session.exec(select(AuditEvent).where(AuditEvent.action == "sealed_access_refused")).all()) == 2
    declare(client, case, proposals[1])
    assert client.get(f"/cases/{case.id}/evaluation/{proposals[1].id}").status_code == 200


def test_evaluator_must_declare_before_seeing_a_proposal(app, opened):
    case, criteria, proposals, evaluators = opened
    client = as_(app, evaluators[0])
    assert client.get(f"/cases/{case.id}/evaluation/{proposals[0].id}").status_code == 403


def test_others_scores_stay_hidden_until_ones_own_are_submitted(app, opened):
    case, criteria, proposals, evaluators = opened
    first, second = as_(app, evaluators[0]), as_(app, evaluators[1])
    for client in (first, second):
        declare(client, case, proposals[0])
    score(first, case, proposals[0], criteria, [8, 5])
    page = second.get(f"/cases/{case.id}/evaluation/{proposals[0].id}").text
    assert "Eva Luator" not in page and 'id="other-scores"' not in page
    score(second, case, proposals[0], criteria, [6, 5], action="save")
    assert 'id="other-scores"' not in second.get(f"/cases/{case.id}/evaluation/{proposals[0].id}").text
    score(second, case, proposals[0], criteria, [6, 5])
    page = second.get(f"/cases/{case.id}/evaluation/{proposals[0].id}").text
    assert 'id="other-scores"' in page and "Eva Luator" in page


def test_submission_needs_every_score_motivated_and_the_requirements_judged(app, opened, session):
    case, criteria, proposals, evaluators = opened
    client = as_(app, evaluators[0])
    declare(client, case, proposals[0])
    page = client.get(f"/cases/{case.id}/evaluation/{proposals[0].id}")
    response = client.post(
        f"/cases/{case.id}/evaluation/{proposals[0].id}",
        data={
            "csrf_token": form_token(page),
            "action": "submit",
            f"score-{criteria[0].id}": "7",
            f"motivation-{criteria[0].id}": "",
        },
        follow_redirects=True,
    )
    assert "Score every criterion with a motivation first" in response.text
    assert "lies between 0 and 10" in score(client, case, proposals[0], criteria, [11, 5]).text
    assert "lies between 0 and 10" in score(client, case, proposals[0], criteria, ["veel", 5]).text
    assert scoring.evaluation_of(session, proposals[0].id, evaluators[0]).submitted_at is None


def test_progress_counts_pairs_without_conflict(app, opened, session, official):
    case, criteria, proposals, evaluators = opened
    first = as_(app, evaluators[0])
    declare(first, case, proposals[0])
    declare(first, case, proposals[1], conflict="yes", note="Oud-collega's.")
    score(first, case, proposals[0], criteria, [8, 5])
    assert "1 of 3 evaluations done" in as_(app, official).get(f"/cases/{case.id}/evaluation").text


def test_only_assigned_evaluators_declare_and_only_the_owner_records_consensus(
    app, opened, official, make_user, session
):
    case, criteria, proposals, evaluators = opened
    outsider = as_(app, make_user(Role.official, name="Niet toegewezen"))
    assert declare(outsider, case, proposals[0]).status_code == 403
    evaluator = as_(app, evaluators[0])
    page = evaluator.get(f"/cases/{case.id}/evaluation")
    assert evaluator.get(f"/cases/{case.id}/evaluation/{proposals[0].id}/consensus").status_code == 403
    member = as_(app, make_user(Role.coalition_member))
    assert member.get(f"/cases/{case.id}/evaluation").status_code == 403
    assert form_token(page)


def test_ranking_follows_the_weights_and_the_price_formula(app, opened, official, session):
    case, criteria, proposals, evaluators = opened
    owner = as_(app, official)
    consensus(owner, case, proposals[0], criteria, 9)  # A: 60*0.9 + 40*(200k/400k) = 54 + 20 = 74
    consensus(owner, case, proposals[1], criteria, 6)  # B: 60*0.6 + 40*1.0 = 36 + 40 = 76
    ranked = scoring.ranking(session, case)
    assert [(r.rank, r.entry.coalition.name, r.total, r.complete) for r in ranked] == [
        (1, "Coalitie B", 76.0, True),
        (2, "Coalitie A", 74.0, True),
    ]
    assert 'id="ranking"' in owner.get(f"/cases/{case.id}/evaluation").text


def test_equal_totals_are_shown_as_a_tie(app, opened, official, session):
    case, criteria, proposals, evaluators = opened
    criteria[1].price_formula = ""  # scored by hand this time
    session.commit()
    owner = as_(app, official)
    for proposal in proposals:
        page = owner.get(f"/cases/{case.id}/evaluation/{proposal.id}/consensus")
        owner.post(
            f"/cases/{case.id}/evaluation/{proposal.id}/consensus",
            data={
                "csrf_token": form_token(page),
                f"score-{criteria[0].id}": "7",
                f"motivation-{criteria[0].id}": "Gelijk.",
                f"score-{criteria[1].id}": "5",
                f"motivation-{criteria[1].id}": "Gelijk.",
            },
        )
    assert [(r.rank, r.total) for r in scoring.ranking(session, case)] == [(1, 62.0), (1, 62.0)]


@pytest.mark.parametrize(
    "formula, price, expected",
    [("lowest", "400000", 5.0), ("lowest", "200000", 10.0), ("ceiling", "400000", 2.0), ("ceiling", "600000", 0.0)],
)
def test_price_formulas(formula, price, expected):
    criterion = AwardCriterion(case_id=1, name="Prijs", weight=40, scale_max=10, is_price=True, price_formula=formula)
    assert scoring.formula_score(criterion, Decimal(price), Decimal("200000"), Decimal("500000")) == expected


def test_complete_evaluation_satisfies_the_award_guard(app, opened, official, session):
    from tendering.workflow.guards import GuardContext, evaluations_complete

    case, criteria, proposals, evaluators = opened
    for user in evaluators:
        client = as_(app, user)
        for proposal in proposals:
            declare(client, case, proposal)
            score(client, case, proposal, criteria, [7, 5])
    owner = as_(app, official)
    for proposal in proposals:
        consensus(owner, case, proposal, criteria, 7)
    assert evaluations_complete(GuardContext(session, case, utcnow())) == []
