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
from stakes.models.base import BargainingModel, IssueForecast, one_shot, weights
from stakes.scenario.model import IssueData

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

    def _reach(self, d: np.ndarray, width: float) -> np.ndarray:
        """How far from its ideal each actor still gains over disagreement."""
        slack = np.clip(1.0 - d, 0.0, None)
        return width * (slack if self.utility == "linear" else np.sqrt(slack))

    def _gain(self, x: float, ideal: np.ndarray, d: np.ndarray, width: float) -> np.ndarray:
        distance = np.abs(x - ideal) / width
        return 1.0 - (distance if self.utility == "linear" else distance**2) - d

    def _right_slope(self, x: float, ideal: np.ndarray, w: np.ndarray, d: np.ndarray, width: float) -> float:
        """Right derivative of Σ wᵢ log gainᵢ(x): positive while moving right still pays."""
        if self.utility == "linear":
            slope = -np.where(x >= ideal, 1.0, -1.0) / width
        else:
            slope = -2.0 * (x - ideal) / width**2
        return float(np.dot(w, slope / self._gain(x, ideal, d, width)))

    def solve(self, data: IssueData, rng: np.random.Generator) -> IssueForecast:
        w = weights(data)
        active = w > 0
        ideal, w = data.position[active], w[active]
        width = data.issue.width
        if self.disagreement == "status_quo":
            if data.issue.status_quo is None:
                raise ModelError(f"issue {data.issue.id!r} has no status_quo; add one to the scenario or "
                                 "use disagreement='worst'")
            status_quo = data.issue.status_quo.value
            d = 1.0 - self._gain(status_quo, ideal, np.zeros_like(ideal), width)
        else:
            status_quo, d = None, np.zeros_like(ideal)
        reach = self._reach(d, width)
        lo = max(float(np.max(ideal - reach)), data.issue.scale[0])
        hi = min(float(np.min(ideal + reach)), data.issue.scale[1])
        if not lo < hi:  # no point on the scale leaves every actor better off than disagreement
            return one_shot(data, float(status_quo), agreement=False)
        lo, hi = max(lo, float(ideal.min())), min(hi, float(ideal.max()))
        # The objective is concave: bisect on the sign of its right derivative to float precision.
        while True:
            mid = 0.5 * (lo + hi)
            if not lo < mid < hi:
                break
            if self._right_slope(mid, ideal, w, d, width) > 0:
                lo = mid
            else:
                hi = mid
        best = hi
        nearest = float(ideal[np.argmin(np.abs(ideal - best))])
        if abs(nearest - best) <= 1e-9 * width:  # a kink at an actor's ideal point: report it exactly
            best = nearest
        log_product = float(np.dot(w, np.log(self._gain(best, ideal, d, width))))
        return one_shot(data, best, agreement=True, log_nash_product=log_product)
