"""Fixtures and helpers for tests that work on a coalition's proposal."""

import io
import zipfile
from decimal import Decimal

import pytest

from tendering.models import (
    Coalition,
    CoalitionMember,
    Framework,
    FrameworkKind,
    MembershipStatus,
    Organisation,
    OrganisationKind,
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
def drafting(app, session, make_case, make_user, official):
    case = make_case(state="tendering", budget_ceiling=Decimal("500000"))
    f.set_up_tender(session, case)
    session.add(
        Framework(
            case_id=case.id, kind=FrameworkKind.minimum_requirement, description="Minstens één bewonersinitiatief"
        )
    )
    orgs = [
        Organisation(name=n, kind=OrganisationKind.association) for n in ("Lead", "Partner", "Uitgenodigd", "Buiten")
    ]
    session.add_all(orgs)
    session.flush()
    coalition = Coalition(case_id=case.id, name="Samen", lead_organisation_id=orgs[0].id)
    session.add(coalition)
    session.flush()
    for org, status in (
        (orgs[0], MembershipStatus.accepted),
        (orgs[1], MembershipStatus.accepted),
        (orgs[2], MembershipStatus.invited),
    ):
        session.add(
            CoalitionMember(coalition_id=coalition.id, organisation_id=org.id, status=status, is_lead=org is orgs[0])
        )
    session.commit()
    users = {
        name: make_user(Role.coalition_member, org=org)
        for name, org in zip(("lead", "partner", "invited", "outsider"), orgs, strict=True)
    }
    clients = {}
    for name, user in users.items():
        clients[name] = app.test_client()
        login(clients[name], user)
    return case, coalition, users, clients


def save(client, coalition, **data):
    page = client.get(f"/coalitions/{coalition.id}/proposal")
    return client.post(
        f"/coalitions/{coalition.id}/proposal", data={"csrf_token": form_token(page), **data}, follow_redirects=True
    )


def upload(client, coalition, name, content):
    page = client.get(f"/coalitions/{coalition.id}/proposal")
    return client.post(
        f"/coalitions/{coalition.id}/proposal/attachments",
        data={"csrf_token": form_token(page), "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
