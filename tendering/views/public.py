from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import select

from ..access import Capability, allows, may, public
from ..core import db
from ..models import Case
from ..open_data import releases
from ..procurement import award
from ..question import clarifications, public_status, question_document, tender_setup
from ..question.cases import open_tenders, outcomes_of, was_published
from ..realisation import agreement
from ..web import fragments
from ..web.forms import CoalitionForm, InterestForm, QuestionForm
from ..workflow.engine import catch_up

bp = Blueprint("public", __name__)


@bp.get("/")
@public
def home():
    page = max(request.args.get("page", 1, type=int), 1)  # past the last page: the service shows the last

    def body():
        board = open_tenders(db.session(), page)
        return render_template("public/_home.html", board=board), board.next_deadline

    return render_template("public/home.html", body=fragments.cached("tenders", (page,), body))


def published_case(reference: str) -> Case:
    """The case behind a public page: published, with due time-driven steps applied."""
    session = db.session()
    case = session.exec(select(Case).where(Case.reference == reference)).first()
    if case is None or not was_published(session, case):
        abort(404)
    catch_up(case)
    return case


def _json(text: str, *, immutable: bool = False) -> Response:
    response = Response(text, mimetype="application/json")
    if immutable:  # a release never changes: any cache may keep it
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


def _published(case_id: int) -> Case:
    """A published case, with due time-driven steps applied (as on its public page)."""
    session = db.session()
    case = session.get(Case, case_id)
    if case is None or not was_published(session, case):
        abort(404)
    catch_up(case)
    return case


@bp.get("/ocds/<int:case_id>.json")
@public
def ocds_package(case_id: int):
    """A published case's releases as an Open Contracting Data Standard release package."""
    case = _published(case_id)
    return _json(releases.package(releases.releases_of(db.session(), case), releases.package_uri(case)))


@bp.get("/ocds/<int:case_id>/record.json")
@public
def ocds_record(case_id: int):
    """A published case's OCDS record: its releases, linked, and the compiled release."""
    case = _published(case_id)
    return _json(releases.record_package(releases.releases_of(db.session(), case), case))


@bp.get("/ocds/releases/<release_id>.json")
@public
def ocds_release(release_id: str):
    """One release, byte for byte as it was stored when its event happened."""
    stored = releases.release(db.session(), release_id)
    if stored is None:
        abort(404)
    return _json(stored.body, immutable=True)


@bp.get("/ocds/all.json")
@public
def ocds_all():
    """Every release of every published case, in pages of release packages linked to each other (the bulk
    download); past the last page, and before anything is published, there is none."""
    page = max(request.args.get("page", 1, type=int), 1)
    found, more = releases.page_of_all(db.session(), page)
    if not found:
        abort(404)
    links = {"next": releases.package_uri(None, page + 1)} if more else {}
    if page > 1:
        links["prev"] = releases.package_uri(None, page - 1)
    return _json(releases.package(found, releases.package_uri(None, page), links))


@bp.get("/tenders/<reference>")
@public
def tender(reference: str):
    session = db.session()
    case = published_case(reference)
    is_member = may("take_part_in_tender")
    versions = question_document.versions(session, case)
    return render_template(
        "public/tender.html",
        case=case,
        outcomes=outcomes_of(session, case),
        document=versions[-1],
        versions=versions,
        notas=clarifications.notas_of(session, case),
        interests=tender_setup.interests_of(session, case),
        own_questions=clarifications.own_questions(session, case, current_user) if is_member else [],
        is_member=is_member,
        question_form=QuestionForm(),
        interest_form=InterestForm(),
        coalition_form=CoalitionForm(),
        notice=award.public_notice(session, case),
        concluded=agreement.concluded(session, case),
        status=public_status.status_of(session, case),
    )


def _document(case: Case, version: int | None):
    session = db.session()
    versions = question_document.versions(session, case)
    document = versions[-1] if version is None else next((d for d in versions if d.version == version), None)
    if document is None:
        abort(404)
    return document


@bp.get("/tenders/<reference>/document")
@public
def document(reference: str):
    case = published_case(reference)
    return render_template(
        "documents/page.html", case=case, document=_document(case, request.args.get("version", type=int)), pdf=False
    )


@bp.get("/tenders/<reference>/document.pdf")
@public
def document_pdf(reference: str):
    case = published_case(reference)
    doc = _document(case, request.args.get("version", type=int))
    pdf = question_document.to_pdf(render_template("documents/page.html", case=case, document=doc, pdf=True))
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{case.reference}-vraagdocument-v{doc.version}.pdf"'},
    )


@bp.get("/tenders/<reference>/agreement")
@bp.get("/tenders/<reference>/agreement.pdf", endpoint="agreement_pdf", defaults={"pdf": True})
@public
def agreement_document(reference: str, pdf: bool = False):
    """The concluded agreement's public version, linked from the open data."""
    session = db.session()
    case = published_case(reference)
    concluded = agreement.concluded(session, case)
    if concluded is None:
        abort(404)
    body = render_template("agreement/document.html", **agreement.public_document_context(session, case, concluded))
    html = render_template("agreement/page.html", case=case, agreement=concluded, body=body, pdf=pdf, public=True)
    if not pdf:
        return html
    return Response(
        question_document.to_pdf(html),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="overeenkomst-{case.reference}-openbaar.pdf"'},
    )


def _nota(reference: str, number: int):
    case = published_case(reference)
    answers = clarifications.notas_of(db.session(), case).get(number)
    if not answers:
        abort(404)
    return case, answers


@bp.get("/tenders/<reference>/nota/<int:number>")
@public
def nota(reference: str, number: int):
    case, answers = _nota(reference, number)
    return render_template("documents/nota.html", case=case, number=number, answers=answers, pdf=False)


@bp.get("/tenders/<reference>/nota/<int:number>.pdf")
@public
def nota_pdf(reference: str, number: int):
    case, answers = _nota(reference, number)
    pdf = question_document.to_pdf(
        render_template("documents/nota.html", case=case, number=number, answers=answers, pdf=True)
    )
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{case.reference}-nota-{number}.pdf"'},
    )


@bp.post("/tenders/<reference>/questions")
@allows(Capability.take_part_in_tender)
def ask_question(reference: str):
    case = published_case(reference)
    form = QuestionForm()
    if form.validate_on_submit():
        clarifications.ask(db.session(), case, actor=current_user, question=form.question.data)
        flash(
            _("Your question is received. The answer will be published to everyone; your name is not shown."), "success"
        )
    else:
        flash(_("Write out your question (at least 10 characters)."), "error")
    return redirect(url_for(".tender", reference=reference) + "#questions")


@bp.post("/tenders/<reference>/interest")
@allows(Capability.take_part_in_tender)
def register_interest(reference: str):
    case = published_case(reference)
    form = InterestForm()
    if form.validate_on_submit():
        tender_setup.register_interest(db.session(), case, actor=current_user, offer=form.offer.data)
        flash(_("Your organisation is on the interest board."), "success")
    else:
        flash(_("Say what your organisation can bring."), "error")
    return redirect(url_for(".tender", reference=reference) + "#interest")
