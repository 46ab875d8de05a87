"""The "bdm-scholz-code" preset against an independent public replication of Scholz et al.'s code.

The reference numbers (../shared/data/bdm, see its README) are the European Community car-emission
example: round-1 probabilities, expected utilities and risk exponents, and ten rounds of moves,
positions and weighted means. The tests skip when the shared folder is not beside the checkout.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import stakes
from stakes.models import make_model
from stakes.scenario.model import Issue, IssueData
from tests.conftest import shared_path

pytestmark = pytest.mark.usefixtures("both_engines")  # the compiled kernel and numpy alike

TOLERANCE = 1e-9
REFERENCE_KINDS = {"confrontation": "conflict", "compromise": "compromise", "capitulation": "capitulation"}


def _load(name: str) -> dict:
    return json.loads(shared_path("data", "bdm", name).read_text())


@pytest.fixture(scope="module")
def ten_rounds() -> dict:
    return _load("eu_emissions_scholz_code_10_rounds.json")


@pytest.fixture(scope="module")
def round_one() -> dict:
    return _load("eu_emissions_scholz_code_round1.json")


@pytest.fixture(scope="module")
def emissions(ten_rounds) -> IssueData:
    rows = ten_rounds["input"]
    return IssueData(
        issue=Issue("emissions", "Car emission standards", "strict", "lax", (4.0, 10.0)),
        actor_ids=tuple(row["Actor"] for row in rows),
        position=np.array([float(row["Position"]) for row in rows]),
        salience=np.array([float(row["Salience"]) for row in rows]),
        capability=np.array([float(row["Capability"]) for row in rows]),
    )


def test_round_one_matches_the_reference(emissions, round_one):
    assert list(emissions.actor_ids) == round_one["actors"]
    details = make_model("bdm-scholz-code").round_details(emissions)
    np.testing.assert_allclose(details.neutral_win_probability, round_one["probability_i_beats_j"],
                               rtol=0, atol=TOLERANCE)
    np.testing.assert_allclose(details.neutral_expected_utility, round_one["eu_i_challenges_j_r1"],
                               rtol=0, atol=TOLERANCE)
    risk = [round_one["risk_exponent_round1"][actor] for actor in emissions.actor_ids]
    np.testing.assert_allclose(details.risk_exponent, risk, rtol=0, atol=TOLERANCE)
    np.testing.assert_allclose(details.expected_utility, round_one["eu_i_challenges_j_own_r"],
                               rtol=0, atol=TOLERANCE)


def test_position_range_is_the_spread_of_positions(emissions, round_one):
    result = make_model("bdm-scholz-code").solve(emissions, np.random.default_rng(0))
    assert result.diagnostics["distance_scale"] == round_one["position_range"]


def test_ten_rounds_match_the_reference(emissions, ten_rounds):
    result = make_model("bdm-scholz-code").solve(emissions, np.random.default_rng(0))
    ids = emissions.actor_ids
    assert result.rounds == len(ten_rounds["rounds"]) == 10
    assert result.stop_reason == "round_limit"
    assert result.diagnostics["weighted_mean"][0] == pytest.approx(ten_rounds["initial"]["mean"], abs=TOLERANCE)
    for reference in ten_rounds["rounds"]:
        k = reference["round"]
        expected = [reference["positions"][actor] for actor in ids]
        np.testing.assert_allclose(result.positions[k], expected, rtol=0, atol=TOLERANCE)
        risk = [result.diagnostics["risk_exponents"][actor][k - 1] for actor in ids]
        np.testing.assert_allclose(risk, [reference["risk_exponent"][actor] for actor in ids],
                                   rtol=0, atol=TOLERANCE)
        assert result.diagnostics["weighted_mean"][k] == pytest.approx(reference["mean"], abs=TOLERANCE)


def test_ten_rounds_of_moves_match_the_reference(emissions, ten_rounds):
    result = make_model("bdm-scholz-code").solve(emissions, np.random.default_rng(0))
    log = result.challenges
    for reference in ten_rounds["rounds"]:
        k = reference["round"]
        before = dict(zip(emissions.actor_ids, result.positions[k - 1]))
        moves = log[log["round"] == k]
        assert sorted(moves["target"]) == sorted(mover for mover, *_ in reference["moves"])
        for mover, kind, partner, position in reference["moves"]:
            row = moves[moves["target"] == mover].iloc[0]
            assert row["kind"] == REFERENCE_KINDS[kind]
            assert row["new_position"] == pytest.approx(position, abs=TOLERANCE)
            assert row["old_position"] == pytest.approx(before[mover], abs=TOLERANCE)
            # the reference names the first partner in input order when several stand together;
            # stakes names the lowest id among them, so compare where the partner stood
            assert before[row["challenger"]] == pytest.approx(before[partner], abs=TOLERANCE)


def test_bundled_scenario_reproduces_the_reference(ten_rounds):
    if "eu-emissions" not in stakes.bundled_scenarios():
        pytest.skip("the bundled eu-emissions scenario is not installed")
    scenario = stakes.load("eu-emissions")
    data = scenario.issue_data("emissions")
    # same actors in the same order as the reference input (which spells the United Kingdom "UK")
    assert data.capability.tolist() == [float(row["Capability"]) for row in ten_rounds["input"]]
    result = stakes.forecast(scenario, "bdm-scholz-code").issues["emissions"]
    final = ten_rounds["rounds"][-1]["positions"]
    np.testing.assert_allclose(result.positions[-1], [final[row["Actor"]] for row in ten_rounds["input"]],
                               rtol=0, atol=TOLERANCE)
