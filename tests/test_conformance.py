"""The invariances every bargaining model must satisfy (in the spirit of scikit-learn's check_estimator).

Each test runs for every registered model on a spread of random scenarios: continuous positions,
positions on a few shared levels (blocs and ties), and a scale other than 0–100.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

import stakes
from stakes.models import MODELS, make_model
from stakes.models.base import STOP_REASONS, IssueBatch
from stakes.models.bdm import ExpectedUtility
from stakes.scenario.model import Decision, Estimate, Issue
from tests.conftest import DATA, make_scenario, random_scenario
from tests.linked import random_linked

MODEL_NAMES = list(MODELS) + [  # the expected-utility models on their numpy engine too
    pytest.param(name, id=f"{name}-numpy", marks=pytest.mark.engine("numpy"))
    for name in MODELS if isinstance(make_model(name), ExpectedUtility)]
SCENARIOS = (
    [random_scenario(seed) for seed in range(6)]
    + [random_scenario(100 + seed, levels=4) for seed in range(4)]
    + [random_scenario(200 + seed, scale=(-3.0, 7.5)) for seed in range(2)]
)
IDS = [f"s{k}" for k in range(len(SCENARIOS))]
TOLERANCE = 1e-7


def _run(scenario, model):
    return stakes.forecast(scenario, model, seed=7)


def _data(scenario):
    return scenario.issue_data(scenario.issues[0].id)


def _width(scenario):
    return scenario.issues[0].width


@pytest.mark.parametrize("model", MODEL_NAMES)
@pytest.mark.parametrize("scenario", SCENARIOS, ids=IDS)
def test_actor_order_does_not_matter(model, scenario):
    data = _data(scenario)
    order = np.random.default_rng(3).permutation(data.n)
    shuffled = make_scenario(data.position[order], data.salience[order], data.capability[order],
                             data.issue.scale, ids=[data.actor_ids[k] for k in order])
    a, b = _run(scenario, model), _run(shuffled, model)
    assert a.outcomes["x"] == pytest.approx(b.outcomes["x"], abs=TOLERANCE * _width(scenario))
    final_a, final_b = a.issues["x"].final_positions, b.issues["x"].final_positions
    for actor_id in final_a:
        assert final_a[actor_id] == pytest.approx(final_b[actor_id], abs=TOLERANCE * _width(scenario))


@pytest.mark.parametrize("model", MODEL_NAMES)
@pytest.mark.parametrize("common", [0.0, 37.5, 100.0])
def test_unanimous_scenario_returns_common_position(model, common):
    rng = np.random.default_rng(int(common))
    n = 6
    scenario = make_scenario(np.full(n, common), rng.uniform(0.1, 1, n), rng.uniform(1, 50, n))
    result = _run(scenario, model).issues["x"]
    assert result.outcome == pytest.approx(common, abs=1e-9)
    assert np.allclose(result.positions[-1], common, atol=1e-9)


@pytest.mark.parametrize("model", MODEL_NAMES)
@pytest.mark.parametrize("factor", [1e-3, 7.3, 1e4])
@pytest.mark.parametrize("scenario", SCENARIOS[::3], ids=IDS[::3])
def test_rescaling_capability_changes_nothing(model, scenario, factor):
    data = _data(scenario)
    scaled = make_scenario(data.position, data.salience, data.capability * factor, data.issue.scale,
                           ids=list(data.actor_ids))
    a, b = _run(scenario, model).issues["x"], _run(scaled, model).issues["x"]
    assert a.outcome == pytest.approx(b.outcome, abs=TOLERANCE * _width(scenario))
    assert a.rounds == b.rounds
    assert np.allclose(a.positions, b.positions, atol=TOLERANCE * _width(scenario))


@pytest.mark.parametrize("model", MODEL_NAMES)
@pytest.mark.parametrize("scenario", SCENARIOS, ids=IDS)
def test_outcome_stays_within_the_range_of_positions(model, scenario):
    data = _data(scenario)
    result = _run(scenario, model).issues["x"]
    slack = 1e-9 * _width(scenario)
    assert data.position.min() - slack <= result.outcome <= data.position.max() + slack
    assert np.all(result.outcomes >= data.position.min() - slack)
    assert np.all(result.outcomes <= data.position.max() + slack)


@pytest.mark.parametrize("model", MODEL_NAMES)
@pytest.mark.parametrize("scenario", SCENARIOS[:4], ids=IDS[:4])
def test_seed_makes_runs_repeatable(model, scenario):
    a = stakes.forecast(scenario, model, seed=11)
    b = stakes.forecast(scenario, model, seed=11)
    assert a.trajectory.equals(b.trajectory)
    assert a.outcomes == b.outcomes
    assert a.challenges.equals(b.challenges)


@pytest.mark.parametrize("model", MODEL_NAMES)
@pytest.mark.parametrize("scenario", SCENARIOS, ids=IDS)
@pytest.mark.parametrize("where", ["low", "high", "middle"])
def test_zero_salience_actor_does_not_move_the_outcome(model, scenario, where):
    data = _data(scenario)
    lo, hi = data.issue.scale
    extra = {"low": lo, "high": hi, "middle": (lo + hi) / 2}[where]
    bigger = make_scenario(np.append(data.position, extra), np.append(data.salience, 0.0),
                           np.append(data.capability, data.capability.max() * 10), data.issue.scale,
                           ids=list(data.actor_ids) + ["bystander"])
    a, b = _run(scenario, model).issues["x"], _run(bigger, model).issues["x"]
    assert b.outcome == pytest.approx(a.outcome, abs=TOLERANCE * _width(scenario))


@pytest.mark.parametrize("model", MODEL_NAMES)
def test_every_issue_is_forecast_and_results_are_well_formed(model):
    scenario = stakes.load(DATA / "harbour.yaml")
    fc = stakes.forecast(scenario, model, seed=1)
    assert set(fc.outcomes) == {"fees", "hours"}
    for issue in scenario.issues:
        result = fc.issues[issue.id]
        assert result.positions.shape == (result.rounds + 1, len(result.actor_ids))
        assert len(result.outcomes) == result.rounds + 1
        assert result.stop_reason in STOP_REASONS
        assert np.array_equal(result.positions[0], scenario.issue_data(issue.id).position)
    table = fc.trajectory
    assert list(table.columns) == ["model", "issue", "round", "actor", "position"]
    assert len(table) == sum((r.rounds + 1) * len(r.actor_ids) for r in fc.issues.values())


@pytest.mark.parametrize("model", MODEL_NAMES)
@pytest.mark.parametrize("fixed", [False, True], ids=["free", "one_fixed"])
def test_solve_batch_equals_solve_on_every_draw(model, fixed):
    rng = np.random.default_rng(42)
    draws, n = 6, 7
    issue = Issue("x", "Test issue", "low end", "high end", (0.0, 100.0))
    batch = IssueBatch(issue=issue, actor_ids=tuple(f"a{k}" for k in range(n)),
                       position=rng.uniform(0, 100, (draws, n)), salience=rng.uniform(0.05, 1, (draws, n)),
                       capability=rng.uniform(1, 100, (draws, n)),
                       fixed=np.arange(n) == 2 if fixed else None)
    seeds = rng.integers(0, 2**63, size=draws, dtype=np.int64)
    estimator = make_model(model)
    result = estimator.solve_batch(batch, seeds)
    for b in range(draws):
        single = estimator.solve(batch.draw(b), np.random.default_rng(int(seeds[b])))
        assert result.outcomes[b] == pytest.approx(single.outcome, abs=1e-9)
        assert np.allclose(result.final_positions[b], single.positions[-1], rtol=0, atol=1e-9)


# Models that link issues solve a scenario's issues together: the same invariances, across issues.
LINKED = [name for name in MODELS if getattr(MODELS[name][0], "links_issues", False)]
LINKED_SCENARIOS = [random_linked(300 + seed, n=7, gaps=seed % 2 == 1) for seed in range(4)]


@pytest.mark.parametrize("model", LINKED)
@pytest.mark.parametrize("scenario", LINKED_SCENARIOS, ids=[f"l{k}" for k in range(len(LINKED_SCENARIOS))])
def test_linked_issues_keep_the_invariances(model, scenario):
    base = _run(scenario, model)
    order = np.random.default_rng(5).permutation(len(scenario.actors))
    shuffled = replace(scenario, actors=tuple(scenario.actors[k] for k in order))
    scaled = replace(scenario, actors=tuple(replace(a, capability=a.capability.with_value(a.capability.value * 7.3))
                                            for a in scenario.actors))
    for other in (_run(shuffled, model), _run(scaled, model)):
        assert other.outcomes == pytest.approx(base.outcomes, abs=TOLERANCE * 100)
        for issue_id, result in base.issues.items():
            assert other.issues[issue_id].final_positions == pytest.approx(result.final_positions,
                                                                           abs=TOLERANCE * 100)
    for issue in scenario.issues:
        position = scenario.issue_data(issue.id).position
        assert position.min() - 1e-9 <= base.outcomes[issue.id] <= position.max() + 1e-9


@pytest.mark.parametrize("model", LINKED)
def test_linked_batches_equal_solving_each_draw(model):
    rng = np.random.default_rng(9)
    draws, n = 4, 6
    batches = [IssueBatch(issue=Issue(f"i{k}", f"Issue {k}", "low", "high", (0.0, 100.0)),
                          actor_ids=tuple(f"a{r}" for r in range(n)), position=rng.uniform(0, 100, (draws, n)),
                          salience=rng.uniform(0.05, 1, (draws, n)), capability=rng.uniform(1, 100, (draws, n)))
               for k in range(3)]
    seeds = rng.integers(0, 2**63, size=draws, dtype=np.int64)
    estimator = make_model(model)
    result = estimator.solve_batches(batches, seeds)
    for b in range(draws):
        single = estimator.solve_many([batch.draw(b) for batch in batches], np.random.default_rng(int(seeds[b])))
        for batch in batches:
            assert result[batch.issue.id].outcomes[b] == pytest.approx(single[batch.issue.id].outcome, abs=1e-9)

# --- decision rules: every model that applies them --------------------------------------------------

RULE_MODELS = [name for name in MODELS if name == "veto" or make_model(name).decision == "scenario"]


def _with_rule(scenario, decision, status_quo, fixed=()):
    """The scenario with ``decision`` and ``status_quo`` on its issue, and ``fixed`` actors held fixed
    (models that play rounds keep them in place; the spatial model has no fixed positions)."""
    issue = replace(scenario.issues[0], status_quo=Estimate(float(status_quo)), decision=decision)
    actors = tuple(replace(a, stances={"x": replace(a.stances["x"], fixed=True)}) if a.id in fixed else a
                   for a in scenario.actors)
    return replace(scenario, issues=(issue,), actors=actors)


def test_rule_models_are_the_round_based_models_and_veto():
    assert {"veto", "bdm", "bdm-scholz-code", "smp"} <= set(RULE_MODELS)


@pytest.mark.parametrize("model", RULE_MODELS)
@pytest.mark.parametrize("scenario", SCENARIOS[::2], ids=IDS[::2])
def test_a_veto_player_at_the_status_quo_blocks_every_change(model, scenario):
    # the status quo is where a veto player ends up after bargaining (the issue's status quo plays no
    # part in the bargaining rounds), so that player accepts no change from it
    data = _data(scenario)
    far = int(np.argmax(np.abs(data.position - data.position[0])))  # another veto player, elsewhere
    held = _run(scenario, model).issues["x"].final_positions[data.actor_ids[0]]
    ruled = _with_rule(scenario, Decision("veto", veto_players=(data.actor_ids[0], data.actor_ids[far])), held)
    result = _run(ruled, model).issues["x"]
    assert result.final_positions[data.actor_ids[0]] == held
    assert result.outcome == held
    assert result.diagnostics["deal"] is False and result.diagnostics["feasible"] == [held, held]
    assert data.actor_ids[0] in result.diagnostics["blocking"]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=IDS)
def test_with_no_veto_players_veto_equals_bargaining(scenario):
    nash = _run(scenario, "nash").outcomes["x"]
    assert _run(scenario, "veto").outcomes["x"] == nash
    data = _data(scenario)
    for decision in (None, Decision("bargaining"), Decision("veto")):  # no rule, plain bargaining, no veto player
        ruled = _with_rule(scenario, decision, data.position.mean())
        result = _run(ruled, "veto").issues["x"]
        assert result.outcome == nash and result.diagnostics["rule"] == "bargaining"


@pytest.mark.parametrize("model", [name for name in RULE_MODELS if name != "veto"])
def test_decision_ignore_gives_the_bargained_outcome(model):
    scenario = SCENARIOS[0]
    data = _data(scenario)
    ruled = _with_rule(scenario, Decision("single", decider=data.actor_ids[0]), data.position.mean())
    plain = _run(scenario, model).issues["x"]
    ignored = stakes.forecast(ruled, model, seed=7, decision="ignore").issues["x"]
    decided = _run(ruled, model).issues["x"]
    assert ignored.outcome == plain.outcome and "rule" not in ignored.diagnostics
    assert np.array_equal(decided.positions, plain.positions)  # the rule decides; it moves nobody
    assert np.array_equal(decided.outcomes, plain.positions[:, 0])  # the single decider's position each round
    assert np.array_equal(decided.diagnostics["bargained"], plain.outcomes)


@pytest.mark.parametrize("model", RULE_MODELS)
def test_solve_batches_applies_the_rule_as_forecast_does(model):
    rng = np.random.default_rng(5)
    draws, n = 4, 6
    ids = tuple(f"a{k}" for k in range(n))
    issue = Issue("x", "Test issue", "low end", "high end", (0.0, 100.0), status_quo=Estimate(30.0),
                  decision=Decision("veto", veto_players=("a1", "a4"), agenda_setter="a2"))
    batch = IssueBatch(issue=issue, actor_ids=ids, position=rng.uniform(0, 100, (draws, n)),
                       salience=rng.uniform(0.05, 1, (draws, n)), capability=rng.uniform(1, 100, (draws, n)),
                       status_quo=rng.uniform(20, 40, draws))
    seeds = rng.integers(0, 2**63, size=draws, dtype=np.int64)
    estimator = make_model(model)
    result = estimator.solve_batches([batch], seeds)["x"]
    assert result.deal is not None and result.deal.dtype == bool
    for b in range(draws):
        data = batch.draw(b)
        single = estimator.decide(data, estimator.solve(data, np.random.default_rng(int(seeds[b]))))
        assert result.outcomes[b] == pytest.approx(single.outcome, abs=1e-9)
        assert bool(result.deal[b]) == single.diagnostics["deal"]
