"""Which input moves the forecast most: one-at-a-time sweeps and variance-based (Sobol') indices.

Both run the model through its batch interface: every evaluation of one issue becomes a row of one
:class:`~stakes.models.base.IssueBatch`, so a sweep over all inputs is one ``solve_batch`` call per
issue. Models that use randomness get the same random stream in every evaluation, so the indices
measure the inputs, not the noise.

Sobol' indices use Saltelli's design (two quasi-random matrices A and B, and for each input the
matrix A with that input's column taken from B) with the Saltelli (2010) first-order and Jansen
(1999) total-order estimators, and bootstrap confidence intervals. These are the estimators of
SALib's ``sobol`` analysis, written out here on top of SciPy so that no plotting stack comes with them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm, qmc, triang, truncnorm

from stakes.errors import StakesError
from stakes.models import BargainingModel, make_model
from stakes.scenario.model import Scenario
from stakes.uncertainty.sampling import BLOCK, Input, inputs, issue_batches

MODEL_SEED = 0
"""Seed of the model's random stream in every sensitivity evaluation (common random numbers)."""
RESAMPLES = 200
"""Bootstrap resamples for the confidence intervals of Sobol' indices."""

OAT_COLUMNS = ["input", "issue", "low", "high", "outcome_low", "outcome_high", "outcome_min", "outcome_max",
               "swing", "base_outcome"]
SOBOL_COLUMNS = ["input", "S1", "S1_conf", "ST", "ST_conf"]


def issue_inputs(scenario: Scenario, issue_id: str) -> list[Input]:
    """The uncertain inputs an issue's forecast reads: its status quo, and the capability, position,
    salience and risk of every actor with a stance on it (a capability belongs to each such issue)."""
    actors = scenario.issue_data(issue_id).actor_ids
    keys = {f"{issue_id}.status_quo"} | {f"{a}.capability" for a in actors} | {
        f"{a}.{issue_id}.{field}" for a in actors for field in ("position", "salience", "risk")}
    return [item for item in inputs(scenario) if item.key in keys and item.uncertain]


def one_at_a_time(scenario: Scenario, model: str | BargainingModel = "bdm", issues: Sequence[str] | None = None,
                  points: int = 5, **params: Any) -> pd.DataFrame:
    """Sweep each uncertain input across its range, every other number at its value.

    One row per (input, issue) the input belongs to: the input's range (``low``, ``high``), the
    outcome with the input at each end (``outcome_low``, ``outcome_high``), the lowest and highest
    outcome over the sweep (``points`` evenly spaced values and the input's own value) and their
    difference ``swing``, and ``base_outcome`` with every input at its value. Issues keep the
    scenario's order; within an issue the largest swing comes first.
    """
    if points < 2:
        raise StakesError(f"a sweep needs at least 2 points per input, not {points}; use e.g. points=5")
    estimator = make_model(model, **params)
    chosen = _issue_ids(scenario, issues)
    # a model that links issues solves them all in one run, so one sweep serves every issue
    groups = [chosen] if getattr(estimator, "links_issues", False) else [[issue_id] for issue_id in chosen]
    rows = []
    for group in groups:
        belongs = {issue_id: {item.key for item in issue_inputs(scenario, issue_id)} for issue_id in group}
        varied = list({item.key: item for issue_id in group for item in issue_inputs(scenario, issue_id)}.values())
        values = _base_values(scenario, 1 + (points + 1) * len(varied))
        for k, item in enumerate(varied):
            sweep = slice(1 + k * (points + 1), 1 + (k + 1) * (points + 1))
            values[item.key][sweep] = [*np.linspace(item.estimate.low, item.estimate.high, points),
                                       item.estimate.value]
        outcomes = _solve(estimator, scenario, group, values, block=None)
        for issue_id in group:
            outcome = outcomes[issue_id]
            for k, item in enumerate(varied):
                if item.key not in belongs[issue_id]:
                    continue
                swept = outcome[1 + k * (points + 1): 1 + (k + 1) * (points + 1)]
                rows.append({"input": item.key, "issue": issue_id, "low": item.estimate.low,
                             "high": item.estimate.high, "outcome_low": swept[0],
                             "outcome_high": swept[points - 1], "outcome_min": swept.min(),
                             "outcome_max": swept.max(), "swing": swept.max() - swept.min(),
                             "base_outcome": outcome[0]})
    table = pd.DataFrame(rows, columns=OAT_COLUMNS)
    order = {issue.id: k for k, issue in enumerate(scenario.issues)}
    table = table.assign(_issue=table["issue"].map(order)).sort_values(
        ["_issue", "swing"], ascending=[True, False], kind="stable")
    return table.drop(columns="_issue").reset_index(drop=True)


def sobol(scenario: Scenario, model: str | BargainingModel = "bdm", issue: str | None = None,
          base_samples: int = 256, seed: int = 0, **params: Any) -> pd.DataFrame:
    """Sobol' indices of an issue's outcome for each of the issue's uncertain inputs.

    ``S1`` is the share of the outcome's variance that the input explains alone, ``ST`` its share
    including interactions with other inputs; ``*_conf`` are half-widths of 95% bootstrap intervals.
    The model runs ``base_samples × (inputs + 2)`` times (``base_samples`` a power of two). Rows are
    sorted by ``ST``, largest first. ``issue`` may be left out only for a one-issue scenario.
    """
    check_base_samples(base_samples)
    if issue is None:
        if len(scenario.issues) > 1:
            raise StakesError("name the issue for Sobol' indices; issues: "
                              + ", ".join(i.id for i in scenario.issues))
        issue = scenario.issues[0].id
    _issue_ids(scenario, [issue])  # an unknown issue is an error naming the known ones
    varied = issue_inputs(scenario, issue)
    if not varied:
        raise StakesError(f"issue {issue!r} has no number with an uncertainty range, so nothing to attribute "
                          "variance to; give some of its numbers a `range:`")
    estimator = make_model(model, **params)
    d, n = len(varied), base_samples
    rng = np.random.default_rng(seed)
    uniform = qmc.Sobol(2 * d, scramble=True, seed=rng).random(n)
    a, b = _quantiles(varied, uniform[:, :d]), _quantiles(varied, uniform[:, d:])
    design = [a, b] + [np.where(np.arange(d) == k, b, a) for k in range(d)]  # A, B, then A with column k of B
    x = np.concatenate(design)
    values = _base_values(scenario, len(x))
    for k, item in enumerate(varied):
        values[item.key] = x[:, k]
    y = _outcomes(estimator, scenario, issue, values).reshape(d + 2, n)
    y = y - y[:2].mean()
    first, total = _indices(y[0], y[1], y[2:])
    resample = rng.integers(0, n, size=(RESAMPLES, n))
    boot_first, boot_total = _indices(y[0][resample], y[1][resample], y[2:][:, resample])
    z = norm.ppf(0.975)
    table = pd.DataFrame({"input": [item.key for item in varied], "S1": first,
                          "S1_conf": z * boot_first.std(axis=1, ddof=1), "ST": total,
                          "ST_conf": z * boot_total.std(axis=1, ddof=1)}, columns=SOBOL_COLUMNS)
    return table.sort_values("ST", ascending=False, kind="stable").reset_index(drop=True)


def check_base_samples(base_samples: int) -> None:
    """Sobol' sequences keep their balance only for a power of two points."""
    if base_samples < 2 or base_samples & (base_samples - 1):
        raise StakesError(f"base_samples must be a power of two (Sobol' sequences need it), not {base_samples}; "
                          "use e.g. 256 or 1024")


def _indices(f_a: np.ndarray, f_b: np.ndarray, f_ab: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Saltelli (2010) first-order and Jansen (1999) total-order estimators over the last axis.

    ``f_a``, ``f_b`` have shape (..., n) and ``f_ab`` (inputs, ..., n); indices have shape (inputs, ...).
    Zero output variance gives zero indices.
    """
    variance = np.var(np.concatenate([f_a, f_b], axis=-1), axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        first = np.mean(f_b * (f_ab - f_a), axis=-1) / variance
        total = 0.5 * np.mean((f_a - f_ab) ** 2, axis=-1) / variance
    return np.nan_to_num(first, nan=0.0, posinf=0.0, neginf=0.0), np.nan_to_num(total, nan=0.0, posinf=0.0,
                                                                                 neginf=0.0)


def _quantiles(varied: list[Input], u: np.ndarray) -> np.ndarray:
    """Uniform (0, 1) numbers turned into each input's distribution over its range (column per input)."""
    out = np.empty_like(u)
    for k, item in enumerate(varied):
        e = item.estimate
        if e.distribution == "triangular":
            out[:, k] = triang.ppf(u[:, k], (e.value - e.low) / (e.high - e.low), loc=e.low, scale=e.high - e.low)
        elif e.distribution == "normal":  # as in Monte Carlo: the range spans ±2 sd, cut at the bounds
            sd = (e.high - e.low) / 4.0
            lo, hi = (item.bounds[0] - e.value) / sd, (item.bounds[1] - e.value) / sd
            out[:, k] = truncnorm.ppf(u[:, k], lo, hi, loc=e.value, scale=sd)
        else:
            out[:, k] = e.low + u[:, k] * (e.high - e.low)
    return out


def _issue_ids(scenario: Scenario, issues: Sequence[str] | None) -> list[str]:
    known = [i.id for i in scenario.issues]
    if issues is None:
        return known
    if isinstance(issues, str):
        issues = [issues]
    for issue_id in issues:
        if issue_id not in known:
            raise StakesError(f"scenario {scenario.title!r} has no issue {issue_id!r}; "
                              f"choose from {', '.join(known)}")
    return list(issues)


def _base_values(scenario: Scenario, rows: int) -> dict[str, np.ndarray]:
    """Every input at its value, ``rows`` times."""
    return {item.key: np.full(rows, item.estimate.value) for item in inputs(scenario)}


def _outcomes(estimator: BargainingModel, scenario: Scenario, issue_id: str, values: dict[str, np.ndarray],
              block: int | None = BLOCK) -> np.ndarray:
    """The model's outcome on one issue for each row of ``values``."""
    return _solve(estimator, scenario, [issue_id], values, block)[issue_id]


def _solve(estimator: BargainingModel, scenario: Scenario, issue_ids: list[str], values: dict[str, np.ndarray],
           block: int | None = BLOCK) -> dict[str, np.ndarray]:
    """The model's outcome on each of ``issue_ids`` for each row of ``values``: one batch per ``block``
    rows (or one). A model that links issues solves every issue of each row together, as a forecast does."""
    linked = getattr(estimator, "links_issues", False)
    solved = scenario if linked else replace(scenario, issues=tuple(scenario.issue(i) for i in issue_ids))
    rows = len(next(iter(values.values())))
    out = {issue_id: np.empty(rows) for issue_id in issue_ids}
    for start in range(0, rows, block or rows):
        part = slice(start, min(start + (block or rows), rows))
        batches = list(issue_batches(solved, values, part).values())
        result = estimator.solve_batches(batches, np.full(part.stop - part.start, MODEL_SEED))
        for issue_id in issue_ids:
            out[issue_id][part] = result[issue_id].outcomes
    return out
