"""The expected-utility model: agreement with the plain-Python version, known answers, the challenge
log, stop reasons, tie-breaking, options, fixed actors and batches of Monte Carlo draws."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.bdm_loop import play_round, simulate
from stakes.errors import ModelError
from stakes.models import make_model
from stakes.models.base import STOP_REASONS, IssueBatch, weighted_mean, weighted_median
from stakes.models.bdm import CAPITULATION, COMPROMISE, CONFLICT, NO_OFFER, ExpectedUtility
from stakes.scenario.model import Issue, IssueData

pytestmark = pytest.mark.usefixtures("both_engines")  # the compiled kernel and numpy alike

SCALE = (0.0, 100.0)
OPTION_SETS = {
    "default": {},
    "all_triples": {"probability": "all_triples"},
    "highest_eu": {"acceptance": "highest_eu"},
    "scholz_code_acceptance": {"acceptance": "scholz_code"},
    "challenger_salience": {"resist_salience": "challenger"},
    "status_quo": {"status_quo_probability": 0.4, "improvement_probability": 0.7},
    "positions_scale": {"distance_scale": "positions"},
    "neutral_risk": {"risk": "neutral"},
    "data_risk": {"risk": "data"},
    "mean_outcome": {"outcome": "mean"},
    "scholz_code_preset": {"probability": "all_triples", "acceptance": "scholz_code",
                           "distance_scale": "positions"},
}


def issue(position, salience, capability, ids=None, scale=SCALE, risk=None, fixed=None) -> IssueData:
    position = np.asarray(position, dtype=float)
    return IssueData(
        issue=Issue("x", "Test issue", "low", "high", tuple(scale)),
        actor_ids=tuple(ids or (f"a{k}" for k in range(len(position)))),
        position=position,
        salience=np.asarray(salience, dtype=float),
        capability=np.asarray(capability, dtype=float),
        risk=None if risk is None else np.asarray(risk, dtype=float),
        fixed=None if fixed is None else np.asarray(fixed, dtype=bool),
    )


def random_issue(seed: int) -> IssueData:
    """2–9 actors, sometimes on a few shared levels (ties, blocs), sometimes with a weightless one."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 10))
    if rng.random() < 0.4:
        position = rng.choice(np.linspace(*SCALE, 5), size=n)
    else:
        position = rng.uniform(*SCALE, size=n)
    salience = rng.uniform(0.05, 1.0, size=n)
    if rng.random() < 0.3:
        salience[int(rng.integers(n))] = 0.0
    ids = [f"actor{k}" for k in rng.permutation(n)]
    return issue(position, salience, rng.uniform(1, 50, size=n), ids, risk=rng.uniform(-1, 1, size=n))


def solve(data: IssueData, **options):
    return ExpectedUtility(**options).solve(data, np.random.default_rng(0))


def loop_run(data: IssueData, **options):
    return simulate(data.position.tolist(), data.salience.tolist(), data.capability.tolist(),
                    list(data.actor_ids), data.issue.scale,
                    None if data.risk is None else data.risk.tolist(),
                    fixed=None if data.fixed is None else data.fixed.tolist(), **options)


def real_moves(rows, width: float) -> list[tuple]:
    """(round, challenger, target, kind, new position) of the moves larger than float noise."""
    return [(r, c, t, k, new) for r, c, t, k, old, new in rows if abs(new - old) > 1e-7 * width]


# --- agreement with the plain-Python version ---------------------------------------------------

@pytest.mark.parametrize("options", OPTION_SETS.values(), ids=OPTION_SETS.keys())
@pytest.mark.parametrize("seed", range(6))
def test_vectorised_run_equals_loop_version(options, seed):
    data = random_issue(seed)
    fast, slow = solve(data, **options), loop_run(data, **options)
    width = data.issue.width
    assert fast.stop_reason == slow.stop_reason
    np.testing.assert_allclose(fast.positions, slow.positions, rtol=0, atol=1e-9 * width)
    np.testing.assert_allclose(fast.outcomes, slow.outcomes, rtol=0, atol=1e-9 * width)
    active = [a for a, c, s in zip(data.actor_ids, data.capability, data.salience) if c * s > 0]
    risk = np.array([fast.diagnostics["risk_exponents"][a] for a in active]).T.reshape(-1, len(active))
    np.testing.assert_allclose(risk, np.array(slow.risk_exponents).reshape(-1, len(active)), rtol=1e-9)
    logged = [tuple(row[:6]) for row in fast.challenges.itertuples(index=False)]
    fast_moves, slow_moves = real_moves(logged, width), real_moves(slow.moves, width)
    assert [m[:4] for m in fast_moves] == [m[:4] for m in slow_moves]
    np.testing.assert_allclose([m[4] for m in fast_moves], [m[4] for m in slow_moves], atol=1e-9 * width)


@pytest.mark.parametrize("probability", ["pairwise", "all_triples"])
@pytest.mark.parametrize("seed", range(4))
def test_round_quantities_equal_loop_version(probability, seed):
    data = random_issue(100 + seed)
    keep = data.capability * data.salience > 0
    data = data.subset(np.flatnonzero(keep))
    if np.ptp(data.position) == 0:
        pytest.skip("every active actor agrees")
    model = ExpectedUtility(probability=probability, status_quo_probability=0.5,
                            improvement_probability=0.3)
    fast = model.round_details(data)
    slow = play_round(data.position.tolist(), data.salience.tolist(),
                      (data.capability * data.salience).tolist(), list(data.actor_ids), data.issue.width,
                      None, {"probability": probability, "resist_salience": "target",
                             "acceptance": "least_move", "status_quo_probability": 0.5,
                             "improvement_probability": 0.3})
    for ours, theirs in ((fast.neutral_win_probability, slow.neutral_win_probability),
                         (fast.neutral_expected_utility, slow.neutral_expected_utility),
                         (fast.risk_exponent, slow.risk_exponent),
                         (fast.win_probability, slow.win_probability),
                         (fast.expected_utility, slow.expected_utility),
                         (fast.rival_expected_utility, slow.rival_expected_utility)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)
    assert fast.accepted.tolist() == slow.accepted


def test_prefix_sum_votes_equal_the_direct_triple_sum_on_many_tied_actors():
    rng = np.random.default_rng(8)
    n = 60
    data = issue(rng.choice([0.0, 10.0, 35.0, 50.0, 90.0, 100.0], n),
                 rng.uniform(0.1, 1, n), rng.uniform(1, 5, n))
    details = ExpectedUtility(risk="neutral").round_details(data)
    x, w = data.position, data.capability * data.salience
    loss = np.abs(x[:, None] - x[None, :]) / data.issue.width
    votes = w[:, None, None] * (loss[:, None, :] - loss[:, :, None])  # votes[k, a, b] for a over b
    support = np.clip(votes, 0, None).sum(axis=0)
    cast = np.abs(votes).sum(axis=0)
    expected = np.divide(support, cast, out=np.zeros_like(support), where=cast > 0)
    np.testing.assert_allclose(details.win_probability, expected, rtol=1e-12, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 100, allow_subnormal=False), st.floats(0.01, 1),
                          st.floats(0.01, 100)), min_size=2, max_size=12))
def test_all_triples_probabilities_are_pairwise_ones_rescaled(actors):
    data = issue(*zip(*actors))
    if np.ptp(data.position) == 0:
        return
    pairwise = ExpectedUtility(risk="neutral").round_details(data).win_probability
    triples = ExpectedUtility(risk="neutral", probability="all_triples").round_details(data).win_probability
    distinct = data.position[:, None] != data.position[None, :]
    np.testing.assert_allclose((pairwise + pairwise.T)[distinct], 1.0, atol=1e-12)
    assert np.all(triples <= pairwise + 1e-12)
    shares = np.divide(triples, triples + triples.T, out=np.zeros_like(triples), where=distinct)
    np.testing.assert_allclose(shares[distinct], pairwise[distinct], atol=1e-9)


# --- known answers ------------------------------------------------------------------------------

def test_two_actor_contest_by_hand():
    # A at 0 (weight 1), B at 100 (weight 0.5), risk-neutral: P_AB = 1/1.5, U_s = 2, U_f = −2, U_sq = 0
    data = issue([0, 100], [1.0, 0.5], [1.0, 1.0], ["A", "B"])
    details = ExpectedUtility(risk="neutral").round_details(data)
    assert details.win_probability[0, 1] == pytest.approx(2 / 3)
    assert details.expected_utility[0, 1] == pytest.approx(0.5 * (2 / 3 * 2 - 1 / 3 * 2) + 0.5 * 2)  # 4/3
    assert details.expected_utility[1, 0] == pytest.approx(1 / 3 * 2 - 2 / 3 * 2)  # −2/3
    # B loses 2/3 by challenging, A gains 4/3: B compromises half the way
    assert details.offer_kind.tolist() == [[NO_OFFER, NO_OFFER], [COMPROMISE, NO_OFFER]]
    result = solve(data, risk="neutral", rounds=1)
    assert result.positions[1].tolist() == pytest.approx([0.0, 50.0])
    row = result.challenges.iloc[0]
    assert (row["challenger"], row["target"], row["kind"]) == ("A", "B", "compromise")
    assert "50.0%" in row["details"]


@pytest.mark.parametrize("t, expected_own", [(1.0, 4 / 3 - 0.5 * 1.0), (0.0, 4 / 3 + 0.5 * 1.0)])
def test_status_quo_terms_by_hand(t, expected_own):
    # median μ = 0 (A holds two thirds of the weight); A's U_b = 2 − 4(0.5 − 0.25) = 1, U_w = −1
    data = issue([0, 100], [1.0, 0.5], [1.0, 1.0], ["A", "B"])
    details = ExpectedUtility(risk="neutral", status_quo_probability=0.5,
                              improvement_probability=t).round_details(data)
    assert details.expected_utility[0, 1] == pytest.approx(expected_own)
    # B challenging A: |x_B − μ| + d = 2 scale widths, so U_b = 2 and U_w = −2
    assert details.expected_utility[1, 0] == pytest.approx(-2 / 3 - 0.5 * (2.0 if t == 1.0 else -2.0))


def test_risk_from_data_uses_bdm_exponents():
    data = issue([0, 40, 100], [0.5, 0.5, 0.5], [1, 1, 1], risk=[1.0, 0.0, -1.0])
    result = solve(data, risk="data", rounds=2, tolerance=0.0)
    exponents = result.diagnostics["risk_exponents"]
    assert exponents["a0"][0] == pytest.approx(0.5)
    assert exponents["a1"][0] == pytest.approx(1.0)
    assert exponents["a2"][0] == pytest.approx(2.0)
    with pytest.raises(ModelError, match="risk attitude"):
        solve(issue([0, 100], [1, 1], [1, 1]), risk="data")


def test_security_risk_exponents_span_half_to_two():
    data = random_issue(3)
    risk = ExpectedUtility().round_details(data).risk_exponent
    assert risk.min() == pytest.approx(0.5) and risk.max() == pytest.approx(2.0)


def test_translation_and_reflection_move_the_forecast_with_the_scale():
    data = random_issue(21)
    base = solve(data)
    shifted = solve(issue(data.position + 50, data.salience, data.capability, data.actor_ids, (50.0, 150.0)))
    mirrored = solve(issue(100 - data.position, data.salience, data.capability, data.actor_ids))
    np.testing.assert_allclose(shifted.positions, base.positions + 50, atol=1e-9)
    np.testing.assert_allclose(mirrored.positions, 100 - base.positions, atol=1e-9)


# --- the challenge log --------------------------------------------------------------------------

@pytest.mark.parametrize("seed", range(5))
def test_log_says_who_moved_whom(seed):
    data = random_issue(200 + seed)
    result = solve(data)
    index = {a: k for k, a in enumerate(data.actor_ids)}
    log = result.challenges
    assert set(log["kind"]) <= {"conflict", "compromise", "capitulation"}
    assert not log.duplicated(["round", "target"]).any()
    for row in log.itertuples(index=False):
        k = index[row.target]
        assert row.old_position == result.positions[row.round - 1, k]
        assert row.new_position == result.positions[row.round, k]
        assert row.target in row.details and row.challenger in row.details
        if row.kind != "compromise":
            assert row.new_position == result.positions[row.round - 1, index[row.challenger]]
    for r in range(1, result.rounds + 1):
        moved = set(log.loc[log["round"] == r, "target"])
        for actor in set(data.actor_ids) - moved:
            assert result.positions[r, index[actor]] == result.positions[r - 1, index[actor]]


def test_offers_log_adds_every_offer_set_aside():
    data = random_issue(7)
    moves = solve(data).challenges
    offers = solve(data, challenge_log="offers").challenges
    assert len(offers) > len(moves)
    taken = offers[~offers["details"].str.contains("set aside")]
    assert taken.reset_index(drop=True).equals(moves.reset_index(drop=True))
    aside = offers[offers["details"].str.contains("set aside")]
    assert (aside["new_position"] == aside["old_position"]).all()


def test_ties_between_offers_go_to_the_lowest_id_whatever_the_order():
    # "mid" gets equal conflict offers from two mirror-image actors, 10 below and 10 above it
    for ids, position in ((("left", "mid", "right"), [40, 50, 60]), (("right", "mid", "left"), [60, 50, 40])):
        result = solve(issue(position, [0.9, 0.05, 0.9], [5, 0.1, 5], ids), rounds=1)
        row = result.challenges.set_index("target").loc["mid"]
        assert row["challenger"] == "left"
        assert row["new_position"] == position[ids.index("left")]


def test_acceptance_rules_pick_the_documented_offer():
    data = random_issue(11)
    data = data.subset(np.flatnonzero(data.capability * data.salience > 0))
    for acceptance in ("least_move", "highest_eu", "scholz_code"):
        details = ExpectedUtility(acceptance=acceptance).round_details(data)
        x = details.position
        for i, j in enumerate(details.accepted):
            offers = np.flatnonzero(details.offer_kind[i] != NO_OFFER)
            if j < 0:
                assert len(offers) == 0
                continue
            moves = np.abs(details.proposal[i, offers] - x[i])
            if acceptance == "least_move":
                assert abs(details.proposal[i, j] - x[i]) <= moves.min() + 1e-9
            elif acceptance == "highest_eu":
                assert details.rival_expected_utility[i, j] >= details.rival_expected_utility[i, offers].max() - 1e-12
            elif (details.offer_kind[i, offers] == CONFLICT).any():
                assert details.offer_kind[i, j] == CONFLICT


def test_offer_kinds_follow_the_expected_utilities():
    details = ExpectedUtility().round_details(random_issue(12))
    own, rival, kind, x = (details.expected_utility, details.rival_expected_utility, details.offer_kind,
                           details.position)
    assert np.all(rival[kind == CONFLICT] > own[kind == CONFLICT])
    assert np.all(own[kind == CONFLICT] > 0)
    assert np.all(-own[kind == COMPROMISE] < rival[kind == COMPROMISE])
    assert np.all(-own[kind == CAPITULATION] >= rival[kind == CAPITULATION])
    i, j = np.nonzero(kind == COMPROMISE)
    low, high = np.minimum(x[i], x[j]), np.maximum(x[i], x[j])
    assert np.all((low <= details.proposal[i, j]) & (details.proposal[i, j] <= high))


# --- stopping -----------------------------------------------------------------------------------

def test_stops_on_a_cycle():
    result = solve(issue([50, 100, 25, 50], [0.8, 0.5, 0.2, 0.5], [1, 3, 3, 3]))
    assert result.stop_reason == "cycle"
    assert result.rounds == 3
    assert np.array_equal(result.positions[3], result.positions[1])


def test_stops_when_everyone_agrees():
    result = solve(issue([0, 75], [0.5, 0.8], [3, 3], ["a", "b"]))
    assert result.stop_reason == "converged"
    assert result.rounds == 1
    assert result.positions[-1].tolist() == [75.0, 75.0]
    assert result.outcome == 75.0


def test_stops_when_nothing_moves():
    # mirror-image rivals expect exactly the same gain from a fight, so neither yields
    result = solve(issue([71, 40], [0.43, 0.43], [17, 17]))
    assert (result.stop_reason, result.rounds) == ("converged", 1)
    assert result.positions.tolist() == [[71.0, 40.0], [71.0, 40.0]]
    assert result.challenges.empty


def test_stops_when_moves_fall_below_the_tolerance():
    data = issue([75, 50], [0.8, 0.5], [1, 3])
    moves = np.abs(np.diff(solve(data).positions, axis=0)).max(axis=1)
    tolerance = (moves[2] + moves[3]) / 2 / data.issue.width
    result = solve(data, tolerance=tolerance)
    assert (result.stop_reason, result.rounds) == ("converged", 4)


def test_stops_at_the_round_limit():
    result = solve(issue([75, 50], [0.8, 0.5], [1, 3]), rounds=3)
    assert (result.stop_reason, result.rounds) == ("round_limit", 3)
    assert result.positions.shape == (4, 2)
    assert len(result.outcomes) == 4


def test_unanimous_start_plays_no_round():
    result = solve(issue([30, 30, 30], [0.5, 0.7, 0.9], [1, 2, 3]))
    assert (result.stop_reason, result.rounds, result.outcome) == ("converged", 0, 30.0)
    assert result.challenges.empty


# --- actors without weight, outcomes, options ---------------------------------------------------

def test_weightless_actors_take_no_part():
    data = issue([0, 40, 100, 100], [0.8, 0.6, 0.0, 0.9], [5, 5, 50, 0.0], ["a", "b", "mute", "powerless"])
    result = solve(data)
    assert result.diagnostics["excluded_actors"] == ["mute", "powerless"]
    assert np.all(result.positions[:, 2:] == 100.0)
    assert not set(result.challenges["challenger"]) & {"mute", "powerless"}
    assert not set(result.challenges["target"]) & {"mute", "powerless"}
    assert result.outcomes.tolist() == solve(data.subset([0, 1])).outcomes.tolist()


@pytest.mark.parametrize("outcome, rule", [("median", weighted_median), ("mean", weighted_mean)])
def test_outcome_each_round_is_the_weighted_median_or_mean(outcome, rule):
    data = random_issue(31)
    result = solve(data, outcome=outcome)
    w = data.capability * data.salience
    assert result.outcomes.tolist() == [rule(row, w) for row in result.positions]
    other = "weighted_mean" if outcome == "median" else "weighted_median"
    assert len(result.diagnostics[other]) == result.rounds + 1


def test_distance_scale_choice_matters_only_when_positions_do_not_span_the_scale():
    data = random_issue(41)
    narrow = issue(data.position * 0.5 + 20, data.salience, data.capability, data.actor_ids)
    assert solve(narrow, distance_scale="scale").diagnostics["distance_scale"] == 100.0
    spread = float(np.ptp(narrow.position[narrow.capability * narrow.salience > 0]))
    assert solve(narrow, distance_scale="positions").diagnostics["distance_scale"] == pytest.approx(spread)
    full = issue([0, 30, 100], [0.5, 0.9, 0.4], [2, 1, 3])
    a, b = solve(full, distance_scale="scale"), solve(full, distance_scale="positions")
    np.testing.assert_array_equal(a.positions, b.positions)


def test_options_change_the_round_as_documented():
    data = random_issue(51)
    default = ExpectedUtility().round_details(data)
    swapped = ExpectedUtility(resist_salience="challenger").round_details(data)
    np.testing.assert_allclose(default.neutral_win_probability, swapped.neutral_win_probability)
    assert not np.allclose(default.expected_utility, swapped.expected_utility)
    triples = ExpectedUtility(probability="all_triples").round_details(data)
    assert triples.win_probability.max() < default.win_probability.max()


def test_positions_outside_the_scale_are_refused_unless_distances_use_the_positions():
    data = issue([-10, 50, 100], [0.5, 0.5, 0.5], [1, 1, 1])
    with pytest.raises(ModelError, match="outside the scale"):
        solve(data)
    assert solve(data, distance_scale="positions").rounds >= 1


@pytest.mark.parametrize("options", [{"probability": "votes"}, {"acceptance": "first"}, {"rounds": 0},
                                     {"rounds": 2.5}, {"tolerance": -1.0}, {"status_quo_probability": 1.5},
                                     {"improvement_probability": -0.1}, {"risk": "high"},
                                     {"outcome": "mode"}, {"challenge_log": "all"}])
def test_bad_options_are_refused(options):
    with pytest.raises(ValueError):
        ExpectedUtility(**options)


def test_registered_variants():
    assert isinstance(make_model("bdm"), ExpectedUtility)
    preset = make_model("bdm-scholz-code").get_params()
    assert (preset["probability"], preset["acceptance"], preset["distance_scale"]) == (
        "all_triples", "scholz_code", "positions")
    assert make_model("bdm", rounds=4).rounds == 4


# --- fixed actors -------------------------------------------------------------------------------

def with_fixed(data: IssueData, fixed) -> IssueData:
    return issue(data.position, data.salience, data.capability, data.actor_ids, data.issue.scale,
                 data.risk, fixed)


@pytest.mark.parametrize("options", [{}, {"acceptance": "scholz_code", "probability": "all_triples"},
                                     {"status_quo_probability": 0.5, "risk": "data"}],
                         ids=["default", "scholz_code", "status_quo_data_risk"])
@pytest.mark.parametrize("seed", range(4))
def test_fixed_actors_stay_put_and_match_the_loop_version(options, seed):
    data = random_issue(300 + seed)
    fixed = np.zeros(data.n, dtype=bool)
    fixed[np.random.default_rng(seed).choice(data.n, size=max(1, data.n // 3), replace=False)] = True
    data = with_fixed(data, fixed)
    fast, slow = solve(data, **options), loop_run(data, **options)
    assert np.all(fast.positions[:, fixed] == data.position[fixed])
    assert not set(fast.challenges["target"]) & {data.actor_ids[k] for k in np.flatnonzero(fixed)}
    assert fast.stop_reason == slow.stop_reason
    np.testing.assert_allclose(fast.positions, slow.positions, rtol=0, atol=1e-9 * data.issue.width)


def test_fixing_nobody_changes_nothing():
    for seed in range(3):
        data = random_issue(310 + seed)
        a, b = solve(data), solve(with_fixed(data, np.zeros(data.n, dtype=bool)))
        np.testing.assert_array_equal(a.positions, b.positions)
        assert a.challenges.equals(b.challenges)


def test_a_fixed_actor_still_challenges_and_is_challenged():
    # B alone would compromise towards A (as in the two-actor contest by hand); fixed, it holds
    data = issue([0, 100], [1.0, 0.5], [1.0, 1.0], ["A", "B"], fixed=[False, True])
    details = ExpectedUtility(risk="neutral").round_details(data)
    assert details.offer_kind[1, 0] == COMPROMISE and details.accepted.tolist() == [-1, -1]
    result = solve(data, risk="neutral", challenge_log="offers")
    assert result.positions.tolist() == [[0.0, 100.0], [0.0, 100.0]]
    assert result.stop_reason == "converged"
    row = result.challenges.iloc[0]
    assert (row["challenger"], row["target"], row["new_position"]) == ("A", "B", 100.0)
    assert "fixed" in row["details"] and "set aside" in row["details"]


# --- batches of draws ---------------------------------------------------------------------------

def random_batch(seed: int, draws: int = 12, n: int | None = None) -> IssueBatch:
    """Draws of one issue: ties on shared levels in some draws, a zero-salience actor in others
    (so the active actors change from draw to draw), risk attitudes and one fixed actor."""
    rng = np.random.default_rng(seed)
    n = n or int(rng.integers(2, 10))
    position = rng.uniform(*SCALE, size=(draws, n))
    levels = rng.random(draws) < 0.4
    position[levels] = rng.choice(np.linspace(*SCALE, 5), size=(int(levels.sum()), n))
    salience = rng.uniform(0.05, 1.0, size=(draws, n))
    mute = rng.random(draws) < 0.3
    salience[mute, rng.integers(n, size=int(mute.sum()))] = 0.0
    fixed = np.zeros(n, dtype=bool)
    fixed[int(rng.integers(n))] = rng.random() < 0.7
    return IssueBatch(issue=Issue("x", "Test issue", "low", "high", SCALE),
                      actor_ids=tuple(f"actor{k}" for k in rng.permutation(n)), position=position,
                      salience=salience, capability=rng.uniform(1, 50, size=(draws, n)),
                      risk=rng.uniform(-1, 1, size=(draws, n)), fixed=fixed)


@pytest.mark.parametrize("options", OPTION_SETS.values(), ids=OPTION_SETS.keys())
@pytest.mark.parametrize("seed", range(3))
def test_solve_batch_equals_solve_draw_by_draw(options, seed):
    batch = random_batch(400 + seed)
    model = ExpectedUtility(**options)
    together = model.solve_batch(batch, np.arange(batch.draws))
    assert together.final_positions.shape == batch.position.shape
    for b in range(batch.draws):
        alone = model.solve(batch.draw(b), np.random.default_rng(b))
        np.testing.assert_allclose(together.final_positions[b], alone.positions[-1], rtol=0, atol=1e-12)
        assert together.outcomes[b] == pytest.approx(alone.outcome, abs=1e-12)
        assert together.rounds[b] == alone.rounds
        assert STOP_REASONS[together.stop_reasons[b]] == alone.stop_reason


def test_batch_results_do_not_depend_on_how_draws_are_split():
    batch = random_batch(410, draws=30, n=8)
    model = ExpectedUtility(rounds=20)
    whole = model.solve_batch(batch, np.arange(30))
    parts = [model.solve_batch(IssueBatch(batch.issue, batch.actor_ids, batch.position[s],
                                          batch.salience[s], batch.capability[s], batch.risk[s],
                                          batch.fixed), np.arange(30)[s])
             for s in (slice(0, 7), slice(7, 8), slice(8, 30))]
    for name in ("outcomes", "final_positions", "rounds", "stop_reasons"):
        np.testing.assert_array_equal(getattr(whole, name), np.concatenate([getattr(p, name) for p in parts]))


def test_batch_outcome_median_splits_exact_ties_like_the_scalar_median():
    # two equal halves that never move (both fixed): the median is the midpoint, in every draw
    batch = IssueBatch(issue=Issue("x", "Test issue", "low", "high", SCALE), actor_ids=("a", "b"),
                       position=np.array([[20.0, 60.0], [0.0, 100.0]]), salience=np.full((2, 2), 0.5),
                       capability=np.full((2, 2), 3.0), fixed=np.array([True, True]))
    result = ExpectedUtility().solve_batch(batch, np.arange(2))
    assert result.outcomes.tolist() == [40.0, 50.0]
    assert result.outcomes.tolist() == [weighted_median(p, np.full(2, 1.5)) for p in batch.position]


def test_batch_refuses_what_solve_refuses():
    batch = random_batch(420, draws=3)
    with pytest.raises(ModelError, match="outside the scale"):
        ExpectedUtility().solve_batch(IssueBatch(batch.issue, batch.actor_ids, batch.position - 200,
                                                 batch.salience, batch.capability), np.arange(3))
    with pytest.raises(ModelError, match="risk attitude"):
        ExpectedUtility(risk="data").solve_batch(IssueBatch(batch.issue, batch.actor_ids, batch.position,
                                                            batch.salience, batch.capability), np.arange(3))


def test_medians_each_round_equal_the_scalar_median_on_blocs():
    # equal weights on a few shared levels: exact half-splits, where the median takes a midpoint
    rng = np.random.default_rng(430)
    for _ in range(10):
        n = int(rng.integers(2, 9))
        data = issue(rng.choice([10.0, 40.0, 60.0, 90.0], n), np.full(n, 0.5), rng.choice([1.0, 2.0], n))
        result = solve(data, rounds=4)
        w = data.capability * data.salience
        assert result.outcomes.tolist() == [weighted_median(row, w) for row in result.positions]
