"""Scenarios: the data model, its canonical file format, validation and CSV layouts."""

from stakes.scenario.io import DEFAULT_SCENARIO, bundled_scenarios, dumps, load, loads, save
from stakes.scenario.model import Actor, Estimate, Issue, IssueData, Scenario, Source, Stance

__all__ = [
    "DEFAULT_SCENARIO", "Actor", "Estimate", "Issue", "IssueData", "Scenario", "Source", "Stance",
    "bundled_scenarios", "dumps", "load", "loads", "save",
]
