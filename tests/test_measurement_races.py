"""Two or three reporters send a value for the same indicator and period at the same
moment (a retrying API client, two colleagues, a script and a person). One wins;
the others are told the value changed meanwhile (409), and the database keeps
one value in force per period, each value superseded at most once."""

import threading

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from tendering.models import Measurement
from tendering.realisation import measurements, monitoring

from .conftest import form_token
from .evaluation_helpers import as_
from .test_api import bearer, first_period, new_token

CHANGED = "changed by someone else at the same moment"


@pytest.fixture
def at_the_same_moment(monkeypatch):
    """Every reporter reads the value in force, then all of them write at once."""

    def arrange(count: int):
        barrier = threading.Barrier(count, timeout=20)
        check = measurements._check

        def checked_together(*args, **kwargs):
            problem = check(*args, **kwargs)
            barrier.wait()
            return problem

        monkeypatch.setattr(measurements, "_check", checked_together)

    return arrange


def simultaneously(count: int, send) -> list:
    """Run `send(index)` in `count` threads; each answer's status, or 500 for an exception."""
    answers: list = [None] * count

    def run(index: int):
        try:
            answers[index] = send(index)
        except Exception as error:  # TESTING propagates what would have been a 500
            answers[index] = (500, repr(error))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


def in_force(engine, indicator_id):
    with Session(engine) as session:
        return monitoring.current_values(session, [indicator_id])[indicator_id]


def all_values(engine):
    with Session(engine) as session:
        return session.exec(select(Measurement).order_by(Measurement.id)).all()


def test_three_simultaneous_api_corrections_one_wins_the_others_get_409(app, realised, at_the_same_moment):
    headers = bearer(new_token(app, realised))
    url = f"/api/v1/indicators/{realised.loneliness.id}/measurements"
    period = first_period(realised, realised.loneliness)
    assert app.test_client().post(url, json={"period": period, "value": 45}, headers=headers).status_code == 201
    at_the_same_moment(3)

    def correct(index):
        response = app.test_client().post(
            url,
            headers=headers,
            json={"period": period, "value": 40 + index, "correction_reason": f"Herziening {index}"},
        )
        return response.status_code, response.get_json()

    answers = simultaneously(3, correct)
    assert sorted(status for status, _body in answers) == [201, 409, 409], answers
    assert all(CHANGED in body["error"] for status, body in answers if status == 409)
    values = all_values(app.extensions["db_engine"])
    assert len(values) == 2 and values[1].supersedes_id == values[0].id
    winner = next(body for status, body in answers if status == 201)
    assert in_force(app.extensions["db_engine"], realised.loneliness.id)[values[0].period].id == winner["id"]


def test_simultaneous_first_values_leave_one_value_in_force(app, realised, at_the_same_moment):
    headers = bearer(new_token(app, realised))
    url = f"/api/v1/indicators/{realised.loneliness.id}/measurements"
    period = first_period(realised, realised.loneliness)
    at_the_same_moment(3)

    def report(index):
        response = app.test_client().post(url, headers=headers, json={"period": period, "value": 45 + index})
        return response.status_code, response.get_json()

    answers = simultaneously(3, report)
    assert sorted(status for status, _body in answers) == [201, 409, 409], answers
    assert len(all_values(app.extensions["db_engine"])) == 1


def test_two_colleagues_correcting_at_once_on_the_form_one_is_told_to_reload(
    app, realised, session, at_the_same_moment
):
    base = f"/coalitions/{realised.coalition.id}/indicators/{realised.loneliness.id}"
    period = first_period(realised, realised.loneliness)
    first = as_(app, realised.member)
    first.post(
        f"{base}/measurements", data={"csrf_token": form_token(first.get(base)), "period": period, "value": "45"}
    )
    clients = [as_(app, realised.member) for _ in range(2)]
    tokens = [form_token(client.get(base)) for client in clients]
    at_the_same_moment(2)

    def correct(index):
        response = clients[index].post(
            f"{base}/measurements",
            data={
                "csrf_token": tokens[index],
                "period": period,
                "value": str(40 + index),
                "correction_reason": "Herziene cijfers",
            },
        )
        return response.status_code, response.text

    answers = simultaneously(2, correct)
    assert sorted(status for status, _text in answers) == [302, 409], [a[0] for a in answers]
    lost = next(text for status, text in answers if status == 409)
    assert CHANGED in lost and "Herziene cijfers" in lost  # the form keeps what was typed
    assert len(session.exec(select(Measurement)).all()) == 2


def test_an_import_racing_a_correction_is_refused_whole(app, realised, at_the_same_moment):
    headers = bearer(new_token(app, realised))
    url = f"/api/v1/indicators/{realised.loneliness.id}/measurements"
    period = first_period(realised, realised.loneliness)
    assert app.test_client().post(url, json={"period": period, "value": 45}, headers=headers).status_code == 201
    at_the_same_moment(2)  # the file's rows are checked (one row here) while the correction is checked

    def send(index):
        if index == 0:
            response = app.test_client().post(
                url, headers=headers, json={"period": period, "value": 41, "correction_reason": "Los"}
            )
        else:
            response = app.test_client().post(
                "/api/v1/measurements",
                headers=headers,
                json={
                    "measurements": [
                        {
                            "indicator": realised.loneliness.id,
                            "period": period,
                            "value": 42,
                            "correction_reason": "Bestand",
                        }
                    ]
                },
            )
        return response.status_code, response.get_json()

    answers = simultaneously(2, send)
    assert sorted(status for status, _body in answers) == [201, 409], answers
    assert len(all_values(app.extensions["db_engine"])) == 2


def test_the_database_itself_refuses_a_second_value_in_force(app, realised, session):
    """Even a writer that skips the service cannot leave two values in force, or supersede one twice."""
    period = monitoring.periods("quarterly", realised.agreement.starts_on, realised.agreement.ends_on)[0].starts_on
    first = Measurement(indicator_id=realised.loneliness.id, period=period, value=45, reported_by_id=realised.member.id)
    session.add(first)
    session.commit()
    session.add(
        Measurement(indicator_id=realised.loneliness.id, period=period, value=46, reported_by_id=realised.member.id)
    )
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()
    session.add(
        Measurement(
            indicator_id=realised.loneliness.id,
            period=period,
            value=44,
            reported_by_id=realised.member.id,
            supersedes_id=first.id,
            correction_reason="Een",
        )
    )
    session.commit()
    session.add(
        Measurement(
            indicator_id=realised.loneliness.id,
            period=period,
            value=43,
            reported_by_id=realised.member.id,
            supersedes_id=first.id,
            correction_reason="Twee",
        )
    )
    with pytest.raises(IntegrityError):
        session.commit()


def test_the_migration_links_the_first_values_an_earlier_race_left(tmp_path):
    """Before 0014 two first values of one period could both stay in force; the migration keeps the latest in
    force and the others, with their corrections, in the history under it."""
    from sqlalchemy import create_engine, text

    from tendering import migrate

    engine = create_engine(
        f"sqlite:///{tmp_path / 'before.sqlite3'}"
    )  # foreign keys off: only measurements matter here
    migrate.upgrade(engine, "0013")
    columns = (
        "id, indicator_id, period, value, source, note, reported_by_id, reported_at, supersedes_id, correction_reason"
    )
    rows = [
        (1, "2027-01-01", None, ""),
        (2, "2027-01-01", None, ""),
        (3, "2027-01-01", 1, "Telfout"),
        (4, "2027-01-01", None, ""),
        (5, "2027-04-01", None, ""),
    ]
    with engine.begin() as connection:
        connection.execute(
            text(
                f"INSERT INTO measurements ({columns}) VALUES "
                "(:id, 1, :period, 1, '', '', 1, '2027-01-02 00:00:00', :supersedes, :reason)"
            ),
            [{"id": i, "period": p, "supersedes": s, "reason": r} for i, p, s, r in rows],
        )
    migrate.upgrade(engine)
    with engine.connect() as connection:
        links = dict(connection.execute(text("SELECT id, supersedes_id FROM measurements")).all())
        reasons = dict(connection.execute(text("SELECT id, correction_reason FROM measurements")).all())
    engine.dispose()
    assert links == {1: None, 3: 1, 2: 3, 4: 2, 5: None}  # one chain per period: 1 → 3 → 2 → 4
    assert reasons[3] == "Telfout" and "migration 0014" in reasons[2] and "migration 0014" in reasons[4]


def test_a_file_imported_on_the_screen_while_the_api_corrects_is_refused_with_409(app, realised, at_the_same_moment):
    import io

    headers = bearer(new_token(app, realised))
    url = f"/api/v1/indicators/{realised.loneliness.id}/measurements"
    period = first_period(realised, realised.loneliness)
    assert app.test_client().post(url, json={"period": period, "value": 45}, headers=headers).status_code == 201
    member = as_(app, realised.member)
    token = form_token(member.get(f"/coalitions/{realised.coalition.id}/indicators"))
    data = f"indicator,period,value,correction_reason\n{realised.loneliness.id},{period},42,Bestand\n".encode()
    at_the_same_moment(2)

    def send(index):
        if index == 0:
            response = app.test_client().post(
                url, headers=headers, json={"period": period, "value": 41, "correction_reason": "Los"}
            )
            return response.status_code, ""
        response = member.post(
            f"/coalitions/{realised.coalition.id}/measurements/import",
            data={"csrf_token": token, "file": (io.BytesIO(data), "waarden.csv")},
            content_type="multipart/form-data",
        )
        return response.status_code, response.text

    answers = simultaneously(2, send)
    assert sorted(status for status, _text in answers) in ([201, 409], [302, 409]), [a[0] for a in answers]
    assert all(CHANGED in text for status, text in answers if status == 409 and text)
    assert len(all_values(app.extensions["db_engine"])) == 2
