"""Monte Carlo speed of the expected-utility model: batches of draws of a 20-actor scenario.

Run as ``python benchmarks/bench_batch.py``. Each draw perturbs a random 20-actor issue (positions
± 5 points, saliences ± 20 %, capabilities log-normal with σ = 0.2) and plays up to 20 rounds.
Prints draws per second for 1,000, 10,000 and 20,000 draws (time should grow linearly with the
draws), the 10,000-draw time against the target (< 5 s on two cores), and the speed-up over calling
``solve`` in a Python loop over the same draws. Times are the best of two runs, after a small batch
that compiles the kernel (or loads it from numba's cache); the CPU seconds beside each wall time
(all threads) show how much of the machine the run got when it is shared. Draws run in parallel on
NUMBA_NUM_THREADS threads (default: every core); there is no BLAS in the kernel, so
OPENBLAS_NUM_THREADS and the like make no difference.
"""

from __future__ import annotations

import sys
from functools import partial
from pathlib import Path

import numba
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_bdm import random_issue
from benchmarks.timing import best_time
from stakes.models.base import IssueBatch
from stakes.models.bdm import ExpectedUtility
from stakes.models.bdm_engine import using

ACTORS = 20
ROUNDS = 20
LOOP_DRAWS = 200
"""Draws solved one by one with ``solve`` to measure the Python loop (its time per draw is steady)."""


def draws_of(n_draws: int, seed: int = 2) -> IssueBatch:
    """``n_draws`` perturbed copies of one random 20-actor issue."""
    base = random_issue(ACTORS)
    rng = np.random.default_rng(seed)
    shape = (n_draws, ACTORS)
    return IssueBatch(
        issue=base.issue,
        actor_ids=base.actor_ids,
        position=np.clip(base.position + rng.normal(0.0, 5.0, shape), *base.issue.scale),
        salience=np.clip(base.salience * rng.uniform(0.8, 1.2, shape), 0.0, 1.0),
        capability=base.capability * rng.lognormal(0.0, 0.2, shape),
    )


def main() -> None:
    model = ExpectedUtility(rounds=ROUNDS)
    model.solve_batch(draws_of(8), np.arange(8))  # compile, or load from the cache
    print(f"{ACTORS} actors × up to {ROUNDS} rounds; numba threads: {numba.get_num_threads()} "
          f"({numba.threading_layer()})")
    print(f"{'draws':>7} {'seconds':>9} {'cpu s':>7} {'draws/s':>10} {'µs/draw':>9} {'mean rounds':>12}")
    per_draw = {}
    for n_draws in (1_000, 10_000, 20_000):
        batch = draws_of(n_draws)
        seeds = np.arange(n_draws)
        seconds, cpu = best_time(partial(model.solve_batch, batch, seeds))
        rounds = model.solve_batch(batch, seeds).rounds.mean()
        per_draw[n_draws] = seconds / n_draws
        print(f"{n_draws:>7} {seconds:9.2f} {cpu:7.2f} {n_draws / seconds:10.0f} "
              f"{per_draw[n_draws] * 1e6:9.1f} {rounds:12.1f}")
    spread = max(per_draw.values()) / min(per_draw.values())
    print(f"time per draw varies by {spread:.2f}× from 1,000 to 20,000 draws (1.00× = linear)")
    print(f"10,000 draws: {per_draw[10_000] * 10_000:.2f} s  [target < 5 s on two cores]")

    batch = draws_of(LOOP_DRAWS)
    loop = best_time(lambda: [model.solve(batch.draw(b), np.random.default_rng(b))
                              for b in range(LOOP_DRAWS)], repeats=1)[0] / LOOP_DRAWS
    print(f"speed-up over solve() in a Python loop: {loop / per_draw[10_000]:.0f}× "
          f"({loop * 1e6:.0f} µs/draw with the challenge log, one thread)")


if __name__ == "__main__":
    with using("compiled"):  # the steady state; benchmarks/bench_first_run.py measures the first run
        main()
