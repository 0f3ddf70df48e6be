"""Fixtures. The schema comes from the Alembic migrations, never create_all, so
the tests prove the migrations too. Set TEST_DATABASE_URL to a PostgreSQL URL
to run the whole suite on PostgreSQL; SQLite files are used otherwise. Under
pytest-xdist each worker has a PostgreSQL database of its own, named after the
worker (tendering_test_gw0, ...), created when missing."""

import os
import re
import shutil
import tempfile
from datetime import timedelta

import pytest

# The job queue of a test run is its own, never the developer's instance/jobs.sqlite3 (set before tendering.jobs
# makes its Huey instance, at import).
os.environ.setdefault("JOBS_SQLITE_PATH", os.path.join(tempfile.mkdtemp(prefix="tendering-jobs-"), "jobs.sqlite3"))

from sqlalchemy import create_engine, make_url, text
from sqlmodel import Session, SQLModel

from tendering import create_app, migrate
from tendering.core.config import ROOT
from tendering.core.db import make_engine
from tendering.models import Organisation, OrganisationKind, Role, utcnow
from tendering.parties.users import create_user
from tendering.question.cases import CaseFields, open_case

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
ON_POSTGRES = TEST_DATABASE_URL.startswith("postgresql")
PASSWORD = "correct horse battery staple"
# scrypt at 1/32 of werkzeug's cost: hashing was half the time of a test (see `users.hash_password`).
TEST_PASSWORD_HASH = "scrypt:1024:8:1"


def _worker_database(url: str) -> str:
    """This xdist worker's own PostgreSQL database beside `url`, created when missing; `url` itself without xdist."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    parsed = make_url(url)
    name = f"{parsed.database}_{worker}"
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if not connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}).first():
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def template_database(tmp_path_factory):
    """Migrate once per run: a template SQLite file, or the PostgreSQL schema."""
    if ON_POSTGRES:
        url = _worker_database(TEST_DATABASE_URL)
        engine = make_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        migrate.upgrade(engine)
        engine.dispose()
        return url
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


def _empty_postgres(url: str) -> None:
    """Every table emptied and every sequence restarted, as a fresh migration leaves them. DELETE, not one TRUNCATE
    of all tables, which took ten times as long; the append-only audit log refuses DELETE, so it is truncated."""
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("TRUNCATE audit_events"))
        for table in reversed(SQLModel.metadata.sorted_tables):
            if table.name != "audit_events":
                connection.execute(table.delete())
        connection.execute(
            text(
                "SELECT setval(format('%I.%I', schemaname, sequencename)::regclass, 1, false) "
                "FROM pg_sequences WHERE schemaname = 'public' AND last_value IS NOT NULL"
            )
        )
    engine.dispose()


@pytest.fixture
def database_url(template_database, tmp_path):
    if ON_POSTGRES:
        _empty_postgres(template_database)
        return template_database
    path = tmp_path / "test.sqlite3"
    shutil.copy(template_database, path)
    return f"sqlite:///{path}"


@pytest.fixture
def test_config(database_url, tmp_path):
    return {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret",
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "RATELIMIT_STORAGE_URI": "memory://",
        "LOGIN_RATE_LIMIT": "1000 per minute",  # the throttle has tests of its own
        # Assertions read like the English msgids; tests/test_i18n.py covers Dutch.
        "BABEL_DEFAULT_LOCALE": "en",
        "PASSWORD_HASH_METHOD": TEST_PASSWORD_HASH,
    }


@pytest.fixture
def app(test_config):
    app = create_app(test_config)
    yield app
    app.extensions["db_engine"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def session(test_config):
    """The test's own session for setting up and checking data.

    It lives in the context of a second app instance on the same database:
    Flask reuses a pushed context of the *same* app for test-client requests,
    which would share `g` (the request's session, the CSRF token) between them.
    """
    setup_app = create_app(test_config)
    with setup_app.app_context():
        with Session(setup_app.extensions["db_engine"], expire_on_commit=False) as db_session:
            yield db_session
    setup_app.extensions["db_engine"].dispose()


@pytest.fixture
def organisation(session):
    org = Organisation(name="Buurtinitiatief Samen Oud", kind=OrganisationKind.resident_initiative)
    session.add(org)
    session.commit()
    return org


@pytest.fixture
def make_user(session, organisation):
    def make(role: Role = Role.official, name: str | None = None, email: str | None = None, org=None):
        count = make.count = getattr(make, "count", 0) + 1
        user = create_user(
            session,
            email=email or f"{role.value}{count}@example.org",
            name=name or f"{role.value.replace('_', ' ').title()} {count}",
            password=PASSWORD,
            role=role,
            organisation_id=(org or organisation).id if role == Role.coalition_member else None,
        )
        session.commit()
        return user

    return make


@pytest.fixture
def official(make_user):
    return make_user(Role.official, name="Fatima El Amrani")


@pytest.fixture
def make_case(session, official):
    def make(title="Gelukkig oud", workflow="social_tender", state=None, owner=None, **fields):
        case = open_case(
            session,
            actor=owner or official,
            fields=CaseFields(
                title=title,
                question=fields.pop("question", "Wie helpt ons om ouderen gelukkig oud te laten worden?"),
                **fields,
            ),
            workflow=workflow,
        )
        if state is not None:  # test set-up only: put the case straight into a phase
            case.state = state
        session.commit()
        return case

    return make


def roles_without(capability) -> list[Role]:
    """The roles the access policy grants `capability` to none of (docs/access.md), for "the others are refused" tests."""
    from tendering.access import POLICY

    return [role for role in Role if role not in POLICY[capability].grants]


def csrf_token(client) -> str:
    return form_token(client.get("/login"))


def form_token(response) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', response.text)
    assert match, "no CSRF token on the page"
    return match.group(1)


def login(client, user, password: str = PASSWORD):
    response = client.post("/login", data={"email": user.email, "password": password, "csrf_token": csrf_token(client)})
    assert response.status_code == 302, response.text
    return response


@pytest.fixture
def logged_in(client):
    def as_user(user):
        login(client, user)
        return client

    return as_user


def future(days: float = 7):
    return utcnow() + timedelta(days=days)


def past(days: float = 1):
    return utcnow() - timedelta(days=days)


@pytest.fixture(scope="session", autouse=True)
def compiled_translations():
    """Compile the .po catalogues, as `make install` does, so a bare pytest works too."""
    from babel.messages.frontend import CommandLineInterface

    CommandLineInterface().run(["pybabel", "-q", "compile", "-d", str(ROOT / "tendering" / "translations")])


from .agenda_helpers import kept  # noqa: E402,F401  (an agenda with values, for its tests)
from .agreement_helpers import designed  # noqa: E402,F401  (an agreement being designed, for its tests)
from .evaluation_helpers import evaluated, opened  # noqa: E402,F401  (fixtures shared by the evaluation and award tests)
from .monitoring_helpers import realised  # noqa: E402,F401  (a case in realisation, for the monitoring tests)
from .proposal_helpers import drafting  # noqa: E402,F401  (a fixture shared by the proposal tests)
from .seal_helpers import sealed, sealed_plans  # noqa: E402,F401  (sealed bids and plans, for the seal and race tests)
from .smtp_helpers import smtp_server  # noqa: E402,F401  (a real SMTP server on 127.0.0.1, for mail tests)
