"""Every page: one h1, every form control labelled, no duplicate ids, a language.

Parsed with the standard library so it runs everywhere; the browser tests cover
keyboard use of the main journeys.
"""

from html.parser import HTMLParser

import pytest

from tendering.models import Role

from .conftest import login
from .proposal_helpers import PDF, upload


class PageAudit(HTMLParser):
    def __init__(self):
        super().__init__()
        self.h1 = 0
        self.ids: list[str] = []
        self.labels_for: set[str] = set()
        self.controls: list[dict] = []
        self.label_depth = 0
        self.lang = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        if tag == "h1":
            self.h1 += 1
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "label":
            self.label_depth += 1
            if attrs.get("for"):
                self.labels_for.add(attrs["for"])
        if tag in ("input", "select", "textarea") and attrs.get("type") not in ("hidden", "submit", "button"):
            self.controls.append({**attrs, "_wrapped": self.label_depth > 0, "_tag": tag})

    def handle_endtag(self, tag):
        if tag == "label":
            self.label_depth -= 1

    def problems(self) -> list[str]:
        found = []
        if self.h1 != 1:
            found.append(f"{self.h1} h1 elements")
        if not self.lang:
            found.append("no lang on <html>")
        duplicates = {i for i in self.ids if self.ids.count(i) > 1}
        if duplicates:
            found.append(f"duplicate ids {sorted(duplicates)}")
        for control in self.controls:
            labelled = (
                control.get("id") in self.labels_for
                or control["_wrapped"]
                or control.get("aria-label")
                or control.get("aria-labelledby")
            )
            if not labelled:
                found.append(f"unlabelled {control['_tag']} name={control.get('name')}")
        return found


def audit(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    parser = PageAudit()
    parser.feed(response.text)
    return parser.problems()


@pytest.fixture
def everything(app, session, make_case, official, drafting, make_user):
    """A published case with a coalition, a draft, a submission and an opened box."""
    case, coalition, users, clients = drafting
    upload(clients["lead"], coalition, "plan.pdf", PDF)
    case.owner_id = official.id
    session.commit()
    return case, coalition, clients


def test_every_page_is_labelled_and_has_one_h1(app, client, everything, official, make_user, session):
    case, coalition, clients = everything
    from tendering.question.question_document import freeze

    freeze(session, case, actor=official)
    session.commit()
    problems = {}
    public = ["/", "/login", "/register", f"/tenders/{case.reference}", "/healthz"]
    for path in public[:-1]:
        problems[path] = audit(client, path)
    owner = app.test_client()
    login(owner, official)
    for path in [
        "/cases/",
        "/cases/new",
        f"/cases/{case.id}",
        f"/cases/{case.id}/edit",
        f"/cases/{case.id}/articulation",
        f"/cases/{case.id}/suitability",
        f"/cases/{case.id}/stakeholders",
        f"/cases/{case.id}/coalition-forming",
        f"/cases/{case.id}/tender",
        f"/cases/{case.id}/document",
        f"/cases/{case.id}/document/preview",
        f"/cases/{case.id}/clarifications",
        f"/cases/{case.id}/proposals",
        f"/cases/{case.id}/evaluation",
    ]:
        problems[path] = audit(owner, path)
    member = clients["lead"]
    for path in [
        "/organisation",
        "/coalitions",
        f"/coalitions/{coalition.id}",
        f"/coalitions/{coalition.id}/proposal",
        f"/tenders/{case.reference}",
    ]:
        problems[f"member {path}"] = audit(member, path)
    admin = app.test_client()
    login(admin, make_user(Role.admin))
    for path in ["/admin/outbox", "/admin/refusals"]:
        problems[path] = audit(admin, path)
    assert {path: found for path, found in problems.items() if found} == {}
