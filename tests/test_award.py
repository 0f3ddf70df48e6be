"""From a computed ranking to letters, the standstill, objections, the agreement,
and the unsuccessful path back to articulation."""

import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy.orm import object_session
from sqlmodel import select

from tendering.core.errors import DomainError
from tendering.models import (
    Agreement,
    AwardLetter,
    Indicator,
    Objection,
    ObjectionLetter,
    OutboxMessage,
    Proposal,
    Role,
    utcnow,
)
from tendering.procurement import award, reconsideration, scoring
from tendering.question import question_document

from .conftest import form_token
from .evaluation_helpers import as_, evaluate_all
from .test_accessibility import audit
from .test_query_counts import counting_queries


def decide(
    client,
    case,
    proposal,
    motivation="Beste prijs-kwaliteitverhouding.",
    advantages="Sterk lokaal netwerk en laagste prijs.",
):
    page = client.get(f"/cases/{case.id}/award")
    return client.post(
        f"/cases/{case.id}/award/decision",
        data={
            "csrf_token": form_token(page),
            "proposal_id": proposal.id,
            "motivation": motivation,
            "advantages": advantages,
        },
        follow_redirects=True,
    )


def transition(client, case, trigger, reason=""):
    """Post a transition as its form would, also where the page offers no form because a guard is unmet."""
    page = client.get(f"/cases/{case.id}")
    object_session(case).refresh(case)
    return client.post(
        f"/cases/{case.id}/transition",
        data={
            "csrf_token": form_token(page),
            "trigger": trigger,
            "version": case.version,
            "reason": reason,
        },
        follow_redirects=True,
    )


def awarded(app, evaluated, official):
    case, proposals, coalitions, members = evaluated
    owner = as_(app, official)
    decide(owner, case, proposals[1])
    assert "“Propose the award” done" in transition(owner, case, "propose_award").text
    return owner


def test_only_a_best_ranked_proposal_meeting_the_requirements_can_be_awarded(app, evaluated, official, session):
    case, proposals, coalitions, members = evaluated
    owner = as_(app, official)
    assert [r.entry.proposal_id for r in award.eligible(session, case)] == [proposals[1].id]
    refused = decide(owner, case, proposals[0])  # Coalitie A ranks second: not offered, and refused when posted
    assert "Choose the winning proposal and give the motivation" in refused.text
    assert (
        "Choose the winning proposal and give the motivation" in decide(owner, case, proposals[1], motivation=" ").text
    )
    assert award.current_decision(session, case) is None
    with app.test_request_context(), pytest.raises(DomainError, match="Only a best-ranked proposal"):
        award.decide(session, case, actor=official, proposal_id=proposals[0].id, motivation="m", advantages="a")
    session.rollback()
    decide(owner, case, proposals[1])
    assert award.current_decision(session, case).proposal_id == proposals[1].id


def test_letters_go_to_every_coalition_at_once_with_own_scores_winner_and_standstill_end(
    app, evaluated, official, session
):
    case, proposals, coalitions, members = evaluated
    awarded(app, evaluated, official)
    decision = award.current_decision(session, case)
    letters = session.exec(select(AwardLetter).where(AwardLetter.award_decision_id == decision.id)).all()
    assert len(letters) == 2 and len({letter.sent_at for letter in letters}) == 1
    by_coalition = {letter.coalition_id: letter for letter in letters}
    loser, winner = by_coalition[coalitions[0].id], by_coalition[coalitions[1].id]
    assert (loser.is_winner, winner.is_winner) == (False, True)
    assert "Coalitie B" in loser.content_html and "Sterk lokaal netwerk en laagste prijs." in loser.content_html
    assert "74.00" in loser.content_html and "76.00" not in loser.content_html  # its own total, not the winner's
    assert "Samen besproken." in loser.content_html
    last_day = award.last_day(decision)
    assert decision.standstill_ends_at - decision.letters_sent_at <= timedelta(days=21)
    assert decision.standstill_ends_at - decision.letters_sent_at > timedelta(days=20)
    assert str(last_day.year) in loser.content_html and "20 kalenderdagen" in loser.content_html
    mails = session.exec(select(OutboxMessage).where(OutboxMessage.subject.contains("gunningsbeslissing"))).all()
    assert {m.to_address for m in mails} >= {members[0].email, members[1].email}


def test_standstill_ends_at_midnight_after_the_configured_number_of_days(app):
    with app.app_context():
        sent = datetime(2026, 11, 22, 15, 0, tzinfo=UTC)  # 16:00 in Amsterdam
        assert award.standstill_end(sent, 20) == datetime(2026, 12, 12, 23, 0, tzinfo=UTC)  # 13 Dec 00:00 CET
        assert award.standstill_end(sent, 10) == datetime(2026, 12, 2, 23, 0, tzinfo=UTC)
        summer = datetime(2027, 6, 1, 22, 30, tzinfo=UTC)  # already 2 June in Amsterdam
        assert award.standstill_end(summer, 20) == datetime(2027, 6, 22, 22, 0, tzinfo=UTC)


def test_each_coalition_reads_only_its_own_letter(app, evaluated, official, session, make_user):
    case, proposals, coalitions, members = evaluated
    awarded(app, evaluated, official)
    first = as_(app, members[0])
    page = first.get(f"/coalitions/{coalitions[0].id}/award")
    assert page.status_code == 200 and "Coalitie B" in page.text and "74.00" in page.text
    pdf = first.get(f"/coalitions/{coalitions[0].id}/award.pdf")
    assert pdf.mimetype == "application/pdf" and "Coalitie B" in PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    assert first.get(f"/coalitions/{coalitions[1].id}/award").status_code == 404
    letter = session.exec(select(AwardLetter).where(AwardLetter.coalition_id == coalitions[1].id)).one()
    assert first.get(f"/cases/{case.id}/award/letters/{letter.id}").status_code == 403
    assert as_(app, make_user(Role.official)).get(f"/cases/{case.id}/award/letters/{letter.id}").status_code == 403
    assert (
        as_(app, make_user(Role.council_member)).get(f"/cases/{case.id}/award/letters/{letter.id}").status_code == 403
    )
    assert as_(app, official).get(f"/cases/{case.id}/award/letters/{letter.id}").status_code == 200


def test_public_award_notice_appears_with_the_letters(app, evaluated, official, client, session):
    case, proposals, coalitions, members = evaluated
    with app.test_request_context():
        question_document.freeze(session, case, actor=official)
    session.commit()
    assert 'id="award-notice"' not in client.get(f"/tenders/{case.reference}").text
    awarded(app, evaluated, official)
    notice = client.get(f"/tenders/{case.reference}").text
    assert 'id="award-notice"' in notice and "Coalitie B" in notice and "74.00" not in notice
    assert audit(client, f"/tenders/{case.reference}") == []


def object_to(client, coalition, text="De prijs is verkeerd berekend."):
    page = client.get(f"/coalitions/{coalition.id}/award")
    return client.post(
        f"/coalitions/{coalition.id}/award/objection",
        data={"csrf_token": form_token(page), "text": text},
        follow_redirects=True,
    )


def save_terms(client, case, **overrides):
    page = client.get(f"/cases/{case.id}/agreement")
    data = {
        "csrf_token": form_token(page),
        "budget": "200000",
        "starts_on": "2027-01-01",
        "ends_on": "2029-12-31",
        "overseers": ["municipality", "client_panel"],
        "monitoring_arrangement": "Halfjaarlijks overleg met het cliëntenpanel.",
        "report_cadence": "quarterly",
    } | overrides
    return client.post(f"/cases/{case.id}/agreement", data=data, follow_redirects=True)


def add_indicator(client, case, **overrides):
    page = client.get(f"/cases/{case.id}/agreement")
    data = {
        "csrf_token": form_token(page),
        "outcome_id": "0",
        "name": "Aandeel eenzame 75-plussers",
        "unit": "%",
        "definition": "Aandeel 75-plussers dat zich vaak eenzaam voelt.",
        "direction": "lower_is_better",
        "data_source": "GGD Gezondheidsmonitor",
        "baseline_value": "48",
        "baseline_date": "2026-06-01",
        "target_value": "38",
        "target_date": "2029-12-31",
        "norm_at_risk": "45",
        "norm_off_track": "47",
        "frequency": "yearly",
        "measured_by": "GGD",
    } | overrides
    return client.post(f"/cases/{case.id}/agreement/indicators", data=data, follow_redirects=True)


def approve(client, case):
    """Approve the agreement's text as shown on the page (the form carries its version)."""
    page = client.get(f"/cases/{case.id}/agreement")
    version = page.text.split('name="version" type="hidden" value="')[1].split('"')[0]
    return client.post(
        f"/cases/{case.id}/agreement/approval",
        data={"csrf_token": form_token(page), "version": version},
        follow_redirects=True,
    )


def approve_both(owner, lead, case):
    assert "You approved the current text" in approve(owner, case).text
    assert "You approved the current text" in approve(lead, case).text


def test_open_objection_blocks_the_agreement_until_resolved(app, evaluated, official, session, make_user):
    case, proposals, coalitions, members = evaluated
    owner = awarded(app, evaluated, official)
    assert "Your objection is registered" in object_to(as_(app, members[0]), coalitions[0]).text
    save_terms(owner, case)
    add_indicator(owner, case)
    decision = award.current_decision(session, case)
    decision.standstill_ends_at = utcnow() - timedelta(minutes=1)
    session.commit()

    refused = transition(owner, case, "conclude_agreement")
    assert "1 objection(s) still open." in refused.text and session.get(type(case), case.id).state == "awarded"
    objection = session.exec(select(Objection)).one()
    colleague = as_(app, make_user(Role.official))  # not the official who took the award decision
    decide_objection(colleague, case, objection, "rejected", "Herberekend: de prijs klopt.")
    refused = transition(owner, case, "conclude_agreement")  # the letter's term for a legal remedy runs
    assert "The term for a legal remedy" in refused.text and session.get(type(case), case.id).state == "awarded"
    letter = session.exec(select(ObjectionLetter)).one()
    letter.remedy_ends_at = utcnow() - timedelta(minutes=1)  # the clock moves past the term
    session.commit()
    refused = transition(owner, case, "conclude_agreement")
    assert "has not approved the current text" in refused.text
    approve_both(owner, as_(app, members[1]), case)
    transition(owner, case, "conclude_agreement")
    session.expire_all()
    assert session.get(type(case), case.id).state == "realisation"
    agreement = session.exec(select(Agreement)).one()
    assert (
        agreement.concluded_at is not None
        and len(agreement.sha256) == 64
        and "Aandeel eenzame 75-plussers" in agreement.content_html
    )
    winner = as_(app, members[1])
    assert "Aandeel eenzame 75-plussers" in winner.get(f"/cases/{case.id}/agreement/document").text
    assert winner.get(f"/cases/{case.id}/agreement/document.pdf").mimetype == "application/pdf"
    losing = as_(app, members[0]).get(f"/cases/{case.id}/agreement/document")  # a rival: as if there were none
    assert losing.status_code == 404 and "Aandeel eenzame" not in losing.text
    assert as_(app, make_user(Role.council_member)).get(f"/cases/{case.id}/agreement/document").status_code == 200


def test_objections_only_during_the_standstill_and_only_by_addressees(
    app, evaluated, official, session, make_user, organisation
):
    case, proposals, coalitions, members = evaluated
    awarded(app, evaluated, official)
    outsider = as_(app, make_user(Role.coalition_member, org=organisation))
    assert outsider.post(f"/coalitions/{coalitions[0].id}/award/objection", data={"text": "x"}).status_code in (
        400,
        404,
    )
    session.refresh(case)
    decision = award.current_decision(session, case)
    decision.standstill_ends_at = utcnow() - timedelta(seconds=1)
    session.commit()
    client = as_(app, members[0])
    assert 'name="text"' not in client.get(f"/coalitions/{coalitions[0].id}/award").text
    with app.test_request_context(), pytest.raises(DomainError, match="standstill period is over"):
        award.lodge_objection(session, case, coalitions[0], actor=members[0], text="Te laat.")
    assert session.exec(select(Objection)).all() == []


def test_a_coalitions_letter_page_lists_only_the_objections_lodged_for_it(app, evaluated, official, session):
    """A partner shared by two coalitions sees, on each coalition's page, only what was lodged for that one."""
    case, proposals, coalitions, members = evaluated
    awarded(app, evaluated, official)
    session.refresh(case)
    with app.test_request_context():
        lodged = award.lodge_objection(session, case, coalitions[0], actor=members[0], text="Onze score is te laag.")
    session.commit()
    assert award.objections_by(session, case, coalitions[0].id) == [lodged]
    assert award.objections_by(session, case, coalitions[1].id) == []
    assert "Onze score is te laag." in as_(app, members[0]).get(f"/coalitions/{coalitions[0].id}/award").text


def decide_objection(client, case, objection, outcome, motivation):
    page = client.get(f"/cases/{case.id}/award")
    return client.post(
        f"/cases/{case.id}/award/objections/{objection.id}",
        data={"csrf_token": form_token(page), "outcome": outcome, "resolution": motivation},
        follow_redirects=True,
    )


def test_the_award_decider_does_not_decide_objections_and_only_the_owner_negotiates(
    app, evaluated, official, session, make_user
):
    case, proposals, coalitions, members = evaluated
    owner = awarded(app, evaluated, official)
    object_to(as_(app, members[0]), coalitions[0])
    objection = session.exec(select(Objection)).one()
    assert decide_objection(owner, case, objection, "rejected", "Afgewezen.").status_code == 403
    colleague = as_(app, make_user(Role.official))
    assert save_terms(colleague, case).status_code == 403
    assert session.exec(select(Agreement)).all() == [] and session.get(Objection, objection.id).resolved_at is None
    assert as_(app, members[0]).get(f"/cases/{case.id}/award").status_code == 403


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"budget": "600000"}, "may not exceed the budget ceiling"),
        ({"ends_on": "2026-12-31"}, "must end after it starts"),
        ({"budget": "veel"}, "Not a valid decimal value"),
    ],
)
def test_agreement_terms_are_checked(app, evaluated, official, session, overrides, message):
    case, proposals, coalitions, members = evaluated
    owner = awarded(app, evaluated, official)
    assert message in save_terms(owner, case, **overrides).text
    assert session.exec(select(Agreement)).all() == []


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"target_date": "2026-01-01"}, "target date must come after the baseline date"),
        ({"norm_off_track": "44"}, "must lie beyond the “at risk” threshold"),
        ({"baseline_value": "veel"}, "Not a valid decimal value"),
        ({"measured_by": ""}, "This field is required"),
    ],
)
def test_indicators_are_checked(app, evaluated, official, session, overrides, message):
    case, proposals, coalitions, members = evaluated
    owner = awarded(app, evaluated, official)
    save_terms(owner, case)
    assert message in add_indicator(owner, case, **overrides).text
    assert session.exec(select(Indicator)).all() == []


def test_agreement_without_indicators_cannot_be_concluded(app, evaluated, official, session):
    case, proposals, coalitions, members = evaluated
    owner = awarded(app, evaluated, official)
    save_terms(owner, case)
    award.current_decision(session, case).standstill_ends_at = utcnow() - timedelta(minutes=1)
    session.commit()
    assert "The agreement has no outcome indicators yet." in transition(owner, case, "conclude_agreement").text
    add_indicator(owner, case)
    page = owner.get(f"/cases/{case.id}/agreement")
    indicator = session.exec(select(Indicator)).one()
    owner.post(f"/cases/{case.id}/agreement/indicators/{indicator.id}/remove", data={"csrf_token": form_token(page)})
    assert session.exec(select(Indicator)).all() == []


def test_unsuccessful_round_returns_to_articulation_with_its_history(app, opened, official, session):
    case, criteria, proposals, evaluators = opened
    evaluate_all(session, case, criteria, proposals, evaluators, official, requirements=(False, False))
    owner = as_(app, official)
    assert award.eligible(session, case) == []
    assert "No proposal can be awarded yet" in owner.get(f"/cases/{case.id}/award").text
    assert (
        "“Declare unsuccessful” done" in transition(owner, case, "declare_unsuccessful", "Geen voorstel voldoet.").text
    )

    refused = transition(owner, case, "rearticulate", "Nieuwe ronde.")
    assert "Record what must change" in refused.text
    page = owner.get(f"/cases/{case.id}/reconsideration")
    owner.post(
        f"/cases/{case.id}/reconsideration",
        data={
            "csrf_token": form_token(page),
            "changes": ["frameworks", "urgency"],
            "note": "Budget omhoog, langere looptijd.",
        },
    )
    transition(owner, case, "rearticulate", "Nieuwe ronde met ruimer budget.")
    session.expire_all()
    case = session.get(type(case), case.id)
    assert (case.state, case.round) == ("articulation", 2)
    assert scoring.entries(session, case) == []  # the new round starts empty...
    assert (
        len(session.exec(select(Proposal).where(Proposal.case_id == case.id, Proposal.round == 1)).all()) == 2
    )  # ...the first stays
    history = owner.get(f"/cases/{case.id}/reconsideration").text
    assert "Round 1" in history and "Budget omhoog, langere looptijd." in history
    assert [r.changes for r in reconsideration.history(session, case)] == [["frameworks", "urgency"]]


def test_reconsideration_is_the_owners_and_needs_a_change(app, opened, official, session, make_user):
    case, criteria, proposals, evaluators = opened
    case.state = "reconsider"
    session.commit()
    colleague = as_(app, make_user(Role.official))
    page = colleague.get(f"/cases/{case.id}/reconsideration")
    assert (
        colleague.post(
            f"/cases/{case.id}/reconsideration",
            data={"csrf_token": form_token(page), "changes": ["question"], "note": "x"},
        ).status_code
        == 403
    )
    owner = as_(app, official)
    page = owner.get(f"/cases/{case.id}/reconsideration")
    assert (
        "Choose at least one thing that must change."
        in owner.post(
            f"/cases/{case.id}/reconsideration",
            data={"csrf_token": form_token(page), "note": "Iets."},
            follow_redirects=True,
        ).text
    )
    assert reconsideration.history(session, case) == []


def test_award_and_agreement_pages_query_counts_do_not_grow(app, evaluated, official, session, make_user):
    case, proposals, coalitions, members = evaluated
    owner = awarded(app, evaluated, official)
    save_terms(owner, case)

    def counts():
        result = {}
        for path in (f"/cases/{case.id}/award", f"/cases/{case.id}/agreement", f"/coalitions/{coalitions[0].id}/award"):
            client = owner if "/cases/" in path else as_(app, members[0])
            client.get(path)
            with counting_queries(app) as statements:
                assert client.get(path).status_code == 200
            result[path] = len(statements)
        return result

    before = counts()
    for i in range(5):
        add_indicator(owner, case, name=f"Indicator {i}")
        object_to(as_(app, members[0]), coalitions[0], text=f"Bezwaar {i}")
    assert counts() == before


def test_budget_defaults_to_the_winning_price(app, evaluated, official):
    case, proposals, coalitions, members = evaluated
    owner = awarded(app, evaluated, official)
    assert proposals[1].price == Decimal("200000")
    assert 'value="200000.00"' in owner.get(f"/cases/{case.id}/agreement").text


def test_award_phase_pages_are_labelled_and_have_one_h1(app, evaluated, official, session):
    case, proposals, coalitions, members = evaluated
    owner = awarded(app, evaluated, official)
    member = as_(app, members[0])
    object_to(member, coalitions[0])
    save_terms(owner, case)
    add_indicator(owner, case)
    letter = session.exec(select(AwardLetter).where(AwardLetter.coalition_id == coalitions[0].id)).one()
    problems = {
        path: audit(owner, path)
        for path in (
            f"/cases/{case.id}/award",
            f"/cases/{case.id}/agreement",
            f"/cases/{case.id}/award/letters/{letter.id}",
            f"/cases/{case.id}/agreement/document",
        )
    }
    problems[f"member /coalitions/{coalitions[0].id}/award"] = audit(member, f"/coalitions/{coalitions[0].id}/award")
    assert {path: found for path, found in problems.items() if found} == {}
