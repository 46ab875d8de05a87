"""The Spatial Model of Politics in stakes: options, linked issues, bystanders and what a run records."""

from __future__ import annotations

import numpy as np
import pytest

import stakes
from stakes.errors import ModelError
from stakes.models import make_model
from stakes.models.base import CHALLENGE_COLUMNS
from stakes.models.smp import KtabRandom, SpatialModel
from stakes.models.smp import engine as E
from stakes.models.smp import kernels as K
from stakes.scenario.model import Actor, Estimate, Issue, Scenario, Stance
from tests.conftest import DATA, make_scenario, random_scenario

KTAB_DEFAULTS = {
    "victory_prob_model": "Linear", "voting_rule": "Prop", "pce_model": "Conditional",
    "state_transitions": "Deterministic", "big_r_range": "Mid", "big_r_adjust": "OneThird",
    "third_party_commit": "SemiCommit", "inter_vec_brgn": "S2P2", "bargain_model": "InitOnlyInterp",
    "accommodation": None, "rounds": 100, "target": 0.02,
}


def _two_issue_scenario(saliences: tuple[float, float], stance_of_last: bool = True) -> Scenario:
    rng = np.random.default_rng(5)
    issues = (Issue("x", "X", "low", "high"), Issue("y", "Y", "low", "high", (0.0, 10.0)))
    actors = []
    for k in range(6):
        stances = {"x": Stance(Estimate(float(rng.uniform(0, 100))), Estimate(saliences[0])),
                   "y": Stance(Estimate(float(rng.uniform(0, 10))), Estimate(saliences[1]))}
        if k == 5 and not stance_of_last:
            del stances["y"]
        actors.append(Actor(f"a{k}", f"Actor {k}", "other", Estimate(float(rng.uniform(5, 50))), stances))
    return Scenario("two issues", issues, tuple(actors))


def test_defaults_are_ktabs():
    # plus stakes's own option: an issue's decision rule picks the outcome after bargaining
    assert make_model("smp").get_params() == {**KTAB_DEFAULTS, "decision": "scenario"}


@pytest.mark.parametrize(("param", "value"), [
    ("voting_rule", "Proportional"), ("pce_model", "Markov"), ("bargain_model", "Nash"), ("rounds", 0),
    ("rounds", 2.5), ("target", 0), ("accommodation", {"a0": {"a1": 1.5}}), ("accommodation", [0.5]),
])
def test_bad_options_are_refused_with_the_allowed_values(param, value):
    with pytest.raises(ModelError, match=param.split("_")[0]):
        make_model("smp", **{param: value})


def test_victory_probability_laws():
    strength = np.array([[1e-8, 2.0], [1.0, 1e-8]])  # the first option's coalition is twice as strong
    for law, p in (("Linear", 2 / 3), ("Square", 4 / 5), ("Quartic", 16 / 17), ("Octic", 256 / 257)):
        assert K.victory(law, strength)[0, 1] == pytest.approx(p)
    assert K.victory("Binary", strength)[0, 1] == pytest.approx(1.0, abs=1e-5)
    close = 1.05 / 2.05  # within 10 % the binary law interpolates linearly from 0 to 1
    near = K.victory("Binary", np.array([[1e-8, 1.05], [1.0, 1e-8]]))[0, 1]
    assert near == pytest.approx((close * 2.1 - 1) / 0.1)
    for law in K.VICTORY_PROB_MODELS:
        p = K.victory(law, np.array([[1e-8, 3.0, 1.0], [2.0, 1e-8, 5.0], [0.5, 0.1, 1e-8]]))
        assert np.allclose(p + p.T, 1.0) and np.allclose(np.diag(p), 0.5)


def test_voting_rules():
    du = np.array([-0.5, -1e-9, 0.0, 1e-9, 0.5])
    assert np.allclose(K.vote("Prop", 2.0, du), 2 * du)
    assert np.allclose(K.vote("Binary", 2.0, du), [-2, -0.2, 0, 0.2, 2])
    assert np.allclose(K.vote("PropBin", 1.0, du), 0.8 * du + 0.2 * np.clip(du / 1e-8, -1, 1))
    assert np.allclose(K.vote("PropCbc", 1.0, du), 0.5 * du + 0.5 * du**3)
    assert np.allclose(K.vote("Cubic", 1.0, du), du**3)
    assert np.allclose(K.vote("ASymProsp", 3.0, du), np.where(du < 0, 3 * du, 2 * du))


@pytest.mark.parametrize(("big_r_range", "lowest"), [("Min", 0.0), ("Mid", -0.5), ("Max", -1.0)])
def test_risk_attitudes_span_the_range_from_least_to_most_likely(big_r_range, lowest):
    risk = K.risk_from_probability(np.array([0.1, 0.6, 0.3]), big_r_range)
    assert risk[1] == pytest.approx(1.0) and risk[0] == pytest.approx(lowest)
    assert np.all(K.risk_from_probability(np.full(4, 0.25), big_r_range) == 0.0)


@pytest.mark.parametrize("pce", K.PCE_MODELS)
def test_condorcet_elections_are_distributions_favouring_the_strong(pce):
    strength = np.array([[1e-8, 5.0, 6.0], [1.0, 1e-8, 2.0], [1.0, 1.5, 1e-8]])
    p, p_win = K.condorcet(pce, "Linear", strength)
    assert p.sum() == pytest.approx(1.0) and np.argmax(p) == 0
    assert p_win[0, 1] == pytest.approx(5 / 6)


def test_ktab_random_is_mt19937_64_then_ktabs_transform():
    rng = KtabRandom(5489)
    words = [rng.word() for _ in range(10_000)]
    assert words[-1] == 9981545732273789042  # the C++ standard's check value for std::mt19937_64
    draws = [KtabRandom(7).random() for _ in range(3)]
    assert draws[0] == draws[1] and 0.0 <= draws[0] <= 1.0


def test_issues_are_bargained_together_in_one_run():
    fc = stakes.forecast(stakes.load(DATA / "harbour.yaml"), "smp")
    fees, hours = fc.issues["fees"], fc.issues["hours"]
    assert fees.rounds == hours.rounds and fees.stop_reason == hours.stop_reason
    assert fees.diagnostics["linked_issues"] == ["fees", "hours"]
    only = stakes.forecast(stakes.load(DATA / "harbour.yaml"), "smp", issues=["hours"])
    assert list(only.issues) == ["hours"] and only.issues["hours"].diagnostics["linked_issues"] == ["hours"]


def test_an_actor_without_a_stance_bargains_on_the_issues_it_has():
    scenario = _two_issue_scenario((0.4, 0.5), stance_of_last=False)
    fc = stakes.forecast(scenario, "smp")
    assert fc.issues["y"].actor_ids == ("a0", "a1", "a2", "a3", "a4")
    assert fc.issues["y"].diagnostics["actors_without_stance"] == ["a5"]
    assert "a5" in fc.issues["x"].actor_ids
    low, high = scenario.issue_data("y").position.min(), scenario.issue_data("y").position.max()
    assert np.all((fc.issues["y"].outcomes >= low) & (fc.issues["y"].outcomes <= high))


def test_saliences_are_shares_of_attention_scaled_to_sum_to_at_most_one():
    a = stakes.forecast(_two_issue_scenario((0.9, 0.9)), "smp")
    b = stakes.forecast(_two_issue_scenario((0.5, 0.5)), "smp")
    for issue in ("x", "y"):
        assert np.array_equal(a.issues[issue].positions, b.issues[issue].positions)


def test_actors_without_capability_or_salience_hold_their_positions():
    scenario = make_scenario([10, 40, 70, 95, 50], [0.5, 0.8, 0.6, 0.0, 0.7], [30, 20, 40, 90, 0])
    result = stakes.forecast(scenario, "smp").issues["x"]
    assert result.diagnostics["excluded_actors"] == ["a3", "a4"]
    assert np.all(result.positions[:, 3] == 95) and np.all(result.positions[:, 4] == 50)
    with pytest.raises(ModelError, match="no actor has both capability and salience"):
        stakes.forecast(make_scenario([10, 40], [0.0, 0.0], [1, 2]), "smp")


def test_a_unanimous_scenario_needs_no_bargain():
    scenario = make_scenario([30.0] * 4, [0.5, 0.6, 0.7, 0.8], [10, 20, 30, 40])
    model = SpatialModel()
    space = model.prepare([scenario.issue_data("x")])
    run = E.run(space.start[space.active], space.actors, model.settings, np.random.default_rng(0))
    assert all(not turn.challenges for turn in run.turns) and run.stop_reason == "converged"
    assert np.all(run.risks[0] == 0.0) and len(run.turns) == E.MIN_TURNS


def test_stochastic_transitions_draw_only_from_the_given_generator():
    scenario = random_scenario(3, n=8)
    runs = [stakes.forecast(scenario, "smp", seed=seed, state_transitions="Stochastic").trajectory
            for seed in (1, 1, 2, 3, 4)]
    assert runs[0].equals(runs[1])
    assert not all(runs[0].equals(other) for other in runs[2:])
    model = SpatialModel(state_transitions="Stochastic")
    a = model.solve(scenario.issue_data("x"), KtabRandom(11))
    b = model.solve(scenario.issue_data("x"), KtabRandom(11))
    assert np.array_equal(a.positions, b.positions)


def test_round_limit_and_target():
    scenario = random_scenario(2, n=7)
    capped = stakes.forecast(scenario, "smp", rounds=1).issues["x"]
    assert (capped.rounds, capped.stop_reason) == (1, "round_limit")
    loose = stakes.forecast(scenario, "smp", target=10.0).issues["x"]
    assert (loose.rounds, loose.stop_reason) == (2, "converged")


def test_accommodation_lets_ideals_lag_behind_positions():
    scenario = random_scenario(4, n=6)
    model = SpatialModel(accommodation={"a0": {"a0": 0.5}, "a1": {"a1": 0.2, "a2": 0.3}})
    space = model.prepare([scenario.issue_data("x")])
    run = E.run(space.start[space.active], space.actors, model.settings, np.random.default_rng(0))
    start, after = run.positions[0], run.positions[1]
    assert run.ideals[1][0, 0] == pytest.approx(0.5 * after[0, 0] + 0.5 * start[0, 0])
    assert run.ideals[1][1, 0] == pytest.approx(0.2 * after[1, 0] + 0.3 * after[2, 0] + 0.5 * start[1, 0])
    assert np.array_equal(run.ideals[1][2:], after[2:])
    with pytest.raises(ModelError, match="sum to 1.3"):
        stakes.forecast(scenario, SpatialModel(accommodation={"a0": {"a1": 0.3}}))


def test_the_challenge_table_lists_each_bargain_and_who_adopted_it():
    scenario = random_scenario(1, n=6)
    fc = stakes.forecast(scenario, "smp")
    table = fc.issues["x"].challenges
    assert list(table.columns) == list(CHALLENGE_COLUMNS) and len(table)
    assert set(table["kind"]) == {"bargain"} and table["round"].min() == 1
    assert table["details"].str.contains("adopted it|passed over it").all()
    first = table[table["round"] == 1]
    data = scenario.issue_data("x")
    starts = dict(zip(data.actor_ids, data.position))
    assert np.allclose(first["old_position"], [starts[t] for t in first["target"]])


@pytest.mark.parametrize("bargain_model", E.BARGAIN_MODELS)
@pytest.mark.parametrize("pce_model", K.PCE_MODELS)
def test_every_option_combination_runs_and_stays_in_range(bargain_model, pce_model):
    scenario = random_scenario(7, n=7)
    for options in ({"voting_rule": "PropCbc", "inter_vec_brgn": "S2PMax", "third_party_commit": "NoCommit"},
                    {"voting_rule": "ASymProsp", "victory_prob_model": "Binary", "big_r_adjust": "Full",
                     "third_party_commit": "FullCommit", "big_r_range": "Max", "inter_vec_brgn": "S1P1"}):
        result = stakes.forecast(scenario, "smp", bargain_model=bargain_model, pce_model=pce_model, rounds=15,
                                 **options).issues["x"]
        data = scenario.issue_data("x")
        assert data.position.min() - 1e-9 <= result.outcome <= data.position.max() + 1e-9
