"""What a published case shows as Open Contracting Data (OCDS 1.1), stage by stage, at this moment.

The stages: planning (the question and its budget), tender (publication, with
every version of the question document and every nota), award (the letters,
with the bids), contract (the concluded agreement) and implementation (the
agreed indicators as delivery milestones with their latest values, the payment
schedule as financing milestones, and each paid claim as a transaction against
its milestone). Only what is public goes out: nothing before publication, no
confidential indicator, no proposal content, no scores, no claim before it is
paid. `releases` stores what this module builds as immutable releases.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from flask import current_app
from sqlmodel import Session, select

from ..models import (
    Agreement,
    Case,
    ClaimStatus,
    Coalition,
    CoalitionMember,
    Indicator,
    MembershipStatus,
    Organisation,
    PaymentClaim,
    PaymentKind,
    PaymentTerm,
    Proposal,
    ProposalStage,
    QuestionDocument,
)
from ..procurement import award, scoring
from ..question import clarifications, question_document, tender_setup
from ..realisation import agreement as agreements
from ..realisation import monitoring, payments
from ..workflow.phases import in_phase, ocds_tender_status

VERSION = "1.1"
RELATED_MILESTONE = (
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_transactions_relatedMilestone_extension"
    "/master/extension.json"
)
BIDS = "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.5/extension.json"


def _stamp(moment: datetime) -> str:
    """A moment in UTC as OCDS writes date-times."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _money(amount: Decimal | float | None) -> dict | None:
    return None if amount is None else {"amount": float(amount), "currency": "EUR"}


def _clean(value):
    """Leave out empty fields: OCDS prefers an absent field to an empty one."""
    if isinstance(value, dict):
        cleaned = {k: _clean(v) for k, v in value.items()}
        return {k: v for k, v in cleaned.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def ocid(case: Case, round_: int | None = None) -> str:
    """The contracting process: a case's first round, or a later round (a restarted procedure is a new process)."""
    number = case.round if round_ is None else round_
    base = f"{current_app.config['OCDS_PREFIX']}-{case.reference}"
    return base if number == 1 else f"{base}-{number}"


def _buyer() -> dict:
    return {"id": "buyer", "name": current_app.config["MUNICIPALITY_NAME"]}


def _party(organisation: Organisation, roles: list[str]) -> dict:
    party = {"id": f"org-{organisation.id}", "name": organisation.name, "roles": roles}
    if organisation.kvk_number:
        party["identifier"] = {"scheme": "NL-KVK", "id": organisation.kvk_number, "legalName": organisation.name}
    return party


@dataclass(frozen=True)
class Stage:
    """What one stage of the contracting process publishes now: `content` is a release without its ocid, id, date
    and tag."""

    name: str
    content: dict


def round_published(session: Session, case: Case) -> bool:
    """Whether the case's current round is published: only then is there open data about it."""
    return (
        session.exec(
            select(QuestionDocument.id).where(QuestionDocument.case_id == case.id, QuestionDocument.round == case.round)
        ).first()
        is not None
    )


def stages(session: Session, case: Case, base_url: str) -> list[Stage]:
    """The stages the current round of a case has reached, as the public may see them at this moment; none before
    the round is published."""
    documents = [d for d in question_document.versions(session, case) if d.round == case.round]
    if not documents:
        return []
    buyer = {**_buyer(), "roles": ["buyer", "procuringEntity"]}
    common = {"language": "nl", "buyer": _buyer(), "initiationType": "tender"}
    if case.round > 1:
        common["relatedProcesses"] = [
            {
                "id": f"round-{case.round - 1}",
                "relationship": ["unsuccessfulProcess"],
                "title": f"Ronde {case.round - 1} van {case.reference}, zonder gunning beëindigd",
                "scheme": "ocid",
                "identifier": ocid(case, case.round - 1),
            }
        ]
    planning = {
        "rationale": case.question,
        "budget": {"description": case.problem_analysis[:2000] or case.title, "amount": _money(case.budget_ceiling)},
    }
    found = [Stage("planning", {**common, "parties": [buyer], "planning": planning})]
    tender = _tender(session, case, documents, base_url)
    found.append(Stage("tender", {**common, "parties": [buyer], "tender": tender}))

    decision = award.current_decision(session, case)
    if decision is None or decision.letters_sent_at is None:
        return found
    winner, proposal = session.exec(
        select(Coalition, Proposal)
        .join(Proposal, Proposal.coalition_id == Coalition.id)
        .where(Proposal.id == decision.proposal_id)
    ).one()
    suppliers = session.exec(
        select(Organisation)
        .join(CoalitionMember, CoalitionMember.organisation_id == Organisation.id)
        .where(CoalitionMember.coalition_id == winner.id, CoalitionMember.status == MembershipStatus.accepted)
        .order_by(Organisation.name)
    ).all()
    parties = {"buyer": buyer} | {f"org-{o.id}": _party(o, ["supplier", "tenderer"]) for o in suppliers}
    concluded = agreements.concluded(session, case)
    award_id = f"award-{decision.id}"
    winning_bid = f"bid-{decision.proposal_id}"
    award_entry = {
        "id": award_id,
        "title": f"{case.title}: {winner.name}",
        "description": decision.advantages,
        "status": "active" if concluded else "pending",
        "date": _stamp(decision.letters_sent_at),
        "value": _money(proposal.price),
        "suppliers": [{"id": f"org-{o.id}", "name": o.name} for o in suppliers],
        "relatedBids": [winning_bid],
    }
    bids = _bids(session, case, winning_bid, suppliers)
    found.append(
        Stage(
            "award",
            {
                **common,
                "parties": list(parties.values()),
                "awards": [award_entry],
                "tender": {"id": tender["id"], "status": tender["status"], "numberOfTenderers": len(bids["details"])},
                "bids": bids,
            },
        )
    )
    if concluded is None:
        return found

    contract = _contract(concluded, award_id, case, base_url)
    found.append(Stage("contract", {**common, "parties": list(parties.values()), "contracts": [contract]}))
    implemented = _implementation(session, concluded, winner, parties)
    if implemented is not None:
        implementation, paying = implemented
        found.append(
            Stage(
                "implementation",
                {
                    **common,
                    "parties": paying,
                    "contracts": [{"id": contract["id"], "awardID": award_id, "implementation": implementation}],
                },
            )
        )
    return found


def _tender(session: Session, case: Case, documents: list, base_url: str) -> dict:
    """The tender as published, with every version of the question document and every nota van inlichtingen."""
    criteria = tender_setup.criteria_of(session, case)
    page = f"{base_url}tenders/{case.reference}"
    notas = clarifications.notas_of(session, case)
    return {
        "id": f"{case.reference}-{case.round}",
        "title": case.title,
        "description": case.question,
        "status": ocds_tender_status(case),
        "procuringEntity": _buyer(),
        "value": _money(case.budget_ceiling),
        "procurementMethod": "open",
        "procurementMethodDetails": "Maatschappelijk aanbesteden (social tendering)",
        "mainProcurementCategory": "services",
        "awardCriteria": "ratedCriteria",
        "awardCriteriaDetails": _criteria_details(criteria),
        "submissionMethod": ["electronicSubmission"],
        "enquiryPeriod": {"endDate": _stamp(case.clarification_deadline) if case.clarification_deadline else None},
        "tenderPeriod": {
            "startDate": _stamp(documents[0].published_at),
            "endDate": _stamp(case.submission_deadline) if case.submission_deadline else None,
        },
        "documents": [
            {
                "id": f"question-document-{d.version}",
                "documentType": "tenderNotice" if d is documents[0] else "clarifications",
                "title": f"Vraagdocument versie {d.version}",
                "url": f"{page}/document?version={d.version}",
                "datePublished": _stamp(d.published_at),
                "format": "text/html",
                "language": "nl",
            }
            for d in documents
        ]
        + [
            {
                "id": f"nota-{number}",
                "documentType": "clarifications",
                "title": f"Nota van inlichtingen {number}",
                "url": f"{page}/nota/{number}",
                "datePublished": _stamp(max(a.answered_at for a in answers if a.answered_at)),
                "format": "text/html",
                "language": "nl",
            }
            for number, answers in notas.items()
        ],
    }


STAGE_NAMES = {ProposalStage.strategy.value: "Strategie", ProposalStage.realisation.value: "Realisatieplan"}


def _criteria_details(criteria) -> str:
    """The criteria with their weights; in the two-stage variant per stage (each stage adds up to 100%)."""
    stages = dict.fromkeys(c.stage for c in criteria)
    parts = []
    for stage in stages:
        listed = ", ".join(f"{c.name} ({c.weight}%)" for c in criteria if c.stage == stage)
        parts.append(f"{STAGE_NAMES[stage]}: {listed}" if stage in STAGE_NAMES else listed)
    return "; ".join(parts)


def _bids(session: Session, case: Case, winning_bid: str, suppliers) -> dict:
    """Every bid that was opened, once the award is known: how many, which were valid, and the winning bid's
    tenderers. The other coalitions are not named: the award letters tell each bidder only its own result, and the
    Aanbestedingswet (art. 2.57) keeps what bidders hand in confidential, their taking part included."""
    passed = scoring.requirements_passed(session, case)
    opened = scoring.entries(session, case)
    details = [
        {
            "id": f"bid-{entry.proposal_id}",
            "date": _stamp(entry.submission.submitted_at),
            "status": "valid" if passed.get(entry.proposal_id) else "disqualified",
        }
        | (
            {"tenderers": [{"id": f"org-{o.id}", "name": o.name} for o in suppliers]}
            if f"bid-{entry.proposal_id}" == winning_bid
            else {}
        )
        for entry in sorted(opened, key=lambda e: e.proposal_id)
    ]
    valid = sum(1 for d in details if d["status"] == "valid")
    return {
        "statistics": [
            {"id": "bids", "measure": "bids", "value": len(details)},
            {"id": "validBids", "measure": "validBids", "value": valid},
            {"id": "disqualifiedBids", "measure": "disqualifiedBids", "value": len(details) - valid},
        ],
        "details": details,
    }


def _implementation(
    session: Session, concluded: Agreement, winner: Coalition, parties: dict
) -> tuple[dict, list[dict]] | None:
    """The agreed public indicators as delivery milestones, the payment schedule as financing milestones and each
    paid claim as a transaction, with the parties (payer and payee once paid); none while the agreement has neither
    indicators nor payments."""
    indicators = session.exec(
        select(Indicator).where(Indicator.agreement_id == concluded.id).order_by(Indicator.id)
    ).all()
    public = {i.id: i for i in indicators if not i.confidential}
    terms = payments.terms_of(session, concluded)
    if not public and not terms:
        return None
    paid = {
        claim.term_id: claim
        for claim in session.exec(
            select(PaymentClaim).where(
                PaymentClaim.agreement_id == concluded.id, PaymentClaim.status == ClaimStatus.paid
            )
        ).all()
    }
    parties = {key: {**party, "roles": list(party["roles"])} for key, party in parties.items()}
    payee = parties.get(f"org-{winner.lead_organisation_id}")
    if paid and payee is not None:
        parties["buyer"]["roles"].append("payer")
        payee["roles"].append("payee")
    financing = {term.id: _financing(term, public, paid.get(term.id)) for term in terms}
    implementation = {
        "milestones": [_milestone(i) for i in public.values()] + list(financing.values()),
        "transactions": [
            _transaction(claim, financing[claim.term_id], payee)
            for claim in sorted(paid.values(), key=lambda c: (c.paid_on, c.id))
            if payee is not None
        ],
    }
    return implementation, list(parties.values())


def _contract(concluded: Agreement, award_id: str, case: Case, base_url: str) -> dict:
    return {
        "id": f"agreement-{concluded.id}",
        "awardID": award_id,
        "title": f"Overeenkomst {case.title}",
        "status": "terminated" if in_phase(case, "concluded") else "active",
        "period": {
            "startDate": f"{concluded.starts_on.isoformat()}T00:00:00Z",
            "endDate": f"{concluded.ends_on.isoformat()}T23:59:59Z",
        },
        "value": _money(concluded.budget),
        "dateSigned": _stamp(concluded.concluded_at),
        "documents": [
            {
                "id": f"agreement-{concluded.id}",
                "documentType": "contractSigned",
                "title": "Overeenkomst",
                "url": f"{base_url}tenders/{case.reference}/agreement",
                "format": "text/html",
                "language": "nl",
                "description": f"Openbare versie, zonder vertrouwelijke indicatoren. SHA-256 van de getekende tekst: {concluded.sha256}",
            }
        ],
    }


def _milestone(indicator: Indicator) -> dict:
    """An agreed outcome indicator as a delivery milestone: met once its latest value reaches the target."""
    reached = indicator.latest_value is not None and not monitoring.behind(
        indicator, indicator.latest_value, indicator.target_value
    )
    latest = (
        f"; laatste waarde {indicator.latest_value:g} ({indicator.latest_period.isoformat()})"
        if indicator.latest_period
        else ""
    )
    return {
        "id": f"indicator-{indicator.id}",
        "title": indicator.name,
        "type": "delivery",
        "description": f"{indicator.definition} Nulmeting {indicator.baseline_value:g} ({indicator.baseline_date.isoformat()}), "
        f"streefwaarde {indicator.target_value:g} {indicator.unit}{latest}.",
        "dueDate": f"{indicator.target_date.isoformat()}T23:59:59Z",
        "status": "met" if reached else "scheduled",
    }


def _financing(term: PaymentTerm, public: dict[int, Indicator], paid: PaymentClaim | None) -> dict:
    """A payment of the schedule as a financing milestone, met once it is paid. An outcome payment on a confidential
    indicator says that it is one, and nothing about the indicator."""
    if term.kind == PaymentKind.outcome:
        indicator = public.get(term.indicator_id)
        description = (
            f"Betaling naar resultaat op {indicator.name}: tot {term.amount:.2f} euro bij "
            f"{term.target_value:g} {indicator.unit}".rstrip()
            + f" op {term.due_on.isoformat()}."
            if indicator is not None
            else f"Betaling naar resultaat op een vertrouwelijke indicator: tot {term.amount:.2f} euro."
        )
        title = term.description if indicator is not None else "Betaling naar resultaat"
    elif term.kind == PaymentKind.milestone:
        title, description = term.description, f"Betaling bij mijlpaal: {term.deliverable}"
    else:
        title, description = term.description, f"Vaste betaling van {term.amount:.2f} euro."
    return {
        "id": f"payment-{term.id}",
        "title": title,
        "type": "financing",
        "description": description,
        "dueDate": f"{term.due_on.isoformat()}T23:59:59Z",
        "dateMet": f"{paid.paid_on.isoformat()}T00:00:00Z" if paid else None,
        "status": ("met" if paid.amount >= term.amount else "partiallyMet") if paid else "scheduled",
    }


def _transaction(claim: PaymentClaim, milestone: dict, payee: dict) -> dict:
    """A paid claim as a transaction against the milestone it pays (the relatedMilestone extension)."""
    return {
        "id": f"claim-{claim.id}",
        "date": f"{claim.paid_on.isoformat()}T00:00:00Z",
        "value": _money(claim.amount),
        "payer": _buyer(),
        "payee": {"id": payee["id"], "name": payee["name"]},
        "relatedImplementationMilestone": {"id": milestone["id"], "title": milestone["title"], "type": "financing"},
    }
