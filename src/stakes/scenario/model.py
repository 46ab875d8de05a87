"""The scenario data model: actors × issues, every number an :class:`Estimate` with its evidence.

These are plain immutable objects. Reading and writing files lives in :mod:`stakes.scenario.io`;
checking the rules lives in :mod:`stakes.scenario.validate`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np
import pandas as pd

ACTOR_KINDS = (
    "state",
    "government",
    "person",
    "party",
    "armed group",
    "organisation",
    "public",
    "faction",
    "other",
)
DISTRIBUTIONS = ("uniform", "triangular", "normal")
DECISION_RULES = ("bargaining", "veto", "majority", "qualified_majority", "single")
SALIENCE_RANGE = (0.0, 1.0)
RISK_RANGE = (-1.0, 1.0)


@dataclass(frozen=True)
class Estimate:
    """A number with its uncertainty range and the reason it has this value.

    ``low``/``high`` bound the plausible values (``None`` means the value is taken as exact);
    ``distribution`` says how to draw inside the range for Monte Carlo runs. ``basis`` says why the
    number is what it is; ``source`` names a scenario source id and ``where`` the place in it. A number
    without a source is an analyst's estimate.
    """

    value: float
    low: float | None = None
    high: float | None = None
    distribution: str = "uniform"
    basis: str | None = None
    source: str | None = None
    where: str | None = None

    @property
    def is_exact(self) -> bool:
        return self.low is None and self.high is None

    @property
    def is_estimate(self) -> bool:
        """True when no source backs the number: it is the analyst's judgement."""
        return self.source is None

    def with_value(self, value: float) -> Estimate:
        return replace(self, value=float(value))


@dataclass(frozen=True)
class Decision:
    """Who must agree for the issue to move from its status quo, and how.

    ``rule`` is one of :data:`DECISION_RULES`: ``bargaining`` (no formal rule: the models' weighted
    compromise), ``veto`` (every one of ``veto_players`` must prefer the outcome to the status quo;
    an optional ``agenda_setter`` proposes), ``majority`` / ``qualified_majority`` (the ``voters``,
    weighted by ``weights`` — equal by default — with more than half or at least ``threshold`` of
    their total weight), ``single`` (``decider`` alone). When no decision is reached the issue stays
    at its status quo. ``accepts`` gives, for some veto players, the closed interval of outcomes each
    would sign, where nearness to its position misleads: a party that would rather keep the status
    quo than accept a small step toward its aim (what it gives up in the step costs more than the
    step brings). Without it, a veto player signs every point nearer its position than the status
    quo. ``basis``, ``source`` and ``where`` give the evidence, as for an :class:`Estimate`.
    """

    rule: str
    veto_players: tuple[str, ...] = ()
    agenda_setter: str | None = None
    voters: tuple[str, ...] = ()
    weights: dict[str, float] | None = None
    threshold: float | None = None
    decider: str | None = None
    accepts: dict[str, tuple[float, float]] | None = None
    basis: str | None = None
    source: str | None = None
    where: str | None = None

    @property
    def actors(self) -> tuple[str, ...]:
        """Every actor id the rule names, in order, without repeats."""
        named = (*self.veto_players, self.agenda_setter, *self.voters, self.decider)
        return tuple(dict.fromkeys(a for a in named if a is not None))

    def describe(self) -> str:
        """The rule in a few words: ``veto: netanyahu, hamas; setter us_admin``, ``single: netanyahu``,
        ``qualified_majority of 10 voters (71%)`` (voters are listed when there are four or fewer)."""
        if self.rule == "bargaining":
            return "bargaining"
        who = {"veto": self.veto_players, "single": (self.decider,)}.get(self.rule, self.voters)
        text = f"{self.rule}: {', '.join(who)}" if len(who) <= 4 else f"{self.rule} of {len(who)} voters"
        if self.threshold is not None:
            text += f" ({self.threshold:.0%})"
        if self.agenda_setter:
            text += f"; setter {self.agenda_setter}"
        for actor_id, (low, high) in (self.accepts or {}).items():
            text += f"; {actor_id} signs only {low:g}–{high:g}"
        return text

    def voter_weights(self) -> dict[str, float]:
        """Each voter's weight (equal weights when none are given)."""
        return {v: 1.0 if self.weights is None else float(self.weights[v]) for v in self.voters}


@dataclass(frozen=True)
class Observation:
    """What was observed on an issue after the fact, on the issue's scale, with its evidence.

    ``low``/``high`` bound the observed value when the record leaves room (``None``: exact).
    """

    value: float
    low: float | None
    high: float | None
    date: date
    basis: str | None = None
    source: str | None = None
    where: str | None = None


@dataclass(frozen=True)
class Issue:
    """One bargaining dimension: a numeric scale whose two ends are described in words.

    ``status_quo`` is where the issue stands, and the reversion point when no decision is reached;
    ``decision`` says who must agree (``None``: plain bargaining); ``outcomes`` are what was observed
    later, for scoring forecasts after the fact.
    """

    id: str
    name: str
    low: str
    high: str
    scale: tuple[float, float] = (0.0, 100.0)
    description: str | None = None
    status_quo: Estimate | None = None
    decision: Decision | None = None
    outcomes: tuple[Observation, ...] = ()

    @property
    def width(self) -> float:
        return self.scale[1] - self.scale[0]


@dataclass(frozen=True)
class Stance:
    """An actor's position on one issue, how much the issue matters to it, and its risk attitude.

    ``fixed`` marks a position the actor will not move from (models that play rounds keep it).
    """

    position: Estimate
    salience: Estimate
    risk: Estimate | None = None
    fixed: bool = False


@dataclass(frozen=True)
class Actor:
    """Someone who can move the outcome: a state, a government, a person, a party, an armed group…"""

    id: str
    name: str
    kind: str
    capability: Estimate
    stances: dict[str, Stance] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()
    description: str | None = None


@dataclass(frozen=True)
class Source:
    """A document the scenario's numbers cite."""

    id: str
    title: str
    kind: str | None = None
    url: str | None = None
    published: str | None = None
    publisher: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class IssueData:
    """The arrays a bargaining model consumes for one issue (only actors with a stance on it)."""

    issue: Issue
    actor_ids: tuple[str, ...]
    position: np.ndarray
    salience: np.ndarray
    capability: np.ndarray
    risk: np.ndarray | None = None
    fixed: np.ndarray | None = None
    """Boolean mask of actors whose position stays put (``None``: every actor may move)."""

    @property
    def n(self) -> int:
        return len(self.actor_ids)

    def subset(self, index: np.ndarray | list[int]) -> IssueData:
        """The same issue restricted to (and reordered as) the actors at ``index``."""
        index = np.asarray(index, dtype=int)
        return IssueData(
            issue=self.issue,
            actor_ids=tuple(self.actor_ids[i] for i in index),
            position=self.position[index],
            salience=self.salience[index],
            capability=self.capability[index],
            risk=None if self.risk is None else self.risk[index],
            fixed=None if self.fixed is None else self.fixed[index],
        )


@dataclass(frozen=True)
class Scenario:
    """Actors × issues, with metadata. Build one with :func:`stakes.load` or directly."""

    title: str
    issues: tuple[Issue, ...]
    actors: tuple[Actor, ...]
    as_of: date | None = None
    description: str | None = None
    sources: tuple[Source, ...] = ()
    notes: str | None = None

    def issue(self, issue_id: str) -> Issue:
        for issue in self.issues:
            if issue.id == issue_id:
                return issue
        known = ", ".join(i.id for i in self.issues)
        raise KeyError(f"no issue {issue_id!r} in scenario {self.title!r} (issues: {known})")

    def actor(self, actor_id: str) -> Actor:
        for actor in self.actors:
            if actor.id == actor_id:
                return actor
        known = ", ".join(a.id for a in self.actors)
        raise KeyError(f"no actor {actor_id!r} in scenario {self.title!r} (actors: {known})")

    def to_frame(self) -> pd.DataFrame:
        """Tidy table: one row per (actor, issue) stance with capability, position, salience, risk."""
        rows = [
            {"actor": a.id, "name": a.name, "kind": a.kind, "issue": issue_id,
             "capability": a.capability.value, "position": s.position.value, "salience": s.salience.value,
             "risk": None if s.risk is None else s.risk.value}
            for a in self.actors for issue_id, s in a.stances.items()
        ]
        return pd.DataFrame(rows, columns=["actor", "name", "kind", "issue", "capability", "position",
                                           "salience", "risk"])

    def issue_data(self, issue_id: str) -> IssueData:
        """Positions, saliences and capabilities of the actors that take a stance on an issue."""
        issue = self.issue(issue_id)
        actors = [a for a in self.actors if issue_id in a.stances]
        stances = [a.stances[issue_id] for a in actors]
        has_risk = any(s.risk is not None for s in stances)
        return IssueData(
            issue=issue,
            actor_ids=tuple(a.id for a in actors),
            position=np.array([s.position.value for s in stances], dtype=float),
            salience=np.array([s.salience.value for s in stances], dtype=float),
            capability=np.array([a.capability.value for a in actors], dtype=float),
            risk=(
                np.array([0.0 if s.risk is None else s.risk.value for s in stances], dtype=float)
                if has_risk
                else None
            ),
            fixed=np.array([s.fixed for s in stances], dtype=bool) if any(s.fixed for s in stances) else None,
        )
