"""Coalitions draft their proposal together; nobody else can read it."""

import io
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import select

from tendering.models import (
    AuditEvent,
    Coalition,
    CoalitionMember,
    Framework,
    FrameworkKind,
    MembershipStatus,
    Organisation,
    OrganisationKind,
    Proposal,
    ProposalAttachment,
    Role,
)

from . import factories as f
from .conftest import form_token, login

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = b"MZ\x90\x00" + b"\x00" * 200


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.fixture
def setup(app, session, make_case, make_user, official):
    case = make_case(state="tendering", budget_ceiling=Decimal("500000"))
    f.set_up_tender(session, case)
    session.add(Framework(case_id=case.id, kind=FrameworkKind.minimum_requirement, description="Minstens één bewonersinitiatief"))
    orgs = [Organisation(name=n, kind=OrganisationKind.association) for n in ("Lead", "Partner", "Uitgenodigd", "Buiten")]
    session.add_all(orgs)
    session.flush()
    coalition = Coalition(case_id=case.id, name="Samen", lead_organisation_id=orgs[0].id)
    session.add(coalition)
    session.flush()
    for org, status in ((orgs[0], MembershipStatus.accepted), (orgs[1], MembershipStatus.accepted), (orgs[2], MembershipStatus.invited)):
        session.add(CoalitionMember(coalition_id=coalition.id, organisation_id=org.id, status=status, is_lead=org is orgs[0]))
    session.commit()
    users = {name: make_user(Role.coalition_member, org=org) for name, org in zip(("lead", "partner", "invited", "outsider"), orgs, strict=True)}
    clients = {}
    for name, user in users.items():
        clients[name] = app.test_client()
        login(clients[name], user)
    return case, coalition, users, clients


def save(client, coalition, **data):
    page = client.get(f"/coalitions/{coalition.id}/proposal")
    return client.post(f"/coalitions/{coalition.id}/proposal", data={"csrf_token": form_token(page), **data}, follow_redirects=True)


def upload(client, coalition, name, content):
    page = client.get(f"/coalitions/{coalition.id}/proposal")
    return client.post(
        f"/coalitions/{coalition.id}/proposal/attachments",
        data={"csrf_token": form_token(page), "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data", follow_redirects=True,
    )


def test_any_joined_member_edits_the_shared_draft(setup, session):
    case, coalition, users, clients = setup
    save(clients["lead"], coalition, approach="Buurtkamers in elke wijk.")
    save(clients["partner"], coalition, approach="Buurtkamers in elke wijk.", monitoring="Cliëntenpanel per kwartaal.")
    proposal = session.exec(select(Proposal)).one()
    assert (proposal.approach, proposal.monitoring, proposal.status.value) == ("Buurtkamers in elke wijk.", "Cliëntenpanel per kwartaal.", "draft")


def test_editor_lists_what_still_falls_short(setup, session, make_user):
    case, coalition, users, clients = setup
    page = clients["lead"].get(f"/coalitions/{coalition.id}/proposal").text
    assert "Still to describe: the approach." in page and "The price is not given." in page
    assert "Minimum requirement not confirmed: Minstens één bewonersinitiatief" in page
    requirement = session.exec(select(Framework)).one()
    page = save(clients["lead"], coalition, approach="a", answer_to_question="b", outcome_commitments="c", monitoring="d",
                price="600000", requirements=str(requirement.id)).text
    assert "The price exceeds the budget ceiling." in page and "Minimum requirement not confirmed" not in page
    page = save(clients["lead"], coalition, approach="a", answer_to_question="b", outcome_commitments="c", monitoring="d",
                price="450000", requirements=str(requirement.id)).text
    assert 'id="no-shortfalls"' in page


def test_too_few_partners_is_a_shortfall(setup, session):
    case, coalition, users, clients = setup
    case.min_partners = 3
    session.commit()
    assert "2 of at least 3 partner organisations have joined." in clients["lead"].get(f"/coalitions/{coalition.id}/proposal").text


@pytest.mark.parametrize("who", ["invited", "outsider"])
def test_organisations_that_did_not_join_cannot_read_the_draft_and_are_logged(setup, session, who):
    case, coalition, users, clients = setup
    save(clients["lead"], coalition, approach="Geheim plan")
    response = clients[who].get(f"/coalitions/{coalition.id}/proposal")
    assert response.status_code in (403, 404) and "Geheim plan" not in response.text
    refusal = session.exec(select(AuditEvent).where(AuditEvent.action == "sealed_access_refused")).one()
    assert refusal.actor_id == users[who].id


@pytest.mark.parametrize("role", [Role.official, Role.council_member, Role.admin])
def test_municipality_cannot_read_a_draft(app, setup, session, make_user, role):
    case, coalition, users, clients = setup
    client = app.test_client()
    login(client, make_user(role))
    assert client.get(f"/coalitions/{coalition.id}/proposal").status_code == 404
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "sealed_access_refused")).one()


def test_proposal_routes_by_guessed_ids_refuse_outsiders(setup, session):
    case, coalition, users, clients = setup
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


def test_attachments_are_stored_under_random_names_and_downloaded_by_members(setup, session, test_config):
    case, coalition, users, clients = setup
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
def test_refused_attachments_store_nothing(setup, session, test_config, name, content, message):
    case, coalition, users, clients = setup
    response = upload(clients["lead"], coalition, name, content)
    assert message in response.text
    assert session.exec(select(ProposalAttachment)).all() == []
    assert not Path(test_config["UPLOAD_DIR"]).exists() or not any(Path(test_config["UPLOAD_DIR"]).iterdir())


def test_size_limits_per_file_and_per_proposal(setup, session, monkeypatch):
    from tendering import attachments

    case, coalition, users, clients = setup
    monkeypatch.setattr(attachments, "MAX_FILE_BYTES", 100)
    monkeypatch.setattr(attachments, "MAX_PROPOSAL_BYTES", 120)
    assert "larger than" in upload(clients["lead"], coalition, "groot.pdf", PDF + b"x" * 100).text
    assert "The attachment is added." in upload(clients["lead"], coalition, "a.pdf", PDF + b"x" * 40).text
    assert "may not exceed" in upload(clients["lead"], coalition, "b.pdf", PDF + b"x" * 40).text
    assert len(session.exec(select(ProposalAttachment)).all()) == 1


def test_nothing_changes_after_the_deadline(setup, session):
    case, coalition, users, clients = setup
    save(clients["lead"], coalition, approach="Op tijd")
    f.pass_deadline(session, case)
    response = save(clients["lead"], coalition, approach="Te laat")
    assert "The submission deadline has passed" in response.text
    assert "The submission deadline has passed" in upload(clients["lead"], coalition, "laat.pdf", PDF).text
    session.expire_all()
    assert session.exec(select(Proposal)).one().approach == "Op tijd"
    assert session.exec(select(ProposalAttachment)).all() == []
