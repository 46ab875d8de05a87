"""Known answers of the one-shot models: weighted mean, weighted median, Nash bargaining."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

import stakes
from stakes.models.base import weighted_median
from tests.conftest import DATA, make_scenario


def test_weighted_mean_is_capability_times_salience_weighted():
    sc = make_scenario([0, 100, 40], [1.0, 0.5, 0.25], [10, 20, 40])
    w = np.array([10, 10, 10])
    assert stakes.forecast(sc, "mean").outcomes["x"] == pytest.approx(np.dot([0, 100, 40], w) / w.sum())


def test_weighted_median_follows_the_heavier_side():
    # weights 48, 27, 15, 4 at 70, 10, 20, 50: 70 holds more than half of 94
    sc = make_scenario([70, 10, 20, 50], [0.8, 0.9, 0.6, 0.2], [60, 30, 25, 20])
    assert stakes.forecast(sc, "median").outcomes["x"] == 70


def test_weighted_median_splits_an_exact_tie_at_the_midpoint():
    assert weighted_median(np.array([10.0, 30.0]), np.array([1.0, 1.0])) == 20.0
    assert weighted_median(np.array([30.0, 10.0, 50.0]), np.array([1.0, 1.0, 0.0])) == 20.0


def test_weighted_median_ignores_weightless_positions():
    assert weighted_median(np.array([0.0, 60.0, 100.0]), np.array([0.0, 1.0, 0.0])) == 60.0


def test_median_beats_every_other_position_in_a_pairwise_vote():
    rng = np.random.default_rng(5)
    x, w = rng.uniform(0, 100, 9), rng.uniform(0.1, 1, 9)
    m = weighted_median(x, w)
    for y in np.linspace(0, 100, 101):
        closer_to_m = w[np.abs(x - m) < np.abs(x - y)].sum()
        closer_to_y = w[np.abs(x - y) < np.abs(x - m)].sum()
        assert closer_to_m >= closer_to_y


@pytest.mark.parametrize("w1,w2", [(1, 1), (3, 1), (1, 4)])
def test_linear_nash_between_two_extremes_splits_by_weight(w1, w2):
    sc = make_scenario([0, 100], [1, 1], [w1, w2])
    assert stakes.forecast(sc, "nash").outcomes["x"] == pytest.approx(100 * w2 / (w1 + w2), abs=1e-8)


def test_quadratic_nash_maximises_the_weighted_nash_product():
    sc = make_scenario([10, 35, 90], [0.9, 0.5, 0.7], [30, 50, 20])
    x = stakes.forecast(sc, "nash", utility="quadratic").outcomes["x"]
    data = sc.issue_data("x")
    w = data.capability * data.salience

    def log_product(y):
        return np.dot(w, np.log(1 - ((y - data.position) / 100) ** 2))

    grid = np.linspace(0, 100, 20001)
    assert log_product(x) >= max(log_product(y) for y in grid) - 1e-9


def test_nash_with_status_quo_disagreement_and_no_better_deal_keeps_the_status_quo():
    sc = stakes.load(DATA / "harbour.yaml")
    opposed = make_scenario([0, 100], [1, 1], [1, 1])
    issue = sc.issue("fees")
    opposed = stakes.Scenario(title="t", issues=(issue,), actors=tuple(
        a.__class__(a.id, a.name, a.kind, a.capability, {"fees": a.stances["x"]}) for a in opposed.actors))
    result = stakes.forecast(opposed, "nash", disagreement="status_quo").issues["fees"]
    assert result.outcome == 40
    assert result.diagnostics["agreement"] is False


@pytest.mark.parametrize("utility", ["linear", "quadratic"])
def test_nash_with_status_quo_disagreement_counts_gains_over_the_status_quo(utility):
    # Ideals 80 and 60, status quo 10, equal weights. Linear: the gains over the status quo are
    # (x − 10)/100 for both below 60, and (x − 10)/100 and (110 − x)/100 between 60 and 80, whose
    # product peaks at 60. Quadratic: gains 0.49 − ((80 − x)/100)² and 0.25 − ((x − 60)/100)²; with
    # b = x − 60 the derivative of the log product vanishes where b³ − 30b² − 3500b + 25000 = 0.
    sc = make_scenario([80, 60], [1, 1], [1, 1])
    issue = replace(sc.issues[0], status_quo=stakes.scenario.model.Estimate(10.0))
    sc = replace(sc, issues=(issue,))
    x = stakes.forecast(sc, "nash", disagreement="status_quo", utility=utility).outcomes["x"]
    if utility == "linear":
        assert x == pytest.approx(60, abs=1e-9)
    else:
        grid = np.linspace(60, 80, 200001)
        product = (0.49 - ((80 - grid) / 100) ** 2) * (0.25 - ((grid - 60) / 100) ** 2)
        assert x == pytest.approx(grid[product.argmax()], abs=1e-3)
        (b,) = [r.real for r in np.roots([1, -30, -3500, 25000]) if abs(r.imag) < 1e-12 and 0 <= r.real <= 20]
        assert x == pytest.approx(60 + b, abs=1e-9)
    # an actor at the status quo accepts nothing else
    stuck = replace(sc, issues=(replace(issue, status_quo=stakes.scenario.model.Estimate(60.0)),))
    assert stakes.forecast(stuck, "nash", disagreement="status_quo", utility=utility).outcomes["x"] == 60


def test_nash_status_quo_needs_a_status_quo():
    sc = stakes.load(DATA / "harbour.yaml")
    with pytest.raises(stakes.ModelError, match="status_quo"):
        stakes.forecast(sc, "nash", disagreement="status_quo", issues=["hours"])


def test_no_weight_on_an_issue_is_a_clear_model_error():
    sc = make_scenario([10, 90], [0, 0], [5, 5])
    with pytest.raises(stakes.ModelError, match="no actor has both capability and salience"):
        stakes.forecast(sc, "mean")


def test_unknown_model_and_bad_parameter_are_clear_errors():
    sc = make_scenario([10, 90], [1, 1], [5, 5])
    with pytest.raises(stakes.ModelError, match="unknown model"):
        stakes.forecast(sc, "oracle")
    with pytest.raises(stakes.ModelError, match="utility"):
        stakes.forecast(sc, "nash", utility="cubic")
    with pytest.raises(stakes.ModelError, match="unexpected keyword|unknown parameter"):
        stakes.forecast(sc, "mean", rounds=3)


def test_only_the_requested_issues_run_and_unknown_issues_are_errors():
    sc = stakes.load(DATA / "harbour.yaml")
    assert set(stakes.forecast(sc, "mean", issues=["hours"]).outcomes) == {"hours"}
    with pytest.raises(stakes.ModelError, match="no issue 'depth'"):
        stakes.forecast(sc, "mean", issues=["depth"])


def test_forecast_to_dict_is_plain_json():
    import json

    sc = stakes.load(DATA / "harbour.yaml")
    data = stakes.forecast(sc, "nash").to_dict()
    assert json.loads(json.dumps(data))["issues"]["fees"]["outcome"] == pytest.approx(data["issues"]["fees"]["outcome"])
    assert data["params"] == {"utility": "linear", "disagreement": "worst"}
