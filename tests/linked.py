"""Multi-issue test scenarios built from (actors, issues) arrays, for models that link issues."""

from __future__ import annotations

import numpy as np

from stakes.scenario.model import Actor, Estimate, Issue, Scenario, Stance


def linked_scenario(position, salience, capability, ids=None, scales=None, fixed=None) -> Scenario:
    """A scenario from (actors, issues) arrays; issue k is ``i{k}``. NaN positions mean no stance."""
    position, salience = np.asarray(position, dtype=float), np.asarray(salience, dtype=float)
    n, k_issues = position.shape
    ids = ids or [f"a{r}" for r in range(n)]
    scales = scales or [(0.0, 100.0)] * k_issues
    issues = tuple(Issue(f"i{k}", f"Issue {k}", "low end", "high end", scales[k]) for k in range(k_issues))
    actors = tuple(
        Actor(ids[r], f"Actor {ids[r]}", "other", Estimate(float(capability[r])),
              {f"i{k}": Stance(Estimate(float(position[r, k])), Estimate(float(salience[r, k])),
                               fixed=bool(fixed is not None and fixed[r, k]))
               for k in range(k_issues) if not np.isnan(position[r, k])})
        for r in range(n))
    return Scenario(title="linked test", issues=issues, actors=actors)


def random_linked(seed: int, n: int = 8, k_issues: int = 3, gaps: bool = False) -> Scenario:
    """A random scenario of ``n`` actors and ``k_issues`` issues; with ``gaps`` about a fifth of the
    actors take no stance on a given issue (the first two always do)."""
    rng = np.random.default_rng(seed)
    position = rng.uniform(0, 100, (n, k_issues))
    if gaps:
        position[2:][rng.uniform(size=(n - 2, k_issues)) < 0.2] = np.nan
    return linked_scenario(position, rng.uniform(0.05, 1, (n, k_issues)), rng.uniform(1, 100, n))
