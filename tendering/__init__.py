"""tendering: the workflow engine for maatschappelijk aanbesteden."""

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import access, cli
from .core import config, db, i18n
from .procurement import stages
from .views import loaders, register_blueprints, register_error_handlers
from .web import fragments, security, tabular
from .workflow.definitions import load_workflows
from .workflow.phases import accepting_proposals, in_phase


def create_app(test_config: dict | None = None) -> Flask:
    app = db.TenderingFlask(
        __name__,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(config.from_environment(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)
    if app.config["PROXY_COUNT"] > 0:
        # Behind that many trusted proxies, the client's address and scheme come from their X-Forwarded-For and
        # -Proto headers (the rightmost entries, added by our own proxies); with none configured those headers are
        # ignored, so nobody can claim another address by sending one. X-Forwarded-Host is not trusted: links in
        # mails are built from the host, and a proxy that passes the header on would let a visitor choose it.
        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)
    # Fail at start-up, not mid-case, when a workflow file is inconsistent.
    load_workflows(app.config["WORKFLOWS_DIR"])
    # Templates ask the phase the same way services do (tendering/workflow/phases.py).
    # and who may do what the same way too (tendering/access.py).
    app.jinja_env.globals.update(
        in_phase=in_phase,
        accepting_proposals=accepting_proposals,
        is_two_stage=stages.two_stage,
        may=access.may,
        export_links=tabular.export_links,
    )
    db.init_app(app)
    fragments.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    register_blueprints(app)
    loaders.init_app(app)
    register_error_handlers(app)
    cli.init_app(app)
    return app
