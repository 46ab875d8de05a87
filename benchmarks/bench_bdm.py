"""Speed of the expected-utility model: the compiled engine against the plain-Python loop version.

Run as ``python benchmarks/bench_bdm.py``. Prints rounds per second for 10, 100 and 1000 actors,
the speed-up over the loop version at 20 actors for whole runs (with the challenge log and the
outcome of every round; target ≥ 100×) and for the engine alone (rounds inside a batch, no log),
and the time for 1000 actors × 20 rounds (target < 10 s on two cores). Scenarios are random, with a
fixed seed; every run uses the model's default options. Times are the best of several runs, after
one run that compiles the kernel (or loads it from numba's cache). The kernel uses no BLAS, so
OPENBLAS_NUM_THREADS and the like make no difference; NUMBA_NUM_THREADS sets the batch threads.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bdm_loop import simulate
from stakes.models.base import IssueBatch
from stakes.models.bdm import ExpectedUtility
from stakes.models.bdm_engine import using
from stakes.scenario.model import Issue, IssueData

SCALE = (0.0, 100.0)


def random_issue(n: int, seed: int = 1) -> IssueData:
    """n actors with random positions, saliences and capabilities on a 0–100 scale."""
    rng = np.random.default_rng(seed)
    return IssueData(
        issue=Issue("bench", "Benchmark issue", "low", "high", SCALE),
        actor_ids=tuple(f"actor{k:04d}" for k in range(n)),
        position=rng.uniform(*SCALE, size=n),
        salience=rng.uniform(0.05, 1.0, size=n),
        capability=rng.uniform(1.0, 100.0, size=n),
    )


def time_compiled(data: IssueData, rounds: int, repeats: int) -> tuple[float, int]:
    """Best wall time of ``repeats`` whole runs (``solve``), and the rounds each run played."""
    model = ExpectedUtility(rounds=rounds, tolerance=0.0)
    played = model.solve(data, np.random.default_rng(0)).rounds  # compiles or loads the kernel
    best = min(_timed(lambda: model.solve(data, np.random.default_rng(0))) for _ in range(repeats))
    return best, played


def time_engine(data: IssueData, rounds: int, draws: int = 200) -> float:
    """Seconds per round of the engine alone: ``draws`` copies of the issue in one batch."""
    model = ExpectedUtility(rounds=rounds, tolerance=0.0)
    copies = IssueBatch(data.issue, data.actor_ids, *(np.tile(a, (draws, 1)) for a in
                                                      (data.position, data.salience, data.capability)))
    result = model.solve_batch(copies, np.arange(draws))
    best = min(_timed(lambda: model.solve_batch(copies, np.arange(draws))) for _ in range(5))
    return best / int(result.rounds.sum())


def time_loop(data: IssueData, rounds: int) -> tuple[float, int]:
    """Wall time of one loop-version run, and the rounds it played."""
    start = time.perf_counter()
    run = simulate(data.position.tolist(), data.salience.tolist(), data.capability.tolist(),
                   list(data.actor_ids), SCALE, rounds=rounds, tolerance=0.0)
    return time.perf_counter() - start, len(run.positions) - 1


def _timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> None:
    print("rounds per second, whole runs (default options)")
    print(f"{'actors':>7} {'compiled':>12} {'loop':>10}")
    for n, loop_rounds in ((10, 10), (100, 2), (1000, 0)):
        seconds, played = time_compiled(random_issue(n), rounds=10, repeats=20 if n < 1000 else 1)
        loop = "-"
        if loop_rounds:
            loop_seconds, loop_played = time_loop(random_issue(n), loop_rounds)
            loop = f"{loop_played / loop_seconds:10.1f}"
        print(f"{n:>7} {played / seconds:12.1f} {loop:>10}")

    data = random_issue(20)
    seconds, played = time_compiled(data, rounds=10, repeats=50)
    loop_seconds, loop_played = min(time_loop(data, rounds=10) for _ in range(2))
    assert played == loop_played, "both versions must play the same rounds"
    loop_round = loop_seconds / played
    print(f"\nspeed-up at 20 actors, whole run of {played} rounds: {loop_seconds / seconds:.0f}× "
          f"(compiled {seconds / played * 1e6:.0f} µs/round, loop {loop_round * 1e3:.1f} ms/round)  "
          "[target ≥ 100×]")
    engine = time_engine(data, rounds=10)
    print(f"speed-up at 20 actors, engine alone (rounds in a batch, no log): {loop_round / engine:.0f}× "
          f"({engine * 1e6:.1f} µs/round)")

    seconds, played = time_compiled(random_issue(1000), rounds=20, repeats=1)
    print(f"1000 actors × {played} rounds: {seconds:.2f} s  [target < 10 s]")


if __name__ == "__main__":
    with using("compiled"):  # the steady state; benchmarks/bench_first_run.py measures the first run
        main()
