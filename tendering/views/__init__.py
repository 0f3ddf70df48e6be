"""Blueprints, and the one place where domain errors become responses."""

from urllib.parse import unquote_to_bytes, urlsplit

from flask import Flask, Request, flash, jsonify, make_response, redirect, render_template, request, url_for
from flask import session as http_session
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, IntegrityError
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import BadRequest, MethodNotAllowed, NotFound
from werkzeug.routing import IntegerConverter, ValidationError

from ..core import db
from ..core.characters import is_refused
from ..core.errors import DomainError
from ..web.forms import INT32_MAX
from . import (
    accountability,
    admin,
    agenda,
    agreement,
    api,
    auth,
    award,
    calendars,
    cases,
    coalitions,
    evaluation,
    finances,
    health,
    monitor,
    notifications,
    organisations,
    progress,
    public,
    reconsideration,
    reporting,
    sso,
    strategy,
    tender_box,
    workbench,
)

API_PREFIX = "/api/"


def register_blueprints(app: Flask) -> None:
    _guard_input(app)  # before the routes, so every <int:…> in them is bounded
    for module in (
        public,
        auth,
        sso,
        calendars,
        coalitions,
        organisations,
        cases,
        workbench,
        tender_box,
        evaluation,
        award,
        strategy,
        reconsideration,
        agreement,
        finances,
        reporting,
        progress,
        monitor,
        agenda,
        accountability,
        notifications,
        api,
        admin,
        health,
    ):
        app.register_blueprint(module.bp)


def safe_return_url(default_endpoint: str = "public.home") -> str:
    """The page the user came from, if it is on this site."""
    referrer = request.referrer or ""
    parts = urlsplit(referrer)
    if referrer and parts.netloc == request.host and parts.scheme in ("http", "https"):
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return url_for(default_endpoint)


# Input the database cannot hold never reaches a view -------------------------------------------------------------


class Int32Converter(IntegerConverter):
    """`<int:…>` for ids that fit the database's integer columns: a larger number names nothing, so it is a 404."""

    def __init__(
        self, url_map, fixed_digits: int = 0, min: int | None = None, max: int = INT32_MAX, signed: bool = False
    ):
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)

    def to_python(self, value: str):
        if len(value.lstrip("-0")) > len(str(INT32_MAX)):  # also spares int() a number thousands of digits long
            raise ValidationError()
        return super().to_python(value)


def bounded_int(value) -> int:
    """`int(value)` for a number the database can hold; a larger one names nothing (404)."""
    number = int(value)
    if not -INT32_MAX - 1 <= number <= INT32_MAX:
        raise NotFound()
    return number


class Parameters(ImmutableMultiDict):
    """Query and form parameters whose `get(…, type=int)` gives only numbers the database can hold."""

    def get(self, key, default=None, type=None):  # noqa: A002  (Werkzeug's signature)
        return super().get(key, default, bounded_int if type is int else type)


class BoundedRequest(Request):
    parameter_storage_class = Parameters


class RefusedCharacters(BadRequest):
    """Text holding NUL, another control character or bytes that are not UTF-8: nothing is stored (400)."""

    @property
    def message(self) -> str:
        return _(
            "What you sent contains a character that is not allowed: a control character, a NUL byte or text that "
            "is not UTF-8. Remove it (or type the text again) and try again; nothing was saved."
        )


class RefusedNumber(BadRequest):
    """A JSON number too large for any number the app computes with (it cannot even be a float): nothing is stored."""

    @property
    def message(self) -> str:
        return _("A number in the request is too large.")


def _leaves(value):
    """Every string and number in a JSON value, keys included."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item)
    else:
        yield value


def _fits_a_float(value) -> bool:
    try:
        float(value)
    except OverflowError:
        return False
    return True


def _sent_texts():
    """Everything a user can type into a request: URL parts, query, form fields, file names and JSON strings."""
    yield from (v for v in (request.view_args or {}).values() if isinstance(v, str))
    for parameters in (request.args, request.form):
        for key, values in parameters.lists():
            yield key
            yield from values
    for key, upload in request.files.items(multi=True):
        yield key
        yield upload.filename or ""
    if request.is_json:
        yield from (v for v in _leaves(request.get_json(silent=True)) if isinstance(v, str))


RAW_CHECK_LIMIT = 2_000_000  # a larger form is refused by Werkzeug's own limit on form memory


def _raw_is_utf8() -> bool:
    """Werkzeug keeps an escape like `%FF` that is not UTF-8 as the literal text "%FF", so the raw query and
    form body are checked; in a multipart body such bytes become U+FFFD, which `is_refused` finds."""
    raw = [request.query_string]
    if request.mimetype == "application/x-www-form-urlencoded" and (request.content_length or 0) <= RAW_CHECK_LIMIT:
        raw.append(request.get_data(cache=True))  # Werkzeug parses the form from this cached copy
    try:
        for part in raw:
            unquote_to_bytes(part).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def refuse_bad_characters():
    """One check for every route, so no view has to remember it: refuse, rather than strip, since a changed
    text would be stored without the user knowing, and a password or a reference would silently become another."""
    if not _raw_is_utf8() or any(is_refused(text) for text in _sent_texts()):
        raise RefusedCharacters()
    if request.is_json and not all(_fits_a_float(v) for v in _leaves(request.get_json(silent=True)) if type(v) is int):
        raise RefusedNumber()


def _guard_input(app: Flask) -> None:
    app.url_map.converters["int"] = Int32Converter
    app.request_class = BoundedRequest
    # First of all, before the CSRF check parses the form and the raw body can no longer be read.
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_bad_characters)


# Errors ------------------------------------------------------------------------------------------------------------------


def _answer(status: int, message: str, headers: dict | None = None):
    """An error as JSON under the API (its documented `Error` shape) and as a page everywhere else."""
    if request.path.startswith(API_PREFIX):
        response = jsonify({"error": message})
    else:
        response = make_response(render_template("errors/error.html", message=message))
    response.status_code = status
    response.headers.update(headers or {})
    return response


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        """Refusals of a rule go back to the form with the reasons; access and existence answer with their status.
        Nothing of a refused request is kept: its work is dropped first, so the page can be drawn from clean data."""
        db.discard_request_work()
        if request.method == "POST" and error.status_code not in (403, 404):
            flash(error.message, "error")
            for reason in error.reasons:
                flash(reason, "reason")
            return redirect(safe_return_url())
        return render_template("errors/error.html", message=error.message), error.status_code

    @app.errorhandler(CSRFError)
    def csrf_error(_error):
        return _answer(400, _("The form has expired or was not sent from this site. Reload the page and try again."))

    @app.errorhandler(RefusedCharacters)
    @app.errorhandler(RefusedNumber)
    def refused_input(error: RefusedCharacters | RefusedNumber):
        return _answer(400, error.message)

    @app.errorhandler(IntegrityError)
    @app.errorhandler(DBAPIError)
    def lost_race(error: DBAPIError):
        """The database refused a write another request made impossible a moment earlier (a unique index, a
        serialisation failure, a lock it waited on too long): nothing of this request is stored, and the user is
        told to reload rather than shown a 500. Any other database error stays a 500."""
        if not (isinstance(error, IntegrityError) or _is_contention(error)):
            raise error
        db.discard_request_work()
        http_session.pop("_flashes", None)  # a "saved" message the view flashed before the commit failed is not true
        app.logger.warning("write refused by the database (%s %s): %s", request.method, request.path, error.orig)
        return _answer(
            409, _("Someone else changed this at the same moment, so nothing was saved. Reload the page and try again.")
        )

    for status, text in (
        (400, _l("The request could not be understood.")),
        (401, _l("You need to log in for this.")),
        (403, _l("You do not have access to this page.")),
        (404, _l("This page does not exist.")),
        (405, _l("This action is not possible here.")),
        (413, _l("The upload is too large.")),
        (429, _l("Too many attempts. Wait a moment and try again.")),
        (500, _l("Something went wrong on our side. The error has been logged.")),
    ):
        app.register_error_handler(status, _error_page(status, text))


CONTENTION = ("40001", "40P01", "55P03")  # PostgreSQL: serialization failure, deadlock, lock not available


def _is_contention(error: DBAPIError) -> bool:
    """Two writers got in each other's way, on PostgreSQL or SQLite, as opposed to a broken query or database."""
    code = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
    return code in CONTENTION or "database is locked" in str(error.orig)


def _error_page(status: int, text):
    def handler(error):
        headers = {}
        if isinstance(error, MethodNotAllowed) and error.valid_methods:
            headers["Allow"] = ", ".join(sorted(error.valid_methods))
        return _answer(status, str(text), headers)

    return handler
