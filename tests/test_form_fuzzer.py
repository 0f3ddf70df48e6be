"""Every POST route of the app, as every role, with what a careless or hostile user can send: never a server error,
and what must be refused changes nothing.

The data is the demo of Lindendal, built through the real services: a case in articulation, one in stakeholder
analysis, one published with clarifications and a coalition drafting, and one that went round the whole cycle and now
reports outcomes. Each route is filled with ids of real objects of the case it belongs to. The inputs are a fixed list
(bounded and repeatable): per route the characters every request must refuse (NUL, control characters, bytes that are
not UTF-8) in every field; per number or date field of the route's form a value the database cannot hold; and, allowed
to be accepted, very long text and a list where one value is expected. The JSON API has its own fuzzer
(test_api_fuzz.py).
"""

import hashlib
import inspect
import re
import traceback
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pytest
from flask import current_app
from sqlalchemy import text
from sqlmodel import SQLModel, select
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    DecimalField,
    EmailField,
    FileField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
)

from tendering.demo import demo
from tendering.models import (
    Agenda,
    AgreementContribution,
    Ambition,
    AwardCriterion,
    Case,
    CityIndicator,
    ClaimCorrection,
    Clarification,
    Coalition,
    Framework,
    Indicator,
    IndicatorDraft,
    Measurement,
    Notification,
    Objection,
    Organisation,
    Outcome,
    PaymentClaim,
    PaymentTerm,
    ProgressReport,
    Proposal,
    ProposalSubmission,
    Stakeholder,
    Team,
    User,
)
from tendering.web import forms
from tendering.workflow.guards import SUITABILITY_CONDITIONS

from .conftest import PASSWORD, form_token

# Tables whose change is not a change of the data: the audit trail (refusals are audited), the cache generation,
# and the login bookkeeping (sessions, failed attempts, when a token was last used).
UNCOMPARED = re.compile(r"^(audit_events|data_generation|.*session.*|.*login.*)$")
UNCOMPARED_COLUMNS = {"last_used_at", "last_seen_at", "last_login_at"}

ROLE_OFFICIAL = "f.elamrani@lindendal.example"
ROLES = {
    "official": None,  # the owner of three cases, evaluator of the realised one; an evaluator of the case in evaluation
    "member": None,  # the lead of the coalition in the URL
    "admin": "admin@lindendal.example",
    "council": "a.bos@raad.lindendal.example",
}
REALISED_LEAD = "p.smit@thuis.example"  # lead of Oost Werkt, which won the realised case
DRAFTING_LEAD = "m.jansen@delinde.example"  # lead of Samen Oud in Lindendal, drafting on the published case

# After these, a route's target may be gone or the case may have moved on: they run last.
LAST = (
    "delete",
    "remove",
    "withdraw",
    "submit",
    "open",
    "close",
    "approve",
    "transition",
    "revoke",
    "publish",
    "logout",
    "decide",
    "reconsider",
    "accept",
    "respond",
)
# Covered elsewhere: the JSON API by schemathesis.
SKIPPED = ("api.",)
ON_REALISED = (
    "agreement.",
    "progress.",
    "accountability.",
    "award.",
    "evaluation.",
    "tender_box.",
    "reporting.",
    "finances.",
    "agenda.link",
)
IN_EVALUATION = ("evaluation.", "tender_box.", "award.decide")  # also on the case whose box is open

NUL, CONTROL, NOT_UTF8 = "nul", "control", "not-utf8"
EVERYWHERE = {NUL: "Tekst\x00met NUL", CONTROL: "Tekst\x0bmet\x1bbesturing", NOT_UTF8: b"Tekst\xff\xfe geen UTF-8"}
OUT_OF_RANGE = {
    "int": ["2147483648", "-9223372036854775809", "1" + "0" * 40],
    "decimal": ["1e400", "NaN", "sNaN", "-1e20", "Infinity"],
    "date": ["2026-02-30", "99999-01-01", "9999-12-31", "0000-00-00"],
    "datetime": ["2026-02-30T10:00", "9999-12-31T23:59", "2026-12-01T25:61"],
    "choice-int": ["2147483648", "-1"],
}
LONG = "Lange tekst " * 10_000  # 120,000 characters: some fields take it, the others refuse it
GUESSED = ["version", "reason", "note", "action", "id", "evaluator_id", "proposal_id", "requirements_met", "decision"]


@dataclass
class Target:
    rule: str
    endpoint: str
    url: str
    member: str  # who logs in as the coalition member for this route
    official: str = ROLE_OFFICIAL  # who logs in as the official
    fields: dict[str, str] = field(default_factory=dict)  # name -> kind
    choices: dict[str, str] = field(default_factory=dict)  # name -> a valid value


def _kind(unbound) -> str:
    cls, kwargs = unbound.field_class, unbound.kwargs
    if issubclass(cls, FileField):
        return "file"
    if issubclass(cls, DateTimeLocalField):
        return "datetime"
    if issubclass(cls, DateField):
        return "date"
    if issubclass(cls, IntegerField):
        return "int"
    if issubclass(cls, DecimalField):
        return "decimal"
    if issubclass(cls, BooleanField):
        return "bool"
    if issubclass(cls, SelectField | RadioField | SelectMultipleField):
        return "choice-int" if kwargs.get("coerce") is int else "choice"
    if issubclass(cls, EmailField):
        return "email"
    if issubclass(cls, PasswordField):
        return "password"
    return "text"


def _form_fields(view) -> tuple[dict[str, str], dict[str, str]]:
    """The fields of every form class the view's source names, with their kinds and a valid choice each."""
    source = inspect.getsource(view)
    module = inspect.getmodule(inspect.unwrap(view))
    for helper in set(re.findall(r"\b(_\w+)\(", source)):  # a form built by a helper of the view's module
        function = getattr(module, helper, None)
        if inspect.isfunction(function):
            source += inspect.getsource(function)
    kinds, choices = {}, {}
    for name in set(re.findall(r"\b([A-Z]\w*Form)\b", source)):
        form_class = getattr(forms, name, None)
        if form_class is None:
            continue
        if name == "SuitabilityForm":
            form_class = form_class.for_questions({key: key for key in SUITABILITY_CONDITIONS})
        for attribute in dir(form_class):
            unbound = getattr(form_class, attribute, None)
            if hasattr(unbound, "field_class") and not attribute.startswith("_"):
                kinds[attribute] = _kind(unbound)
                static = unbound.kwargs.get("choices") or []
                if static and not callable(static):
                    first = static[0]
                    choices[attribute] = str(getattr(first, "value", first[0] if isinstance(first, tuple) else first))
    kinds.pop("csrf_token", None)
    return kinds, choices


def _first(session, model, *where):
    row = session.exec(select(model).where(*where).order_by(model.id)).first()
    return row.id if row is not None else 1


def targets(app, session, evaluating: tuple[Case, str] | None = None) -> list[Target]:
    """Every POST route with the ids of its case; with `evaluating` (a case in evaluation and an evaluator's e-mail),
    the evaluation routes a second time on that case."""
    cases = {c.title: c for c in session.exec(select(Case)).all()}
    published, realised = cases["Gelukkig oud in Lindendal"], cases["Samen aan de slag in Lindendal-Oost"]
    coalitions = {c.name: c for c in session.exec(select(Coalition)).all()}
    drafting, winner = coalitions["Samen Oud in Lindendal"], coalitions["Oost Werkt"]
    found = []
    rules = [(rule, None) for rule in app.url_map.iter_rules()]
    if evaluating is not None:
        rules += [(rule, evaluating) for rule, _ in rules if rule.endpoint.startswith(IN_EVALUATION)]
    for rule, in_evaluation in rules:
        if "POST" not in rule.methods or rule.endpoint.startswith(SKIPPED):
            continue
        on_realised = rule.endpoint.startswith(ON_REALISED) or rule.endpoint in ("coalitions.receipt",)
        case = in_evaluation[0] if in_evaluation else realised if on_realised else published
        coalition = winner if on_realised else drafting
        values = {
            "case_id": case.id,
            "coalition_id": coalition.id,
            "reference": case.reference,
            "token": "onbekende-uitnodiging",
            "framework_id": _first(session, Framework, Framework.case_id == case.id),
            "criterion_id": _first(session, AwardCriterion, AwardCriterion.case_id == case.id),
            "stakeholder_id": _first(session, Stakeholder, Stakeholder.case_id == case.id),
            "clarification_id": _first(session, Clarification, Clarification.case_id == case.id),
            "proposal_id": _first(session, Proposal, Proposal.case_id == case.id),
            "submission_id": _first(session, ProposalSubmission),
            "objection_id": _first(session, Objection),
            "report_id": _first(session, ProgressReport),
            "indicator_id": _first(
                session, CityIndicator if rule.endpoint.startswith("agenda.") and not on_realised else Indicator
            ),
            "agenda_id": _first(session, Agenda),
            "organisation_id": _first(session, Organisation),
            "team_id": _first(session, Team),
            "ambition_id": _first(session, Ambition),
            "term_id": _first(session, PaymentTerm),
            "claim_id": _first(session, PaymentClaim),
            "correction_id": _first(session, ClaimCorrection),
            "measurement_id": _first(session, Measurement),
            "contribution_id": _first(session, AgreementContribution),
            "outcome_id": _first(session, Outcome, Outcome.case_id == case.id),
            "draft_id": _first(session, IndicatorDraft, IndicatorDraft.case_id == case.id),
            "token_id": 1,
            "attachment_id": 1,
            "letter_id": 1,
            "session_id": 1,
            "notification_id": _first(session, Notification),
            # an account none of the fuzzing roles logs in with, so blocking it locks no client out
            "user_id": _first(
                session,
                User,
                User.email.notin_(
                    [
                        *filter(None, ROLES.values()),
                        ROLE_OFFICIAL,
                        REALISED_LEAD,
                        DRAFTING_LEAD,
                        evaluating[1] if evaluating else "",
                    ]
                ),
            ),
        }
        url = rule.rule
        for argument in rule.arguments:
            url = re.sub(rf"<(?:\w+:)?{argument}>", str(values[argument]), url)
        kinds, choices = _form_fields(app.view_functions[rule.endpoint])
        if rule.endpoint in ("evaluation.save_score", "evaluation.consensus"):  # read as score-<id>, not by a form
            for criterion in session.exec(select(AwardCriterion).where(AwardCriterion.case_id == case.id)).all():
                kinds[f"score-{criterion.id}"] = "decimal"
                kinds[f"motivation-{criterion.id}"] = "text"
        if rule.endpoint.startswith("accountability."):
            for indicator in session.exec(select(Indicator)).all():
                kinds[f"note-{indicator.id}"] = "text"
        member = REALISED_LEAD if on_realised else DRAFTING_LEAD
        official = in_evaluation[1] if in_evaluation else ROLE_OFFICIAL
        found.append(Target(rule.rule, rule.endpoint, url, member, official, kinds, choices))
    return sorted(
        found, key=lambda t: (t.endpoint == "auth.logout", any(word in t.endpoint for word in LAST), t.endpoint)
    )


BASELINE = {
    "text": "Tekst van de fuzzer, lang genoeg",
    "email": "fuzz@example.org",
    "password": "correct horse battery staple fuzz",
    "int": "3",
    "decimal": "10",
    "date": "2026-06-01",
    "datetime": "2026-12-20T10:00",
    "bool": "y",
    "choice-int": "1",
}


def page_choices(client, target: Target) -> dict[str, str]:
    """The first offered value of each select, radio and checkbox on the page of the route's form, as this user sees it."""
    url = target.url
    for _attempt in range(3):
        response = client.get(url)
        if response.status_code == 200 and response.mimetype == "text/html":
            break
        url = url.rsplit("/", 1)[0] or "/"
    else:
        return {}
    found = {}
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', response.text, re.S):
        values = [v for v in re.findall(r'<option[^>]*value="([^"]*)"', options) if v]
        if values:
            found.setdefault(name, values[0])
    for tag in re.findall(r'<input[^>]*type="(?:radio|checkbox)"[^>]*>', response.text):
        name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        if name and value:
            found.setdefault(name.group(1), value.group(1))
    return found


def baseline(target: Target, offered: dict[str, str]) -> dict:
    choices = {**offered, **target.choices}
    return {name: choices.get(name, BASELINE.get(kind, "1")) for name, kind in target.fields.items() if kind != "file"}


def encode(target: Target, token: str, values: dict, filename: str = "bijlage.pdf"):
    """The body as bytes, so a value can be bytes that are not UTF-8; multipart when the form has a file."""
    pairs = [("csrf_token", token)]
    for name, value in values.items():
        pairs.extend((name, v) for v in (value if isinstance(value, list) else [value]))
    files = [name for name, kind in target.fields.items() if kind == "file"]
    if not files:
        return urlencode(pairs).encode(), "application/x-www-form-urlencoded"
    parts = []
    for name, value in pairs:
        raw = value if isinstance(value, bytes) else str(value).encode()
        parts.append(b'--fuzz\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n' % (name.encode(), raw))
    for name in files:
        raw_name = filename.encode() if isinstance(filename, str) else filename
        parts.append(
            b'--fuzz\r\nContent-Disposition: form-data; name="%s"; filename="%s"\r\n'
            b"Content-Type: text/csv\r\n\r\nindicator,period,value\r\n\r\n" % (name.encode(), raw_name)
        )
    return b"".join(parts) + b"--fuzz--\r\n", "multipart/form-data; boundary=fuzz"


def digest(engine) -> str:
    """Row counts and a hash of the content of every table that holds the data."""
    sha = hashlib.sha256()
    with engine.connect() as connection:
        for name, table in sorted(SQLModel.metadata.tables.items()):
            if UNCOMPARED.match(name):
                continue
            columns = [c.name for c in table.columns if c.name not in UNCOMPARED_COLUMNS]
            rows = connection.execute(text(f'SELECT {", ".join(columns)} FROM "{name}" ORDER BY 1')).all()
            sha.update(f"{name}:{len(rows)}:{rows!r}".encode())
    return sha.hexdigest()


@dataclass
class Run:
    requests: int = 0
    server_errors: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)


def send(client, run: Run, target: Target, body: bytes, content_type: str, label: str):
    run.requests += 1
    try:
        response = client.post(target.url, data=body, content_type=content_type)
    except Exception:  # noqa: BLE001  (TESTING propagates the exception: it is the 500 this test looks for)
        run.server_errors.append(f"{target.endpoint} {label}:\n{traceback.format_exc(limit=-4)}")
        return None
    if response.status_code >= 500:
        run.server_errors.append(f"{target.endpoint} {label}: {response.status_code}")
    with client.session_transaction() as flashes:  # flashes must not pile up over the requests
        flashes.pop("_flashes", None)
    return response


def login_client(app, email: str, password: str = demo.DEMO_PASSWORD):
    client = app.test_client()
    response = client.post(
        "/login", data={"email": email, "password": password, "csrf_token": form_token(client.get("/login"))}
    )
    assert response.status_code == 302, response.text
    return client, form_token(client.get("/"))


@pytest.fixture
def lindendal(session, opened):
    """The demo of Lindendal, and beside it a case in evaluation with its box open (`opened`) and its first evaluator."""
    with current_app.test_request_context():  # the session's own app: the demo's mails link to pages
        demo.seed(session)
    session.commit()
    case, _criteria, _entries, evaluators = opened
    return session, (case, evaluators[0].email)


@pytest.mark.parametrize("role", ROLES)
def test_no_post_route_answers_a_server_error_and_refused_input_changes_nothing(app, lindendal, role):
    engine = app.extensions["db_engine"]
    routes = targets(app, *lindendal)
    clients = {}
    run = Run()
    for target in routes:
        email = ROLES[role] or (target.official if role == "official" else target.member)
        if email not in clients:
            clients[email] = login_client(
                app, email, PASSWORD if email == target.official != ROLE_OFFICIAL else demo.DEMO_PASSWORD
            )
        client, token = clients[email]
        valid = baseline(target, page_choices(client, target))
        guessed = {name: BASELINE["text"] for name in GUESSED if name not in target.fields}
        # 1. Refused for every route, before any view: NUL, control characters, bytes that are not UTF-8, anywhere.
        for label, bad in EVERYWHERE.items():
            before = digest(engine)
            everything = {name: bad for name in {**valid, **guessed}}
            body, content_type = encode(
                target, token, everything, filename="bijlage\x00.csv" if label == NUL else "bijlage.csv"
            )
            response = send(client, run, target, body, content_type, label)
            if response is not None and digest(engine) != before:
                run.changed.append(f"{target.endpoint} {label}: {response.status_code}")
            if response is not None and response.status_code != 400:
                run.changed.append(f"{target.endpoint} {label} not refused: {response.status_code}")
        # 2. A number or date the database cannot hold, in one field of the form, the others valid.
        for name, kind in target.fields.items():
            for bad in OUT_OF_RANGE.get(kind, []):
                before = digest(engine)
                body, content_type = encode(target, token, {**valid, name: bad})
                response = send(client, run, target, body, content_type, f"{name}={bad}")
                if response is not None and digest(engine) != before:
                    run.changed.append(
                        f"{target.endpoint} {name}={bad}: {response.status_code} {response.location or ''}"
                    )
        # 3. Allowed to be accepted, never a server error: very long text, lists, a small negative number.
        long_text = {**valid, **{n: LONG for n, k in target.fields.items() if k in ("text", "email", "password")}}
        lists = {n: [v, BASELINE["text"]] for n, v in {**valid, **guessed}.items()}
        negative = {
            **valid,
            **{n: "-1" for n, k in target.fields.items() if k in ("int", "decimal", "choice-int")},
            **guessed,
        }
        for label, values in (("long", long_text), ("lists", lists), ("negative", negative)):
            body, content_type = encode(target, token, values)
            send(client, run, target, body, content_type, label)
    print(
        f"{role}: {len(routes)} POST routes, {run.requests} requests, {len(run.server_errors)} server errors, "
        f"{len(run.changed)} changes by refused input"
    )
    for problem in run.server_errors + run.changed:
        print(f"  {role} {problem.splitlines()[0]}")
    assert not run.server_errors, "\n".join(run.server_errors)
    assert not run.changed, "\n".join(run.changed)


def test_the_fuzzer_reaches_every_post_route_with_its_form(app, lindendal):
    routes = targets(app, *lindendal)
    posted = {
        r.endpoint for r in app.url_map.iter_rules() if "POST" in r.methods and not r.endpoint.startswith(SKIPPED)
    }
    assert {t.endpoint for t in routes} == posted
    with_fields = {t.endpoint for t in routes if t.fields}
    assert {
        "cases.edit",
        "workbench.add_criterion",
        "agreement.add_indicator",
        "reporting.report",
        "evaluation.save_score",
        "coalitions.upload_attachment",
        "tender_box.assign_evaluator",
    } <= with_fields
    assert {t.url for t in routes if t.endpoint == "evaluation.save_score"} == {
        f"/cases/{case.id}/evaluation/{_first(lindendal[0], Proposal, Proposal.case_id == case.id)}"
        for case in (
            lindendal[1][0],
            lindendal[0].exec(select(Case).where(Case.title == "Samen aan de slag in Lindendal-Oost")).one(),
        )
    }
