"""Publication freezes the question document; amendments and the clarification round."""

import io
from datetime import timedelta

import pytest
from docx import Document
from pypdf import PdfReader
from sqlmodel import select

from tendering.access import Capability
from tendering.models import AuditEvent, Interest, OutboxMessage, QuestionDocument, Role, utcnow
from tendering.question.question_document import sha256_of
from tendering.workflow.engine import fire

from . import factories as f
from .conftest import form_token, roles_without


@pytest.fixture
def published(session, make_case, official):
    case = make_case(state="coalition_forming", problem_analysis="Steeds meer ouderen zijn eenzaam.")
    f.articulate(session, case, official)
    f.set_up_tender(session, case, weights=(50, 30, 20))
    fire(session, case, "publish", actor=official)
    session.commit()
    return case


def amsterdam(days: float) -> str:
    """A datetime-local value as an official in Amsterdam types it."""
    from zoneinfo import ZoneInfo

    return (utcnow() + timedelta(days=days)).astimezone(ZoneInfo("Europe/Amsterdam")).strftime("%Y-%m-%dT%H:%M")


def pdf_text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_publication_freezes_version_1_with_a_stable_hash(session, published, client):
    document = session.exec(select(QuestionDocument)).one()
    assert document.version == 1
    assert document.sha256 == sha256_of(document.content_html)
    assert published.question in document.content_html
    page = client.get(f"/tenders/{published.reference}").text
    assert document.sha256 in page
    frozen = client.get(f"/tenders/{published.reference}/document").text
    assert document.sha256 in frozen and published.question in frozen
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "question_document_frozen")).one()
    assert event.details == {"version": 1, "sha256": document.sha256}


def test_frozen_document_does_not_change_when_re_rendered(session, published):
    from tendering.question.question_document import freeze

    document = session.exec(select(QuestionDocument)).one()
    again = freeze(session, published, actor=None)  # same data, another render, another language around it
    assert again.sha256 == document.sha256 and again.version == 2
    session.rollback()


def test_pdf_contains_the_question_every_criterion_and_the_hash(session, published, client):
    response = client.get(f"/tenders/{published.reference}/document.pdf")
    assert response.mimetype == "application/pdf"
    text = " ".join(pdf_text(response.data).split())
    assert "Wie helpt ons om ouderen gelukkig oud te laten worden?" in text
    for name in ("Criterium 0", "Criterium 1", "Criterium 2"):
        assert name in text
    document = session.exec(select(QuestionDocument)).one()
    assert document.sha256[:32] in text.replace(" ", "")


def test_preview_is_available_before_publication_as_pdf_and_docx(logged_in, official, make_case):
    case = make_case(state="articulation")
    client = logged_in(official)
    assert "Preview" in pdf_text(client.get(f"/cases/{case.id}/document.pdf").data)
    docx = client.get(f"/cases/{case.id}/document.docx")
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.data)).paragraphs)
    assert case.question in text


def test_unpublished_case_has_no_public_document(client, make_case):
    case = make_case()
    assert client.get(f"/tenders/{case.reference}/document").status_code == 404
    assert client.get(f"/tenders/{case.reference}/document.pdf").status_code == 404


def test_change_after_publication_needs_an_amendment_note(logged_in, official, published, session):
    client = logged_in(official)
    token = form_token(client.get(f"/cases/{published.id}/tender"))
    response = client.post(
        f"/cases/{published.id}/criteria",
        data={"csrf_token": token, "name": "Extra", "weight": "0", "scale_max": "10"},
        follow_redirects=True,
    )
    assert "describe the change in an amendment note" in response.text
    assert len(session.exec(select(QuestionDocument)).all()) == 1


def test_amendment_is_numbered_changes_the_hash_and_notifies_interested_organisations(
    logged_in, official, published, session, make_user, organisation
):
    member = make_user(Role.coalition_member)
    session.add(Interest(case_id=published.id, organisation_id=organisation.id, offer="Vrijwilligers"))
    session.commit()
    client = logged_in(official)
    token = form_token(client.get(f"/cases/{published.id}/tender"))
    new_deadline, clarification = amsterdam(days=40), amsterdam(days=10)
    client.post(
        f"/cases/{published.id}/procedure",
        data={
            "csrf_token": token,
            "clarification_deadline": clarification,
            "submission_deadline": new_deadline,
            "min_partners": "3",
            "amendment_note": "Inschrijftermijn verlengd; minimaal drie partners.",
        },
    )
    versions = session.exec(select(QuestionDocument).order_by(QuestionDocument.version)).all()
    assert [v.version for v in versions] == [1, 2]
    assert versions[1].sha256 != versions[0].sha256
    assert versions[1].amendment_note == "Inschrijftermijn verlengd; minimaal drie partners."
    mail = session.exec(select(OutboxMessage)).all()
    assert [m.to_address for m in mail] == [member.email]
    assert "Amendment 1" in mail[0].subject or "Wijziging 1" in mail[0].subject
    public = client.get(f"/tenders/{published.reference}").text
    assert "Inschrijftermijn verlengd" in public and versions[1].sha256 in public


def test_amendment_cannot_move_a_deadline_into_the_past(logged_in, official, published, session):
    client = logged_in(official)
    token = form_token(client.get(f"/cases/{published.id}/tender"))
    response = client.post(
        f"/cases/{published.id}/procedure",
        data={
            "csrf_token": token,
            "clarification_deadline": amsterdam(days=-2),
            "submission_deadline": amsterdam(days=-1),
            "min_partners": "2",
            "amendment_note": "Sneller.",
        },
        follow_redirects=True,
    )
    assert "cannot move a deadline into the past" in response.text
    assert len(session.exec(select(QuestionDocument)).all()) == 1


def test_nothing_changes_after_the_tender_closed(logged_in, official, published, session):
    published.state = "evaluation"
    session.commit()
    client = logged_in(official)
    token = form_token(client.get(f"/cases/{published.id}/tender"))
    response = client.post(
        f"/cases/{published.id}/criteria",
        data={"csrf_token": token, "name": "Laat", "weight": "1", "scale_max": "10", "amendment_note": "x"},
        follow_redirects=True,
    )
    assert "can no longer change" in response.text


def ask(client, case, question="Mag een coalitie ook uit één wijk komen?"):
    page = client.get(f"/tenders/{case.reference}")
    return client.post(
        f"/tenders/{case.reference}/questions",
        data={"csrf_token": form_token(page), "question": question},
        follow_redirects=True,
    )


def test_clarification_round_end_to_end_keeps_the_asker_anonymous(
    client, app, published, session, make_user, official, logged_in
):
    member = make_user(Role.coalition_member, name="Karim Ouali")
    member_client = app.test_client()
    from .conftest import login

    login(member_client, member)
    assert "Your question is received" in ask(member_client, published).text

    official_client = logged_in(official)
    page = official_client.get(f"/cases/{published.id}/clarifications")
    assert "Karim Ouali" in page.text  # the municipality sees the asker
    question_id = session.exec(select(AuditEvent).where(AuditEvent.action == "clarification_asked")).one()
    from tendering.models import Clarification

    clarification = session.exec(select(Clarification)).one()
    token = form_token(page)
    official_client.post(
        f"/cases/{published.id}/clarifications/{clarification.id}/answer",
        data={"csrf_token": token, "answer": "Ja, zolang de partners samen de hele gemeente bedienen."},
    )
    assert client.get(f"/tenders/{published.reference}/nota/1").status_code == 404  # not yet published
    official_client.post(f"/cases/{published.id}/notas", data={"csrf_token": token})

    public_nota = client.get(f"/tenders/{published.reference}/nota/1").text
    assert "Mag een coalitie ook uit één wijk komen?" in public_nota and "zolang de partners" in public_nota
    assert "Karim Ouali" not in public_nota and member.email not in public_nota
    tender_page = client.get(f"/tenders/{published.reference}").text
    assert "Karim Ouali" not in tender_page and "/nota/1" in tender_page
    pdf = client.get(f"/tenders/{published.reference}/nota/1.pdf")
    assert "zolang de partners" in " ".join(pdf_text(pdf.data).split())
    assert question_id.actor_id == member.id  # the internal audit trail knows


def test_questions_after_the_clarification_deadline_are_refused(app, published, session, make_user):
    from tendering.models import Clarification

    from .conftest import login

    published.clarification_deadline = utcnow() - timedelta(minutes=1)
    session.commit()
    member_client = app.test_client()
    login(member_client, make_user(Role.coalition_member))
    response = ask(member_client, published)
    assert "The deadline for clarification questions has passed" in response.text
    assert session.exec(select(Clarification)).all() == []


@pytest.mark.parametrize("role", roles_without(Capability.take_part_in_tender))
def test_only_coalition_members_ask_questions(app, published, make_user, role, session):
    from tendering.models import Clarification

    from .conftest import login

    other = app.test_client()
    login(other, make_user(role))
    page = other.get(f"/tenders/{published.reference}")
    response = other.post(
        f"/tenders/{published.reference}/questions",
        data={"csrf_token": form_token(page), "question": "Een vraag van tien tekens"},
    )
    assert response.status_code == 403
    assert session.exec(select(Clarification)).all() == []


def test_coalition_members_cannot_open_the_municipal_clarification_page(app, published, make_user):
    from .conftest import login

    member_client = app.test_client()
    login(member_client, make_user(Role.coalition_member))
    assert member_client.get(f"/cases/{published.id}/clarifications").status_code == 403


def test_organisation_registers_interest_on_the_public_board(app, client, published, make_user, session):
    from .conftest import login

    member_client = app.test_client()
    login(member_client, make_user(Role.coalition_member))
    page = member_client.get(f"/tenders/{published.reference}")
    member_client.post(
        f"/tenders/{published.reference}/interest",
        data={"csrf_token": form_token(page), "offer": "Een kantine en 40 vrijwilligers."},
    )
    assert "Een kantine en 40 vrijwilligers." in client.get(f"/tenders/{published.reference}").text
    assert len(session.exec(select(Interest)).all()) == 1
