"""Speed of the Spatial Model of Politics on KTAB's 40-, 80- and 160-actor dummy scenarios.

Run as ``python benchmarks/bench_smp.py [--smpc PATH] [--ktab-turns N]``. Prints, per scenario, the
turns stakes plays and its time per turn. Given a built KTAB ``smpc`` (``--smpc`` or the environment
variable ``STAKES_KTAB_SMPC``), it also runs smpc on the same CSV file as KTAB's regression suite does
(``--logmin``, SQLite), times its first ``--ktab-turns`` turns from its log's time stamps (a KTAB
turn costs O(actors⁴), so whole runs of the large scenarios take hours), times stakes on the same
turns, and prints the speed-up (KTAB's time ÷ stakes' time; ≥ 1 means stakes is at least as fast).
When smpc finishes its whole run, the benchmark also says whether the ``Fractional|prob :`` lines of
the two runs are identical. The scenarios are read from ``../shared/data/ktab`` (or ``--data``).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import stakes
from stakes.models.smp import SpatialModel
from stakes.models.smp import engine as E

REPO = Path(__file__).resolve().parents[1]
SIZES = (40, 80, 160)
LOGGER = """* GLOBAL:
    FORMAT = "%datetime{%H:%m:%s.%g} %msg"
    FILENAME = "smpc-%datetime{%Y-%M-%d__%H-%m-%s}_GMT_log.txt"
    ENABLED = true
    TO_FILE = true
    TO_STANDARD_OUTPUT = false
    SUBSECOND_PRECISION = 3
"""
TURN = "Starting Model::run iteration"


def stakes_run(path: Path, rounds: int | None = None) -> tuple[float, E.Run, list[str]]:
    """Seconds for a stakes forecast of the scenario (every issue linked), the run, the actor ids."""
    scenario = stakes.load(path)
    model = SpatialModel() if rounds is None else SpatialModel(rounds=rounds)
    datas = [scenario.issue_data(issue.id) for issue in scenario.issues]
    start = time.perf_counter()
    space = model.prepare(datas)
    run = E.run(space.start[space.active], space.actors, model.settings, np.random.default_rng(0), model.rounds,
                model.target)
    return time.perf_counter() - start, run, [a.id for a in scenario.actors]


def ktab_run(smpc: Path, path: Path, turns: int) -> tuple[float, int, list[str] | None]:
    """smpc's seconds per turn over its first ``turns`` turns (or all, if fewer), the turns timed,
    and the lines its regression suite compares (``None`` when the run was cut short)."""
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "smpc-logger.conf").write_text(LOGGER, encoding="utf-8")
        command = [str(smpc), "--logmin", "--csv", str(path.resolve()),
                   "--connstr", "Driver=QSQLITE;Database=bench"]
        process = subprocess.Popen(command, cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while True:
                finished = process.poll() is not None
                logs = list(Path(folder).glob("smpc-*_log.txt"))
                lines = logs[0].read_text(encoding="utf-8", errors="replace").splitlines() if logs else []
                starts = [_clock(line) for line in lines if TURN in line]
                if finished or len(starts) > turns:
                    break
                time.sleep(0.2)
        finally:
            if process.poll() is None:
                process.terminate()
                process.wait()
    if len(starts) > turns:
        seconds, timed = (starts[turns] - starts[0]) / turns, turns
    else:
        end = _clock(next(line for line in reversed(lines) if "Fractional change" in line))
        seconds, timed = (end - starts[0]) / len(starts), len(starts)
    compared = [line.split(" ", 1)[1] for line in lines if re.search("Fractional|prob :", line)]
    return seconds, timed, compared if finished else None


def _clock(line: str) -> float:
    """Seconds since midnight of a log line's time stamp."""
    stamp = datetime.strptime(line.split(" ", 1)[0], "%H:%M:%S.%f")
    return stamp.hour * 3600 + stamp.minute * 60 + stamp.second + stamp.microsecond / 1e6


def compared_lines(run: E.Run, ids: list[str]) -> list[str]:
    """The lines KTAB's regression suite compares, as stakes would print them."""
    out = [f"Fractional change compared to first step: {r:.4f}  (target=0.0200) " for r in run.ratios]
    history = np.array([d.by_actor for d in run.distributions])
    return out + [f"{a}, prob :" + "".join(f" {p:.4f}" for p in history[:, k]) + " " for k, a in enumerate(ids)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smpc", type=Path, default=os.environ.get("STAKES_KTAB_SMPC"),
                        help="a built KTAB smpc executable (default: $STAKES_KTAB_SMPC)")
    parser.add_argument("--ktab-turns", type=int, default=2, help="KTAB turns to time per scenario")
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "ktab")
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    args = parser.parse_args()
    print(f"stakes SMP on KTAB's dummy scenarios ({os.cpu_count()} CPUs); times per turn")
    for size in args.sizes:
        path = args.data / f"dummyData-a{size:03d}.csv"
        seconds, run, ids = stakes_run(path)
        turns = len(run.turns)
        line = f"{size:4d} actors: stakes {turns:3d} turns, {1000 * seconds / turns:8.1f} ms/turn"
        if args.smpc:
            ktab, timed, theirs = ktab_run(args.smpc, path, args.ktab_turns)
            ours, _, _ = stakes_run(path, rounds=timed)
            line += (f" | first {timed} turns: KTAB {1000 * ktab:9.1f} ms/turn, "
                     f"stakes {1000 * ours / timed:8.1f} ms/turn, speed-up {ktab * timed / ours:6.1f}x")
            if theirs is not None:
                same = theirs == compared_lines(run, ids)
                line += f" | Fractional|prob lines identical: {'yes' if same else 'no'}"
        print(line, flush=True)


if __name__ == "__main__":
    main()
