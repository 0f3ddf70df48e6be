"""Organisations register and invite colleagues; coalitions form around a case."""

import re

import pytest
from sqlmodel import select

from tendering.models import (
    AuditEvent,
    Coalition,
    CoalitionMember,
    Invitation,
    MembershipStatus,
    Organisation,
    OrganisationKind,
    OutboxMessage,
    Role,
    User,
)

from . import factories as f
from .conftest import PASSWORD, form_token, login


def registration(token, **overrides):
    data = {
        "csrf_token": token,
        "organisation_name": "Buurtkracht Zuid",
        "kind": "resident_initiative",
        "kvk_number": "",
        "contact_email": "info@buurtkracht.example",
        "name": "Sanne de Wit",
        "email": "sanne@buurtkracht.example",
        "password": PASSWORD,
        "confirm": PASSWORD,
    }
    data.update(overrides)
    return data


def test_organisation_registers_with_its_first_user(client, session):
    token = form_token(client.get("/register"))
    response = client.post("/register", data=registration(token))
    assert response.status_code == 302 and response.location == "/register/sent"
    message = session.exec(select(OutboxMessage).where(OutboxMessage.to_address == "sanne@buurtkracht.example")).one()
    link = re.search(r"http://localhost(/register/confirm/\S+)", message.body).group(1)
    confirmed = client.post(link, data={"csrf_token": form_token(client.get(link))})
    assert confirmed.status_code == 302 and confirmed.location == "/organisation"
    user = session.exec(select(User).where(User.email == "sanne@buurtkracht.example")).one()
    organisation = session.get(Organisation, user.organisation_id)
    assert (organisation.name, organisation.kind, user.role) == (
        "Buurtkracht Zuid",
        OrganisationKind.resident_initiative,
        Role.coalition_member,
    )
    assert "Buurtkracht Zuid" in client.get("/organisation").text


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"kvk_number": "1234"}, "A Chamber of Commerce number has 8 digits."),
        ({"confirm": "something else entirely"}, "The passwords differ."),
        ({"password": "short", "confirm": "short"}, "Field must be between 12 and 1024 characters long."),
        ({"organisation_name": ""}, "This field is required."),
        ({"kind": "secret_society"}, "Not a valid choice."),
    ],
)
def test_bad_registration_is_refused_and_nothing_stored(client, session, overrides, message):
    token = form_token(client.get("/register"))
    response = client.post("/register", data=registration(token, **overrides))
    assert response.status_code == 200 and message in response.text
    assert session.exec(select(Organisation)).all() == []


def test_duplicate_account_is_refused_without_an_error(client, session, make_user):
    """Refused without telling the visitor: the address's owner gets a mail (tests/test_registration.py)."""
    existing = make_user(Role.coalition_member)
    token = form_token(client.get("/register"))
    response = client.post("/register", data=registration(token, email=existing.email), follow_redirects=True)
    assert response.status_code == 200 and "Check your e-mail" in response.text
    assert "already exists" not in response.text
    assert session.exec(select(Organisation).where(Organisation.name == "Buurtkracht Zuid")).all() == []


def test_colleague_joins_through_the_e_mailed_link(app, logged_in, make_user, session):
    member = make_user(Role.coalition_member)
    client = logged_in(member)
    token = form_token(client.get("/organisation"))
    client.post("/organisation/invitations", data={"csrf_token": token, "email": "Collega@Example.org"})
    message = session.exec(select(OutboxMessage)).one()
    link = re.search(r"http://localhost(/invitations/\S+)", message.body).group(1)
    invitation = session.exec(select(Invitation)).one()
    assert invitation.email == "collega@example.org" and link.split("/")[-1] not in invitation.token_sha256

    newcomer = app.test_client()
    page = newcomer.get(link)
    assert page.status_code == 200
    response = newcomer.post(
        link, data={"csrf_token": form_token(page), "name": "Nieuwe Collega", "password": PASSWORD, "confirm": PASSWORD}
    )
    assert response.status_code == 302
    user = session.exec(select(User).where(User.email == "collega@example.org")).one()
    assert user.organisation_id == member.organisation_id
    assert newcomer.get(link).status_code == 404  # used once


def test_unknown_invitation_link_is_404(client):
    assert client.get("/invitations/not-a-real-token").status_code == 404


@pytest.fixture
def tender(session, make_case, official):
    case = make_case(state="tendering")
    f.set_up_tender(session, case)
    from tendering.question.question_document import freeze

    freeze(session, case, actor=official)
    session.commit()
    return case


@pytest.fixture
def orgs(session):
    made = []
    for name in ("Zorgcoöperatie De Linde", "Voetbalvereniging '58", "Bakkerij Van Dam"):
        organisation = Organisation(name=name, kind=OrganisationKind.association)
        session.add(organisation)
        made.append(organisation)
    session.commit()
    return made


@pytest.fixture
def member_of(make_user):
    return lambda org: make_user(Role.coalition_member, org=org)


def form(client, tender, name="Samen Oud"):
    page = client.get(f"/tenders/{tender.reference}")
    response = client.post(
        f"/tenders/{tender.reference}/coalitions", data={"csrf_token": form_token(page), "name": name}
    )
    return response


def test_a_coalition_of_three_forms_with_roles_and_contributions(app, tender, orgs, member_of, session):
    lead, sport, bakery = (member_of(o) for o in orgs)
    lead_client = app.test_client()
    login(lead_client, lead)
    response = form(lead_client, tender)
    coalition = session.exec(select(Coalition)).one()
    assert response.location == f"/coalitions/{coalition.id}"
    page = lead_client.get(response.location)
    assert 'id="partner-warning"' in page.text  # 1 of at least 2
    for organisation in orgs[1:]:
        lead_client.post(
            f"/coalitions/{coalition.id}/partners",
            data={"csrf_token": form_token(page), "organisation_id": organisation.id},
        )
    assert session.exec(select(OutboxMessage).where(OutboxMessage.to_address == sport.email)).one()

    for user, role in ((sport, "Ontmoetingsplek"), (bakery, "Signaleren")):
        partner = app.test_client()
        login(partner, user)
        partner_page = partner.get(f"/coalitions/{coalition.id}")
        assert "Your organisation is invited" in partner_page.text
        partner.post(
            f"/coalitions/{coalition.id}/membership",
            data={
                "csrf_token": form_token(partner_page),
                "decision": "accept",
                "role": role,
                "contribution_kind": "facilities",
                "contribution": "De kantine, elke doordeweekse ochtend.",
            },
        )
    statuses = session.exec(select(CoalitionMember.status).where(CoalitionMember.coalition_id == coalition.id)).all()
    assert sorted(s.value for s in statuses) == ["accepted"] * 3
    final = lead_client.get(f"/coalitions/{coalition.id}").text
    assert "Ontmoetingsplek" in final and 'id="partner-warning"' not in final


def lead_invites_partner(app, tender, orgs, member_of, session):
    """The first organisation forms a coalition and invites the second; both logged in."""
    lead_client, partner = app.test_client(), app.test_client()
    login(lead_client, member_of(orgs[0]))
    login(partner, member_of(orgs[1]))
    form(lead_client, tender)
    coalition = session.exec(select(Coalition)).one()
    page = lead_client.get(f"/coalitions/{coalition.id}")
    lead_client.post(
        f"/coalitions/{coalition.id}/partners", data={"csrf_token": form_token(page), "organisation_id": orgs[1].id}
    )
    return coalition, lead_client, partner


def test_accepting_needs_a_role_and_contribution(app, tender, orgs, member_of, session):
    coalition, lead_client, partner = lead_invites_partner(app, tender, orgs, member_of, session)
    partner_page = partner.get(f"/coalitions/{coalition.id}")
    response = partner.post(
        f"/coalitions/{coalition.id}/membership",
        data={
            "csrf_token": form_token(partner_page),
            "decision": "accept",
            "role": "",
            "contribution_kind": "",
            "contribution": "",
        },
        follow_redirects=True,
    )
    assert "role and its contribution." in response.text
    member = session.exec(select(CoalitionMember).where(CoalitionMember.organisation_id == orgs[1].id)).one()
    assert member.status == MembershipStatus.invited


def test_partner_declines(app, tender, orgs, member_of, session):
    coalition, lead_client, partner = lead_invites_partner(app, tender, orgs, member_of, session)
    partner.post(
        f"/coalitions/{coalition.id}/membership",
        data={"csrf_token": form_token(partner.get("/coalitions")), "decision": "decline"},
    )
    member = session.exec(select(CoalitionMember).where(CoalitionMember.organisation_id == orgs[1].id)).one()
    assert member.status == MembershipStatus.declined
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "partner_declined")).one()


def test_outsiders_cannot_see_or_change_a_coalition_by_guessing_ids(
    app, tender, orgs, member_of, session, official, make_user
):
    lead, outsider = member_of(orgs[0]), member_of(orgs[2])
    lead_client = app.test_client()
    login(lead_client, lead)
    form(lead_client, tender)
    coalition = session.exec(select(Coalition)).one()
    for user in (outsider, official, make_user(Role.council_member)):
        other = app.test_client()
        login(other, user)
        token = form_token(other.get("/"))
        expected = 404 if user is outsider else 403
        assert other.get(f"/coalitions/{coalition.id}").status_code == expected
        assert (
            other.post(
                f"/coalitions/{coalition.id}/partners", data={"csrf_token": token, "organisation_id": orgs[2].id}
            ).status_code
            == expected
        )
        assert (
            other.post(
                f"/coalitions/{coalition.id}/membership", data={"csrf_token": token, "decision": "decline"}
            ).status_code
            == expected
        )
    assert len(session.exec(select(CoalitionMember)).all()) == 1


def test_only_the_lead_invites_partners(app, tender, orgs, member_of, session):
    coalition, lead_client, partner = lead_invites_partner(app, tender, orgs, member_of, session)
    response = partner.post(
        f"/coalitions/{coalition.id}/partners",
        data={"csrf_token": form_token(partner.get("/")), "organisation_id": orgs[2].id},
    )
    assert response.status_code in (302, 403)
    assert len(session.exec(select(CoalitionMember)).all()) == 2


def test_one_coalition_per_lead_organisation_per_case(app, tender, orgs, member_of, session):
    lead = member_of(orgs[0])
    client = app.test_client()
    login(client, lead)
    form(client, tender)
    again = client.post(
        f"/tenders/{tender.reference}/coalitions",
        data={"csrf_token": form_token(client.get("/")), "name": "Nog een"},
        follow_redirects=True,
    )
    assert "already leads a coalition" in again.text
    assert len(session.exec(select(Coalition)).all()) == 1


def test_member_pages_query_counts_do_not_grow(app, session, make_case, official, make_user, orgs):
    from .test_query_counts import counting_queries

    lead = make_user(Role.coalition_member, org=orgs[0])
    client = app.test_client()
    login(client, lead)

    def grow(n):
        for i in range(n):
            case = make_case(title=f"Vraag {i}", state="tendering")
            coalition = Coalition(case_id=case.id, name=f"Coalitie {i}", lead_organisation_id=orgs[0].id)
            session.add(coalition)
            session.flush()
            session.add(
                CoalitionMember(
                    coalition_id=coalition.id,
                    organisation_id=orgs[0].id,
                    is_lead=True,
                    status=MembershipStatus.accepted,
                )
            )
            for j in range(n):
                partner = Organisation(name=f"Partner {i}-{j}", kind=OrganisationKind.company)
                session.add(partner)
                session.flush()
                session.add(CoalitionMember(coalition_id=coalition.id, organisation_id=partner.id))
            make_user(Role.coalition_member, org=orgs[0])  # the organisation grows too
        session.commit()
        return coalition

    def count(path):
        client.get(path)
        with counting_queries(app) as statements:
            assert client.get(path).status_code == 200
        return len(statements)

    small = grow(2)
    before = [count("/coalitions"), count("/organisation"), count(f"/coalitions/{small.id}")]
    large = grow(10)
    after = [count("/coalitions"), count("/organisation"), count(f"/coalitions/{large.id}")]
    assert after == before
