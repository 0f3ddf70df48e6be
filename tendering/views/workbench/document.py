"""The workbench: the question document."""

from flask import Response, render_template, request
from flask_babel import gettext as _

from ...access import Capability, allows
from ...core import db
from ...core.errors import NotFound
from ...models import Case
from ...question import question_document
from . import bp, page


@bp.get("/document")
@allows(Capability.read_cases)
def document_page(case: Case):
    session = db.session()
    return page("workbench/document.html", case, versions=question_document.versions(session, case))


@bp.get("/document/preview")
@allows(Capability.read_cases)
def document_preview(case: Case):
    session = db.session()
    return _document_page_html(session, case, None, pdf=False)


def _document_page_html(session, case, version: int | None, *, pdf: bool) -> str:
    document = None
    if version is not None:
        document = next((d for d in question_document.versions(session, case) if d.version == version), None)
        if document is None:
            raise NotFound(_("This version does not exist."))
    body = None if document else question_document.render_body(session, case)
    return render_template("documents/page.html", case=case, document=document, body=body, pdf=pdf)


@bp.get("/document.pdf")
@allows(Capability.read_cases)
def document_pdf(case: Case):
    session = db.session()
    version = request.args.get("version", type=int)
    pdf = question_document.to_pdf(_document_page_html(session, case, version, pdf=True))
    name = f"{case.reference}-vraagdocument{'-v%d' % version if version else '-concept'}.pdf"
    return Response(pdf, mimetype="application/pdf", headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/document.docx")
@allows(Capability.read_cases)
def document_docx(case: Case):
    session = db.session()
    return Response(
        question_document.to_docx(session, case),
        mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        headers={"Content-Disposition": f'attachment; filename="{case.reference}-vraagdocument.docx"'},
    )
