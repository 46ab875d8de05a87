"""Backtests: score every model's forecast against what was observed later.

A scenario's issues may carry ``outcomes`` (observations on the issue's scale, with a date, a range
and a source). For every issue with at least one observation, the first observation listed is the
one scored; later ones record what happened afterwards and are shown, not scored. Per model and
issue the scores are:

* **absolute error** of the point forecast, as a percentage of the scale's width;
* **coverage**: whether the observed value lies in the central 90% of the Monte Carlo draws;
* **Brier score** of ``P(deal)`` (the share of draws in which a model finds a deal), on issues whose
  decision rule can keep the status quo (``veto``, ``majority``, ``qualified_majority``), against
  whether a deal was observed: a deal is observed when the issue's status quo lies outside the
  observation's range (for an exact observation: differs from it by more than
  :data:`DEAL_TOLERANCE` of the scale's width).

An equal-weight **ensemble** of the models is scored the same way: its point forecast is the mean of
the models' forecasts, its draws are the models' draws pooled with equal weight, its ``P(deal)`` the
mean of the models' that report one. The scoring functions take plain numbers and arrays; running the
models is :func:`backtest`, scoring results already computed (as a report does) is
:func:`score_run`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from stakes.errors import StakesError
from stakes.forecast import Forecast, forecast
from stakes.models import rules
from stakes.scenario.model import Issue, Observation, Scenario
from stakes.uncertainty.montecarlo import DEAL_RULES, ModelSpec, MonteCarlo, monte_carlo

BAND = 0.9
"""Central share of the Monte Carlo draws an observed outcome is checked against."""
DEAL_TOLERANCE = 0.01
"""Share of the scale's width within which an exact observation counts as the status quo (no deal)."""
ENSEMBLE = "ensemble"
COLUMNS = ["case", "issue", "model", "forecast", "observed", "observed_low", "observed_high", "date",
           "error_pct", "band_low", "band_high", "covered", "p_deal", "deal", "brier"]


def absolute_error_pct(forecast: float, observed: float, scale: tuple[float, float]) -> float:
    """``|forecast - observed|`` as a percentage of the scale's width."""
    low, high = scale
    return abs(forecast - observed) / (high - low) * 100.0


def band(draws: np.ndarray, level: float = BAND) -> tuple[float, float]:
    """The central ``level`` interval of the draws (the 5% and 95% quantiles for 0.9)."""
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(np.asarray(draws, dtype=float), [tail, 1.0 - tail])
    return float(low), float(high)


def covered(observed: float, low: float, high: float) -> bool:
    """Whether the observed value lies in ``[low, high]``."""
    return bool(low <= observed <= high)


def brier(probability: float, happened: bool) -> float:
    """The Brier score of one probability forecast: ``(p - y)²`` with ``y`` 1 if the event happened."""
    return (probability - float(happened)) ** 2


def deal_observed(observation: Observation, status_quo: float | None, scale: tuple[float, float],
                  tolerance: float = DEAL_TOLERANCE) -> bool | None:
    """Whether an observation shows a deal: the status quo lies outside the observed range.

    An observation without a range counts as the status quo within ``tolerance`` of the scale's width.
    ``None`` when there is no status quo.
    """
    if status_quo is None:
        return None
    if observation.low is None or observation.high is None:
        return abs(observation.value - status_quo) > tolerance * (scale[1] - scale[0])
    return not observation.low <= status_quo <= observation.high


def pooled(draws: Sequence[np.ndarray]) -> np.ndarray:
    """Equal-weight mixture of several models' draws (each model counts the same, whatever its draw count)."""
    size = min(len(d) for d in draws)
    return np.concatenate([np.asarray(d, dtype=float)[:size] for d in draws])


def has_deal(issue: Issue) -> bool:
    """Whether the issue's decision rule can keep the status quo (veto players, a majority or a qualified
    majority), so that whether a deal is reached is uncertain and scored."""
    return rules.binding(issue.decision) and issue.decision.rule in DEAL_RULES


def scored_issues(scenario: Scenario) -> list[Issue]:
    """The issues that have at least one observed outcome."""
    return [issue for issue in scenario.issues if issue.outcomes]


def _deal_share(run: MonteCarlo, model: str, issue: str) -> float | None:
    deal = run.results[(model, issue)].get("deal")
    return None if deal is None else float(np.mean(deal))


def score_run(scenario: Scenario, forecasts: Sequence[Forecast], run: MonteCarlo, case: str | None = None,
              ensemble: bool = True) -> pd.DataFrame:
    """Score point forecasts and Monte Carlo draws already computed on a scenario.

    One row per scored issue and model (and the ensemble, with two models or more), columns
    :data:`COLUMNS`; an empty table when no issue has an observed outcome.
    """
    case = case if case is not None else scenario.title
    rows = []
    for issue in scored_issues(scenario):
        observation = issue.outcomes[0]
        status_quo = issue.status_quo.value if issue.status_quo is not None else None
        deal = deal_observed(observation, status_quo, issue.scale) if has_deal(issue) else None
        points: dict[str, tuple[float, np.ndarray, float | None]] = {}
        for fc in forecasts:
            name = fc.model_name
            points[name] = (fc.issues[issue.id].outcome, run.outcomes(name, issue.id),
                            _deal_share(run, name, issue.id))
        if ensemble and len(points) > 1:
            shares = [p for _, _, p in points.values() if p is not None]
            points[ENSEMBLE] = (float(np.mean([f for f, _, _ in points.values()])),
                                pooled([d for _, d, _ in points.values()]),
                                float(np.mean(shares)) if shares else None)
        for name, (point, draws, share) in points.items():
            low, high = band(draws)
            scored_deal = share is not None and deal is not None
            rows.append({
                "case": case, "issue": issue.id, "model": name, "forecast": point,
                "observed": observation.value, "observed_low": observation.low, "observed_high": observation.high,
                "date": observation.date.isoformat(),
                "error_pct": absolute_error_pct(point, observation.value, issue.scale),
                "band_low": low, "band_high": high, "covered": covered(observation.value, low, high),
                "p_deal": share if has_deal(issue) else None,
                "deal": deal,
                "brier": brier(share, deal) if scored_deal else None,
            })
    return pd.DataFrame(rows, columns=COLUMNS)


def summarize(scores: pd.DataFrame) -> pd.DataFrame:
    """Per model: issues scored, mean absolute error (% of width), coverage, mean Brier and its count."""
    rows = []
    for model, part in scores.groupby("model", sort=False):
        briers = part["brier"].dropna()
        rows.append({"model": model, "issues": len(part), "mean_error_pct": float(part["error_pct"].mean()),
                     "coverage": float(part["covered"].astype(float).mean()),
                     "brier": float(briers.mean()) if len(briers) else math.nan, "brier_issues": len(briers)})
    return pd.DataFrame(rows, columns=["model", "issues", "mean_error_pct", "coverage", "brier", "brier_issues"])


@dataclass
class Backtest:
    """Scores of every model on every scored issue of one or more scenarios."""

    scores: pd.DataFrame
    models: list[str]
    draws: int
    seed: int
    cases: list[str]

    def summary(self) -> pd.DataFrame:
        """Per model (the ensemble last): mean error, coverage and mean Brier over all scored issues."""
        return summarize(self.scores)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON: settings, one record per score, and the per-model summary."""
        return {"models": self.models, "draws": self.draws, "seed": self.seed, "band": BAND,
                "cases": self.cases, "scores": self.scores.to_dict(orient="records"),
                "summary": self.summary().to_dict(orient="records")}


def backtest(scenarios: Sequence[tuple[str, Scenario]], models: Sequence[str | ModelSpec], draws: int = 1000,
             seed: int = 0, ensemble: bool = True) -> Backtest:
    """Run every model on every ``(case name, scenario)`` that has observed outcomes, and score it.

    Scenarios without any observed outcome are skipped; if none has one, that is an error.
    """
    specs = [(m, {}) if isinstance(m, str) else (m[0], dict(m[1])) for m in models]
    frames, cases = [], []
    for case, scenario in scenarios:
        if not scored_issues(scenario):
            continue
        run = monte_carlo(scenario, specs, draws, seed)
        forecasts = [forecast(scenario, name, seed=seed, **params) for name, params in specs]
        frames.append(score_run(scenario, forecasts, run, case, ensemble))
        cases.append(case)
    if not frames:
        raise StakesError("no scenario given has an observed outcome; add `outcomes:` to an issue "
                          "(see docs/backtest.md) or run without paths for the bundled case library")
    return Backtest(scores=pd.concat(frames, ignore_index=True), models=[name for name, _ in specs],
                    draws=draws, seed=seed, cases=cases)
