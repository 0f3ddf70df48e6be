"""A case in realisation: a concluded agreement with three indicators and a member of the coalition."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest

from tendering.models import (
    Agreement,
    AwardDecision,
    Case,
    Coalition,
    CoalitionMember,
    Direction,
    Indicator,
    MembershipStatus,
    Organisation,
    OrganisationKind,
    Outcome,
    Proposal,
    ProposalStatus,
    Role,
    User,
    utcnow,
)
from tendering.realisation import monitoring


@dataclass
class Realised:
    case: Case
    coalition: Coalition
    agreement: Agreement
    loneliness: Indicator  # quarterly, lower is better, with norms 46 (at risk) and 48 (off track)
    volunteers: Indicator  # yearly, higher is better
    costs: Indicator  # confidential
    member: User


def add_realised(
    session, make_case, make_user, official, *, title="Gelukkig oud", theme="Ouderen", coalition_name="Samen Oud"
) -> Realised:
    today = utcnow().date()
    start = today - timedelta(days=100)  # the first quarter has ended; its value is due in about three weeks
    case = make_case(title=title, state="realisation", theme=theme, budget_ceiling=Decimal("500000"))
    outcome = Outcome(case_id=case.id, description="Minder eenzaamheid onder ouderen")
    organisation = Organisation(name=f"Lead van {coalition_name}", kind=OrganisationKind.association)
    session.add_all([outcome, organisation])
    session.flush()
    coalition = Coalition(case_id=case.id, name=coalition_name, lead_organisation_id=organisation.id)
    session.add(coalition)
    session.flush()
    session.add(
        CoalitionMember(
            coalition_id=coalition.id, organisation_id=organisation.id, is_lead=True, status=MembershipStatus.accepted
        )
    )
    proposal = Proposal(
        case_id=case.id,
        coalition_id=coalition.id,
        status=ProposalStatus.submitted,
        submitted_at=utcnow(),
        price=Decimal("400000"),
        receipt_sha256="0" * 64,
    )
    session.add(proposal)
    session.flush()
    decision = AwardDecision(
        case_id=case.id,
        proposal_id=proposal.id,
        motivation="Beste aanpak.",
        decided_by_id=official.id,
        letters_sent_at=utcnow() - timedelta(days=60),
        standstill_ends_at=utcnow() - timedelta(days=40),
    )
    session.add(decision)
    session.flush()
    agreement = Agreement(
        case_id=case.id,
        coalition_id=coalition.id,
        award_decision_id=decision.id,
        budget=Decimal("400000"),
        starts_on=start,
        ends_on=date(today.year + 2, 12, 31),
        recorded_by_id=official.id,
        concluded_at=utcnow() - timedelta(days=30),
        concluded_by_id=official.id,
        sha256="0" * 64,
    )
    session.add(agreement)
    session.flush()
    common = {
        "agreement_id": agreement.id,
        "baseline_date": start,
        "target_date": agreement.ends_on,
        "data_source": "GGD",
        "measured_by": "GGD",
    }
    loneliness = Indicator(
        name="Aandeel eenzame 75-plussers",
        unit="%",
        direction=Direction.lower_is_better,
        baseline_value=48,
        target_value=38,
        norm_at_risk=46,
        norm_off_track=48,
        frequency="quarterly",
        outcome_id=outcome.id,
        definition="Aandeel 75-plussers dat zich vaak eenzaam voelt.",
        **common,
    )
    volunteers = Indicator(
        name="Actieve vrijwilligers",
        unit="",
        direction=Direction.higher_is_better,
        baseline_value=100,
        target_value=200,
        frequency="yearly",
        definition="Vrijwilligers die maandelijks actief zijn.",
        **common,
    )
    costs = Indicator(
        name="Kosten per deelnemer",
        unit="EUR",
        direction=Direction.lower_is_better,
        baseline_value=900,
        target_value=700,
        frequency="yearly",
        confidential=True,
        definition="Uitgaven gedeeld door deelnemers.",
        **common,
    )
    session.add_all([loneliness, volunteers, costs])
    session.flush()
    monitoring.refresh(session, [loneliness, volunteers, costs])
    session.commit()
    member = make_user(Role.coalition_member, org=organisation)
    return Realised(case, coalition, agreement, loneliness, volunteers, costs, member)


@pytest.fixture
def realised(session, make_case, make_user, official) -> Realised:
    return add_realised(session, make_case, make_user, official)
