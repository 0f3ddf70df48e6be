"""The reporting API fuzzed from its own OpenAPI document: whatever a client sends, valid by the document or not,
the answer is never a server error and always one the document describes (status, content type, body schema).

Schemathesis calls the Flask app in-process (WSGI) with a real token of a coalition in realisation, bounded:
a fixed number of derandomised examples per operation, examples and fuzzing phases, positive and negative data.
"""

from dataclasses import dataclass

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tendering.models import utcnow
from tendering.realisation import api_tokens, measurements
from tendering.web.openapi import SPEC

from .monitoring_helpers import add_realised

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 50

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:schemathesis.*")


@dataclass
class Caller:
    token: str
    indicator_ids: list[int]
    periods: list[str]  # start dates of periods that have started, valid `period` values


@pytest.fixture
def caller(session, make_case, make_user, official) -> Caller:
    realised = add_realised(session, make_case, make_user, official)
    reporting = measurements.Reporting(realised.coalition, realised.case, realised.agreement)
    _stored, plain = api_tokens.create(session, reporting, actor=realised.member, name="Schemathesis")
    session.commit()
    today = utcnow().date()
    indicators = [realised.loneliness, realised.volunteers, realised.costs]
    periods = sorted(
        {
            p.starts_on.isoformat()
            for i in indicators
            for p in measurements.reportable_periods(i, realised.agreement, today)
        }
    )
    return Caller(plain, [i.id for i in indicators], periods)


def aimed(case, caller: Caller) -> None:
    """Half of the generated ids and periods are made real ones, so the fuzzer also gets past the 404 and reaches
    the checks of a value (deterministic: by the parity of what was generated)."""
    parameters = case.path_parameters or {}
    if isinstance(parameters.get("indicator_id"), int) and parameters["indicator_id"] % 2 == 0:
        parameters["indicator_id"] = caller.indicator_ids[parameters["indicator_id"] // 2 % len(caller.indicator_ids)]
    rows = [case.body] if isinstance(case.body, dict) else []
    if isinstance(case.body, dict) and isinstance(case.body.get("measurements"), list):
        rows = [r for r in case.body["measurements"] if isinstance(r, dict)]
        for number, row in enumerate(rows):
            if isinstance(row.get("indicator"), int) and row["indicator"] % 2 == 0:
                row["indicator"] = caller.indicator_ids[number % len(caller.indicator_ids)]
    for row in rows:
        if isinstance(row.get("period"), str) and len(row["period"]) % 2 == 0 and caller.periods:
            row["period"] = caller.periods[len(row["period"]) % len(caller.periods)]


# The document as the app serves it; the app itself is a fixture (a fresh database per test), handed to each call.
# (Not `schemathesis.pytest.from_fixture`: its lazy loader writes `Node._nodeid`, which pytest 9 no longer has.)
schema = schemathesis.openapi.from_dict(SPEC)
schema.config.phases.update(phases=["examples", "fuzzing"])
schema.config.generation.update(modes=[schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE])


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_every_api_operation_answers_as_documented(case, app, caller):
    aimed(case, caller)
    case.call_and_validate(app=app, headers={"Authorization": f"Bearer {caller.token}"}, checks=CHECKS)


def test_the_document_documents_every_error_the_api_gives(app, client, caller):
    """The statuses the fuzzer may not reach on its own, each in the documented `Error` shape."""
    spec = client.get("/api/v1/openapi.json").get_json()
    headers = {"Authorization": f"Bearer {caller.token}"}
    for method, url, kwargs, status in [
        ("get", "/api/v1/indicators", {}, 401),
        ("get", "/api/v1/indicators/2147483648/measurements", {"headers": headers}, 404),
        ("post", "/api/v1/measurements", {"headers": headers, "data": "{", "content_type": "application/json"}, 400),
        ("post", "/api/v1/measurements", {"headers": headers, "json": {"measurements": [{"source": "x\x00"}]}}, 400),
    ]:
        response = getattr(client, method)(url, **kwargs)
        assert response.status_code == status and response.is_json and isinstance(response.get_json()["error"], str), (
            url
        )
        path = url.removeprefix("/api/v1").replace("2147483648", "{indicator_id}")
        assert str(status) in spec["paths"][path][method]["responses"], (path, method, status)
