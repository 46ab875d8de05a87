"""Speed of the expected-utility model: vectorised engine against the plain-Python loop version.

Run as ``python benchmarks/bench_bdm.py``. Prints rounds per second for 10, 100 and 1000 actors,
the speed-up over the loop version at 20 actors (target ≥ 100×), both for whole runs (with the
challenge log and the outcome of every round) and for the round computation alone, and the time for
1000 actors × 20 rounds (target < 10 s on two cores). Scenarios are random, with a fixed seed; every
run uses the model's default options.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bdm_loop import play_round, simulate
from stakes.models.bdm import ExpectedUtility
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


def time_vectorised(data: IssueData, rounds: int, repeats: int) -> tuple[float, int]:
    """Best wall time of ``repeats`` runs, and the rounds each run played."""
    model = ExpectedUtility(rounds=rounds, tolerance=0.0)
    best, played = float("inf"), 0
    for _ in range(repeats):
        start = time.perf_counter()
        result = model.solve(data, np.random.default_rng(0))
        best = min(best, time.perf_counter() - start)
        played = result.rounds
    return best, played


def time_loop(data: IssueData, rounds: int) -> tuple[float, int]:
    """Wall time of one loop-version run, and the rounds it played."""
    start = time.perf_counter()
    run = simulate(data.position.tolist(), data.salience.tolist(), data.capability.tolist(),
                   list(data.actor_ids), SCALE, rounds=rounds, tolerance=0.0)
    return time.perf_counter() - start, len(run.positions) - 1


def time_rounds(data: IssueData, repeats: int) -> tuple[float, float]:
    """Best time of one round's computation, vectorised and loop version, from the same positions."""
    model = ExpectedUtility()
    vectorised = min(_timed(lambda: model.round_details(data)) for _ in range(repeats))
    weight = (data.capability * data.salience).tolist()
    options = {name: value for name, value in model.get_params().items()
               if name in ("probability", "resist_salience", "acceptance", "status_quo_probability",
                           "improvement_probability")}
    loop = min(_timed(lambda: play_round(data.position.tolist(), data.salience.tolist(), weight,
                                         list(data.actor_ids), data.issue.width, None, options))
               for _ in range(3))
    return vectorised, loop


def _timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> None:
    print("rounds per second (default options)")
    print(f"{'actors':>7} {'vectorised':>12} {'loop':>10}")
    for n, loop_rounds in ((10, 10), (100, 2), (1000, 0)):
        seconds, played = time_vectorised(random_issue(n), rounds=10, repeats=5 if n < 1000 else 1)
        loop = "-"
        if loop_rounds:
            loop_seconds, loop_played = time_loop(random_issue(n), loop_rounds)
            loop = f"{loop_played / loop_seconds:10.1f}"
        print(f"{n:>7} {played / seconds:12.1f} {loop:>10}")

    data = random_issue(20)
    seconds, played = time_vectorised(data, rounds=10, repeats=20)
    loop_seconds, loop_played = time_loop(data, rounds=10)
    assert played == loop_played, "both versions must play the same rounds"
    print(f"\nspeed-up at 20 actors, whole run of {played} rounds: {loop_seconds / seconds:.0f}× "
          f"(vectorised {seconds / played * 1e6:.0f} µs/round, loop {loop_seconds / played * 1e3:.1f} "
          "ms/round)  [target ≥ 100×]")
    vectorised, loop = time_rounds(data, repeats=50)
    print(f"speed-up at 20 actors, one round's computation: {loop / vectorised:.0f}× "
          f"(vectorised {vectorised * 1e6:.0f} µs, loop {loop * 1e3:.1f} ms)")

    seconds, played = time_vectorised(random_issue(1000), rounds=20, repeats=1)
    print(f"1000 actors × {played} rounds: {seconds:.2f} s  [target < 10 s]")


if __name__ == "__main__":
    main()
