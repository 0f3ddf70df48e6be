"""Notifications: who is told what, at once or not at all, in which language; the inbox; the unsubscribe link;
and that a sealed notification (a receipt) reaches only the coalition that submitted."""

from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from sqlmodel import select

from tendering.demo import journeys
from tendering.models import (
    Notification,
    NotificationPreference,
    Organisation,
    OrganisationKind,
    OutboxMessage,
    Role,
    User,
)
from tendering.notifications import Kind, preferences
from tendering.notifications.kinds import DIGEST, IMMEDIATELY, KINDS, OFF, kinds_for
from tendering.notifications.service import unsubscribe_token
from tendering.parties.proposals import draft_for
from tendering.procurement import award, tender_box
from tendering.question import clarifications, following, question_document

from .conftest import form_token
from .evaluation_helpers import as_
from .seal_helpers import BIDDERS, to_stage
from .test_award import awarded
from .test_progress import respond, send
from .test_query_counts import counting_queries

QUESTION = journeys.Question(
    title="Samen tegen eenzaamheid",
    question="Wie helpt ons om eenzaamheid onder ouderen in de wijk te verminderen?",
    theme="Zorg",
    budget_ceiling=Decimal("500000"),
    outcome="Minder ouderen voelen zich eenzaam.",
    stakeholders=["Ouderenbond", "Buurthuis", "Voedselbank"],
)


def publish_tender(session, official, question=QUESTION):
    case = journeys.publish(session, official, question, min_partners=1)
    session.commit()
    return case


def volunteer_maker(session, make_user):
    def make(name="Vera Vrijwilliger", email="vera@buurtkracht.example", language=None):
        org = Organisation(name=f"Buurtkracht van {name}", kind=OrganisationKind.resident_initiative)
        session.add(org)
        session.commit()
        user = make_user(Role.coalition_member, name=name, email=email, org=org)
        if language:
            user.language = language
            session.add(user)
            session.commit()
        return user

    return make


@pytest.fixture
def tender(session, official):
    return publish_tender(session, official)


@pytest.fixture
def make_volunteer(session, make_user):
    return volunteer_maker(session, make_user)


@pytest.fixture
def volunteer(make_volunteer):
    return make_volunteer()


def mails_to(session, address) -> list[OutboxMessage]:
    session.expire_all()
    return list(
        session.exec(select(OutboxMessage).where(OutboxMessage.to_address == address).order_by(OutboxMessage.id)).all()
    )


def notifications_of(session, user) -> list[Notification]:
    session.expire_all()
    return list(session.exec(select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)))


def answer_and_amend(session, case, official, asker, note="De bijlage met wijkcijfers is aangevuld."):
    asked = clarifications.ask(
        session, case, actor=asker, question="Mogen vrijwilligersorganisaties samen inschrijven?"
    )
    clarifications.answer(session, case, asked, actor=official, text="Ja, als coalitie met een penvoerder.")
    clarifications.publish_nota(session, case, actor=official)
    question_document.publish_amendment(session, case, actor=official, note=note)
    session.commit()


def digest_for(session, user, *kinds) -> None:
    preferences.save(session, user, modes={kind: DIGEST for kind in kinds}, language=None)
    session.commit()


# Who is told, and how --------------------------------------------------------------------------------------------


def test_a_follower_is_told_of_answers_and_amendments_at_once_by_default(session, tender, official, volunteer):
    following.follow(session, volunteer, tender)
    session.commit()
    answer_and_amend(session, tender, official, volunteer)
    subjects = [m.subject for m in mails_to(session, volunteer.email)]
    assert len(subjects) == 2
    # The answers in the install's language (English in the tests), the amendment in the question document's
    assert "nota van inlichtingen 1" in subjects[0] and subjects[1].startswith("Wijziging 1 van")
    rows = notifications_of(session, volunteer)
    assert [r.kind for r in rows] == [Kind.answers.value, Kind.amendment.value]
    assert all(r.mailed_at is not None and not r.digest and r.case_id == tender.id for r in rows)
    session.refresh(volunteer)
    assert volunteer.unread_notifications == 2


def test_who_neither_follows_nor_asked_is_not_told(session, tender, official, volunteer, make_volunteer):
    stranger = make_volunteer("Sam Vreemd", "sam@elders.example")
    answer_and_amend(session, tender, official, volunteer)  # the volunteer asked: told of the answers only
    assert [n.kind for n in notifications_of(session, volunteer)] == [Kind.answers.value]
    assert notifications_of(session, stranger) == [] and mails_to(session, stranger.email) == []


def test_with_a_daily_digest_nothing_is_mailed_at_once(session, tender, official, volunteer):
    following.follow(session, volunteer, tender)
    digest_for(session, volunteer, Kind.answers, Kind.amendment)
    answer_and_amend(session, tender, official, volunteer)
    assert mails_to(session, volunteer.email) == []
    rows = notifications_of(session, volunteer)
    assert len(rows) == 2 and all(r.digest and r.mailed_at is None and r.digested_at is None for r in rows)


def test_off_means_neither_mail_nor_inbox(session, tender, official, volunteer):
    following.follow(session, volunteer, tender)
    preferences.save(session, volunteer, modes={Kind.amendment: OFF}, language=None)
    session.commit()
    question_document.publish_amendment(session, tender, actor=official, note="Een kleine correctie.")
    session.commit()
    assert mails_to(session, volunteer.email) == [] and notifications_of(session, volunteer) == []


def test_a_mandatory_kind_cannot_be_turned_off_or_delayed(session, volunteer):
    for mode in (OFF, DIGEST):
        with pytest.raises(Exception, match="cannot be turned off"):
            preferences.save(session, volunteer, modes={Kind.receipt: mode}, language=None)
        session.rollback()
    assert session.exec(select(NotificationPreference)).all() == []
    assert {k for k, info in KINDS.items() if info.mandatory} >= {Kind.receipt, Kind.award_letter}


# Sealed: the receipt ----------------------------------------------------------------------------------------------


def test_a_receipt_is_mailed_at_once_even_to_who_turned_everything_off_and_to_nobody_else(session, sealed):
    lead = sealed.users["zilvermeeuw"]
    optional = {kind: OFF for kind, info in KINDS.items() if not info.mandatory}
    preferences.save(session, lead, modes=optional, language=None)
    session.commit()
    before = {m.id for m in session.exec(select(OutboxMessage)).all()}
    coalition, case = sealed.coalitions["zilvermeeuw"], sealed.case
    draft = draft_for(session, coalition, case)
    draft.approach += " Aangevuld met een buurtkamer."
    session.add(draft)
    session.commit()
    tender_box.submit(session, draft, coalition, case, actor=lead)  # a new version: a new receipt
    session.commit()
    new = [m for m in session.exec(select(OutboxMessage)).all() if m.id not in before]
    assert [(m.to_address, m.sealed) for m in new] == [(lead.email, True)]
    assert new[0].subject.startswith("Receipt for your proposal") and new[0].list_unsubscribe == ""


def test_another_coalition_never_gets_a_receipt_nor_learns_who_bid(session, sealed):
    others = [sealed.users[k] for k in ("kraanvogel", "kraanvogel_partner")]
    bystanders = [sealed.users[k] for k in ("outsider", "council_member", "admin", "official", "evaluator", "owner")]
    rows = session.exec(select(Notification)).all()
    receipts = [r for r in rows if r.kind == Kind.receipt.value]
    assert {r.user_id for r in receipts} == {sealed.users["zilvermeeuw"].id, sealed.users["kraanvogel"].id}
    assert all(r.sealed for r in receipts)
    for user in others:  # what Kraanvogel's people were told names no other bidder
        told = [r.subject + r.text for r in rows if r.user_id == user.id]
        told += [m.subject + m.body + m.html_body for m in mails_to(session, user.email)]
        assert told and not any(marker in text for text in told for marker in sealed.markers["zilvermeeuw"])
    for user in bystanders:  # and nobody outside the coalitions hears anything sealed
        assert not [r for r in rows if r.user_id == user.id and r.sealed]
        assert not [m for m in mails_to(session, user.email) if m.sealed]


# Unsubscribe ------------------------------------------------------------------------------------------------------


def test_the_one_click_unsubscribe_link_turns_that_kind_off(client, session, tender, official, volunteer):
    following.follow(session, volunteer, tender)
    session.commit()
    question_document.publish_amendment(session, tender, actor=official, note="Eerste aanvulling.")
    session.commit()
    (message,) = mails_to(session, volunteer.email)
    assert message.list_unsubscribe and message.list_unsubscribe in message.body
    assert message.list_unsubscribe in message.html_body
    path = urlsplit(message.list_unsubscribe).path
    page = client.get(path)
    assert page.status_code == 200 and "Amendments to a tender" in page.text
    assert session.exec(select(NotificationPreference)).all() == []  # opening the link changes nothing
    done = client.post(path)  # RFC 8058: the mail client's POST carries no CSRF token
    assert done.status_code == 200 and "You no longer receive these mails." in done.text
    session.expire_all()
    assert preferences.modes_of(session, volunteer)[Kind.amendment] == OFF
    assert preferences.modes_of(session, volunteer)[Kind.answers] == IMMEDIATELY
    question_document.publish_amendment(session, tender, actor=official, note="Tweede aanvulling.")
    session.commit()
    assert len(mails_to(session, volunteer.email)) == 1


def test_a_tampered_or_mandatory_unsubscribe_link_is_refused(client, session, app, volunteer):
    with app.app_context():
        good = unsubscribe_token(volunteer, Kind.amendment.value)
        mandatory = unsubscribe_token(volunteer, Kind.receipt.value)
        other = unsubscribe_token(volunteer, "no_such_kind")
    payload, signature = good.rsplit(".", 1)  # change the signature's first character: its last one is part padding
    tampered = f"{payload}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"
    for token in (tampered, mandatory, other, "nonsense"):
        assert client.get(f"/notifications/unsubscribe/{token}").status_code == 404
        assert client.post(f"/notifications/unsubscribe/{token}").status_code == 404
    assert session.exec(select(NotificationPreference)).all() == []


# Preferences page -------------------------------------------------------------------------------------------------


def test_the_settings_page_saves_modes_and_language_and_refuses_off_for_a_receipt(
    client, session, logged_in, volunteer
):
    logged_in(volunteer)
    page = client.get("/notifications/settings")
    assert page.status_code == 200 and "this cannot be turned off" in page.text
    data = {"csrf_token": form_token(page), "language": "en"}
    data |= {f"mode_{kind.value}": IMMEDIATELY for kind in KINDS}
    data |= {"mode_answers": DIGEST, "mode_amendment": OFF}
    assert client.post("/notifications/settings", data=data).status_code == 302
    session.expire_all()
    modes = preferences.modes_of(session, volunteer)
    assert modes[Kind.answers] == DIGEST and modes[Kind.amendment] == OFF
    assert session.get(User, volunteer.id).language == "en"
    refused = client.post("/notifications/settings", data=data | {"mode_receipt": OFF, "mode_answers": OFF})
    assert refused.status_code == 400
    session.expire_all()
    assert preferences.modes_of(session, volunteer)[Kind.answers] == DIGEST  # nothing changed
    no_token = {k: v for k, v in data.items() if k != "csrf_token"}
    assert client.post("/notifications/settings", data=no_token | {"mode_answers": OFF}).status_code == 400
    session.expire_all()
    assert preferences.modes_of(session, volunteer)[Kind.answers] == DIGEST


@pytest.mark.parametrize(
    ("role", "offered", "not_offered"),
    [
        (Role.official, {Kind.objection, Kind.standstill_end, Kind.answers}, {Kind.receipt, Kind.coalition_invitation}),
        (Role.council_member, {Kind.publication, Kind.deadline_reminder}, {Kind.receipt, Kind.objection}),
    ],
)
def test_the_settings_offer_only_the_kinds_a_role_is_ever_sent(
    client, session, logged_in, make_user, role, offered, not_offered
):
    user = make_user(role)
    logged_in(user)
    page = client.get("/notifications/settings")
    assert all(f'name="mode_{kind.value}"' in page.text for kind in offered)
    assert not any(f'name="mode_{kind.value}"' in page.text for kind in not_offered)
    data = {"csrf_token": form_token(page), "language": "nl"}
    data |= {f"mode_{kind.value}": IMMEDIATELY for kind in kinds_for(role)}
    data |= {f"mode_{kind.value}": DIGEST for kind in offered}
    assert client.post("/notifications/settings", data=data).status_code == 302  # what is not offered is not asked
    session.expire_all()
    assert all(preferences.modes_of(session, user)[kind] == DIGEST for kind in offered)


def test_the_inbox_and_settings_need_a_login(client):
    for path in ("/notifications/", "/notifications/settings"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


# The inbox -------------------------------------------------------------------------------------------------------


def test_the_inbox_shows_unread_and_marks_read(client, session, logged_in, tender, official, volunteer, make_volunteer):
    following.follow(session, volunteer, tender)
    session.commit()
    answer_and_amend(session, tender, official, volunteer)
    logged_in(volunteer)
    page = client.get("/notifications/")
    assert page.status_code == 200
    assert 'id="notifications-link">Notifications <span class="app-badge">2' in page.text
    assert "Wijziging 1 van" in page.text and page.text.count("Mark as read") == 2
    first, second = notifications_of(session, volunteer)
    response = client.post(f"/notifications/{first.id}/read", data={"csrf_token": form_token(page)})
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Notification, first.id).read_at is not None
    assert session.get(User, volunteer.id).unread_notifications == 1
    assert client.post(f"/notifications/{second.id}/read").status_code in (400, 302)  # no token: nothing changes
    assert session.get(Notification, second.id).read_at is None
    page = client.get("/notifications/")
    assert client.post("/notifications/read-all", data={"csrf_token": form_token(page)}).status_code == 302
    session.expire_all()
    assert session.get(Notification, second.id).read_at is not None
    assert session.get(User, volunteer.id).unread_notifications == 0
    assert "app-badge" not in client.get("/notifications/").text


def test_one_cannot_mark_or_see_another_s_notifications(
    client, session, logged_in, tender, official, volunteer, make_volunteer
):
    following.follow(session, volunteer, tender)
    session.commit()
    question_document.publish_amendment(session, tender, actor=official, note="Aanvulling voor Vera.")
    session.commit()
    (theirs,) = notifications_of(session, volunteer)
    other = make_volunteer("Otto Ander", "otto@ander.example")
    logged_in(other)
    page = client.get("/notifications/")
    assert "Aanvulling voor Vera" not in page.text and "You have no notifications yet." in page.text
    assert client.post(f"/notifications/{theirs.id}/read", data={"csrf_token": form_token(page)}).status_code == 404
    session.expire_all()
    assert session.get(Notification, theirs.id).read_at is None


def test_the_inbox_runs_the_same_queries_whatever_the_number_of_notifications(
    app, client, session, logged_in, volunteer
):
    logged_in(volunteer)

    def add(count):
        session.add_all(
            Notification(user_id=volunteer.id, kind="amendment", subject=f"Bericht {i}", text="Tekst")
            for i in range(count)
        )
        session.commit()

    def queries():
        client.get("/notifications/")
        with counting_queries(app) as statements:
            assert client.get("/notifications/").status_code == 200
        return len(statements)

    add(3)
    small = queries()
    add(80)
    assert queries() == small
    page = client.get("/notifications/?page=2")
    assert "Page 2 of 4" in page.text


def test_the_unread_count_in_the_header_costs_no_query(app, client, session, logged_in, volunteer):
    logged_in(volunteer)
    with counting_queries(app) as statements:
        client.get("/")
    without = len(statements)
    volunteer.unread_notifications = 5
    session.add(volunteer)
    session.commit()
    with counting_queries(app) as statements:
        page = client.get("/")
    assert len(statements) == without and '<span class="app-badge">5' in page.text


# Language --------------------------------------------------------------------------------------------------------


def test_each_recipient_is_written_to_in_their_own_language(session, tender, official, make_volunteer):
    english = make_volunteer("Emma English", "emma@example.org", language="en")
    dutch = make_volunteer("Daan Dutch", "daan@example.org", language="nl")
    unset = make_volunteer("Nina Nog", "nina@example.org")
    for user in (english, dutch, unset):
        following.follow(session, user, tender)
    session.commit()
    question_document.publish_amendment(session, tender, actor=official, note="Nieuwe bijlage.")
    session.commit()
    (to_english,) = mails_to(session, english.email)
    (to_dutch,) = mails_to(session, dutch.email)
    (to_unset,) = mails_to(session, unset.email)
    assert to_english.subject.startswith("Amendment 1 to") and "The municipality has amended" in to_english.body
    assert '<html lang="en">' in to_english.html_body and "Stop mails of this kind" in to_english.html_body
    assert '<html lang="nl">' in to_dutch.html_body
    assert '<html lang="nl">' in to_unset.html_body  # no choice: the language of the question document
    assert to_dutch.subject == to_unset.subject


# Events that did not notify before -----------------------------------------------------------------------------


def test_each_bidder_is_told_of_the_opening_on_its_own(session, sealed):
    to_stage(session, sealed, "opened")
    rows = [r for r in session.exec(select(Notification)).all() if r.kind == Kind.opening.value]
    bidders = {sealed.users[k].id for k in ("zilvermeeuw", "zilvermeeuw_partner", "kraanvogel", "kraanvogel_partner")}
    assert {r.user_id for r in rows} == bidders and all(r.sealed for r in rows)
    for row in rows:  # the same words for everyone: nothing names a bidder
        assert not any(marker in row.subject + row.text for key in BIDDERS for marker in sealed.markers[key])


def test_the_reporting_coalition_is_told_of_questions_on_its_progress_report(app, realised, session, official):
    member, owner = as_(app, realised.member), as_(app, official)
    send(member, realised)
    respond(owner, realised, "questions", "Hoe bereikt u de bewoners van Noord?")
    (told,) = [n for n in notifications_of(session, realised.member) if n.kind == Kind.report_response.value]
    assert told.subject.startswith("Questions on your progress report") and "bewoners van Noord" in told.text
    assert [n for n in notifications_of(session, official) if n.kind == Kind.report_response.value] == []


def test_the_award_letter_is_mandatory_and_an_objection_reaches_the_case_s_official(app, evaluated, official, session):
    case, proposals, coalitions, members = evaluated
    preferences.save(
        session, members[0], modes={k: OFF for k, info in KINDS.items() if not info.mandatory}, language=None
    )
    session.commit()
    awarded(app, evaluated, official)
    letters = [n for n in notifications_of(session, members[0]) if n.kind == Kind.award_letter.value]
    assert len(letters) == 1 and letters[0].mailed_at is not None
    session.refresh(case)
    with app.test_request_context():
        award.lodge_objection(session, case, coalitions[0], actor=members[0], text="Onze score is te laag.")
    session.commit()
    (told,) = [n for n in notifications_of(session, official) if n.kind == Kind.objection.value]
    assert told.subject.startswith("New objection to the award") and coalitions[0].name in told.text
    assert [n for n in notifications_of(session, members[1]) if n.kind == Kind.objection.value] == []
