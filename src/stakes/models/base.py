"""The one interface every bargaining model implements, and the result objects it returns.

A model is configured in its constructor (like a scikit-learn estimator) and solves one issue at a
time from plain arrays (:class:`~stakes.scenario.model.IssueData`). :func:`stakes.forecast` runs it
over every issue of a scenario and gathers an :class:`~stakes.forecast.Forecast`.
"""

from __future__ import annotations

import inspect
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from stakes.errors import ModelError
from stakes.scenario.model import IssueData

STOP_REASONS = ("static", "converged", "round_limit", "cycle")

CHALLENGE_COLUMNS = ("round", "challenger", "target", "kind", "old_position", "new_position", "details")


@dataclass
class IssueForecast:
    """What a model predicts for one issue.

    ``positions`` has one row per round (row 0 = the starting positions) and one column per actor in
    ``actor_ids`` order. ``outcome`` is the predicted outcome on the issue's scale and ``outcomes`` the
    model's outcome after each round. ``challenges`` records who challenged whom in each round and
    what came of it (empty for models without rounds).
    """

    issue_id: str
    actor_ids: tuple[str, ...]
    positions: np.ndarray
    outcomes: np.ndarray
    stop_reason: str
    challenges: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=CHALLENGE_COLUMNS))
    diagnostics: dict[str, Any] = field(default_factory=dict)

    @property
    def outcome(self) -> float:
        return float(self.outcomes[-1])

    @property
    def rounds(self) -> int:
        """Number of bargaining rounds played (0 for one-shot models)."""
        return self.positions.shape[0] - 1

    @property
    def final_positions(self) -> dict[str, float]:
        return dict(zip(self.actor_ids, self.positions[-1].tolist()))

    def trajectory(self) -> pd.DataFrame:
        """Tidy table: one row per (round, actor) with the actor's position."""
        rounds, n = self.positions.shape
        return pd.DataFrame({
            "issue": self.issue_id,
            "round": np.repeat(np.arange(rounds), n),
            "actor": np.tile(np.array(self.actor_ids, dtype=object), rounds),
            "position": self.positions.reshape(-1),
        })


class BargainingModel(ABC):
    """Base class: parameters in the constructor, ``solve`` one issue, no state kept between calls."""

    name: ClassVar[str]
    title: ClassVar[str]
    reference: ClassVar[str]

    def __init__(self, **params: Any):
        """Subclasses declare their parameters as keyword arguments with defaults."""
        if params:
            raise TypeError(f"unknown parameter(s) for {self.name}: {', '.join(params)}")

    def get_params(self) -> dict[str, Any]:
        """The constructor parameters and their values (as in scikit-learn)."""
        signature = inspect.signature(type(self).__init__)
        return {name: getattr(self, name) for name in signature.parameters
                if name != "self" and signature.parameters[name].kind is not inspect.Parameter.VAR_KEYWORD}

    @abstractmethod
    def solve(self, data: IssueData, rng: np.random.Generator) -> IssueForecast:
        """Forecast one issue. ``rng`` is the only source of randomness a model may use."""

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"


def weights(data: IssueData) -> np.ndarray:
    """Capability × salience: how hard each actor can and will push on this issue."""
    w = data.capability * data.salience
    if not np.any(w > 0):
        raise ModelError(
            f"issue {data.issue.id!r}: no actor has both capability and salience above zero, so no model "
            "can weigh positions; give at least one actor a positive capability and salience"
        )
    return w


def weighted_median(position: np.ndarray, weight: np.ndarray) -> float:
    """The position that wins every pairwise majority vote with these weights (the median voter).

    When the weight splits exactly in half between two neighbouring positions, every point between
    them ties; the midpoint is returned so the answer does not depend on actor order.
    """
    order = np.argsort(position, kind="stable")
    x, w = position[order], weight[order]
    keep = w > 0
    x, w = x[keep], w[keep]
    cumulative = np.cumsum(w)
    half = cumulative[-1] / 2.0
    k = int(np.searchsorted(cumulative, half, side="left"))
    if abs(cumulative[k] - half) <= 1e-12 * half and k + 1 < len(x):
        return float((x[k] + x[k + 1]) / 2.0)
    return float(x[k])


def weighted_mean(position: np.ndarray, weight: np.ndarray) -> float:
    return float(np.dot(position, weight) / weight.sum())


def one_shot(data: IssueData, outcome: float, **diagnostics: Any) -> IssueForecast:
    """The forecast of a model without rounds: starting positions and one outcome."""
    return IssueForecast(
        issue_id=data.issue.id,
        actor_ids=data.actor_ids,
        positions=data.position[np.newaxis, :].copy(),
        outcomes=np.array([outcome]),
        stop_reason="static",
        diagnostics=diagnostics,
    )
