"""The seal holds on every surface: every GET route the app registers, as every
role, before the deadline, after it but before the four-eyes opening, and after
the opening (EU 2014/24 Annex IV (b)-(f)).

Every page, PDF, DOCX, XLSX, CSV and JSON answer is read as text and searched
for every marker (tests/seal_helpers.py) that its reader may not see.
"""

import io
import itertools
import zipfile

import pytest
from flask import url_for
from pypdf import PdfReader
from pypdf.errors import PdfReadError
from sqlmodel import select

from tendering import access
from tendering.models import AuditEvent, DataGeneration, ProposalAttachment
from tendering.procurement import tender_box

from .conftest import login
from .seal_helpers import BIDDERS, Sealed, plans_to_stage, to_stage

STAGES = ("before_deadline", "after_deadline", "opened")
ROLES = (
    "anonymous",
    "owner",
    "evaluator",
    "official",
    "council_member",
    "admin",
    "outsider",
    "zilvermeeuw",
    "kraanvogel",
)


def _may_see(role: str, key: str, stage: str) -> bool:
    """Annex IV: the coalition itself always; the owner and the evaluators once the box is open; nobody else."""
    return role == key or (stage == "opened" and role in ("owner", "evaluator"))


def _readable(response) -> str:
    """The response as text a person could read: PDF text, the XML of DOCX/XLSX/ODT, or the body; plus headers."""
    data = response.get_data()
    response.close()
    text = data.decode("utf-8", "replace")
    if data.startswith(b"%PDF"):
        try:
            text = "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
        except PdfReadError:  # an uploaded file that only starts like a PDF: its bytes are what a reader gets
            pass
    elif data.startswith(b"PK\x03\x04"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            text = "\n".join(
                archive.read(n).decode("utf-8", "replace") for n in archive.namelist() if n.endswith(".xml")
            )
    return text + "\n" + "\n".join(f"{k}: {v}" for k, v in response.headers.items())


def _candidates(sealed: Sealed, session) -> dict[str, list]:
    """Values for each URL argument: every object of the scenario, so no page is left out for want of an id."""
    case = sealed.case
    return {
        "case_id": [case.id],
        "reference": [case.reference],
        "coalition_id": [c.id for c in sealed.coalitions.values()],
        "submission_id": [s.id for s in sealed.submissions.values()],
        "proposal_id": [s.proposal_id for s in sealed.submissions.values()],
        "attachment_id": [a.id for a in session.exec(select(ProposalAttachment)).all()],
        "letter_id": [1],
        "number": [1],
        "code": ["nl"],
        "pdf": [True],
    }


def _urls(app, sealed: Sealed, session) -> list[str]:
    """Every GET route the app registers, with every combination of the scenario's ids."""
    candidates = _candidates(sealed, session)
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint == "static":
                continue
            arguments = sorted(a for a in rule.arguments if a not in (rule.defaults or {}))
            choices = [candidates.get(a, [1]) for a in arguments]
            for values in itertools.product(*choices):
                urls.append(url_for(rule.endpoint, **dict(zip(arguments, values, strict=True))))
    return sorted(set(urls))


def _clients(app, sealed: Sealed) -> dict:
    clients = {"anonymous": app.test_client()}
    for role in ROLES[1:]:
        clients[role] = app.test_client()
        login(clients[role], sealed.users[role])
    return clients


@pytest.mark.parametrize("stage", STAGES)
def test_no_surface_shows_who_bid_when_or_what_before_the_seal_allows(app, session, sealed, stage):
    to_stage(session, sealed, stage)
    _walk_every_surface(app, session, sealed, stage)


@pytest.mark.parametrize("stage", STAGES)
def test_no_surface_shows_a_realisation_plan_before_its_own_seal_allows(app, session, sealed_plans, stage):
    """Two-stage: the chosen coalitions' plans have a box of their own; a rival chosen beside it never reads it."""
    plans_to_stage(session, sealed_plans, stage)
    _walk_every_surface(app, session, sealed_plans, stage)


def _walk_every_surface(app, session, sealed: Sealed, stage: str) -> None:
    """Every GET route as every role: no marker where the seal forbids it, and every allowed reader finds its."""
    clients = _clients(app, sealed)
    urls = _urls(app, sealed, session)
    assert len(urls) > 60, "route enumeration found too few pages"
    leaks, server_errors, seen = [], [], set()
    for role, client in clients.items():
        for url in urls:
            response = client.get(url)
            if response.status_code >= 500:
                server_errors.append((role, url, response.status_code))
                continue
            text = _readable(response)
            for key in BIDDERS:
                found = [m for m in sealed.markers[key] if m in text]
                if found and _may_see(role, key, stage):
                    seen.add((role, key))
                elif found:
                    leaks.extend((role, url, key, m) for m in found)
    assert server_errors == []
    shown = sorted({f"{role} sees {marker!r} on {url}" for role, url, _key, marker in leaks})
    assert not shown, "the seal leaks:\n" + "\n".join(shown)
    # The other side of the seal: whoever may read a bid finds it (so the walk really read the pages).
    assert seen == {(role, key) for role in ROLES for key in BIDDERS if _may_see(role, key, stage)}


def test_anonymous_attempts_on_sealed_pages_are_logged_and_sent_to_login(client, session, sealed):
    case, submission = sealed.case, sealed.submissions["zilvermeeuw"]
    paths = [
        f"/cases/{case.id}/proposals/{submission.id}",
        f"/cases/{case.id}/proposals/{submission.id}/attachments/{sealed.attachments['zilvermeeuw'].id}",
        f"/cases/{case.id}/evaluation/{submission.proposal_id}",
        f"/cases/{case.id}/evaluation/{submission.proposal_id}/consensus",
        f"/cases/{case.id}/award/letters/1",
        f"/coalitions/{sealed.coalitions['zilvermeeuw'].id}/proposal",
        f"/coalitions/{sealed.coalitions['zilvermeeuw'].id}/receipts/{submission.id}",
        f"/coalitions/{sealed.coalitions['zilvermeeuw'].id}/receipts/{submission.id}.pdf",
        f"/coalitions/{sealed.coalitions['zilvermeeuw'].id}/proposal/attachments/{sealed.attachments['zilvermeeuw'].id}",
    ]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 302 and response.location.startswith("/login")
    refusals = session.exec(select(AuditEvent).where(AuditEvent.action == access.REFUSED)).all()
    assert sorted(r.details["path"] for r in refusals) == sorted(paths)
    assert all(r.actor_id is None for r in refusals)


def test_a_refused_read_leaves_every_cached_page_valid(app, session, sealed):
    """Knocking on the sealed box, however often, is logged without counting as a change of data."""
    rival = app.test_client()
    login(rival, sealed.users["kraanvogel"])
    generation = session.exec(select(DataGeneration.generation)).one()
    submission = sealed.submissions["zilvermeeuw"]
    for _ in range(3):
        assert rival.get(f"/cases/{sealed.case.id}/proposals/{submission.id}").status_code == 403
    session.expire_all()
    assert session.exec(select(DataGeneration.generation)).one() == generation
    assert len(session.exec(select(AuditEvent).where(AuditEvent.action == access.REFUSED)).all()) == 3


UNKNOWN_ID = 2_147_483_000  # an id no object has


@pytest.mark.parametrize("stage", STAGES[:2])
def test_no_answer_tells_a_sealed_id_from_one_that_does_not_exist(app, session, sealed, stage):
    """An existence oracle would count the bids: before the opening, every reader but the bidder itself gets the
    same status for a submission's, proposal's, attachment's or coalition's real id as for an id nobody has."""
    to_stage(session, sealed, stage)
    clients = _clients(app, sealed)
    sealed_arguments = ("coalition_id", "submission_id", "proposal_id", "attachment_id")
    candidates = _candidates(sealed, session)
    oracles = []
    with app.test_request_context():
        rules = [r for r in app.url_map.iter_rules() if "GET" in r.methods and set(r.arguments) & set(sealed_arguments)]
        probes = []
        for rule in rules:
            real = {a: candidates.get(a, [1])[0] for a in rule.arguments}
            for argument in set(rule.arguments) & set(sealed_arguments):
                probes.append(
                    (url_for(rule.endpoint, **real), url_for(rule.endpoint, **{**real, argument: UNKNOWN_ID}))
                )
    bidder = next(iter(sealed.coalitions))  # the first bidder owns the real ids; the other is a rival
    for role, client in clients.items():
        if role == bidder:
            continue
        for real_url, unknown_url in probes:
            real, unknown = client.get(real_url).status_code, client.get(unknown_url).status_code
            if real != unknown:
                oracles.append(f"{role}: {real_url} {real}, {unknown_url} {unknown}")
    assert len(probes) > 8
    assert not oracles, "\n".join(oracles)


def test_every_action_of_forming_and_bidding_stays_out_of_the_trail_until_the_opening():
    """The coalitions' and proposals' services record only events the seal hides (a new one must be added there)."""
    import inspect
    import re

    from tendering.parties import coalitions, proposals

    actions = set()
    for module in (coalitions, proposals, tender_box):
        source = inspect.getsource(module)
        for expression in re.findall(r"action=([^,\n]+(?:\n[^,\n]+)?)", source):
            actions.update(re.findall(r'"(\w+)"', expression))
    actions -= {"box_opening_requested", "box_opened", access.REFUSED, "evaluator_assigned", "conflict_declared"}
    assert {"coalition_formed", "partner_declined", "proposal_submitted"} <= actions
    assert actions <= tender_box.BIDDING_EVENTS
