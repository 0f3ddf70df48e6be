"""Verified organisations: one that registered itself cannot submit a proposal until an official confirmed it;
officials see those awaiting confirmation, confirm or reject them, and members see the status and why."""

import pytest
from sqlalchemy import text
from sqlmodel import select

from tendering.core.errors import GuardFailed
from tendering.models import (
    AuditEvent,
    Organisation,
    OrganisationKind,
    OrganisationReview,
    OrganisationStatus,
    OutboxMessage,
    Proposal,
    ProposalSubmission,
    Role,
    User,
)
from tendering.parties import organisations
from tendering.procurement import tender_box

from .conftest import form_token, login
from .test_query_counts import counting_queries
from .test_registration import confirmation_link, register
from .test_tender_box import complete, submit


def registered(app, session, **overrides):
    """An organisation registered through the site, its address confirmed by the link: a logged-in client."""
    client = app.test_client()
    register(client, **overrides)
    email = overrides.get("email", "sanne@buurtkracht.example")
    message = session.exec(select(OutboxMessage).where(OutboxMessage.to_address == email)).one()
    link = confirmation_link(message)
    client.post(link, data={"csrf_token": form_token(client.get(link))})
    user = session.exec(select(User).where(User.email == email)).one()
    return client, user, session.get(Organisation, user.organisation_id)


def fresh(session, organisation) -> Organisation:
    session.expire_all()
    return session.get(Organisation, organisation.id)


def confirm_as(client, organisation, **data):
    page = client.get("/organisations/awaiting")
    token = form_token(page) if page.status_code == 200 else form_token(client.get("/account/sessions"))
    return client.post(f"/organisations/{organisation.id}/confirm", data={"csrf_token": token, **data})


def reject_as(client, organisation, reason):
    page = client.get("/organisations/awaiting")
    return client.post(
        f"/organisations/{organisation.id}/reject", data={"csrf_token": form_token(page), "reason": reason}
    )


def test_a_registered_organisation_is_unverified_until_an_official_confirms(app, session):
    member, user, organisation = registered(app, session, kvk_number="12345678")
    assert organisation.status == OrganisationStatus.unverified
    assert organisation.address_confirmed_at is not None  # the registration link confirmed the address
    page = member.get("/organisation")
    assert "not yet confirmed by the municipality" in page.text and 'id="organisation-status"' in page.text


def test_existing_and_directly_made_organisations_count_as_verified(session, organisation):
    assert organisation.status == OrganisationStatus.verified
    session.execute(text("INSERT INTO organisations (name, kind, created_at) VALUES ('Oud', 'other', '2020-01-01')"))
    session.commit()
    assert session.exec(select(Organisation.status).where(Organisation.name == "Oud")).one() == "verified"


def test_officials_see_the_organisations_awaiting_and_confirm_one(app, session, official, logged_in):
    member, user, organisation = registered(app, session, kvk_number="12345678")
    client = logged_in(official)
    page = client.get("/organisations/awaiting")
    assert page.status_code == 200 and "Buurtkracht Zuid" in page.text and "Sanne de Wit" in page.text
    assert "12345678" in page.text and "e-mail address confirmed" in page.text
    assert 'href="/organisations/awaiting"' in client.get("/cases/").text  # in the officials' menu
    response = confirm_as(client, organisation, kvk_checked="y", note="KvK-uittreksel gezien")
    assert response.status_code == 302
    assert "is confirmed" in client.get(response.location).text
    assert fresh(session, organisation).status == OrganisationStatus.verified
    review = session.exec(select(OrganisationReview)).one()
    assert (review.reviewer_id, review.decision, review.kvk_checked, review.reason) == (
        official.id,
        OrganisationStatus.verified,
        True,
        "KvK-uittreksel gezien",
    )
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "organisation_confirmed")).one()
    assert event.actor_id == official.id and event.details["organisation_id"] == organisation.id
    mail = session.exec(select(OutboxMessage).where(OutboxMessage.subject == "Buurtkracht Zuid is confirmed")).one()
    assert mail.to_address == user.email
    assert "Buurtkracht Zuid" not in client.get("/organisations/awaiting").text
    status = member.get("/organisation").text
    assert "Confirmed by the municipality" in status and "Chamber of Commerce number was checked" in status
    assert confirm_as(client, organisation).status_code == 302  # twice: refused with a message, nothing new
    assert len(session.exec(select(OrganisationReview)).all()) == 1


def test_a_rejection_needs_a_reason_and_the_members_see_it(app, session, official, logged_in):
    member, user, organisation = registered(app, session)
    client = logged_in(official)
    response = reject_as(client, organisation, "   ")
    assert "Say why" in client.get(response.location).text
    assert fresh(session, organisation).status == OrganisationStatus.unverified
    reject_as(client, organisation, "Onbekend bij de KvK")
    assert fresh(session, organisation).status == OrganisationStatus.rejected
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "organisation_rejected")).one().reason == (
        "Onbekend bij de KvK"
    )
    page = member.get("/organisation").text
    assert "did not confirm the registration" in page and "Onbekend bij de KvK" in page
    confirm_as(client, organisation)  # a rejected one can be confirmed after all
    assert fresh(session, organisation).status == OrganisationStatus.verified


def test_a_kvk_check_cannot_be_noted_without_a_number(app, session, official, logged_in):
    _member, _user, organisation = registered(app, session)
    client = logged_in(official)
    response = confirm_as(client, organisation, kvk_checked="y")
    assert "gave no Chamber of Commerce number" in client.get(response.location).text
    assert fresh(session, organisation).status == OrganisationStatus.unverified


@pytest.mark.parametrize("role", [Role.coalition_member, Role.council_member, Role.admin])
def test_only_officials_may_see_and_confirm(app, session, make_user, role):
    member, user, organisation = registered(app, session)
    other = make_user(role)
    client = app.test_client()
    login(client, other)
    assert client.get("/organisations/awaiting").status_code == 403
    token = form_token(client.get("/account/sessions"))
    for action in ("confirm", "reject"):
        response = client.post(f"/organisations/{organisation.id}/{action}", data={"csrf_token": token, "reason": "x"})
        assert response.status_code == 403
    own_token = form_token(member.get("/account/sessions"))
    own = member.post(f"/organisations/{organisation.id}/confirm", data={"csrf_token": own_token})
    assert own.status_code == 403  # not even its own organisation
    assert fresh(session, organisation).status == OrganisationStatus.unverified
    assert session.exec(select(OrganisationReview)).all() == []


def test_a_visitor_is_sent_to_log_in(app, session, client):
    _member, _user, organisation = registered(app, session)
    assert client.get("/organisations/awaiting").status_code == 302
    assert fresh(session, organisation).status == OrganisationStatus.unverified


def test_the_service_refuses_non_officials(app, session, make_user):
    _member, user, organisation = registered(app, session)
    with app.test_request_context():
        for role in (Role.coalition_member, Role.council_member, Role.admin):
            with pytest.raises(Exception, match="Only municipal officials"):
                organisations.confirm_organisation(session, official=make_user(role), organisation_id=organisation.id)
    session.rollback()
    assert fresh(session, organisation).status == OrganisationStatus.unverified


def test_an_unverified_organisation_cannot_submit_until_it_is_confirmed(app, drafting, session, official, logged_in):
    case, coalition, users, clients = drafting
    lead = session.get(Organisation, users["lead"].organisation_id)
    lead.status = OrganisationStatus.unverified
    lead.address_confirmed_at = lead.created_at
    session.commit()
    complete(clients["lead"], coalition, session)
    page = clients["lead"].get(f"/coalitions/{coalition.id}/proposal").text
    assert "Lead is not yet confirmed by the municipality" in page
    assert 'formaction="/coalitions/' not in page and 'id="submit-refused"' in page  # no submit button
    refused = submit(clients["lead"], coalition)
    assert "cannot be submitted yet" in refused.text and "not yet confirmed by the municipality" in refused.text
    assert session.exec(select(ProposalSubmission)).all() == []
    with app.test_request_context():
        draft = session.exec(select(Proposal)).one()
        with pytest.raises(GuardFailed) as refusal:
            tender_box.submit(session, draft, coalition, case, actor=users["lead"])
        assert any("not yet confirmed" in reason for reason in refusal.value.reasons)
    session.rollback()
    # A confirmed partner cannot carry in the bid of the unconfirmed lead, which signs for the coalition.
    partner_page = clients["partner"].get(f"/coalitions/{coalition.id}/proposal").text
    assert 'formaction="/coalitions/' not in partner_page and "Lead is not yet confirmed" in partner_page
    assert "cannot be submitted yet" in submit(clients["partner"], coalition).text
    assert session.exec(select(ProposalSubmission)).all() == []
    official_client = logged_in(official)
    confirm_as(official_client, lead)
    assert "Your proposal is received." in submit(clients["lead"], coalition).text
    assert len(session.exec(select(ProposalSubmission)).all()) == 1


def test_a_rejected_organisation_is_told_why_on_the_proposal_page(drafting, session):
    case, coalition, users, clients = drafting
    lead = session.get(Organisation, users["lead"].organisation_id)
    lead.status = OrganisationStatus.rejected
    session.add(lead)
    session.flush()
    session.add(
        OrganisationReview(
            organisation_id=lead.id, reviewer_id=case.owner_id, decision=OrganisationStatus.rejected, reason="Geen KvK"
        )
    )
    session.commit()
    complete(clients["lead"], coalition, session)
    page = clients["lead"].get(f"/coalitions/{coalition.id}/proposal").text
    assert "did not confirm the registration of Lead" in page and "Geen KvK" in page
    assert "cannot be submitted yet" in submit(clients["lead"], coalition).text
    assert session.exec(select(ProposalSubmission)).all() == []


def test_the_awaiting_list_runs_a_fixed_number_of_queries(app, session, official, logged_in):
    client = logged_in(official)

    def add(n, start):
        for i in range(start, start + n):
            organisation = Organisation(
                name=f"Nieuw {i}", kind=OrganisationKind.association, status=OrganisationStatus.unverified
            )
            session.add(organisation)
            session.flush()
            for j in range(2):
                session.add(
                    User(
                        email=f"lid{i}-{j}@example.org",
                        name=f"Lid {i} {j}",
                        password_hash="x",
                        role=Role.coalition_member,
                        organisation_id=organisation.id,
                    )
                )
        session.commit()

    add(1, 0)
    client.get("/organisations/awaiting")
    with counting_queries(app) as few:
        assert client.get("/organisations/awaiting").text.count("Confirm Nieuw") == 1
    add(12, 1)
    with counting_queries(app) as many:
        assert client.get("/organisations/awaiting").text.count("Confirm Nieuw") == 13
    assert len(many) == len(few), many


def test_the_awaiting_page_is_labelled_and_has_one_h1(app, session, official, logged_in):
    from .test_accessibility import audit

    registered(app, session, kvk_number="12345678")
    registered(app, session, email="tweede@example.org", organisation_name="Tweede", kvk_number="87654321")
    assert audit(logged_in(official), "/organisations/awaiting") == []
