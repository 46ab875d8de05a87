"""stakes: from reporting on a negotiation to an executable model of its actors and a forecast.

The flow is scenario → forecast → report::

    import stakes
    sc = stakes.load("rafah-2024")          # a bundled scenario, or a path to YAML/JSON/CSV
    fc = stakes.forecast(sc, model="bdm")   # any name in stakes.MODELS
    fc.outcomes, fc.trajectory              # predicted outcome per issue; tidy DataFrame of rounds
    mc = stakes.monte_carlo(sc, ["bdm", "veto"])  # how sure: 1000 draws of the estimates' ranges
    rep = stakes.build_report(sc)           # forecasts, Monte Carlo, sensitivity and what-ifs in one run
    stakes.write_html(rep, "rafah.html")    # or stakes.write_markdown(rep, "rafah.md")

The uncertainty and report functions load SciPy and the chart libraries, so they are imported on
first use: ``import stakes`` stays quick for a single forecast.
"""

from importlib import import_module

from stakes.errors import ModelError, ScenarioError, StakesError
from stakes.forecast import Forecast, forecast
from stakes.models import MODELS, BargainingModel
from stakes.scenario import (
    Actor,
    Estimate,
    Issue,
    Scenario,
    Stance,
    bundled_scenarios,
    dumps,
    load,
    loads,
    save,
)

__version__ = "0.1.0"

_LAZY = {
    "monte_carlo": "stakes.uncertainty", "compare": "stakes.uncertainty", "WhatIf": "stakes.whatif",
    "build_report": "stakes.report", "write_html": "stakes.report", "write_markdown": "stakes.report",
}
"""Names of the top-level flow that live in heavier modules, imported when first used."""


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'stakes' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "MODELS", "Actor", "BargainingModel", "Estimate", "Forecast", "Issue", "ModelError", "Scenario",
    "ScenarioError", "StakesError", "Stance", "WhatIf", "build_report", "bundled_scenarios", "compare",
    "dumps", "forecast", "load", "loads", "monte_carlo", "save", "write_html", "write_markdown",
]
