"""The question document: generated from the case, frozen at publication.

Version 1 is frozen when the tender is published; each amendment freezes the
next version. A frozen version is rendered in Dutch, whoever publishes, and its
SHA-256 is taken over the stored HTML, so anyone can check it later.
"""

import hashlib
import io
from itertools import groupby
from pathlib import Path

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func
from sqlmodel import Session, select

from ..core import audit
from ..core.characters import xml_safe
from ..models import (
    AwardCriterion,
    Case,
    Framework,
    Outcome,
    QuestionDocument,
    User,
    utcnow,
)
from ..notifications import Kind, link_to, notify
from ..notifications import recipients as notification_recipients
from ..procurement import stages
from ..workflow.effects import effect

DOCUMENT_LOCALE = "nl"


def document_context(session: Session, case: Case) -> dict:
    """Everything the document shows, in a fixed order, in three queries."""
    frameworks = session.exec(
        select(Framework).where(Framework.case_id == case.id).order_by(Framework.kind, Framework.id)
    ).all()
    criteria = list(
        session.exec(
            select(AwardCriterion)
            .where(AwardCriterion.case_id == case.id)
            .order_by(AwardCriterion.position, AwardCriterion.id)
        ).all()
    )
    return {
        "case": case,
        "outcomes": session.exec(
            select(Outcome).where(Outcome.case_id == case.id).order_by(Outcome.position, Outcome.id)
        ).all(),
        "frameworks": {kind: list(rows) for kind, rows in groupby(frameworks, key=lambda f: f.kind)},
        "criteria": criteria,
        # One group, or in the two-stage variant the strategy's and the realisation plan's criteria.
        "criteria_groups": stages.criteria_groups(case, criteria),
        "two_stage": stages.two_stage(case),
    }


def render_body(session: Session, case: Case) -> str:
    """The document's HTML body, as it would be frozen now."""
    return render_template("documents/question_document.html", **document_context(session, case))


def versions(session: Session, case: Case) -> list[QuestionDocument]:
    return list(
        session.exec(
            select(QuestionDocument).where(QuestionDocument.case_id == case.id).order_by(QuestionDocument.version)
        ).all()
    )


def sha256_of(html: str) -> str:
    return hashlib.sha256(html.encode("utf-8")).hexdigest()


def freeze(session: Session, case: Case, *, actor: User | None, note: str = "") -> QuestionDocument:
    """Store the next version of the document with its hash."""
    with force_locale(DOCUMENT_LOCALE):
        html = render_body(session, case)
    current = session.exec(select(func.max(QuestionDocument.version)).where(QuestionDocument.case_id == case.id)).one()
    document = QuestionDocument(
        case_id=case.id,
        version=(current or 0) + 1,
        round=case.round,
        content_html=html,
        sha256=sha256_of(html),
        amendment_note=note,
        published_at=utcnow(),
        published_by_id=actor.id if actor else case.owner_id,
    )
    session.add(document)
    session.flush()
    audit.record(
        session,
        action="question_document_frozen",
        actor=actor,
        case=case,
        reason=note,
        details={"version": document.version, "sha256": document.sha256},
    )
    return document


@effect("freeze_question_document")
def freeze_on_publication(session: Session, case: Case, actor: User | None) -> None:
    """Workflow effect of `publish`: version 1 of the document; whoever stated an interest is told."""
    document = freeze(session, case, actor=actor)
    audience = notification_recipients.interested(session, case.id)
    notify(
        session,
        Kind.publication,
        users=audience.users,
        addresses=audience.addresses,
        case=case,
        template="publication",
        context={
            "title": case.title,
            "reference": case.reference,
            "version": document.version,
            "submission_deadline": case.submission_deadline,
            "link": link_to("public.tender", reference=case.reference),
        },
        default_locale=DOCUMENT_LOCALE,
    )


def publish_amendment(session: Session, case: Case, *, actor: User, note: str) -> QuestionDocument:
    """Freeze the amended document as the next version and tell every interested organisation."""
    document = freeze(session, case, actor=actor, note=note)
    audience = notification_recipients.interested(session, case.id)
    notify(
        session,
        Kind.amendment,
        users=audience.users,
        addresses=audience.addresses,
        case=case,
        template="amendment",
        context={
            "number": document.version - 1,
            "title": case.title,
            "reference": case.reference,
            "note": note,
            "version": document.version,
            "sha": document.sha256,
        },
        link=link_to("public.document", reference=case.reference),
        default_locale=DOCUMENT_LOCALE,
    )
    return document


STYLESHEET = Path(__file__).resolve().parents[2] / "static" / "css" / "document.css"


def to_pdf(html_page: str) -> bytes:
    """Render a complete HTML page to PDF with WeasyPrint; nothing is fetched."""
    from weasyprint import CSS, HTML

    return HTML(string=html_page).write_pdf(stylesheets=[CSS(filename=str(STYLESHEET))])


def to_docx(session: Session, case: Case) -> bytes:
    """An editable version of the document for the municipality's own editing.

    Every text goes through `xml_safe`: a control character typed before it was refused would otherwise make
    python-docx (lxml) refuse to write the file.
    """
    from docx import Document

    ctx = document_context(session, case)
    doc = Document()

    def heading(text: str, level: int) -> None:
        doc.add_heading(xml_safe(text), level=level)

    def paragraph(text: str, style: str | None = None) -> None:
        doc.add_paragraph(xml_safe(text), style=style)

    heading(case.title, 0)
    paragraph(case.reference)
    heading(_("The societal question"), 1)
    paragraph(case.question)
    for title, text in (
        (_("Context"), case.problem_analysis),
        (_("Signals"), case.signals),
        (_("Target group"), case.target_group),
        (_("Ambition"), case.ambition),
    ):
        if text:
            heading(title, 2)
            paragraph(text)
    heading(_("Desired outcomes"), 1)
    for outcome in ctx["outcomes"]:
        paragraph(
            outcome.description + (f" ({outcome.indicator_hint})" if outcome.indicator_hint else ""), "List Number"
        )
    heading(_("Frameworks"), 1)
    if case.budget_ceiling is not None:
        paragraph(_("Budget ceiling: %(amount)s euro", amount=f"{case.budget_ceiling:,.2f}"))
    for rows in ctx["frameworks"].values():
        for framework in rows:
            paragraph(framework.description, "List Bullet")
    heading(_("Award criteria"), 1)
    for group in ctx["criteria_groups"]:
        if group.heading:
            heading(group.heading, 2)
        table = doc.add_table(rows=1, cols=3)
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, (_("Criterion"), _("Weight"), _("Scale")), strict=True):
            cell.text = xml_safe(text)
        for criterion in group.criteria:
            row = table.add_row().cells
            row[0].text = xml_safe(criterion.name + (f": {criterion.description}" if criterion.description else ""))
            row[1].text = str(criterion.weight)
            row[2].text = f"0–{criterion.scale_max}"
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
