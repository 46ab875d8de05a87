"""The asymmetric Nash bargaining solution over one issue.

Maximises Σᵢ wᵢ log(Uᵢ(x) − dᵢ) with weights wᵢ = capability × salience (Nash 1950; Kalai 1977 for
the asymmetric form; its use on EU legislation in Thomson et al. 2006, *The European Union Decides*).
Utilities fall with distance from the actor's position, linearly or quadratically, normalised by
the width of the issue scale. The disagreement point is either the far end of the scale (utility 0)
or the issue's status quo. The solution itself is :func:`stakes.models.rules.nash_solution`, which the
veto rule shares.
"""

from __future__ import annotations

import numpy as np

from stakes.errors import ModelError
from stakes.models import rules
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

DISAGREEMENTS = ("worst", "status_quo")


class NashBargaining(BargainingModel):
    """Weighted Nash product maximised over the issue scale."""

    name = "nash"
    title = "Nash bargaining solution (asymmetric)"
    reference = "Nash (1950), Econometrica 18(2); Kalai (1977); Thomson et al. (2006)"

    def __init__(self, utility: str = "linear", disagreement: str = "worst"):
        if utility not in rules.UTILITIES:
            raise ValueError(f"utility must be one of {rules.UTILITIES}, not {utility!r}")
        if disagreement not in DISAGREEMENTS:
            raise ValueError(f"disagreement must be one of {DISAGREEMENTS}, not {disagreement!r}")
        self.utility = utility
        self.disagreement = disagreement

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
        best, agreement = rules.nash_solution(data.position[None], w[None], status_quo, data.issue.scale, self.utility)
        if not agreement[0]:
            return one_shot(data, float(best[0]), agreement=False)
        ideal, width = data.position[None], data.issue.width
        gained = rules.gain(best, ideal, rules.disagreement(status_quo, ideal, width, self.utility), width,
                            self.utility)
        log_product = float(np.dot(w[w > 0], np.log(gained[0][w > 0])))
        return one_shot(data, float(best[0]), agreement=True, log_nash_product=log_product)

    def solve_batch(self, batch: IssueBatch, seeds: np.ndarray) -> BatchForecast:
        status_quo = self._status_quo(batch.issue, batch.status_quo, batch.draws)
        best, _ = rules.nash_solution(batch.position, weights(batch), status_quo, batch.issue.scale, self.utility)
        return static_batch(batch, best)
