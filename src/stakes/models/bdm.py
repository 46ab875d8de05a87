"""Bueno de Mesquita's expected-utility model of bargaining, as unravelled by Scholz, Calbert & Smith.

Scholz, Calbert & Smith (2011), "Unravelling Bueno De Mesquita's group decision model", *Journal of
Theoretical Politics* 23(4), reconstruct the model of Bueno de Mesquita (1994, 1997) from its
publications. Every actor k has a capability c_k, a salience s_k in [0, 1] and a position x_k; in each
round every actor weighs challenging every other, and accepts at most one offer from the others.

Equations, with δ the distance scale (option ``distance_scale``) and μ the weighted median position:

1. Votes. Actor k's vote for position x_a over x_b:
   v_k(a, b) = c_k s_k [(|x_k − x_b| / δ)^r_k − (|x_k − x_a| / δ)^r_k].
2. Win probability of a against b:
   P_ab = Σ_k max(0, v_k(a, b)) / Σ_k |v_k(a, b)|                      (``probability="pairwise"``)
   P_ab = Σ_k max(0, v_k(a, b)) / Σ_k Σ_a' Σ_b' |v_k(a', b')|          (``probability="all_triples"``)
3. Utilities of challenger a against target b, seen by an actor with risk exponent r, d = |x_a − x_b|/δ:
   U_s = 2 − 4(0.5 − 0.5d)^r (success), U_f = 2 − 4(0.5 + 0.5d)^r (failure), U_sq = 2 − 4(0.5)^r
   (status quo), U_b = 2 − 4(0.5 − 0.25(|x_a − μ|/δ + d))^r (things get better without a challenge),
   U_w = 2 − 4(0.5 + 0.25(|x_a − μ|/δ + d))^r (things get worse).
4. Expected utility of a challenging b:
   EU_ab = s [P_ab U_s + (1 − P_ab) U_f] + (1 − s) U_s − Q U_sq − (1 − Q)[T U_b + (1 − T) U_w],
   where s, the probability that the target resists, is the target's salience s_b, and r is the
   exponent of the actor whose view it is. Two actors at the same position have nothing to
   challenge: EU = 0.
5. Risk exponents. With every r = 1, actor i's danger is Σ_{j≠i} EU_ji (what the others expect from
   challenging i); R_i = (2 danger_i − max_k danger_k − min_k danger_k) / (max − min), and
   r_i = (1 − R_i/3) / (1 + R_i/3): from 0.5 for the most exposed actor (read as risk-acceptant, R = 1)
   to 2 for the safest (risk-averse, R = −1); r = 1 for all when every danger is equal. Steps 1–4
   are then repeated with these exponents, in the votes (r_k) and in each actor's view (r_i).
6. Offers, seen by i from j, with a = EU_ij and b = EU_ji (both in i's view, exponent r_i):
   conflict      b > a > 0      i expects to lose a fight and moves to x_j;
   compromise    a < 0 < b, |a| < b   i moves the fraction |a|/b of the way to x_j;
   capitulation  a < 0 < b, |a| ≥ b   i moves to x_j.
   Utilities within 1e-12 of each other count as equal, so float noise never decides an offer.
7. Each actor accepts at most one offer (option ``acceptance``) and all move at once. Rounds repeat
   until no position changes by more than ``tolerance`` × δ or every actor stands at the same place
   ("converged"), the positions come back to those of an earlier round within that tolerance
   ("cycle"), or ``rounds`` rounds have been played ("round_limit"; default 10, the length of the
   published replication runs, by which most runs have settled or shown their cycle).

Options (the paper's reading is the default; each alternative is another reading of the publications
or of the published code):

- ``probability``: "pairwise" normalises each contest by the votes cast in it, so P_ab + P_ba = 1, as
  the paper's text reads; "all_triples" divides by the |votes| summed over every voter and every pair
  of positions, as Scholz et al.'s published code does (probabilities become very small).
- ``resist_salience``: "target" (s_b: a target that cares little gives in without a fight, the
  paper's reading); "challenger" (s_a: the challenger's own commitment decides whether it fights).
- ``acceptance``: "least_move" accepts the offer that moves the actor least (the paper, after BDM);
  "highest_eu" accepts the offer whose sender expects most from it, then the least move (the reading
  of another public replication); "scholz_code"
  prefers any conflict (least move), then compromises (the lowest EU-weighted mean of the two
  positions), then capitulations, as the published code does.
- ``status_quo_probability`` (Q) and ``improvement_probability`` (T): Q is the chance that nothing
  changes without a challenge, T the chance that a change without a challenge helps the challenger.
  Q = T = 1 by default, as in the published code the reference runs follow; U_b and U_w then drop
  out, and μ only matters when Q < 1.
- ``distance_scale``: δ = the width of the issue scale ("scale"), or the spread of the starting
  positions ("positions", the published code's max − min, fixed for the whole run).
- ``risk``: "security" computes r from security levels (step 5); "data" takes each actor's risk
  attitude R in [−1, 1] from the scenario (+1 risk-acceptant, −1 risk-averse, missing 0) and sets
  r = (1 − R/3)/(1 + R/3) for the whole run; "neutral" keeps every r = 1.
- ``outcome``: the forecast each round is the capability × salience weighted median of the positions
  (BDM's median voter) or the weighted mean; both are in the diagnostics.
- ``challenge_log``: "moves" records the offer each actor accepted; "offers" also records every offer
  it set aside (n² rows per round at most).

Ties between equally good offers (moves within 1e-12 δ, utilities within 1e-12) go to the offer
from the actor whose id sorts first, so results do not depend on the order of actors. Actors with zero capability or zero salience cannot or will not
push: they take no part (no votes, no challenges, not challenged), keep their position and do not
enter the outcome or the distance scale.

Cost per round is O(n² log n), not the O(n³) of the triple sum: on one dimension the voters that
prefer x_a to x_b are those on a's side of the midpoint, so every sum over voters is a difference of
prefix sums over voters sorted by position.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from stakes.errors import ModelError
from stakes.models.base import (
    CHALLENGE_COLUMNS,
    BargainingModel,
    IssueForecast,
    weighted_mean,
    weighted_median,
    weights,
)
from stakes.scenario.model import IssueData

PROBABILITIES = ("pairwise", "all_triples")
RESIST_SALIENCES = ("target", "challenger")
ACCEPTANCES = ("least_move", "highest_eu", "scholz_code")
DISTANCE_SCALES = ("scale", "positions")
RISKS = ("security", "data", "neutral")
OUTCOMES = ("median", "mean")
CHALLENGE_LOGS = ("moves", "offers")

NO_OFFER, CONFLICT, COMPROMISE, CAPITULATION = 0, 1, 2, 3
KIND_NAMES = {CONFLICT: "conflict", COMPROMISE: "compromise", CAPITULATION: "capitulation"}
RULE_NAMES = {"least_move": "least-move rule", "highest_eu": "highest-sender-EU rule",
              "scholz_code": "Scholz-code order"}
UTILITY_TIE = 1e-12
"""Expected utilities closer than this count as equal (they lie within a few units of zero)."""
POSITION_TIE = 1e-12
"""Moves closer than this fraction of the distance scale count as equal."""


def risk_exponent(attitude: np.ndarray) -> np.ndarray:
    """BDM's map from a risk attitude R in [−1, 1] to the utility exponent r = (1 − R/3)/(1 + R/3)."""
    return (1.0 - attitude / 3.0) / (1.0 + attitude / 3.0)


@dataclass(frozen=True)
class Geometry:
    """The actors' positions in the forms every step of a round needs (computed once per round).

    ``gap[i, j] = x_j − x_i`` and ``distance = |gap| / δ``. ``prefix_index_*`` locate, in prefix sums
    over the voters sorted by position, the voters strictly below the midpoint of each pair.
    """

    position: np.ndarray
    gap: np.ndarray
    distance: np.ndarray
    below: np.ndarray
    same: np.ndarray
    order: np.ndarray
    prefix_index_i: np.ndarray
    prefix_index_j: np.ndarray

    @classmethod
    def of(cls, position: np.ndarray, span: float) -> Geometry:
        n = len(position)
        order = np.argsort(position, kind="stable")
        ranked = position[order]
        rank = np.empty(n, dtype=np.intp)
        rank[order] = np.arange(n)
        # midpoints between sorted positions rise along each row, which makes the search fast
        midpoint = ranked[:, None] + 0.5 * (ranked[None, :] - ranked[:, None])
        below_midpoint = np.searchsorted(ranked, midpoint, side="left")[rank[:, None], rank[None, :]]
        below_midpoint *= n
        gap = position[None, :] - position[:, None]
        columns = np.arange(n)
        return cls(position=position, gap=gap, distance=np.abs(gap) / span, below=gap > 0,
                   same=gap == 0, order=order, prefix_index_i=below_midpoint + columns[:, None],
                   prefix_index_j=below_midpoint + columns[None, :])


def win_probability(geometry: Geometry, weight: np.ndarray, risk: np.ndarray | None,
                    probability: str) -> np.ndarray:
    """P[a, b]: the chance that a beats b, from everyone's votes (equations 1–2).

    The voters that prefer x_a to x_b are those on a's side of the pair's midpoint, so with voters
    sorted by position each support Σ_k max(0, v_k(a, b)) is a difference of prefix sums: O(n² log n)
    time and O(n²) memory instead of the triple loop's O(n³).
    """
    n = len(weight)
    loss = geometry.distance if risk is None else geometry.distance ** risk[:, None]
    prefix = np.empty((n + 1, n))
    prefix[0] = 0.0
    np.cumsum((weight[:, None] * loss)[geometry.order], axis=0, out=prefix[1:])
    flat = prefix.ravel()
    votes_below = flat[geometry.prefix_index_j] - flat[geometry.prefix_index_i]
    total = prefix[-1]
    support = np.where(geometry.below, votes_below, (total[None, :] - total[:, None]) - votes_below)
    if probability == "pairwise":
        cast = support + support.T
        cast[cast == 0.0] = 1.0  # no votes cast (equal positions): support is 0 too, and so is P
        return support / cast
    # Σ over ordered pairs of |y_a − y_b| for one voter's sorted losses y: 2 Σ_t y_t (2t − n + 1)
    rank_weight = 2.0 * np.arange(n) - (n - 1)
    every_vote = 2.0 * float(weight @ (np.sort(loss, axis=1) @ rank_weight))
    return support / every_vote if every_vote > 0 else np.zeros_like(support)


def contest_terms(geometry: Geometry, view_risk: np.ndarray | float, q: float
                  ) -> tuple[np.ndarray, np.ndarray]:
    """U_s − Q U_sq and U_s − U_f for every pair, seen with exponent view_risk[i] (equation 3).

    Both depend on the pair only through its distance, so i's view of its own challenge of j and of
    j's challenge of i share them.
    """
    r = view_risk[:, None] if isinstance(view_risk, np.ndarray) else view_risk
    half = 0.5 * geometry.distance
    near = np.power(0.5 - half, r)  # U_s = 2 − 4 near
    stake = np.power(0.5 + half, r)  # U_f = 2 − 4 far
    stake -= near
    stake *= 4.0
    near *= -4.0
    near += 2.0 - q * (2.0 - 4.0 * 0.5 ** r)
    return near, stake


def expected_utility(base: np.ndarray, stake: np.ndarray, resist: np.ndarray, win: np.ndarray
                     ) -> np.ndarray:
    """EU = s [P U_s + (1 − P) U_f] + (1 − s) U_s − Q U_sq = base − s (1 − P) stake (equation 4)."""
    utility = 1.0 - win
    utility *= resist
    utility *= stake
    np.subtract(base, utility, out=utility)
    return utility


def challenge_utilities(geometry: Geometry, salience: np.ndarray, resist_salience: str, win: np.ndarray,
                        view_risk: np.ndarray | float, median_offset: np.ndarray | None, q: float,
                        t: float, with_own: bool = True) -> tuple[np.ndarray | None, np.ndarray]:
    """Actor i's view (exponent view_risk[i]) of its two contests with each j (equations 3–4).

    Returns ``own[i, j]``, the EU of i challenging j (None unless ``with_own``), and ``rival[i, j]``,
    the EU of j challenging i. Equal positions give exactly 0.
    """
    base, stake = contest_terms(geometry, view_risk, q)
    of_column, of_row = salience[None, :], salience[:, None]
    resist_own, resist_rival = (of_column, of_row) if resist_salience == "target" else (of_row, of_column)
    own = expected_utility(base, stake, resist_own, win) if with_own else None
    rival = expected_utility(base, stake, resist_rival, win.T)
    if q < 1.0:
        r = view_risk[:, None] if isinstance(view_risk, np.ndarray) else view_risk
        for utility, offset in ((own, median_offset[:, None]), (rival, median_offset[None, :])):
            if utility is not None:
                utility -= (1.0 - q) * _unchallenged_change(offset + geometry.distance, r, t)
                utility[geometry.same] = 0.0
    return own, rival


def _unchallenged_change(offset: np.ndarray, r: np.ndarray | float, t: float) -> np.ndarray:
    """T U_b + (1 − T) U_w: the challenger's utility if the target moves without a challenge."""
    better = 2.0 - 4.0 * (0.5 - 0.25 * offset) ** r
    worse = 2.0 - 4.0 * (0.5 + 0.25 * offset) ** r
    return t * better + (1.0 - t) * worse


def security_risk(danger: np.ndarray) -> np.ndarray:
    """Risk exponents from danger levels (equation 5); r = 1 for all when every danger is equal."""
    high, low = float(danger.max()), float(danger.min())
    if high - low <= UTILITY_TIE * max(1.0, abs(high), abs(low)):
        return np.ones_like(danger)
    return risk_exponent((2.0 * danger - high - low) / (high - low))


@dataclass(frozen=True)
class Offers:
    """What each j offers each i (equation 6): kind code, the position asked of i, and i's move
    (in units of δ)."""

    kind: np.ndarray
    proposal: np.ndarray
    move: np.ndarray


def classify_offers(geometry: Geometry, own: np.ndarray, rival: np.ndarray) -> Offers:
    """Every offer j makes i, read from i's expected utilities of the two challenges (equation 6)."""
    conflict = (own > UTILITY_TIE) & (rival > own + UTILITY_TIE)
    losing = (rival > UTILITY_TIE) & (own < -UTILITY_TIE)
    capitulation = losing & (rival <= -own)
    compromise = losing ^ capitulation
    share = np.ones_like(own)
    np.divide(-own, rival, out=share, where=compromise)
    kind = conflict.view(np.int8) + compromise.view(np.int8) * COMPROMISE \
        + capitulation.view(np.int8) * CAPITULATION
    x = geometry.position
    proposal = np.where(compromise, x[:, None] + geometry.gap * share, x[None, :])
    return Offers(kind=kind, proposal=proposal, move=geometry.distance * share)


def choose_offers(offers: Offers, own: np.ndarray, rival: np.ndarray, geometry: Geometry, span: float,
                  id_rank: np.ndarray, acceptance: str) -> np.ndarray:
    """Index of the offer each actor accepts (−1 for none), by the ``acceptance`` rule."""
    if acceptance == "least_move":
        keys = [(offers.move, POSITION_TIE)]
    elif acceptance == "highest_eu":
        keys = [(-rival, UTILITY_TIE), (offers.move, POSITION_TIE)]
    else:
        x = geometry.position
        at_stake = np.abs(own) + np.abs(rival)
        pooled = np.divide(np.abs(own) * x[:, None] + np.abs(rival) * x[None, :], at_stake,
                           out=np.zeros_like(own), where=at_stake > 0)
        # conflicts, then compromises (lowest pooled position), then capitulations (least move)
        keys = [(offers.kind, 0.0),
                (np.where(offers.kind == COMPROMISE, pooled / span, offers.move), POSITION_TIE)]
    return lexicographic_choice(offers.kind != NO_OFFER, keys, id_rank)


def lexicographic_choice(candidate: np.ndarray, keys: list[tuple[np.ndarray, float]],
                         id_rank: np.ndarray) -> np.ndarray:
    """Per row, the candidate column that minimises each key in turn (within its tie tolerance),
    then the lowest id rank; −1 where a row has no candidate."""
    for values, tie in keys:
        masked = np.where(candidate, values, np.inf)
        candidate = candidate & (masked <= masked.min(axis=1, keepdims=True) + tie)
    chosen = np.argmin(np.where(candidate, id_rank[None, :], len(id_rank)), axis=1)
    return np.where(candidate.any(axis=1), chosen, -1)


@dataclass(frozen=True)
class RoundDetails:
    """Everything one round computes, for the active actors in ``actor_ids`` order.

    ``neutral_*`` and ``danger`` are computed with every risk exponent 1 (for the security levels;
    None when the exponents are given). ``expected_utility[i, j]`` is i's expected utility of
    challenging j and ``rival_expected_utility[i, j]`` what i thinks j expects from challenging i,
    both with r_i. ``offer_kind`` codes: 0 none, 1 conflict, 2 compromise, 3 capitulation;
    ``proposal[i, j]`` is the position j's offer asks of i; ``accepted[i]`` the offer i takes (−1 none).
    """

    actor_ids: tuple[str, ...]
    position: np.ndarray
    neutral_win_probability: np.ndarray | None
    neutral_expected_utility: np.ndarray | None
    danger: np.ndarray | None
    risk_exponent: np.ndarray
    win_probability: np.ndarray
    expected_utility: np.ndarray
    rival_expected_utility: np.ndarray
    offer_kind: np.ndarray
    proposal: np.ndarray
    accepted: np.ndarray

    @property
    def new_position(self) -> np.ndarray:
        """Positions after everyone has taken the offer it accepted (all move at once)."""
        rows = np.flatnonzero(self.accepted >= 0)
        moved = self.position.copy()
        moved[rows] = self.proposal[rows, self.accepted[rows]]
        return moved


@dataclass(frozen=True)
class _LogBlock:
    """One round's challenge-log entries as arrays; turned into table rows once, after the run."""

    round_number: int
    target: np.ndarray
    challenger: np.ndarray
    kind: np.ndarray
    old: np.ndarray
    proposal: np.ndarray
    own: np.ndarray
    rival: np.ndarray
    taken: np.ndarray
    offer_count: np.ndarray
    accepted_from: np.ndarray


class ExpectedUtility(BargainingModel):
    """Bueno de Mesquita's expected-utility model: rounds of challenges, offers and position moves."""

    name = "bdm"
    title = "Bueno de Mesquita expected-utility model"
    reference = ("Bueno de Mesquita (1994), in Political Forecasting; Scholz, Calbert & Smith (2011), "
                 "J. Theoretical Politics 23(4)")

    def __init__(self, rounds: int = 10, tolerance: float = 1e-9, probability: str = "pairwise",
                 resist_salience: str = "target", acceptance: str = "least_move",
                 status_quo_probability: float = 1.0, improvement_probability: float = 1.0,
                 distance_scale: str = "scale", risk: str = "security", outcome: str = "median",
                 challenge_log: str = "moves"):
        """Options as in the module docstring; ``tolerance`` is a fraction of the distance scale δ."""
        for value, allowed, label in ((probability, PROBABILITIES, "probability"),
                                      (resist_salience, RESIST_SALIENCES, "resist_salience"),
                                      (acceptance, ACCEPTANCES, "acceptance"),
                                      (distance_scale, DISTANCE_SCALES, "distance_scale"),
                                      (risk, RISKS, "risk"), (outcome, OUTCOMES, "outcome"),
                                      (challenge_log, CHALLENGE_LOGS, "challenge_log")):
            if value not in allowed:
                raise ValueError(f"{label} must be one of {allowed}, not {value!r}")
        if isinstance(rounds, bool) or not isinstance(rounds, (int, np.integer)) or rounds < 1:
            raise ValueError(f"rounds must be a whole number of at least 1, not {rounds!r}")
        if not tolerance >= 0:
            raise ValueError(f"tolerance must be zero or positive, not {tolerance!r}")
        for value, label in ((status_quo_probability, "status_quo_probability"),
                             (improvement_probability, "improvement_probability")):
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{label} must lie in [0, 1], not {value!r}")
        self.rounds = int(rounds)
        self.tolerance = float(tolerance)
        self.probability = probability
        self.resist_salience = resist_salience
        self.acceptance = acceptance
        self.status_quo_probability = float(status_quo_probability)
        self.improvement_probability = float(improvement_probability)
        self.distance_scale = distance_scale
        self.risk = risk
        self.outcome = outcome
        self.challenge_log = challenge_log

    def solve(self, data: IssueData, rng: np.random.Generator) -> IssueForecast:
        weight = weights(data)
        active = np.flatnonzero(weight > 0)
        ids = tuple(data.actor_ids[k] for k in active)
        weight = weight[active]
        salience = data.salience[active]
        position = data.position[active].astype(float)
        span = self._span(data, position)
        given_risk = self._given_risk(data, active)
        id_rank = _id_rank(ids)

        history = np.empty((self.rounds + 1, len(active)))
        history[0] = position
        medians, means = [weighted_median(position, weight)], [weighted_mean(position, weight)]
        risks, log = [], []
        played, stop_reason = 0, "converged"  # also when everyone agrees, at the start or later
        settled = self.tolerance * span
        while np.ptp(position) > 0:
            if played == self.rounds:
                stop_reason = "round_limit"
                break
            details = self._round(position, weight, salience, span, given_risk, id_rank, ids, medians[-1])
            new = details.new_position
            played += 1
            history[played] = new
            risks.append(details.risk_exponent)
            log.append(self._log_block(played, details))
            medians.append(weighted_median(new, weight))
            means.append(weighted_mean(new, weight))
            if np.max(np.abs(new - position)) <= settled:
                break
            position = new
            if played > 1 and np.min(np.max(np.abs(history[:played - 1] - new), axis=1)) <= settled:
                stop_reason = "cycle"
                break

        trajectory = np.repeat(data.position[np.newaxis, :].astype(float), played + 1, axis=0)
        trajectory[:, active] = history[:played + 1]
        return IssueForecast(
            issue_id=data.issue.id,
            actor_ids=data.actor_ids,
            positions=trajectory,
            outcomes=np.array(medians if self.outcome == "median" else means),
            stop_reason=stop_reason,
            challenges=self._challenge_table(log, ids),
            diagnostics={
                "weighted_median": np.array(medians),
                "weighted_mean": np.array(means),
                "risk_exponents": {a: [float(r[k]) for r in risks] for k, a in enumerate(ids)},
                "distance_scale": span,
                "excluded_actors": [a for a in data.actor_ids if a not in ids],
            },
        )

    def round_details(self, data: IssueData) -> RoundDetails:
        """The first round's quantities (probabilities, expected utilities, risk, offers) in full."""
        weight = weights(data)
        active = np.flatnonzero(weight > 0)
        ids = tuple(data.actor_ids[k] for k in active)
        position = data.position[active].astype(float)
        span = self._span(data, position)
        if np.ptp(position) == 0:
            raise ModelError(f"issue {data.issue.id!r}: every actor stands at the same position, so "
                             "there is nothing to bargain over")
        return self._round(position, weight[active], data.salience[active], span,
                           self._given_risk(data, active), _id_rank(ids), ids,
                           weighted_median(position, weight[active]), inspect=True)

    def _round(self, position: np.ndarray, weight: np.ndarray, salience: np.ndarray, span: float,
               given_risk: np.ndarray | None, id_rank: np.ndarray, ids: tuple[str, ...], median: float,
               inspect: bool = False) -> RoundDetails:
        """One round: security levels, risk exponents, expected utilities, offers and choices.

        ``inspect`` also keeps the risk-neutral expected utilities, which the round itself does not need.
        """
        geometry = Geometry.of(position, span)
        q, t = self.status_quo_probability, self.improvement_probability
        median_offset = np.abs(position - median) / span if q < 1.0 else None
        neutral_win = neutral_own = danger = None
        if given_risk is None:
            neutral_win = win_probability(geometry, weight, None, self.probability)
            neutral_own, neutral_rival = challenge_utilities(
                geometry, salience, self.resist_salience, neutral_win, 1.0, median_offset, q, t, inspect)
            danger = neutral_rival.sum(axis=1)
            risk = security_risk(danger)
        else:
            risk = given_risk
        win = win_probability(geometry, weight, risk, self.probability)
        own, rival = challenge_utilities(geometry, salience, self.resist_salience, win, risk,
                                         median_offset, q, t)
        offers = classify_offers(geometry, own, rival)
        accepted = choose_offers(offers, own, rival, geometry, span, id_rank, self.acceptance)
        return RoundDetails(ids, position, neutral_win, neutral_own, danger, risk, win, own, rival,
                            offers.kind, offers.proposal, accepted)

    def _span(self, data: IssueData, position: np.ndarray) -> float:
        """The distance scale δ: the issue's width, or the spread of the starting positions."""
        if self.distance_scale == "positions":
            return float(np.ptp(position))
        low, high = data.issue.scale
        if high <= low:
            raise ModelError(f"issue {data.issue.id!r}: scale {data.issue.scale} has no width; "
                             "give it a low end below its high end")
        if position.min() < low or position.max() > high:
            raise ModelError(f"issue {data.issue.id!r}: positions run from {position.min():g} to "
                             f"{position.max():g}, outside the scale [{low:g}, {high:g}]; widen the "
                             "scale or use distance_scale='positions'")
        return float(high - low)

    def _given_risk(self, data: IssueData, active: np.ndarray) -> np.ndarray | None:
        """Fixed risk exponents for ``risk="data"`` or ``"neutral"``; None when computed each round."""
        if self.risk == "neutral":
            return np.ones(len(active))
        if self.risk == "data":
            if data.risk is None:
                raise ModelError(f"issue {data.issue.id!r}: no actor states a risk attitude; add "
                                 "'risk' to the stances or use risk='security'")
            return risk_exponent(np.clip(data.risk[active], -1.0, 1.0))
        return None

    def _log_block(self, round_number: int, details: RoundDetails) -> _LogBlock:
        """The round's accepted offers (and, with ``challenge_log="offers"``, every other offer)."""
        accepted = details.accepted
        offered = details.offer_kind != NO_OFFER
        if self.challenge_log == "moves":
            target = np.flatnonzero(accepted >= 0)
            challenger = accepted[target]
        else:
            target, challenger = np.nonzero(offered)
        return _LogBlock(
            round_number=round_number, target=target, challenger=challenger,
            kind=details.offer_kind[target, challenger], old=details.position[target],
            proposal=details.proposal[target, challenger],
            own=details.expected_utility[target, challenger],
            rival=details.rival_expected_utility[target, challenger],
            taken=accepted[target] == challenger, offer_count=offered.sum(axis=1)[target],
            accepted_from=accepted[target],
        )

    def _challenge_table(self, log: list[_LogBlock], ids: tuple[str, ...]) -> pd.DataFrame:
        """Who moved whom, how and why: one row per logged offer, in round then target order."""
        if not any(len(block.target) for block in log):
            return pd.DataFrame(columns=list(CHALLENGE_COLUMNS))
        block_rows = [len(block.target) for block in log]

        def column(name: str) -> list:
            return np.concatenate([getattr(block, name) for block in log]).tolist()

        target, challenger, kind = column("target"), column("challenger"), column("kind")
        own, rival, proposal = column("own"), column("rival"), column("proposal")
        taken, count, source = column("taken"), column("offer_count"), column("accepted_from")
        rule = RULE_NAMES[self.acceptance]
        details = []
        for k in range(len(target)):
            why = _explain(kind[k], ids[target[k]], ids[challenger[k]], own[k], rival[k])
            if not taken[k]:
                why += f"; set aside for {ids[source[k]]}'s offer (would have moved it to {proposal[k]:.6g})"
            elif count[k] > 1:
                why += f"; chosen by the {rule} from {count[k]} offers"
            details.append(why)
        old = np.concatenate([block.old for block in log])
        return pd.DataFrame({
            "round": np.repeat([block.round_number for block in log], block_rows),
            "challenger": [ids[j] for j in challenger],
            "target": [ids[i] for i in target],
            "kind": [KIND_NAMES[k] for k in kind],
            "old_position": old,
            "new_position": np.where(np.array(taken, dtype=bool), proposal, old),
            "details": details,
        }, columns=list(CHALLENGE_COLUMNS))


def _id_rank(ids: tuple[str, ...]) -> np.ndarray:
    """Each actor's place in the sorted list of ids: the order-independent tie-breaker."""
    return np.argsort(np.argsort(np.array(ids, dtype=object), kind="stable"), kind="stable")


def _explain(kind: int, target: str, challenger: str, own: float, rival: float) -> str:
    """Why the target would move, in the expected utilities as the target sees them."""
    if kind == CONFLICT:
        return (f"both expect to gain from a fight ({target} {own:+.4g}, {challenger} {rival:+.4g}); "
                f"{target} expects to lose it and takes {challenger}'s position")
    if kind == COMPROMISE:
        return (f"{challenger} expects {rival:+.4g} from challenging {target}, {target} {own:+.4g} from "
                f"challenging back; {target} concedes {-own / rival:.1%} of the distance")
    return (f"{challenger} expects {rival:+.4g} from challenging {target}, {target} {own:+.4g} from "
            f"challenging back, a larger loss; {target} gives in and takes {challenger}'s position")
