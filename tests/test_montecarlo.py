"""Monte Carlo: reproducible however the draws are spread, draws within their ranges, events,
quantiles, and an interrupted run that keeps what it finished."""

from __future__ import annotations

import numpy as np
import pytest
from distributed import LocalCluster

import stakes
from stakes.errors import StakesError
from stakes.scenario.model import Estimate
from stakes.uncertainty import Event, inputs, monte_carlo
from stakes.uncertainty.montecarlo import DEAL, with_deal_events
from stakes.uncertainty.sampling import BLOCK, Input, sample_block
from stakes.whatif import whatif_from_changes
from tests.uncertain import harbour

MODELS = ("mean", "nash", ("bdm", {"rounds": 6}))
DRAWS = 2 * BLOCK + 300  # two full blocks and a partial one


def assert_identical(a, b) -> None:
    assert a.draws == b.draws
    assert np.array_equal(a.draw_index, b.draw_index)
    assert a.results.keys() == b.results.keys()
    for key in a.results:
        for part in ("outcome", "final", "rounds", "stop"):
            assert np.array_equal(a.results[key][part], b.results[key][part]), (key, part)


@pytest.fixture(scope="module")
def scenario():
    return harbour()


@pytest.fixture(scope="module")
def in_process(scenario):
    return monte_carlo(scenario, MODELS, draws=DRAWS, seed=11)


@pytest.fixture(scope="module")
def dask_address():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        yield cluster.scheduler_address


def test_local_processes_give_bit_identical_results(scenario, in_process):
    assert_identical(in_process, monte_carlo(scenario, MODELS, draws=DRAWS, seed=11, workers=2))


def test_a_dask_cluster_gives_bit_identical_results(scenario, in_process, dask_address):
    assert_identical(in_process, monte_carlo(scenario, MODELS, draws=DRAWS, seed=11, cluster=dask_address))


def test_draw_i_does_not_depend_on_the_number_of_draws(scenario, in_process):
    few = monte_carlo(scenario, MODELS, draws=100, seed=11)
    for key, result in few.results.items():
        for part in ("outcome", "final", "rounds"):
            assert np.array_equal(result[part], in_process.results[key][part][:100])


def test_the_seed_changes_the_draws(scenario):
    a = monte_carlo(scenario, ["mean"], draws=200, seed=1)
    b = monte_carlo(scenario, ["mean"], draws=200, seed=2)
    assert not np.array_equal(a.outcomes("mean", "fees"), b.outcomes("mean", "fees"))


def test_every_model_issue_and_draw_is_there(scenario, in_process):
    assert in_process.complete and in_process.draws == DRAWS
    assert np.array_equal(in_process.draw_index, np.arange(DRAWS))
    assert set(in_process.results) == {(m, i) for m in ("mean", "nash", "bdm") for i in ("fees", "hours")}
    final = in_process.results[("bdm", "hours")]["final"]
    assert final.shape == (DRAWS, 5)
    table = in_process.outcome_table()
    assert len(table) == DRAWS * 6 and set(table["stop_reason"]) <= set(stakes.models.base.STOP_REASONS)


def test_summary_quantiles_and_histogram(in_process):
    summary = in_process.summary().set_index(["model", "issue"])
    x = in_process.outcomes("bdm", "fees")
    row = summary.loc[("bdm", "fees")]
    assert row["draws"] == DRAWS and row["mean"] == pytest.approx(x.mean())
    for q in (0.05, 0.25, 0.5, 0.75, 0.95):
        assert row[f"q{round(q * 100):02d}"] == pytest.approx(np.quantile(x, q))
    assert row["q05"] <= row["q25"] <= row["q50"] <= row["q75"] <= row["q95"]
    counts, edges = in_process.histogram("bdm", "hours", bins=12)
    assert counts.sum() == DRAWS and edges[0] == 0 and edges[-1] == 24


def test_event_probability_is_the_share_of_draws(in_process):
    table = in_process.probability("fees > 40").set_index("model")
    for model in ("mean", "nash", "bdm"):
        share = (in_process.outcomes(model, "fees") > 40).mean()
        assert table.loc[model, "probability"] == pytest.approx(share)
        assert table.loc[model, "stderr"] == pytest.approx(np.sqrt(share * (1 - share) / DRAWS))
    both = in_process.probability(Event("hours", "<=", 24)).set_index("model")
    assert (both["probability"] == 1.0).all()


@pytest.mark.parametrize("text", ["fees >> 3", "fees above 70", "> 70", "fees > lots"])
def test_malformed_events_are_rejected(text):
    with pytest.raises(StakesError, match="ISSUE OP NUMBER"):
        Event.parse(text)


def test_an_event_on_an_unknown_issue_names_the_issues(in_process):
    with pytest.raises(StakesError, match="fees, hours"):
        in_process.probability("rafah > 3")


def test_final_positions_per_actor(in_process):
    table = in_process.final_positions()
    assert set(table["actor"]) == {"council", "union", "shipping", "residents", "port"}
    row = table[(table["model"] == "mean") & (table["actor"] == "shipping") & (table["issue"] == "fees")].iloc[0]
    # a one-shot model leaves everyone where they started: shipping's drawn fee position, 0–15
    assert 0 <= row["q05"] <= row["q50"] <= row["q95"] <= 15


@pytest.mark.parametrize("distribution,expected_mean", [("uniform", 45.0), ("triangular", 40.0)])
def test_uniform_and_triangular_draws_stay_in_range_with_the_right_mean(distribution, expected_mean):
    item = Input("x", Estimate(30.0, 10.0, 80.0, distribution), (0.0, 100.0))
    x = item.draw(np.random.default_rng(0), 200_000)
    assert x.min() >= 10 and x.max() <= 80
    assert x.mean() == pytest.approx(expected_mean, abs=0.15)


def test_normal_draws_span_the_range_as_two_sd_and_are_cut_at_the_bounds():
    centred = Input("x", Estimate(50.0, 40.0, 60.0, "normal"), (0.0, 100.0)).draw(np.random.default_rng(1), 200_000)
    assert centred.mean() == pytest.approx(50, abs=0.05) and centred.std() == pytest.approx(5, abs=0.05)
    edge = Input("s", Estimate(0.95, 0.75, 1.0, "normal"), (0.0, 1.0)).draw(np.random.default_rng(2), 200_000)
    assert edge.min() >= 0 and edge.max() <= 1.0  # a salience never leaves [0, 1]
    assert edge.mean() < 0.95  # the cut tail pulls the mean inside


def test_drawn_values_respect_every_range_and_exact_numbers_stay_exact(scenario):
    values, seeds = sample_block(scenario, seed=5, block=3)
    assert seeds.shape == (BLOCK,) and len(set(seeds.tolist())) == BLOCK
    for item in inputs(scenario):
        drawn = values[item.key]
        if item.estimate.is_exact:
            assert np.all(drawn == item.estimate.value), item.key
        else:  # a normal draw may leave the range (±2 sd) but never what the number allows
            normal = item.estimate.distribution == "normal"
            low, high = item.bounds if normal else (item.estimate.low, item.estimate.high)
            assert low <= drawn.min() and drawn.max() <= high and drawn.std() > 0, item.key


def test_the_mean_model_is_linear_so_its_average_outcome_follows_the_average_positions():
    """Only positions vary: the mean model's outcome is linear in them, so averages commute."""
    sc = stakes.loads("""
stakes: 1
title: linear
issues: [{id: x, name: X, low: a, high: b}]
actors:
  - {id: a, name: A, kind: other, capability: 10, stances: {x: {position: {value: 20, range: [0, 40]}, salience: 1}}}
  - {id: b, name: B, kind: other, capability: 30, stances: {x: {position: {value: 60, range: [50, 90],
     distribution: triangular}, salience: 0.5}}}
  - {id: c, name: C, kind: other, capability: 5, stances: {x: {position: 100, salience: 1}}}
""")
    run = monte_carlo(sc, ["mean"], draws=BLOCK, seed=3)
    values, _ = sample_block(sc, seed=3, block=0)
    w = np.array([10.0, 15.0, 5.0])
    expected = (w[0] * values["a.x.position"].mean() + w[1] * values["b.x.position"].mean() + w[2] * 100) / w.sum()
    assert run.outcomes("mean", "x").mean() == pytest.approx(expected, rel=1e-12)


def test_ctrl_c_keeps_the_finished_blocks(scenario, in_process):
    def interrupt(done: int, total: int) -> None:
        raise KeyboardInterrupt

    run = monte_carlo(scenario, MODELS, draws=DRAWS, seed=11, progress=interrupt)
    assert not run.complete and run.requested == DRAWS and run.draws == BLOCK
    assert np.array_equal(run.draw_index, np.arange(BLOCK))
    assert np.array_equal(run.outcomes("bdm", "fees"), in_process.outcomes("bdm", "fees")[:BLOCK])


def test_ctrl_c_in_worker_processes_keeps_the_finished_blocks(scenario, in_process):
    calls = []

    def interrupt(done: int, total: int) -> None:
        calls.append(done)
        raise KeyboardInterrupt

    run = monte_carlo(scenario, ["nash"], draws=DRAWS, seed=11, workers=2, progress=interrupt)
    assert len(calls) == 1 and 0 < run.draws < DRAWS and not run.complete
    for k, draw in enumerate(run.draw_index):
        assert run.outcomes("nash", "hours")[k] == in_process.outcomes("nash", "hours")[draw]


def test_progress_counts_draws_up_to_the_total(scenario):
    seen = []
    monte_carlo(scenario, ["mean"], draws=DRAWS, seed=0, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(BLOCK, DRAWS), (2 * BLOCK, DRAWS), (DRAWS, DRAWS)]


def test_bad_requests_fail_before_any_work(scenario):
    with pytest.raises(StakesError, match="at least 1"):
        monte_carlo(scenario, ["mean"], draws=0)
    with pytest.raises(StakesError, match="unknown model"):
        monte_carlo(scenario, ["oracle"], draws=10)


def test_a_model_that_links_issues_solves_each_draw_as_forecast_does(scenario):
    run = monte_carlo(scenario, [("smp", {"rounds": 5})], draws=3, seed=2)
    for b in range(3):
        values, _ = sample_block(scenario, 2, 0)
        fixed = stakes.Scenario(title=scenario.title, issues=scenario.issues, actors=tuple(
            a.__class__(a.id, a.name, a.kind, Estimate(float(values[f"{a.id}.capability"][b])), {
                issue_id: s.__class__(Estimate(float(values[f"{a.id}.{issue_id}.position"][b])),
                                      Estimate(float(values[f"{a.id}.{issue_id}.salience"][b])), None, s.fixed)
                for issue_id, s in a.stances.items()}) for a in scenario.actors))
        point = stakes.forecast(fixed, "smp", rounds=5)
        for issue in scenario.issues:
            assert run.outcomes("smp", issue.id)[b] == pytest.approx(point.outcomes[issue.id], abs=1e-9)


def vetoed_harbour() -> stakes.Scenario:
    """The harbour with a veto rule on fees: the council (55-85) and the port (40-60) must both
    prefer a change to a status quo held at 50, so a deal exists exactly when the port is drawn
    above 50."""
    data = stakes.scenario.schema.to_data(whatif_from_changes(["fees.status_quo = 50"]).apply(harbour()))
    data["issues"][0]["decision"] = {"rule": "veto", "veto_players": ["council", "port"]}
    return stakes.scenario.schema.from_data(data)


def test_p_deal_is_the_share_of_draws_where_every_veto_player_prefers_a_change():
    sc = vetoed_harbour()
    assert with_deal_events(sc, []) == [Event("fees", DEAL)] and str(Event.parse("deal on fees")) == "deal on fees"
    run = monte_carlo(sc, ["mean", "veto", ("bdm", {"rounds": 3})], draws=BLOCK, seed=3)
    values, _ = sample_block(sc, 3, 0)
    port_above = values["port.fees.position"] > 50
    assert 0.4 < port_above.mean() < 0.6  # uniform on [40, 60]
    assert np.array_equal(run.results[("veto", "fees")]["deal"], port_above)
    table = run.probability("deal on fees").set_index("model")
    assert list(table.index) == ["veto", "bdm"]  # mean applies no rule: no notion of a deal
    assert table.loc["veto", "probability"] == pytest.approx(port_above.mean())
    draws = run.outcome_table()
    assert draws[(draws["model"] == "veto") & (draws["issue"] == "fees")]["deal"].tolist() == port_above.tolist()
    assert draws[draws["model"] == "mean"]["deal"].isna().all()
    # where there is no deal the status quo stands
    outcomes = run.outcomes("veto", "fees")
    assert np.all(outcomes[~port_above] == 50) and np.all(outcomes[port_above] > 50)


def test_a_deal_event_on_an_issue_without_a_rule_is_reported_for_no_model(in_process):
    assert in_process.probability("deal on fees").empty
    with pytest.raises(StakesError, match="deals"):
        Event.parse("deal on fees").holds(np.zeros(3))
