"""The one interface every bargaining model implements, and the result objects it returns.

A model is configured in its constructor (like a scikit-learn estimator) and solves one issue at a
time from plain arrays (:class:`~stakes.scenario.model.IssueData`). :func:`stakes.forecast` runs it
over every issue of a scenario and gathers an :class:`~stakes.forecast.Forecast`.
"""

from __future__ import annotations

import inspect
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from stakes.errors import ModelError
from stakes.scenario.model import Estimate, Issue, IssueData

STOP_REASONS = ("static", "converged", "round_limit", "cycle")

CHALLENGE_COLUMNS = ("round", "challenger", "target", "kind", "old_position", "new_position", "details")


@dataclass
class IssueForecast:
    """What a model predicts for one issue.

    ``positions`` has one row per round (row 0 = the starting positions) and one column per actor in
    ``actor_ids`` order. ``outcome`` is the predicted outcome on the issue's scale and ``outcomes`` the
    model's outcome after each round. ``challenges`` records who challenged whom in each round and
    what came of it (empty for models without rounds); a model may hand over a function that builds
    that table, so runs whose log nobody reads (Monte Carlo, sweeps) never pay for it.
    """

    issue_id: str
    actor_ids: tuple[str, ...]
    positions: np.ndarray
    outcomes: np.ndarray
    stop_reason: str
    challenge_log: pd.DataFrame | Callable[[], pd.DataFrame] | None = field(default=None, repr=False)
    diagnostics: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def challenges(self) -> pd.DataFrame:
        """Who challenged whom in each round and what came of it (built on first use)."""
        if self.challenge_log is None:
            return pd.DataFrame(columns=CHALLENGE_COLUMNS)
        return self.challenge_log() if callable(self.challenge_log) else self.challenge_log

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


@dataclass(frozen=True)
class IssueBatch:
    """Many draws of one issue's numbers, for Monte Carlo: arrays shaped (draws, actors).

    ``status_quo`` holds one draw of the issue's status quo per row (``None`` when it has none);
    ``fixed`` is shared by every draw.
    """

    issue: Issue
    actor_ids: tuple[str, ...]
    position: np.ndarray
    salience: np.ndarray
    capability: np.ndarray
    risk: np.ndarray | None = None
    fixed: np.ndarray | None = None
    status_quo: np.ndarray | None = None

    @property
    def draws(self) -> int:
        return self.position.shape[0]

    def draw(self, b: int) -> IssueData:
        """Draw ``b`` as the one-issue data a model's ``solve`` takes."""
        issue = self.issue
        if self.status_quo is not None and issue.status_quo is not None:
            issue = replace(issue, status_quo=replace(issue.status_quo, value=float(self.status_quo[b])))
        elif self.status_quo is not None:
            issue = replace(issue, status_quo=Estimate(float(self.status_quo[b])))
        return IssueData(issue=issue, actor_ids=self.actor_ids, position=self.position[b],
                         salience=self.salience[b], capability=self.capability[b],
                         risk=None if self.risk is None else self.risk[b], fixed=self.fixed)


@dataclass
class BatchForecast:
    """A model's forecast of every draw of an issue: outcomes (draws,), final positions (draws, actors)."""

    issue_id: str
    actor_ids: tuple[str, ...]
    outcomes: np.ndarray
    final_positions: np.ndarray
    rounds: np.ndarray
    stop_reasons: np.ndarray
    """Index into :data:`STOP_REASONS` per draw."""


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

    def solve_batches(self, batches: list[IssueBatch], seeds: np.ndarray) -> dict[str, BatchForecast]:
        """Every issue's batch. Issue by issue, unless the model links issues (``links_issues`` and
        ``solve_many``): then each draw's issues are solved together, as :func:`stakes.forecast` does."""
        if not getattr(self, "links_issues", False):
            return {batch.issue.id: self.solve_batch(batch, seeds) for batch in batches}
        draws = [self.solve_many([batch.draw(b) for batch in batches], np.random.default_rng(int(seeds[b])))
                 for b in range(batches[0].draws)]
        return {
            batch.issue.id: BatchForecast(
                issue_id=batch.issue.id,
                actor_ids=batch.actor_ids,
                outcomes=np.array([d[batch.issue.id].outcome for d in draws]),
                final_positions=np.array([d[batch.issue.id].positions[-1] for d in draws]),
                rounds=np.array([d[batch.issue.id].rounds for d in draws]),
                stop_reasons=np.array([STOP_REASONS.index(d[batch.issue.id].stop_reason) for d in draws]),
            )
            for batch in batches
        }

    def solve_batch(self, batch: IssueBatch, seeds: np.ndarray) -> BatchForecast:
        """Forecast every draw of an issue; draw b uses the random stream seeded by ``seeds[b]``.

        This fallback solves the draws one by one; models override it with one array computation.
        Results must equal ``solve`` on each draw, so a draw's forecast does not depend on the batch
        it was computed in.
        """
        results = [self.solve(batch.draw(b), np.random.default_rng(int(seeds[b]))) for b in range(batch.draws)]
        return BatchForecast(
            issue_id=batch.issue.id,
            actor_ids=batch.actor_ids,
            outcomes=np.array([r.outcome for r in results]),
            final_positions=np.array([r.positions[-1] for r in results]),
            rounds=np.array([r.rounds for r in results]),
            stop_reasons=np.array([STOP_REASONS.index(r.stop_reason) for r in results]),
        )

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"


def weights(data: IssueData | IssueBatch) -> np.ndarray:
    """Capability × salience: how hard each actor can and will push on this issue (per draw)."""
    w = data.capability * data.salience
    if not np.all(np.any(w > 0, axis=-1)):
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
    return float(weighted_median_rows(position[np.newaxis], weight[np.newaxis])[0])


def weighted_median_rows(position: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """:func:`weighted_median` of every row of (draws, actors) arrays at once."""
    order = np.argsort(position, axis=1, kind="stable")
    x = np.take_along_axis(position, order, axis=1)
    cumulative = np.cumsum(np.clip(np.take_along_axis(weight, order, axis=1), 0.0, None), axis=1)
    half = cumulative[:, -1:] / 2.0
    rows = np.arange(len(x))
    k = (cumulative < half).sum(axis=1)  # first actor at or past half the weight
    reached = cumulative[rows, k]
    after = np.minimum((cumulative <= reached[:, None]).sum(axis=1), x.shape[1] - 1)  # next weighted actor
    tie = (np.abs(reached - half[:, 0]) <= 1e-12 * half[:, 0]) & (cumulative[rows, after] > reached)
    return np.where(tie, (x[rows, k] + x[rows, after]) / 2.0, x[rows, k])


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


def static_batch(batch: IssueBatch, outcomes: np.ndarray) -> BatchForecast:
    """The batch forecast of a model without rounds: nobody moves, one outcome per draw."""
    return BatchForecast(
        issue_id=batch.issue.id,
        actor_ids=batch.actor_ids,
        outcomes=np.asarray(outcomes, dtype=float),
        final_positions=batch.position.copy(),
        rounds=np.zeros(batch.draws, dtype=int),
        stop_reasons=np.full(batch.draws, STOP_REASONS.index("static")),
    )
