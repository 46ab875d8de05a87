"""KTAB's Spatial Model of Politics as a stakes model: all issues of a scenario bargained at once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import ClassVar

import numpy as np
import pandas as pd

from stakes.errors import ModelError
from stakes.models.base import (
    CHALLENGE_COLUMNS,
    BargainingModel,
    IssueForecast,
    check_decision,
    weights,
)
from stakes.models.smp import engine as E
from stakes.scenario.model import IssueData

ACCOMMODATION_TOL = 1e-10  # slack on "an ideal's accommodation rates sum to at most 1"


@dataclass(frozen=True)
class Space:
    """The issues of one run as one space, and who takes part in it.

    ``actor_ids`` lists every actor with a stance on any issue; ``active`` marks those with both
    capability and salience (the others hold their positions and take no part). ``stance[a, k]`` says
    whether actor a takes a stance on issue k; ``start`` holds the starting positions on [0, 1]
    (where an actor takes no stance, the capability × salience-weighted mean of those that do).
    ``actors`` carries the active actors' capabilities, saliences and ideal accommodation.
    """

    datas: tuple[IssueData, ...]
    actor_ids: tuple[str, ...]
    active: np.ndarray
    stance: np.ndarray
    start: np.ndarray
    actors: E.Actors

    @property
    def active_ids(self) -> tuple[str, ...]:
        return tuple(a for a, on in zip(self.actor_ids, self.active) if on)


class SpatialModel(BargainingModel):
    """The Spatial Model of Politics of KTAB (the KAPSARC Toolkit for Behavioral Analysis).

    Issues are the dimensions of one space: each actor holds a position vector, cares about the
    dimensions in proportion to its saliences and values positions by salience-weighted distance from
    its ideal, curved by a risk attitude inferred from how likely its position is to prevail. Every
    turn each actor challenges its most advantageous target and proposes a bargain; every actor then
    adopts one of the bargains concerning it (or none) by a probabilistic Condorcet election. The run
    stops when a turn's change is below ``target`` times the first turn's, or after ``rounds`` turns.

    Options take KTAB's names and defaults. ``accommodation`` maps an actor id to the rates at which
    its ideal moves toward actors' positions each turn (``{"bob": {"bob": 0.75, "alice": 0.07}}``, the
    rest of the unit keeping the old ideal; unlisted actors' ideals are their positions).

    Differences from KTAB, all without effect on KTAB's own scenarios: capabilities are rescaled so
    the strongest active actor has 100 (KTAB's fixed tolerances then act the same whatever the unit);
    an actor's saliences are scaled down to sum to 1 when they sum to more; actors without capability
    or salience are left out (KTAB rejects them); where an actor takes no stance on an issue it
    cares nothing for it and starts at the capability × salience-weighted mean position; with all
    positions equally likely, risk attitudes are neutral; a stated ``risk`` in the scenario is not
    used (SMP infers risk attitudes). The outcome of an issue is its expected position under the
    probabilistic Condorcet election over the distinct positions of the actors with a stance on it;
    where the issue has a decision rule (``decision="scenario"``), the rule picks it from the final
    positions instead.
    """

    name = "smp"
    title = "Spatial Model of Politics (KTAB)"
    reference = ("KAPSARC Toolkit for Behavioral Analysis (KTAB), github.com/KAPSARC/KTAB; KAPSARC "
                 "discussion papers 'An Introduction to the KAPSARC Toolkit for Behavioral Analysis (KTAB)' "
                 "and 'Multidimensional Bargaining using KTAB'")
    links_issues: ClassVar[bool] = True

    def __init__(self, victory_prob_model: str = "Linear", voting_rule: str = "Prop",
                 pce_model: str = "Conditional", state_transitions: str = "Deterministic",
                 big_r_range: str = "Mid", big_r_adjust: str = "OneThird",
                 third_party_commit: str = "SemiCommit", inter_vec_brgn: str = "S2P2",
                 bargain_model: str = "InitOnlyInterp",
                 accommodation: Mapping[str, Mapping[str, float]] | None = None,
                 rounds: int = 100, target: float = 0.02, decision: str = "scenario"):
        """``rounds`` (KTAB: 100) caps the turns; ``target`` (KTAB: 0.02) is the stopping ratio;
        ``decision`` whether an issue's decision rule picks the outcome from the final positions
        ("scenario") or the election's expected position stands ("ignore"), see
        :class:`~stakes.models.base.BargainingModel`."""
        self.settings = E.Settings(victory_prob_model, voting_rule, pce_model, state_transitions, big_r_range,
                                   big_r_adjust, third_party_commit, inter_vec_brgn, bargain_model)
        if isinstance(rounds, bool) or not isinstance(rounds, (int, np.integer)) or rounds < 1:
            raise ValueError(f"rounds must be a whole number of at least 1, not {rounds!r}")
        if isinstance(target, bool) or not isinstance(target, (int, float)) or not target > 0:
            raise ValueError(f"target must be a positive number, not {target!r}")
        self.victory_prob_model = victory_prob_model
        self.voting_rule = voting_rule
        self.pce_model = pce_model
        self.state_transitions = state_transitions
        self.big_r_range = big_r_range
        self.big_r_adjust = big_r_adjust
        self.third_party_commit = third_party_commit
        self.inter_vec_brgn = inter_vec_brgn
        self.bargain_model = bargain_model
        self.accommodation = _accommodation_rates(accommodation)
        self.rounds = int(rounds)
        self.target = float(target)
        self.decision = check_decision(decision)

    def solve(self, data: IssueData, rng: np.random.Generator) -> IssueForecast:
        return self.solve_many([data], rng)[data.issue.id]

    def solve_many(self, datas: list[IssueData], rng: np.random.Generator) -> dict[str, IssueForecast]:
        """Forecast these issues together, as the dimensions of one space.

        ``rng`` draws the stochastic state transitions; pass :class:`~stakes.models.smp.KtabRandom`
        to use KTAB's own random numbers.
        """
        space = self.prepare(datas)
        run = E.run(space.start[space.active], space.actors, self.settings, rng, self.rounds, self.target)
        return {data.issue.id: self._issue_forecast(space, run, k) for k, data in enumerate(space.datas)}

    def prepare(self, datas: list[IssueData]) -> Space:
        """The linked issues as one space on [0, 1], with the active actors' fixed attributes."""
        if not datas:
            raise ModelError("no issue to forecast; give at least one")
        for data in datas:
            weights(data)  # every issue needs an actor with capability and salience
        ids = list(dict.fromkeys(a for data in datas for a in data.actor_ids))
        row = {a: r for r, a in enumerate(ids)}
        n, d = len(ids), len(datas)
        stance = np.zeros((n, d), dtype=bool)
        start = np.zeros((n, d))
        salience = np.zeros((n, d))
        capability = np.zeros(n)
        for k, data in enumerate(datas):
            rows = [row[a] for a in data.actor_ids]
            lo, hi = data.issue.scale
            stance[rows, k] = True
            start[rows, k] = (data.position - lo) / (hi - lo)
            salience[rows, k] = data.salience
            capability[rows] = data.capability
        total = salience.sum(axis=1)
        salience = salience / np.maximum(total, 1.0)[:, np.newaxis]  # a share of attention sums to at most 1
        active = (capability > 0) & (total > 0)
        for k in range(d):  # no stance on an issue: start where its stakeholders' weight centres
            holders = stance[:, k] & active
            pull = capability[holders] * salience[holders, k]
            centre = float(np.dot(pull, start[holders, k]) / pull.sum())
            start[~stance[:, k], k] = centre
        cap = capability[active]
        scale = 100.0 / cap.max()
        cap = cap if scale == 1.0 else cap * scale
        accommodation = self._accommodation_matrix([a for a, on in zip(ids, active) if on])
        actors = E.Actors(cap, salience[active], accommodation)
        return Space(tuple(datas), tuple(ids), active, stance, start, actors)

    def _accommodation_matrix(self, ids: list[str]) -> np.ndarray | None:
        """KTAB's ideal-accommodation matrix over the active actors (identity where nothing is given)."""
        if not self.accommodation:
            return None
        index = {a: r for r, a in enumerate(ids)}
        matrix = np.eye(len(ids))
        for who, rates in self.accommodation.items():
            if who not in index:
                continue
            for toward, rate in rates.items():
                if toward in index:
                    matrix[index[who], index[toward]] = rate
        sums = matrix.sum(axis=1)
        for r in np.flatnonzero(sums > 1 + ACCOMMODATION_TOL):
            raise ModelError(f"the accommodation rates of {ids[r]!r} sum to {sums[r]:.4g}, more than 1 (its "
                             f"own rate is 1 unless given); lower them or give {ids[r]!r} its own rate")
        return matrix

    def _issue_forecast(self, space: Space, run: E.Run, k: int) -> IssueForecast:
        data = space.datas[k]
        lo, hi = data.issue.scale
        active_rows = np.flatnonzero(space.active)
        where = {space.actor_ids[r]: j for j, r in enumerate(active_rows)}
        columns = [where.get(a, -1) for a in data.actor_ids]
        moving = np.array([c >= 0 for c in columns])
        take = np.array([max(c, 0) for c in columns])
        start = space.start[[space.actor_ids.index(a) for a in data.actor_ids], k]
        trajectory = np.repeat(data.position[np.newaxis, :].astype(float), len(run.positions), axis=0)
        for t, position in enumerate(run.positions[1:], start=1):
            x = position[take, k]
            trajectory[t] = np.where(moving & (x != start), lo + x * (hi - lo), trajectory[t])
        holders = space.stance[active_rows, k]
        outcomes = np.array([lo + (hi - lo) * _expected(dist, position[:, k], holders)
                             for dist, position in zip(run.distributions, run.positions)])
        ids = space.active_ids
        return IssueForecast(
            issue_id=data.issue.id,
            actor_ids=data.actor_ids,
            positions=trajectory,
            outcomes=outcomes,
            stop_reason=run.stop_reason,
            challenge_log=partial(self._challenge_table, space, run, k),
            diagnostics={
                "linked_issues": [d.issue.id for d in space.datas],
                "fractional_change": list(run.ratios),
                "probabilities": {a: [float(dist.by_actor[where[a]]) for dist in run.distributions]
                                  for a in data.actor_ids if a in where},
                "risk_attitudes": {a: [float(r[where[a]]) for r in run.risks]
                                   for a in data.actor_ids if a in where},
                "excluded_actors": [a for a in data.actor_ids if a not in where],
                "actors_without_stance": [a for a in ids if not space.stance[space.actor_ids.index(a), k]],
            },
        )

    def _challenge_table(self, space: Space, run: E.Run, k: int) -> pd.DataFrame:
        """One row per bargain offered: initiator, receiver, what it asks of the receiver, who took it."""
        data = space.datas[k]
        lo, hi = data.issue.scale
        ids = space.active_ids
        has_stance = set(data.actor_ids)
        rows = []
        for t, turn in enumerate(run.turns, start=1):
            before = run.positions[t - 1]
            choices = turn.choices
            for challenge in turn.challenges:
                i, j = challenge.initiator, challenge.target
                if ids[j] not in has_stance:
                    continue
                for bargain in E.offers(challenge, self.bargain_model):
                    fates = []
                    for who in (i, j):
                        choice = choices[who]
                        m = next(m for m, o in enumerate(choice.options) if o is bargain)
                        verb = "adopted" if choice.chosen == m else "passed over"
                        fates.append(f"{ids[who]} {verb} it (probability {choice.probability[m]:.4f} of "
                                     f"{len(choice.options)} options)")
                    own = lo + (hi - lo) * bargain.initiator_position[k]
                    details = (f"{ids[i]} expects {challenge.gain:+.4f} from challenging {ids[j]} "
                               f"(P[{ids[i]} wins] = {challenge.p_win:.4f} by its estimate); "
                               f"{bargain.basis}'s bargain puts {ids[i]} at {own:.6g}; " + "; ".join(fates))
                    rows.append((t, ids[i], ids[j], "bargain", float(lo + (hi - lo) * before[j, k]),
                                 float(lo + (hi - lo) * bargain.receiver_position[k]), details))
        return pd.DataFrame(rows, columns=list(CHALLENGE_COLUMNS))


def _expected(dist: E.Distribution, x: np.ndarray, holders: np.ndarray) -> float:
    """Expected position over the distinct positions held by actors with a stance on the issue."""
    labels = np.unique(dist.label[holders])
    at = np.array([x[np.argmax(dist.label == c)] for c in labels])
    p = dist.probability[labels]
    return float(np.dot(p, at) / p.sum())


def _accommodation_rates(
        rates: Mapping[str, Mapping[str, float]] | None) -> dict[str, dict[str, float]] | None:
    """A plain copy of the accommodation rates, checked: each a number in [0, 1]."""
    if rates is None:
        return None
    if not isinstance(rates, Mapping):
        raise TypeError("accommodation must map actor ids to {actor id: rate}")
    out: dict[str, dict[str, float]] = {}
    for who, row in rates.items():
        if not isinstance(row, Mapping):
            raise TypeError(f"accommodation of {who!r} must map actor ids to rates, not {row!r}")
        out[str(who)] = {}
        for toward, rate in row.items():
            if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0.0 <= rate <= 1.0:
                raise ValueError(f"accommodation rate of {who!r} toward {toward!r} must lie in [0, 1], "
                                 f"not {rate!r}")
            out[str(who)][str(toward)] = float(rate)
    return out
