"""The one timer the benchmarks share: best of a few calls, wall and CPU seconds."""

from __future__ import annotations

import time
from collections.abc import Callable


def best_time(action: Callable[[], object], repeats: int = 2) -> tuple[float, float]:
    """Wall and CPU seconds (all threads) of the fastest of ``repeats`` calls."""
    best = (float("inf"), float("inf"))
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        action()
        best = min(best, (time.perf_counter() - wall, time.process_time() - cpu))
    return best
