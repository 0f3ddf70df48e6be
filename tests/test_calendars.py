"""iCalendar feeds, parsed back with the icalendar library: a tender's public feed and a user's private one."""

import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from flask_babel import force_locale, get_locale, gettext
from icalendar import Calendar
from sqlmodel import select

from tendering.core.i18n import localdate
from tendering.models import AuditEvent, CalendarToken, QuestionDocument
from tendering.question import calendars, following, question_document
from tendering.question.tender_setup import set_procedure

from .conftest import form_token, login
from .monitoring_helpers import add_realised
from .test_query_counts import counting_queries

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def parse(response):
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.data)


def events(calendar):
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def by_category(calendar, kind):
    found = [e for e in calendar.walk("VEVENT") if str(e["CATEGORIES"].cats[0]) == kind]
    assert len(found) == 1, (kind, found)
    return found[0]


def feed_address(client, user, language=None):
    """Log in, make an address on the account page, and log out again: the address is all a calendar app has."""
    login(client, user)
    if language:
        client.get(f"/language/{language}")
    page = client.get("/account/calendar")
    renewed = client.post("/account/calendar/renew", data={"csrf_token": form_token(page)})
    assert renewed.status_code == 302  # to the page, so a reload shows the address no more and makes no other
    response = client.get(renewed.location)
    assert response.headers["Cache-Control"] == "no-store"
    address = re.search(r'id="calendar-url"[^>]*value="([^"]+)"', response.text).group(1)
    assert 'id="calendar-url"' not in client.get("/account/calendar").text  # shown once
    client.post("/logout", data={"csrf_token": form_token(client.get("/account/calendar"))})
    client.delete_cookie("session")
    return address.removeprefix("http://localhost")


def test_a_published_tender_s_public_feed(client, sealed):
    case = sealed.case
    response = client.get(f"/tenders/{case.reference}/calendar.ics")
    calendar = parse(response)
    assert response.headers["ETag"] and "public" in response.headers["Cache-Control"]
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Amsterdam"]
    submission = by_category(calendar, "submission")
    assert str(submission["UID"]) == f"submission-{case.id}@deadlines.maatschappelijk-aanbesteden"
    assert submission["DTSTART"].params["TZID"] == "Europe/Amsterdam"
    assert submission.decoded("DTSTART") == case.submission_deadline.replace(microsecond=0)
    assert {str(e["CATEGORIES"].cats[0]) for e in calendar.walk("VEVENT")} == {"clarification", "submission", "opening"}
    assert f"/tenders/{case.reference}" in str(submission["DESCRIPTION"])
    # Asked again with the ETag: nothing changed, nothing sent.
    again = client.get(f"/tenders/{case.reference}/calendar.ics", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert "Set-Cookie" not in response.headers


def test_an_amendment_replaces_the_event_with_the_right_wall_clock_time(app, client, session, sealed, official):
    case = sealed.case
    before = by_category(parse(client.get(f"/tenders/{case.reference}/calendar.ics")), "submission")
    summer = datetime(case.submission_deadline.year + 1, 7, 1, 12, 0, tzinfo=timezone.utc)  # 14:00 in summer time
    set_procedure(
        session,
        case,
        actor=official,
        clarification_deadline=case.clarification_deadline,
        submission_deadline=summer,
        min_partners=case.min_partners,
        amendment_note="De termijn is verschoven naar de zomer.",
    )
    session.commit()
    calendar = parse(client.get(f"/tenders/{case.reference}/calendar.ics"))
    after = by_category(calendar, "submission")
    assert str(after["UID"]) == str(before["UID"])
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 1
    assert after.decoded("LAST-MODIFIED") >= before.decoded("LAST-MODIFIED")  # the same second here
    assert after.decoded("DTSTAMP") == after.decoded("LAST-MODIFIED")
    assert b"DTSTART;TZID=Europe/Amsterdam:" + f"{summer.year}0701T140000".encode() in after.to_ical()
    assert after.decoded("DTSTART").astimezone(timezone.utc) == summer
    assert len(calendar.walk("VEVENT")) == 3  # moved, not added


def test_no_feed_for_a_tender_not_published(client, make_case):
    case = make_case(state="coalition_forming")
    assert client.get(f"/tenders/{case.reference}/calendar.ics").status_code == 404
    assert client.get("/tenders/NOPE-1/calendar.ics").status_code == 404


def test_the_private_feed_needs_its_token_and_no_login(app, session, sealed):
    client = app.test_client()
    zilver = sealed.users["zilvermeeuw"]
    address = feed_address(client, zilver)
    token = address.removeprefix("/calendar/").removesuffix(".ics")
    stored = session.exec(select(CalendarToken).where(CalendarToken.user_id == zilver.id)).one()
    assert stored.token_sha256 == calendars.hash_token(token) and token not in stored.token_sha256
    response = app.test_client().get(address)  # a fresh client: no cookie at all
    calendar = parse(response)
    assert "Set-Cookie" not in response.headers and "private" in response.headers["Cache-Control"]
    assert {str(e["CATEGORIES"].cats[0]) for e in calendar.walk("VEVENT")} == {"clarification", "submission", "opening"}
    assert app.test_client().get("/calendar/not-a-token.ics").status_code == 404
    assert app.test_client().get(address.replace(token[:4], "AAAA")).status_code == 404
    actions = session.exec(select(AuditEvent.action).where(AuditEvent.actor_id == zilver.id)).all()
    assert "calendar_feed_created" in actions


def test_a_revoked_or_renewed_address_is_gone(app, session, sealed):
    client = app.test_client()
    zilver = sealed.users["zilvermeeuw"]
    first = feed_address(client, zilver)
    second = feed_address(client, zilver)  # renewed: the first stops working
    assert app.test_client().get(first).status_code == 404
    assert app.test_client().get(second).status_code == 200
    login(client, zilver)
    page = client.get("/account/calendar")
    assert 'id="calendar-active"' in page.text and second.split("/")[-1] not in page.text  # never shown again
    response = client.post("/account/calendar/revoke", data={"csrf_token": form_token(page)})
    assert response.status_code == 302
    assert app.test_client().get(second).status_code == 404
    assert 'id="calendar-none"' in client.get("/account/calendar").text


def test_the_feed_of_a_blocked_user_is_gone(app, session, sealed):
    client = app.test_client()
    zilver = sealed.users["zilvermeeuw"]
    address = feed_address(client, zilver)
    zilver.active = False
    session.add(zilver)
    session.commit()
    assert app.test_client().get(address).status_code == 404


def test_a_coalition_member_s_feed_has_their_own_cases_only(app, session, sealed, make_case, make_user, official):
    realised = add_realised(session, make_case, make_user, official, title="Vitale wijk", coalition_name="Anders")
    client = app.test_client()
    feeds = {key: app.test_client().get(feed_address(client, sealed.users[key])).text for key in ("zilvermeeuw",)}
    feeds["realised"] = app.test_client().get(feed_address(client, realised.member)).text
    feeds["outsider"] = app.test_client().get(feed_address(client, sealed.users["outsider"])).text
    feeds["public"] = app.test_client().get(f"/tenders/{sealed.case.reference}/calendar.ics").text
    assert "Gelukkig oud" in feeds["zilvermeeuw"] and "Vitale wijk" not in feeds["zilvermeeuw"]
    assert "Vitale wijk" in feeds["realised"] and "Gelukkig oud" not in feeds["realised"]
    assert "VEVENT" not in feeds["outsider"]
    for text in feeds.values():
        for key, markers in sealed.markers.items():
            for marker in markers[:4] + [sealed.coalitions[key].name]:  # who bid and what: never in a feed
                assert marker not in text


def test_the_feed_speaks_the_language_it_was_made_in(app, session, sealed, monkeypatch):
    client = app.test_client()
    address = feed_address(client, sealed.users["zilvermeeuw"], language="nl")
    held = session.exec(select(CalendarToken).where(CalendarToken.revoked_at.is_(None))).one()
    assert held.language == "nl"
    seen = []
    monkeypatch.setattr(calendars, "render", lambda found, name: seen.append(str(get_locale())) or b"")
    app.test_client().get(address, headers={"Accept-Language": "en"})  # a calendar app that prefers English
    assert seen == ["nl"]


def test_the_feed_reads_a_fixed_number_of_queries(app, session, sealed, make_case, make_user, official):
    """The owner's feed: a published tender and a case in realisation, then three more in realisation."""
    add_realised(session, make_case, make_user, official, title="Vraag 0", coalition_name="C0")
    address = feed_address(app.test_client(), official)
    with counting_queries(app) as few:
        small = Calendar.from_ical(app.test_client().get(address).data)
    for i in range(1, 4):
        add_realised(session, make_case, make_user, official, title=f"Vraag {i}", coalition_name=f"C{i}")
    with counting_queries(app) as many:
        large = Calendar.from_ical(app.test_client().get(address).data)
    assert len(large.walk("VEVENT")) > len(small.walk("VEVENT")) > 3
    assert len(many) == len(few), (len(few), len(many))


def test_an_official_s_feed_has_their_cases_and_a_council_member_s_what_they_follow(app, session, sealed):
    client = app.test_client()
    feed = Calendar.from_ical(app.test_client().get(feed_address(client, sealed.users["owner"])).data)
    assert len(feed.walk("VEVENT")) == 3
    council = sealed.users["council_member"]
    address = feed_address(client, council)
    assert Calendar.from_ical(app.test_client().get(address).data).walk("VEVENT") == []
    following.follow(session, council, sealed.case)
    session.commit()
    assert len(Calendar.from_ical(app.test_client().get(address).data).walk("VEVENT")) == 3


def local_minute(moment):
    return moment.astimezone(AMSTERDAM).strftime("%Y-%m-%dT%H:%M")


def post_procedure(client, case, expected_award_on, note):
    """The owner's procedure form, as the workbench sends it: the deadlines as shown, the expected award date."""
    token = form_token(client.get(f"/cases/{case.id}/tender"))
    return client.post(
        f"/cases/{case.id}/procedure",
        data={
            "csrf_token": token,
            "clarification_deadline": local_minute(case.clarification_deadline),
            "submission_deadline": local_minute(case.submission_deadline),
            "expected_award_on": expected_award_on.isoformat() if expected_award_on else "",
            "min_partners": str(case.min_partners),
            "standstill_days": str(case.standstill_days),
            "amendment_note": note,
        },
        follow_redirects=True,
    )


def test_the_expected_award_is_set_shown_and_an_all_day_event_of_the_feed(app, client, session, sealed, official):
    case = sealed.case
    day = case.submission_deadline.astimezone(AMSTERDAM).date() + timedelta(days=14)
    login(client, official)
    response = post_procedure(client, case, day, "De verwachte gunningsdatum is bekend.")
    assert response.status_code == 200 and "The procedure is saved." in response.text
    session.refresh(case)
    assert case.expected_award_on == day
    public = client.get(f"/tenders/{case.reference}").text
    with app.test_request_context():
        shown = localdate(day)
        with force_locale(question_document.DOCUMENT_LOCALE):
            written, label = localdate(day), gettext("Expected award:")  # the document is in Dutch
    assert 'id="expected-award"' in public and "Expected award" in public and shown in public
    document = client.get(f"/tenders/{case.reference}/document").text  # the amendment's version 2, frozen
    assert label in document and written in document
    calendar = parse(client.get(f"/tenders/{case.reference}/calendar.ics"))
    expected = by_category(calendar, "expected_award")
    assert str(expected["UID"]) == f"expected_award-{case.id}@deadlines.maatschappelijk-aanbesteden"
    assert str(expected["SUMMARY"]) == f"Expected award: {case.title}"
    assert expected.decoded("DTSTART") == day and expected.decoded("DTEND") == day + timedelta(days=1)
    assert b"DTSTART;VALUE=DATE:" + day.strftime("%Y%m%d").encode() in expected.to_ical()
    assert f"/tenders/{case.reference}" in str(expected["DESCRIPTION"])
    # A follower's own feed has it too.
    follower = sealed.users["council_member"]
    following.follow(session, follower, case)
    session.commit()
    client.delete_cookie("session")
    mine = parse(client.get(feed_address(client, follower)))
    assert by_category(mine, "expected_award").decoded("DTSTART") == day


def test_a_moved_expected_award_keeps_its_uid_and_raises_the_sequence_in_the_feed(client, session, sealed, official):
    case = sealed.case
    first = case.submission_deadline.astimezone(AMSTERDAM).date() + timedelta(days=14)
    login(client, official)
    post_procedure(client, case, first, "De verwachte gunningsdatum is bekend.")
    before = by_category(parse(client.get(f"/tenders/{case.reference}/calendar.ics")), "expected_award")
    post_procedure(client, case, first + timedelta(days=7), "De gunning wordt een week later verwacht.")
    calendar = parse(client.get(f"/tenders/{case.reference}/calendar.ics"))
    after = by_category(calendar, "expected_award")
    assert str(after["UID"]) == str(before["UID"])
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 1
    assert after.decoded("DTSTART") == first + timedelta(days=7)
    assert len(calendar.walk("VEVENT")) == 4  # moved, not added


def test_an_expected_award_before_the_submission_deadline_is_refused_and_nothing_changes(
    client, session, sealed, official
):
    case = sealed.case
    feed = client.get(f"/tenders/{case.reference}/calendar.ics").data
    versions = len(session.exec(select(QuestionDocument).where(QuestionDocument.case_id == case.id)).all())
    login(client, official)
    day = case.submission_deadline.astimezone(AMSTERDAM).date() - timedelta(days=1)
    response = post_procedure(client, case, day, "Eerder gunnen.")
    assert "The expected award date must fall after the day of the submission deadline." in response.text
    session.refresh(case)
    assert case.expected_award_on is None
    assert len(session.exec(select(QuestionDocument).where(QuestionDocument.case_id == case.id)).all()) == versions
    client.delete_cookie("session")
    assert client.get(f"/tenders/{case.reference}/calendar.ics").data == feed
