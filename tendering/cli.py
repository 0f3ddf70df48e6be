"""Command-line tasks: `flask --app wsgi init-db | create-user | tick | jobs | serve | seed-demo`."""

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import text
from sqlmodel import Session

from . import migrate
from .core import db
from .core.errors import DomainError
from .models import Role


def init_app(app: Flask) -> None:
    for command in (init_db, create_user, tick, jobs, serve, seed_demo, export_ocds, generate_data, access_table):
        app.cli.add_command(command)


@click.command("init-db")
@with_appcontext
def init_db():
    """Create or upgrade the database schema to the newest migration, and store the open-data releases of cases
    published before releases were stored."""
    from .open_data import releases

    migrate.upgrade(db.engine())
    with Session(db.engine()) as session:
        backfilled = releases.backfill(session)
        db.commit(session)
    click.echo(f"Database at head ({db.engine().url.render_as_string(hide_password=True)}).")
    if backfilled:
        click.echo(f"Open-data releases stored for {backfilled} published case(s).")


@click.command("create-user")
@with_appcontext
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--organisation-id", type=int, default=None)
@click.password_option()
def create_user(email, name, role, organisation_id, password):
    """Create a user account."""
    from .parties.users import create_user as create

    with Session(db.engine()) as session:
        try:
            user = create(
                session, email=email, name=name, password=password, role=Role(role), organisation_id=organisation_id
            )
        except DomainError as error:
            raise click.ClickException(error.message) from None
        session.commit()
        click.echo(f"Created {user.email} ({user.role.value}).")


@click.command("tick")
@with_appcontext
def tick():
    """Apply time-driven steps (deadlines passed) and deliver queued mail; safe to run often. A job consumer does
    this every minute by itself (`flask jobs`); this is for operators and cron without one."""
    from .jobs.tasks import tick as run_tick

    done = run_tick()
    failed = f", {done.delivery.failed} failed (kept for a later attempt)" if done.delivery.failed else ""
    click.echo(f"{done.fired} time-driven step(s) applied, {done.delivery.sent} message(s) sent{failed}.")


def _consumer(workers: int, periodic: bool):
    """A Huey consumer of the app's queue, running its tasks in this app (one app per consumer process)."""
    from .jobs import enqueue, huey, use_app
    from .jobs.tasks import every_minute

    use_app(current_app._get_current_object())
    if periodic:
        enqueue(every_minute)  # catch up at once on what waited while no consumer ran, not at the next minute
    return huey.create_consumer(
        workers=workers, periodic=periodic, worker_type="thread", max_delay=2, shutdown_timeout=30
    )


@click.command("jobs")
@with_appcontext
@click.option("--workers", type=click.IntRange(min=1, max=64), default=2, show_default=True)
@click.option(
    "--periodic/--no-periodic",
    default=True,
    show_default=True,
    help="Also run the per-minute tick. Several consumers may; one suffices.",
)
def jobs(workers, periodic):
    """Run a job consumer until stopped: SIGINT lets running jobs finish, SIGTERM stops at once (a delivery cut
    short is taken over when its claim expires). Start as many as needed, on as many machines, against the same
    Redis (JOBS_REDIS_URL or REDIS_URL); the same as `huey_consumer tendering.jobs.huey -k thread`."""
    import logging

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    _consumer(workers, periodic).run()


@click.command("serve")
@with_appcontext
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=5000, show_default=True)
@click.option("--workers", type=click.IntRange(min=1, max=16), default=1, show_default=True, help="Job workers.")
def serve(host, port, workers):
    """The development server with a job consumer in the same process (`make run`): mail goes out and deadlines
    pass with nothing else to start, and stopping the server stops the consumer with it. Production runs gunicorn
    and `flask jobs` apart."""
    from werkzeug.serving import run_simple

    consumer = _consumer(workers, periodic=True)
    consumer._set_signal_handlers = lambda: None  # the web server's process: Ctrl-C stops the server
    consumer.start()
    try:
        run_simple(host, port, current_app._get_current_object(), threaded=True, use_reloader=False)
    finally:
        consumer.stop(graceful=True)


@click.command("seed-demo")
@with_appcontext
def seed_demo():
    """Load a demo municipality with users for every role and cases in several phases."""
    from .demo.demo import seed

    # Letters and mails link back to the site: build those links against PUBLIC_URL.
    with Session(db.engine()) as session, current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
        logins = seed(session)
        session.commit()
    if not logins:
        click.echo("Demo data is already present; nothing changed.")
        return
    click.echo("Demo logins (demo only; change or remove before real use):")
    for email, password, role in logins:
        click.echo(f"  {role:<17} {email:<32} {password}")


@click.command("export-ocds")
@with_appcontext
@click.option(
    "--case", "case_ids", type=int, multiple=True, help="A case id; repeat for more. Default: every published case."
)
@click.option(
    "--output", type=click.File("w", encoding="utf-8"), default="-", help="A file to write; default standard output."
)
def export_ocds(case_ids, output):
    """Write the releases of published cases as one OCDS 1.1 release package (JSON)."""
    from sqlmodel import select

    from .models import Case, OcdsRelease
    from .open_data import releases

    with Session(db.engine()) as session:
        releases.backfill(session)
        db.commit(session)
        statement = select(OcdsRelease).order_by(OcdsRelease.id)
        if case_ids:
            if not session.exec(select(Case.id).where(Case.id.in_(case_ids))).first():
                raise click.ClickException("No such case.")
            statement = statement.where(OcdsRelease.case_id.in_(case_ids))
        found = list(session.exec(statement).all())
        if not found:
            raise click.ClickException("No published case has open data yet.")
        text = releases.package(found, releases.package_uri(None))
    output.write(text)
    output.write("\n")


@click.command("generate-data")
@with_appcontext
@click.option(
    "--scale",
    type=click.FloatRange(min=0.01, max=100),
    default=1.0,
    show_default=True,
    help="1 is about 100 cases, 500 organisations, 2,000 indicators and 50,000 measurements.",
)
@click.option("--seed", type=int, default=20261122, show_default=True, help="The same seed gives the same data.")
def generate_data(scale, seed):
    """Fill the database with synthetic cases for benchmarks, through the same services and rules."""
    from .demo import synthetic

    with Session(db.engine()) as session, current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
        if synthetic.already_generated(session):
            raise click.ClickException("Synthetic data is already present; start from an empty database.")
        counts = synthetic.generate(
            session,
            scale,
            seed=seed,
            progress=lambda done, total: click.echo(f"\r{done}/{total} cases", nl=done == total, err=True),
        )
    with db.engine().begin() as connection:  # fresh statistics, as autovacuum would gather: plans as in production
        connection.execute(text("ANALYZE"))
    click.echo(
        f"{counts.cases} cases, {counts.organisations} organisations, {counts.coalitions} coalitions, "
        f"{counts.indicators} indicators, {counts.measurements} measurements."
    )


@click.command("access-table")
@with_appcontext
def access_table():
    """Print docs/access.md: who may do what, when, generated from the access policy and the routes."""
    from .access import table
    from .views.loaders import routes_by_capability
    from .workflow.definitions import workflows

    groups = {
        name: {g: tuple(s for s in w.states if s in w.groups[g]) for g in w.groups} for name, w in workflows().items()
    }
    click.echo(table(routes_by_capability(current_app), groups), nl=False)
