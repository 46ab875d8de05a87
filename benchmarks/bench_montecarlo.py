"""Speed of Monte Carlo runs: draws per second, and time growing linearly with the number of draws.

Run as ``python benchmarks/bench_montecarlo.py``. One random issue with 20 actors, every number
uncertain, the expected-utility model with up to 20 rounds, through
:func:`stakes.uncertainty.monte_carlo` for 1,000, 10,000 and 20,000 draws, in this process and with
two worker processes (whose start-up is part of their time, as it is for a user); best of two runs
each. A straight line through the three times gives the fixed cost and the cost per draw; the time
is linear in the draws when the time per draw stays the same from the smallest run to the largest.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from stakes.models.bdm_engine import using
from stakes.scenario.model import Actor, Estimate, Issue, Scenario, Stance
from stakes.uncertainty import monte_carlo

DRAWS = (1_000, 10_000, 20_000)
MODEL = ("bdm", {"rounds": 20, "tolerance": 0.0})


def random_scenario(n: int = 20, seed: int = 1) -> Scenario:
    """n actors on one 0–100 issue; positions, saliences and capabilities each with a range."""
    rng = np.random.default_rng(seed)
    issue = Issue("bench", "Benchmark issue", "low", "high", (0.0, 100.0))
    actors = []
    for k in range(n):
        position = rng.uniform(10, 90)
        salience = rng.uniform(0.2, 0.9)
        capability = rng.uniform(5, 100)
        actors.append(Actor(
            f"actor{k:02d}", f"Actor {k}", "other",
            Estimate(capability, capability * 0.8, capability * 1.2),
            {"bench": Stance(Estimate(position, position - 10, position + 10, "triangular"),
                             Estimate(salience, salience - 0.1, salience + 0.1, "normal"))}))
    return Scenario(title="benchmark", issues=(issue,), actors=tuple(actors))


def timed(scenario: Scenario, draws: int, workers: int, repeats: int = 2) -> tuple[float, float]:
    """Best wall time of ``repeats`` runs, and the mean number of rounds the draws played."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        run = monte_carlo(scenario, [MODEL], draws=draws, seed=0, workers=workers)
        best = min(best, time.perf_counter() - start)
    return best, float(run.results[("bdm", "bench")]["rounds"].mean())


def main() -> None:
    scenario = random_scenario()
    monte_carlo(scenario, [MODEL], draws=100, seed=0)  # compile or load the model's kernel first
    print(f"20 actors, bdm up to 20 rounds (tolerance 0); {np.__name__} {np.__version__}")
    print(f"{'workers':>7} {'draws':>7} {'seconds':>8} {'draws/s':>9} {'ms/draw':>8} {'rounds':>7}")
    for workers in (1, 2):
        times = []
        for draws in DRAWS:
            seconds, rounds = timed(scenario, draws, workers)
            times.append(seconds)
            print(f"{workers:>7} {draws:>7,} {seconds:8.2f} {draws / seconds:9,.0f} {seconds / draws * 1e3:8.3f} "
                  f"{rounds:7.1f}")
        slope, fixed = np.polyfit(DRAWS, times, 1)
        growth = (times[-1] / DRAWS[-1]) / (times[0] / DRAWS[0])
        print(f"{'':>7} linear fit: {fixed:.2f} s fixed + {slope * 1e3:.3f} ms per draw; time per draw at "
              f"{DRAWS[-1]:,} draws is {growth:.2f}× that at {DRAWS[0]:,} (1 = linear)")


if __name__ == "__main__":
    with using("compiled"):  # the steady state; benchmarks/bench_first_run.py measures the first run
        main()
