"""Monte Carlo speed of the exchange model against BDM's batch, on the same draws in the same run.

Run as ``python benchmarks/bench_exchange.py [DRAWS]`` (default 10,000). Each draw perturbs one
random scenario of 20 actors and 3 issues (positions ± 5 points, saliences ± 20 %, capabilities
log-normal with σ = 0.2, one capability per actor and draw for all issues). The exchange model
solves the three linked issues of every draw together (``solve_batches``); BDM solves each issue's
batch (``solve_batch``, the same draws). Each plays at most its default rounds (exchange 50, BDM
10). Prints seconds, CPU seconds (all threads), draws per second and the ratio (target: exchange
no slower than BDM), each the best of two runs after a small batch that compiles the kernels or
loads them from numba's cache. Draws run in parallel on NUMBA_NUM_THREADS threads (default: every
core).
"""

from __future__ import annotations

import sys
from functools import partial
from pathlib import Path

import numba
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.timing import best_time
from stakes.models.base import IssueBatch
from stakes.models.bdm import ExpectedUtility
from stakes.models.exchange import VoteExchange
from stakes.scenario.model import Issue

ACTORS = 20
ISSUES = 3


def draws_of(n_draws: int, seed: int = 3) -> list[IssueBatch]:
    """``n_draws`` perturbed copies of one random scenario of 20 actors and 3 issues."""
    rng = np.random.default_rng(seed)
    ids = tuple(f"actor{k:02d}" for k in range(ACTORS))
    shape = (n_draws, ACTORS)
    capability = rng.uniform(1, 100, ACTORS) * rng.lognormal(0.0, 0.2, shape)
    batches = []
    for k in range(ISSUES):
        position, salience = rng.uniform(0, 100, ACTORS), rng.uniform(0.1, 1.0, ACTORS)
        batches.append(IssueBatch(
            issue=Issue(f"issue{k}", f"Issue {k}", "low end", "high end", (0.0, 100.0)), actor_ids=ids,
            position=np.clip(position + rng.normal(0.0, 5.0, shape), 0.0, 100.0),
            salience=np.clip(salience * rng.uniform(0.8, 1.2, shape), 0.0, 1.0), capability=capability))
    return batches


def main() -> None:
    n_draws = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    exchange, bdm = VoteExchange(), ExpectedUtility()
    warm = draws_of(8)
    exchange.solve_batches(warm, np.arange(8))  # compile, or load from the cache
    bdm.solve_batch(warm[0], np.arange(8))
    batches, seeds = draws_of(n_draws), np.arange(n_draws)
    runs = {
        "exchange (3 linked issues)": partial(exchange.solve_batches, batches, seeds),
        "bdm (3 issues, one batch each)": lambda: [bdm.solve_batch(batch, seeds) for batch in batches],
    }
    print(f"{n_draws} draws × {ACTORS} actors × {ISSUES} issues; numba threads: {numba.get_num_threads()} "
          f"({numba.threading_layer()})")
    print(f"{'model':<32} {'seconds':>8} {'cpu s':>7} {'draws/s':>9}")
    rates = {}
    for name, action in runs.items():
        seconds, cpu = best_time(action)
        rates[name] = n_draws / seconds
        print(f"{name:<32} {seconds:8.2f} {cpu:7.2f} {rates[name]:9.0f}")
    result = exchange.solve_batches(batches, seeds)["issue0"]
    print(f"exchange: mean rounds {result.rounds.mean():.1f}, draws stopped by the round limit "
          f"{np.mean(result.stop_reasons == 2):.1%}")
    ratio = rates["exchange (3 linked issues)"] / rates["bdm (3 issues, one batch each)"]
    print(f"exchange / bdm draws per second: {ratio:.2f}  [target ≥ 1]")


if __name__ == "__main__":
    main()
