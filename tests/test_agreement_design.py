"""The agreement is designed together: the coalition proposes and comments, the case owner decides, both approve."""

import re
from datetime import date, timedelta

import pytest
from sqlmodel import select

from tendering.models import (
    AgreementContribution,
    AuditEvent,
    Direction,
    Indicator,
    IndicatorDraft,
    OutboxMessage,
    utcnow,
)
from tendering.procurement import award
from tendering.realisation import agreement

from .agreement_helpers import page_of, post
from .conftest import form_token
from .test_accessibility import audit
from .test_award import add_indicator, approve, save_terms, transition
from .test_query_counts import counting_queries

INDICATOR = {
    "outcome_id": "0",
    "name": "Aantal huisbezoeken",
    "unit": "",
    "definition": "Huisbezoeken bij 75-plussers die alleen wonen.",
    "direction": "higher_is_better",
    "data_source": "Registratie van de coalitie",
    "baseline_value": "0",
    "baseline_date": "2026-06-01",
    "target_value": "400",
    "target_date": "2029-12-31",
    "norm_at_risk": "300",
    "norm_off_track": "200",
    "frequency": "quarterly",
    "measured_by": "De coalitie",
    "note": "Zo zien we of we de mensen bereiken.",
}


def propose(client, case, **overrides):
    return post(client, case, "/proposals", INDICATOR | overrides)


def contributions(session):
    session.expire_all()
    return session.exec(select(AgreementContribution).order_by(AgreementContribution.id)).all()


def decide(client, case, entry, decision, reason=""):
    return post(
        client, case, f"/proposals/{entry.id}/decision", {f"decide-{entry.id}-reason": reason, "decision": decision}
    )


def actions(session, case):
    session.expire_all()
    return [e.action for e in session.exec(select(AuditEvent).where(AuditEvent.case_id == case.id)).all()]


def indicators(session):
    session.expire_all()
    return session.exec(select(Indicator).order_by(Indicator.id)).all()


def current(session, case):
    session.expire_all()
    return agreement.agreement_of(session, case)


def test_a_partner_proposes_an_indicator_and_the_owner_takes_it_into_the_agreement(designed, session):
    case, owner = designed["case"], designed["owner"]
    answer = propose(designed["partner"], case)
    assert "Your proposal is sent to the municipality." in answer.text
    assert "Awaiting the municipality" in answer.text and "Pim Partner (Coalition)" in answer.text
    [entry] = contributions(session)
    assert (entry.kind, entry.side, entry.payload["name"], entry.body) == (
        "indicator",
        "coalition",
        "Aantal huisbezoeken",
        INDICATOR["note"],
    )
    assert [i.name for i in indicators(session)] == ["Aandeel eenzame 75-plussers"]  # a proposal is not yet agreed

    answer = decide(owner, case, entry, "accepted", "Goed voorstel.")
    assert "The proposal is accepted" in answer.text
    assert [i.name for i in indicators(session)] == ["Aandeel eenzame 75-plussers", "Aantal huisbezoeken"]
    [entry] = contributions(session)
    assert (entry.decision, entry.decision_reason) == ("accepted", "Goed voorstel.")
    assert {"agreement_contribution_made", "agreement_proposal_accepted", "indicator_agreed"} <= set(
        actions(session, case)
    )
    assert "Accepted" in page_of(designed["lead"], case).text
    assert "This proposal has already been decided." in decide(owner, case, entry, "declined", "Toch niet.").text
    assert len(indicators(session)) == 2


def test_a_proposal_is_checked_as_the_officials_own_indicator(designed, session):
    case = designed["case"]
    refused = propose(designed["lead"], case, target_date="2026-01-01")
    assert "The target date must come after the baseline date." in refused.text
    refused = propose(designed["lead"], case, norm_at_risk="200", norm_off_track="300")
    assert "threshold must lie beyond" in refused.text
    assert propose(designed["lead"], case, baseline_value="veel").status_code == 400
    assert contributions(session) == []


def test_a_change_is_proposed_from_the_indicator_and_declined_with_a_reason(designed, session):
    case, lead, owner = designed["case"], designed["lead"], designed["owner"]
    [indicator] = indicators(session)
    prefilled = page_of(lead, case, f"?change={indicator.id}").text
    assert (
        "Propose a change of “Aandeel eenzame 75-plussers”" in prefilled
        and 'value="GGD Gezondheidsmonitor"' in prefilled
    )
    answer = post(
        lead,
        case,
        f"/indicators/{indicator.id}/proposal",
        INDICATOR
        | {
            "name": indicator.name,
            "direction": "lower_is_better",
            "target_value": "35",
            "norm_at_risk": "44",
            "norm_off_track": "46",
        },
    )
    assert "Your proposal is sent" in answer.text
    [entry] = contributions(session)
    assert (entry.kind, entry.indicator_id, entry.subject) == ("change", indicator.id, indicator.name)
    assert "Say why the proposal is declined." in decide(owner, case, entry, "declined", " ").text
    assert "Choose to accept or to decline" in decide(owner, case, entry, "maybe").text
    answer = decide(owner, case, entry, "declined", "35 procent is niet haalbaar.")
    assert "The proposal is declined." in answer.text and "35 procent is niet haalbaar." in answer.text
    assert indicators(session)[0].target_value == 38


def test_an_accepted_change_changes_the_indicator(designed, session):
    case, lead, owner = designed["case"], designed["lead"], designed["owner"]
    [indicator] = indicators(session)
    post(lead, case, f"/indicators/{indicator.id}/proposal", INDICATOR | {"name": "Huisbezoeken (nieuw)"})
    [entry] = contributions(session)
    decide(owner, case, entry, "accepted")
    [changed] = indicators(session)
    assert (changed.id, changed.name, changed.target_value, changed.data_source) == (
        indicator.id,
        "Huisbezoeken (nieuw)",
        400,
        "Registratie van de coalitie",
    )
    assert "indicator_changed" in actions(session, case)


def test_the_coalition_proposes_the_monitoring_arrangement(designed, session):
    case = designed["case"]
    assert post(designed["partner"], case, "/proposals/arrangement", {"arrangement": "  "}).status_code == 400
    post(designed["partner"], case, "/proposals/arrangement", {"arrangement": "Elke maand met het cliëntenpanel."})
    [entry] = contributions(session)
    decide(designed["owner"], case, entry, "accepted")
    assert current(session, case).monitoring_arrangement == "Elke maand met het cliëntenpanel."


def test_both_sides_comment_on_the_agreement_and_its_indicators(designed, session):
    case = designed["case"]
    [indicator] = indicators(session)
    post(designed["partner"], case, "/comments", {"about": str(indicator.id), "body": "Is de GGD-meting jaarlijks?"})
    post(designed["colleague"], case, "/comments", {"about": "0", "body": "Ja, elk jaar in het najaar."})
    assert post(designed["lead"], case, "/comments", {"about": "0", "body": ""}).status_code == 400
    assert post(designed["lead"], case, "/comments", {"about": "99999", "body": "x"}).status_code == 400
    first, second = contributions(session)
    assert (first.side, first.indicator_id, second.side, second.indicator_id) == (
        "coalition",
        indicator.id,
        "municipality",
        None,
    )
    text = page_of(designed["lead"], case).text
    assert text.index("Is de GGD-meting jaarlijks?") < text.index("Ja, elk jaar in het najaar.")  # in time order


def test_the_history_is_for_the_parties_only(designed, session):
    case = designed["case"]
    propose(designed["partner"], case, name="Geheim voorstel")
    for who in ("owner", "colleague", "lead", "partner"):
        assert "Geheim voorstel" in page_of(designed[who], case).text, who
    for who in ("loser", "outsider"):
        answer = page_of(designed[who], case)
        assert answer.status_code == 404 and "Geheim voorstel" not in answer.text, who
    assert page_of(designed["council"], case).status_code == 403
    anonymous = page_of(designed["anonymous"], case)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


ROUTES = {
    "propose": lambda entry, indicator: ("/proposals", INDICATOR),
    "change": lambda entry, indicator: (f"/indicators/{indicator.id}/proposal", INDICATOR),
    "arrangement": lambda entry, indicator: ("/proposals/arrangement", {"arrangement": "Anders."}),
    "comment": lambda entry, indicator: ("/comments", {"about": "0", "body": "Mag ik ook?"}),
    "decide": lambda entry, indicator: (f"/proposals/{entry.id}/decision", {"decision": "accepted"}),
    "approve": lambda entry, indicator: ("/approval", {"version": "1"}),
}
# Who is refused what, and how: 404 where the rule hides the agreement, 403 where the role or rule refuses.
REFUSED = {
    "propose": {"loser": 404, "outsider": 404, "owner": 403, "colleague": 403, "council": 403},
    "change": {"loser": 404, "outsider": 404, "owner": 403, "colleague": 403, "council": 403},
    "arrangement": {"loser": 404, "outsider": 404, "owner": 403, "council": 403},
    "comment": {"loser": 404, "outsider": 404, "council": 403},
    "decide": {"loser": 403, "lead": 403, "partner": 403, "colleague": 403, "council": 403},
    "approve": {"loser": 403, "outsider": 403, "partner": 403, "colleague": 403, "council": 403},
}


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_who_may_not_is_refused_and_nothing_changes(app, designed, session, route):
    case = designed["case"]
    app.config["WTF_CSRF_ENABLED"] = False
    propose(designed["partner"], case)
    [entry] = contributions(session)
    [indicator] = indicators(session)
    path, data = ROUTES[route](entry, indicator)
    before = (len(contributions(session)), current(session, case).version, actions(session, case))
    for who, status in REFUSED[route].items() | {("anonymous", 302)}:
        answer = designed[who].post(f"/cases/{case.id}/agreement{path}", data=data)
        assert answer.status_code == status, (route, who, answer.status_code)
    assert (len(contributions(session)), current(session, case).version, actions(session, case)) == before


def test_approvals_are_withdrawn_by_any_change_and_the_guard_waits_for_both(designed, session):
    case, owner, lead = designed["case"], designed["owner"], designed["lead"]
    award.current_decision(session, case).standstill_ends_at = utcnow() - timedelta(minutes=1)
    session.commit()
    refused = transition(owner, case, "conclude_agreement")
    assert "The case owner has not approved the current text" in refused.text
    assert "lead has not approved the current text." in refused.text
    assert "You approved the current text" in approve(owner, case).text
    assert "lead has not approved" in transition(owner, case, "conclude_agreement").text
    assert "You approved the current text" in approve(lead, case).text
    assert "Approved by Fatima El Amrani" in page_of(lead, case).text

    save_terms(owner, case, monitoring_arrangement="Elk kwartaal.")  # a change of the terms
    agreed = current(session, case)
    assert agreed.municipality_approved_at is None and agreed.lead_approved_at is None
    page = page_of(lead, case).text
    assert "the earlier approvals are withdrawn" in page and "Not approved yet" in page
    assert actions(session, case).count("agreement_approvals_withdrawn") == 1
    assert "has not approved the current text" in transition(owner, case, "conclude_agreement").text

    for change in (lambda: add_indicator(owner, case, name="Tweede"), lambda: _remove_last(owner, case, session)):
        approve(owner, case)
        approve(lead, case)
        change()
        agreed = current(session, case)
        assert agreed.municipality_approved_at is None and agreed.lead_approved_at is None
    assert actions(session, case).count("agreement_approvals_withdrawn") == 3

    approve(owner, case)
    approve(lead, case)
    assert "“Conclude the agreement” done" in transition(owner, case, "conclude_agreement").text
    frozen = current(session, case)
    assert frozen.concluded_at is not None and "Fatima El Amrani" in frozen.content_html
    assert re.search(r"approved|goedgekeurd", frozen.content_html)
    assert "Propose an indicator" not in page_of(lead, case).text  # concluded: nothing more to propose
    assert "Aandeel eenzame 75-plussers" in page_of(lead, case).text  # the history stays readable


def _remove_last(owner, case, session):
    last = indicators(session)[-1]
    page = page_of(owner, case)
    owner.post(f"/cases/{case.id}/agreement/indicators/{last.id}/remove", data={"csrf_token": form_token(page)})


def test_accepting_a_proposal_withdraws_the_approvals(designed, session):
    case = designed["case"]
    approve(designed["owner"], case)
    propose(designed["lead"], case)
    assert current(session, case).municipality_approved_at is not None  # a proposal alone changes nothing
    [entry] = contributions(session)
    decide(designed["owner"], case, entry, "accepted")
    assert current(session, case).municipality_approved_at is None


def test_an_approval_of_a_text_that_changed_meanwhile_is_refused(designed, session):
    case, owner, lead = designed["case"], designed["owner"], designed["lead"]
    stale = page_of(lead, case)  # the lead reads version n in one tab
    add_indicator(owner, case, name="Later toegevoegd")  # the owner changes the text
    answer = lead.post(
        f"/cases/{case.id}/agreement/approval",
        data={"csrf_token": form_token(stale), "version": str(current(session, case).version - 1)},
        follow_redirects=True,
    )
    assert "The agreement changed since you opened it." in answer.text
    assert current(session, case).lead_approved_at is None
    for version in ("", "abc", "99999999999999999999"):
        answer = lead.post(
            f"/cases/{case.id}/agreement/approval",
            data={"csrf_token": form_token(stale), "version": version},
            follow_redirects=True,
        )
        assert answer.status_code == 200 and "The agreement changed since you opened it." in answer.text
    assert current(session, case).lead_approved_at is None


def test_approving_twice_is_harmless_and_tells_the_other_side_once(designed, session):
    case, owner = designed["case"], designed["owner"]
    before = session.exec(select(OutboxMessage)).all()
    approve(owner, case)
    approve(owner, case)
    assert actions(session, case).count("agreement_approved") == 1
    told = [m for m in session.exec(select(OutboxMessage)).all() if m not in before]
    assert told and all(re.search("approved|goedgekeurd", m.subject) for m in told)
    assert len({m.to_address for m in told}) == len(told)
    approve(designed["lead"], case)
    owner_mail = [m for m in session.exec(select(OutboxMessage)).all() if m.to_address.startswith("official")]
    assert owner_mail and re.search("coalition|coalitie", owner_mail[-1].body)


def test_the_page_costs_the_same_queries_with_more_contributions(app, designed, session):
    case = designed["case"]
    propose(designed["partner"], case)

    def counts():
        found = {}
        for who in ("owner", "lead"):
            page_of(designed[who], case)
            with counting_queries(app) as statements:
                assert page_of(designed[who], case).status_code == 200
            found[who] = len(statements)
        return found

    before = counts()
    for i in range(4):
        propose(designed["lead"], case, name=f"Voorstel {i}")
        post(designed["owner"], case, "/comments", {"about": "0", "body": f"Opmerking {i}"})
    [first, *_rest] = contributions(session)
    decide(designed["owner"], case, first, "declined", "Niet nodig.")
    assert counts() == before


def test_the_agreement_page_is_labelled_for_each_side(designed, session):
    case = designed["case"]
    propose(designed["partner"], case)
    post(designed["owner"], case, "/comments", {"about": "0", "body": "Dank."})
    problems = {who: audit(designed[who], f"/cases/{case.id}/agreement") for who in ("owner", "lead", "partner")}
    [indicator] = indicators(session)
    problems["change"] = audit(designed["lead"], f"/cases/{case.id}/agreement?change={indicator.id}")
    assert {who: found for who, found in problems.items() if found} == {}


def test_a_follow_up_offers_the_inherited_indicators_to_take_over(designed, session, make_case):
    case = designed["case"]
    earlier = make_case(title="Eerdere vraag")
    session.refresh(case)
    case.parent_case_id = earlier.id
    draft = IndicatorDraft(
        case_id=case.id,
        name="Ervaren eenzaamheid",
        definition="Aandeel dat zich eenzaam voelt.",
        direction=Direction.lower_is_better,
        data_source="GGD",
        baseline_value=43.25,
        baseline_date=date(2026, 9, 30),
    )
    session.add_all([case, draft])
    session.commit()
    for who in ("owner", "lead"):
        page = page_of(designed[who], case).text
        assert "Take over “Ervaren eenzaamheid”" in page, who
        prefilled = page_of(designed[who], case, f"?take_over={draft.id}").text
        assert 'value="Ervaren eenzaamheid"' in prefilled and 'value="43.25"' in prefilled, who
    assert page_of(designed["owner"], case, "?take_over=abc").status_code == 200
    assert page_of(designed["owner"], case, "?take_over=999999").status_code == 200


def test_the_winning_coalition_reaches_the_agreement_from_its_coalition_page(designed, evaluated, session):
    case, proposals, coalitions, members = evaluated
    page = designed["lead"].get(f"/coalitions/{coalitions[1].id}").text
    assert f"/cases/{case.id}/agreement" in page
    assert f"/cases/{case.id}/agreement" not in designed["loser"].get(f"/coalitions/{coalitions[0].id}").text
    lead_page = page_of(designed["lead"], case).text
    assert "Approve version" in lead_page and "Propose an indicator" in lead_page and "Case sections" not in lead_page
    partner_page = page_of(designed["partner"], case).text
    assert "Approve version" not in partner_page and "Propose an indicator" in partner_page
    assert lead_page.count("<h1") == 1
