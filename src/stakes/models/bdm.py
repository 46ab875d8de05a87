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
- ``decision``: "scenario" (default) lets an issue's decision rule (veto players, a vote, a single
  decider; see :mod:`stakes.models.rules`) pick the outcome from the positions after each round, as
  Bueno de Mesquita describes his model: bargaining moves positions, the rule in force decides; the
  weighted median or mean is kept in the diagnostics as ``bargained``. "ignore" keeps the median or
  mean whatever the rule. Issues without a rule are not affected.

Ties between equally good offers (moves within 1e-12 δ, utilities within 1e-12) go to the offer
from the actor whose id sorts first, so results do not depend on the order of actors. Actors with
zero capability or zero salience cannot or will not push: they take no part (no votes, no
challenges, not challenged), keep their position and do not enter the outcome or the distance
scale. An actor whose stance is ``fixed`` votes, challenges and is challenged like any other but
accepts no offer, so its position never moves.

Engine: the rounds run in an engine shared by ``solve`` (one run, with the challenge log) and
``solve_batch`` (many Monte Carlo draws of an issue in one call, outcomes only): a compiled kernel
(numba, :mod:`stakes.models.bdm_kernel`, parallel over draws) or the same arithmetic in numpy
(:mod:`stakes.models.bdm_numpy`), which needs no compilation; :mod:`stakes.models.bdm_engine` picks
one per call by the size of the work and whether the kernel's compiled code is cached. A round costs
O(n²) time and memory, not the O(n³) of the triple sum: on one dimension the voters that prefer x_a
to x_b are those on a's side of the midpoint, so every sum over voters is a difference of prefix
sums over voters sorted by position.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from types import ModuleType

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
    weighted_mean,
    weights,
)
from stakes.models.bdm_engine import engine
from stakes.scenario.model import Issue, IssueData

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
class RoundDetails:
    """Everything one round computes, for the active actors in ``actor_ids`` order.

    ``neutral_*`` and ``danger`` are computed with every risk exponent 1 (for the security levels;
    None when the exponents are given). ``expected_utility[i, j]`` is i's expected utility of
    challenging j and ``rival_expected_utility[i, j]`` what i thinks j expects from challenging i,
    both with r_i. ``offer_kind`` codes: 0 none, 1 conflict, 2 compromise, 3 capitulation;
    ``proposal[i, j]`` is the position j's offer asks of i; ``accepted[i]`` the offer i takes (−1 none,
    always for a fixed actor).
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
class _Actors:
    """One issue's active actors (positive capability × salience) as the kernel takes them."""

    index: np.ndarray
    ids: tuple[str, ...]
    position: np.ndarray
    weight: np.ndarray
    salience: np.ndarray
    fixed: np.ndarray
    risk: np.ndarray
    risk_given: bool
    span: float
    id_rank: np.ndarray


@dataclass(frozen=True)
class _Offers:
    """Logged offers as equal-length arrays, one entry each, in round then target order."""

    round_number: np.ndarray
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
                 challenge_log: str = "moves", decision: str = "scenario"):
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
        self.decision = check_decision(decision)

    def solve(self, data: IssueData, rng: np.random.Generator) -> IssueForecast:
        actors = self._actors(data)
        rounds, m = self.rounds, len(actors.ids)
        history, medians = np.empty((rounds + 1, m)), np.empty(rounds + 1)
        risks, own, rival = np.empty((rounds, m)), np.empty((rounds, m)), np.empty((rounds, m))
        partner, offers = np.empty((rounds, m), dtype=np.int64), np.empty((rounds, m), dtype=np.int64)
        kind = np.empty((rounds, m), dtype=np.int8)
        kernel = engine(m * m)
        played, stop = kernel.run(
            actors.position, actors.weight, actors.salience, actors.fixed, actors.span, actors.risk,
            actors.risk_given, actors.id_rank, rounds, self.tolerance, *self._codes(),
            history, medians, risks, partner, kind, own, rival, offers)
        history, medians = history[:played + 1], medians[:played + 1]
        means = np.array([weighted_mean(row, actors.weight) for row in history])
        if self.challenge_log == "offers":
            log = self._every_offer(actors, history, kernel)
        else:
            moved_round, target = np.nonzero(partner[:played] >= 0)
            challenger = partner[moved_round, target]
            log = _Offers(round_number=moved_round + 1, target=target, challenger=challenger,
                          kind=kind[moved_round, target], old=history[moved_round, target],
                          proposal=history[moved_round + 1, target], own=own[moved_round, target],
                          rival=rival[moved_round, target], taken=np.ones(len(target), dtype=bool),
                          offer_count=offers[moved_round, target], accepted_from=challenger)

        trajectory = np.repeat(data.position[np.newaxis, :].astype(float), played + 1, axis=0)
        trajectory[:, actors.index] = history
        return IssueForecast(
            issue_id=data.issue.id,
            actor_ids=data.actor_ids,
            positions=trajectory,
            outcomes=medians if self.outcome == "median" else means,
            stop_reason=STOP_REASONS[stop],
            challenge_log=partial(self._challenge_table, log, actors.ids),
            diagnostics={
                "weighted_median": medians,
                "weighted_mean": means,
                "risk_exponents": dict(zip(actors.ids, risks[:played].T.tolist())),
                "distance_scale": actors.span,
                "excluded_actors": [a for a in data.actor_ids if a not in actors.ids],
            },
        )

    def solve_batch(self, batch: IssueBatch, seeds: np.ndarray) -> BatchForecast:
        """Every draw in one parallel kernel call; equals ``solve`` draw by draw (the model draws no
        random numbers, so ``seeds`` go unused)."""
        active = weights(batch) > 0
        position = np.ascontiguousarray(batch.position, dtype=float)
        span = self._spans(batch.issue, np.where(active, position, np.inf).min(axis=1),
                           np.where(active, position, -np.inf).max(axis=1))
        risk, risk_given = self._given_risk(batch.issue, batch.risk, position.shape)
        fixed = np.zeros(len(batch.actor_ids), dtype=bool) if batch.fixed is None else batch.fixed
        outcomes, final, rounds, stops = engine(position.size * position.shape[1]).run_batch(
            position, np.ascontiguousarray(batch.salience, dtype=float),
            np.ascontiguousarray(batch.capability, dtype=float), risk, risk_given,
            np.ascontiguousarray(fixed, dtype=bool), span, _id_rank(batch.actor_ids), self.rounds,
            self.tolerance, *self._codes(), OUTCOMES.index(self.outcome))
        return BatchForecast(issue_id=batch.issue.id, actor_ids=batch.actor_ids, outcomes=outcomes,
                             final_positions=final, rounds=rounds, stop_reasons=stops)

    def round_details(self, data: IssueData) -> RoundDetails:
        """The first round's quantities (probabilities, expected utilities, risk, offers) in full."""
        actors = self._actors(data)
        if np.ptp(actors.position) == 0:
            raise ModelError(f"issue {data.issue.id!r}: every actor stands at the same position, so "
                             "there is nothing to bargain over")
        return self._round(actors, actors.position, engine(len(actors.ids) ** 2))

    def _round(self, actors: _Actors, position: np.ndarray, kernel: ModuleType) -> RoundDetails:
        """One round from these positions, by the engine's own round function, in actor order."""
        order, neutral_win, neutral_own, danger, risk, win, own, rival, kind, proposal, accepted = (
            kernel.play_round(position, actors.weight, actors.salience, actors.fixed, actors.span,
                              actors.risk, actors.risk_given, actors.id_rank, *self._codes(),
                              kernel.workspace(len(position))))
        rank = np.argsort(order)  # the kernel indexes actors by their rank in position order
        pairs = np.ix_(rank, rank)
        accepted = np.where(accepted[rank] >= 0, order[accepted[rank]], -1)
        if actors.risk_given:
            neutral_win = neutral_own = danger = None
        else:
            neutral_win, neutral_own, danger = neutral_win[pairs], neutral_own[pairs], danger[rank]
        return RoundDetails(actors.ids, position, neutral_win, neutral_own, danger, risk[rank],
                            win[pairs], own[pairs], rival[pairs], kind[pairs], proposal[pairs], accepted)

    def _codes(self) -> tuple[int, int, int, float, float]:
        """The options the kernel's round takes, as integer codes and floats."""
        return (PROBABILITIES.index(self.probability), RESIST_SALIENCES.index(self.resist_salience),
                ACCEPTANCES.index(self.acceptance), self.status_quo_probability,
                self.improvement_probability)

    def _actors(self, data: IssueData) -> _Actors:
        """The active actors' arrays, distance scale, risk exponents and tie-break ranks."""
        weight = weights(data)
        index = np.flatnonzero(weight > 0)
        ids = tuple(data.actor_ids[k] for k in index)
        position = data.position[index].astype(float)
        attitude = None if data.risk is None else data.risk[index]
        risk, risk_given = self._given_risk(data.issue, attitude, position.shape)
        fixed = np.zeros(len(index), dtype=bool) if data.fixed is None else data.fixed[index]
        span = self._spans(data.issue, position.min(keepdims=True), position.max(keepdims=True))
        return _Actors(index=index, ids=ids, position=position, weight=weight[index].astype(float),
                       salience=data.salience[index].astype(float), fixed=fixed.astype(bool), risk=risk,
                       risk_given=risk_given, span=float(span[0]), id_rank=_id_rank(ids))

    def _spans(self, issue: Issue, low: np.ndarray, high: np.ndarray) -> np.ndarray:
        """The distance scale δ of each draw, from the lowest and highest starting positions of its
        active actors: the issue's width, or the spread of those positions."""
        if self.distance_scale == "positions":
            return high - low
        bottom, top = issue.scale
        if top <= bottom:
            raise ModelError(f"issue {issue.id!r}: scale {issue.scale} has no width; "
                             "give it a low end below its high end")
        if np.any(low < bottom) or np.any(high > top):
            raise ModelError(f"issue {issue.id!r}: positions run from {low.min():g} to "
                             f"{high.max():g}, outside the scale [{bottom:g}, {top:g}]; widen the "
                             "scale or use distance_scale='positions'")
        return np.full(len(low), float(top - bottom))

    def _given_risk(self, issue: Issue, attitude: np.ndarray | None, shape: tuple[int, ...]
                    ) -> tuple[np.ndarray, bool]:
        """Risk exponents fixed for the run (``risk="data"`` or ``"neutral"``) and whether they are;
        with ``"security"`` the kernel computes them each round."""
        if self.risk != "data":
            return np.ones(shape), self.risk == "neutral"
        if attitude is None:
            raise ModelError(f"issue {issue.id!r}: no actor states a risk attitude; add "
                             "'risk' to the stances or use risk='security'")
        return np.ascontiguousarray(risk_exponent(np.clip(attitude, -1.0, 1.0)), dtype=float), True

    def _every_offer(self, actors: _Actors, history: np.ndarray, kernel: ModuleType) -> _Offers:
        """Every offer of every round played, taken or set aside: the rounds are replayed from the
        recorded positions by the engine that played them (it is deterministic, so the replay is the run)."""
        blocks = []
        for r in range(len(history) - 1):
            details = self._round(actors, history[r], kernel)
            target, challenger = np.nonzero(details.offer_kind != NO_OFFER)
            accepted = details.accepted[target]
            blocks.append(_Offers(
                round_number=np.full(len(target), r + 1), target=target, challenger=challenger,
                kind=details.offer_kind[target, challenger], old=history[r, target],
                proposal=details.proposal[target, challenger],
                own=details.expected_utility[target, challenger],
                rival=details.rival_expected_utility[target, challenger], taken=accepted == challenger,
                offer_count=(details.offer_kind != NO_OFFER).sum(axis=1)[target], accepted_from=accepted))
        fields = _Offers.__dataclass_fields__
        if not blocks:
            return _Offers(**{name: np.zeros(0, dtype=int) for name in fields})
        return _Offers(**{name: np.concatenate([getattr(b, name) for b in blocks]) for name in fields})

    def _challenge_table(self, log: _Offers, ids: tuple[str, ...]) -> pd.DataFrame:
        """Who moved whom, how and why: one row per logged offer, in round then target order."""
        if len(log.target) == 0:
            return pd.DataFrame(columns=list(CHALLENGE_COLUMNS))
        targets = [ids[i] for i in log.target.tolist()]
        challengers = [ids[j] for j in log.challenger.tolist()]
        kind, own, rival = log.kind.tolist(), log.own.tolist(), log.rival.tolist()
        proposal, taken = log.proposal.tolist(), log.taken.tolist()
        count, source = log.offer_count.tolist(), log.accepted_from.tolist()
        rule = RULE_NAMES[self.acceptance]
        details = []
        for k, target in enumerate(targets):
            why = _explain(kind[k], target, challengers[k], own[k], rival[k])
            if source[k] < 0:
                why += (f"; set aside, as {target} holds its position fixed (would have moved it to "
                        f"{proposal[k]:.6g})")
            elif not taken[k]:
                why += f"; set aside for {ids[source[k]]}'s offer (would have moved it to {proposal[k]:.6g})"
            elif count[k] > 1:
                why += f"; chosen by the {rule} from {count[k]} offers"
            details.append(why)
        return pd.DataFrame({
            "round": log.round_number,
            "challenger": challengers,
            "target": targets,
            "kind": [KIND_NAMES[k] for k in kind],
            "old_position": log.old,
            "new_position": np.where(log.taken, log.proposal, log.old),
            "details": details,
        })


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
