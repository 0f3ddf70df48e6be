"""The tender box and the guarantees of EU Directive 2014/24/EU, Annex IV."""

import hashlib
import threading
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import Session, select

from tendering.core.errors import DomainError
from tendering.models import (
    AuditEvent,
    Coalition,
    CoalitionMember,
    EvaluatorAssignment,
    Framework,
    MembershipStatus,
    Organisation,
    OrganisationKind,
    OutboxMessage,
    Proposal,
    ProposalAttachment,
    ProposalSubmission,
    Role,
    User,
    utcnow,
)
from tendering.procurement.tender_box import receipt_hash

from . import factories as f
from .conftest import form_token, login
from .proposal_helpers import PDF, save, upload


def complete(client, coalition, session, price="400000"):
    requirement = session.exec(select(Framework)).one()
    return save(
        client,
        coalition,
        approach="Buurtkamers in elke wijk.",
        answer_to_question="Eenzaamheid daalt.",
        outcome_commitments="Eenzaamheid van 48% naar 38%.",
        monitoring="GGD-monitor, cliëntenpanel.",
        price=price,
        requirements=str(requirement.id),
    )


def submit(client, coalition):
    page = client.get(f"/coalitions/{coalition.id}/proposal")
    return client.post(
        f"/coalitions/{coalition.id}/proposal/submit", data={"csrf_token": form_token(page)}, follow_redirects=True
    )


def refusals(session):
    return session.exec(select(AuditEvent).where(AuditEvent.action == "sealed_access_refused")).all()


@pytest.fixture
def submitted(drafting, session):
    case, coalition, users, clients = drafting
    complete(clients["lead"], coalition, session)
    upload(clients["lead"], coalition, "plan.pdf", PDF)
    assert "Your proposal is received." in submit(clients["partner"], coalition).text
    return case, coalition, users, clients, session.exec(select(ProposalSubmission)).one()


def other_coalition_member(session, make_user, case):
    organisation = Organisation(name="Concurrent", kind=OrganisationKind.company)
    session.add(organisation)
    session.flush()
    rival = Coalition(case_id=case.id, name="Concurrent", lead_organisation_id=organisation.id)
    session.add(rival)
    session.flush()
    session.add(
        CoalitionMember(
            coalition_id=rival.id, organisation_id=organisation.id, is_lead=True, status=MembershipStatus.accepted
        )
    )
    session.commit()
    return make_user(Role.coalition_member, org=organisation)


def client_for(app, user):
    client = app.test_client()
    login(client, user)
    return client


def open_box(app, session, case, official, make_user):
    evaluator = make_user(Role.official, name="Evaluator")
    session.add(EvaluatorAssignment(case_id=case.id, user_id=evaluator.id))
    f.pass_deadline(session, case)
    for user in (official, evaluator):
        client = client_for(app, user)
        client.post(f"/cases/{case.id}/proposals/open", data={"csrf_token": form_token(client.get("/"))})
    return evaluator


def test_annex_iv_a_exact_time_of_receipt_is_recorded(drafting, session):
    case, coalition, users, clients = drafting
    complete(clients["lead"], coalition, session)
    before = utcnow()
    page = submit(clients["lead"], coalition)
    after = utcnow()
    submission = session.exec(select(ProposalSubmission)).one()
    assert before <= submission.submitted_at <= after
    assert submission.submitted_at.isoformat() in page.text and submission.receipt_sha256 in page.text
    assert session.exec(select(Proposal)).one().submitted_at == submission.submitted_at


def test_annex_iv_b_before_the_deadline_officials_see_only_how_many(app, submitted, official, session, make_user):
    case, coalition, users, clients, submission = submitted
    owner = client_for(app, official)
    overview = owner.get(f"/cases/{case.id}/proposals").text
    assert "1 proposal submitted." in overview and "Buurtkamers" not in overview and coalition.name not in overview
    assert owner.get(f"/cases/{case.id}/proposals/{submission.id}").status_code == 403
    rival = client_for(app, other_coalition_member(session, make_user, case))
    assert rival.get(f"/coalitions/{coalition.id}/receipts/{submission.id}").status_code == 404
    assert rival.get(f"/coalitions/{coalition.id}/proposal").status_code == 404
    assert len(refusals(session)) == 3


def test_annex_iv_c_only_officials_set_the_opening_date_and_only_by_amendment_after_publication(
    app, submitted, official, session
):
    case, coalition, users, clients, submission = submitted
    member = clients["lead"]
    token = form_token(member.get("/"))
    later = (utcnow() + timedelta(days=60)).strftime("%Y-%m-%dT%H:%M")
    earlier = (utcnow() + timedelta(days=50)).strftime("%Y-%m-%dT%H:%M")
    assert (
        member.post(
            f"/cases/{case.id}/procedure", data={"csrf_token": token, "submission_deadline": later, "min_partners": "2"}
        ).status_code
        == 403
    )
    owner = client_for(app, official)
    response = owner.post(
        f"/cases/{case.id}/procedure",
        data={
            "csrf_token": form_token(owner.get("/")),
            "clarification_deadline": earlier,
            "submission_deadline": later,
            "min_partners": "2",
        },
        follow_redirects=True,
    )
    assert "describe the change in an amendment note" in response.text
    session.refresh(case)
    assert case.submission_deadline < utcnow() + timedelta(days=59)


def test_annex_iv_d_at_each_stage_only_authorised_people_read(app, submitted, official, session, make_user):
    case, coalition, users, clients, submission = submitted
    other_official = make_user(Role.official, name="Andere ambtenaar")
    council = make_user(Role.council_member)
    path = f"/cases/{case.id}/proposals/{submission.id}"

    def readers():
        people = {"owner": official, "other official": other_official, "council": council}
        return {name: client_for(app, user).get(path).status_code for name, user in people.items()}

    assert readers() == {"owner": 403, "other official": 403, "council": 403}  # sealed
    evaluator = open_box(app, session, case, official, make_user)
    session.refresh(case)  # the opening's requests came after the deadline: their gate applied close_submissions
    assert case.state == "evaluation"
    evaluator_client = client_for(app, evaluator)
    assert evaluator_client.get(path).status_code == 403  # an evaluator declares conflicts first
    evaluator_client.post(
        f"/cases/{case.id}/evaluation/{submission.proposal_id}/declaration",
        data={"csrf_token": form_token(evaluator_client.get("/")), "conflict": "no"},
    )
    assert evaluator_client.get(path).status_code == 200
    assert readers() == {"owner": 200, "other official": 403, "council": 403}  # opened
    case.state = "awarded"
    session.commit()
    assert readers() == {"owner": 200, "other official": 403, "council": 200}  # after the award


def test_annex_iv_e_opening_needs_two_different_authorised_officials_after_the_deadline(
    app, submitted, official, session, make_user
):
    case, coalition, users, clients, submission = submitted
    owner = client_for(app, official)
    token = form_token(owner.get("/"))
    early = owner.post(f"/cases/{case.id}/proposals/open", data={"csrf_token": token}, follow_redirects=True)
    assert "opens only after the submission deadline" in early.text
    f.pass_deadline(session, case)
    outsider = client_for(app, make_user(Role.official, name="Niet betrokken"))
    assert (
        outsider.post(
            f"/cases/{case.id}/proposals/open", data={"csrf_token": form_token(outsider.get("/"))}
        ).status_code
        == 403
    )
    owner.post(f"/cases/{case.id}/proposals/open", data={"csrf_token": token})
    again = owner.post(f"/cases/{case.id}/proposals/open", data={"csrf_token": token}, follow_redirects=True)
    assert "A second, different official must confirm" in again.text
    evaluator = make_user(Role.official, name="Evaluator")
    session.add(EvaluatorAssignment(case_id=case.id, user_id=evaluator.id))
    session.commit()
    second = client_for(app, evaluator)
    second.post(f"/cases/{case.id}/proposals/open", data={"csrf_token": form_token(second.get("/"))})
    actions = [e.action for e in session.exec(select(AuditEvent).where(AuditEvent.action.startswith("box_"))).all()]
    assert actions == ["box_opening_requested", "box_opened"]
    assert coalition.name in owner.get(f"/cases/{case.id}/proposals").text


def test_annex_iv_f_after_opening_other_coalitions_never_read(app, submitted, official, session, make_user):
    case, coalition, users, clients, submission = submitted
    open_box(app, session, case, official, make_user)
    rival = client_for(app, other_coalition_member(session, make_user, case))
    attachment_id = submission.attachments[0]["id"]
    for path in (
        f"/cases/{case.id}/proposals/{submission.id}",
        f"/cases/{case.id}/proposals/{submission.id}/attachments/{attachment_id}",
        f"/coalitions/{coalition.id}/receipts/{submission.id}",
        f"/coalitions/{coalition.id}/proposal",
    ):
        response = rival.get(path)
        assert response.status_code in (403, 404) and PDF not in response.data, path
    owner_download = client_for(app, official).get(
        f"/cases/{case.id}/proposals/{submission.id}/attachments/{attachment_id}"
    )
    try:
        assert owner_download.data == PDF
    finally:
        owner_download.close()


def test_annex_iv_g_refused_reads_are_logged_and_visible_to_admins(app, submitted, official, session, make_user):
    case, coalition, users, clients, submission = submitted
    client_for(app, official).get(f"/cases/{case.id}/proposals/{submission.id}")
    clients["outsider"].get(f"/coalitions/{coalition.id}/proposal")
    admin_page = client_for(app, make_user(Role.admin)).get("/admin/refusals").text
    assert (
        f"/cases/{case.id}/proposals/{submission.id}" in admin_page
        and f"/coalitions/{coalition.id}/proposal" in admin_page
    )
    assert client_for(app, official).get("/admin/refusals").status_code == 403


@pytest.mark.parametrize("problem", ["too few partners", "over the budget ceiling", "after the deadline"])
def test_invalid_submission_is_refused_with_the_reason_and_nothing_stored(drafting, session, problem):
    case, coalition, users, clients = drafting
    complete(clients["lead"], coalition, session, price="600000" if problem == "over the budget ceiling" else "400000")
    page = clients["lead"].get(f"/coalitions/{coalition.id}/proposal")
    if problem == "too few partners":
        case.min_partners = 3
    if problem == "after the deadline":
        f.pass_deadline(session, case)
    session.commit()
    response = clients["lead"].post(
        f"/coalitions/{coalition.id}/proposal/submit", data={"csrf_token": form_token(page)}, follow_redirects=True
    )
    expected = {
        "too few partners": "2 of at least 3 partner organisations have joined.",
        "over the budget ceiling": "The price exceeds the budget ceiling.",
        "after the deadline": "The submission deadline has passed",
    }[problem]
    assert expected in response.text
    assert session.exec(select(ProposalSubmission)).all() == []
    assert session.exec(select(Proposal)).one().status.value == "draft"


def test_receipt_hash_matches_a_recomputation_from_the_stored_data(submitted, session, test_config):
    case, coalition, users, clients, submission = submitted
    assert receipt_hash(submission) == submission.receipt_sha256
    for attachment in submission.attachments:
        stored = session.get(ProposalAttachment, attachment["id"])
        data = (Path(test_config["UPLOAD_DIR"]) / stored.stored_name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == attachment["sha256"]
    pdf = clients["lead"].get(f"/coalitions/{coalition.id}/receipts/{submission.id}.pdf")
    from .test_publication import pdf_text

    assert submission.receipt_sha256[:32] in pdf_text(pdf.data).replace(" ", "").replace("\n", "")
    mail = [m for m in session.exec(select(OutboxMessage)).all() if "Receipt" in m.subject]
    assert mail and submission.receipt_sha256 in mail[0].body


def test_resubmission_keeps_history_and_withdrawal_is_possible_before_the_deadline(submitted, session):
    case, coalition, users, clients, first = submitted
    complete(clients["lead"], coalition, session, price="390000")
    submit(clients["lead"], coalition)
    session.expire_all()
    versions = session.exec(select(ProposalSubmission).order_by(ProposalSubmission.version)).all()
    assert [v.version for v in versions] == [1, 2] and versions[0].superseded_at is not None
    assert versions[1].content["price"] == "390000.00"
    page = clients["lead"].get(f"/coalitions/{coalition.id}/proposal")
    clients["lead"].post(f"/coalitions/{coalition.id}/proposal/withdraw", data={"csrf_token": form_token(page)})
    session.expire_all()
    assert session.exec(select(Proposal)).one().status.value == "withdrawn"
    assert session.get(ProposalSubmission, versions[1].id).withdrawn_at is not None


def test_burst_of_submissions_around_the_deadline_loses_none_and_accepts_none_late(app, session, make_case, make_user):
    """Twenty coalitions submit in the last second before the deadline and just after it."""
    from tendering.procurement import tender_box

    case = make_case(state="tendering", budget_ceiling=Decimal("500000"))
    f.set_up_tender(session, case)
    case.min_partners = 1
    session.commit()
    drafts = []
    for i in range(20):
        organisation = Organisation(name=f"Coalitie {i}", kind=OrganisationKind.association)
        session.add(organisation)
        session.flush()
        coalition = Coalition(case_id=case.id, name=f"Coalitie {i}", lead_organisation_id=organisation.id)
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
        session.add(
            Proposal(
                case_id=case.id,
                coalition_id=coalition.id,
                approach="a",
                answer_to_question="b",
                outcome_commitments="c",
                monitoring="d",
                price=Decimal("100000"),
            )
        )
        user = make_user(Role.coalition_member, org=organisation)
        drafts.append((coalition.id, user.id))
    case.submission_deadline = utcnow() + timedelta(
        seconds=4
    )  # set once the drafts exist: set-up speed varies (and a loaded CI)
    session.commit()
    deadline, engine = case.submission_deadline, app.extensions["db_engine"]
    start = deadline - timedelta(seconds=1.0)
    outcomes, errors = {}, []

    def coalition_submits(index, coalition_id, user_id):
        with app.app_context(), Session(engine, expire_on_commit=False) as s:
            c = s.get(type(case), case.id)
            coalition = s.get(Coalition, coalition_id)
            proposal = s.exec(select(Proposal).where(Proposal.coalition_id == coalition_id)).one()
            user = s.get(User, user_id)
            time.sleep(max(0.0, (start + timedelta(seconds=index * 0.1) - utcnow()).total_seconds()))
            try:
                tender_box.submit(s, proposal, coalition, c, actor=user)
                tender_box.confirm_in_time(s, c)
                s.commit()
                outcomes[index] = "stored"
            except DomainError:
                s.rollback()
                outcomes[index] = "refused"
            except Exception as error:  # anything else is a lost submission
                errors.append(repr(error))

    threads = [threading.Thread(target=coalition_submits, args=(i, *d)) for i, d in enumerate(drafts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == [] and len(outcomes) == 20
    stored = session.exec(select(ProposalSubmission)).all()
    assert len(stored) == list(outcomes.values()).count("stored") > 0
    assert "refused" in outcomes.values()
    assert all(s.submitted_at < deadline for s in stored)
    assert all(receipt_hash(s) == s.receipt_sha256 for s in stored)


def test_another_coalition_cannot_reach_any_proposal_route_by_guessing_ids(app, submitted, session, make_user):
    case, coalition, users, clients, submission = submitted
    rival = client_for(app, other_coalition_member(session, make_user, case))
    token = form_token(rival.get("/"))
    attachment_id = submission.attachments[0]["id"]
    routes = [
        ("get", f"/coalitions/{coalition.id}/proposal"),
        ("post", f"/coalitions/{coalition.id}/proposal"),
        ("post", f"/coalitions/{coalition.id}/proposal/submit"),
        ("post", f"/coalitions/{coalition.id}/proposal/withdraw"),
        ("post", f"/coalitions/{coalition.id}/proposal/attachments"),
        ("get", f"/coalitions/{coalition.id}/proposal/attachments/{attachment_id}"),
        ("post", f"/coalitions/{coalition.id}/proposal/attachments/{attachment_id}/delete"),
        ("get", f"/coalitions/{coalition.id}/receipts/{submission.id}"),
        ("get", f"/coalitions/{coalition.id}/receipts/{submission.id}.pdf"),
        ("get", f"/cases/{case.id}/proposals/{submission.id}"),
        ("get", f"/cases/{case.id}/proposals/{submission.id}/attachments/{attachment_id}"),
    ]
    for method, path in routes:
        response = getattr(rival, method)(path, data={"csrf_token": token} if method == "post" else None)
        assert response.status_code in (403, 404), path
        assert PDF not in response.data and b"Buurtkamers" not in response.data, path
    session.expire_all()
    assert session.get(ProposalSubmission, submission.id).withdrawn_at is None
    assert len(session.exec(select(ProposalSubmission)).all()) == 1


def test_tender_box_pages_query_counts_do_not_grow(app, submitted, official, session, make_user):
    from .test_query_counts import counting_queries

    case, coalition, users, clients, submission = submitted
    open_box(app, session, case, official, make_user)
    owner = client_for(app, official)
    admin = client_for(app, make_user(Role.admin))

    def count(client, path):
        client.get(path)
        with counting_queries(app) as statements:
            assert client.get(path).status_code == 200
        return len(statements)

    def all_counts():
        return [
            count(owner, f"/cases/{case.id}/proposals"),
            count(admin, "/admin/refusals"),
            count(clients["lead"], f"/coalitions/{coalition.id}/proposal"),
        ]

    before = all_counts()
    for _ in range(8):  # more submissions, evaluators and refusals
        rival = other_coalition_member(session, make_user, case)
        rival_proposal = Proposal(
            case_id=case.id,
            coalition_id=session.exec(select(Coalition).where(Coalition.name == "Concurrent")).all()[-1].id,
        )
        session.add(rival_proposal)
        session.flush()
        session.add(
            ProposalSubmission(
                proposal_id=rival_proposal.id,
                version=1,
                content=submission.content,
                attachments=[],
                submitted_at=submission.submitted_at,
                submitted_by_id=rival.id,
                receipt_sha256="0" * 64,
            )
        )
        session.add(EvaluatorAssignment(case_id=case.id, user_id=make_user(Role.official).id))
        client_for(app, rival).get(f"/coalitions/{coalition.id}/proposal")
    session.commit()
    assert all_counts() == before
