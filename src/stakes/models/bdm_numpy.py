"""The expected-utility model's arithmetic in numpy, batched over draws: the engine that needs no compiler.

It computes what :mod:`stakes.models.bdm_kernel` computes, through the same interface (``workspace``,
``play_round``, ``run``, ``run_batch``), so :mod:`stakes.models.bdm` can run either. Every quantity
of a round is an array over (draw, actor) or (draw, actor, actor); the rounds of all draws advance
together, and a draw that has stopped leaves the batch. Sums run in the kernel's order (running sums
from 0.0, never numpy's pairwise ``sum``) and every expression keeps the kernel's association, so the
two engines agree to the last bit except where numpy's ``exp``, ``log`` and ``power`` round the last
bit differently from the C library's: positions agree to about 1e-14 of the scale after ten rounds.

Costs: a round holds about twenty arrays of draws × n × n floats, so batches are cut into chunks of
at most :data:`CHUNK` such elements. Counting the voters below each pair's midpoint costs O(n³) per
draw in a batch (O(n² log n) for one run, by binary search); the rest is O(n²), or O(n² log n) with
``probability="all_triples"``, which sorts each voter's losses.
"""

from __future__ import annotations

import numpy as np

from stakes.models import bdm
from stakes.models.base import STOP_REASONS

NO_OFFER, CONFLICT, COMPROMISE, CAPITULATION = (bdm.NO_OFFER, bdm.CONFLICT, bdm.COMPROMISE,
                                                bdm.CAPITULATION)
CONVERGED, ROUND_LIMIT, CYCLE = (STOP_REASONS.index(reason) for reason in ("converged", "round_limit", "cycle"))
ALL_TRIPLES = bdm.PROBABILITIES.index("all_triples")
CHALLENGER = bdm.RESIST_SALIENCES.index("challenger")
HIGHEST_EU, SCHOLZ_CODE = bdm.ACCEPTANCES.index("highest_eu"), bdm.ACCEPTANCES.index("scholz_code")
MEAN = bdm.OUTCOMES.index("mean")
CHUNK = 250_000
"""Draws × actors × actors per chunk of a batch (a round holds ~20 arrays of this many floats, 2 MB each)."""


def running_sum(a: np.ndarray, axis: int = -1) -> np.ndarray:
    """Σ a along ``axis`` term by term from 0.0, every partial sum: a loop's ``total += a[k]``."""
    return np.cumsum(a, axis=axis) + 0.0  # + 0.0 turns the -0.0 of a leading -0.0 into the loop's 0.0


def weighted_median(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """The weighted median of each row, computed exactly as :func:`stakes.models.base.weighted_median`."""
    rows, n = x.shape
    order = np.argsort(x, axis=1, kind="stable")
    cumulative = running_sum(np.maximum(np.take_along_axis(w, order, axis=1), 0.0))
    half = cumulative[:, -1] / 2.0
    reach = cumulative >= half[:, None]
    k = np.where(reach.any(axis=1), reach.argmax(axis=1), n - 1)
    reached = cumulative[np.arange(rows), k]
    beyond = (np.arange(n) > k[:, None]) & (cumulative > reached[:, None])
    after = np.where(beyond.any(axis=1), beyond.argmax(axis=1), n - 1)
    low = np.take_along_axis(x, order, axis=1)
    at_k, at_after = low[np.arange(rows), k], low[np.arange(rows), after]
    split = (np.abs(reached - half) <= 1e-12 * half) & (cumulative[np.arange(rows), after] > reached)
    return np.where(split, (at_k + at_after) / 2.0, at_k)


def weighted_mean(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Σ w x / Σ w of each row, summed in actor order."""
    return running_sum(w * x)[:, -1] / running_sum(w)[:, -1]


def _power(base: np.ndarray, r: np.ndarray) -> np.ndarray:
    """base^r as the kernel computes it: exp(r log base), or base itself where r = 1."""
    if np.all(r == 1.0):
        return base
    return np.where(r == 1.0, base, np.exp(r * np.log(base)))


def _voters_below(x: np.ndarray, midpoint: np.ndarray) -> np.ndarray:
    """below[d, a, b]: how many of draw d's positions (ascending) lie strictly below midpoint[d, a, b]."""
    draws, n = x.shape
    if draws == 1:
        return np.searchsorted(x[0], midpoint[0].ravel(), side="left").reshape(1, n, n)
    below = np.zeros(midpoint.shape, dtype=np.int64)
    for k in range(n):
        below += x[:, k, None, None] < midpoint
    return below


def win_probability(x: np.ndarray, weight: np.ndarray, risk: np.ndarray, distance: np.ndarray,
                    probability: int) -> np.ndarray:
    """win[d, a, b], the chance that a beats b (equations 1–2), for positions ascending in each row
    and ``distance[d, a, b]`` = |x_b − x_a| / δ."""
    draws, n = x.shape
    loss = np.where(distance == 0.0, 0.0, _power(distance, risk[:, :, None]))  # loss[d, k, c]
    prefix = np.concatenate([np.zeros((draws, 1, n)), running_sum(weight[:, :, None] * loss, axis=1)],
                            axis=1)  # prefix[d, t, c] = Σ_{k < t} w_k loss[k, c]
    every_vote = None
    if probability == ALL_TRIPLES:
        # each voter's losses by distance from it; ties have equal losses, so their order is moot
        nearest = np.take_along_axis(loss, np.argsort(distance, axis=2, kind="stable"), axis=2)
        spread = running_sum(nearest * (2.0 * np.arange(n) - n + 1.0))[:, :, -1]
        every_vote = running_sum(weight * spread)[:, -1] * 2.0
    midpoint = x[:, :, None] + 0.5 * (x[:, None, :] - x[:, :, None])  # of a and b, for a < b
    below = _voters_below(x, midpoint)
    columns = np.arange(n)
    start = (np.arange(draws)[:, None, None] * (n + 1) + below) * n  # flat index of prefix[d, below, 0]
    flat = prefix.ravel()
    at_b, at_a = flat[start + columns], flat[start + columns[:, None]]
    total = prefix[:, n, :]
    for_a = at_b - at_a
    for_b = (total[:, :, None] - total[:, None, :]) - (at_a - at_b)
    cast = for_a + for_b if every_vote is None else np.broadcast_to(every_vote[:, None, None], for_a.shape)
    contest = (columns[:, None] < columns) & (x[:, :, None] != x[:, None, :]) & (cast != 0.0)
    safe = np.where(contest, cast, 1.0)
    upper = np.where(contest, for_a / safe, 0.0)
    lower = np.where(contest, for_b / safe, 0.0)
    return upper + lower.transpose(0, 2, 1)


def _unchallenged_change(offset: np.ndarray, r: np.ndarray, t: float) -> np.ndarray:
    """T U_b + (1 − T) U_w: the challenger's utility if the target moves without a challenge."""
    return t * (2.0 - 4.0 * (0.5 - 0.25 * offset) ** r) + (1.0 - t) * (2.0 - 4.0 * (0.5 + 0.25 * offset) ** r)


def _expected_utility(near, far, status_quo, resist, win):
    """EU = U_s − Q U_sq − s (1 − P)(U_s − U_f), as the kernel's ``_expected_utility``."""
    return (-4.0 * near + status_quo) - ((1.0 - win) * resist) * ((far - near) * 4.0)


def challenge_utilities(x: np.ndarray, salience: np.ndarray, win: np.ndarray, view: np.ndarray,
                        median: np.ndarray, span: np.ndarray, d: np.ndarray, resist_salience: int,
                        q: float, t: float) -> tuple[np.ndarray, np.ndarray]:
    """(own, rival): own[d, a, b] the EU of a challenging b, rival[d, a, b] the EU of b challenging
    a, both in a's view (exponent view[d, a]); 0 at equal positions (equations 3–4)."""
    status_quo = (2.0 - q * (2.0 - 4.0 * 0.5 ** view))[:, :, None]
    near, far = 0.5 - 0.5 * d, 0.5 + 0.5 * d
    r = view[:, :, None]
    near_r, far_r = _power(near, r), _power(far, r)
    target, challenger = salience[:, None, :], salience[:, :, None]
    resist_own, resist_rival = (challenger, target) if resist_salience == CHALLENGER else (target, challenger)
    own = _expected_utility(near_r, far_r, status_quo, resist_own, win)
    rival = _expected_utility(near_r, far_r, status_quo, resist_rival, win.transpose(0, 2, 1))
    if q < 1.0:
        off = np.abs(x - median[:, None]) / span[:, None]
        own = own - (1.0 - q) * _unchallenged_change(off[:, :, None] + d, r, t)
        rival = rival - (1.0 - q) * _unchallenged_change(off[:, None, :] + d, r, t)
    apart = x[:, :, None] != x[:, None, :]
    return np.where(apart, own, 0.0), np.where(apart, rival, 0.0)


def security_risk(danger: np.ndarray) -> np.ndarray:
    """Risk exponents from danger levels (equation 5); r = 1 for a draw whose dangers are all equal."""
    high, low = danger.max(axis=1, keepdims=True), danger.min(axis=1, keepdims=True)
    spread = high - low
    varied = spread > 1e-12 * np.maximum(1.0, np.maximum(np.abs(high), np.abs(low)))
    attitude = (2.0 * danger - high - low) / np.where(varied, spread, 1.0)
    return np.where(varied, (1.0 - attitude / 3.0) / (1.0 + attitude / 3.0), 1.0)


def classify_offers(x: np.ndarray, own: np.ndarray, rival: np.ndarray, span: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every offer j makes i (equation 6): kind code, the position asked of i (x_i where there is
    no offer) and i's move in units of δ."""
    tie = bdm.UTILITY_TIE
    conflict = (own > tie) & (rival > own + tie)
    yields = ~conflict & (rival > tie) & (own < -tie)
    capitulation = yields & (rival <= -own)
    compromise = yields & ~capitulation
    kind = np.select([conflict, compromise, capitulation], [CONFLICT, COMPROMISE, CAPITULATION],
                     NO_OFFER).astype(np.int8)
    share = np.where(compromise, -own / np.where(compromise, rival, 1.0), 1.0)
    here, there = x[:, :, None], x[:, None, :]
    gap = there - here
    proposal = np.where(compromise, here + gap * share, np.broadcast_to(there, gap.shape))
    move = np.abs(gap) / span[:, None, None] * share
    none = kind == NO_OFFER
    return kind, np.where(none, here, proposal), np.where(none, 0.0, move)


def _keep_least(candidate: np.ndarray, key: np.ndarray, tie: float) -> np.ndarray:
    """The candidates whose key is within ``tie`` of the least candidate's key."""
    least = np.where(candidate, key, np.inf).min(axis=2, keepdims=True)
    return candidate & (key <= least + tie)


def choose_offers(x: np.ndarray, own: np.ndarray, rival: np.ndarray, kind: np.ndarray, move: np.ndarray,
                  span: np.ndarray, id_rank: np.ndarray, fixed: np.ndarray, acceptance: int) -> np.ndarray:
    """Index of the offer each actor accepts by the ``acceptance`` rule (−1: none, or fixed)."""
    candidate = kind != NO_OFFER
    anything = candidate.any(axis=2) & ~fixed
    if acceptance == HIGHEST_EU:
        candidate = _keep_least(candidate, -rival, bdm.UTILITY_TIE)
    key = move
    if acceptance == SCHOLZ_CODE:
        candidate = _keep_least(candidate, kind.astype(float), 0.0)
        at_stake = np.abs(own) + np.abs(rival)
        pooled = (np.abs(own) * x[:, :, None] + np.abs(rival) * x[:, None, :]) / np.where(
            at_stake > 0, at_stake, 1.0) / span[:, None, None]
        key = np.where(kind == COMPROMISE, pooled, move)
    candidate = _keep_least(candidate, key, bdm.POSITION_TIE)
    best = np.where(candidate, id_rank[:, None, :], np.iinfo(np.int64).max).argmin(axis=2)
    return np.where(anything, best, -1)


@np.errstate(all="ignore")  # the kernel's arithmetic is silent: inf and nan just propagate
def play_rounds(x: np.ndarray, weight: np.ndarray, salience: np.ndarray, fixed: np.ndarray,
                span: np.ndarray, given_risk: np.ndarray, risk_given: bool, id_rank: np.ndarray,
                probability: int, resist_salience: int, acceptance: int, q: float, t: float) -> tuple:
    """One round of every draw (rows of the (draws, actors) arrays); as the kernel's ``play_round``,
    with a leading draw axis on everything it returns."""
    draws, n = x.shape
    median = weighted_median(x, weight) if q < 1.0 else np.zeros(draws)
    order = np.argsort(x, axis=1, kind="stable")
    x, weight, salience = (np.take_along_axis(a, order, axis=1) for a in (x, weight, salience))
    distance = np.abs(x[:, None, :] - x[:, :, None]) / span[:, None, None]  # [d, a, b] = |x_b − x_a| / δ
    danger = np.zeros((draws, n))
    neutral_win = neutral_own = np.zeros((draws, n, n))
    if risk_given:
        risk = np.take_along_axis(given_risk, order, axis=1)
    else:
        ones = np.ones((draws, n))
        neutral_win = win_probability(x, weight, ones, distance, probability)
        neutral_own, neutral_rival = challenge_utilities(x, salience, neutral_win, ones, median, span,
                                                         distance, resist_salience, q, t)
        danger = running_sum(neutral_rival)[:, :, -1]
        risk = security_risk(danger)
    win = win_probability(x, weight, risk, distance, probability)
    own, rival = challenge_utilities(x, salience, win, risk, median, span, distance, resist_salience, q, t)
    kind, proposal, move = classify_offers(x, own, rival, span)
    accepted = choose_offers(x, own, rival, kind, move, span, np.take_along_axis(id_rank, order, axis=1),
                             np.take_along_axis(fixed, order, axis=1), acceptance)
    return order, neutral_win, neutral_own, danger, risk, win, own, rival, kind, proposal, accepted


def workspace(n: int) -> tuple:
    """Nothing: numpy allocates each round's arrays itself (the argument of ``play_round`` is kept
    so both engines are called alike)."""
    return ()


def play_round(x: np.ndarray, weight: np.ndarray, salience: np.ndarray, fixed: np.ndarray, span: float,
               given_risk: np.ndarray, risk_given: bool, id_rank: np.ndarray, probability: int,
               resist_salience: int, acceptance: int, q: float, t: float, work: tuple) -> tuple:
    """One round of one run, as the kernel's ``play_round``: everything indexed by rank in position order."""
    rows = (a[np.newaxis] for a in (x, weight, salience, fixed, given_risk, id_rank))
    x1, weight1, salience1, fixed1, risk1, rank1 = rows
    result = play_rounds(x1, weight1, salience1, fixed1, np.array([span]), risk1, risk_given, rank1,
                         probability, resist_salience, acceptance, q, t)
    return tuple(a[0] for a in result)


def _per_actor(a: np.ndarray, rank: np.ndarray, taken: np.ndarray, none: float) -> np.ndarray:
    """For each actor (in actor order), the entry of ``a`` (rank × rank) for the offer it took
    (``taken``: its rank, −1 for none), or ``none``."""
    rows = np.take_along_axis(a, rank[:, :, None], axis=1)
    picked = np.take_along_axis(rows, np.maximum(taken, 0)[:, :, None], axis=2)[:, :, 0]
    return np.where(taken >= 0, picked, none)


@np.errstate(all="ignore")
def run_many(x: np.ndarray, weight: np.ndarray, salience: np.ndarray, fixed: np.ndarray, span: np.ndarray,
             given_risk: np.ndarray, risk_given: bool, id_rank: np.ndarray, rounds: int, tolerance: float,
             probability: int, resist_salience: int, acceptance: int, q: float, t: float,
             history: np.ndarray, medians: np.ndarray, risks: np.ndarray, partner: np.ndarray,
             kinds: np.ndarray, owns: np.ndarray, rivals: np.ndarray, offers: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray]:
    """The kernel's ``run`` for every draw (row) at once: rounds until each draw's positions settle,
    cycle or hit the round limit. Fills the same arrays, with a leading draw axis, and returns the
    rounds played and the stop code of each draw. ``fixed`` and ``id_rank`` are per draw too."""
    draws = len(x)
    x = x.copy()
    history[:, 0] = x
    medians[:, 0] = weighted_median(x, weight)
    played = np.zeros(draws, dtype=np.int64)
    stop = np.full(draws, CONVERGED, dtype=np.int64)
    settled = tolerance * span
    live = np.arange(draws)
    for r in range(rounds + 1):
        live = live[~np.all(x[live] == x[live, :1], axis=1)]  # a draw where all agree has converged
        if len(live) == 0:
            break
        if r == rounds:
            stop[live] = ROUND_LIMIT
            break
        now = x[live]
        order, _, _, _, risk, _, own, rival, kind, proposal, accepted = play_rounds(
            now, weight[live], salience[live], fixed[live], span[live], given_risk[live], risk_given,
            id_rank[live], probability, resist_salience, acceptance, q, t)
        rank = np.argsort(order, axis=1)  # each actor's rank: the round's arrays are in rank order
        taken = np.take_along_axis(accepted, rank, axis=1)  # by actor, the rank of the offer taken
        moved = taken >= 0
        risks[live, r] = np.take_along_axis(risk, rank, axis=1)
        offers[live, r] = np.take_along_axis((kind != NO_OFFER).sum(axis=2), rank, axis=1)
        partner[live, r] = np.where(moved, np.take_along_axis(order, np.maximum(taken, 0), axis=1), -1)
        kinds[live, r] = _per_actor(kind, rank, taken, NO_OFFER)
        owns[live, r], rivals[live, r] = _per_actor(own, rank, taken, 0.0), _per_actor(rival, rank, taken, 0.0)
        new = np.where(moved, _per_actor(proposal, rank, taken, 0.0), now)
        played[live] = r + 1
        history[live, r + 1] = new
        medians[live, r + 1] = weighted_median(new, weight[live])
        x[live] = new
        moving = np.abs(new - now).max(axis=1) > settled[live]
        apart = np.abs(history[live, :r] - new[:, None, :]).max(axis=2, initial=0.0)
        cycled = moving & (apart <= settled[live, None]).any(axis=1)
        stop[live[cycled]] = CYCLE
        live = live[moving & ~cycled]
    return played, stop


def run(x: np.ndarray, weight: np.ndarray, salience: np.ndarray, fixed: np.ndarray, span: float,
        given_risk: np.ndarray, risk_given: bool, id_rank: np.ndarray, rounds: int, tolerance: float,
        probability: int, resist_salience: int, acceptance: int, q: float, t: float,
        history: np.ndarray, medians: np.ndarray, risks: np.ndarray, partner: np.ndarray,
        kinds: np.ndarray, owns: np.ndarray, rivals: np.ndarray, offers: np.ndarray) -> tuple[int, int]:
    """One run, as the kernel's ``run``: fills the same arrays and returns (rounds, stop code)."""
    outputs = [a[np.newaxis] for a in (history, medians, risks, partner, kinds, owns, rivals, offers)]
    played, stop = run_many(x[np.newaxis].copy(), weight[np.newaxis], salience[np.newaxis], fixed[np.newaxis],
                            np.array([span]), given_risk[np.newaxis], risk_given, id_rank[np.newaxis],
                            rounds, tolerance, probability, resist_salience, acceptance, q, t, *outputs)
    return int(played[0]), int(stop[0])


@np.errstate(all="ignore")
def run_batch(position: np.ndarray, salience: np.ndarray, capability: np.ndarray, given_risk: np.ndarray,
              risk_given: bool, fixed: np.ndarray, span: np.ndarray, id_rank: np.ndarray, rounds: int,
              tolerance: float, probability: int, resist_salience: int, acceptance: int, q: float, t: float,
              outcome: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The kernel's ``run_batch``: every draw (row) on its active actors (positive capability ×
    salience). Draws with the same active actors run together, in chunks. Returns outcomes, final
    positions, rounds played and stop codes."""
    draws = len(position)
    weight = capability * salience
    outcomes = np.empty(draws)
    final = position.astype(float, copy=True)
    played = np.empty(draws, dtype=np.int64)
    stops = np.empty(draws, dtype=np.int64)
    patterns, group = np.unique(weight > 0, axis=0, return_inverse=True)
    for p, active in enumerate(patterns):
        members = np.flatnonzero(group.ravel() == p)
        columns = np.flatnonzero(active)
        m = len(columns)
        size = max(1, CHUNK // (m * m))
        for start in range(0, len(members), size):
            rows = members[start:start + size]
            b = len(rows)
            take = np.ix_(rows, columns)
            w = weight[take]
            history, medians = np.empty((b, rounds + 1, m)), np.empty((b, rounds + 1))
            logs = (np.empty((b, rounds, m)), np.empty((b, rounds, m), dtype=np.int64),
                    np.empty((b, rounds, m), dtype=np.int8), np.empty((b, rounds, m)),
                    np.empty((b, rounds, m)), np.empty((b, rounds, m), dtype=np.int64))
            run_played, run_stops = run_many(
                position[take].astype(float), w, salience[take], np.broadcast_to(fixed[columns], (b, m)),
                span[rows], given_risk[take], risk_given, np.broadcast_to(id_rank[columns], (b, m)),
                rounds, tolerance, probability, resist_salience, acceptance, q, t, history, medians, *logs)
            last = history[np.arange(b), run_played]
            final[take] = last
            outcomes[rows] = (weighted_mean(last, w) if outcome == MEAN
                              else medians[np.arange(b), run_played])
            played[rows], stops[rows] = run_played, run_stops
    return outcomes, final, played, stops
