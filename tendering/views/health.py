from flask import Blueprint, jsonify, render_template
from sqlalchemy import func, text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import select

from ..access import public
from ..core import db
from ..models import Case

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@public
def healthz():
    try:
        with db.engine().connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok", dialect=db.engine().dialect.name)


@bp.get("/baseline")
@public
def baseline():
    """The benchmark's yardstick: one query and one small template, through the same app and middleware."""
    count = db.session().exec(select(func.count()).select_from(Case)).one()
    return render_template("baseline.html", count=count)
