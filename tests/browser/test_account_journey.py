"""A coalition member's own account, in a real browser: a forgotten password reset through the mailed link, a
published tender followed from its public page, one kind of notification moved to the daily digest, a
notification marked read in the inbox, and a private calendar feed made and downloaded."""

import re
from pathlib import Path

from icalendar import Calendar
from playwright.sync_api import Error, expect
from sqlmodel import select

from tendering.models import OutboxMessage
from tendering.notifications.kinds import DIGEST
from tendering.question import question_document
from tests.test_notifications import QUESTION, publish_tender, volunteer_maker

from .test_elderly_question_journey import log_in

NEW_PASSWORD = "lantaarn kievit boomgaard spinnewiel"
SHOTS = Path("/tmp/shots")


def mails_to(session, address) -> list[OutboxMessage]:
    session.expire_all()
    return list(
        session.exec(select(OutboxMessage).where(OutboxMessage.to_address == address).order_by(OutboxMessage.id))
    )


WIDER_THAN_THE_SCREEN = """() => {
    const width = document.documentElement.clientWidth;
    const scroll = document.documentElement.scrollWidth - width;
    if (scroll <= 0) return [];
    const wide = (e) => e.getBoundingClientRect().right > width + 0.5;
    // The innermost elements past the screen's edge, farthest first: the culprits, not the ancestors they widen.
    const culprits = [...document.querySelectorAll("body *")]
        .filter((e) => wide(e) && ![...e.children].some(wide))
        .sort((a, b) => b.getBoundingClientRect().right - a.getBoundingClientRect().right)
        .slice(0, 3)
        .map((e) => `${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}${e.className ? "." + e.className : ""}`
            + ` "${e.textContent.replace(/\\s+/g, " ").trim().slice(0, 40)}" to ${Math.round(e.getBoundingClientRect().right)} px`);
    return [`${scroll} px`, ...culprits];
}"""


def look_at(page, name: str, sideways: list[str]) -> None:
    """A screenshot at 1280 px (outside the repository); at 375 px, what sticks out sideways goes into `sideways`."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    page.set_viewport_size({"width": 375, "height": 800})
    wider = page.evaluate(WIDER_THAN_THE_SCREEN)
    if wider:
        page.screenshot(path=str(SHOTS / f"{name}_375.png"), full_page=True)
        sideways.append(f"{name} ({page.url}): {', '.join(wider)}")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_member_resets_the_password_follows_a_tender_and_keeps_up_to_date(
    live_server, page, browser, session, make_user, official
):
    tender = publish_tender(session, official)
    sideways: list[str] = []
    member = volunteer_maker(session, make_user)()

    # A forgotten password: the link arrives by mail, the new password works.
    page.goto(f"{live_server}/login")
    page.get_by_role("link", name="Forgot your password?").click()
    look_at(page, "forgot_password", sideways)
    page.get_by_label("E-mail address").fill(member.email)
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Check your e-mail")
    look_at(page, "forgot_password_sent", sideways)
    (mail,) = mails_to(session, member.email)
    link = re.search(r"https?://\S+(/password/reset/\S+)", mail.body).group(1)
    page.goto(live_server + link)
    look_at(page, "reset_password", sideways)
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Repeat the password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set the new password").click()
    expect(page.get_by_text("Your new password is set")).to_be_visible()
    look_at(page, "login_after_reset", sideways)
    page.get_by_label("E-mail address").fill(member.email)
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.locator("main").get_by_role("button", name="Log in").click()
    expect(page.get_by_text(f"You are logged in as {member.name}.")).to_be_visible()

    # Following the published tender from its public page.
    page.goto(live_server)
    page.get_by_role("link", name=QUESTION.title).first.click()
    page.get_by_role("button", name="Follow this tender").click()
    expect(page.get_by_role("status")).to_contain_text("You follow this tender")
    expect(page.get_by_role("button", name="Stop following this tender")).to_be_visible()
    look_at(page, "tender_followed", sideways)

    # One kind to the daily digest.
    page.goto(f"{live_server}/notifications/settings")
    answers = page.get_by_label("Answers to clarification questions (nota van inlichtingen)")
    answers.select_option(label="In a daily digest")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Your notification settings are saved.")).to_be_visible()
    expect(answers).to_have_value(DIGEST)
    look_at(page, "notification_settings", sideways)

    # An amendment reaches the follower at once (amendments stayed "immediately"); marked read in the inbox.
    question_document.publish_amendment(
        session, tender, actor=official, note="De bijlage met wijkcijfers is aangevuld."
    )
    session.commit()
    page.reload()
    page.get_by_role("link", name="Notifications 1 unread").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    entry = page.locator("#notifications li")
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text("Unread")
    look_at(page, "inbox_unread", sideways)
    entry.get_by_role("button", name="Mark as read").click()
    expect(page.locator("#notifications li")).not_to_contain_text("Unread")
    expect(page.get_by_role("button", name="Mark as read")).to_have_count(0)
    expect(page.locator("#notifications-link .app-badge")).to_have_count(0)
    look_at(page, "inbox_read", sideways)

    # A private calendar feed: made, shown once, downloaded, and it holds the followed tender's deadlines.
    page.goto(f"{live_server}/account/calendar")
    look_at(page, "calendar_none", sideways)
    page.get_by_role("button", name="Make an address for my calendar").click()
    expect(page.get_by_text("Your calendar feed has a new address")).to_be_visible()
    address = page.get_by_label("Address of your calendar feed").input_value()
    assert re.fullmatch(re.escape(live_server) + r"/calendar/\S+\.ics", address)
    look_at(page, "calendar_address", sideways)
    feed = browser.new_context(locale="en-GB").new_page()  # pasted into a fresh window: no login needed
    with feed.expect_download() as download_info:
        try:
            feed.goto(address)
        except Error as error:  # the browser saves the feed instead of showing it
            assert "ERR_ABORTED" in str(error) or "Download is starting" in str(error)
    download = download_info.value
    assert download.suggested_filename == "deadlines.ics"
    calendar = Calendar.from_ical(Path(download.path()).read_bytes())
    summaries = [str(event["SUMMARY"]) for event in calendar.walk("VEVENT")]
    assert f"Submission deadline: {QUESTION.title}" in summaries, summaries
    assert f"Clarification questions close: {QUESTION.title}" in summaries, summaries
    feed.context.close()

    # The same pages in Dutch, for the eye: screenshots only.
    dutch = browser.new_context(
        locale="nl-NL", viewport={"width": 1280, "height": 900}, storage_state=page.context.storage_state()
    )
    nl = dutch.new_page()
    for path, name in (
        (f"/tenders/{tender.reference}", "nl_tender_followed"),
        ("/notifications/settings", "nl_notification_settings"),
        ("/notifications/", "nl_inbox"),
        ("/account/calendar", "nl_calendar"),
        ("/account/email", "nl_email"),
        ("/password/forgot", "nl_forgot_password"),
    ):
        nl.goto(live_server + path)
        look_at(nl, name, sideways)
    dutch.close()

    # The official's new account pages, for the eye too.
    desk = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900}).new_page()
    log_in(desk, live_server, official)
    for path, name in (
        ("/organisations/awaiting", "organisations_awaiting"),
        ("/account/second-factor", "second_factor"),
    ):
        desk.goto(live_server + path)
        expect(desk.get_by_role("heading", level=1)).to_be_visible()
        look_at(desk, name, sideways)
    desk.context.close()
    assert sideways == [], "Pages that scroll sideways at 375 px:\n" + "\n".join(sideways)
