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
from stakes.models import rules
from stakes.models.rules import weighted_median_rows
from stakes.scenario.model import Decision, Estimate, Issue, IssueData

STOP_REASONS = ("static", "converged", "round_limit", "cycle")
DECISIONS = ("scenario", "ignore")

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
    deal: np.ndarray | None = None
    """Per draw, whether a change from the status quo passes the issue's decision rule (``None`` where
    no rule with a notion of a deal decided: plain bargaining, ``single``)."""


class BargainingModel(ABC):
    """Base class: parameters in the constructor, ``solve`` one issue, no state kept between calls.

    ``decision`` says whether an issue's decision rule picks the outcome once bargaining ends
    (``"scenario"``) or the model's own outcome stands (``"ignore"``). Round-based models take it as
    a constructor parameter (default ``"scenario"``): rounds move positions, then the rule in force
    picks the outcome from them, as Bueno de Mesquita describes his model. One-shot models keep
    ``"ignore"``: their positions never move, so the rule applied to them is the ``veto`` model. The
    runners (:func:`stakes.forecast`, :meth:`solve_batches`) apply the rule through :meth:`decide`
    and :meth:`decide_batch`; ``solve`` and ``solve_batch`` alone are the bargaining.
    """

    name: ClassVar[str]
    title: ClassVar[str]
    reference: ClassVar[str]
    decision: str = "ignore"

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

    def rule_in_force(self, issue: Issue) -> Decision | None:
        """The issue's decision rule if it picks this model's outcome, else ``None``."""
        if self.decision == "scenario" and rules.binding(issue.decision):
            return issue.decision
        return None

    def decide(self, data: IssueData, result: IssueForecast) -> IssueForecast:
        """``result`` with the rule in force applied to the positions after every round: ``outcomes``
        become the rule's, the bargained ones move to ``diagnostics["bargained"]`` beside the rule's
        ``rule``, ``deal``, ``blocking`` and ``feasible`` after the last round."""
        decision = self.rule_in_force(data.issue)
        if decision is None:
            return result
        ruled = rules.apply_rule(decision, data.actor_ids, result.positions, data.capability * data.salience,
                                 status_quo(data.issue), data.issue.scale)
        diagnostics = {**result.diagnostics, "bargained": result.outcomes, **ruled.summary(data.actor_ids)}
        return replace(result, outcomes=ruled.outcome, diagnostics=diagnostics)

    def decide_batch(self, batch: IssueBatch, result: BatchForecast) -> BatchForecast:
        """:meth:`decide` for every draw at once: the rule's outcomes from the final positions, and
        whether each draw has a deal."""
        decision = self.rule_in_force(batch.issue)
        if decision is None:
            return result
        sq = batch.status_quo if batch.status_quo is not None else status_quo(batch.issue)
        ruled = rules.apply_rule(decision, batch.actor_ids, result.final_positions,
                                 batch.capability * batch.salience, sq, batch.issue.scale)
        return replace(result, outcomes=ruled.outcome, deal=ruled.deal)

    def solve_batches(self, batches: list[IssueBatch], seeds: np.ndarray) -> dict[str, BatchForecast]:
        """Every issue's batch, with each issue's rule in force applied (:meth:`decide_batch`). Issue
        by issue, unless the model links issues (``links_issues`` and ``solve_many``): then each
        draw's issues are solved together, as :func:`stakes.forecast` does."""
        solved = self._solve_batches(batches, seeds)
        return {batch.issue.id: self.decide_batch(batch, solved[batch.issue.id]) for batch in batches}

    def _solve_batches(self, batches: list[IssueBatch], seeds: np.ndarray) -> dict[str, BatchForecast]:
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


def check_decision(decision: str) -> str:
    """``decision`` if it is one of :data:`DECISIONS` (for round-based models' constructors)."""
    if decision not in DECISIONS:
        raise ValueError(f"decision must be one of {DECISIONS}, not {decision!r}")
    return decision


def status_quo(issue: Issue) -> float:
    """The issue's status quo: the reversion point a decision rule needs."""
    if issue.status_quo is None:
        raise ModelError(f"issue {issue.id!r} has a decision rule but no status_quo; add the status quo "
                         "(what happens when no decision is reached) to the scenario")
    return issue.status_quo.value


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
