"""A case as an Open Contracting Data Standard (1.1) release package.

One release per stage the case has reached, each dated when that stage began:
planning (the question and its budget), tender (publication), award (the
letters), contract (the concluded agreement) and implementation (the agreed
indicators as delivery milestones with their latest values, the payment
schedule as financing milestones, and each paid claim as a transaction against
its milestone). Only what is public goes out: nothing before publication, no
confidential indicator, no proposal content, no scores, no claim before it is paid.
"""

from datetime import UTC, datetime
from decimal import Decimal

from flask import current_app
from sqlalchemy import func
from sqlmodel import Session, select

from ..models import (
    Agreement,
    AwardLetter,
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
    utcnow,
)
from ..procurement import award
from ..question import question_document, tender_setup
from ..question.cases import was_published
from ..realisation import agreement as agreements
from ..realisation import monitoring, payments
from ..workflow.phases import in_phase, ocds_tender_status

VERSION = "1.1"
RELATED_MILESTONE = (
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_transactions_relatedMilestone_extension"
    "/master/extension.json"
)


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


def ocid(case: Case) -> str:
    return f"{current_app.config['OCDS_PREFIX']}-{case.reference}"


def _buyer() -> dict:
    return {"id": "buyer", "name": current_app.config["MUNICIPALITY_NAME"]}


def _party(organisation: Organisation, roles: list[str]) -> dict:
    party = {"id": f"org-{organisation.id}", "name": organisation.name, "roles": roles}
    if organisation.kvk_number:
        party["identifier"] = {"scheme": "NL-KVK", "id": organisation.kvk_number, "legalName": organisation.name}
    return party


def releases(session: Session, case: Case, base_url: str) -> list[dict]:
    """The releases of one published case, oldest first."""
    identifier = ocid(case)
    documents = question_document.versions(session, case)
    parties = {"buyer": {**_buyer(), "roles": ["buyer", "procuringEntity"]}}
    common = {"ocid": identifier, "language": "nl", "buyer": _buyer(), "initiationType": "tender"}
    planning = {
        "rationale": case.question,
        "budget": {"description": case.problem_analysis[:2000] or case.title, "amount": _money(case.budget_ceiling)},
    }
    found = [
        {
            **common,
            "id": f"{identifier}-planning",
            "date": _stamp(case.created_at),
            "tag": ["planning"],
            "planning": planning,
        }
    ]

    criteria = tender_setup.criteria_of(session, case)
    tender = {
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
        "awardCriteriaDetails": "; ".join(f"{c.name} ({c.weight}%)" for c in criteria),
        "submissionMethod": ["electronicSubmission"],
        "enquiryPeriod": {"endDate": _stamp(case.clarification_deadline) if case.clarification_deadline else None},
        "tenderPeriod": {
            "startDate": _stamp(documents[0].published_at),
            "endDate": _stamp(case.submission_deadline) if case.submission_deadline else None,
        },
        "documents": [
            {
                "id": f"question-document-{d.version}",
                "documentType": "tenderNotice" if d.version == 1 else "clarifications",
                "title": f"Vraagdocument versie {d.version}",
                "url": f"{base_url}tenders/{case.reference}/document",
                "datePublished": _stamp(d.published_at),
                "format": "text/html",
                "language": "nl",
            }
            for d in documents
        ],
    }
    found.append(
        {
            **common,
            "id": f"{identifier}-tender",
            "date": _stamp(documents[0].published_at),
            "tag": ["tender"],
            "tender": tender,
        }
    )

    decision = award.current_decision(session, case)
    if decision is None or decision.letters_sent_at is None:
        return _finish(found, parties)
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
    for organisation in suppliers:
        parties[f"org-{organisation.id}"] = _party(organisation, ["supplier"])
    concluded = agreements.concluded(session, case)
    award_id = f"award-{decision.id}"
    award_entry = {
        "id": award_id,
        "title": f"{case.title}: {winner.name}",
        "description": decision.advantages,
        "status": "active" if concluded else "pending",
        "date": _stamp(decision.letters_sent_at),
        "value": _money(proposal.price),
        "suppliers": [{"id": f"org-{o.id}", "name": o.name} for o in suppliers],
    }
    letters = session.exec(
        select(func.count()).select_from(AwardLetter).where(AwardLetter.award_decision_id == decision.id)
    ).one()
    found.append(
        {
            **common,
            "id": f"{identifier}-award",
            "date": _stamp(decision.letters_sent_at),
            "tag": ["award"],
            "awards": [award_entry],
            "tender": {"id": tender["id"], "numberOfTenderers": letters},
        }
    )
    if concluded is None:
        return _finish(found, parties)

    contract = _contract(concluded, award_id, case, base_url)
    found.append(
        {
            **common,
            "id": f"{identifier}-contract",
            "date": _stamp(concluded.concluded_at),
            "tag": ["contract"],
            "contracts": [contract],
        }
    )
    indicators = session.exec(
        select(Indicator).where(Indicator.agreement_id == concluded.id).order_by(Indicator.id)
    ).all()
    public = {i.id: i for i in indicators if not i.confidential}
    terms = payments.terms_of(session, concluded)
    paid = {
        claim.term_id: claim
        for claim in session.exec(
            select(PaymentClaim).where(
                PaymentClaim.agreement_id == concluded.id, PaymentClaim.status == ClaimStatus.paid
            )
        ).all()
    }
    if public or terms:
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
        found.append(
            {
                **common,
                "id": f"{identifier}-implementation",
                "date": _stamp(utcnow()),
                "tag": ["implementation"],
                "contracts": [{"id": contract["id"], "awardID": award_id, "implementation": implementation}],
            }
        )
    return _finish(found, parties)


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
                "url": f"{base_url}cases/{case.id}/agreement/document",
                "format": "text/html",
                "language": "nl",
                "description": f"SHA-256 {concluded.sha256}",
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
        "status": "met" if paid else "scheduled",
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


def _finish(found: list[dict], parties: dict) -> list[dict]:
    """Every release carries the parties it refers to."""
    for release in found:
        release["parties"] = list(parties.values())
    return [_clean(r) for r in found]


def _pays(release: dict) -> bool:
    return any(c.get("implementation", {}).get("transactions") for c in release.get("contracts", []))


def package(session: Session, cases: list[Case], base_url: str) -> dict:
    """A release package of the given cases; unpublished cases are left out."""
    all_releases = [r for case in cases if was_published(session, case) for r in releases(session, case, base_url)]
    extensions = {"extensions": [RELATED_MILESTONE]} if any(_pays(r) for r in all_releases) else {}
    return {
        "uri": f"{base_url}ocds/{cases[0].id}.json" if len(cases) == 1 else f"{base_url}ocds/all.json",
        "version": VERSION,
        "publishedDate": max((r["date"] for r in all_releases), default=_stamp(utcnow())),
        "publisher": {"name": current_app.config["MUNICIPALITY_NAME"]},
        "license": "https://creativecommons.org/publicdomain/zero/1.0/",
        **extensions,
        "releases": all_releases,
    }
