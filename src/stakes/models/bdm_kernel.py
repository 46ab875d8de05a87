"""Compiled arithmetic of the expected-utility model (numba): one round, one run, a batch of runs.

:mod:`stakes.models.bdm` documents the model, its equations and options; this module computes them.
Every function works on the active actors of one run (positive capability × salience), with
options passed as integer codes (the option's index in bdm's option tuples) and floats. A round
sorts the actors by position and works in that order: every sum over voters is then a difference of
prefix sums, and each pair's logarithms serve both of its members, so a power x^r costs one exp.
A round costs O(n²) time and memory, in n × n arrays allocated once per run. Results are
bit-reproducible (no fast-math, no reductions whose order depends on threads), so a draw's forecast
is the same whichever batch it is computed in.

Importing this module imports numba; :mod:`stakes.models.bdm` does so only when a run starts.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from stakes.models import bdm
from stakes.models.base import STOP_REASONS

# Codes and tolerances as literals: numba freezes globals into the compiled code and keys its disk
# cache on this file alone, so values read from other modules could go stale in the cache.
NO_OFFER, CONFLICT, COMPROMISE, CAPITULATION = 0, 1, 2, 3
UTILITY_TIE = POSITION_TIE = 1e-12
CONVERGED, ROUND_LIMIT, CYCLE = 1, 2, 3  # indices into base.STOP_REASONS
ALL_TRIPLES, CHALLENGER, HIGHEST_EU, SCHOLZ_CODE, MEAN = 1, 1, 1, 2, 1  # indices into bdm's options
_AGREEMENT = (
    ((NO_OFFER, CONFLICT, COMPROMISE, CAPITULATION),
     (bdm.NO_OFFER, bdm.CONFLICT, bdm.COMPROMISE, bdm.CAPITULATION)),
    ((UTILITY_TIE, POSITION_TIE), (bdm.UTILITY_TIE, bdm.POSITION_TIE)),
    ((CONVERGED, ROUND_LIMIT, CYCLE),
     tuple(STOP_REASONS.index(reason) for reason in ("converged", "round_limit", "cycle"))),
    ((ALL_TRIPLES, CHALLENGER, HIGHEST_EU, SCHOLZ_CODE, MEAN),
     (bdm.PROBABILITIES.index("all_triples"), bdm.RESIST_SALIENCES.index("challenger"),
      bdm.ACCEPTANCES.index("highest_eu"), bdm.ACCEPTANCES.index("scholz_code"),
      bdm.OUTCOMES.index("mean"))),
)
if any(ours != theirs for ours, theirs in _AGREEMENT):
    raise ImportError("codes in stakes.models.bdm_kernel disagree with stakes.models.bdm or "
                      "base.STOP_REASONS; update them here")

COMPILE = {"cache": True, "fastmath": False, "error_model": "numpy"}
jit = nb.njit(**COMPILE)


@jit
def stable_order(x: np.ndarray) -> np.ndarray:
    """Indices that sort x, equal values in index order. An insertion sort: far quicker to compile
    than numpy's stable sort, and its O(n²) worst case is small next to a round's O(n²) arithmetic."""
    order = np.arange(len(x))
    for i in range(1, len(x)):
        k, j = order[i], i - 1
        while j >= 0 and x[order[j]] > x[k]:
            order[j + 1] = order[j]
            j -= 1
        order[j + 1] = k
    return order


@jit
def weighted_median(x: np.ndarray, w: np.ndarray) -> float:
    """The weighted median, computed exactly as :func:`stakes.models.base.weighted_median`."""
    n = len(x)
    order = stable_order(x)
    cumulative = np.empty(n)
    total = 0.0
    for t in range(n):
        total += max(w[order[t]], 0.0)
        cumulative[t] = total
    half = total / 2.0
    k = 0
    while k < n - 1 and cumulative[k] < half:
        k += 1
    reached = cumulative[k]
    after = k
    while after < n - 1 and cumulative[after] <= reached:
        after += 1
    if abs(reached - half) <= 1e-12 * half and cumulative[after] > reached:
        return (x[order[k]] + x[order[after]]) / 2.0
    return x[order[k]]


@jit
def weighted_mean(x: np.ndarray, w: np.ndarray) -> float:
    """Σ w x / Σ w, summed in actor order."""
    top, bottom = 0.0, 0.0
    for k in range(len(x)):
        top += w[k] * x[k]
        bottom += w[k]
    return top / bottom


@jit
def workspace(n: int) -> tuple:
    """The n × n arrays of a round, allocated once per run (fresh ones every round would cost
    more in page faults than the arithmetic, for large n): loss, prefix, neutral_win, neutral_own,
    neutral_rival, win, own, rival, kind, proposal, move."""
    return (np.empty((n, n)), np.empty((n + 1, n)), np.empty((n, n)), np.empty((n, n)),
            np.empty((n, n)), np.empty((n, n)), np.empty((n, n)), np.empty((n, n)),
            np.empty((n, n), dtype=np.int8), np.empty((n, n)), np.empty((n, n)))


@jit
def _power(base: float, log_base: float, r: float) -> float:
    """base^r from a precomputed log(base): pairs share the logarithm and differ only in r."""
    return base if r == 1.0 else np.exp(r * log_base)


@jit
def win_probability(x: np.ndarray, weight: np.ndarray, risk: np.ndarray, span: float,
                    probability: int, loss: np.ndarray, prefix: np.ndarray, win: np.ndarray) -> None:
    """Fills win[a, b], the chance that a beats b (equations 1–2), for positions x in ascending order.

    A voter prefers x_a to x_b when it stands on a's side of their midpoint, so with voters in
    position order each support Σ_k max(0, v_k(a, b)) is a difference of prefix sums; for each a the
    midpoints rise with b, so one pointer finds them all: O(n²).
    """
    n = len(x)
    for k in range(n):
        loss[k, k] = 0.0  # loss[k, c] = (|x_c − x_k| / δ)^r_k: voter k's loss if c wins
        for c in range(k + 1, n):
            d = (x[c] - x[k]) / span
            if d == 0.0:
                loss[k, c] = loss[c, k] = 0.0
                continue
            log_d = np.log(d) if risk[k] != 1.0 or risk[c] != 1.0 else 0.0
            loss[k, c], loss[c, k] = _power(d, log_d, risk[k]), _power(d, log_d, risk[c])
    prefix[0] = 0.0  # prefix[t, c] = Σ_{k < t} w_k loss[k, c]
    for k in range(n):
        for c in range(n):
            prefix[k + 1, c] = prefix[k, c] + weight[k] * loss[k, c]
    every_vote = 0.0
    if probability == ALL_TRIPLES:
        # Σ over ordered pairs of |y_a − y_b| for voter k's losses y, ascending: 2 Σ_s y_s (2s − n + 1);
        # they ascend with the distance from x_k, so merging outwards from k sorts them
        for k in range(n):
            low, high, spread = k - 1, k + 1, 0.0
            for s in range(1, n):
                if high >= n or (low >= 0 and x[k] - x[low] <= x[high] - x[k]):
                    spread += loss[k, low] * (2 * s - n + 1)
                    low -= 1
                else:
                    spread += loss[k, high] * (2 * s - n + 1)
                    high += 1
            every_vote += weight[k] * spread
        every_vote *= 2.0
    for a in range(n):
        win[a, a] = 0.0
        below = a  # voters strictly below the midpoint of a and b
        for b in range(a + 1, n):
            win[a, b] = win[b, a] = 0.0
            if x[a] == x[b]:
                continue
            midpoint = x[a] + 0.5 * (x[b] - x[a])
            while below < n and x[below] < midpoint:
                below += 1
            for_a = prefix[below, b] - prefix[below, a]
            for_b = (prefix[n, a] - prefix[n, b]) - (prefix[below, a] - prefix[below, b])
            cast = every_vote if probability == ALL_TRIPLES else for_a + for_b
            if cast != 0.0:
                win[a, b] = for_a / cast
                win[b, a] = for_b / cast


@jit
def _unchallenged_change(offset: float, r: float, t: float) -> float:
    """T U_b + (1 − T) U_w: the challenger's utility if the target moves without a challenge."""
    return t * (2.0 - 4.0 * (0.5 - 0.25 * offset) ** r) + (1.0 - t) * (2.0 - 4.0 * (0.5 + 0.25 * offset) ** r)


@jit
def _expected_utility(near: float, far: float, status_quo: float, resist: float, win: float) -> float:
    """EU = U_s − Q U_sq − s (1 − P)(U_s − U_f), with U_s = 2 − 4 near, U_f = 2 − 4 far and
    status_quo = 2 − Q U_sq (equation 4 without the unchallenged-change term)."""
    return (-4.0 * near + status_quo) - ((1.0 - win) * resist) * ((far - near) * 4.0)


@jit
def challenge_utilities(x: np.ndarray, salience: np.ndarray, win: np.ndarray, view: np.ndarray,
                        median: float, span: float, resist_salience: int, q: float, t: float,
                        own: np.ndarray, rival: np.ndarray) -> None:
    """Fills actor i's view (exponent view[i]) of its two contests with each j (equations 3–4),
    for positions in ascending order.

    own[i, j] is the EU of i challenging j and rival[i, j] the EU of j challenging i:
    EU = U_s − Q U_sq − s (1 − P)(U_s − U_f) − (1 − Q)[T U_b + (1 − T) U_w]; 0 at equal positions.
    Both members of a pair share d, so the pair's logarithms serve both views.
    """
    n = len(x)
    status_quo = np.empty(n)  # 2 − Q U_sq in each view
    for i in range(n):
        status_quo[i] = 2.0 - q * (2.0 - 4.0 * 0.5 ** view[i])
    for i in range(n):
        own[i, i] = rival[i, i] = 0.0
        for j in range(i + 1, n):
            if x[j] == x[i]:
                own[i, j] = rival[i, j] = own[j, i] = rival[j, i] = 0.0
                continue
            d = (x[j] - x[i]) / span
            near, far = 0.5 - 0.5 * d, 0.5 + 0.5 * d
            log_near = log_far = 0.0
            if view[i] != 1.0 or view[j] != 1.0:
                log_near, log_far = np.log(near), np.log(far)
            for a, b in ((i, j), (j, i)):
                # who resists a's challenge of b, and b's challenge of a
                resist_own, resist_rival = salience[b], salience[a]
                if resist_salience == CHALLENGER:
                    resist_own, resist_rival = salience[a], salience[b]
                r = view[a]
                near_r, far_r = _power(near, log_near, r), _power(far, log_far, r)
                own[a, b] = _expected_utility(near_r, far_r, status_quo[a], resist_own, win[a, b])
                rival[a, b] = _expected_utility(near_r, far_r, status_quo[a], resist_rival, win[b, a])
                if q < 1.0:
                    own[a, b] -= (1.0 - q) * _unchallenged_change(abs(x[a] - median) / span + d, r, t)
                    rival[a, b] -= (1.0 - q) * _unchallenged_change(abs(x[b] - median) / span + d, r, t)


@jit
def security_risk(danger: np.ndarray) -> np.ndarray:
    """Risk exponents from danger levels (equation 5); r = 1 for all when every danger is equal."""
    high, low = -np.inf, np.inf
    for value in danger:
        high, low = max(high, value), min(low, value)
    risk = np.ones(len(danger))
    if high - low > UTILITY_TIE * max(1.0, abs(high), abs(low)):
        for i, value in enumerate(danger):
            attitude = (2.0 * value - high - low) / (high - low)
            risk[i] = (1.0 - attitude / 3.0) / (1.0 + attitude / 3.0)
    return risk


@jit
def classify_offers(x: np.ndarray, own: np.ndarray, rival: np.ndarray, span: float, kind: np.ndarray,
                    proposal: np.ndarray, move: np.ndarray) -> None:
    """Fills every offer j makes i (equation 6): kind code, the position asked of i (x_i where
    there is no offer) and i's move in units of δ."""
    n = len(x)
    for i in range(n):
        for j in range(n):
            a, b = own[i, j], rival[i, j]
            code, share = NO_OFFER, 1.0
            if a > UTILITY_TIE and b > a + UTILITY_TIE:
                code = CONFLICT
            elif b > UTILITY_TIE and a < -UTILITY_TIE:
                code = CAPITULATION if b <= -a else COMPROMISE
                if code == COMPROMISE:
                    share = -a / b
            kind[i, j] = code
            gap = x[j] - x[i]
            proposal[i, j] = x[i] + gap * share if code == COMPROMISE else x[j]
            move[i, j] = abs(gap) / span * share
            if code == NO_OFFER:
                proposal[i, j], move[i, j] = x[i], 0.0


@jit
def _keep_least(candidate: np.ndarray, count: int, key: np.ndarray, tie: float) -> int:
    """Keep, in place, the first ``count`` candidates whose key is within ``tie`` of the least."""
    least = np.inf
    for c in range(count):
        least = min(least, key[candidate[c]])
    kept = 0
    for c in range(count):
        if key[candidate[c]] <= least + tie:
            candidate[kept] = candidate[c]
            kept += 1
    return kept


@jit
def choose_offers(x: np.ndarray, own: np.ndarray, rival: np.ndarray, kind: np.ndarray,
                  move: np.ndarray, span: float, id_rank: np.ndarray, fixed: np.ndarray,
                  acceptance: int) -> np.ndarray:
    """Index of the offer each actor accepts by the ``acceptance`` rule (−1: none, or fixed)."""
    n = len(x)
    accepted = np.full(n, -1)
    candidate = np.empty(n, dtype=np.int64)
    key = np.empty(n)
    for i in range(n):
        count = 0
        for j in range(n):
            if kind[i, j] != NO_OFFER:
                candidate[count] = j
                count += 1
        if count == 0 or fixed[i]:
            continue
        if acceptance == HIGHEST_EU:
            for j in range(n):
                key[j] = -rival[i, j]
            count = _keep_least(candidate, count, key, UTILITY_TIE)
        if acceptance == SCHOLZ_CODE:
            # conflicts, then compromises (lowest EU-weighted mean position), then capitulations
            for j in range(n):
                key[j] = kind[i, j]
            count = _keep_least(candidate, count, key, 0.0)
        for j in range(n):  # then the least move (the pooled position, for Scholz-code compromises)
            key[j] = move[i, j]
            if acceptance == SCHOLZ_CODE and kind[i, j] == COMPROMISE:
                at_stake = abs(own[i, j]) + abs(rival[i, j])
                key[j] = (abs(own[i, j]) * x[i] + abs(rival[i, j]) * x[j]) / at_stake / span
        count = _keep_least(candidate, count, key, POSITION_TIE)
        best = candidate[0]
        for c in range(1, count):
            if id_rank[candidate[c]] < id_rank[best]:
                best = candidate[c]
        accepted[i] = best
    return accepted


@jit
def play_round(x: np.ndarray, weight: np.ndarray, salience: np.ndarray, fixed: np.ndarray,
               span: float, given_risk: np.ndarray, risk_given: bool, id_rank: np.ndarray,
               probability: int, resist_salience: int, acceptance: int, q: float, t: float,
               work: tuple) -> tuple:
    """One round: security levels, risk exponents, expected utilities, offers and choices.

    ``work`` is a :func:`workspace`. The round works on the actors sorted by position: it returns
    ``order`` (the actor at each rank) and, indexed by rank, the neutral win probabilities, neutral
    own EU and danger (left unset when the exponents are given), the risk exponents, win
    probabilities, own EU, rival EU, offer kinds, proposals (the last eight in ``work``) and the
    rank of the offer each actor accepts (−1 for none).
    """
    loss, prefix, neutral_win, neutral_own, neutral_rival, win, own, rival, kind, proposal, move = work
    n = len(x)
    median = weighted_median(x, weight) if q < 1.0 else 0.0
    order = stable_order(x)
    x, weight, salience = x[order], weight[order], salience[order]
    danger = np.zeros(n)
    if risk_given:
        risk = given_risk[order]
    else:
        ones = np.ones(n)
        win_probability(x, weight, ones, span, probability, loss, prefix, neutral_win)
        challenge_utilities(x, salience, neutral_win, ones, median, span, resist_salience, q, t,
                            neutral_own, neutral_rival)
        for i in range(n):
            for j in range(n):
                danger[i] += neutral_rival[i, j]
        risk = security_risk(danger)
    win_probability(x, weight, risk, span, probability, loss, prefix, win)
    challenge_utilities(x, salience, win, risk, median, span, resist_salience, q, t, own, rival)
    classify_offers(x, own, rival, span, kind, proposal, move)
    accepted = choose_offers(x, own, rival, kind, move, span, id_rank[order], fixed[order], acceptance)
    return order, neutral_win, neutral_own, danger, risk, win, own, rival, kind, proposal, accepted


@jit
def _agreed(x: np.ndarray) -> bool:
    """Whether every position is the same."""
    for value in x:
        if value != x[0]:
            return False
    return True


@jit
def run(x: np.ndarray, weight: np.ndarray, salience: np.ndarray, fixed: np.ndarray, span: float,
        given_risk: np.ndarray, risk_given: bool, id_rank: np.ndarray, rounds: int, tolerance: float,
        probability: int, resist_salience: int, acceptance: int, q: float, t: float,
        history: np.ndarray, medians: np.ndarray, risks: np.ndarray, partner: np.ndarray,
        kinds: np.ndarray, owns: np.ndarray, rivals: np.ndarray, offers: np.ndarray) -> tuple[int, int]:
    """Rounds until the positions settle, cycle or hit the round limit; returns (rounds, stop code).

    Fills history[0..rounds] with the positions, medians[0..rounds] with their weighted medians
    and, for each round r and actor i (in actor order), risks[r, i], the offer i accepted
    (partner[r, i], −1 for none) with its kind and the two expected utilities, and the number of
    offers i received.
    """
    n = len(x)
    work = workspace(n)
    for i in range(n):  # element by element: assigning whole rows costs seconds of compilation
        history[0, i] = x[i]
    medians[0] = weighted_median(x, weight)
    played, stop = 0, CONVERGED  # also when everyone agrees, at the start or later
    settled = tolerance * span
    while not _agreed(x):
        if played == rounds:
            stop = ROUND_LIMIT
            break
        result = play_round(x, weight, salience, fixed, span, given_risk, risk_given, id_rank,
                            probability, resist_salience, acceptance, q, t, work)
        order, risk, own, rival, kind, proposal, accepted = (result[0], result[4], result[6], result[7],
                                                             result[8], result[9], result[10])
        new = x.copy()
        largest = 0.0
        for a in range(n):
            i, b = order[a], accepted[a]
            risks[played, i] = risk[a]
            offers[played, i] = 0
            for c in range(n):
                if kind[a, c] != NO_OFFER:
                    offers[played, i] += 1
            partner[played, i] = -1 if b < 0 else order[b]
            if b >= 0:
                new[i] = proposal[a, b]
                kinds[played, i], owns[played, i], rivals[played, i] = kind[a, b], own[a, b], rival[a, b]
                largest = max(largest, abs(new[i] - x[i]))
        played += 1
        for i in range(n):
            history[played, i] = new[i]
        medians[played] = weighted_median(new, weight)
        if largest <= settled:
            break
        x = new
        for h in range(played - 1):
            apart = 0.0
            for i in range(n):
                apart = max(apart, abs(history[h, i] - new[i]))
            if apart <= settled:
                return played, CYCLE
    return played, stop


@jit
def run_draw(position: np.ndarray, salience: np.ndarray, capability: np.ndarray,
             given_risk: np.ndarray, risk_given: bool, fixed: np.ndarray, span: float,
             id_rank: np.ndarray, rounds: int, tolerance: float, probability: int,
             resist_salience: int, acceptance: int, q: float, t: float, outcome: int,
             final: np.ndarray) -> tuple[float, int, int]:
    """:func:`run` on one draw's active actors (positive capability × salience); writes every
    actor's final position into ``final`` and returns (outcome, rounds played, stop code)."""
    weight = capability * salience
    active = np.empty(len(position), dtype=np.int64)
    m = 0
    for k in range(len(position)):
        final[k] = position[k]
        if weight[k] > 0:
            active[m] = k
            m += 1
    x, w, s, risk = np.empty(m), np.empty(m), np.empty(m), np.empty(m)
    held, rank = np.empty(m, dtype=np.bool_), np.empty(m, dtype=np.int64)
    for i in range(m):
        k = active[i]
        x[i], w[i], s[i], risk[i], held[i], rank[i] = (position[k], weight[k], salience[k],
                                                       given_risk[k], fixed[k], id_rank[k])
    history, medians = np.empty((rounds + 1, m)), np.empty(rounds + 1)
    played, stop = run(x, w, s, held, span, risk, risk_given, rank, rounds, tolerance, probability,
                       resist_salience, acceptance, q, t, history, medians, np.empty((rounds, m)),
                       np.empty((rounds, m), dtype=np.int64), np.empty((rounds, m), dtype=np.int8),
                       np.empty((rounds, m)), np.empty((rounds, m)), np.empty((rounds, m), dtype=np.int64))
    for i in range(m):
        final[active[i]] = history[played, i]
    result = weighted_mean(history[played], w) if outcome == MEAN else medians[played]
    return result, played, stop


@nb.njit(parallel=True, **COMPILE)
def run_batch(position: np.ndarray, salience: np.ndarray, capability: np.ndarray,
              given_risk: np.ndarray, risk_given: bool, fixed: np.ndarray, span: np.ndarray,
              id_rank: np.ndarray, rounds: int, tolerance: float, probability: int,
              resist_salience: int, acceptance: int, q: float, t: float, outcome: int
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`run_draw` for every draw (row), in parallel over draws. Returns outcomes, final
    positions, rounds played and stop codes."""
    draws = position.shape[0]
    outcomes = np.empty(draws)
    final = np.empty_like(position)
    played = np.empty(draws, dtype=np.int64)
    stops = np.empty(draws, dtype=np.int64)
    for b in nb.prange(draws):
        outcomes[b], played[b], stops[b] = run_draw(
            position[b], salience[b], capability[b], given_risk[b], risk_given, fixed, span[b],
            id_rank, rounds, tolerance, probability, resist_salience, acceptance, q, t, outcome,
            final[b])
    return outcomes, final, played, stops
