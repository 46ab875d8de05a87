"""Who must agree: decision rules on one issue, as plain-array functions.

Every function takes positions shaped ``(..., actors)`` — one actor's ideal point per column, any
number of leading axes (Monte Carlo draws, bargaining rounds, or none for one case) — and status
quos shaped ``(...)``, and returns arrays shaped ``(...)``: a scalar case and 10,000 draws run the
same code, with no loop over rows.

Preferences are one-dimensional and single-peaked: an actor prefers the point nearer its ideal
(salience scales how much it cares, never which of two points it prefers, so it plays no part in
who accepts what). The **status quo** is the reversion point: what stays in force when no decision
is reached.

- **Win-set** of an actor: the points it likes at least as well as the status quo, the closed
  interval ``[x − r, x + r]`` with ``r = |x − sq|`` (:func:`win_sets`). It always holds the status
  quo; an actor standing at the status quo accepts nothing else. A veto rule may instead state the
  interval a veto player would sign (``accepts``), where nearness misleads: a party that prefers the
  status quo to a small step toward its aim, because the step costs it what it bargains with. Such a
  set need not hold the status quo, and two of them can miss each other: then there is no deal.
- **Veto** (Tsebelis 2002): a change needs every veto player. The **feasible interval** is the
  intersection of the veto players' win-sets within the scale (:func:`veto_interval`); it holds the
  status quo, and a **deal** exists when it is more than that point — in one dimension, when every
  veto player stands strictly on the same side of the status quo. Inside it the agenda setter takes
  the point nearest its ideal (its take-it-or-leave-it offer, Romer & Rosenthal 1978); without a
  setter the veto players split the gains by the asymmetric Nash bargaining solution, weighted by
  capability × salience, with the status quo as disagreement point (:func:`nash_solution`; equal
  weights when no veto player has any).
- **Majority / qualified majority** of weighted voters: a point beats the status quo when the voters
  who like it at least as well hold more than half (majority) or at least ``threshold`` (qualified
  majority) of the voters' total weight. On one dimension the voters are pivotal in order of
  position: the **right pivot** is the voter at which the weight counted down from the highest
  position first reaches the quota, the **left pivot** the same counted up from the lowest
  (:func:`pivots`). A move right passes up to ``2 × right pivot − sq`` when the right pivot lies
  right of the status quo, a move left likewise; a status quo between the pivots cannot be changed
  (:func:`quota_interval`). Inside the interval the setter's nearest point, or without a setter the
  voters' weighted median held inside it: the median beats every other point by simple majority,
  and held inside the interval it lies between the pivots, so no point beats it at the threshold
  either (for a simple majority it is the median itself, Black's median voter).
- **Single**: the decider's position.
- **Who blocks** when no deal exists (:func:`blockers`): the change others want runs from the status
  quo toward the agenda setter's ideal, or without a setter toward the capability × salience weighted
  median of every actor's position; the members of the deciding body (veto players, voters) who
  stand at the status quo or on its other side block it. When the change others want is none (that
  median sits at the status quo), only members standing at the status quo block.

The asymmetric Nash bargaining solution (Nash 1950; Kalai 1977) lives here as a plain function
because both the ``nash`` model and the veto rule use it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from stakes.errors import ModelError
from stakes.scenario.model import Decision

UTILITIES = ("linear", "quadratic")
DEAL_TOLERANCE = 1e-9
"""A feasible interval narrower than this fraction of the scale's width is the status quo alone."""


# --- the asymmetric Nash bargaining solution ------------------------------------------------------

def gain(x: np.ndarray, ideal: np.ndarray, d: np.ndarray, width: float, utility: str) -> np.ndarray:
    """Each actor's utility at x (one point per row) above its disagreement utility ``d``."""
    distance = np.abs(x[:, None] - ideal) / width
    return 1.0 - (distance if utility == "linear" else distance**2) - d


def _right_slope(x: np.ndarray, ideal: np.ndarray, w: np.ndarray, d: np.ndarray, width: float,
                 utility: str) -> np.ndarray:
    """Right derivative of Σ wᵢ log gainᵢ(x) per row: positive while moving right still pays."""
    if utility == "linear":
        slope = -np.where(x[:, None] >= ideal, 1.0, -1.0) / width
    else:
        slope = -2.0 * (x[:, None] - ideal) / width**2
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(w > 0, w * slope / gain(x, ideal, d, width, utility), 0.0).sum(axis=1)


def disagreement(status_quo: np.ndarray | None, ideal: np.ndarray, width: float, utility: str) -> np.ndarray:
    """Each actor's utility of disagreement: 0 (the worst point) or that of the status quo."""
    if status_quo is None:
        return np.zeros_like(ideal)
    return gain(status_quo, ideal, np.zeros_like(ideal), width, utility)


def nash_solution(ideal: np.ndarray, w: np.ndarray, status_quo: np.ndarray | None,
                  scale: tuple[float, float], utility: str = "linear") -> tuple[np.ndarray, np.ndarray]:
    """Asymmetric Nash solution of every row of (rows, actors) arrays, and whether it is an agreement.

    Maximises Σᵢ wᵢ log(Uᵢ(x) − dᵢ), utilities falling linearly or quadratically with distance over
    the scale's width, d the utility of the status quo (or 0, the worst point, when ``status_quo`` is
    None). The objective is concave on the points that leave every weighted actor better off than
    disagreement, so bisecting on the sign of its right derivative finds the maximum to float
    precision; a maximum at an actor's ideal point (a kink) is reported exactly. Without agreement
    the status quo stands.
    """
    width = scale[1] - scale[0]
    active = w > 0
    d = disagreement(status_quo, ideal, width, utility)
    slack = np.clip(1.0 - d, 0.0, None)
    reach = np.where(active, width * (slack if utility == "linear" else np.sqrt(slack)), np.inf)
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
        rising = _right_slope(mid, ideal, w, d, width, utility) > 0
        lo = np.where(open_ & rising, mid, lo)
        hi = np.where(open_ & ~rising, mid, hi)
    distance = np.where(active, np.abs(ideal - hi[:, None]), np.inf)
    nearest = np.take_along_axis(ideal, distance.argmin(axis=1)[:, None], axis=1)[:, 0]
    best = np.where(np.abs(nearest - hi) <= 1e-9 * width, nearest, hi)
    if status_quo is not None:
        best = np.where(agreement, best, status_quo)
    return best, agreement


# --- medians, win-sets, pivots --------------------------------------------------------------------

def weighted_median_rows(position: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """The weighted median of every row of (rows, actors) arrays: the position that wins every
    pairwise majority vote; an exact half-half split between two neighbours gives their midpoint."""
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


def win_sets(ideal: np.ndarray, status_quo: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """Each actor's win-set ``[low, high]``: the points at least as near its ideal as the status quo."""
    sq = np.asarray(status_quo, dtype=float)[..., None]
    mirror = 2 * ideal - sq  # the status quo reflected in the ideal; the status quo end stays exact
    return np.minimum(sq, mirror), np.maximum(sq, mirror)


def veto_interval(ideal: np.ndarray, members: np.ndarray, status_quo: np.ndarray | float,
                  scale: tuple[float, float], accepts: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The intersection of the win-sets of the actors marked in ``members`` (the veto players), cut
    to the scale. It holds the status quo unless ``accepts`` — per actor ``[low, high]``, shaped
    (actors, 2), NaN where the win-set stands — replaces some win-sets; then it may be empty
    (``low > high``)."""
    low, high = acceptance_sets(ideal, status_quo, accepts)
    low = np.where(members, low, -np.inf).max(axis=-1)
    high = np.where(members, high, np.inf).min(axis=-1)
    return np.maximum(low, scale[0]), np.minimum(high, scale[1])


def acceptance_sets(ideal: np.ndarray, status_quo: np.ndarray | float,
                    accepts: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """What each actor would sign: its stated interval in ``accepts`` where it has one, else its
    win-set (:func:`win_sets`)."""
    low, high = win_sets(ideal, status_quo)
    if accepts is None:
        return low, high
    stated = ~np.isnan(accepts[:, 0])
    return np.where(stated, accepts[:, 0], low), np.where(stated, accepts[:, 1], high)


def pivotal_blockers(ideal: np.ndarray, members: np.ndarray, status_quo: np.ndarray | float,
                     scale: tuple[float, float], accepts: np.ndarray, tolerance: float) -> np.ndarray:
    """Veto players without whom a deal would exist: each one whose acceptance set misses the
    intersection of all the others' (rows, actors)."""
    out = np.zeros(np.shape(ideal), dtype=bool)
    for k in np.flatnonzero(members):
        others = members.copy()
        others[k] = False
        if not others.any():
            continue
        low, high = veto_interval(ideal, others, status_quo, scale, accepts)
        out[..., k] = _has_deal(low, high, np.asarray(status_quo, dtype=float), tolerance)
    return out


def _has_deal(low: np.ndarray, high: np.ndarray, status_quo: np.ndarray, tolerance: float) -> np.ndarray:
    """Whether ``[low, high]`` holds a change from the status quo: more than the status quo point
    (a win-set intersection always holds it), or a non-empty interval away from it."""
    return (high >= low) & ((high - low > tolerance) | (low > status_quo + tolerance)
                            | (high < status_quo - tolerance))


def pivots(ideal: np.ndarray, weight: np.ndarray, share: float, strict: bool) -> tuple[np.ndarray, np.ndarray]:
    """The right and left pivots of weighted voters (weight 0: not a voter) at a quota.

    The right pivot is the position at which the weight counted from the highest position down first
    holds more than (``strict``) or at least ``share`` of the total; the left pivot the same counted
    from the lowest position up. For ``share`` ≥ 1/2 the right pivot never lies right of the left.
    """
    order = np.argsort(ideal, axis=-1, kind="stable")
    x = np.take_along_axis(ideal, order, axis=-1)
    w = np.take_along_axis(weight, order, axis=-1)
    total = w.sum(axis=-1, keepdims=True)
    # weights summed in another order may differ in the last bits: a share reached exactly counts as
    # reached (at least) and as not passed (more than)
    quota = share * total * ((1 + 1e-12) if strict else (1 - 1e-12))
    up, down = np.cumsum(w, axis=-1), np.cumsum(w[..., ::-1], axis=-1)
    reached_up = up > quota if strict else up >= quota
    reached_down = down > quota if strict else down >= quota
    left = np.take_along_axis(x, reached_up.argmax(axis=-1)[..., None], axis=-1)[..., 0]
    right = np.take_along_axis(x[..., ::-1], reached_down.argmax(axis=-1)[..., None], axis=-1)[..., 0]
    return right, left


def quota_interval(ideal: np.ndarray, weight: np.ndarray, status_quo: np.ndarray | float, share: float,
                   strict: bool, scale: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    """The points that beat the status quo, or tie it, at the quota: ``[sq, 2 × right pivot − sq]``
    when the right pivot lies right of the status quo, ``[2 × left pivot − sq, sq]`` when the left
    pivot lies left of it, else the status quo alone."""
    sq = np.asarray(status_quo, dtype=float)
    right, left = pivots(ideal, weight, share, strict)
    high = np.where(right > sq, np.minimum(2 * right - sq, scale[1]), sq)
    low = np.where(left < sq, np.maximum(2 * left - sq, scale[0]), sq)
    return low, high


def blockers(ideal: np.ndarray, members: np.ndarray, status_quo: np.ndarray | float,
             toward: np.ndarray | float) -> np.ndarray:
    """Members who refuse every move from the status quo toward ``toward``: those at the status quo
    or on its far side (with ``toward`` at the status quo, those at the status quo)."""
    sq = np.asarray(status_quo, dtype=float)[..., None]
    direction = np.sign(np.asarray(toward, dtype=float)[..., None] - sq)
    side = np.sign(ideal - sq)
    return members & ((side == 0) | (side * direction < 0))


# --- a rule's outcome -----------------------------------------------------------------------------

@dataclass(frozen=True)
class RuleOutcome:
    """What a decision rule makes of final positions, per row (draw or round).

    ``deal`` says whether a change from the status quo can pass (``None`` for ``single``, which
    always decides); ``low``/``high`` bound the points that can pass (``None`` for ``single``;
    ``low > high`` where stated acceptance sets miss each other);
    ``blocking`` marks, per actor, who blocks a change where no deal exists.
    """

    rule: str
    outcome: np.ndarray
    deal: np.ndarray | None
    low: np.ndarray | None
    high: np.ndarray | None
    blocking: np.ndarray

    def summary(self, actor_ids: Sequence[str]) -> dict[str, Any]:
        """The last row as plain data for a forecast's diagnostics: rule, deal, blocking, feasible."""
        last = (-1,) * self.outcome.ndim
        return {
            "rule": self.rule,
            "deal": None if self.deal is None else bool(self.deal[last]),
            "blocking": [a for a, b in zip(actor_ids, self.blocking[last], strict=True) if b],
            "feasible": (None if self.low is None or self.low[last] > self.high[last]  # stated sets that miss
                         else [float(self.low[last]), float(self.high[last])]),
        }


def binding(decision: Decision | None) -> bool:
    """Whether a rule picks the outcome: any rule but ``bargaining``, and a veto rule only with veto
    players (without any, veto is plain bargaining)."""
    return (decision is not None and decision.rule != "bargaining"
            and not (decision.rule == "veto" and not decision.veto_players))


def members_of(decision: Decision, actor_ids: Sequence[str]) -> dict[str, np.ndarray]:
    """The rule's actors as arrays over ``actor_ids``: veto-player mask, voter weights, setter and
    decider masks. Every actor the rule names must be among ``actor_ids``."""
    index = {a: k for k, a in enumerate(actor_ids)}
    missing = [a for a in decision.actors if a not in index]
    if missing:
        raise ModelError(f"the decision rule names {', '.join(missing)}, who take(s) no stance on this issue; "
                         "give each a stance or leave it out of the rule")
    n = len(actor_ids)
    veto = np.zeros(n, dtype=bool)
    veto[[index[a] for a in decision.veto_players]] = True
    votes = np.zeros(n)
    for voter, weight in decision.voter_weights().items():
        votes[index[voter]] = weight
    accepts = None
    if decision.accepts:
        accepts = np.full((n, 2), np.nan)
        for actor_id, interval in decision.accepts.items():
            accepts[index[actor_id]] = interval
    return {"veto": veto, "votes": votes, "accepts": accepts,
            "setter": np.arange(n) == index.get(decision.agenda_setter, -1),
            "decider": np.arange(n) == index.get(decision.decider, -1)}


def apply_rule(decision: Decision, actor_ids: Sequence[str], ideal: np.ndarray, weight: np.ndarray,
               status_quo: np.ndarray | float, scale: tuple[float, float], utility: str = "linear") -> RuleOutcome:
    """The outcome of a :func:`binding` ``decision`` from positions ``ideal`` (..., actors), with
    capability × salience ``weight`` (same shape, or one row for all) and the status quo per row."""
    if not binding(decision):
        raise ValueError(f"the rule {decision.rule!r} without actors picks no outcome of its own; "
                         "use a bargaining model")
    ideal = np.asarray(ideal, dtype=float)
    shape, n = ideal.shape[:-1], ideal.shape[-1]
    x = ideal.reshape(-1, n)
    w = np.broadcast_to(np.asarray(weight, dtype=float), ideal.shape).reshape(-1, n)
    sq = np.broadcast_to(np.asarray(status_quo, dtype=float), shape).reshape(-1)
    who = members_of(decision, actor_ids)
    if decision.rule == "single":
        outcome = x[:, who["decider"]][:, 0]
        return RuleOutcome("single", outcome.reshape(shape), None, None, None,
                           np.zeros(ideal.shape, dtype=bool))
    if decision.rule == "veto":
        body = who["veto"]
        low, high = veto_interval(x, body, sq, scale, who["accepts"])
    else:
        body = who["votes"] > 0
        votes = np.broadcast_to(who["votes"], x.shape)
        strict = decision.rule == "majority"
        low, high = quota_interval(x, votes, sq, 0.5 if strict else decision.threshold, strict, scale)
    tolerance = DEAL_TOLERANCE * (scale[1] - scale[0])
    deal = _has_deal(low, high, sq, tolerance)
    if who["setter"].any():
        inside = x[:, who["setter"]][:, 0]
        toward = inside
    elif decision.rule == "veto":  # Nash bargaining among the veto players, only where a deal exists
        own = np.where(body, w[deal], 0.0)
        own = np.where(own.sum(axis=1, keepdims=True) > 0, own, body.astype(float))
        inside = sq.copy()
        inside[deal], _ = nash_solution(x[deal], own, sq[deal], scale, utility)
        toward = weighted_median_rows(x, w)
    else:
        inside = weighted_median_rows(x, np.broadcast_to(who["votes"], x.shape))
        toward = weighted_median_rows(x, w)
    outcome = np.where(deal, np.clip(inside, low, high), sq)
    blocking = blockers(x, body, sq, toward)
    if who["accepts"] is not None:  # stated sets can miss each other wherever the members stand
        pivotal = pivotal_blockers(x, body, sq, scale, who["accepts"], tolerance)
        blocking = np.where(pivotal.any(axis=1, keepdims=True), pivotal, blocking)
    blocking &= ~deal[:, None]
    return RuleOutcome(decision.rule, outcome.reshape(shape), deal.reshape(shape), low.reshape(shape),
                       high.reshape(shape), blocking.reshape(ideal.shape))
