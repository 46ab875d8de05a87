"""Compiled arithmetic of the exchange model (numba): one run over linked issues, a batch of runs.

:mod:`stakes.models.exchange` documents the model and its options; this module computes them. A run
works on arrays shaped (actors, issues) with positions on each issue's own scale (``width`` holds
the scales' widths: shifts and gains are reckoned as fractions of them), weights capability ×
salience (zero where an actor takes no stance or cannot push) and a ``free`` mask (the actor may
move its vote on the issue). Options arrive as integer codes (their index in exchange's option
tuples). A round lists every possible exchange over every pair of issues and every pair of actors,
in the order of the actors' ids, sorts them by joint gain (near-equal gains keep that order, so
results do not depend on the order of actors) and realises them greedily.
Results are bit-reproducible (no fast-math, no reductions whose order depends on threads), so a
draw's forecast is the same whichever batch it is computed in.

Importing this module imports numba; :mod:`stakes.models.exchange` does so only when a run starts.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from stakes.models import exchange
from stakes.models.base import STOP_REASONS

# Codes and tolerances as literals: numba freezes globals into the compiled code and keys its disk
# cache on this file alone, so values read from other modules could go stale in the cache.
EQUAL_GAIN, RKS = 0, 1  # indices into exchange.RATES
STATIC, CONVERGED, ROUND_LIMIT = 0, 1, 2  # indices into base.STOP_REASONS
SIDE_TIE = 1e-12
RATIO_TIE = 1e-12
GAIN_TIE = 1e-12
_AGREEMENT = (
    ((EQUAL_GAIN, RKS), (exchange.RATES.index("equal_gain"), exchange.RATES.index("rks"))),
    ((STATIC, CONVERGED, ROUND_LIMIT),
     tuple(STOP_REASONS.index(reason) for reason in ("static", "converged", "round_limit"))),
    ((SIDE_TIE, RATIO_TIE, GAIN_TIE), (exchange.SIDE_TIE, exchange.RATIO_TIE, exchange.GAIN_TIE)),
)
if any(ours != theirs for ours, theirs in _AGREEMENT):
    raise ImportError("codes in stakes.models.exchange_kernel disagree with stakes.models.exchange or "
                      "base.STOP_REASONS; update them here")

LOG_INTS = 5  # round, a, b, p, q
LOG_FLOATS = 8  # b's old and new position on p, a's old and new on q, a's gain, b's gain, shift on p, on q

COMPILE = {"cache": True, "fastmath": False, "error_model": "numpy"}
jit = nb.njit(**COMPILE)


@jit
def expected_outcomes(x: np.ndarray, w: np.ndarray, outcome: np.ndarray, total: np.ndarray) -> None:
    """The capability × salience weighted mean of every issue (and its total weight), in place."""
    n, k_issues = x.shape
    for k in range(k_issues):
        num = 0.0
        den = 0.0
        for i in range(n):
            num += w[i, k] * x[i, k]
            den += w[i, k]
        outcome[k] = num / den
        total[k] = den


@jit
def exchange_rate(s_ap: float, s_aq: float, s_bp: float, s_bq: float, rate: int) -> float:
    """Shift of the outcome on q (toward b) per unit shift on p (toward a)."""
    if rate == RKS:
        return 0.5 * (s_bp / s_bq + s_ap / s_aq)
    return (s_ap + s_bp) / (s_aq + s_bq)


@jit
def find_exchanges(ideal: np.ndarray, x: np.ndarray, w: np.ndarray, s: np.ndarray, free: np.ndarray,
                   width: np.ndarray, order: np.ndarray, outcome: np.ndarray, total: np.ndarray, rate: int,
                   cap: bool, tolerance: float, ints: np.ndarray, floats: np.ndarray) -> int:
    """Every exchange both partners gain from, as log rows (``ints``, ``floats``); returns how many.

    Actor a demands issue p (b moves its voting position toward a's ideal on p) and b demands q (a
    moves toward b's ideal on q), where a cares relatively more about p: s_ap s_bq > s_aq s_bp. Sides
    and gains are judged by the ideal positions, moves made on the voting positions ``x``. The outcome
    shifts dp and dq (and the gains) are fractions of each issue's scale.
    """
    n, k_issues = x.shape
    count = 0
    for p in range(k_issues):
        for q in range(p + 1, k_issues):
            for ii in range(n):
                i = order[ii]
                if w[i, p] <= 0.0 or w[i, q] <= 0.0:
                    continue
                dip = ideal[i, p] - outcome[p]
                diq = ideal[i, q] - outcome[q]
                if abs(dip) <= SIDE_TIE * width[p] or abs(diq) <= SIDE_TIE * width[q]:
                    continue
                for jj in range(ii + 1, n):
                    j = order[jj]
                    if w[j, p] <= 0.0 or w[j, q] <= 0.0:
                        continue
                    djp = ideal[j, p] - outcome[p]
                    djq = ideal[j, q] - outcome[q]
                    if (abs(djp) <= SIDE_TIE * width[p] or abs(djq) <= SIDE_TIE * width[q] or dip * djp > 0.0
                            or diq * djq > 0.0):
                        continue
                    cross = s[i, p] * s[j, q] - s[i, q] * s[j, p]
                    if abs(cross) <= RATIO_TIE * (s[i, p] * s[j, q] + s[i, q] * s[j, p]):
                        continue
                    a, b = (i, j) if cross > 0.0 else (j, i)
                    if not free[b, p] or not free[a, q]:
                        continue
                    toward_a = np.sign(ideal[a, p] - ideal[b, p])  # b concedes on p in this direction
                    toward_b = np.sign(ideal[b, q] - ideal[a, q])
                    span_p = (ideal[a, p] - x[b, p]) * toward_a  # how far b's vote can still go toward a
                    span_q = (ideal[b, q] - x[a, q]) * toward_b
                    if span_p <= tolerance * width[p] or span_q <= tolerance * width[q]:
                        continue
                    r = exchange_rate(s[a, p], s[a, q], s[b, p], s[b, q], rate)
                    dp = min(span_p / width[p] * w[b, p] / total[p], span_q / width[q] * w[a, q] / total[q] / r)
                    if cap:
                        dp = min(dp, abs(ideal[a, p] - outcome[p]) / width[p],
                                 abs(ideal[b, q] - outcome[q]) / width[q] / r)
                    dq = r * dp
                    gain_a = s[a, p] * dp - s[a, q] * dq
                    gain_b = s[b, q] * dq - s[b, p] * dp
                    move_b = min(dp * width[p] * total[p] / w[b, p], span_p)
                    move_a = min(dq * width[q] * total[q] / w[a, q], span_q)
                    if (gain_a <= GAIN_TIE or gain_b <= GAIN_TIE
                            or max(move_a / width[q], move_b / width[p]) <= tolerance):
                        continue
                    ints[count, 1] = a
                    ints[count, 2] = b
                    ints[count, 3] = p
                    ints[count, 4] = q
                    floats[count, 0] = x[b, p]
                    floats[count, 1] = ideal[a, p] if move_b == span_p else x[b, p] + toward_a * move_b
                    floats[count, 2] = x[a, q]
                    floats[count, 3] = ideal[b, q] if move_a == span_q else x[a, q] + toward_b * move_a
                    floats[count, 4] = gain_a
                    floats[count, 5] = gain_b
                    floats[count, 6] = dp
                    floats[count, 7] = dq
                    count += 1
    return count


@jit
def by_gain(joint: np.ndarray) -> np.ndarray:
    """Indices sorting ``joint`` from the highest; gains within GAIN_TIE (relative) keep index order."""
    order = np.argsort(-joint, kind="mergesort")
    for m in range(1, len(order)):  # near-equal neighbours back into index order (the list is sorted)
        k, j = order[m], m - 1
        while j >= 0 and order[j] > k and joint[order[j]] - joint[k] <= GAIN_TIE * joint[k]:
            order[j + 1] = order[j]
            j -= 1
        order[j + 1] = k
    return order


@jit
def run_draw(x: np.ndarray, w: np.ndarray, s: np.ndarray, free: np.ndarray, width: np.ndarray,
             order: np.ndarray, rounds: int, rate: int, cap: bool, tolerance: float, record: bool,
             history: np.ndarray, log_ints: np.ndarray, log_floats: np.ndarray) -> tuple[int, int, int]:
    """Rounds of exchanges from positions ``x``: the starting values are the actors' ideal positions,
    and ``x`` holds the voting positions, updated in place to the final ones.

    With ``record``, ``history[t]`` receives round t's positions and the log arrays every realised
    exchange. Returns rounds played, the stop code and the number of exchanges logged.
    """
    n, k_issues = x.shape
    size = (k_issues * (k_issues - 1) // 2) * (n * (n - 1) // 2)
    ints = np.empty((size, LOG_INTS), dtype=np.int64)
    floats = np.empty((size, LOG_FLOATS))
    used = np.zeros((n, k_issues), dtype=np.bool_)
    ideal = x.copy()
    outcome = np.empty(k_issues)
    total = np.empty(k_issues)
    expected_outcomes(x, w, outcome, total)
    if record:
        history[0] = x
    logged = 0
    for t in range(1, rounds + 1):
        count = find_exchanges(ideal, x, w, s, free, width, order, outcome, total, rate, cap, tolerance,
                               ints, floats)
        if count == 0:
            return t - 1, STATIC if t == 1 else CONVERGED, logged
        joint = floats[:count, 4] + floats[:count, 5]
        used[:] = False
        for m in by_gain(joint):
            a, b, p, q = ints[m, 1], ints[m, 2], ints[m, 3], ints[m, 4]
            if used[a, p] or used[a, q] or used[b, p] or used[b, q]:
                continue
            used[a, p] = used[a, q] = used[b, p] = used[b, q] = True
            x[b, p] = floats[m, 1]
            x[a, q] = floats[m, 3]
            if record:
                log_ints[logged, 0] = t
                log_ints[logged, 1:] = ints[m, 1:]
                log_floats[logged] = floats[m]
                logged += 1
        expected_outcomes(x, w, outcome, total)
        if record:
            history[t] = x
    return rounds, ROUND_LIMIT, logged


@nb.njit(parallel=True, **COMPILE)
def run_batch(x: np.ndarray, w: np.ndarray, s: np.ndarray, free: np.ndarray, width: np.ndarray,
              order: np.ndarray, rounds: int, rate: int, cap: bool, tolerance: float
              ) -> tuple[np.ndarray, np.ndarray]:
    """:func:`run_draw` for every draw (first axis), in parallel over draws, moving ``x`` in place to
    the final positions. ``free`` is shared by every draw. Returns rounds played and stop codes."""
    draws, n, k_issues = x.shape
    played = np.empty(draws, dtype=np.int64)
    stops = np.empty(draws, dtype=np.int64)
    for b in nb.prange(draws):
        movable = free & (w[b] > 0.0)
        played[b], stops[b], _ = run_draw(
            x[b], w[b], s[b], movable, width, order, rounds, rate, cap, tolerance, False,
            np.empty((0, n, k_issues)), np.empty((0, LOG_INTS), dtype=np.int64), np.empty((0, LOG_FLOATS)))
    return played, stops
