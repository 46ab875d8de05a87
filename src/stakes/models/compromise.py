"""The compromise model: the capability × salience weighted mean of positions.

Achen (2006), "Institutional realism and bargaining models", in Thomson, Stokman, Achen & König
(eds.), *The European Union Decides*. It is the Nash bargaining solution's approximation under
quadratic losses and the strongest simple baseline in that book's comparisons.
"""

from __future__ import annotations

import numpy as np

from stakes.models.base import (
    BargainingModel,
    BatchForecast,
    IssueBatch,
    IssueForecast,
    one_shot,
    static_batch,
    weighted_mean,
    weights,
)
from stakes.scenario.model import IssueData


class WeightedMean(BargainingModel):
    """Outcome = Σ cᵢ sᵢ xᵢ / Σ cᵢ sᵢ."""

    name = "mean"
    title = "Weighted mean (compromise model)"
    reference = "Achen (2006), The European Union Decides, ch. 4"

    def solve(self, data: IssueData, rng: np.random.Generator) -> IssueForecast:
        w = weights(data)
        return one_shot(data, weighted_mean(data.position, w), total_weight=float(w.sum()))

    def solve_batch(self, batch: IssueBatch, seeds: np.ndarray) -> BatchForecast:
        w = weights(batch)
        return static_batch(batch, (w * batch.position).sum(axis=1) / w.sum(axis=1))
