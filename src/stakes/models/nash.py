"""The asymmetric Nash bargaining solution over one issue.

Maximises Σᵢ wᵢ log(Uᵢ(x) − dᵢ) with weights wᵢ = capability × salience (Nash 1950; Kalai 1977 for
the asymmetric form; its use on EU legislation in Thomson et al. 2006, *The European Union Decides*).
Utilities fall with distance from the actor's position, linearly or quadratically, normalised by
the width of the issue scale. The disagreement point is either the far end of the scale (utility 0)
or the issue's status quo.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize_scalar

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

    def _utility(self, x: np.ndarray | float, ideal: np.ndarray, width: float) -> np.ndarray:
        distance = np.abs(np.subtract.outer(x, ideal)) / width
        return 1.0 - (distance if self.utility == "linear" else distance**2)

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
            d = self._utility(status_quo, ideal, width)
        else:
            status_quo, d = None, np.zeros_like(ideal)

        def nash_log_product(x: float) -> float:
            gain = self._utility(x, ideal, width) - d
            return float(np.dot(w, np.log(gain))) if np.all(gain > 0) else -np.inf

        # The objective is concave, so its maximum lies next to the best actor position.
        candidates = np.unique(ideal)
        values = np.array([nash_log_product(x) for x in candidates])
        if not np.isfinite(values).any() and status_quo is not None:
            return one_shot(data, float(status_quo), agreement=False)
        k = int(np.argmax(values))
        best_x, best_value = float(candidates[k]), float(values[k])
        for lo, hi in ((k - 1, k), (k, k + 1)):
            if lo < 0 or hi >= len(candidates):
                continue
            result = minimize_scalar(lambda x: -nash_log_product(x), bounds=(candidates[lo], candidates[hi]),
                                     method="bounded", options={"xatol": 1e-12 * width})
            if -result.fun > best_value:
                best_x, best_value = float(result.x), float(-result.fun)
        return one_shot(data, best_x, agreement=True, log_nash_product=best_value)
