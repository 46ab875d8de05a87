"""Sensitivity: one-at-a-time sweeps through the batch interface, and Sobol' indices."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

import stakes
from stakes.errors import StakesError
from stakes.models.compromise import WeightedMean
from stakes.uncertainty.sampling import BLOCK
from stakes.uncertainty.sensitivity import MODEL_SEED, OAT_COLUMNS, issue_inputs, one_at_a_time, sobol
from tests.conftest import DATA
from tests.uncertain import harbour

DOMINANT = """
stakes: 1
title: one actor decides
issues: [{id: x, name: X, low: a, high: b}]
actors:
  - {id: boss, name: Boss, kind: other, capability: {value: 90, range: [85, 95]},
     stances: {x: {position: {value: 50, range: [10, 90]}, salience: {value: 0.9, range: [0.85, 0.95]}}}}
  - {id: aide, name: Aide, kind: other, capability: {value: 10, range: [8, 12]},
     stances: {x: {position: {value: 40, range: [38, 42]}, salience: {value: 0.5, range: [0.45, 0.55]}}}}
  - {id: critic, name: Critic, kind: other, capability: {value: 5, range: [4, 6]},
     stances: {x: {position: {value: 80, range: [78, 82]}, salience: {value: 0.5, range: [0.4, 0.6]}}}}
"""

ADDITIVE = """
stakes: 1
title: positions only
issues: [{id: x, name: X, low: a, high: b}]
actors:
  - {id: a, name: A, kind: other, capability: 40, stances: {x: {position: {value: 20, range: [0, 40]}, salience: 1}}}
  - {id: b, name: B, kind: other, capability: 20, stances: {x: {position: {value: 60, range: [50, 70]}, salience: 1}}}
  - {id: c, name: C, kind: other, capability: 10, stances: {x: {position: {value: 90, range: [80, 100]},
     salience: 0.5}}}
"""


class CountingMean(WeightedMean):
    """The weighted mean, counting batch calls and the rows each held."""

    def __init__(self):
        super().__init__()
        self.batches: list[int] = []

    def solve_batch(self, batch, seeds):
        self.batches.append(batch.draws)
        return super().solve_batch(batch, seeds)


@pytest.mark.parametrize("model", ["mean", "median", "bdm"])
def test_the_input_that_obviously_dominates_ranks_first(model):
    table = one_at_a_time(stakes.loads(DOMINANT), model)
    assert table.iloc[0]["input"] == "boss.x.position"
    assert table.iloc[0]["swing"] > 2 * table.iloc[1]["swing"]


def test_columns_rows_and_order():
    sc = harbour()
    table = one_at_a_time(sc, "nash")
    assert list(table.columns) == OAT_COLUMNS
    fees, hours = table[table["issue"] == "fees"], table[table["issue"] == "hours"]
    assert list(table["issue"]) == ["fees"] * len(fees) + ["hours"] * len(hours)
    assert list(fees["swing"]) == sorted(fees["swing"], reverse=True)
    # a capability belongs to every issue the actor takes a stance on; exact numbers are not swept
    assert "council.capability" in set(fees["input"]) and "council.capability" in set(hours["input"])
    assert "residents.capability" in set(hours["input"]) and "residents.capability" not in set(fees["input"])
    assert "fees.status_quo" in set(fees["input"]) and "fees.status_quo" not in set(hours["input"])
    assert "shipping.capability" not in set(table["input"]) and "council.hours.position" not in set(table["input"])
    assert set(fees["input"]) == {item.key for item in issue_inputs(sc, "fees")}
    assert np.allclose(table["swing"], table["outcome_max"] - table["outcome_min"])
    assert (table["outcome_min"] <= table["base_outcome"] + 1e-12).all()
    assert (table["outcome_max"] >= table["base_outcome"] - 1e-12).all()


def test_the_ends_of_a_sweep_match_a_forecast_with_the_input_there():
    sc = harbour()
    table = one_at_a_time(sc, "bdm", issues=["fees"]).set_index("input")
    council = sc.actor("council")
    for end in ("low", "high"):
        value = getattr(council.capability, end)
        changed = replace(sc, actors=tuple(replace(a, capability=a.capability.with_value(value))
                                           if a.id == "council" else a for a in sc.actors))
        expected = stakes.forecast(changed, "bdm", issues=["fees"]).outcomes["fees"]
        assert table.loc["council.capability", f"outcome_{end}"] == pytest.approx(expected, abs=1e-9)
    assert table["base_outcome"].iloc[0] == pytest.approx(stakes.forecast(sc, "bdm").outcomes["fees"], abs=1e-9)


def test_every_sweep_of_an_issue_is_one_batch():
    model = CountingMean()
    table = one_at_a_time(harbour(), model, points=7)
    counts = table.groupby("issue", sort=False).size()
    assert model.batches == [1 + 8 * n for n in counts]  # base row, then 7 points and the value per input


def test_bad_arguments_are_clear_errors():
    with pytest.raises(StakesError, match="at least 2 points"):
        one_at_a_time(harbour(), "mean", points=1)
    with pytest.raises(StakesError, match="no issue 'harbour'"):
        one_at_a_time(harbour(), "mean", issues=["harbour"])
    with pytest.raises(StakesError, match="power of two"):
        sobol(harbour(), "mean", issue="fees", base_samples=100)
    with pytest.raises(StakesError, match="name the issue"):
        sobol(harbour(), "mean")


def test_sobol_indices_of_an_additive_model_match_the_analytic_shares():
    """Only positions vary and the mean model is linear in them: S1 = ST = w²·var / Σ w²·var."""
    table = sobol(stakes.loads(ADDITIVE), "mean", base_samples=1024, seed=1).set_index("input")
    weight = np.array([40.0, 20.0, 5.0])
    variance = np.array([40.0, 20.0, 20.0]) ** 2 / 12
    share = weight**2 * variance / np.sum(weight**2 * variance)
    for key, expected in zip(["a.x.position", "b.x.position", "c.x.position"], share):
        assert table.loc[key, "S1"] == pytest.approx(expected, abs=0.03)
        assert table.loc[key, "ST"] == pytest.approx(expected, abs=0.03)
        assert table.loc[key, "S1_conf"] < 0.1
    assert table["S1"].sum() == pytest.approx(1.0, abs=0.03)
    assert table["ST"].sum() == pytest.approx(1.0, abs=0.03)


def test_sobol_ranks_the_dominant_input_first_and_is_reproducible():
    sc = stakes.loads(DOMINANT)
    a = sobol(sc, "bdm", base_samples=128, seed=4)
    b = sobol(sc, "bdm", base_samples=128, seed=4)
    assert a.equals(b)
    assert list(a.columns) == ["input", "S1", "S1_conf", "ST", "ST_conf"]
    assert a.iloc[0]["input"] == "boss.x.position" and a.iloc[0]["ST"] > 0.5


def test_sobol_evaluates_through_batches_of_at_most_one_block():
    model = CountingMean()
    sc = harbour()
    sobol(sc, model, issue="hours", base_samples=256)
    d = len(issue_inputs(sc, "hours"))
    assert sum(model.batches) == 256 * (d + 2) and max(model.batches) <= BLOCK


def test_an_issue_without_uncertainty_has_nothing_to_attribute():
    from tests.conftest import make_scenario

    with pytest.raises(StakesError, match="no number with an uncertainty range"):
        sobol(make_scenario([10, 50, 90], [1, 1, 1], [1, 2, 3]), "mean")
    assert one_at_a_time(make_scenario([10, 50, 90], [1, 1, 1], [1, 2, 3]), "mean").empty


def test_a_model_that_links_issues_is_swept_with_all_its_issues_as_forecast_solves_them():
    scenario = stakes.load(str(DATA / "harbour.yaml"))
    table = one_at_a_time(scenario, "smp", points=2)
    linked = stakes.forecast(scenario, "smp", seed=MODEL_SEED).outcomes
    alone = {i.id: stakes.forecast(replace(scenario, issues=(i,)), "smp", seed=MODEL_SEED).outcomes[i.id]
             for i in scenario.issues}
    base = table.groupby("issue").base_outcome.first().to_dict()
    assert base == pytest.approx(linked)
    assert base["fees"] != pytest.approx(alone["fees"])  # linking matters on this scenario
