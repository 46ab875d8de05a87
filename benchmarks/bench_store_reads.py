"""Cost of reading the scenario store: listing from summary columns, and reading a scenario from the
parse cache, against parsing the stored text every time (what every read did before).

Run as ``python benchmarks/bench_store_reads.py [--scenarios 3] [--actors 500]``. A fresh SQLite
store holds ``--scenarios`` scenarios of ``--actors`` actors on two issues (each number with a range
and a basis, as an edited scenario has), then, in one run, best of five each:

* listing: :meth:`ScenarioStore.list` (summary columns) against parsing every stored text;
* reading one scenario: :meth:`ScenarioStore.get` from a second store on the same database (the
  first read parses, as after a restart or a save by another server) against later reads (cached).

It prints each time and the ratios; the cached reads should be orders of magnitude cheaper.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from stakes.corpus import Corpus
from stakes.corpus.scenarios import ScenarioStore
from stakes.corpus.schema import ScenarioRow
from stakes.scenario import io
from stakes.scenario.model import Actor, Estimate, Issue, Scenario, Stance


def big_scenario(actors: int, index: int) -> Scenario:
    """``actors`` actors on two issues, every number uncertain with a stated basis."""
    issues = tuple(Issue(f"issue_{k}", f"Issue {k}", "low end", "high end", (0.0, 100.0)) for k in (1, 2))
    out = []
    for a in range(actors):
        position = 10 + (a * 37 + index) % 80
        stances = {issue.id: Stance(Estimate(position, position - 5, position + 5, basis="estimated from reporting"),
                                    Estimate(0.5, 0.3, 0.7, basis="estimated from reporting")) for issue in issues}
        out.append(Actor(f"actor_{a}", f"Actor {a}", "other", Estimate(10 + a % 50, 5, 80, basis="size"), stances))
    return Scenario(title=f"Benchmark scenario {index}", issues=issues, actors=tuple(out))


def best(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", type=int, default=3)
    parser.add_argument("--actors", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, Corpus.open(Path(folder) / "store.sqlite") as corpus:
        store = ScenarioStore(corpus.engine)
        for k in range(args.scenarios):
            store.create(big_scenario(args.actors, k), "bench", f"bench-{k}")
        with corpus.engine.connect() as conn:
            texts = conn.execute(select(ScenarioRow.id, ScenarioRow.content)).all()
        size = sum(len(text) for _, text in texts)
        print(f"{args.scenarios} scenarios of {args.actors} actors × 2 issues, {size / 1e6:.1f} M characters stored")

        listing = best(store.list)
        parsing = best(lambda: [io.loads(text) for _, text in texts], repeat=2)
        print(f"list (summary columns):       {listing * 1e3:9.2f} ms")
        print(f"parse every stored scenario:  {parsing * 1e3:9.2f} ms   ({parsing / listing:,.0f}× the listing)")

        reader = ScenarioStore(corpus.engine)
        start = time.perf_counter()
        reader.get("bench-0")
        first = time.perf_counter() - start
        cached = best(lambda: reader.get("bench-0"))
        print(f"get, first read (parses):     {first * 1e3:9.2f} ms")
        print(f"get, unchanged (cached):      {cached * 1e3:9.2f} ms   ({first / cached:,.0f}× faster)")


if __name__ == "__main__":
    main()
