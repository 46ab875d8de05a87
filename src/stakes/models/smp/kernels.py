"""Numerical building blocks of the Spatial Model of Politics, vectorised with numpy.

The arithmetic follows KTAB's definitions step by step, including the order in which terms are
summed (every sum here runs in index order, from the same starting value), so that a run agrees
with KTAB's logs to the last printed digit rather than only approximately.
"""

from __future__ import annotations

import functools

import numpy as np

VICTORY_PROB_MODELS = ("Linear", "Square", "Quartic", "Octic", "Binary")
VOTING_RULES = ("Binary", "PropBin", "Prop", "PropCbc", "Cubic", "ASymProsp")
PCE_MODELS = ("Conditional", "MarkovIncentive", "MarkovUniform")
BIG_R_RANGES = ("Min", "Mid", "Max")
BIG_R_ADJUSTS = ("None", "OneThird", "Half", "TwoThirds", "Full")

MIN_COALITION = 1e-8  # every coalition starts with this strength, so no contest is 0 against 0
BINARY_STEP = 1e-8  # utility difference at which a binary vote reaches full strength
PROP_BIN_SHARE = 0.2  # weight of the binary part in the PropBin rule
PROP_CBC_SHARE = 0.5  # weight of the cubic part in the PropCbc rule
BINARY_VICTORY_RATIO = 1.10  # strength ratio that makes victory certain under the Binary model
BINARY_VICTORY_FLOOR = 1e-6
INCENTIVE_FLOOR = 1e-10  # an option always has this much incentive to stand against itself
CONDORCET_TOL = 1e-8  # convergence of the Markov-incentive election
UNIFORM_TOL = 1e-6  # convergence of the Markov-uniform election
MAX_ITERATIONS = 1000  # of a Markov election, as in KTAB
LOOP_OPTIONS = 16  # from this many options on, coalitions are summed actor by actor


def ordered_sum(a: np.ndarray) -> np.ndarray:
    """Sum along the first axis strictly in index order (numpy's own sum may pair terms)."""
    return np.cumsum(a, axis=0)[-1]


def vote(rule: str, weight: np.ndarray | float, du: np.ndarray) -> np.ndarray:
    """Influence exerted for option a over option b by an actor of this weight, given du = u(a) − u(b)."""
    if rule == "Prop":
        return weight * du
    if rule == "Binary":
        return weight * np.clip(du / BINARY_STEP, -1.0, 1.0)
    if rule == "PropBin":
        return weight * ((1 - PROP_BIN_SHARE) * du + PROP_BIN_SHARE * np.clip(du / BINARY_STEP, -1.0, 1.0))
    if rule == "PropCbc":
        return weight * ((1 - PROP_CBC_SHARE) * du + PROP_CBC_SHARE * (du * du * du))
    if rule == "Cubic":
        return weight * (du * du * du)
    if rule == "ASymProsp":  # losses weigh fully, gains two thirds (prospect theory)
        return np.where(du < 0, weight * du, np.where(du > 0, (2.0 * weight * du) / 3.0, 0.0))
    raise ValueError(f"unknown voting rule {rule!r}")


def coalitions(rule: str, weight: np.ndarray, utility: np.ndarray) -> np.ndarray:
    """Strength c[a, b] of the coalition backing option a against option b.

    ``utility[k, a]`` is actor k's utility for option a and ``weight[k]`` its voting weight; each
    actor adds its vote to the side it prefers, actor by actor.
    """
    actors, options = utility.shape
    lower = _lower(options)
    if options < LOOP_OPTIONS:  # few options: one pass over all actors at once
        du = utility[:, :, np.newaxis] - utility[:, np.newaxis, :]
        votes = vote(rule, weight[:, np.newaxis, np.newaxis], du)
        start = np.full((1, options, options), MIN_COALITION)
        backing = ordered_sum(np.concatenate([start, np.where(votes > 0, votes, 0.0)]))
        opposing = ordered_sum(np.concatenate([start, np.where(votes < 0, -votes, 0.0)]))
    else:  # many options: accumulate actor by actor, in the same order, without the big tensor
        backing = np.full((options, options), MIN_COALITION)
        opposing = np.full((options, options), MIN_COALITION)
        for k in range(actors):
            votes = vote(rule, weight[k], utility[k, :, np.newaxis] - utility[k, np.newaxis, :])
            backing += np.where(votes > 0, votes, 0.0)
            opposing -= np.where(votes < 0, votes, 0.0)
    strength = np.where(lower, backing, opposing.T)  # votes are counted once per unordered pair
    np.fill_diagonal(strength, MIN_COALITION)
    return strength


@functools.cache
def _lower(n: int) -> np.ndarray:
    """Mask of the strictly lower triangle of an n × n matrix."""
    return np.tril(np.ones((n, n), dtype=bool), -1)


@functools.cache
def _pairs(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Row and column indices of the strictly lower triangle, row by row."""
    return np.tril_indices(n, -1)


def _power(model: str, s: np.ndarray) -> np.ndarray:
    if model == "Linear":
        return s
    if model == "Square":
        return s * s
    if model == "Quartic":
        return s * s * s * s
    if model == "Octic":
        q = s * s * s * s
        return q * q
    raise ValueError(f"unknown victory-probability model {model!r}")


def victory(model: str, strength: np.ndarray) -> np.ndarray:
    """P[a beats b] from coalition strengths; P[a, b] + P[b, a] = 1 and P[a, a] = 1/2."""
    n = strength.shape[0]
    rows, cols = _pairs(n)
    s1, s2 = strength[rows, cols], strength[cols, rows]
    if model == "Binary":
        r12 = s1 / (s1 + s2)
        p12 = (r12 * (BINARY_VICTORY_RATIO + 1.0) - 1.0) / (BINARY_VICTORY_RATIO - 1.0)
        x1 = np.where(s1 >= BINARY_VICTORY_RATIO * s2, 1.0,
                      np.where(s2 >= BINARY_VICTORY_RATIO * s1, BINARY_VICTORY_FLOOR, p12))
        x2 = np.where(s1 >= BINARY_VICTORY_RATIO * s2, BINARY_VICTORY_FLOOR,
                      np.where(s2 >= BINARY_VICTORY_RATIO * s1, 1.0, 1 - p12))
    else:
        x1, x2 = _power(model, s1), _power(model, s2)
    p = np.full((n, n), 0.5)
    p[rows, cols] = x1 / (x1 + x2)
    p[cols, rows] = x2 / (x1 + x2)
    return p


def _conditional(p_win: np.ndarray) -> np.ndarray:
    """Each option's chance of beating every other, conditioned on exactly one doing so."""
    beats_all = np.cumprod(p_win, axis=1)[:, -1]
    return beats_all / ordered_sum(beats_all)


def _markov_incentive(strength: np.ndarray, p_win: np.ndarray) -> np.ndarray:
    """Limit of the Markov process whose challenges come in proportion to the incentive to make them."""
    n = strength.shape[0]
    incentive = strength * p_win
    incentive[np.diag_indices(n)] += INCENTIVE_FLOOR
    challenge = incentive / ordered_sum(incentive)[np.newaxis, :]  # P[a challenges | b is favourite]
    p = np.full(n, 1.0 / n)
    for _ in range(MAX_ITERATIONS):
        flow = p[:, np.newaxis] * challenge.T
        q = ordered_sum((p_win * (flow + flow.T)).T)
        change = float(np.max(np.abs(q - p)))
        p = (p + q) / 2.0
        if not change > CONDORCET_TOL:
            return p
    step = np.diag(ordered_sum((p_win * challenge.T).T)) + p_win * challenge  # q = step @ p
    return _fixed_point(step)


def _markov_uniform(p_win: np.ndarray) -> np.ndarray:
    """Limit of the Markov process in which every option challenges with equal probability."""
    n = p_win.shape[0]
    p = np.full(n, 1.0 / n)
    for _ in range(MAX_ITERATIONS):
        q = ordered_sum((p_win * (p[:, np.newaxis] + p[np.newaxis, :])).T) / n
        change = float(np.max(np.abs(q - p)))
        p = (p + q) / 2.0
        if not change > UNIFORM_TOL:
            return p
    return _fixed_point((np.diag(p_win.sum(axis=1)) + p_win) / n)


def _fixed_point(step: np.ndarray) -> np.ndarray:
    """The distribution p = step @ p, for an election too slow to settle by iteration.

    KTAB gives up (with an error) after MAX_ITERATIONS; solving for the limit directly gives the
    distribution the iteration was heading for.
    """
    n = step.shape[0]
    system = np.vstack([step - np.eye(n), np.ones((1, n))])
    target = np.zeros(n + 1)
    target[-1] = 1.0
    p = np.clip(np.linalg.lstsq(system, target, rcond=None)[0], 0.0, None)
    return p / p.sum()


def condorcet(pce: str, victory_model: str, strength: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The probabilistic Condorcet election: (P[option wins], P[a beats b]) from coalition strengths."""
    p_win = victory(victory_model, strength)
    if pce == "Conditional":
        return _conditional(p_win), p_win
    if pce == "MarkovIncentive":
        return _markov_incentive(strength, p_win), p_win
    if pce == "MarkovUniform":
        return _markov_uniform(p_win), p_win
    raise ValueError(f"unknown PCE model {pce!r}")


def risk_from_probability(p: np.ndarray, big_r_range: str) -> np.ndarray:
    """Risk attitudes inferred from how likely each actor's position is to prevail.

    The actor of the likeliest position is the most risk averse (+1); the least likely one is the most
    risk seeking (0, −1/2 or −1 for the ranges Min, Mid and Max). When every position is equally
    likely there is nothing to infer from and all actors are taken as risk neutral.
    """
    p_min, p_max = float(np.min(p)), float(np.max(p))
    if not p_max > p_min:
        return np.zeros_like(p)
    if big_r_range == "Min":
        return (p - p_min) / (p_max - p_min)
    if big_r_range == "Mid":
        return (3 * p - (p_max + 2 * p_min)) / (2 * (p_max - p_min))
    if big_r_range == "Max":
        return (2 * p - (p_max + p_min)) / (p_max - p_min)
    raise ValueError(f"unknown big-R range {big_r_range!r}")


def estimated_risk(risk: np.ndarray, adjust: str) -> np.ndarray:
    """est[h, i]: h's estimate of i's risk attitude, anchored on its own and adjusted toward i's."""
    n = len(risk)
    r_h, r_i = np.repeat(risk[:, np.newaxis], n, axis=1), np.repeat(risk[np.newaxis, :], n, axis=0)
    if adjust == "Full":
        return r_i
    if adjust == "TwoThirds":
        return (r_h + (2.0 * r_i)) / 3.0
    if adjust == "Half":
        return (r_h + r_i) / 2
    if adjust == "OneThird":
        return ((2.0 * r_h) + r_i) / 3.0
    if adjust == "None":
        return r_h
    raise ValueError(f"unknown big-R adjustment {adjust!r}")


def salience_distance(ideal: np.ndarray, position: np.ndarray, salience: np.ndarray) -> np.ndarray:
    """Salience-weighted distance from each ideal to each position, on [0, 1].

    ``ideal`` and ``salience`` are (actors, dims), ``position`` is (positions, dims); the result is
    (actors, positions) with entry sqrt(Σ_k (s_ik (x_ik − y_jk))² / Σ_k s_ik²).
    """
    weighted = np.zeros((ideal.shape[0], position.shape[0]))
    total = np.zeros((ideal.shape[0], 1))
    for k in range(ideal.shape[1]):
        s = salience[:, k:k + 1]
        ds = (ideal[:, k:k + 1] - position[np.newaxis, :, k]) * s
        weighted = weighted + ds * ds
        total = total + s * s
    return np.sqrt(weighted / total)


def utility(distance: np.ndarray, risk: np.ndarray) -> np.ndarray:
    """Risk-aware utility of being this distance away: (1 − d)(1 + d·R), linear when R = 0."""
    near = (1 - distance) * (1 + distance * risk)
    if np.all(distance <= 1):
        return near
    far = (1 - distance) * (1 + risk)  # round-off can push d slightly above 1
    return np.where(distance <= 1, near, far)
