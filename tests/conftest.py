"""Shared test helpers: building scenarios from arrays, and finding the shared reference data."""

from __future__ import annotations

import os
import shutil
from functools import cache
from pathlib import Path
from typing import NoReturn

import numpy as np
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from stakes.corpus.schema import Base
from stakes.corpus.store import database_url
from stakes.models import bdm_engine
from stakes.scenario.model import Actor, Estimate, Issue, Scenario, Stance

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
DATA = Path(__file__).parent / "data"


def unavailable(reason: str) -> NoReturn:
    """Skip a test whose material or service is missing here; under CI, which provides all of them
    (``.ci/run``), fail instead, so a missing install step cannot hide behind a skip."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI provides it, so its absence is a failure", pytrace=False)
    pytest.skip(reason)


def pytest_configure(config):
    config.addinivalue_line("markers", "engine(name): run the expected-utility model on this engine")


@pytest.fixture(autouse=True)
def _bdm_engine(request):
    """Tests run the expected-utility model on its compiled kernel (never compiling in the
    background), or on the engine their ``engine`` mark names."""
    marker = request.node.get_closest_marker("engine")
    with bdm_engine.using(marker.args[0] if marker else "compiled"):
        yield


@pytest.fixture(params=["compiled", "numpy"])
def both_engines(request):
    """Runs a test once on each engine of the expected-utility model."""
    with bdm_engine.using(request.param):
        yield request.param


def shared_path(*parts: str) -> Path:
    """A file under ../shared, or a clean skip when the reference material is not beside the checkout."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        unavailable(f"needs the reference material at {path}")
    return path


@pytest.fixture
def needs_chromium() -> str:
    """The path of Debian's headless Chromium, for the browser tests."""
    path = shutil.which("chromium")
    if path is None:
        unavailable("needs a chromium binary (Debian package `chromium`)")
    return path


def make_scenario(position, salience, capability, scale=(0.0, 100.0), ids=None, issue_id="x") -> Scenario:
    """A one-issue scenario from plain arrays (actor ids a0, a1, … unless given)."""
    position, salience, capability = (np.asarray(a, dtype=float) for a in (position, salience, capability))
    ids = ids or [f"a{k}" for k in range(len(position))]
    issue = Issue(issue_id, "Test issue", "low end", "high end", tuple(float(v) for v in scale))
    actors = tuple(
        Actor(ids[k], f"Actor {ids[k]}", "other", Estimate(float(capability[k])),
              {issue_id: Stance(Estimate(float(position[k])), Estimate(float(salience[k])))})
        for k in range(len(position))
    )
    return Scenario(title="test", issues=(issue,), actors=actors)


def random_scenario(seed: int, n: int | None = None, scale=(0.0, 100.0), levels: int | None = None) -> Scenario:
    """A random one-issue scenario; ``levels`` limits positions to a few distinct values (ties, blocs)."""
    rng = np.random.default_rng(seed)
    n = n or int(rng.integers(3, 13))
    lo, hi = scale
    if levels:
        position = rng.choice(np.linspace(lo, hi, levels), size=n)
    else:
        position = rng.uniform(lo, hi, size=n)
    return make_scenario(position, rng.uniform(0.05, 1.0, size=n), rng.uniform(1, 100, size=n), scale)


@cache
def _postgres_problem(url: str) -> str | None:
    """Why the PostgreSQL at ``url`` cannot be used for tests, or None when it can."""
    try:
        engine = create_engine(database_url(url))
        with engine.connect():
            pass
        engine.dispose()
    except Exception as exc:  # any failure to connect means: skip, saying why
        shown = make_url(database_url(url)).render_as_string(hide_password=True)
        return f"PostgreSQL at {shown} unreachable ({type(exc).__name__})"
    return None


def empty_postgres() -> str:
    """The URL of ``$STAKES_TEST_POSTGRES`` with every stakes table dropped; a skip when it is not set
    or unreachable, a failure when CI set it but the server is down."""
    url = os.environ.get("STAKES_TEST_POSTGRES")
    if not url:
        unavailable("set STAKES_TEST_POSTGRES (e.g. from .ci/postgres.sh) to test on PostgreSQL")
    problem = _postgres_problem(url)
    if problem:
        unavailable(problem)
    engine = create_engine(database_url(url))
    Base.metadata.drop_all(engine)
    with engine.begin() as conn:  # and the schema's revision mark, so the next open migrates afresh
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()
    return url
