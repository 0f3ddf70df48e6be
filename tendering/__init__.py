"""tendering: the workflow engine for maatschappelijk aanbesteden."""

from pathlib import Path

from flask import Flask

from . import cli, config, db, fragments, i18n, security
from .views import register_blueprints, register_error_handlers
from .workflow.definitions import load_workflows


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(config.from_environment(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)
    # Fail at start-up, not mid-case, when a workflow file is inconsistent.
    load_workflows(app.config["WORKFLOWS_DIR"])
    db.init_app(app)
    fragments.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    register_blueprints(app)
    register_error_handlers(app)
    cli.init_app(app)
    return app
