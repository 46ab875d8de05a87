"""What-ifs side by side: the baseline and each what-if through the same models and the same draws.

Every variant is run with the same seed, and each input has its own random stream (see
:mod:`stakes.uncertainty.sampling`), so draw ``i`` of a what-if uses the same values as draw ``i`` of
the baseline for every number the what-if leaves alone: differences between the distributions come
from the changes, not from resampling.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from stakes.errors import StakesError
from stakes.forecast import Forecast, forecast
from stakes.scenario.model import Scenario
from stakes.uncertainty.montecarlo import (
    Event,
    ModelSpec,
    MonteCarlo,
    monte_carlo,
    with_deal_events,
)
from stakes.whatif import WhatIf

BASELINE = "baseline"
BASELINE_TITLE = "Baseline: the scenario as written"


@dataclass
class Comparison:
    """Monte Carlo runs and point forecasts of the baseline and each what-if.

    ``runs`` and ``forecasts`` are keyed ``"baseline"`` first, then by what-if id, in the order
    given. After Ctrl-C they hold the variants finished (the last one possibly with fewer draws).
    """

    scenario: Scenario
    whatifs: list[WhatIf]
    runs: dict[str, MonteCarlo]
    forecasts: dict[str, list[Forecast]]
    events: list[Event]
    draws: int

    @property
    def complete(self) -> bool:
        """True when every variant ran all its draws."""
        return len(self.runs) == 1 + len(self.whatifs) and all(run.complete for run in self.runs.values())

    def title(self, variant: str) -> str:
        return BASELINE_TITLE if variant == BASELINE else next(w.title for w in self.whatifs if w.id == variant)

    def table(self) -> pd.DataFrame:
        """One row per (variant, model, issue): point forecast, mean and 5/50/95% quantiles of the outcome.

        Each event adds a column ``P(<event>)`` with its probability on the rows of the event's issue
        (empty on the other rows, and for a deal event under a model that applies no decision rule).
        """
        rows = []
        for variant, run in self.runs.items():
            for model, point in zip(run.models, self.forecasts[variant]):
                for issue in run.issues:
                    x = run.outcomes(model, issue)
                    q05, q50, q95 = np.quantile(x, (0.05, 0.5, 0.95))
                    row = {"variant": variant, "title": self.title(variant), "model": model, "issue": issue,
                           "forecast": point.outcomes[issue], "mean": float(x.mean()), "q05": q05, "q50": q50,
                           "q95": q95}
                    for event in self.events:
                        hits = run.hits(event, model) if event.issue == issue else None
                        row[f"P({event})"] = np.nan if hits is None else float(hits.mean())
                    rows.append(row)
        columns = ["variant", "title", "model", "issue", "forecast", "mean", "q05", "q50", "q95"]
        return pd.DataFrame(rows, columns=columns + [f"P({event})" for event in self.events])


def compare(scenario: Scenario, whatifs: Sequence[WhatIf], models: Sequence[str | ModelSpec] = ("bdm",),
            draws: int = 1000, seed: int = 0, events: Sequence[Event | str] = (), workers: int = 1,
            cluster: str | None = None, progress: Callable[[int, int], None] | None = None) -> Comparison:
    """Run the baseline and every what-if through ``models``: a point forecast and ``draws`` Monte Carlo draws.

    Arguments are as for :func:`~stakes.uncertainty.montecarlo.monte_carlo`; ``progress(done, total)``
    counts draws over all variants. ``events`` gain ``deal on ISSUE`` for every issue whose decision
    rule may keep the status quo (:func:`~stakes.uncertainty.montecarlo.with_deal_events`). Every what-if is applied (and checked) before any model runs. On
    Ctrl-C the variants finished so far are kept (``complete`` is then false).
    """
    specs = [(m, {}) if isinstance(m, str) else (m[0], dict(m[1])) for m in models]
    parsed = with_deal_events(scenario, [Event.parse(e) if isinstance(e, str) else e for e in events])
    issue_ids = [i.id for i in scenario.issues]
    for event in parsed:
        if event.issue not in issue_ids:
            raise StakesError(f"event {str(event)!r} names no issue of the scenario; issues: {', '.join(issue_ids)}")
    ids = [w.id for w in whatifs]
    for k, ident in enumerate(ids):
        if ident == BASELINE or ident in ids[:k]:
            raise StakesError(f"what-if id {ident!r} is {'reserved' if ident == BASELINE else 'used twice'}; "
                              "give every what-if its own id")
    variants = {BASELINE: scenario} | {w.id: w.apply(scenario) for w in whatifs}
    result = Comparison(scenario=scenario, whatifs=list(whatifs), runs={}, forecasts={}, events=parsed, draws=draws)
    total = draws * len(variants)
    for k, (variant, sc) in enumerate(variants.items()):
        def report(done: int, _: int, offset: int = k * draws) -> None:
            if progress is not None:
                progress(offset + done, total)

        try:
            points = [forecast(sc, name, seed=seed, **params) for name, params in specs]
            run = monte_carlo(sc, specs, draws, seed, workers=workers, cluster=cluster, progress=report)
        except KeyboardInterrupt:
            if not result.runs:
                raise
            break
        result.runs[variant], result.forecasts[variant] = run, points
        if not run.complete:
            break
    return result
