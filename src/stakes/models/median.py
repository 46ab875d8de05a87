"""The weighted median: the position no other position beats in a weighted pairwise vote.

On one dimension with single-peaked preferences, the capability × salience weighted median is the
Condorcet winner (Black 1948); it is the outcome Bueno de Mesquita's expected-utility forecasts
start from.
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
    weighted_median,
    weighted_median_rows,
    weights,
)
from stakes.scenario.model import IssueData


class WeightedMedian(BargainingModel):
    """Outcome = the weighted median position (ties split at the midpoint)."""

    name = "median"
    title = "Weighted median (median voter)"
    reference = "Black (1948), J. Political Economy 56(1); Bueno de Mesquita (1994)"

    def solve(self, data: IssueData, rng: np.random.Generator) -> IssueForecast:
        w = weights(data)
        return one_shot(data, weighted_median(data.position, w), total_weight=float(w.sum()))

    def solve_batch(self, batch: IssueBatch, seeds: np.ndarray) -> BatchForecast:
        return static_batch(batch, weighted_median_rows(batch.position, weights(batch)))
