"""A case with an intended award whose agreement is being designed, and the people around it: shared by the
agreement-design and payment tests."""

import pytest

from tendering.models import CoalitionMember, MembershipStatus, Organisation, OrganisationKind, Role

from .conftest import form_token
from .evaluation_helpers import as_
from .test_award import add_indicator, awarded, save_terms


@pytest.fixture
def designed(app, evaluated, official, session, make_user):
    """An intended award with terms and one indicator; the winner's lead, a partner, the loser, an outsider."""
    case, proposals, coalitions, members = evaluated
    owner = awarded(app, evaluated, official)
    save_terms(owner, case)
    add_indicator(owner, case)
    partner_org = Organisation(name="Stichting Buurtkracht", kind=OrganisationKind.social_organisation)
    stranger_org = Organisation(name="Elders BV", kind=OrganisationKind.company)
    session.add_all([partner_org, stranger_org])
    session.flush()
    session.add(
        CoalitionMember(
            coalition_id=coalitions[1].id,
            organisation_id=partner_org.id,
            is_lead=False,
            status=MembershipStatus.accepted,
        )
    )
    session.commit()
    return {
        "case": case,
        "owner": owner,
        "lead": as_(app, members[1]),
        "partner": as_(app, make_user(Role.coalition_member, name="Pim Partner", org=partner_org)),
        "loser": as_(app, members[0]),
        "outsider": as_(app, make_user(Role.coalition_member, org=stranger_org)),
        "colleague": as_(app, make_user(Role.official)),
        "council": as_(app, make_user(Role.council_member)),
        "anonymous": app.test_client(),
    }


def page_of(client, case, query=""):
    return client.get(f"/cases/{case.id}/agreement{query}")


def post(client, case, path, data, query=""):
    page = page_of(client, case, query)
    token = form_token(page) if page.status_code == 200 else ""
    return client.post(f"/cases/{case.id}/agreement{path}", data={"csrf_token": token} | data, follow_redirects=True)
