"""Joint evaluation and accountability: written together, public only after both approvals, feeding a new question."""

import io

from pypdf import PdfReader
from sqlmodel import select

from tendering.models import Case, CoalitionMember, MembershipStatus, Organisation, OrganisationKind, Role

from .conftest import form_token
from .evaluation_helpers import as_
from .test_accessibility import audit
from .test_outcome_monitor import record


def in_accountability(session, realised):
    record(session, realised, realised.loneliness, 45)
    realised.case.state = "accountability"
    session.commit()


def write(client, realised, findings="Ouderen ontmoeten elkaar vaker; de buurtkamers blijven.", **extra):
    page = client.get(f"/cases/{realised.case.id}/accountability")
    data = {
        "csrf_token": form_token(page),
        "participants": "Gemeente\nSamen Oud\nCliëntenraad",
        "findings": findings,
        "lessons": "Begin eerder met het cliëntenpanel.",
        "legacy": "Vrijwilligersnetwerk blijft bestaan.",
        f"note-{realised.loneliness.id}": "Doel bijna gehaald.",
    } | extra
    return client.post(f"/cases/{realised.case.id}/accountability", data=data, follow_redirects=True)


def approve(client, realised):
    page = client.get(f"/cases/{realised.case.id}/accountability")
    return client.post(
        f"/cases/{realised.case.id}/accountability/approve",
        data={"csrf_token": form_token(page)},
        follow_redirects=True,
    )


def test_the_report_is_public_only_after_both_approvals(app, client, realised, session, official):
    in_accountability(session, realised)
    lead, owner = as_(app, realised.member), as_(app, official)
    assert "The joint evaluation is saved." in write(lead, realised).text
    assert client.get(f"/accountability/{realised.case.id}").status_code == 404
    approve(owner, realised)
    assert client.get(f"/accountability/{realised.case.id}").status_code == 404
    assert "the accountability report is published" in approve(lead, realised).text
    public = client.get(f"/accountability/{realised.case.id}")
    assert (
        public.status_code == 200 and "de buurtkamers blijven" in public.text and "Doel bijna gehaald." in public.text
    )
    assert "Kosten per deelnemer" not in public.text  # confidential indicators stay out of the public report
    pdf = client.get(f"/accountability/{realised.case.id}.pdf")
    assert "buurtkamers" in PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    assert "Published on" in owner.get(f"/cases/{realised.case.id}/accountability").text
    assert write(owner, realised, findings="Achteraf anders.").status_code in (200, 400)
    session.expire_all()
    assert "Achteraf anders." not in client.get(f"/accountability/{realised.case.id}").text


def test_a_change_withdraws_earlier_approvals(app, realised, session, official):
    in_accountability(session, realised)
    owner = as_(app, official)
    write(owner, realised)
    approve(owner, realised)
    assert "not yet approved" in write(as_(app, realised.member), realised, findings="Aangevuld door de coalitie.").text
    page = owner.get(f"/cases/{realised.case.id}/accountability").text
    assert page.count("not yet approved") == 2


def test_only_the_owner_and_the_lead_approve_and_outsiders_see_nothing(
    app, client, realised, session, official, make_user, organisation
):
    in_accountability(session, realised)
    write(as_(app, official), realised)
    partner_org = Organisation(name="Bakkerij Van Dam", kind=OrganisationKind.company)
    session.add(partner_org)
    session.flush()
    session.add(
        CoalitionMember(
            coalition_id=realised.coalition.id, organisation_id=partner_org.id, status=MembershipStatus.accepted
        )
    )
    session.commit()
    partner = as_(app, make_user(Role.coalition_member, org=partner_org))
    assert partner.get(f"/cases/{realised.case.id}/accountability").status_code == 200  # at the table...
    assert approve(partner, realised).status_code == 403  # ...but the lead approves for the coalition
    assert approve(as_(app, make_user(Role.official)), realised).status_code == 403
    assert (
        as_(app, make_user(Role.coalition_member, org=organisation))
        .get(f"/cases/{realised.case.id}/accountability")
        .status_code
        == 404
    )
    # The council reads the published report, not the table (docs/access.md): refused for its role.
    assert as_(app, make_user(Role.council_member)).get(f"/cases/{realised.case.id}/accountability").status_code == 403
    assert client.get(f"/cases/{realised.case.id}/accountability").status_code in (302, 401)


def test_closing_opens_a_follow_up_case_drafted_from_the_findings(app, realised, session, official):
    in_accountability(session, realised)
    owner, lead = as_(app, official), as_(app, realised.member)
    write(lead, realised)
    approve(owner, realised)
    approve(lead, realised)
    page = owner.get(f"/cases/{realised.case.id}/accountability")
    assert audit(owner, f"/cases/{realised.case.id}/accountability") == []
    response = owner.post(
        f"/cases/{realised.case.id}/accountability/close",
        data={"csrf_token": form_token(page), "reason": "Resultaten verantwoord."},
        follow_redirects=True,
    )
    assert "follow-up case" in response.text
    session.expire_all()
    follow_up = session.exec(select(Case).where(Case.parent_case_id == realised.case.id)).one()
    assert session.get(Case, realised.case.id).state == "closed"
    assert follow_up.state == "articulation" and "de buurtkamers blijven" in follow_up.problem_analysis
    assert "Begin eerder met het cliëntenpanel." in follow_up.signals and follow_up.theme == "Ouderen"


def test_the_evaluation_needs_participants_and_findings(app, realised, session, official):
    in_accountability(session, realised)
    response = write(as_(app, official), realised, findings="  ")
    assert response.status_code == 400 and "This field is required" in response.text
