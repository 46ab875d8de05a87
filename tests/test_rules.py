"""Decision rules against cases worked by hand: win-sets, veto intervals, pivots, outcomes, blockers."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

import stakes
from stakes.errors import ModelError
from stakes.models import rules
from stakes.models.base import IssueBatch
from stakes.scenario.model import Decision, Estimate
from tests.conftest import make_scenario

SCALE = (0.0, 100.0)
IDS = ("a", "b", "c", "d", "e")


def test_a_win_set_runs_from_the_status_quo_to_its_mirror_in_the_ideal():
    low, high = rules.win_sets(np.array([70.0, 20.0, 40.0]), 40.0)
    assert low.tolist() == [40, 0, 40] and high.tolist() == [100, 40, 40]


def test_the_veto_interval_is_the_overlap_of_the_veto_players_win_sets_within_the_scale():
    ideal = np.array([60.0, 90.0, 10.0])
    # 60 accepts [40, 80], 90 accepts [40, 140]; the third actor is no veto player
    low, high = rules.veto_interval(ideal, np.array([True, True, False]), 40.0, SCALE)
    assert (low, high) == (40, 80)
    low, high = rules.veto_interval(ideal, np.array([False, True, False]), 40.0, SCALE)
    assert (low, high) == (40, 100)  # 140 cut at the scale's end
    low, high = rules.veto_interval(ideal, np.array([True, True, True]), 40.0, SCALE)
    assert (low, high) == (40, 40)  # 10 is on the other side: only the status quo is left


def veto(*players, setter=None):
    return Decision("veto", veto_players=players, agenda_setter=setter)


@pytest.mark.parametrize("setter, expected", [("c", 80.0), ("d", 50.0), ("e", 40.0)])
def test_the_agenda_setter_takes_the_point_of_the_veto_interval_nearest_its_ideal(setter, expected):
    ideal = np.array([60.0, 90.0, 95.0, 50.0, 10.0])
    ruled = rules.apply_rule(veto("a", "b", setter=setter), IDS, ideal, np.ones(5), 40.0, SCALE)
    assert (float(ruled.low), float(ruled.high), bool(ruled.deal)) == (40, 80, True)
    assert float(ruled.outcome) == expected  # a setter at 10 prefers the status quo to any deal


@pytest.mark.parametrize("weights, expected", [((1, 1), 60.0), ((1, 3), 70.0)])
def test_without_a_setter_the_veto_players_split_the_gains_by_nash_bargaining(weights, expected):
    # Ideals 60 and 90, status quo 40, linear utilities: on [60, 80] the gains over the status quo are
    # (80 − x)/100 and (x − 40)/100, so w1 log(80 − x) + w2 log(x − 40) peaks where
    # w2 (80 − x) = w1 (x − 40): x = 60 for equal weights, 70 for weights 1 and 3 (below 60 both gains
    # grow with x). Other actors do not count.
    ideal = np.array([60.0, 90.0, 0.0, 100.0, 100.0])
    weight = np.array([*weights, 50.0, 50.0, 50.0])
    ruled = rules.apply_rule(veto("a", "b"), IDS, ideal, weight, 40.0, SCALE)
    assert float(ruled.outcome) == pytest.approx(expected, abs=1e-9)


def test_a_veto_player_at_the_status_quo_blocks_and_so_do_players_on_both_sides():
    ideal = np.array([20.0, 70.0, 90.0, 40.0, 40.0])
    weight = np.array([1.0, 1.0, 1.0, 0.0, 0.0])  # d and e only stand there
    # 20 and 70 on both sides of 40: the others' weighted median (70) lies right, so 20 blocks
    ruled = rules.apply_rule(veto("a", "b"), IDS, ideal, weight, 40.0, SCALE)
    assert (float(ruled.outcome), bool(ruled.deal)) == (40, False)
    assert ruled.summary(IDS) == {"rule": "veto", "deal": False, "blocking": ["a"], "feasible": [40.0, 40.0]}
    # with a setter at 0 the change wanted runs left, and 70 blocks it
    assert rules.apply_rule(veto("a", "b", setter="e"), IDS, ideal - np.array([0, 0, 0, 0, 40]), weight,
                            40.0, SCALE).summary(IDS)["blocking"] == ["b"]
    # a veto player standing at the status quo blocks whatever the others want
    ruled = rules.apply_rule(veto("b", "d"), IDS, ideal, weight, 40.0, SCALE)
    assert (float(ruled.outcome), ruled.summary(IDS)["blocking"]) == (40, ["d"])


def test_stated_acceptance_sets_that_miss_each_other_leave_no_deal_and_name_who_blocks():
    # Status quo 0. a at 30 signs [0, 60] and b at 10 signs [0, 20] by nearness; c stands at 95, which
    # by nearness would sign anything up to 100, but states that it signs only [70, 100].
    ideal = np.array([30.0, 10.0, 95.0, 50.0, 50.0])
    weight = np.ones(5)
    stated = replace(veto("a", "b", "c"), accepts={"c": (70.0, 100.0)})
    ruled = rules.apply_rule(stated, IDS, ideal, weight, 0.0, SCALE)
    # [0, 60] ∩ [0, 20] ∩ [70, 100] is empty: no deal, the status quo stays; without c, [0, 20] would
    # pass, and neither a nor b alone stands in the way, so c alone blocks
    assert (float(ruled.outcome), bool(ruled.deal)) == (0.0, False)
    assert ruled.summary(IDS)["blocking"] == ["c"] and ruled.summary(IDS)["feasible"] is None
    # by nearness alone the three agree on [0, 20]
    assert bool(rules.apply_rule(veto("a", "b", "c"), IDS, ideal, weight, 0.0, SCALE).deal)
    # c signing from 15 up leaves [15, 20], away from the status quo: a deal inside it
    wider = replace(stated, accepts={"c": (15.0, 100.0)})
    ruled = rules.apply_rule(wider, IDS, ideal, weight, 0.0, SCALE)
    assert bool(ruled.deal) and (float(ruled.low), float(ruled.high)) == (15.0, 20.0)
    assert 15.0 <= float(ruled.outcome) <= 20.0
    # rows at once: the same answers per row
    rows = rules.apply_rule(stated, IDS, np.stack([ideal, ideal]), weight, np.array([0.0, 0.0]), SCALE)
    assert rows.deal.tolist() == [False, False] and rows.outcome.tolist() == [0.0, 0.0]


def test_majority_pivots_and_the_median_voter():
    ideal = np.array([10.0, 30.0, 50.0, 70.0, 90.0])
    votes = np.ones(5)
    assert rules.pivots(ideal, votes, 0.5, strict=True) == (50, 50)
    # status quo 80: the median 50 pulls left, up to 2 × 50 − 80 = 20
    majority = Decision("majority", voters=IDS)
    ruled = rules.apply_rule(majority, IDS, ideal, np.ones(5), 80.0, SCALE)
    assert (float(ruled.low), float(ruled.high), float(ruled.outcome)) == (20, 80, 50)
    # weights 1, 1, 1, 1, 5 (total 9): the voter at 90 alone holds more than half
    weighted = replace(majority, weights=dict(zip(IDS, [1.0, 1.0, 1.0, 1.0, 5.0], strict=True)))
    ruled = rules.apply_rule(weighted, IDS, ideal, np.ones(5), 80.0, SCALE)
    assert (float(ruled.low), float(ruled.high), float(ruled.outcome)) == (80, 100, 90)


def test_a_tied_majority_keeps_the_status_quo_between_the_two_camps():
    ideal = np.array([20.0, 80.0])
    assert rules.pivots(ideal, np.ones(2), 0.5, strict=True) == (20, 80)
    ruled = rules.apply_rule(Decision("majority", voters=("a", "b")), ("a", "b"), ideal, np.ones(2), 50.0, SCALE)
    assert (float(ruled.outcome), bool(ruled.deal)) == (50, False)


@pytest.mark.parametrize("status_quo, low, high, outcome", [
    (50.0, 50, 50, 50),   # inside the pivots [30, 70]: nothing passes
    (10.0, 10, 50, 50),   # the right pivot 30 lets the outcome move up to 50; the median 50 fits
    (20.0, 20, 40, 40),   # up to 2 × 30 − 20 = 40; the median is held at 40
    (95.0, 45, 95, 50),   # the left pivot 70 lets it move down to 45
])
def test_qualified_majority_moves_only_past_the_pivots(status_quo, low, high, outcome):
    # five equal voters, threshold 0.7 (3.5 of 5 votes): counted from the top, 90, 70, 50, 30 reach
    # 4 votes at 30 (the right pivot); from the bottom 10, 30, 50, 70 at 70 (the left pivot)
    ideal = np.array([10.0, 30.0, 50.0, 70.0, 90.0])
    assert rules.pivots(ideal, np.ones(5), 0.7, strict=False) == (30, 70)
    ruled = rules.apply_rule(Decision("qualified_majority", voters=IDS, threshold=0.7), IDS, ideal,
                             np.ones(5), status_quo, SCALE)
    assert (float(ruled.low), float(ruled.high), float(ruled.outcome)) == (low, high, outcome)
    assert bool(ruled.deal) == (low < high)


def test_a_qualified_majority_reached_exactly_passes():
    # threshold 0.6 of five equal voters is exactly 3 votes: 90, 70, 50 reach it at 50
    ideal = np.array([10.0, 30.0, 50.0, 70.0, 90.0])
    assert rules.pivots(ideal, np.ones(5), 0.6, strict=False) == (50, 50)


def test_a_single_decider_decides():
    ruled = rules.apply_rule(Decision("single", decider="c"), IDS, np.array([1.0, 2.0, 3.0, 4.0, 5.0]),
                             np.ones(5), 4.0, SCALE)
    assert float(ruled.outcome) == 3 and ruled.deal is None and ruled.low is None


def test_rows_are_solved_at_once_and_equal_one_by_one():
    rng = np.random.default_rng(0)
    ideal = rng.uniform(0, 100, (50, 5))
    weight = rng.uniform(0, 1, (50, 5))
    sq = rng.uniform(0, 100, 50)
    for decision in (veto("a", "c"), veto("a", "b", setter="e"), Decision("majority", voters=IDS),
                     Decision("qualified_majority", voters=("a", "b", "c", "d"), threshold=0.75),
                     Decision("single", decider="d")):
        rows = rules.apply_rule(decision, IDS, ideal, weight, sq, SCALE)
        for k in range(50):
            one = rules.apply_rule(decision, IDS, ideal[k], weight[k], sq[k], SCALE)
            assert float(one.outcome) == pytest.approx(rows.outcome[k], abs=1e-9)
            assert np.array_equal(one.blocking, rows.blocking[k])


def test_a_rule_naming_an_actor_without_a_stance_is_a_model_error():
    with pytest.raises(ModelError, match="zed"):
        rules.apply_rule(veto("a", "zed"), IDS, np.zeros(5), np.ones(5), 0.0, SCALE)


# --- the veto model ----------------------------------------------------------------------------------

def ruled_scenario(decision, status_quo, positions=(60, 90, 0, 100), weight=(1, 3, 1, 1)):
    sc = make_scenario(list(positions), [1.0] * len(positions), list(weight), ids=["a", "b", "c", "d"])
    issue = replace(sc.issues[0], status_quo=Estimate(float(status_quo)), decision=decision)
    return replace(sc, issues=(issue,))


def test_the_veto_model_reports_deal_blocking_and_the_feasible_interval():
    result = stakes.forecast(ruled_scenario(veto("a", "b"), 40), "veto").issues["x"]
    assert result.outcome == pytest.approx(70, abs=1e-9)  # weights 1 and 3, as worked above
    assert result.diagnostics == {"rule": "veto", "deal": True, "blocking": [], "feasible": [40.0, 80.0]}
    stuck = stakes.forecast(ruled_scenario(veto("a", "b"), 75), "veto").issues["x"]
    assert stuck.outcome == 75 and stuck.diagnostics["deal"] is False
    assert stuck.diagnostics["blocking"] == ["a"]  # the weighted median (90) lies above 75; a (60) refuses


def test_the_veto_model_batch_reports_a_deal_per_draw():
    sc = ruled_scenario(veto("a", "b"), 40)
    data = sc.issue_data("x")
    batch = IssueBatch(issue=sc.issues[0], actor_ids=data.actor_ids, position=np.tile(data.position, (3, 1)),
                       salience=np.tile(data.salience, (3, 1)), capability=np.tile(data.capability, (3, 1)),
                       status_quo=np.array([40.0, 75.0, 95.0]))
    result = stakes.models.make_model("veto").solve_batch(batch, np.zeros(3, dtype=np.int64))
    assert result.deal.tolist() == [True, False, True]
    # status quo 95: win-sets [25, 95] and [85, 95]. On [85, 90] the gains over the status quo are
    # (95 − x)/100 and (x − 85)/100, and log(95 − x) + 3 log(x − 85) grows up to 92.5 > 90; past 90
    # both gains fall. So 90, b's ideal.
    assert result.outcomes.tolist() == pytest.approx([70, 75, 90], abs=1e-9)


def test_a_rule_describes_itself_in_a_few_words():
    assert veto("a", "b", setter="c").describe() == "veto: a, b; setter c"
    assert Decision("single", decider="d").describe() == "single: d"
    assert Decision("qualified_majority", voters=IDS, threshold=0.71).describe() == \
        "qualified_majority of 5 voters (71%)"
    assert Decision("majority", voters=("a", "b")).describe() == "majority: a, b"
