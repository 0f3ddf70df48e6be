from sqlmodel import func, select

from tendering.models import AuditEvent, Case, ClaimStatus, PaymentClaim, PaymentTerm, Role, User

from . import factories as f


def test_init_db_is_idempotent(app):
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert "Database at head" in result.output


def test_create_user_and_refusal_of_a_duplicate(app, session):
    runner = app.test_cli_runner()
    args = ["create-user", "--email", "W.Wethouder@Lindendal.example", "--name", "Wim Wethouder", "--role", "official"]
    result = runner.invoke(args=args, input="een lang wachtwoord\neen lang wachtwoord\n")
    assert result.exit_code == 0, result.output
    user = session.exec(select(User)).one()
    assert (user.email, user.role) == ("w.wethouder@lindendal.example", Role.official)
    again = runner.invoke(args=args, input="een lang wachtwoord\neen lang wachtwoord\n")
    assert again.exit_code != 0 and "already exists" in again.output


def test_create_user_refuses_a_short_password(app):
    result = app.test_cli_runner().invoke(
        args=["create-user", "--email", "a@b.example", "--name", "A", "--role", "admin"], input="kort\nkort\n"
    )
    assert result.exit_code != 0 and "at least 12 characters" in result.output


def test_seed_demo_loads_four_cases_in_different_phases_once(app, session, client):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "f.elamrani@lindendal.example" in first.output
    states = sorted(session.exec(select(Case.state)).all())
    assert states == ["articulation", "realisation", "realisation_planning", "tendering"]
    monitor = client.get("/monitor").text  # the realised case reports to the public monitor
    assert "Jongeren zonder werk of opleiding" in monitor and "On track: 0" not in monitor
    kinds = sorted(k.value for k in session.exec(select(PaymentTerm.kind)).all())
    assert kinds == ["fixed", "fixed", "milestone", "outcome"]
    assert set(session.exec(select(PaymentClaim.status)).all()) == set(ClaimStatus)  # a claim in every state
    agenda = client.get("/agenda", follow_redirects=True).text  # the agenda with its five ambitions, cases linked
    assert agenda.count('class="utrecht-heading-2" id="ambition-') == 5 and "Raadsbesluit 2026-014" in agenda
    assert "3 cases contribute" in agenda  # to taking part: the published questions only, for the public
    roles = set(session.exec(select(User.role)).all())
    assert roles == set(Role)
    second = runner.invoke(args=["seed-demo"])
    assert "already present" in second.output
    assert session.exec(select(func.count()).select_from(Case)).one() == 4


def test_tick_closes_submissions_after_the_deadline(app, session, make_case):
    due = make_case(state="tendering")
    f.pass_deadline(session, due)
    not_due = make_case(state="tendering")
    f.set_up_tender(session, not_due)
    result = app.test_cli_runner().invoke(args=["tick"])
    assert result.exit_code == 0 and "1 time-driven step(s) applied, 0 message(s) sent." in result.output
    session.refresh(due)
    session.refresh(not_due)
    assert (due.state, not_due.state) == ("reconsider", "tendering")
    event = session.exec(
        select(AuditEvent).where(AuditEvent.case_id == due.id, AuditEvent.action == "transition")
    ).one()
    assert event.actor_id is None and event.trigger == "close_submissions"
