"""Property tests of the REST API against its own OpenAPI schema (schemathesis): no request the schema
allows makes the server fail, and every answer has a status, a media type and a body the schema names.

Bounded and deterministic: a fixed seed, derandomized Hypothesis, no shrinking, ten examples per
operation, on a fresh app and SQLite file. Path ids are mostly those of the bundled scenarios and
versions mostly small, so requests get past "not found" and "stale version" into the real work.
Jobs get small ``draws`` (bound by a dictionary), so no background run outlives the module.

The two operations that run the reading pipeline over posted articles (``POST /api/scenarios/read``
and ``POST .../sources/{source_id}/article``) are left to ``tests/test_web_api.py``: each example
costs a full NLP pass.
"""

from __future__ import annotations

import warnings

import pytest
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from stakes.web.app import Settings, create_app

TOKEN = "t0k"
SEED = 20240328
MAX_EXAMPLES = 10
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance]
READING = r"^/api/scenarios/(read|\{scenario_id\}/sources/\{source_id\}/article)$"


def config() -> schemathesis.Config:
    return schemathesis.Config.from_dict({
        "seed": SEED,
        "headers": {"Authorization": f"Bearer {TOKEN}"},
        "phases": {"coverage": {"enabled": False}},
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "no-shrink": True,
                       "database": "none"},
        "dictionaries": {
            "scenarios": {"values": ["rafah-2024", "eu-emissions", "ktab-soe-policy"]},
            "models": {"values": ["mean", "median"]},
            "draws": {"values": [1, 7, 40]},
            "versions": {"values": [1, 2, 3]},
        },
        "parameters": {
            "path.scenario_id": {"dictionary": "scenarios", "probability": 0.7},
            "query.version": {"dictionary": "versions", "probability": 0.5},
            "body.version": {"dictionary": "versions", "probability": 0.5},
            "body.models[*]": {"dictionary": "models", "probability": 0.9},
            "body.model": {"dictionary": "models", "probability": 0.9},
            "body.draws": {"dictionary": "draws", "probability": 1.0},  # every job stays small
        },
    })


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    """The API of a fresh app (bundled scenarios seeded) on a SQLite file of its own."""
    app = create_app(Settings(db=str(tmp_path_factory.mktemp("schemathesis") / "s.sqlite"), token=TOKEN))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        schema = schemathesis.openapi.from_asgi("/api/openapi.json", app, config=config())
    yield schema
    app.state.jobs.shutdown()


schema = schemathesis.pytest.from_fixture("api").exclude(path_regex=READING, method="POST")


@schema.parametrize()
def test_every_operation_answers_as_its_schema_says(case):
    case.call_and_validate(checks=CHECKS)
