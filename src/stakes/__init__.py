"""stakes: from reporting on a negotiation to an executable model of its actors and a forecast.

The flow is scenario → forecast → report::

    import stakes
    sc = stakes.load("rafah-2024")          # a bundled scenario, or a path to YAML/JSON/CSV
    fc = stakes.forecast(sc, model="bdm")   # any name in stakes.MODELS
    fc.outcomes, fc.trajectory              # predicted outcome per issue; tidy DataFrame of rounds
"""

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

__all__ = [
    "MODELS", "Actor", "BargainingModel", "Estimate", "Forecast", "Issue", "ModelError", "Scenario",
    "ScenarioError", "StakesError", "Stance", "bundled_scenarios", "dumps", "forecast", "load", "loads",
    "save",
]
