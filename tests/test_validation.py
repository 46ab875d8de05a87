"""Every rule of the scenario format: a broken file names the file, the line, the field and the fix."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import stakes
from stakes.errors import Problem, ScenarioError

VALID = """\
stakes: 1
title: Border talks
as_of: 2024-05-01
sources:
  - id: report
    title: A field report
issues:
  - id: border
    name: Border crossing
    low: closed
    high: open
    scale: [0, 100]
    status_quo: 10
actors:
  - id: alpha
    name: Alpha
    kind: state
    capability: 0.6
    stances:
      border:
        position: 20
        salience: 0.8
        risk: 0.2
  - id: beta
    name: Beta
    kind: government
    capability:
      value: 0.4
      range: [0.3, 0.5]
      distribution: triangular
      source: report
    stances:
      border: {position: 80, salience: 0.5}
"""


def problems_in(tmp_path: Path, text: str | bytes) -> list[Problem]:
    """Load the text from a file and return every problem; each must name that file."""
    path = tmp_path / "scenario.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        stakes.load(path)
    assert info.value.problems
    assert all(p.file == str(path) for p in info.value.problems)
    assert str(path) in str(info.value)
    return info.value.problems


def edit(old: str, new: str) -> str:
    assert VALID.count(old) == 1, old
    return VALID.replace(old, new)


def test_the_base_document_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "scenario.yaml"
    path.write_text(VALID)
    scenario = stakes.load(path)
    assert scenario.actor("beta").capability.low == 0.3
    assert scenario.actor("alpha").stances["border"].risk.value == 0.2


CASES = [
    # (what, old, new, field, line, words in the rule, words in the fix)
    ("position outside the scale", "position: 20", "position: 120",
     "actors[0].stances.border.position", 21, "[0, 100]", "never clipped"),
    ("salience above 1", "salience: 0.8", "salience: 1.5",
     "actors[0].stances.border.salience", 22, "[0, 1]", "between 0 and 1"),
    ("salience below 0", "salience: 0.5}", "salience: -0.1}",
     "actors[1].stances.border.salience", 33, "[0, 1]", "between 0 and 1"),
    ("risk outside [-1, 1]", "risk: 0.2", "risk: 2",
     "actors[0].stances.border.risk", 23, "[-1, 1]", "between -1 and 1"),
    ("negative capability", "capability: 0.6", "capability: -1",
     "actors[0].capability", 18, "[0, inf]", "never clipped"),
    ("status quo outside the scale", "status_quo: 10", "status_quo: 101",
     "issues[0].status_quo", 13, "[0, 100]", "between 0 and 100"),
    ("duplicate actor id", "id: beta", "id: alpha",
     "actors[1].id", 24, "duplicate actor id (first used at actors[0].id)", "its own id"),
    ("duplicate source id", "    title: A field report\n",
     "    title: A field report\n  - id: report\n    title: Again\n",
     "sources[1].id", 7, "duplicate source id", "its own id"),
    ("duplicate issue id", "actors:\n",
     "  - {id: border, name: B, low: l, high: h}\nactors:\n",
     "issues[1].id", 14, "duplicate issue id", "its own id"),
    ("issue nobody takes a position on", "actors:\n",
     "  - {id: water, name: Water, low: dry, high: wet}\nactors:\n",
     "issues[1].id", 14, "no actor takes a position", "add a stance `water:`"),
    ("typo in a field name", "    capability: 0.6", "    capabilty: 0.6",
     "actors[0].capabilty", 18, "unknown field in an actor", "did you mean `capability`?"),
    ("typo in a top-level field", "title: Border talks", "title: Border talks\ntitel: x",
     "titel", 3, "unknown field in the scenario", "did you mean `title`?"),
    ("stance on an unknown issue", "      border: {position", "      boarder: {position",
     "actors[1].stances.boarder", 33, "names no issue", "did you mean `border`?"),
    ("a bool where a number belongs", "capability: 0.6", "capability: true",
     "actors[0].capability", 18, "must be a number", "plain number"),
    ("NaN", "salience: 0.8", "salience: .nan",
     "actors[0].stances.border.salience", 22, "finite", "real number"),
    ("infinity", "position: 20", "position: .inf",
     "actors[0].stances.border.position", 21, "finite", "real number"),
    ("text where a number belongs", "position: 20", "position: twenty",
     "actors[0].stances.border.position", 21, "must be a number", "plain number"),
    ("value outside its own range", "value: 0.4", "value: 0.6",
     "actors[1].capability.value", 28, "outside its own range [0.3, 0.5]", "widen the range"),
    ("range ends swapped", "range: [0.3, 0.5]", "range: [0.5, 0.3]",
     "actors[1].capability.range", 29, "low end is above high end", "swap"),
    ("range not two numbers", "range: [0.3, 0.5]", "range: [0.3]",
     "actors[1].capability.range", 29, "two numbers", "range: [40, 60]"),
    ("range leaving the allowed interval", "salience: 0.8", "salience: {value: 0.8, range: [0.5, 1.2]}",
     "actors[0].stances.border.salience.range", 22, "range leaves [0, 1]", "between 0 and 1"),
    ("estimate without a value", "value: 0.4", "basis: guess",
     "actors[1].capability.value", 28, "is required", "add `value:`"),
    ("unknown distribution", "distribution: triangular", "distribution: bell",
     "actors[1].capability.distribution", 30, "unknown distribution", "uniform, triangular, normal"),
    ("unknown source id", "source: report", "source: rumour",
     "actors[1].capability.source", 31, "names no source", "add it under `sources:`"),
    ("bad date", "as_of: 2024-05-01", "as_of: last spring",
     "as_of", 3, "must be a date", "YYYY-MM-DD"),
    ("missing title", "title: Border talks\n", "",
     "title", 1, "is required", "add `title: ...`"),
    ("empty title", "title: Border talks", "title: ''",
     "title", 2, "must not be empty", "write a title"),
    ("title that is not text", "title: Border talks", "title: [a, b]",
     "title", 2, "must be text", "string"),
    ("missing issue name", "    name: Border crossing\n", "",
     "issues[0].name", 8, "is required", "add `name: ...`"),
    ("missing capability", "    capability: 0.6\n", "",
     "actors[0].capability", 15, "is required", "add `capability:`"),
    ("missing stances", "    stances:\n      border: {position", "    stancez:\n      border: {position",
     "actors[1].stances", 24, "is required", "add `stances:`"),
    ("stance without a salience", "salience: 0.5}", "risk: 0}",
     "actors[1].stances.border.salience", 33, "is required", "add `salience:`"),
    ("missing issues", "issues:\n", "issuez:\n",
     "issues", 1, "is required", "add a list of issues"),
    ("issues not a list", "issues:\n", "issues: none\nrest:\n",
     "issues", 7, "must be a list", "`- ` item"),
    ("empty issue list", "issues:\n", "issues: []\nrest:\n",
     "issues", 7, "lists no issue", "at least one"),
    ("invalid id", "id: alpha", "id: al pha",
     "actors[0].id", 15, "not a valid id", "short id"),
    ("unknown actor kind", "kind: state", "kind: empire",
     "actors[0].kind", 17, "unknown actor kind", "government"),
    ("aliases not a list of names", "kind: state", "kind: state\n    aliases: A",
     "actors[0].aliases", 18, "list of names", "aliases: [name, ...]"),
    ("scale with its ends reversed", "scale: [0, 100]", "scale: [100, 0]",
     "issues[0].scale", 12, "low end must be below", "smaller number first"),
    ("scale not two numbers", "scale: [0, 100]", "scale: 100",
     "issues[0].scale", 12, "two numbers", "scale: [0, 100]"),
    ("stances not a mapping", "    stances:\n      border: {position: 80, salience: 0.5}\n",
     "    stances: [1]\n", "actors[1].stances", 32, "must map issue ids", "stances: {issue_id"),
    ("an actor that is not a mapping", "actors:\n", "actors:\n  - just a name\n",
     "actors[0]", 15, "must be a mapping", "`field: value`"),
    ("unsupported format version", "stakes: 1", "stakes: 2",
     "stakes", 1, "unsupported format version", "stakes: 1"),
    ("duplicate YAML key", "    kind: state\n", "    kind: state\n    kind: party\n",
     "<document>", 18, "the key 'kind' appears twice", "keep only one"),
    ("bad syntax", "    kind: state\n", "    kind: [state\n",
     "<document>", 18, "not valid YAML", "syntax"),
    ("an invalid date value", "as_of: 2024-05-01", "as_of: 2024-02-30",
     "<document>", 3, "unreadable value", "quote the value"),
    ("a merge key naming no mapping", "kind: state", "kind: state\n    <<: 5",
     "<document>", 15, "merge key", "`<<:`"),
]


@pytest.mark.parametrize("old, new, field, line, rule, fix", [case[1:] for case in CASES],
                         ids=[case[0] for case in CASES])
def test_rule(tmp_path: Path, old: str, new: str, field: str, line: int, rule: str, fix: str) -> None:
    found = [p for p in problems_in(tmp_path, edit(old, new)) if p.field == field]
    assert len(found) == 1, [str(p) for p in problems_in(tmp_path, edit(old, new))]
    problem = found[0]
    assert problem.line == line, str(problem)
    assert rule in problem.rule, str(problem)
    assert fix in problem.fix, str(problem)
    assert f":{line}:" in str(problem)


def test_the_offending_value_is_reported(tmp_path: Path) -> None:
    (problem,) = problems_in(tmp_path, edit("position: 20", "position: 120"))
    assert problem.value == 120
    assert "= 120" in str(problem)


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "---\n", "null\n"])
def test_empty_document(tmp_path: Path, text: str) -> None:
    (problem,) = problems_in(tmp_path, text)
    assert "empty" in problem.rule and "docs/scenario-format.md" in problem.fix


def test_a_document_that_is_not_a_mapping(tmp_path: Path) -> None:
    (problem,) = problems_in(tmp_path, "- one\n- two\n")
    assert problem.line == 1 and "must be a mapping" in problem.rule


def test_non_utf8_file(tmp_path: Path) -> None:
    (problem,) = problems_in(tmp_path, VALID.replace("Alpha", "Alph\u00e9").encode("latin-1"))
    assert problem.line == 16
    assert "not UTF-8" in problem.rule and "UTF-8" in problem.fix


def test_binary_file(tmp_path: Path) -> None:
    (problem,) = problems_in(tmp_path, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert "binary" in problem.rule and "YAML" in problem.fix


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="no such file"):
        stakes.load(tmp_path / "absent.yaml")
    (tmp_path / "folder.yaml").mkdir()
    with pytest.raises(ScenarioError, match="folder"):
        stakes.load(tmp_path / "folder.yaml")


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = (edit("position: 20", "position: 120")
            .replace("salience: 0.5}", "salience: 2}")
            .replace("kind: government", "kind: empire")
            .replace("title: Border talks", "title: Border talks\ntitel: x"))
    problems = problems_in(tmp_path, text)
    assert {(p.field, p.line) for p in problems} == {
        ("titel", 3),
        ("actors[0].stances.border.position", 22),
        ("actors[1].kind", 27),
        ("actors[1].stances.border.salience", 34),
    }
    error = ScenarioError(problems)
    assert "(and 3 more problems)" in str(error)
    assert len(error.report().splitlines()) == 4


def test_json_follows_the_same_rules() -> None:
    text = ('{"stakes": 1, "title": "t", "issues": [{"id": "a", "name": "A", "low": "l", "high": "h"}],'
            ' "actors": [{"id": "x", "name": "X", "kind": "state", "capability": true,'
            ' "stances": {"a": {"position": 50, "salience": 0.5}}}]}')
    with pytest.raises(ScenarioError) as info:
        stakes.loads(text, fmt="json", file="s.json")
    (problem,) = info.value.problems
    assert (problem.file, problem.field) == ("s.json", "actors[0].capability")
    assert "must be a number" in problem.rule
    with pytest.raises(ScenarioError, match="not valid JSON"):
        stakes.loads('{"title": ', fmt="json")


def test_the_documented_examples_load() -> None:
    doc = (Path(__file__).resolve().parents[1] / "docs" / "scenario-format.md").read_text()
    example = stakes.loads(re.search(r"```yaml\n(.*?)```", doc, re.S).group(1))
    assert example.actor("south").capability.source == "field-report"
    assert stakes.loads(re.search(r"```json\n(.*?)```", doc, re.S).group(1), fmt="json").title == example.title


def test_a_broken_issue_field_is_one_problem_not_one_per_stance_on_that_issue() -> None:
    data = stakes.scenario.schema.to_data(stakes.load("rafah-2024"))
    data["issues"][0]["name"] = ""
    with pytest.raises(ScenarioError) as info:
        stakes.scenario.schema.from_data(data)
    assert [p.field for p in info.value.problems] == ["issues[0].name"]


# --- decision rules and observed outcomes -------------------------------------------------------------

RULED = edit("    status_quo: 10\n", """\
    status_quo: 10
    decision:
      rule: veto
      veto_players: [alpha, beta]
      source: report
    outcomes:
      - {value: 40, range: [30, 50], date: 2024-07-01, source: report}
""")  # the decision block starts on line 14, the outcome is line 19


def test_a_decision_and_an_outcome_are_read(tmp_path: Path) -> None:
    path = tmp_path / "scenario.yaml"
    path.write_text(RULED)
    issue = stakes.load(path).issue("border")
    assert issue.decision.rule == "veto" and issue.decision.veto_players == ("alpha", "beta")
    (seen,) = issue.outcomes
    assert (seen.value, seen.low, seen.high, seen.date.isoformat()) == (40, 30, 50, "2024-07-01")


DECISION_CASES = [
    # (what, old, new, field, line, words in the rule, words in the fix)
    ("unknown rule", "rule: veto", "rule: vetoo",
     "issues[0].decision.rule", 15, "unknown decision rule", "did you mean `veto`?"),
    ("typo in a decision field", "      source: report\n    outcomes", "      sourse: report\n    outcomes",
     "issues[0].decision.sourse", 17, "unknown field in a decision", "did you mean `source`?"),
    ("unknown veto player", "[alpha, beta]", "[alpha, betta]",
     "issues[0].decision.veto_players[1]", 16, "names no actor", "did you mean `beta`?"),
    ("veto without veto players", "[alpha, beta]", "[]",
     "issues[0].decision.veto_players", 16, "at least one veto player", "veto_players:"),
    ("a veto player named twice", "[alpha, beta]", "[alpha, alpha]",
     "issues[0].decision.veto_players[1]", 16, "twice", "once"),
    ("a field the rule does not use", "      source: report\n    outcomes",
     "      source: report\n      decider: alpha\n    outcomes",
     "issues[0].decision.decider", 18, "not used by the rule `veto`", "veto_players, agenda_setter"),
    ("majority without voters", "rule: veto\n      veto_players: [alpha, beta]", "rule: majority\n      voters: []",
     "issues[0].decision.voters", 16, "needs voters", "voters:"),
    ("majority with a threshold", "rule: veto\n      veto_players: [alpha, beta]",
     "rule: majority\n      voters: [alpha, beta]\n      threshold: 0.6",
     "issues[0].decision.threshold", 17, "not used by the rule `majority`", "qualified_majority"),
    ("qualified majority without a threshold", "rule: veto\n      veto_players: [alpha, beta]",
     "rule: qualified_majority\n      voters: [alpha, beta]",
     "issues[0].decision.threshold", 15, "needs a threshold", "0.71"),
    ("qualified majority threshold at one half", "rule: veto\n      veto_players: [alpha, beta]",
     "rule: qualified_majority\n      voters: [alpha, beta]\n      threshold: 0.5",
     "issues[0].decision.threshold", 17, "(0.5, 1]", "share"),
    ("a weight for someone who does not vote", "rule: veto\n      veto_players: [alpha, beta]",
     "rule: majority\n      voters: [alpha]\n      weights: {alpha: 1, beta: 2}",
     "issues[0].decision.weights.beta", 17, "not one of the voters", "voters:"),
    ("a voter without a weight", "rule: veto\n      veto_players: [alpha, beta]",
     "rule: majority\n      voters: [alpha, beta]\n      weights: {alpha: 1}",
     "issues[0].decision.weights", 17, "no weight to beta", "equal weights"),
    ("a zero weight", "rule: veto\n      veto_players: [alpha, beta]",
     "rule: majority\n      voters: [alpha, beta]\n      weights: {alpha: 1, beta: 0}",
     "issues[0].decision.weights.beta", 17, "above 0", "positive"),
    ("accepts for someone who is no veto player", "      source: report\n    outcomes",
     "      accepts: {gamma: [60, 100]}\n      source: report\n    outcomes",
     "issues[0].decision.accepts.gamma", 17, "not one of the veto players", "veto_players:"),
    ("accepts reversed", "      source: report\n    outcomes",
     "      accepts: {beta: [100, 60]}\n      source: report\n    outcomes",
     "issues[0].decision.accepts.beta", 17, "low end is above high end", "[60, 100]"),
    ("accepts off the scale", "      source: report\n    outcomes",
     "      accepts: {beta: [60, 120]}\n      source: report\n    outcomes",
     "issues[0].decision.accepts.beta", 17, "what it signs leaves [0, 100]", "between 0 and 100"),
    ("accepts under a majority", "rule: veto\n      veto_players: [alpha, beta]",
     "rule: majority\n      voters: [alpha, beta]\n      accepts: {beta: [60, 100]}",
     "issues[0].decision.accepts", 17, "not used by the rule `majority`", "voters"),
    ("single without a decider", "rule: veto\n      veto_players: [alpha, beta]", "rule: single",
     "issues[0].decision.decider", 15, "needs a decider", "decider: actor_id"),
    ("decision citing an unknown source", "      source: report\n    outcomes", "      source: rumour\n    outcomes",
     "issues[0].decision.source", 17, "names no source", "sources:"),
    ("a rule on an issue without a status quo", "    status_quo: 10\n", "",
     "issues[0].decision.rule", 14, "needs the issue's status quo", "add `status_quo:`"),
    ("outcome off the scale", "value: 40, range: [30, 50]", "value: 140",
     "issues[0].outcomes[0].value", 19, "must lie in [0, 100]", "issue's scale"),
    ("outcome range reversed", "range: [30, 50]", "range: [50, 30]",
     "issues[0].outcomes[0].range", 19, "low end is above high end", "swap"),
    ("outcome outside its range", "range: [30, 50]", "range: [10, 30]",
     "issues[0].outcomes[0].value", 19, "outside its own range", "widen"),
    ("outcome without a date", "date: 2024-07-01, ", "",
     "issues[0].outcomes[0].date", 19, "is required", "YYYY-MM-DD"),
    ("outcome with a bad date", "date: 2024-07-01", "date: soon",
     "issues[0].outcomes[0].date", 19, "must be a date", "YYYY-MM-DD"),
    ("outcome citing an unknown source", "date: 2024-07-01, source: report", "date: 2024-07-01, source: rumour",
     "issues[0].outcomes[0].source", 19, "names no source", "sources:"),
    ("typo in an outcome field", "value: 40,", "valeu: 40,",
     "issues[0].outcomes[0].valeu", 19, "unknown field in an outcome", "did you mean `value`?"),
]


@pytest.mark.parametrize("old, new, field, line, rule, fix", [case[1:] for case in DECISION_CASES],
                         ids=[case[0] for case in DECISION_CASES])
def test_decision_rule(tmp_path: Path, old: str, new: str, field: str, line: int, rule: str, fix: str) -> None:
    assert RULED.count(old) == 1, old
    problems = problems_in(tmp_path, RULED.replace(old, new))
    found = [p for p in problems if p.field == field]
    assert len(found) == 1, [str(p) for p in problems]
    assert found[0].line == line, str(found[0])
    assert rule in found[0].rule, str(found[0])
    assert fix in found[0].fix, str(found[0])


def test_what_a_veto_player_would_sign_is_read_and_written_back(tmp_path: Path) -> None:
    path = tmp_path / "scenario.yaml"
    path.write_text(RULED.replace("      source: report\n    outcomes",
                                  "      accepts: {beta: [60, 100]}\n      source: report\n    outcomes"))
    scenario = stakes.load(path)
    assert scenario.issue("border").decision.accepts == {"beta": (60.0, 100.0)}
    assert stakes.loads(stakes.dumps(scenario)).issue("border").decision == scenario.issue("border").decision
    assert scenario.issue("border").decision.describe() == "veto: alpha, beta; beta signs only 60–100"


def test_a_rule_may_only_name_actors_with_a_stance_on_the_issue(tmp_path: Path) -> None:
    text = RULED.replace("  - {id: border, name: B", "").replace("actors:\n", """\
  - {id: water, name: Water, low: dry, high: wet, status_quo: 5,
     decision: {rule: single, decider: alpha}}
actors:
""").replace("        risk: 0.2\n", "        risk: 0.2\n      water: {position: 1, salience: 1}\n")
    path = tmp_path / "ok.yaml"
    path.write_text(text)
    assert stakes.load(path).issue("water").decision.decider == "alpha"
    (problem,) = problems_in(tmp_path, text.replace("decider: alpha", "decider: beta"))
    assert problem.field == "issues[1].decision.decider" and problem.line == 21
    assert "takes no stance on `water`" in problem.rule and "add a stance `water:` to actor `beta`" in problem.fix


def test_a_hint_lists_a_few_choices_so_the_error_stays_one_readable_line():
    from stakes.errors import SHOWN_CHOICES, did_you_mean

    choices = [f"actor_{k}" for k in range(5000)]
    hint = did_you_mean("zzz", choices, "actors")
    assert hint.startswith("actors: actor_0, actor_1") and hint.endswith(f"and {5000 - SHOWN_CHOICES:,} more")
    assert f"actor_{SHOWN_CHOICES}," not in hint
    assert did_you_mean("actor_77x", choices) == "did you mean `actor_77`?"
    assert did_you_mean("q", ["a", "b"]) == "allowed: a, b"
