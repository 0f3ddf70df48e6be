"""Blueprints, and the one place where domain errors become responses."""

from urllib.parse import urlsplit

from flask import Flask, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError

from ..errors import DomainError
from . import (
    accountability,
    admin,
    agreement,
    api,
    auth,
    award,
    cases,
    coalitions,
    evaluation,
    health,
    monitor,
    progress,
    public,
    reporting,
    tender_box,
    workbench,
)


def register_blueprints(app: Flask) -> None:
    for module in (public, auth, coalitions, cases, workbench, tender_box, evaluation, award, agreement, reporting, progress,
                   monitor, accountability, api, admin, health):
        app.register_blueprint(module.bp)


def safe_return_url(default_endpoint: str = "public.home") -> str:
    """The page the user came from, if it is on this site."""
    referrer = request.referrer or ""
    parts = urlsplit(referrer)
    if referrer and parts.netloc == request.host and parts.scheme in ("http", "https"):
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return url_for(default_endpoint)


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        """Refusals of a rule go back to the form with the reasons; access and existence answer with their status."""
        if request.method == "POST" and error.status_code not in (403, 404):
            flash(error.message, "error")
            for reason in error.reasons:
                flash(reason, "reason")
            return redirect(safe_return_url())
        return render_template("errors/error.html", message=error.message), error.status_code

    @app.errorhandler(CSRFError)
    def csrf_error(_error):
        message = _("The form has expired or was not sent from this site. Reload the page and try again.")
        return render_template("errors/error.html", message=message), 400

    for status, text in (
        (400, _l("The request could not be understood.")),
        (403, _l("You do not have access to this page.")),
        (404, _l("This page does not exist.")),
        (405, _l("This action is not possible here.")),
        (413, _l("The upload is too large.")),
        (429, _l("Too many attempts. Wait a moment and try again.")),
        (500, _l("Something went wrong on our side. The error has been logged.")),
    ):
        app.register_error_handler(status, _error_page(status, text))


def _error_page(status: int, text):
    def handler(_error):
        return render_template("errors/error.html", message=str(text)), status

    return handler
