"""Burst set-up and check, run against the benchmark database (DATABASE_URL).

Without arguments: publish a tender and let 200 single-organisation coalitions
prepare complete drafts; print the plan (who submits when, relative to a
deadline 45 s from now). With `--verify CASE`: count what was stored, whether
anything carries a time at or after the deadline, and recompute every receipt.
"""

import json
import sys
import time
from datetime import timedelta
from decimal import Decimal

from sqlmodel import Session, select

from tendering.core import db
from tendering.demo import journeys
from tendering.models import Case, Proposal, ProposalSubmission, Role, User, utcnow
from tendering.parties.coalitions import form_coalition
from tendering.parties.proposals import DraftFields, draft_for, minimum_requirements, save_draft
from tendering.procurement import tender_box
from wsgi import app

COALITIONS, WINDOW, LATE = 200, 30, 10


def set_up(session: Session) -> dict:
    official = session.exec(select(User).where(User.role == Role.official).order_by(User.id)).first()
    case = journeys.publish(
        session,
        official,
        journeys.Question(
            title=f"Burst {int(time.time())}",
            question="Wie dient op het laatste moment in?",
            theme="Benchmark",
            budget_ceiling=Decimal("1000000"),
            outcome="Alles komt aan.",
            stakeholders=["A", "B", "C"],
        ),
        min_partners=1,
    )
    members = session.exec(
        select(User)
        .where(User.role == Role.coalition_member, User.email.like("%@synthetic.example"))
        .order_by(User.id)
        .limit(COALITIONS)
    ).all()
    requirements = tuple(f.id for f in minimum_requirements(session, case))
    jobs = []
    for number, member in enumerate(members):
        coalition = form_coalition(session, case, actor=member, name=f"Burst {number}")
        save_draft(
            session,
            draft_for(session, coalition, case),
            actor=member,
            case=case,
            fields=DraftFields(
                approach="Aanpak",
                answer_to_question="Antwoord",
                outcome_commitments="Toezeggingen",
                monitoring="Monitoring",
                price=Decimal("900000"),
                requirements_confirmed=requirements,
            ),
        )
        late = number >= COALITIONS - LATE
        offset = WINDOW + 1 + (number % LATE) * 0.2 if late else (number / (COALITIONS - LATE)) * (WINDOW - 2)
        jobs.append((coalition.id, member.email, offset))
    lead_time = 45
    case.submission_deadline = utcnow() + timedelta(seconds=lead_time)
    session.add(case)
    session.commit()
    start_epoch = time.time() + lead_time - WINDOW
    return {
        "case": case.id,
        "deadline_in_seconds": WINDOW,
        "start_epoch": start_epoch,
        "jobs": [(c, e, round(o, 2)) for c, e, o in jobs],
    }


def verify(session: Session, case_id: int) -> dict:
    case = session.get(Case, case_id)
    rows = session.exec(
        select(ProposalSubmission, Proposal)
        .join(Proposal, Proposal.id == ProposalSubmission.proposal_id)
        .where(Proposal.case_id == case_id)
    ).all()
    return {
        "stored": len(rows),
        "after_deadline": sum(1 for s, _p in rows if s.submitted_at >= case.submission_deadline),
        "receipts_ok": all(tender_box.receipt_hash(s) == s.receipt_sha256 == p.receipt_sha256 for s, p in rows),
        "receipts": {str(p.coalition_id): s.receipt_sha256 for s, p in rows},
    }


if __name__ == "__main__":
    with app.app_context(), app.test_request_context(), Session(db.engine()) as session:
        print(json.dumps(verify(session, int(sys.argv[2])) if len(sys.argv) > 2 else set_up(session)))
