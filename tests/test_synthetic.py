"""Synthetic benchmark data goes through the same services and rules, and the benchmarked pages cost the same
number of queries on a small and on a larger data set."""

from sqlmodel import func, select

from tendering.demo import synthetic
from tendering.models import (
    Agenda,
    Agreement,
    Case,
    CaseAmbition,
    CityIndicator,
    CityMeasurement,
    CityNorm,
    Coalition,
    Indicator,
    Measurement,
    Role,
    User,
)
from tendering.web import fragments

from .conftest import login
from .test_query_counts import counting_queries


def generate(app, session, scale, seed):
    with app.test_request_context():
        return synthetic.generate(session, scale, seed=seed)


def test_generate_data_fills_every_phase_through_the_rules(app, session, client):
    counts = generate(app, session, 0.05, seed=1)
    assert (counts.cases, counts.coalitions, counts.indicators, counts.measurements) == (5, 15, 100, 2500)
    states = {state: n for state, n in session.exec(select(Case.state, func.count()).group_by(Case.state)).all()}
    assert states == {"realisation": 4, "tendering": 1}
    assert session.exec(select(func.count()).select_from(Measurement)).one() == 2500
    statuses = set(session.exec(select(Indicator.assessed_status)).all())
    assert len(statuses) >= 2  # the walks differ: not every indicator ends up on track
    assert "Indicator 0" in client.get("/monitor").text
    assert client.get("/").status_code == 200 and "(5)" in client.get("/").text  # the open tender is on the board


def test_generate_data_fills_an_agenda_with_values_norms_and_linked_cases(app, session, client):
    counts = generate(app, session, 0.05, seed=1)
    assert (counts.ambitions, counts.city_indicators, counts.city_values) == (2, 10, 10 * synthetic.CITY_YEARS)
    [agenda] = session.exec(select(Agenda)).all()

    def count(model):
        return session.exec(select(func.count()).select_from(model)).one()

    assert (count(CityIndicator), count(CityMeasurement), count(CityNorm)) == (10, 80, 10)
    linked = set(session.exec(select(CaseAmbition.case_id)).all())
    assert linked == set(session.exec(select(Case.id)).all())  # every case contributes to an ambition
    contributing = session.exec(select(func.count()).where(Indicator.city_indicator_id.is_not(None))).one()
    assert contributing == 4  # the first indicator of each realised case
    assert len(set(session.exec(select(CityIndicator.assessed_status)).all())) >= 2  # the walks differ
    databook = client.get(f"/agenda/{agenda.id}/databook").text
    assert "Inwoners leven in een veilige omgeving" in databook and "Stadsindicator 1" in databook
    assert "Stadsindicator 1" in generate_again_adds_ambitions(app, session, client, agenda)


def generate_again_adds_ambitions(app, session, client, agenda) -> str:
    """A second run adds its ambitions to the agenda of today rather than overlapping it with another."""
    generate(app, session, 0.05, seed=2)
    assert session.exec(select(func.count()).select_from(Agenda)).one() == 1
    assert session.exec(select(func.count()).select_from(CityIndicator)).one() == 20
    return client.get(f"/agenda/{agenda.id}/databook").text


def test_cli_refuses_to_generate_twice(app, session):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["generate-data", "--scale", "0.02"])
    assert first.exit_code == 0, first.output
    assert "2 cases" in first.output
    second = runner.invoke(args=["generate-data", "--scale", "0.02"])
    assert second.exit_code != 0 and "already present" in second.output


def test_benchmarked_pages_cost_the_same_queries_on_more_data(app, session):
    generate(app, session, 0.03, seed=1)
    case = session.exec(select(Case).where(Case.state == "realisation").order_by(Case.id)).first()
    coalition_id = session.exec(select(Agreement.coalition_id).where(Agreement.case_id == case.id)).one()
    member = session.exec(
        select(User)
        .join(Coalition, Coalition.lead_organisation_id == User.organisation_id)
        .where(Coalition.id == coalition_id)
    ).first()
    official = session.get(User, case.owner_id)
    council = session.exec(select(User).where(User.role == Role.council_member)).first()
    agenda = session.exec(select(Agenda)).one()
    clients = {}
    for name, user in (("official", official), ("council", council), ("member", member)):
        clients[name] = app.test_client()
        login(clients[name], user, password=synthetic.PASSWORD)
    clients["public"] = app.test_client()
    pages = {
        "/": "public",
        f"/cases/{case.id}": "official",
        "/monitor": "council",
        f"/coalitions/{coalition_id}/indicators": "member",
        "/portfolio": "council",
        f"/agenda/{agenda.id}/databook": "council",
    }

    def counts():
        """Queries per page when it is built (the cache emptied) and when its body comes from the cache."""
        found = {}
        for path, who in pages.items():
            clients[who].get(path)
            app.extensions[fragments.EXTENSION].clear()
            with counting_queries(app) as built:
                assert clients[who].get(path).status_code == 200, path
            with counting_queries(app) as cached:
                assert clients[who].get(path).status_code == 200, path
            found[path] = (len(built), len(cached))
        return found

    small = counts()
    generate(app, session, 0.08, seed=2)
    assert counts() == small
    assert small == {
        "/": (3, 1),
        # each page below reads the generations of its scopes (tendering/core/generations.py) once more
        f"/cases/{case.id}": (7, 3),  # one of them: the case's earlier and follow-up cases, linked both ways
        "/monitor": (8, 2),  # built: the cards' generations, and the indicators of the cards drawn, read again
        f"/coalitions/{coalition_id}/indicators": (7, 5),
        "/portfolio": (15, 15),  # the portfolio and the databook keep no page body in the cache
        f"/agenda/{agenda.id}/databook": (9, 9),
    }
    # (the coalition pages' gate asks two questions of its own before the view: the coalition's case, for its phase,
    # and whether the user's organisation joined the coalition; tendering/views/loaders.py)
