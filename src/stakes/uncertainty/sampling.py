"""Drawing a scenario's uncertain numbers: every Estimate with a range becomes a column of draws.

Draw ``i`` depends only on the seed and on ``i`` (draws come in fixed blocks, each with its own
random streams), so any split of the draws across processes or cluster workers reproduces the same
numbers bit for bit. Within a block every input has its own stream, keyed by the input's name: two
variants of a scenario (what-ifs) draw the same values for the numbers they share, so differences
between them come from the change, not from resampling.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from stakes.models.base import IssueBatch
from stakes.scenario.model import RISK_RANGE, SALIENCE_RANGE, Estimate, Scenario

BLOCK = 1024
"""Draws per random-stream block: the unit of work handed to processes and cluster workers."""


@dataclass(frozen=True)
class Input:
    """One number of a scenario that a Monte Carlo run varies or holds, and the values it may take."""

    key: str
    """``actor.capability``, ``actor.issue.position|salience|risk`` or ``issue.status_quo``."""
    estimate: Estimate
    bounds: tuple[float, float]

    @property
    def uncertain(self) -> bool:
        return not self.estimate.is_exact and self.estimate.low < self.estimate.high

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """``size`` values from the estimate's distribution over its range."""
        e = self.estimate
        if not self.uncertain:
            return np.full(size, e.value)
        if e.distribution == "triangular":
            return rng.triangular(e.low, e.value, e.high, size)
        if e.distribution == "normal":
            # imported here: SciPy's statistics take a second to import
            from scipy.stats import truncnorm

            # the range spans ±2 standard deviations; the tails are cut at what the number allows
            sd = (e.high - e.low) / 4.0
            lo, hi = (self.bounds[0] - e.value) / sd, (self.bounds[1] - e.value) / sd
            return truncnorm.rvs(lo, hi, loc=e.value, scale=sd, size=size, random_state=rng)
        return rng.uniform(e.low, e.high, size)


def inputs(scenario: Scenario) -> list[Input]:
    """Every number of the scenario that a model reads, in a fixed order."""
    out = []
    for issue in scenario.issues:
        if issue.status_quo is not None:
            out.append(Input(f"{issue.id}.status_quo", issue.status_quo, issue.scale))
    for actor in scenario.actors:
        out.append(Input(f"{actor.id}.capability", actor.capability, (0.0, np.inf)))
        for issue_id, stance in actor.stances.items():
            scale = scenario.issue(issue_id).scale
            out.append(Input(f"{actor.id}.{issue_id}.position", stance.position, scale))
            out.append(Input(f"{actor.id}.{issue_id}.salience", stance.salience, SALIENCE_RANGE))
            if stance.risk is not None:
                out.append(Input(f"{actor.id}.{issue_id}.risk", stance.risk, RISK_RANGE))
    return out


def input_stream(seed: int, block: int, key: str) -> np.random.Generator:
    """The random stream of one input in one block (the same in every scenario that has the input)."""
    name = int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "little")
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(block, 1, name)))


def model_seeds(seed: int, block: int) -> np.ndarray:
    """The seeds of the models' random streams for the draws of one block."""
    sequence = np.random.SeedSequence(seed, spawn_key=(block, 0))
    return np.random.default_rng(sequence).integers(0, 2**63, size=BLOCK, dtype=np.int64)


def sample_block(scenario: Scenario, seed: int, block: int) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The values of every input for the draws ``block * BLOCK ... (block + 1) * BLOCK - 1``, and model seeds."""
    values = {item.key: item.draw(input_stream(seed, block, item.key), BLOCK) for item in inputs(scenario)}
    return values, model_seeds(seed, block)


def issue_batches(scenario: Scenario, values: dict[str, np.ndarray], rows: slice = slice(None)
                  ) -> dict[str, IssueBatch]:
    """The per-issue arrays a model's ``solve_batch`` takes, from drawn input values."""
    def stack(keys: list[str], default: float | None = None) -> np.ndarray:
        size = len(next(iter(values.values()))[rows])
        return np.stack([values[key][rows] if key in values or default is None else np.full(size, default)
                         for key in keys], axis=1)

    batches = {}
    for issue in scenario.issues:
        data = scenario.issue_data(issue.id)
        ids = data.actor_ids
        batches[issue.id] = IssueBatch(
            issue=issue,
            actor_ids=ids,
            position=stack([f"{a}.{issue.id}.position" for a in ids]),
            salience=stack([f"{a}.{issue.id}.salience" for a in ids]),
            capability=stack([f"{a}.capability" for a in ids]),
            # actors without a stated risk attitude are risk-neutral (0)
            risk=None if data.risk is None else stack([f"{a}.{issue.id}.risk" for a in ids], default=0.0),
            fixed=data.fixed,
            status_quo=values[f"{issue.id}.status_quo"][rows] if issue.status_quo is not None else None,
        )
    return batches
