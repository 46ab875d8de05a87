"""The DEU-layout reader: a small file in that layout (tests/data/deu-sample.csv, fictional numbers written
for these tests) becomes one scenario per proposal with outcomes and Council rules; broken files get one
line per problem with the file and line."""

from __future__ import annotations

import json
from datetime import date

import pytest
from typer.testing import CliRunner

from stakes.cli import app
from stakes.errors import ScenarioError
from stakes.scenario.deu import QMV_THRESHOLD, is_deu, read_deu, read_deu_text
from tests.conftest import DATA

SAMPLE = DATA / "deu-sample.csv"
HEADER = "proposal,issue,actor,position,salience,capability,reference_point,outcome,outcome_date,rule,procedure\n"
runner = CliRunner()


@pytest.fixture(scope="module")
def proposals():
    return read_deu(SAMPLE)


def test_each_proposal_becomes_a_scenario_with_its_issues(proposals):
    assert [sc.title for sc in proposals] == ["Proposal FICT-2001-01", "Proposal FICT-2002-07"]
    first, second = proposals
    assert [i.id for i in first.issues] == ["labelling", "deadline"]
    assert {a.id for a in first.actors} == {"germany", "france", "united_kingdom", "spain", "denmark",
                                            "commission", "ep"}
    assert [i.id for i in second.issues] == ["fund"]


def test_positions_saliences_and_capabilities_are_read(proposals):
    first = proposals[0]
    germany = first.actor("germany")
    assert germany.kind == "state" and germany.capability.value == 10
    assert germany.stances["labelling"].position.value == 100
    assert germany.stances["labelling"].salience.value == pytest.approx(0.8)   # 80 on DEU's 0-100
    assert first.actor("commission").kind == "organisation"
    assert first.actor("ep").name == "European Parliament"
    assert first.actor("commission").capability.value == 1.0                   # no capability: 1
    assert "denmark" not in {a for a in first.issue_data("deadline").actor_ids}


def test_outcome_and_reference_point_become_observation_and_status_quo(proposals):
    labelling = proposals[0].issue("labelling")
    assert labelling.status_quo.value == 0
    (observation,) = labelling.outcomes
    assert observation.value == 60 and observation.date == date(2002, 6, 13)
    assert observation.low is None and "line 2" in observation.where
    assert proposals[0].issue("deadline").status_quo.value == 100


def test_council_rules_become_decision_rules(proposals):
    labelling = proposals[0].issue("labelling").decision
    assert labelling.rule == "qualified_majority"
    assert labelling.voters == ("germany", "france", "united_kingdom", "spain", "denmark")
    assert labelling.weights == {"germany": 10, "france": 10, "united_kingdom": 10, "spain": 8, "denmark": 3}
    assert labelling.threshold == QMV_THRESHOLD
    fund = proposals[1].issue("fund").decision
    assert fund.rule == "veto"
    assert fund.veto_players == ("germany", "france", "italy", "netherlands")   # consultation: no Parliament


def test_unanimity_under_codecision_makes_the_parliament_a_veto_player():
    text = HEADER + ("P1,x,Germany,10,50,10,0,20,2001-01-01,unanimity,COD\n"
                     "P1,x,France,30,50,10,,,,,\n"
                     "P1,x,EP,80,50,,,,,,\n")
    (sc,) = read_deu_text(text)
    assert sc.issue("x").decision.veto_players == ("germany", "france", "ep")


def test_the_layout_is_recognised_by_its_header():
    assert is_deu(SAMPLE.read_text())
    assert not is_deu("Actor,Capability,Position,Salience\na,1,2,3\n")


def problems(text: str) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        read_deu_text(text, file="bad.csv")
    lines = caught.value.report().splitlines()
    assert all(line.startswith("bad.csv:") for line in lines), lines
    return lines


def test_malformed_rows_get_one_line_each_with_file_and_line():
    text = HEADER + ("P1,x,Germany,abc,50,10,0,20,2001-01-01,qmv,COD\n"      # line 2: position not a number
                     "P1,x,France,130,50,10,,,,,\n"                             # line 3: off the 0-100 scale
                     "P1,x,Spain,30,50,8,,25,,,\n"                              # line 4: a second outcome
                     "P1,x,Spain,35,50,8,,,,,\n"                                # line 5: Spain twice
                     "P1,,Italy,35,50,10,,,,,\n"                                # line 6: no issue
                     "P2,y,Italy,35,50,10,,40,,maybe,\n")                       # line 7: no date, unknown rule
    lines = problems(text)
    expected = [("bad.csv:2: position", "is not a number"), ("bad.csv:3: position", "must lie in [0, 100]"),
                ("bad.csv:4: outcome", "differs from line 2"), ("bad.csv:5: actor", "second row"),
                ("bad.csv:6: issue", "is empty"), ("bad.csv:7: outcome_date", "is missing"),
                ("bad.csv:7: rule", "unknown Council voting rule")]
    for start, words in expected:
        assert any(line.startswith(start) and words in line for line in lines), (start, lines)
    assert all("fix:" in line for line in lines)
    assert len(lines) == len(expected)


def test_header_problems_are_reported_on_line_one():
    lines = problems("proposal,issue,actor,position,colour\nP1,x,a,10,red\n")
    assert any(line.startswith("bad.csv:1: colour") and "unknown column" in line for line in lines)
    assert any(line.startswith("bad.csv:1: salience") and "missing" in line for line in lines)


def test_a_rule_without_reference_point_is_refused():
    lines = problems(HEADER + "P1,x,Germany,10,50,10,,20,2001-01-01,qmv,\n")
    assert lines[0].startswith("bad.csv:2: rule") and "reference point" in lines[0]


def test_backtest_reads_a_deu_file():
    result = runner.invoke(app, ["backtest", str(SAMPLE), "-m", "mean", "-m", "median", "--draws", "8",
                                 "-f", "json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["cases"] == ["deu-sample.csv:FICT-2001-01", "deu-sample.csv:FICT-2002-07"]
    rows = {(r["case"], r["issue"], r["model"]): r for r in data["scores"]}
    fund = rows[("deu-sample.csv:FICT-2002-07", "fund", "mean")]
    # mean of 0, 60, 80, 10, 70 weighted by votes × salience (Commission: 1 vote)
    weights = [10 * 0.9, 10 * 0.7, 10 * 0.6, 5 * 0.8, 1 * 0.5]
    expected = sum(w * p for w, p in zip(weights, [0, 60, 80, 10, 70])) / sum(weights)
    assert fund["forecast"] == pytest.approx(expected)
    assert fund["error_pct"] == pytest.approx(abs(expected - 25))


def test_an_actor_has_one_capability_per_proposal_given_on_any_of_its_rows():
    text = HEADER + ("P1,x,Germany,10,50,,0,20,2001-01-01,,\n"
                     "P1,y,Germany,10,50,29,0,20,2001-01-01,,\n"
                     "P1,x,France,30,50,29,,,,,\n")
    (sc,) = read_deu_text(text)
    assert sc.actor("germany").capability.value == 29
    lines = problems(text + "P1,z,France,30,50,27,0,20,2001-01-01,,\n")
    assert lines == [lines[0]] and lines[0].startswith("bad.csv:5: capability") and "differs from line 4" in lines[0]


def test_backtest_lists_every_problem_of_a_broken_file(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "P1,x,Germany,abc,50,10,0,20,2001-01-01,,\nP1,x,France,130,50,10,,,,,\n")
    result = runner.invoke(app, ["backtest", str(bad), "-m", "mean"])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert [line.split(": ")[0] for line in lines] == [f"{bad}:2", f"{bad}:3"]


def test_a_unanimity_issue_blocked_by_a_state_at_the_reference_point_scores_brier_one():
    result = runner.invoke(app, ["backtest", str(SAMPLE), "-m", "veto", "--draws", "8", "-f", "json"],
                           catch_exceptions=False)
    rows = {(r["issue"], r["model"]): r for r in json.loads(result.output)["scores"]}
    fund = rows[("fund", "veto")]
    # Germany stands at the reference point (0): its win-set is that point, so no draw has a deal;
    # the outcome (25) moved away from it, so a deal was observed: (0 - 1)² = 1
    assert fund["p_deal"] == 0.0 and fund["deal"] is True and fund["brier"] == 1.0
    # QMV issues are scored too: a qualified majority can also keep the reference point
    assert rows[("labelling", "veto")]["p_deal"] is not None
