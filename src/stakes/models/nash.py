"""The asymmetric Nash bargaining solution over one issue.

Maximises Σᵢ wᵢ log(Uᵢ(x) − dᵢ) with weights wᵢ = capability × salience (Nash 1950; Kalai 1977 for
the asymmetric form; its use on EU legislation in Thomson et al. 2006, *The European Union Decides*).
Utilities fall with distance from the actor's position, linearly or quadratically, normalised by
the width of the issue scale. The disagreement point is either the far end of the scale (utility 0)
or the issue's status quo.
"""

from __future__ import annotations

import numpy as np

from stakes.errors import ModelError
from stakes.models.base import (
    BargainingModel,
    BatchForecast,
    IssueBatch,
    IssueForecast,
    one_shot,
    static_batch,
    weights,
)
from stakes.scenario.model import Issue, IssueData

UTILITIES = ("linear", "quadratic")
DISAGREEMENTS = ("worst", "status_quo")


class NashBargaining(BargainingModel):
    """Weighted Nash product maximised over the issue scale."""

    name = "nash"
    title = "Nash bargaining solution (asymmetric)"
    reference = "Nash (1950), Econometrica 18(2); Kalai (1977); Thomson et al. (2006)"

    def __init__(self, utility: str = "linear", disagreement: str = "worst"):
        if utility not in UTILITIES:
            raise ValueError(f"utility must be one of {UTILITIES}, not {utility!r}")
        if disagreement not in DISAGREEMENTS:
            raise ValueError(f"disagreement must be one of {DISAGREEMENTS}, not {disagreement!r}")
        self.utility = utility
        self.disagreement = disagreement

    def _gain(self, x: np.ndarray, ideal: np.ndarray, d: np.ndarray, width: float) -> np.ndarray:
        """Each actor's utility at x (one point per row) above its disagreement utility."""
        distance = np.abs(x[:, None] - ideal) / width
        return 1.0 - (distance if self.utility == "linear" else distance**2) - d

    def _right_slope(self, x: np.ndarray, ideal: np.ndarray, w: np.ndarray, d: np.ndarray,
                     width: float) -> np.ndarray:
        """Right derivative of Σ wᵢ log gainᵢ(x) per row: positive while moving right still pays."""
        if self.utility == "linear":
            slope = -np.where(x[:, None] >= ideal, 1.0, -1.0) / width
        else:
            slope = -2.0 * (x[:, None] - ideal) / width**2
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(w > 0, w * slope / self._gain(x, ideal, d, width), 0.0).sum(axis=1)

    def _disagreement(self, status_quo: np.ndarray | None, ideal: np.ndarray, width: float) -> np.ndarray:
        """Each actor's utility of disagreement: 0 (the worst point) or that of the status quo."""
        if status_quo is None:
            return np.zeros_like(ideal)
        return 1.0 - self._gain(status_quo, ideal, np.zeros_like(ideal), width)

    def _solve_rows(self, ideal: np.ndarray, w: np.ndarray, status_quo: np.ndarray | None,
                    scale: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
        """Nash solution of every row of (draws, actors) arrays, and whether it is an agreement.

        The objective is concave on the points that leave every weighted actor better off than
        disagreement, so bisecting on the sign of its right derivative finds the maximum to float
        precision; a maximum at an actor's ideal point (a kink) is reported exactly.
        """
        width = scale[1] - scale[0]
        active = w > 0
        d = self._disagreement(status_quo, ideal, width)
        slack = np.clip(1.0 - d, 0.0, None)
        reach = np.where(active, width * (slack if self.utility == "linear" else np.sqrt(slack)), np.inf)
        lo = np.maximum(np.max(ideal - reach, axis=1), scale[0])
        hi = np.minimum(np.min(ideal + reach, axis=1), scale[1])
        agreement = lo < hi
        lo = np.maximum(lo, np.where(active, ideal, np.inf).min(axis=1))
        hi = np.minimum(hi, np.where(active, ideal, -np.inf).max(axis=1))
        hi = np.maximum(lo, hi)
        while True:
            mid = 0.5 * (lo + hi)
            open_ = (lo < mid) & (mid < hi)
            if not open_.any():
                break
            rising = self._right_slope(mid, ideal, w, d, width) > 0
            lo = np.where(open_ & rising, mid, lo)
            hi = np.where(open_ & ~rising, mid, hi)
        distance = np.where(active, np.abs(ideal - hi[:, None]), np.inf)
        nearest = np.take_along_axis(ideal, distance.argmin(axis=1)[:, None], axis=1)[:, 0]
        best = np.where(np.abs(nearest - hi) <= 1e-9 * width, nearest, hi)
        if status_quo is not None:
            best = np.where(agreement, best, status_quo)
        return best, agreement

    def _status_quo(self, issue: Issue, draws: np.ndarray | None, n: int) -> np.ndarray | None:
        if self.disagreement != "status_quo":
            return None
        if issue.status_quo is None and draws is None:
            raise ModelError(f"issue {issue.id!r} has no status_quo; add one to the scenario or "
                             "use disagreement='worst'")
        return np.full(n, issue.status_quo.value) if draws is None else draws

    def solve(self, data: IssueData, rng: np.random.Generator) -> IssueForecast:
        w = weights(data)
        status_quo = self._status_quo(data.issue, None, 1)
        best, agreement = self._solve_rows(data.position[None], w[None], status_quo, data.issue.scale)
        if not agreement[0]:
            return one_shot(data, float(best[0]), agreement=False)
        ideal = data.position[None]
        gain = self._gain(best, ideal, self._disagreement(status_quo, ideal, data.issue.width), data.issue.width)
        log_product = float(np.dot(w[w > 0], np.log(gain[0][w > 0])))
        return one_shot(data, float(best[0]), agreement=True, log_nash_product=log_product)

    def solve_batch(self, batch: IssueBatch, seeds: np.ndarray) -> BatchForecast:
        status_quo = self._status_quo(batch.issue, batch.status_quo, batch.draws)
        best, _ = self._solve_rows(batch.position, weights(batch), status_quo, batch.issue.scale)
        return static_batch(batch, best)
