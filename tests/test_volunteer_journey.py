"""Issue 17's "done when", end to end: a coalition volunteer registers, verifies, follows a tender and sets a daily
digest, then receives through a real SMTP server (tests/smtp_helpers.py) every reminder and every answer and
amendment on time and once, however often the jobs run, and nothing sealed about the other coalitions; the
submission deadline is applied by a real Huey consumer within its first tick after the deadline, without anyone
opening the case; the case's official logs in through a real OpenID provider (tests/oidc_provider.py).

The volunteer and the official click through the site with the test client (forms are read from the pages and
submitted as a browser would); the site delivers mail right after each commit (JOBS_IMMEDIATE), the consumer's
install through its own queue. Time is driven by handing `now` to the jobs' own functions (`run_reminders`,
`run_digests`), and, for the consumer's tick, by a clock the workflow engine reads (as tests/seal_helpers.py moves the
tender box's); nobody waits a minute."""

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from html.parser import HTMLParser

import pytest
from huey import signals
from sqlmodel import select

from tendering import create_app
from tendering.jobs import tasks as job_tasks
from tendering.models import AuditEvent, Case, Organisation, OrganisationStatus, User
from tendering.notifications.digests import digest_cutoff
from tendering.notifications.tasks import run_digests, run_reminders
from tendering.workflow import engine, phases

from .conftest import PASSWORD, login
from .seal_helpers import BIDDERS
from .test_jobs import job_queue, running_consumer, wait_until  # noqa: F401  (job_queue: a fixture)
from .test_notifications import publish_tender
from .test_sso import OFFICIALS, provider, sso_config, through_provider  # noqa: F401  (fixtures: provider, sso_config)

VOLUNTEER = {"name": "Sanne de Wit", "email": "sanne@buurtkracht.example", "organisation": "Buurtkracht Zuid"}


# Reading and submitting the forms of a page, as a browser does --------------------------------------------------


@dataclass
class Form:
    action: str
    fields: dict[str, str] = field(default_factory=dict)
    buttons: list[str] = field(default_factory=list)  # the ids and texts of its submit buttons


class _Forms(HTMLParser):
    """Every form of a page with what a browser would send: enabled controls, the selected option, checked boxes."""

    def __init__(self):
        super().__init__()
        self.forms: list[Form] = []
        self._select: str | None = None
        self._textarea: str | None = None
        self._button = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append(Form(a.get("action") or ""))
            return
        if not self.forms or "disabled" in a:
            return
        form, name = self.forms[-1], a.get("name")
        if tag == "input" and a.get("type") in ("submit", "button"):
            form.buttons.append(a.get("id") or a.get("value") or "")
        elif tag == "input" and a.get("type") in ("checkbox", "radio"):
            if "checked" in a and name:
                form.fields[name] = a.get("value") or "y"
        elif tag == "input" and name:
            form.fields[name] = a.get("value") or ""
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select:
            if self._select not in form.fields or "selected" in a:
                form.fields[self._select] = a.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            form.fields[name] = ""
        elif tag == "button" and a.get("type", "submit") == "submit":
            self._button = True
            form.buttons.append(a.get("id") or "")

    def handle_data(self, data):
        if self._textarea:
            self.forms[-1].fields[self._textarea] += data
        elif self._button:
            self.forms[-1].buttons.append(data.strip())

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "button":
            self._button = False


def form_on(page, *, action: str | None = None, button: str | None = None) -> Form:
    """The one form of the page that posts to `action` (or to an address under it, for an `action` ending in "/")
    or has the submit button `button` (id or text); a form without an action posts to the page's own address."""
    assert page.status_code == 200, page.text
    parser = _Forms()
    parser.feed(page.text)
    for form in parser.forms:
        form.action = form.action or page.request.path
    found = [
        f
        for f in parser.forms
        if (action is None or f.action == action or (action.endswith("/") and f.action.startswith(action)))
        and (button is None or button in f.buttons)
    ]
    assert len(found) == 1, f"{len(found)} forms for action={action!r} button={button!r}"
    return found[0]


def submit(client, page, *, action=None, button=None, **typed):
    """Fill in fields the form has (typing into others would be a bug of the test) and send it."""
    form = form_on(page, action=action, button=button)
    unknown = set(typed) - set(form.fields)
    assert not unknown, f"the form has no {sorted(unknown)}"
    return client.post(form.action, data=form.fields | typed)


# The journey's fixtures ---------------------------------------------------------------------------------------------


@pytest.fixture
def site(job_queue, sso_config, smtp_server):  # noqa: F811
    """The site: single sign-on configured, mail to the test's SMTP server, delivered right after each commit."""
    app = create_app({**sso_config, **smtp_server.config})
    yield app
    app.extensions["db_engine"].dispose()


@pytest.fixture
def consumer_site(job_queue, sso_config, smtp_server):  # noqa: F811
    """The same install as a consumer process runs it: mail through the job queue, as in production."""
    app = create_app({**sso_config, **smtp_server.mail_config})
    yield app
    app.extensions["db_engine"].dispose()


@pytest.fixture
def tenders(site, sealed, session, official):
    """Two published tenders: "Gelukkig oud", with the sealed bids of two other coalitions, and a second one."""
    return sealed.case, publish_tender(session, official)


class Mailbox:
    """The volunteer's mail as the SMTP server received it, read a batch at a time."""

    def __init__(self, smtp_server, address):
        self.server, self.address, self.seen = smtp_server, address, 0

    def all(self):
        return self.server.to(self.address)

    def new(self, expected: int):
        """What arrived since the last look: exactly `expected` messages (waiting for them, then for no more)."""
        want = self.seen + expected
        wait_until(lambda: len(self.all()) >= want)
        arrived = self.all()[self.seen :]
        self.seen += len(arrived)
        assert len(arrived) == expected, [m.subject for m in arrived]
        return arrived


def run_jobs_twice(app, moment: datetime) -> None:
    """The reminder and digest jobs at `moment`, each run twice (a retry, a second consumer): nothing twice."""
    with app.app_context():
        for _ in range(2):
            run_reminders(moment)
            run_digests(moment)


def sections(text: str) -> dict[str, str]:
    """A digest's text per case heading ("== title (reference) =="), in the order of the mail."""
    parts = re.split(r"^== (.+) ==$", text.replace("\r\n", "\n"), flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def items(section: str) -> list[str]:
    """The subjects of a digest section's items ("* subject")."""
    return re.findall(r"^\* (.+)$", section, flags=re.MULTILINE)


def link_in(mail, path: str) -> str:
    match = re.search(rf"http://localhost({re.escape(path)}\S+)", mail.text)
    assert match, mail.text
    return match.group(1)


def fresh(session, model, row_id):
    session.expire_all()
    return session.get(model, row_id)


# The journey --------------------------------------------------------------------------------------------------------


def test_a_volunteer_misses_no_reminder_nor_answer_and_the_deadline_applies_itself(
    site,
    consumer_site,
    job_queue,  # noqa: F811  (the fixture imported from tests/test_jobs.py)
    tenders,
    sealed,
    session,
    official,
    smtp_server,
    provider,  # noqa: F811  (the fixture imported from tests/test_sso.py)
    monkeypatch,
):
    tender, other = tenders
    mailbox = Mailbox(smtp_server, VOLUNTEER["email"])

    # 1. The volunteer registers the organisation; the link in the mail makes the account; an official confirms. --
    visitor = site.test_client()
    sent = submit(
        visitor,
        visitor.get("/register"),
        action="/register",
        organisation_name=VOLUNTEER["organisation"],
        kind="resident_initiative",
        contact_email="info@buurtkracht.example",
        name=VOLUNTEER["name"],
        email=VOLUNTEER["email"],
        password=PASSWORD,
        confirm=PASSWORD,
    )
    assert sent.status_code == 302 and sent.location == "/register/sent"
    (confirmation,) = mailbox.new(1)
    link = link_in(confirmation, "/register/confirm/")
    made = submit(visitor, visitor.get(link), action=link)
    assert made.status_code == 302 and made.location == "/organisation"
    volunteer = session.exec(select(User).where(User.email == VOLUNTEER["email"])).one()
    organisation = session.get(Organisation, volunteer.organisation_id)
    assert organisation.status == OrganisationStatus.unverified
    assert "not yet confirmed by the municipality" in visitor.get("/organisation").text

    municipality = site.test_client()
    login(municipality, official)
    awaiting = municipality.get("/organisations/awaiting")
    assert VOLUNTEER["organisation"] in awaiting.text
    confirmed = submit(municipality, awaiting, action=f"/organisations/{organisation.id}/confirm", note="Gebeld.")
    assert confirmed.status_code == 302
    assert fresh(session, Organisation, organisation.id).status == OrganisationStatus.verified
    (told_confirmed,) = mailbox.new(1)
    assert told_confirmed.subject == f"{VOLUNTEER['organisation']} is confirmed"

    # 2. The volunteer logs in, follows both tenders (the public page's button), forms a coalition for one, and ----
    #    sets answers and amendments to the daily digest (every other kind left as the settings page offers it).
    client = site.test_client()
    login(client, volunteer)
    for case in (tender, other):
        page = client.get(f"/tenders/{case.reference}")
        followed = submit(client, page, button="follow-button")
        assert followed.status_code == 302
        assert "You follow this tender" in client.get(followed.location).text
    tender_page = client.get(f"/tenders/{tender.reference}")
    formed = submit(client, tender_page, action=f"/tenders/{tender.reference}/coalitions", name="Coalitie Buurtkracht")
    assert formed.status_code == 302
    settings = client.get("/notifications/settings")
    saved = submit(client, settings, action="/notifications/settings", mode_answers="digest", mode_amendment="digest")
    assert saved.status_code == 302
    assert mailbox.new(0) == []  # following and forming a coalition mail nothing

    def ask_answer_and_amend(question: str, note: str) -> None:
        """The volunteer asks on the public page; the official answers it in the next nota van inlichtingen and
        amends both tenders, through the workbench."""
        asked = submit(
            client,
            client.get(f"/tenders/{tender.reference}"),
            action=f"/tenders/{tender.reference}/questions",
            question=question,
        )
        assert asked.status_code == 302
        questions = municipality.get(f"/cases/{tender.id}/clarifications")
        answer = f"/cases/{tender.id}/clarifications/"
        assert submit(municipality, questions, action=answer, answer="Ja, als partner.").status_code == 302
        questions = municipality.get(f"/cases/{tender.id}/clarifications")
        assert submit(municipality, questions, action=f"/cases/{tender.id}/notas").status_code == 302
        for case in (tender, other):
            amended = submit(
                municipality,
                municipality.get(f"/cases/{case.id}/articulation"),
                action=f"/cases/{case.id}/frameworks",
                kind="minimum_requirement",
                description=f"{note} ({case.title})",
                amendment_note=note,
            )
            assert amended.status_code == 302
        assert mailbox.new(0) == []  # they wait for the digest

    ask_answer_and_amend("Mogen bewonersinitiatieven zonder KvK-nummer meedoen?", "Een VOG is nodig.")

    # 3. Time passes: the jobs run at each moment (twice); the volunteer gets each reminder once, on time, --------
    #    and each answer and amendment once, in the next morning's digest, grouped per case.
    clarification, submission = tender.clarification_deadline, tender.submission_deadline
    assert abs(other.submission_deadline - submission) < timedelta(seconds=20)  # both tenders' deadlines fall together

    def reminders(what: str, days: int) -> None:
        moment = (clarification if what == "clarification" else submission) - timedelta(days=days, minutes=-1)
        run_jobs_twice(site, moment)
        left = "1 day" if days == 1 else f"{days} days"
        deadline = "the deadline for clarification questions" if what == "clarification" else "the submission deadline"
        subjects = sorted(m.subject for m in mailbox.new(2))
        assert subjects == sorted(f"Reminder: {deadline} of “{case.title}” is in {left}" for case in (tender, other))

    def digest(day: datetime, nota: int, amendment: int) -> None:
        run_jobs_twice(site, day + timedelta(minutes=5))
        (mail,) = mailbox.new(1)
        assert mail.subject == "Your daily digest: 3 notifications"  # the nota, and an amendment of each tender
        per_case = sections(mail.text)
        assert list(per_case) == [f"{c.title} ({c.reference})" for c in sorted((tender, other), key=lambda c: c.title)]
        own, second = per_case[f"{tender.title} ({tender.reference})"], per_case[f"{other.title} ({other.reference})"]
        assert items(own) == [
            f"Answers published for “{tender.title}”: nota van inlichtingen {nota}",
            f"Amendment {amendment} to “{tender.title}”",
        ]
        assert items(second) == [f"Amendment {amendment} to “{other.title}”"]
        assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    reminders("clarification", 7)  # just after the volunteer arrived: a week left
    with site.app_context():
        morning = digest_cutoff(clarification - timedelta(days=7)) + timedelta(days=1)  # the next DIGEST_HOUR
    digest(morning, nota=1, amendment=1)
    ask_answer_and_amend("Tellen vrijwilligersuren als eigen bijdrage?", "De wijkcijfers zijn aangevuld.")  # that day
    digest(morning + timedelta(days=1), nota=2, amendment=2)
    run_jobs_twice(site, morning + timedelta(days=2, minutes=5))  # a morning with nothing new: no digest
    assert mailbox.new(0) == []
    reminders("clarification", 2)
    reminders("clarification", 1)
    run_jobs_twice(site, clarification + timedelta(hours=1))  # passed: nothing more about it
    reminders("submission", 7)
    reminders("submission", 2)
    reminders("submission", 1)
    assert mailbox.new(0) == []

    # Nothing sealed about the other coalitions reached the volunteer, in any mail.
    everything = [m.subject + m.text + m.html for m in mailbox.all()]
    leaked = [marker for key in BIDDERS for marker in sealed.markers[key] if any(marker in t for t in everything)]
    assert leaked == []

    # 4. The submission deadline passes: the consumer's tick applies it; nobody opens either case. ------------------
    before = {case.id: fresh(session, Case, case.id).state for case in (tender, other)}
    assert all(phases.in_phase(fresh(session, Case, case.id), "tender_open") for case in (tender, other))
    clock = {"now": submission - timedelta(seconds=30)}
    latest = max(submission, other.submission_deadline)
    ticks = []

    @job_queue.signal(signals.SIGNAL_COMPLETE)
    def count_ticks(_signal, task, *_args):
        if isinstance(task, job_tasks.every_minute.task_class):
            ticks.append(clock["now"])

    def tick_at(moment: datetime) -> None:
        clock["now"] = moment
        done = len(ticks)
        job_tasks.every_minute()  # what the consumer's scheduler enqueues at the start of every minute
        wait_until(lambda: len(ticks) > done)

    assert job_tasks.every_minute.task_class in {t.__class__ for t in job_queue.read_periodic(latest)}
    try:
        with monkeypatch.context() as patched, running_consumer(consumer_site):
            patched.setattr(engine, "utcnow", lambda: clock["now"])  # what the tick reads as now
            tick_at(submission - timedelta(seconds=30))  # the last tick before the deadline: nothing yet
            assert all(fresh(session, Case, case.id).state == before[case.id] for case in (tender, other))
            tick_at(latest + timedelta(seconds=30))  # the first tick after it
            moved = {case.id: fresh(session, Case, case.id) for case in (tender, other)}
    finally:
        job_queue.disconnect_signal(count_ticks)
    for case in moved.values():
        assert not phases.in_phase(case, "tender_open") and case.state != before[case.id]
        (step,) = session.exec(
            select(AuditEvent).where(AuditEvent.case_id == case.id, AuditEvent.from_state == before[case.id])
        ).all()
        assert (step.action, step.actor_id, step.to_state) == ("transition", None, case.state)  # by the system
        assert case.submission_deadline < step.at < case.submission_deadline + timedelta(minutes=1)
    assert phases.in_phase(moved[tender.id], "proposals_scorable")  # the sealed bids are in: evaluation next
    assert mailbox.new(0) == []

    # 5. The case's official logs in through the municipality's identity provider and finds the case moved on. -----
    provider.log_in_as(sub="fea-001", email=official.email, email_verified=True, name=official.name, roles=[OFFICIALS])
    browser = site.test_client()
    assert "Log in with Lindendal-account" in browser.get("/login").text
    arrived = through_provider(browser, provider)
    assert arrived.status_code == 302 and arrived.location == "/"
    assert fresh(session, User, official.id).oidc_subject == "fea-001"
    assert browser.get(f"/cases/{tender.id}").status_code == 200
    assert provider.token_requests == 1
