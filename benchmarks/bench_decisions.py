"""Monte Carlo speed of the decision rules: the veto model against BDM's batch on the same draws.

Run as ``python benchmarks/bench_decisions.py [--draws N]``. One random 20-actor issue (as in
``bench_batch.py``) gets a status quo and a decision rule, and 10,000 draws perturb it (positions ± 5
points, saliences ± 20 %, capabilities log-normal with σ = 0.2, the status quo 20 ± 10 points).
The veto players are the five actors standing highest, so most draws have a deal and the veto
model does its full work (a draw without a deal costs almost nothing). Each model runs the whole
batch through ``solve_batches``, the call Monte Carlo makes (the rule applied, deals counted): the
``veto`` model with five veto players and no agenda setter (the asymmetric Nash bargaining among
them, bisected in array operations), the same with an agenda setter, a qualified majority of every
actor, and then ``bdm`` (10 rounds, its default) without and with the rule applied after
bargaining. Prints draws per second and the ratio to BDM's batch, measured in the
same run (target: the veto model no slower than BDM). Times are the best of two runs, after a small
batch that compiles BDM's kernel (or loads it from numba's cache).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_bdm import random_issue
from benchmarks.timing import best_time
from stakes.models import make_model
from stakes.models.base import IssueBatch
from stakes.scenario.model import Decision, Estimate

ACTORS = 20
VETO_PLAYERS = 5


def draws_of(n_draws: int, decision: Decision, seed: int = 2) -> IssueBatch:
    """``n_draws`` perturbed copies of one random 20-actor issue under ``decision``, status quo 20."""
    base = random_issue(ACTORS)
    rng = np.random.default_rng(seed)
    shape = (n_draws, ACTORS)
    issue = replace(base.issue, status_quo=Estimate(20.0), decision=decision)
    return IssueBatch(
        issue=issue,
        actor_ids=base.actor_ids,
        position=np.clip(base.position + rng.normal(0.0, 5.0, shape), *issue.scale),
        salience=np.clip(base.salience * rng.uniform(0.8, 1.2, shape), 0.0, 1.0),
        capability=base.capability * rng.lognormal(0.0, 0.2, shape),
        status_quo=np.clip(20.0 + rng.normal(0.0, 10.0, n_draws), *issue.scale),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=10_000)
    n_draws = parser.parse_args().draws
    base = random_issue(ACTORS)
    ids = base.actor_ids
    highest = tuple(ids[k] for k in np.argsort(base.position)[-VETO_PLAYERS:])
    veto = Decision("veto", veto_players=highest)
    cases = [
        ("veto", "veto: 5 veto players, Nash among them", veto),
        ("veto", "veto: 5 veto players, agenda setter", replace(veto, agenda_setter=ids[-1])),
        ("veto", "veto: qualified majority (0.71) of all", Decision("qualified_majority", voters=ids, threshold=0.71)),
        ("bdm", "bdm, decision='ignore' (bargaining only)", None),
        ("bdm", "bdm, veto rule after bargaining", veto),
    ]
    seeds = np.arange(n_draws)
    make_model("bdm").solve_batches([draws_of(8, veto)], np.arange(8))  # compile, or load from the cache
    print(f"{n_draws:,} draws × {ACTORS} actors (solve_batches, as Monte Carlo calls it)")
    print(f"{'case':<44} {'seconds':>8} {'draws/s':>10} {'P(deal)':>8}")
    speed = {}
    for name, label, decision in cases:
        model = make_model(name, decision="ignore") if decision is None else make_model(name)
        batch = draws_of(n_draws, decision or veto)
        seconds = best_time(lambda: model.solve_batches([batch], seeds))[0]  # noqa: B023
        result = model.solve_batches([batch], seeds)[batch.issue.id]
        deal = "—" if result.deal is None else f"{result.deal.mean():.1%}"
        speed[label] = n_draws / seconds
        print(f"{label:<44} {seconds:8.3f} {n_draws / seconds:10,.0f} {deal:>8}")
    bdm = speed["bdm, decision='ignore' (bargaining only)"]
    for _, label, _ in cases[:3]:
        print(f"{label}: {speed[label] / bdm:.1f}× BDM's batch  [target ≥ 1×]")


if __name__ == "__main__":
    main()
