"""Veto players: the outcome moves from the status quo only as far as every veto player agrees.

Tsebelis (2002), *Veto Players: How Political Institutions Work*, and the procedural models compared
with bargaining models on EU legislation in Thomson, Stokman, Achen & König (eds., 2006), *The European
Union Decides*: an issue's decision rule, not a weighing of positions, decides whether the status quo
changes. On one dimension each veto player accepts the points at least as near its ideal as the
status quo (its win-set); the outcome stays at the status quo unless the win-sets overlap in more
than that point, and inside the overlap the agenda setter takes the point nearest its ideal or,
without a setter, the veto players split the gains by the asymmetric Nash bargaining solution with
the status quo as disagreement point. The arithmetic, and the other rules, are in
:mod:`stakes.models.rules`.

Design:

- The model applies the issue's ``decision:`` to the stated positions, in one shot (nobody moves): a
  ``veto`` rule as above; ``majority``/``qualified_majority`` and ``single`` by the same module, so
  the model is the rule-aware forecast of any issue with a rule.
- An issue without a rule (or ``rule: bargaining``, or a veto rule left without veto players) has
  nobody who must agree beyond the bargainers themselves: there the model is the ``nash`` model —
  asymmetric Nash bargaining among every actor, weights capability × salience, disagreement at the
  worst point — so with no veto players ``veto`` equals ``bargaining``.
- ``utility`` ("linear" or "quadratic" loss in distance) shapes the Nash bargaining, with or without
  veto players; who accepts what depends on distance alone, so it does not change the win-sets.
- Diagnostics per issue: ``rule``; ``deal`` (whether a change from the status quo can pass; ``None``
  without a rule that has such a notion); ``blocking`` (the veto players or voters who refuse the
  change the others want, where no deal exists); ``feasible`` (the interval of points that can pass,
  status quo included, or ``None``). ``solve_batch`` computes every draw in array operations and
  reports ``deal`` per draw, which Monte Carlo turns into P(deal).
"""

from __future__ import annotations

import numpy as np

from stakes.models import rules
from stakes.models.base import (
    BargainingModel,
    BatchForecast,
    IssueBatch,
    IssueForecast,
    one_shot,
    static_batch,
    status_quo,
    weights,
)
from stakes.models.nash import NashBargaining
from stakes.scenario.model import IssueData


class VetoPlayers(BargainingModel):
    """The issue's decision rule on the stated positions; Nash bargaining where no rule binds."""

    name = "veto"
    title = "Veto players and decision rules (status quo as reversion point)"
    reference = ("Tsebelis (2002), Veto Players; Thomson, Stokman, Achen & König (2006), "
                 "The European Union Decides; Romer & Rosenthal (1978)")

    def __init__(self, utility: str = "linear"):
        if utility not in rules.UTILITIES:
            raise ValueError(f"utility must be one of {rules.UTILITIES}, not {utility!r}")
        self.utility = utility

    def solve(self, data: IssueData, rng: np.random.Generator) -> IssueForecast:
        decision = data.issue.decision
        if not rules.binding(decision):
            result = NashBargaining(self.utility).solve(data, rng)
            result.diagnostics.update(rule="bargaining", deal=None, blocking=[], feasible=None)
            return result
        w = weights(data)
        ruled = rules.apply_rule(decision, data.actor_ids, data.position, w, status_quo(data.issue),
                                 data.issue.scale, self.utility)
        return one_shot(data, float(ruled.outcome), **ruled.summary(data.actor_ids))

    def solve_batch(self, batch: IssueBatch, seeds: np.ndarray) -> BatchForecast:
        decision = batch.issue.decision
        if not rules.binding(decision):
            return NashBargaining(self.utility).solve_batch(batch, seeds)
        sq = batch.status_quo if batch.status_quo is not None else status_quo(batch.issue)
        ruled = rules.apply_rule(decision, batch.actor_ids, batch.position, weights(batch), sq,
                                 batch.issue.scale, self.utility)
        result = static_batch(batch, ruled.outcome)
        result.deal = ruled.deal
        return result
