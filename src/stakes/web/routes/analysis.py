"""Forecasts, sensitivity, Monte Carlo and what-if comparisons of a stored scenario, and the jobs
that run them.

A forecast on a small scenario is answered at once; every other run is a job in the database, run
by a worker process (see :mod:`stakes.web.jobs`). Monte Carlo and comparisons answer 202 with the
job to poll; a forecast of a large scenario and a sensitivity sweep wait for their job and answer
with its result, the same shape as an inline answer (a client that hangs up cancels the job).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool

from stakes import limits
from stakes.corpus.scenarios import StoredScenario
from stakes.models import default_models, make_model
from stakes.web import schemas as s
from stakes.web import work
from stakes.web.auth import ADMIN, reader, writer
from stakes.web.jobs import job_result
from stakes.web.routes.scenarios import checked_whatifs

router = APIRouter(tags=["forecasts"])
Reader = Annotated[str | None, Depends(reader)]
Runner = Annotated[str, Depends(writer)]
"""Runs cost the server's time: they need a token even when reads are open."""


def _stored(request: Request, scenario_id: str) -> StoredScenario:
    return request.app.state.store.get(scenario_id)


def _params(stored: StoredScenario, **values: Any) -> dict[str, Any]:
    """A job's parameters: the scenario at the version asked on, and the run's own settings."""
    return {"scenario": stored.id, "version": stored.version, **values}


@router.post("/api/scenarios/{scenario_id}/forecast", response_model=s.ForecastsOut)
async def run_forecast(scenario_id: str, body: s.ForecastRequest, request: Request, who: Runner) -> dict[str, Any]:
    """Point forecasts of every issue by each model: outcomes, round-by-round positions, challenges.
    A scenario with more actors than the server's ``inline_actors`` is forecast in a job."""
    stored = await run_in_threadpool(_stored, request, scenario_id)
    models = _models(body.models, stored)
    params = _params(stored, models=models, seed=body.seed)
    if len(stored.scenario.actors) <= request.app.state.settings.inline_actors:
        return await run_in_threadpool(work.run_forecast, stored.scenario, params, _no_progress)
    return await job_result(request, "forecast", who, params, len(models))


@router.post("/api/scenarios/{scenario_id}/sensitivity", response_model=s.SensitivityOut)
async def run_sensitivity(scenario_id: str, body: s.SensitivityRequest, request: Request,
                          who: Runner) -> dict[str, Any]:
    """Which number matters most: each uncertain number swept across its range, the others held
    (run as a job; the answer comes when it ends)."""
    stored = await run_in_threadpool(_stored, request, scenario_id)
    _check_models([body.model])
    return await job_result(request, "sensitivity", who, _params(stored, model=body.model, points=body.points), 1)


@router.post("/api/scenarios/{scenario_id}/montecarlo", status_code=202, response_model=s.JobOut,
             responses={429: {"model": s.ErrorOut, "description": "the job queue is full (see Retry-After)"}})
def start_monte_carlo(scenario_id: str, body: s.MonteCarloRequest, request: Request, who: Runner) -> dict[str, Any]:
    """Queue a Monte Carlo run over the numbers' ranges; poll ``/api/jobs/{id}`` for progress and result."""
    stored = _stored(request, scenario_id)
    models = _models(body.models, stored)
    limits.check_draws(body.draws, len(stored.scenario.actors))
    params = _params(stored, models=models, draws=body.draws, seed=body.seed)
    return request.app.state.jobs.submit("montecarlo", who, params, body.draws)


@router.post("/api/scenarios/{scenario_id}/compare", status_code=202, response_model=s.JobOut,
             responses={429: {"model": s.ErrorOut, "description": "the job queue is full (see Retry-After)"}})
def start_compare(scenario_id: str, body: s.CompareRequest, request: Request, who: Runner) -> dict[str, Any]:
    """Queue a side-by-side run of the baseline and each what-if; poll ``/api/jobs/{id}``."""
    stored = _stored(request, scenario_id)
    models = _models(body.models, stored)
    checked_whatifs(body.whatifs, stored.scenario)  # a change that does not apply fails now, not in the job
    limits.check_draws(body.draws * (1 + len(body.whatifs)), len(stored.scenario.actors))
    whatifs = [w.model_dump(exclude_none=True) for w in body.whatifs]
    params = _params(stored, models=models, draws=body.draws, seed=body.seed, whatifs=whatifs)
    return request.app.state.jobs.submit("compare", who, params, body.draws * (1 + len(whatifs)))


@router.get("/api/jobs", response_model=list[s.JobOut], tags=["jobs"])
def jobs(request: Request, _: Reader, limit: Annotated[int, Query(ge=1, le=1000)] = 100,
         owner: Annotated[str | None, Query(max_length=200)] = None) -> list[dict[str, Any]]:
    """The newest jobs first (without their results), of every owner or of ``owner``."""
    return request.app.state.jobs.list(limit, owner)


@router.get("/api/jobs/{job_id}", response_model=s.JobOut, tags=["jobs"])
def job(job_id: str, request: Request, _: Reader) -> dict[str, Any]:
    """A job: its state (queued, running, done, failed, cancelled), progress (``done`` of ``total``),
    then its result or error."""
    return _job(request, job_id)


@router.delete("/api/jobs/{job_id}", response_model=s.JobOut, tags=["jobs"],
               responses={403: {"model": s.ErrorOut, "description": "the job is someone else's"}})
def cancel_job(job_id: str, request: Request, who: Runner) -> dict[str, Any]:
    """Cancel a queued or running job (its worker is stopped); a finished job is answered as it is.
    Only the job's owner or the server's own token may cancel it."""
    found = _job(request, job_id)
    if who not in (found["owner"], ADMIN):
        raise HTTPException(403, f"job {job_id} is {found['owner']}'s; only they or the admin may cancel it")
    return request.app.state.jobs.cancel(job_id, who)


def _job(request: Request, job_id: str) -> dict[str, Any]:
    found = request.app.state.jobs.get(job_id)
    if found is None:
        raise HTTPException(404, f"no job {job_id!r}; finished jobs are kept until newer ones replace them")
    return found


def _check_models(names: list[str]) -> None:
    """An unknown model name fails the request, before any job starts."""
    for name in names:
        make_model(name)


def _models(names: list[str] | None, stored: StoredScenario) -> list[str]:
    """The models a run asked for, checked; when it names none, the scenario's defaults (as the CLI)."""
    chosen = list(names or default_models(stored.scenario))
    _check_models(chosen)
    return chosen


def _no_progress(done: int, total: int) -> None:
    """Inline runs report no progress."""
