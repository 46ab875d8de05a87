"""Running a model over a scenario and holding what it predicts.

``forecast(scenario, model)`` is the single entry point; a :class:`Forecast` gives tidy tables
(trajectory, challenges, outcomes) ready for pandas, plotting or export.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from stakes.errors import ModelError
from stakes.models import BargainingModel, IssueForecast, make_model
from stakes.scenario.model import Scenario


@dataclass
class Forecast:
    """A model's forecast for every issue of a scenario."""

    scenario: Scenario
    model: BargainingModel
    issues: dict[str, IssueForecast]
    seed: int | None = None
    name: str | None = None

    @property
    def model_name(self) -> str:
        """The name the model was asked for by (a preset such as ``bdm-scholz-code``), else its class's."""
        return self.name or self.model.name

    @property
    def outcomes(self) -> dict[str, float]:
        """Issue id → predicted outcome on that issue's scale."""
        return {issue_id: result.outcome for issue_id, result in self.issues.items()}

    @property
    def trajectory(self) -> pd.DataFrame:
        """Tidy table of positions: columns model, issue, round, actor, position."""
        frames = [result.trajectory() for result in self.issues.values()]
        table = pd.concat(frames, ignore_index=True)
        table.insert(0, "model", self.model_name)
        return table

    @property
    def challenges(self) -> pd.DataFrame:
        """Every recorded challenge (who moved whom, how and why), with its issue."""
        frames = [result.challenges.assign(issue=issue_id) for issue_id, result in self.issues.items()
                  if len(result.challenges)]
        if not frames:
            return pd.DataFrame(columns=["issue", "round", "challenger", "target", "kind",
                                         "old_position", "new_position", "details"])
        table = pd.concat(frames, ignore_index=True)
        return table[["issue"] + [c for c in table.columns if c != "issue"]]

    def summary(self) -> pd.DataFrame:
        """One row per issue: outcome, rounds played and why the model stopped."""
        return pd.DataFrame([
            {"model": self.model_name, "issue": issue_id, "outcome": r.outcome, "rounds": r.rounds,
             "stop_reason": r.stop_reason}
            for issue_id, r in self.issues.items()
        ])

    def _repr_html_(self) -> str:
        """Notebook display: the per-issue summary table (pandas escapes the text)."""
        return self.summary().to_html(index=False)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON: parameters, outcomes, per-round positions and challenges."""
        return {
            "scenario": self.scenario.title,
            "model": self.model_name,
            "params": {k: jsonable(v) for k, v in self.model.get_params().items()},
            "seed": self.seed,
            "issues": {
                issue_id: {
                    "outcome": r.outcome,
                    "rounds": r.rounds,
                    "stop_reason": r.stop_reason,
                    "outcomes": r.outcomes.tolist(),
                    "positions": [dict(zip(r.actor_ids, row)) for row in r.positions.tolist()],
                    "challenges": [{k: jsonable(v) for k, v in row.items()}
                                   for row in r.challenges.to_dict(orient="records")],
                    "diagnostics": {k: jsonable(v) for k, v in r.diagnostics.items()},
                }
                for issue_id, r in self.issues.items()
            },
        }


def jsonable(value: Any) -> Any:
    """Plain data for JSON: arrays to lists, numpy scalars to Python, NaN and infinities to None."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def forecast(scenario: Scenario, model: str | BargainingModel = "bdm", *, issues: list[str] | None = None,
             seed: int | None = None, **params: Any) -> Forecast:
    """Forecast every issue of ``scenario`` (or only ``issues``) with one model.

    ``model`` is a name from :data:`stakes.models.MODELS` (extra keyword arguments are its
    parameters) or a configured model instance. Multi-issue scenarios run issue by issue; each issue
    gets its own random stream derived from ``seed``, so results do not depend on which issues run.
    A model that links issues (``links_issues``) solves the chosen issues together in one run.
    Where an issue has a decision rule and the model applies it (``decision="scenario"``, the default
    of the round-based models), the rule picks the outcome from the positions bargaining leaves.
    """
    estimator = make_model(model, **params)
    issue_ids = [i.id for i in scenario.issues] if issues is None else list(issues)
    streams = np.random.SeedSequence(seed).spawn(len(scenario.issues))
    index = {issue.id: k for k, issue in enumerate(scenario.issues)}
    for issue_id in issue_ids:
        if issue_id not in index:
            raise ModelError(f"scenario {scenario.title!r} has no issue {issue_id!r}; "
                             f"choose from {', '.join(index)}")
    datas = {issue_id: scenario.issue_data(issue_id) for issue_id in issue_ids}
    if getattr(estimator, "links_issues", False):
        solved = estimator.solve_many(list(datas.values()), np.random.default_rng(seed))
    else:
        solved = {issue_id: estimator.solve(data, np.random.default_rng(streams[index[issue_id]]))
                  for issue_id, data in datas.items()}
    results = {issue_id: estimator.decide(data, solved[issue_id]) for issue_id, data in datas.items()}
    name = model if isinstance(model, str) else None
    return Forecast(scenario=scenario, model=estimator, issues=results, seed=seed, name=name)
