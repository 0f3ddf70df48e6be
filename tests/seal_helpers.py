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
from tendering.procurement import tender_box
from tendering.procurement.evaluation import assign_evaluator
from tendering.workflow.engine import apply_due_steps

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


@pytest.fixture
def sealed(session, make_user, official, test_config, monkeypatch):
    """A published case with two sealed bids, an assigned evaluator, and a reader of every role."""
    users = {
        "owner": official,
        "evaluator": make_user(Role.official, name="Eva Luator"),
        "official": make_user(Role.official, name="Otto Collega"),
        "council_member": make_user(Role.council_member, name="Rita Raad"),
        "admin": make_user(Role.admin, name="Ad Min"),
        "outsider": make_user(Role.coalition_member, name="Olga Buitenstaander"),  # in no coalition of the case
    }
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
        orgs = [
            Organisation(name=f"{key.title()} {part}", kind=OrganisationKind.association) for part in ("Zorg", "Buurt")
        ]
        session.add_all(orgs)
        session.commit()
        lead, partner = (make_user(Role.coalition_member, org=o, name=f"{o.name} lid") for o in orgs)
        users[key], users[f"{key}_partner"] = lead, partner
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
