"""The access policy, route by route: every registered route, as every role, in every phase of every workflow,
answers as the generated table in docs/access.md says.

The views are replaced by a stub for the walk: what is tested is the gate in front of them (`views/loaders.py`), and
the stub's 200 means "the gate let this request through". The facts the object rules rest on are known by
construction (the owner owns every case, the member's organisation has joined every coalition, no box is open,
nobody declared, no agreement exists), so the expected answer comes from the table, not from the rules' code.
"""

import re
from types import SimpleNamespace

import pytest

from tendering.access import POLICY, RULES, Capability
from tendering.cli import access_table
from tendering.core.config import ROOT
from tendering.models import Coalition, CoalitionMember, MembershipStatus, Organisation, OrganisationKind, Role
from tendering.views import loaders
from tendering.workflow.definitions import workflows

from .conftest import login

PERSONAS = ("visitor", "owner", "official", *(r.value for r in Role if r != Role.official))
ROLE_OF = {"owner": Role.official, "official": Role.official} | {r.value: r for r in Role if r != Role.official}
FACTS = {  # which personas each rule holds for, in the walk's scenario
    "case_owner": {"owner"},
    "authorised_official": {"owner"},
    "box_open": set(),
    "declared_no_conflict": set(),
    "coalition_member": {"coalition_member"},
    "joined_coalition": {"coalition_member"},
    "party_to_agreement": set(),
    "winning_coalition": set(),  # no award letters are sent in the walk
    "lead_of_winning_coalition": set(),
    "strategy_chosen": set(),  # no strategy is chosen in the walk
    "not_the_award_decider": set(),  # no award decision exists in the walk
    "named_validator": set(),  # no agreement names a validator in the walk
    "verified_organisation": {"coalition_member"},  # the walk's organisation is made directly: verified
}
WALKED = "walked"


def test_the_table_in_the_docs_is_generated_from_the_code(app):
    generated = app.test_cli_runner().invoke(access_table).output
    assert (ROOT / "docs" / "access.md").read_text() == generated, "run: flask --app wsgi access-table > docs/access.md"


def test_every_rule_the_policy_names_is_known_to_the_walk():
    named = {rule for policy in POLICY.values() for grant in policy.grants.values() for rule in grant.rules}
    assert named == set(RULES) == set(FACTS)


def test_a_route_that_declares_nothing_stops_the_app_from_starting(app):
    app.view_functions["stray"] = lambda: "open by accident"
    with pytest.raises(RuntimeError, match="stray"):
        loaders.check_declarations(app)


def test_a_capability_without_a_route_or_a_service_is_not_in_the_policy():
    used = (ROOT / "tendering").rglob("*.py")
    text = "\n".join(path.read_text() for path in used) + "\n".join(
        p.read_text() for p in (ROOT / "templates").rglob("*.html")
    )
    for capability in Capability:
        assert f"Capability.{capability.name}" in text or f'may("{capability.value}"' in text, capability


def expected(capability: Capability | None, persona: str, state: str | None, groups, method: str) -> int:
    """The status the gate gives: 200 (through), a refusal's status, or 302 for a visitor sent to log in and for a
    form refused in this phase (sent back with the reason)."""
    if capability is None:
        return 200
    if persona == "visitor":
        return 302
    grant = POLICY[capability].grants.get(ROLE_OF[persona])
    if grant is None:
        return 403
    for rule in grant.rules:
        if persona not in FACTS[rule]:
            return 404 if RULES[rule].hides else 403
    if grant.phases and not any(state in groups[group] for group in grant.phases):
        if POLICY[capability].sealed:
            return 403
        return 302 if method == "POST" else 409
    return 200


@pytest.fixture
def walk(app, session, make_user, make_case, official):
    """A case and a coalition in every state of every workflow, users of every persona, and stubbed views."""
    app.config["WTF_CSRF_ENABLED"] = False
    partner = Organisation(name="Stichting Walk", kind=OrganisationKind.social_organisation)
    session.add(partner)
    session.commit()
    users = {
        "owner": official,
        "official": make_user(Role.official),
        "council_member": make_user(Role.council_member),
        "coalition_member": make_user(Role.coalition_member, org=partner),
        "admin": make_user(Role.admin),
    }
    places = []
    for name, workflow in workflows().items():
        for state in workflow.states:
            case = make_case(title=f"Walk {name} {state}", workflow=name, state=state)
            coalition = Coalition(case_id=case.id, name=f"Coalitie {state}", lead_organisation_id=partner.id)
            session.add(coalition)
            session.flush()
            session.add(
                CoalitionMember(
                    coalition_id=coalition.id,
                    organisation_id=partner.id,
                    is_lead=True,
                    status=MembershipStatus.accepted,
                )
            )
            session.commit()
            places.append((workflow, state, case, coalition))
    clients = {"visitor": app.test_client()}
    for persona, user in users.items():
        clients[persona] = app.test_client()
        login(clients[persona], user)
    for endpoint, view in list(app.view_functions.items()):
        if endpoint != "static":
            stub = lambda **_kwargs: WALKED
            stub.access = view.access
            app.view_functions[endpoint] = stub
    return places, clients


def _url(rule, case, coalition) -> str:
    values = {"case_id": case.id, "coalition_id": coalition.id, "reference": case.reference}
    return re.sub(
        r"<(?:\w+:)?(\w+)>",
        lambda m: str(values.get(m.group(1), 1 if "id" in m.group(1) or m.group(1) == "number" else "x")),
        rule.rule,
    )


def test_every_route_as_every_role_in_every_phase_answers_as_the_table_says(app, walk):
    places, clients = walk
    rules = [r for r in app.url_map.iter_rules() if r.endpoint != "static" and not r.rule.startswith("/api/")]
    wrong, asked = [], 0
    for workflow, state, case, coalition in places:
        for rule in rules:
            phased = "case_id" in rule.arguments or "coalition_id" in rule.arguments
            if not phased and state != workflow.initial:
                continue  # a page without a case answers the same in every phase: asked once per workflow
            capability = app.view_functions[rule.endpoint].access.capability
            for method in sorted((rule.methods or set()) & {"GET", "POST"}):
                url = _url(rule, case, coalition)
                for persona in PERSONAS:
                    response = clients[persona].open(url, method=method)
                    asked += 1
                    want = expected(capability, persona, state, workflow.groups, method)
                    got = response.status_code
                    through = got == 200 and response.text == WALKED
                    if (want == 200) != through or (want != 200 and got != want):
                        wrong.append(
                            f"{method} {url} as {persona} in {workflow.name}/{state}: {got}, table says {want}"
                        )
                    if persona == "visitor" and want == 302:
                        assert response.location.startswith("/login")
    assert asked > 5000
    assert not wrong, f"{len(wrong)} of {asked} answers differ from docs/access.md:\n" + "\n".join(wrong[:40])


def test_the_api_refuses_every_call_without_a_token(client, app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") and rule.endpoint != "api.openapi":
            method = "POST" if "POST" in rule.methods else "GET"
            response = client.open(
                _url(rule, SimpleNamespace(id=1, reference="x"), SimpleNamespace(id=1)), method=method
            )
            assert response.status_code == 401, rule.rule
