"""The exchange model of linked issues: actors trade voting positions where their saliences differ.

Stokman & Van Oosten (1994), "The exchange of voting positions: an object-oriented model of policy
networks", in Bueno de Mesquita & Stokman (eds.), *European Community Decision Making*; the
equal-gain exchange as later specified by Dijkstra, Van Assen & Stokman (2008) and compared with
compromise and challenge models by Arregui, Stokman & Thomson (2006), in Thomson, Stokman, Achen &
König (eds.), *The European Union Decides*.

Every actor i has a capability c_i, and on each issue k a position x_ik (the outcome it wants), a
salience s_ik and a voting position v_ik, which starts at x_ik and is what exchanges move. Each round:

1. Expected outcome of every issue: the compromise O_k = Σ_i w_ik v_ik / W_k of the voting
   positions, with weights w_ik = c_i s_ik and W_k = Σ_i w_ik. Moving a vote by d moves O_k by
   d w_ik / W_k.
2. Utility is linear: an actor gains s_ik for every unit the outcome of k moves toward its position
   x_ik (and loses as much when it moves away), so a trade's value is a salience-weighted shift.
   Shifts are measured as fractions of each issue's scale, so issues on different scales trade alike.
3. Who can trade. Actors a and b can exchange on issues p and q when their positions lie on opposite
   sides of the expected outcome on both issues (strictly: an actor at the outcome has nothing to ask
   for) and their saliences are not proportional: a cares relatively more about p
   (s_ap s_bq > s_aq s_bp). Then b moves its vote on p toward a's position (a's demand issue, b's
   supply issue) and a moves its vote on q toward b's position. With proportional saliences
   (s_ap/s_aq = s_bp/s_bq) nobody can gain, so a single issue, or issues everyone weighs alike, see
   no exchange: the outcome is the weighted mean.
4. Rate. With outcome shifts dp (on p, toward a) and dq = r dp (on q, toward b), a gains
   G_a = s_ap dp − s_aq dq and b gains G_b = s_bq dq − s_bp dp. ``rate="equal_gain"`` sets
   G_a = G_b, r = (s_ap + s_bp)/(s_aq + s_bq) (Stokman & Van Oosten); ``rate="rks"`` gives each the
   same share of the most it could gain at that size, r = (s_bp/s_bq + s_ap/s_aq)/2 (the
   Raiffa-Kalai-Smorodinsky rate of Van Assen, Stokman & Van Oosten 2003). Both lie strictly between
   the rates at which one partner would gain nothing, so both gain.
5. Size. The exchange is as large as it can be without either vote passing the partner's position:
   one of the two votes goes all the way there, the other as far as the rate requires. With
   ``outcome_cap`` (default, as the public Decide implementation does) it is also cut so that neither
   expected outcome moves past the position of the partner who asked for the shift (beyond that point
   the shift would no longer help it); ``outcome_cap=False`` bounds moves by the positions only.
6. Order. Exchanges are sorted by joint gain G_a + G_b (= 2G under equal gain) and realised from
   the highest; each actor-issue pair takes part in at most one exchange per round (as the one who
   moves or the one who asked), so every realised exchange is computed from the round's starting
   votes. Ties (gains within 1e-12, relatively) go to the issue pair listed first, then to the pair
   of actors whose ids sort first, so results do not depend on the order of actors.
7. Rounds. The next round starts from the new votes; positions x, which decide sides and gains, stay.
   A vote so only ever moves away from its owner's position, and the process settles: rounds repeat
   until no exchange remains ("converged"; an exchange that moves no vote by more than ``tolerance``
   of the scale does not count; "static" if nobody trades at all), or ``rounds`` rounds have been
   played ("round_limit").

The predicted outcome of each issue is the compromise O_k of the final votes: the capability ×
salience weighted mean of the post-exchange positions. The forecast's positions are the votes. Where
an issue has a decision rule (``decision="scenario"``, the default, as for every round-based model),
the rule picks the outcome from the final votes instead, and the compromise is kept as ``bargained``.
Actors with zero capability or salience on an issue neither push nor trade on it; an actor whose
stance is ``fixed`` may ask for moves but never moves its vote.

Choices where the literature varies, stated here and not hidden:

- Stokman & Van Oosten realise exchanges in order of gain and then recompute those the realised
  exchange touches (the public Decide implementation lets an actor trade one issue several times in
  a round, in one direction). Here each actor-issue pair trades at most once per round and later
  rounds continue the process, which keeps every exchange computed from one set of votes.
- Decide iterates by making the votes the actors' new positions (one version blends them with the
  old by salience). With positions reset, an actor can trade a vote back and forth without end (on
  rafah-2024 such runs did not settle in 30 rounds); here positions stay and only votes move.
- Two exchanges on one issue in the same round are each sized against the round's starting outcome,
  so together they can carry it a little past what the outcome cap allows either of them alone.
- Ranking by joint gain coincides with ranking by gain under equal gain; under ``rks`` the two
  partners gain different amounts and the joint gain orders the exchanges.

Engine: rounds run in a compiled kernel (numba, :mod:`stakes.models.exchange_kernel`) shared by
``solve_many`` (one run with its exchange log) and ``solve_batches`` (many Monte Carlo draws in one
call, parallel over draws). A round costs O(K² n²) for n actors and K issues.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from types import ModuleType
from typing import ClassVar

import numpy as np
import pandas as pd

from stakes.errors import ModelError
from stakes.models.base import (
    CHALLENGE_COLUMNS,
    STOP_REASONS,
    BargainingModel,
    BatchForecast,
    IssueBatch,
    IssueForecast,
    check_decision,
    weights,
)
from stakes.scenario.model import Issue, IssueData

RATES = ("equal_gain", "rks")
SIDE_TIE = 1e-12
"""Positions within this fraction of the scale from the expected outcome stand at it (no side)."""
RATIO_TIE = 1e-12
"""Salience cross-products this close (relatively) count as proportional: no gain to trade."""
GAIN_TIE = 1e-12
"""Gains closer than this (relatively) count as equal; smaller gains count as none."""


def _kernel() -> ModuleType:
    """The compiled kernels, imported on first use: importing numba takes about a second."""
    from stakes.models import exchange_kernel

    return exchange_kernel


@dataclass(frozen=True)
class Space:
    """Linked issues as (actors, issues) arrays, in the kernel's terms.

    ``actor_ids`` lists every actor with a stance on any issue; ``columns[k]`` maps issue k's actors
    (in its ``actor_ids`` order) to rows. ``weight`` is capability × salience (0 without a stance),
    ``free`` marks who may move on an issue, ``width`` holds the issues' scale widths and ``order``
    lists the rows by id (the tie-breaker).
    """

    datas: tuple[IssueData, ...]
    actor_ids: tuple[str, ...]
    columns: tuple[np.ndarray, ...]
    position: np.ndarray
    weight: np.ndarray
    salience: np.ndarray
    free: np.ndarray
    width: np.ndarray
    order: np.ndarray


class VoteExchange(BargainingModel):
    """Stokman & Van Oosten's exchange model: trades of voting positions across linked issues."""

    name = "exchange"
    title = "Exchange of voting positions (Stokman & Van Oosten)"
    reference = ("Stokman & Van Oosten (1994), in European Community Decision Making; Arregui, Stokman & "
                 "Thomson (2006), in The European Union Decides")
    links_issues: ClassVar[bool] = True

    def __init__(self, rounds: int = 50, rate: str = "equal_gain", outcome_cap: bool = True,
                 tolerance: float = 1e-9, decision: str = "scenario"):
        """Options as in the module docstring: ``rounds`` caps the rounds (runs usually converge well
        before 50), ``tolerance`` is a fraction of each issue's scale; ``decision`` as for every
        round-based model (:class:`~stakes.models.base.BargainingModel`): where an issue has a
        decision rule, it picks the outcome from the votes the exchanges leave."""
        if rate not in RATES:
            raise ValueError(f"rate must be one of {RATES}, not {rate!r}")
        if isinstance(rounds, bool) or not isinstance(rounds, (int, np.integer)) or rounds < 1:
            raise ValueError(f"rounds must be a whole number of at least 1, not {rounds!r}")
        if not isinstance(outcome_cap, (bool, np.bool_)):
            raise TypeError(f"outcome_cap must be true or false, not {outcome_cap!r}")
        if isinstance(tolerance, bool) or not isinstance(tolerance, (int, float)) or not tolerance >= 0:
            raise ValueError(f"tolerance must be zero or positive, not {tolerance!r}")
        self.rounds = int(rounds)
        self.rate = rate
        self.outcome_cap = bool(outcome_cap)
        self.tolerance = float(tolerance)
        self.decision = check_decision(decision)

    def solve(self, data: IssueData, rng: np.random.Generator) -> IssueForecast:
        """One issue alone: nothing to trade it against, so the outcome is the weighted mean."""
        return self.solve_many([data], rng)[data.issue.id]

    def solve_many(self, datas: list[IssueData], rng: np.random.Generator) -> dict[str, IssueForecast]:
        """Forecast these issues together (the model draws no random numbers; ``rng`` goes unused)."""
        space = self.prepare(datas)
        kernel = _kernel()
        n, k_issues = space.position.shape
        capacity = self.rounds * (n * k_issues // 4 + 1)
        history = np.empty((self.rounds + 1, n, k_issues))
        log_ints = np.empty((capacity, kernel.LOG_INTS), dtype=np.int64)
        log_floats = np.empty((capacity, kernel.LOG_FLOATS))
        played, stop, logged = kernel.run_draw(
            space.position.copy(), space.weight, space.salience, space.free, space.width, space.order,
            self.rounds, RATES.index(self.rate), self.outcome_cap, self.tolerance, True, history, log_ints,
            log_floats)
        log = (log_ints[:logged].copy(), log_floats[:logged].copy())
        return {data.issue.id: self._issue_forecast(space, k, history[:played + 1], STOP_REASONS[stop], log)
                for k, data in enumerate(space.datas)}

    def solve_batch(self, batch: IssueBatch, seeds: np.ndarray) -> BatchForecast:
        """One issue's draws alone: the weighted mean of each draw."""
        return self._solve_batches([batch], seeds)[batch.issue.id]

    def _solve_batches(self, batches: list[IssueBatch], seeds: np.ndarray) -> dict[str, BatchForecast]:
        """Every draw of the linked issues in one parallel kernel call; equals ``solve_many`` draw by
        draw (the model draws no random numbers, so ``seeds`` go unused)."""
        if not batches:
            raise ModelError("no issue to forecast; give at least one")
        ids = list(dict.fromkeys(a for batch in batches for a in batch.actor_ids))
        row = {a: r for r, a in enumerate(ids)}
        draws, n, k_issues = batches[0].draws, len(ids), len(batches)
        x = np.zeros((draws, n, k_issues))
        w = np.zeros((draws, n, k_issues))
        s = np.zeros((draws, n, k_issues))
        free = np.zeros((n, k_issues), dtype=bool)
        columns = []
        for k, batch in enumerate(batches):
            rows = np.array([row[a] for a in batch.actor_ids], dtype=np.int64)
            x[:, rows, k] = batch.position
            w[:, rows, k] = weights(batch)
            s[:, rows, k] = batch.salience
            free[rows, k] = True if batch.fixed is None else ~np.asarray(batch.fixed, dtype=bool)
            columns.append(rows)
        width = np.array([_width(batch.issue) for batch in batches])
        played, stops = _kernel().run_batch(x, w, s, free, width, _id_order(ids), self.rounds,
                                            RATES.index(self.rate), self.outcome_cap, self.tolerance)
        out = {}
        for k, batch in enumerate(batches):
            final = x[:, columns[k], k]
            weight = w[:, columns[k], k]
            out[batch.issue.id] = BatchForecast(
                issue_id=batch.issue.id, actor_ids=batch.actor_ids,
                outcomes=(weight * final).sum(axis=1) / weight.sum(axis=1), final_positions=final,
                rounds=played.copy(), stop_reasons=stops.copy())
        return out

    def prepare(self, datas: list[IssueData]) -> Space:
        """The linked issues as arrays on [0, 1] scales, every actor with a stance on any of them."""
        if not datas:
            raise ModelError("no issue to forecast; give at least one")
        ids = list(dict.fromkeys(a for data in datas for a in data.actor_ids))
        row = {a: r for r, a in enumerate(ids)}
        n, k_issues = len(ids), len(datas)
        position = np.zeros((n, k_issues))
        weight = np.zeros((n, k_issues))
        salience = np.zeros((n, k_issues))
        free = np.zeros((n, k_issues), dtype=bool)
        columns = []
        for k, data in enumerate(datas):
            rows = np.array([row[a] for a in data.actor_ids], dtype=np.int64)
            position[rows, k] = data.position
            weight[rows, k] = weights(data)
            salience[rows, k] = data.salience
            fixed = np.zeros(data.n, dtype=bool) if data.fixed is None else np.asarray(data.fixed, dtype=bool)
            free[rows, k] = ~fixed & (weight[rows, k] > 0)
            columns.append(rows)
        width = np.array([_width(data.issue) for data in datas])
        return Space(tuple(datas), tuple(ids), tuple(columns), position, weight, salience, free, width,
                     _id_order(ids))

    def _issue_forecast(self, space: Space, k: int, history: np.ndarray, stop: str,
                        log: tuple[np.ndarray, np.ndarray]) -> IssueForecast:
        data = space.datas[k]
        rows = space.columns[k]
        positions = history[:, rows, k]
        weight = space.weight[rows, k]
        trades = log[0][(log[0][:, 3] == k) | (log[0][:, 4] == k)]
        return IssueForecast(
            issue_id=data.issue.id,
            actor_ids=data.actor_ids,
            positions=positions,
            outcomes=np.array([np.dot(row, weight) for row in positions]) / weight.sum(),
            stop_reason=stop,
            challenge_log=partial(self._challenge_table, space, k, log),
            diagnostics={
                "linked_issues": [d.issue.id for d in space.datas],
                "exchanges": len(trades),
                "excluded_actors": [a for a, r in zip(data.actor_ids, rows) if space.weight[r, k] <= 0],
            },
        )

    def _challenge_table(self, space: Space, k: int, log: tuple[np.ndarray, np.ndarray]) -> pd.DataFrame:
        """One row per exchange touching issue k: who moved on k (target), toward whom (challenger), in
        return for what on the other issue, and what each expects to gain."""
        ints, floats = log
        ids = space.actor_ids
        issue_ids = [d.issue.id for d in space.datas]
        rows = []
        for (t, a, b, p, q), (old_bp, new_bp, old_aq, new_aq, gain_a, gain_b, dp, dq) in zip(
                ints.tolist(), floats.tolist()):
            if k not in (p, q):
                continue
            mover, partner, here, there = (b, a, p, q) if k == p else (a, b, q, p)
            old, new, other_old, other_new = (
                (old_bp, new_bp, old_aq, new_aq) if k == p else (old_aq, new_aq, old_bp, new_bp))
            shift_here, shift_there = (dp, dq) if k == p else (dq, dp)
            details = (
                f"{ids[mover]} moves toward {ids[partner]} on {issue_ids[here]} in return for {ids[partner]} "
                f"moving toward {ids[mover]} on {issue_ids[there]} ({other_old:.6g} -> {other_new:.6g}); "
                f"expected gain {ids[a]} {gain_a:+.4g}, {ids[b]} {gain_b:+.4g} (salience x outcome shift, "
                f"as a share of the scale); expected outcome shifts {shift_here:.4g} of the scale on {issue_ids[here]}, {shift_there:.4g} on "
                f"{issue_ids[there]}")
            rows.append((t, ids[partner], ids[mover], "exchange", old, new, details))
        return pd.DataFrame(rows, columns=list(CHALLENGE_COLUMNS))


def _width(issue: Issue) -> float:
    """The width of the issue's scale, checked: shifts and gains are reckoned as fractions of it."""
    lo, hi = issue.scale
    if not hi > lo:
        raise ModelError(f"issue {issue.id!r}: scale {issue.scale} has no width; give it a low end below its "
                         "high end")
    return float(hi - lo)


def _id_order(ids: list[str]) -> np.ndarray:
    """Rows in the order of their ids: the order-independent tie-breaker."""
    return np.argsort(np.array(ids, dtype=object), kind="stable").astype(np.int64)
