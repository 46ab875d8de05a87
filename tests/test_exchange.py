"""The exchange model of linked issues: a case worked by hand, its invariances, its batch path and
its place in the commands."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
from typer.testing import CliRunner

import stakes
from stakes.cli import app
from stakes.errors import ModelError
from stakes.models import exchange_kernel as kernel
from stakes.models import make_model
from stakes.models.base import IssueBatch
from stakes.models.exchange import RATES
from stakes.scenario.model import Decision, Estimate, Issue, Scenario
from tests.linked import linked_scenario, random_linked

runner = CliRunner()


def weighted_mean(fc, scenario, issue_id: str, positions) -> float:
    data = scenario.issue_data(issue_id)
    w = data.capability * data.salience
    return float(np.dot(positions, w) / w.sum())


def test_two_actors_two_issues_worked_by_hand():
    # Actor A (capability 2) stands at 100 on both issues and cares most about p (0.9 against 0.3);
    # B (capability 1) stands at 0 on both and cares more about q (0.6 against 0.4).
    scenario = linked_scenario([[100, 100], [0, 0]], [[0.9, 0.3], [0.4, 0.6]], [2, 1], ids=["A", "B"])
    fc = stakes.forecast(scenario, "exchange")
    # Weights c*s: A 1.8 on p, 0.6 on q; B 0.4 on p, 0.6 on q. Totals W_p = 2.2, W_q = 1.2.
    # Expected outcomes (as fractions of the scale): O_p = 1.8/2.2 = 9/11, O_q = 0.6/1.2 = 1/2.
    # A and B are on opposite sides of both; A cares relatively more about p (0.9*0.6 > 0.3*0.4), so B
    # moves toward A on p and A toward B on q. Equal-gain rate r = (0.9+0.4)/(0.3+0.6) = 13/9.
    # B moving all the way to A shifts O_p by 0.4/2.2 = 2/11 (also the most before O_p passes A);
    # A moving all the way to B would shift O_q by 0.6/1.2 = 1/2 > r*2/11, so dp = 2/11, dq = 26/99.
    dp, dq = 2 / 11, 13 / 9 * 2 / 11
    gain_a, gain_b = 0.9 * dp - 0.3 * dq, 0.6 * dq - 0.4 * dp
    assert gain_a == pytest.approx(gain_b) and gain_a > 0  # both gain, and equally
    a_on_q = 100 - 100 * dq * 1.2 / 0.6  # A moves its vote dq * W_q / w_Aq of the scale toward B
    p, q = fc.issues["i0"], fc.issues["i1"]
    assert p.final_positions == pytest.approx({"A": 100.0, "B": 100.0})
    assert q.final_positions == pytest.approx({"A": a_on_q, "B": 0.0})
    assert a_on_q == pytest.approx(100 - 100 * 52 / 99)
    assert p.outcome == pytest.approx(100.0)
    assert q.outcome == pytest.approx(100 * (1 / 2 - dq))
    for issue_id, result in fc.issues.items():  # the outcome is the weighted mean of the new positions
        assert result.outcome == pytest.approx(weighted_mean(fc, scenario, issue_id, result.positions[-1]))
    # Round 2: O_p now sits on A's ideal, so A has nothing left to ask for on p: no more trades.
    assert p.rounds == 1 and p.stop_reason == "converged"
    table = fc.challenges
    assert list(table.issue) == ["i0", "i1"]
    assert list(table.kind) == ["exchange", "exchange"]
    assert list(table.target) == ["B", "A"] and list(table.challenger) == ["A", "B"]
    assert table.new_position.tolist() == pytest.approx([100.0, a_on_q])
    assert "on i1" in table.details[0] and "on i0" in table.details[1]
    assert f"A {gain_a:+.4g}" in table.details[0] and f"B {gain_b:+.4g}" in table.details[0]


def test_a_decision_rule_picks_the_outcome_from_the_votes_the_exchanges_leave():
    # The hand-worked case above, where one decider settles i1: the exchange still moves the votes,
    # then A's vote on i1 (where the trade left it) is the outcome, and the compromise is kept aside.
    base = linked_scenario([[100, 100], [0, 0]], [[0.9, 0.3], [0.4, 0.6]], [2, 1], ids=["A", "B"])
    ruled_issue = replace(base.issues[1], status_quo=Estimate(0.0), decision=Decision("single", decider="A"))
    scenario = replace(base, issues=(base.issues[0], ruled_issue))
    decided = stakes.forecast(scenario, "exchange").issues["i1"]
    ignored = stakes.forecast(scenario, "exchange", decision="ignore").issues["i1"]
    a_on_q = 100 - 100 * 52 / 99
    assert decided.final_positions == pytest.approx({"A": a_on_q, "B": 0.0})  # the rule moves nobody
    assert decided.outcome == pytest.approx(a_on_q)
    assert decided.diagnostics["bargained"][-1] == pytest.approx(ignored.outcome)
    assert ignored.outcome == pytest.approx(100 * (1 / 2 - 13 / 9 * 2 / 11)) and "rule" not in ignored.diagnostics
    batches = [IssueBatch(issue=issue, actor_ids=data.actor_ids, position=data.position[None],
                          salience=data.salience[None], capability=data.capability[None])
               for issue in scenario.issues for data in [scenario.issue_data(issue.id)]]
    batch = make_model("exchange").solve_batches(batches, np.zeros(1, dtype=np.int64))
    assert batch["i1"].outcomes[0] == pytest.approx(a_on_q)  # Monte Carlo applies the rule as forecast does


def test_rks_rate_gives_each_partner_the_same_share_of_its_best_gain():
    scenario = linked_scenario([[100, 100], [0, 0]], [[0.9, 0.3], [0.4, 0.6]], [2, 1], ids=["A", "B"])
    q = stakes.forecast(scenario, "exchange", rate="rks").issues["i1"]
    # r = (s_Bp/s_Bq + s_Ap/s_Aq)/2 = (2/3 + 3)/2 = 11/6; dp = 2/11 as before, so dq = 1/3 of the scale.
    assert q.final_positions["A"] == pytest.approx(100 - 100 * (1 / 3) * 1.2 / 0.6)
    dp, dq = 2 / 11, 1 / 3
    share_a = (0.9 * dp - 0.3 * dq) / (dp * (0.9 - 0.3 * 0.4 / 0.6))  # A's gain / its gain were B's zero
    share_b = (0.6 * dq - 0.4 * dp) / (dp * (0.6 * 0.9 / 0.3 - 0.4))
    assert share_a == pytest.approx(share_b) == pytest.approx(0.5)


def test_without_the_outcome_cap_moves_are_bounded_by_the_partners_positions_only():
    # A third actor stands beyond A on p, so B moving all the way to A pushes O_p past A's position.
    scenario = linked_scenario([[60, 100], [0, 0], [100, 50]], [[0.9, 0.3], [0.4, 0.6], [0.5, 0.5]], [2, 1, 1],
                               ids=["A", "B", "C"])  # O_p = 158/2.7 = 58.5, O_q = 50 (C stands at it)
    capped = stakes.forecast(scenario, "exchange", rounds=1).issues["i0"]
    free = stakes.forecast(scenario, "exchange", rounds=1, outcome_cap=False).issues["i0"]
    assert capped.outcome == pytest.approx(60.0)  # O_p stops at A's position
    assert free.final_positions["B"] == pytest.approx(60.0)  # B goes all the way to A
    assert free.outcome > 60.0


@pytest.mark.parametrize("rate", ["equal_gain", "rks"])
def test_every_offered_exchange_follows_the_rules(rate):
    rng = np.random.default_rng(11)
    n, k_issues = 12, 3
    x, s = rng.uniform(0, 1, (n, k_issues)), rng.uniform(0.05, 1, (n, k_issues))
    w = s * rng.uniform(1, 100, (n, 1))  # capability × salience
    outcome, total = np.empty(k_issues), np.empty(k_issues)
    kernel.expected_outcomes(x, w, outcome, total)
    size = 3 * n * (n - 1) // 2
    ints, floats = np.empty((size, kernel.LOG_INTS), dtype=np.int64), np.empty((size, kernel.LOG_FLOATS))
    count = kernel.find_exchanges(x, x.copy(), w, s, np.ones((n, k_issues), dtype=bool), np.ones(k_issues),
                                  np.arange(n), outcome, total, RATES.index(rate), True, 1e-9, ints, floats)
    assert count > 10
    for (_, a, b, p, q), (old_bp, new_bp, old_aq, new_aq, gain_a, gain_b, dp, dq) in zip(ints[:count],
                                                                                          floats[:count]):
        assert (x[a, p] - outcome[p]) * (x[b, p] - outcome[p]) < 0  # opposite sides on both issues
        assert (x[a, q] - outcome[q]) * (x[b, q] - outcome[q]) < 0
        assert s[a, p] * s[b, q] > s[a, q] * s[b, p]  # a cares relatively more about p
        assert gain_a > 0 and gain_b > 0
        assert gain_a == pytest.approx(s[a, p] * dp - s[a, q] * dq)
        assert gain_b == pytest.approx(s[b, q] * dq - s[b, p] * dp)
        if rate == "equal_gain":
            assert gain_a == pytest.approx(gain_b)
        # the moves shift the expected outcomes by dp and dq, toward the partner who asked
        assert (new_bp - old_bp) * w[b, p] / total[p] == pytest.approx(dp * np.sign(x[a, p] - x[b, p]))
        assert (new_aq - old_aq) * w[a, q] / total[q] == pytest.approx(dq * np.sign(x[b, q] - x[a, q]))
        # neither vote passes the partner, nor either outcome the partner who asked for the shift
        assert min(x[a, p], x[b, p]) - 1e-12 <= new_bp <= max(x[a, p], x[b, p]) + 1e-12
        assert min(x[a, q], x[b, q]) - 1e-12 <= new_aq <= max(x[a, q], x[b, q]) + 1e-12
        assert dp <= abs(x[a, p] - outcome[p]) + 1e-12 and dq <= abs(x[b, q] - outcome[q]) + 1e-12


def test_no_exchange_when_saliences_are_proportional():
    rng = np.random.default_rng(5)
    n, k_issues = 9, 3
    salience = np.outer(rng.uniform(0.1, 1, n), rng.uniform(0.2, 1, k_issues))  # s_ik = α_i β_k
    scenario = linked_scenario(rng.uniform(0, 100, (n, k_issues)), salience, rng.uniform(1, 50, n))
    fc = stakes.forecast(scenario, "exchange")
    mean = stakes.forecast(scenario, "mean")
    assert fc.outcomes == pytest.approx(mean.outcomes, abs=1e-12)
    assert all(r.stop_reason == "static" and r.rounds == 0 for r in fc.issues.values())
    assert fc.challenges.empty


def test_one_issue_alone_is_the_weighted_mean():
    scenario = random_linked(3, n=11, k_issues=1)
    result = stakes.forecast(scenario, "exchange").issues["i0"]
    data = scenario.issue_data("i0")
    assert result.outcome == pytest.approx(float(np.dot(data.position, data.capability * data.salience)
                                                 / (data.capability * data.salience).sum()), abs=1e-12)
    assert result.rounds == 0 and result.stop_reason == "static"


@pytest.mark.parametrize("seed", range(6))
def test_actor_order_does_not_matter_across_issues(seed):
    scenario = random_linked(seed, n=10, k_issues=3)
    order = np.random.default_rng(seed + 50).permutation(len(scenario.actors))
    shuffled = Scenario(title=scenario.title, issues=scenario.issues,
                        actors=tuple(scenario.actors[k] for k in order))
    a, b = stakes.forecast(scenario, "exchange"), stakes.forecast(shuffled, "exchange")
    assert len(a.challenges) > 0
    assert a.outcomes == pytest.approx(b.outcomes, abs=1e-9)
    for issue_id in a.issues:
        assert a.issues[issue_id].final_positions == pytest.approx(b.issues[issue_id].final_positions, abs=1e-9)
    key = ["issue", "round", "challenger", "target"]
    trades_a, trades_b = (fc.challenges.sort_values(key)[key].values.tolist() for fc in (a, b))
    assert trades_a == trades_b


def test_equal_gains_go_to_the_actor_whose_id_sorts_first():
    # b_x and b_y are identical, so trading with A is worth exactly as much to either; A can make one
    # trade per round, and it goes to b_x whichever order the actors are listed in.
    rows = {"A": ([100, 100], [0.9, 0.3], 2), "b_x": ([0, 0], [0.4, 0.6], 1), "b_y": ([0, 0], [0.4, 0.6], 1)}
    for ids in (["A", "b_x", "b_y"], ["b_y", "A", "b_x"]):
        position, salience, capability = zip(*(rows[a] for a in ids))
        scenario = linked_scenario(position, salience, capability, ids=ids)
        table = stakes.forecast(scenario, "exchange", rounds=1).challenges
        assert table.target.tolist() == ["b_x", "A"]


def test_an_issue_on_another_scale_trades_alike():
    rng = np.random.default_rng(21)
    n = 9
    position, salience = rng.uniform(0, 100, (n, 3)), rng.uniform(0.05, 1, (n, 3))
    capability = rng.uniform(1, 99, n)
    moved = position.copy()
    moved[:, 1] = -5 + position[:, 1] / 10  # issue i1 on [-5, 5] instead of [0, 100]
    a = stakes.forecast(linked_scenario(position, salience, capability), "exchange")
    b = stakes.forecast(linked_scenario(moved, salience, capability, scales=[(0, 100), (-5, 5), (0, 100)]),
                        "exchange")
    assert len(a.challenges) > 0
    assert b.outcomes["i0"] == pytest.approx(a.outcomes["i0"])
    assert b.outcomes["i2"] == pytest.approx(a.outcomes["i2"])
    assert b.outcomes["i1"] == pytest.approx(-5 + a.outcomes["i1"] / 10)


def test_trades_move_positions_monotonically_and_the_trajectory_matches_the_log():
    fc = stakes.forecast(stakes.load("rafah-2024"), "exchange")
    table = fc.challenges
    assert len(table) > 0 and set(table.kind) == {"exchange"}
    for row in table.itertuples():
        result = fc.issues[row.issue]
        k = result.actor_ids.index(row.target)
        assert result.positions[row.round, k] == pytest.approx(row.new_position)
        assert result.positions[row.round - 1, k] == pytest.approx(row.old_position)
        other = [i for i in fc.issues if i != row.issue]
        assert any(f"on {i}" in row.details for i in other)
    for result in fc.issues.values():  # a vote only ever moves away from the actor's own position
        distance = np.abs(result.positions - result.positions[0])
        assert np.all(np.diff(distance, axis=0) >= -1e-9)


def test_fixed_and_powerless_actors_never_move():
    rng = np.random.default_rng(8)
    n = 8
    salience = rng.uniform(0.05, 1, (n, 3))
    salience[3, 1] = 0.0
    fixed = np.zeros((n, 3), dtype=bool)
    fixed[:, 0] = True  # nobody may move on i0
    scenario = linked_scenario(rng.uniform(0, 100, (n, 3)), salience, rng.uniform(1, 100, n), fixed=fixed)
    fc = stakes.forecast(scenario, "exchange")
    assert np.array_equal(fc.issues["i0"].positions[-1], fc.issues["i0"].positions[0])
    assert fc.issues["i1"].positions[-1][3] == fc.issues["i1"].positions[0][3]
    assert "a3" in fc.issues["i1"].diagnostics["excluded_actors"]
    assert len(fc.challenges) > 0  # the others still trade between i1 and i2


@pytest.mark.parametrize("fixed", [False, True], ids=["free", "one_fixed"])
def test_monte_carlo_batch_equals_solve_on_every_draw(fixed):
    rng = np.random.default_rng(42)
    draws, n = 12, 9
    scales = [(0.0, 100.0), (-3.0, 7.5), (0.0, 10.0)]
    ids = tuple(f"a{k}" for k in range(n))
    members = [ids, ids[:7], ids[2:]]  # issues with different actors
    batches = []
    for k, (lo, hi) in enumerate(scales):
        m = len(members[k])
        salience = rng.uniform(0.05, 1, (draws, m))
        salience[:, 1] = np.where(rng.uniform(size=draws) < 0.3, 0.0, salience[:, 1])
        batches.append(IssueBatch(
            issue=Issue(f"i{k}", f"Issue {k}", "low", "high", (lo, hi)), actor_ids=members[k],
            position=rng.uniform(lo, hi, (draws, m)), salience=salience,
            capability=np.tile(rng.uniform(1, 100, (draws, 1)), (1, m)) * rng.uniform(0.5, 1.5, m),
            fixed=(np.arange(m) == 2) if fixed else None))
    seeds = rng.integers(0, 2**63, size=draws, dtype=np.int64)
    model = make_model("exchange")
    result = model.solve_batches(batches, seeds)
    traded = 0
    for b in range(draws):
        single = model.solve_many([batch.draw(b) for batch in batches], np.random.default_rng(int(seeds[b])))
        for batch in batches:
            one = single[batch.issue.id]
            many = result[batch.issue.id]
            assert many.outcomes[b] == pytest.approx(one.outcome, abs=1e-9)
            assert np.allclose(many.final_positions[b], one.positions[-1], rtol=0, atol=1e-9)
            assert many.rounds[b] == one.rounds
        traded += single["i0"].rounds > 0
    assert traded > draws // 2


def test_options_are_checked():
    for params, message in (({"rate": "nash"}, "rate must be one of"), ({"rounds": 0}, "rounds must be"),
                            ({"outcome_cap": "yes"}, "outcome_cap must be"), ({"tolerance": -1}, "tolerance")):
        with pytest.raises(ModelError, match=message):
            stakes.forecast(stakes.load("rafah-2024"), "exchange", **params)


def test_an_issue_without_weight_is_a_clear_error():
    scenario = linked_scenario([[10, 20], [30, 40]], [[0.0, 0.5], [0.0, 0.5]], [1, 1])
    with pytest.raises(ModelError, match="no actor has both capability and salience"):
        stakes.forecast(scenario, "exchange")


@pytest.mark.parametrize(("scenario", "uncertain"), [("rafah-2024", True), ("eu-emissions", False)])
def test_works_in_forecast_montecarlo_sensitivity_and_whatif(scenario, uncertain):
    def run(*args: str) -> dict:
        result = runner.invoke(app, [*args, scenario, "-m", "exchange", "--format", "json"],
                               catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    loaded = stakes.load(scenario)
    point = stakes.forecast(loaded, "exchange").outcomes
    forecast = run("forecast")
    issues = forecast[0]["issues"] if isinstance(forecast, list) else forecast["issues"]
    assert {k: v["outcome"] for k, v in issues.items()} == pytest.approx(point)
    summary = run("montecarlo", "--draws", "60")["variants"]["baseline"]["summary"]
    shown = {row["issue"]: row["forecast"] for row in summary if row["model"] == "exchange"}
    assert shown == pytest.approx(point)
    sensitivity = run("sensitivity")
    assert sensitivity["model"] == "exchange"
    assert bool(sensitivity["one_at_a_time"]) == uncertain  # eu-emissions gives no ranges to sweep
    whatif = run("whatif", "--draws", "40", "--change", f"{loaded.actors[0].id}.capability *= 0.5")
    assert {row["issue"] for row in whatif["table"] if row["model"] == "exchange"} == set(point)
