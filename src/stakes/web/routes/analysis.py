"""Forecasts, sensitivity, Monte Carlo and what-if comparisons of a stored scenario."""

from __future__ import annotations

import math
from typing import Annotated, Any

import numpy as np
import pandas as pd
from fastapi import APIRouter, Depends, HTTPException, Request

from stakes import limits
from stakes.errors import ModelError
from stakes.forecast import forecast, jsonable
from stakes.models import make_model
from stakes.uncertainty import compare, monte_carlo
from stakes.uncertainty.montecarlo import with_deal_events
from stakes.uncertainty.sensitivity import one_at_a_time
from stakes.web import schemas as s
from stakes.web.auth import reader, writer
from stakes.web.jobs import Progress
from stakes.web.routes.scenarios import checked_whatifs

router = APIRouter(tags=["forecasts"])
Reader = Annotated[str | None, Depends(reader)]
Runner = Annotated[str, Depends(writer)]
"""Runs cost the server's time: they need a token even when reads are open."""
MAX_CHALLENGES = 2000
"""Challenges returned per issue (the full log of a long run can be large)."""


def _scenario(request: Request, scenario_id: str):
    return request.app.state.store.get(scenario_id).scenario


@router.post("/api/scenarios/{scenario_id}/forecast", response_model=s.ForecastsOut)
def run_forecast(scenario_id: str, body: s.ForecastRequest, request: Request, _: Runner) -> dict[str, Any]:
    """Point forecasts of every issue by each model: outcomes, round-by-round positions, challenges."""
    scenario = _scenario(request, scenario_id)
    out = []
    for name in body.models:
        result = forecast(scenario, name, seed=body.seed)
        issues = {}
        for issue_id, r in result.issues.items():
            trajectory = [{"round": k, "actor": actor, "position": x}
                          for k, row in enumerate(r.positions.tolist()) for actor, x in zip(r.actor_ids, row)]
            issues[issue_id] = {"outcome": r.outcome, "rounds": r.rounds, "stop_reason": r.stop_reason,
                                "trajectory": trajectory,
                                "challenges": r.challenges.head(MAX_CHALLENGES).to_dict(orient="records"),
                                "decision": _decision(r.diagnostics)}
        broken = [issue for issue, x in result.outcomes.items() if not math.isfinite(x)]
        if broken:
            raise ModelError(f"model {name!r} gives no finite outcome on {', '.join(broken)}: the numbers are "
                             "too large to compute with; rescale capabilities (only their ratios matter)")
        out.append({"model": result.model_name, "outcomes": result.outcomes, "issues": issues})
    return jsonable({"forecasts": out})


@router.post("/api/scenarios/{scenario_id}/sensitivity", response_model=s.SensitivityOut)
def run_sensitivity(scenario_id: str, body: s.SensitivityRequest, request: Request, _: Runner) -> dict[str, Any]:
    """Which number matters most: each uncertain number swept across its range, the others held."""
    table = one_at_a_time(_scenario(request, scenario_id), body.model, points=body.points)
    return jsonable({"rows": table.to_dict(orient="records")})


@router.post("/api/scenarios/{scenario_id}/montecarlo", status_code=202, response_model=s.JobOut)
def start_monte_carlo(scenario_id: str, body: s.MonteCarloRequest, request: Request, _: Runner) -> dict[str, Any]:
    """Start a Monte Carlo run over the numbers' ranges; poll ``/api/jobs/{id}`` for progress and result
    (quantiles, histograms, and P(deal) per model on issues whose decision rule may keep the status quo)."""
    scenario = _scenario(request, scenario_id)
    _check_models(body.models)
    limits.check_draws(body.draws, len(scenario.actors))

    def work(progress: Progress) -> dict[str, Any]:
        run = monte_carlo(scenario, body.models, body.draws, body.seed, progress=progress)
        histograms = []
        for model in run.models:
            for issue in run.issues:
                counts, edges = run.histogram(model, issue)
                histograms.append({"model": model, "issue": issue, "counts": counts, "edges": edges})
        summary = run.summary()
        _finite(summary, ["mean", "q05", "q50", "q95"])
        deals = [{"issue": event.issue, **row} for event in with_deal_events(scenario, [])
                 for row in run.probability(event).to_dict(orient="records")]
        return jsonable({"summary": summary.to_dict(orient="records"), "histograms": histograms,
                         "deals": deals})

    return request.app.state.jobs.submit("montecarlo", body.draws, work).as_dict()


@router.post("/api/scenarios/{scenario_id}/compare", status_code=202, response_model=s.JobOut)
def start_compare(scenario_id: str, body: s.CompareRequest, request: Request, _: Runner) -> dict[str, Any]:
    """Start a side-by-side run of the baseline and each what-if; poll ``/api/jobs/{id}``."""
    scenario = _scenario(request, scenario_id)
    _check_models(body.models)
    whatifs = checked_whatifs(body.whatifs, scenario)  # a change that does not apply fails now, not in the job
    limits.check_draws(body.draws * (1 + len(whatifs)), len(scenario.actors))

    def work(progress: Progress) -> dict[str, Any]:
        result = compare(scenario, whatifs, body.models, body.draws, body.seed, progress=progress)
        table = result.table()
        _finite(table, ["mean", "q05", "q50", "q95"])
        return jsonable({"rows": table.to_dict(orient="records")})

    total = body.draws * (1 + len(whatifs))
    return request.app.state.jobs.submit("compare", total, work).as_dict()


@router.get("/api/jobs/{job_id}", response_model=s.JobOut)
def job(job_id: str, request: Request, _: Reader) -> dict[str, Any]:
    """A background run: its progress (``done`` of ``total``), then its result or error."""
    found = request.app.state.jobs.get(job_id)
    if found is None:
        raise HTTPException(404, f"no job {job_id!r}; jobs are kept in memory until the server restarts")
    return found.as_dict()


def _decision(diagnostics: dict[str, Any]) -> dict[str, Any] | None:
    """What the issue's decision rule made of the forecast, or None where no rule applied."""
    if "rule" not in diagnostics:
        return None
    out = {key: diagnostics[key] for key in ("rule", "deal", "blocking", "feasible")}
    if "bargained" in diagnostics:
        out["bargained"] = float(diagnostics["bargained"][-1])
    return out


def _finite(table: pd.DataFrame, columns: list[str]) -> None:
    """Fail a run whose results are not all finite numbers, rather than report it done with gaps."""
    values = table[[c for c in columns if c in table]].to_numpy(dtype=float)
    if not np.isfinite(values).all():
        raise ModelError("the run gives no finite result for some model or issue: the scenario's numbers are "
                         "too large to compute with; rescale capabilities (only their ratios matter)")


def _check_models(names: list[str]) -> None:
    """An unknown model name fails the request, before any job starts."""
    for name in names:
        make_model(name)
