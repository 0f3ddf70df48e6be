"""An opened tender box with two sealed proposals and two evaluators, and the
evaluation steps as a user takes them through the screens."""

from datetime import timedelta
from decimal import Decimal

import pytest

from tendering.models import (
    AwardCriterion,
    BoxOpening,
    Coalition,
    CoalitionMember,
    EvaluatorAssignment,
    MembershipStatus,
    Organisation,
    OrganisationKind,
    Proposal,
    ProposalStatus,
    ProposalSubmission,
    Role,
    utcnow,
)
from tendering.procurement import scoring

from . import factories as f
from .conftest import form_token, login


@pytest.fixture
def opened(app, session, make_case, make_user, official):
    """A case in evaluation: two sealed proposals, the box opened, two evaluators."""
    case = make_case(state="tendering", budget_ceiling=Decimal("500000"))
    criteria = [
        AwardCriterion(case_id=case.id, name="Aanpak", weight=60, scale_max=10, position=0),
        AwardCriterion(
            case_id=case.id, name="Prijs", weight=40, scale_max=10, is_price=True, price_formula="lowest", position=1
        ),
    ]
    session.add_all(criteria)
    entries = []
    for name, price in (("Coalitie A", "400000"), ("Coalitie B", "200000")):
        organisation = Organisation(name=name, kind=OrganisationKind.association)
        session.add(organisation)
        session.flush()
        coalition = Coalition(case_id=case.id, name=name, lead_organisation_id=organisation.id)
        session.add(coalition)
        session.flush()
        session.add(
            CoalitionMember(
                coalition_id=coalition.id,
                organisation_id=organisation.id,
                is_lead=True,
                status=MembershipStatus.accepted,
            )
        )
        received = utcnow() - timedelta(hours=1)
        proposal = Proposal(
            case_id=case.id,
            coalition_id=coalition.id,
            status=ProposalStatus.submitted,
            submitted_at=received,
            receipt_sha256="0" * 64,
            price=Decimal(price),
        )
        session.add(proposal)
        session.flush()
        session.add(
            ProposalSubmission(
                proposal_id=proposal.id,
                version=1,
                content={"approach": f"Aanpak van {name}", "price": price},
                submitted_at=received,
                submitted_by_id=official.id,
                receipt_sha256="0" * 64,
            )
        )
        entries.append(proposal)
    f.pass_deadline(session, case)
    case.state = "evaluation"
    evaluators = [make_user(Role.official, name="Eva Luator"), make_user(Role.official, name="Bert Oordeel")]
    session.add_all(EvaluatorAssignment(case_id=case.id, user_id=e.id) for e in evaluators)
    session.add(
        BoxOpening(case_id=case.id, requested_by_id=official.id, opened_by_id=evaluators[0].id, opened_at=utcnow())
    )
    session.commit()
    return case, criteria, entries, evaluators


def as_(app, user):
    client = app.test_client()
    login(client, user)
    return client


def declare(client, case, proposal, conflict="no", note=""):
    page = client.get(f"/cases/{case.id}/evaluation")
    return client.post(
        f"/cases/{case.id}/evaluation/{proposal.id}/declaration",
        data={"csrf_token": form_token(page), "conflict": conflict, "note": note},
        follow_redirects=True,
    )


def score(client, case, proposal, criteria, values, action="submit", requirements="yes"):
    page = client.get(f"/cases/{case.id}/evaluation/{proposal.id}")
    data = {
        "csrf_token": form_token(page),
        "action": action,
        "requirements_met": requirements,
        "requirements_note": "Voldoet.",
    }
    for criterion, value in zip(criteria, values, strict=True):
        data[f"score-{criterion.id}"] = str(value)
        data[f"motivation-{criterion.id}"] = "Onderbouwd."
    return client.post(f"/cases/{case.id}/evaluation/{proposal.id}", data=data, follow_redirects=True)


def consensus(client, case, proposal, criteria, value, participants=()):
    """Record the consensus as the owner, with the evaluators (ids) who took part."""
    page = client.get(f"/cases/{case.id}/evaluation/{proposal.id}/consensus")
    return client.post(
        f"/cases/{case.id}/evaluation/{proposal.id}/consensus",
        data={
            "csrf_token": form_token(page),
            f"score-{criteria[0].id}": str(value),
            f"motivation-{criteria[0].id}": "Samen besproken.",
            "participants": [str(p) for p in participants],
        },
        follow_redirects=True,
    )


def evaluate_all(
    session, case, criteria, proposals, evaluators, official, *, approach_scores=(9, 6), requirements=(True, True)
):
    """Every evaluator judges every proposal; the owner records the consensus with them (A: 74, B: 76 by default)."""
    for evaluator in evaluators:
        for proposal, met in zip(proposals, requirements, strict=True):
            entry = next(e for e in scoring.entries(session, case) if e.proposal_id == proposal.id)
            scoring.declare(session, case, entry, actor=evaluator, has_conflict=False)
            scoring.save_scores(
                session,
                case,
                entry,
                actor=evaluator,
                scores={c.id: (7.0, "Onderbouwd.") for c in criteria},
                requirements_met=met,
                requirements_note="Getoetst.",
                submit=True,
            )
    for proposal, value in zip(proposals, approach_scores, strict=True):
        entry = next(e for e in scoring.entries(session, case) if e.proposal_id == proposal.id)
        scoring.record_consensus(
            session,
            case,
            entry,
            actor=official,
            scores={criteria[0].id: (value, "Samen besproken.")},
            participant_ids=[e.id for e in evaluators],
        )
    session.commit()


@pytest.fixture
def evaluated(opened, session, official, make_user):
    case, criteria, proposals, evaluators = opened
    evaluate_all(session, case, criteria, proposals, evaluators, official)
    coalitions = [session.get(Coalition, p.coalition_id) for p in proposals]
    members = [
        make_user(Role.coalition_member, org=session.get(Organisation, c.lead_organisation_id)) for c in coalitions
    ]
    return case, proposals, coalitions, members
