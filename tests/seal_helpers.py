"""A published case with two coalitions that bid through the real services, and
a reader of every role: the scenario of the seal and tender-box race tests.

Each bid leaves markers that only a reader the seal allows may see: the
coalition's name (who bid), the sealed approach, price and attachment (what),
the receipt and the minute of submission (when).
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from tendering.core.i18n import utc_to_local
from tendering.demo import journeys
from tendering.models import Coalition, Organisation, OrganisationKind, ProposalSubmission, Role, utcnow
from tendering.parties.proposals import add_attachment, draft_for
from tendering.procurement import stages, strategy, tender_box
from tendering.procurement.evaluation import assign_evaluator
from tendering.workflow.engine import apply_due_steps, fire

from . import factories as f
from .proposal_helpers import PDF

BIDDERS = {
    "zilvermeeuw": (
        "Coalitie Zilvermeeuw",
        "Verzegelde aanpak ZM-7731",
        Decimal("387654.21"),
        "plan-zilvermeeuw-zm.pdf",
    ),
    "kraanvogel": ("Coalitie Kraanvogel", "Verzegelde aanpak KV-4419", Decimal("412345.67"), "plan-kraanvogel-kv.pdf"),
}
SUBMITTED_MINUTES_AGO = {"zilvermeeuw": 7, "kraanvogel": 13}  # a minute no other event of the case shares


@dataclass
class Sealed:
    case: object
    users: dict
    coalitions: dict  # key -> Coalition
    submissions: dict  # key -> ProposalSubmission
    attachments: dict  # key -> ProposalAttachment
    markers: dict  # key -> list of strings


def price_spellings(price: Decimal) -> list[str]:
    whole = f"{int(price):,}"
    return [str(price), whole.replace(",", "."), whole, whole.replace(",", "\u202f"), whole.replace(",", "\xa0")]


def markers_of(key: str, submission: ProposalSubmission) -> list[str]:
    name, approach, price, filename = BIDDERS[key]
    at_utc, at_local = submission.submitted_at, utc_to_local(submission.submitted_at)
    times = {f"{at_utc:%H:%M}", f"{at_local:%H:%M}"}
    return [name, approach, filename, submission.receipt_sha256, *price_spellings(price), *times]


def _readers(make_user, official) -> dict:
    """A reader of every role that is not a bidder."""
    return {
        "owner": official,
        "evaluator": make_user(Role.official, name="Eva Luator"),
        "official": make_user(Role.official, name="Otto Collega"),
        "council_member": make_user(Role.council_member, name="Rita Raad"),
        "admin": make_user(Role.admin, name="Ad Min"),
        "outsider": make_user(Role.coalition_member, name="Olga Buitenstaander"),  # in no coalition of the case
    }


def _bidders(session, make_user, users: dict, key: str):
    """The lead and the partner of bidder `key`, each of an organisation of its own; added to `users`."""
    orgs = [Organisation(name=f"{key.title()} {part}", kind=OrganisationKind.association) for part in ("Zorg", "Buurt")]
    session.add_all(orgs)
    session.commit()
    lead, partner = (make_user(Role.coalition_member, org=o, name=f"{o.name} lid") for o in orgs)
    users[key], users[f"{key}_partner"] = lead, partner
    return lead, partner


@pytest.fixture
def sealed(session, make_user, official, test_config, monkeypatch):
    """A published case with two sealed bids, an assigned evaluator, and a reader of every role."""
    users = _readers(make_user, official)
    case = journeys.publish(
        session,
        official,
        journeys.Question(
            title="Gelukkig oud",
            question="Wie helpt ons om ouderen gelukkig oud te laten worden?",
            theme="Zorg",
            budget_ceiling=Decimal("500000"),
            outcome="Minder eenzaamheid onder ouderen.",
            stakeholders=["Ouderenbond", "Sportvereniging De Linde", "Voedselbank"],
        ),
        min_partners=1,
    )
    assign_evaluator(session, case, actor=official, evaluator_id=users["evaluator"].id)
    session.commit()
    coalitions, submissions, attachments = {}, {}, {}
    real_now = utcnow()
    for key, (name, approach, price, filename) in BIDDERS.items():
        lead, partner = _bidders(session, make_user, users, key)
        # The bid's own steps happen minutes earlier, so its minute of submission is a marker of its own.
        minutes = SUBMITTED_MINUTES_AGO[key]
        monkeypatch.setattr(tender_box, "utcnow", lambda m=minutes: real_now - timedelta(minutes=m))
        journeys.bid(session, case, journeys.Bid(lead, [partner], name, price, approach, score=8))
        session.commit()
        coalition = session.exec(select(Coalition).where(Coalition.case_id == case.id, Coalition.name == name)).one()
        proposal = draft_for(session, coalition, case)
        attachment = add_attachment(
            session, proposal, actor=lead, case=case, upload_dir=test_config["UPLOAD_DIR"], filename=filename, data=PDF
        )
        tender_box.submit(session, proposal, coalition, case, actor=lead)
        session.commit()
        coalitions[key], attachments[key] = coalition, attachment
        submissions[key] = tender_box.current_submission(session, proposal)
    monkeypatch.undo()
    markers = {key: markers_of(key, submissions[key]) for key in BIDDERS}
    return Sealed(case, users, coalitions, submissions, attachments, markers)


def to_stage(session, sealed: Sealed, stage: str) -> None:
    """Before the deadline; after it with the opening requested by the owner; or opened by the evaluator too."""
    case, users = sealed.case, sealed.users
    if stage == "before_deadline":
        return
    f.pass_deadline(session, case)
    apply_due_steps(session, case)
    tender_box.open_box(session, case, actor=users["owner"])
    if stage == "opened":
        tender_box.open_box(session, case, actor=users["evaluator"])
    session.commit()


PLANS = {
    "zilvermeeuw": ("Uitgewerkt plan ZM-5502", Decimal("376543.21")),
    "kraanvogel": ("Uitgewerkt plan KV-8806", Decimal("401234.56")),
}


@pytest.fixture
def sealed_plans(app, session, make_user, official, monkeypatch):
    """The two-stage variant in “Realisatieplan”: both strategies were chosen (who bid is known by now) and both
    coalitions submitted a sealed realisation plan; its markers are what and when, not who."""
    users = _readers(make_user, official)
    with app.test_request_context():
        case = journeys.publish(
            session,
            official,
            journeys.Question(
                title="Leefbaarheid in de Bloemenbuurt",
                question="Wie helpt ons om de Bloemenbuurt weer een buurt te maken waar bewoners naar elkaar omkijken?",
                theme="Wonen",
                budget_ceiling=Decimal("500000"),
                outcome="Bewoners waarderen hun buurt met minstens een 7.",
                stakeholders=["Corporatie", "Wijkagent", "Buurthuis"],
            ),
            min_partners=1,
            workflow="strategy_then_realisation",
        )
        case.strategies_to_choose = 2
        bids = []
        for key, (name, _approach, price, _filename) in BIDDERS.items():
            lead, partner = _bidders(session, make_user, users, key)
            bids.append(journeys.Bid(lead, [partner], name, price, f"Strategie van {name}.", score=8))
            journeys.bid(session, case, bids[-1])
        journeys.close_and_evaluate(session, case, official, users["evaluator"], bids)
        chosen = [c.entry.proposal_id for c in strategy.candidates(session, case)]
        strategy.choose(
            session,
            case,
            actor=official,
            proposal_ids=chosen,
            motivation="Beide strategieën zijn sterk.",
            plan_deadline=utcnow() + timedelta(days=30),
        )
        fire(session, case, "select_strategy", actor=official, reason="Twee strategieën gekozen.")
        session.commit()
        coalitions, submissions = {}, {}
        real_now = utcnow()
        for (key, (approach, price)), b in zip(PLANS.items(), bids, strict=True):
            coalition = session.exec(
                select(Coalition).where(Coalition.case_id == case.id, Coalition.name == b.name)
            ).one()
            monkeypatch.setattr(
                tender_box, "utcnow", lambda m=SUBMITTED_MINUTES_AGO[key]: real_now - timedelta(minutes=m)
            )
            journeys.draft(
                session, case, coalition, journeys.Bid(b.lead, [], b.name, price, approach, score=8), submitted=True
            )
            session.commit()
            coalitions[key] = coalition
            submissions[key] = tender_box.current_submission(session, draft_for(session, coalition, case))
        monkeypatch.undo()
    markers = {}
    for key, submission in submissions.items():
        approach, price = PLANS[key]
        at_utc, at_local = submission.submitted_at, utc_to_local(submission.submitted_at)
        markers[key] = [
            approach,
            submission.receipt_sha256,
            *price_spellings(price),
            f"{at_utc:%H:%M}",
            f"{at_local:%H:%M}",
        ]
    return Sealed(case, users, coalitions, submissions, {}, markers)


def plans_to_stage(session, sealed: Sealed, stage: str) -> None:
    """The plan box: before its deadline; after it with the opening requested; or opened with four eyes."""
    if stage == "before_deadline":
        return
    choice = stages.choice_of(session, sealed.case)
    choice.plan_deadline = utcnow() - timedelta(milliseconds=1)
    session.add(choice)
    tender_box.open_box(session, sealed.case, actor=sealed.users["owner"])
    if stage == "opened":
        tender_box.open_box(session, sealed.case, actor=sealed.users["evaluator"])
    session.commit()
