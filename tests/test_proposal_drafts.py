"""Coalitions draft their proposal together; nobody else can read it."""

from pathlib import Path

import pytest
from sqlmodel import select

from tendering.access import Capability
from tendering.models import AuditEvent, Framework, Proposal, ProposalAttachment

from . import factories as f
from .conftest import form_token, login, roles_without
from .proposal_helpers import EXE, PDF, PNG, docx_bytes, save, upload


def test_any_joined_member_edits_the_shared_draft(drafting, session):
    case, coalition, users, clients = drafting
    save(clients["lead"], coalition, approach="Buurtkamers in elke wijk.")
    save(clients["partner"], coalition, approach="Buurtkamers in elke wijk.", monitoring="Cliëntenpanel per kwartaal.")
    proposal = session.exec(select(Proposal)).one()
    assert (proposal.approach, proposal.monitoring, proposal.status.value) == (
        "Buurtkamers in elke wijk.",
        "Cliëntenpanel per kwartaal.",
        "draft",
    )


def test_editor_lists_what_still_falls_short(drafting, session, make_user):
    case, coalition, users, clients = drafting
    page = clients["lead"].get(f"/coalitions/{coalition.id}/proposal").text
    assert "Still to describe: the approach." in page and "The price is not given." in page
    assert "Minimum requirement not confirmed: Minstens één bewonersinitiatief" in page
    requirement = session.exec(select(Framework)).one()
    page = save(
        clients["lead"],
        coalition,
        approach="a",
        answer_to_question="b",
        outcome_commitments="c",
        monitoring="d",
        price="600000",
        requirements=str(requirement.id),
    ).text
    assert "The price exceeds the budget ceiling." in page and "Minimum requirement not confirmed" not in page
    page = save(
        clients["lead"],
        coalition,
        approach="a",
        answer_to_question="b",
        outcome_commitments="c",
        monitoring="d",
        price="450000",
        requirements=str(requirement.id),
    ).text
    assert 'id="no-shortfalls"' in page


def test_too_few_partners_is_a_shortfall(drafting, session):
    case, coalition, users, clients = drafting
    case.min_partners = 3
    session.commit()
    assert (
        "2 of at least 3 partner organisations have joined."
        in clients["lead"].get(f"/coalitions/{coalition.id}/proposal").text
    )


@pytest.mark.parametrize("who", ["invited", "outsider"])
def test_organisations_that_did_not_join_cannot_read_the_draft_and_are_logged(drafting, session, who):
    case, coalition, users, clients = drafting
    save(clients["lead"], coalition, approach="Geheim plan")
    response = clients[who].get(f"/coalitions/{coalition.id}/proposal")
    assert response.status_code in (403, 404) and "Geheim plan" not in response.text
    refusal = session.exec(select(AuditEvent).where(AuditEvent.action == "sealed_access_refused")).one()
    assert refusal.actor_id == users[who].id


@pytest.mark.parametrize("role", roles_without(Capability.write_proposal))
def test_municipality_cannot_read_a_draft(app, drafting, session, make_user, role):
    case, coalition, users, clients = drafting
    client = app.test_client()
    login(client, make_user(role))
    # Refused for the role, before the id is looked at: a real coalition and an unknown id get the same 403.
    assert client.get(f"/coalitions/{coalition.id}/proposal").status_code == 403
    assert client.get(f"/coalitions/{coalition.id + 100}/proposal").status_code == 403
    assert len(session.exec(select(AuditEvent).where(AuditEvent.action == "sealed_access_refused")).all()) == 2


def test_proposal_routes_by_guessed_ids_refuse_outsiders(drafting, session):
    case, coalition, users, clients = drafting
    upload(clients["lead"], coalition, "plan.pdf", PDF)
    attachment = session.exec(select(ProposalAttachment)).one()
    outsider = clients["outsider"]
    token = form_token(outsider.get("/"))
    for method, path in [
        ("get", f"/coalitions/{coalition.id}/proposal"),
        ("post", f"/coalitions/{coalition.id}/proposal"),
        ("post", f"/coalitions/{coalition.id}/proposal/attachments"),
        ("get", f"/coalitions/{coalition.id}/proposal/attachments/{attachment.id}"),
        ("post", f"/coalitions/{coalition.id}/proposal/attachments/{attachment.id}/delete"),
        ("get", f"/coalitions/{coalition.id + 1}/proposal"),
    ]:
        response = getattr(outsider, method)(path, data={"csrf_token": token} if method == "post" else None)
        assert response.status_code == 404, path
        assert PDF not in response.data
    assert len(session.exec(select(AuditEvent).where(AuditEvent.action == "sealed_access_refused")).all()) == 6
    session.refresh(attachment)
    assert attachment.removed_at is None


def test_attachments_are_stored_under_random_names_and_downloaded_by_members(drafting, session, test_config):
    case, coalition, users, clients = drafting
    assert "The attachment is added." in upload(clients["lead"], coalition, "begroting.pdf", PDF).text
    assert "The attachment is added." in upload(clients["partner"], coalition, "plan.docx", docx_bytes()).text
    pdf = session.exec(select(ProposalAttachment).where(ProposalAttachment.filename == "begroting.pdf")).one()
    stored = Path(test_config["UPLOAD_DIR"]) / pdf.stored_name
    assert stored.read_bytes() == PDF and "begroting" not in pdf.stored_name and pdf.content_type == "application/pdf"
    download = clients["partner"].get(f"/coalitions/{coalition.id}/proposal/attachments/{pdf.id}")
    try:
        assert download.data == PDF and "attachment" in download.headers["Content-Disposition"]
    finally:
        download.close()


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("factuur.pdf", EXE, "is not a PDF, ODT, DOCX, XLSX, PNG or JPEG file"),
        ("foto.pdf", PNG, "does not match its content"),
        ("leeg.pdf", b"", "is empty"),
        ("archief.zip", b"PK\x03\x04not really a zip", "is not a PDF"),
    ],
)
def test_refused_attachments_store_nothing(drafting, session, test_config, name, content, message):
    case, coalition, users, clients = drafting
    response = upload(clients["lead"], coalition, name, content)
    assert message in response.text
    assert session.exec(select(ProposalAttachment)).all() == []
    assert not Path(test_config["UPLOAD_DIR"]).exists() or not any(Path(test_config["UPLOAD_DIR"]).iterdir())


def test_size_limits_per_file_and_per_proposal(drafting, session, monkeypatch):
    from tendering.parties import attachments

    case, coalition, users, clients = drafting
    monkeypatch.setattr(attachments, "MAX_FILE_BYTES", 100)
    monkeypatch.setattr(attachments, "MAX_PROPOSAL_BYTES", 120)
    assert "larger than" in upload(clients["lead"], coalition, "groot.pdf", PDF + b"x" * 100).text
    assert "The attachment is added." in upload(clients["lead"], coalition, "a.pdf", PDF + b"x" * 40).text
    assert "may not exceed" in upload(clients["lead"], coalition, "b.pdf", PDF + b"x" * 40).text
    assert len(session.exec(select(ProposalAttachment)).all()) == 1


def test_nothing_changes_after_the_deadline(drafting, session):
    case, coalition, users, clients = drafting
    save(clients["lead"], coalition, approach="Op tijd")
    f.pass_deadline(session, case)
    response = save(clients["lead"], coalition, approach="Te laat")
    assert "The submission deadline has passed" in response.text
    assert "The submission deadline has passed" in upload(clients["lead"], coalition, "laat.pdf", PDF).text
    session.expire_all()
    assert session.exec(select(Proposal)).one().approach == "Op tijd"
    assert session.exec(select(ProposalAttachment)).all() == []
