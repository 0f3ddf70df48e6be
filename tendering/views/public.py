from flask import Blueprint, abort, render_template
from sqlmodel import select

from .. import db
from ..cases import open_tenders, outcomes_of, was_published
from ..models import Case
from ..workflow.engine import apply_due_steps

bp = Blueprint("public", __name__)


@bp.get("/")
def home():
    return render_template("public/home.html", tenders=open_tenders(db.session()))


@bp.get("/tenders/<reference>")
def tender(reference: str):
    session = db.session()
    case = session.exec(select(Case).where(Case.reference == reference)).first()
    if case is None:
        abort(404)
    if apply_due_steps(session, case):
        db.commit()
    if not was_published(session, case):
        abort(404)
    return render_template("public/tender.html", case=case, outcomes=outcomes_of(session, case))
