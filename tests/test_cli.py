"""The command line as a user meets it: tables, JSON/CSV output, one-line errors, escaping."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pandas as pd
from typer.testing import CliRunner

from stakes import cli
from stakes.cli import app
from tests.conftest import DATA

HARBOUR = str(DATA / "harbour.yaml")
runner = CliRunner()


def run(*args: str):
    result = runner.invoke(app, list(args), catch_exceptions=False)
    return result


def stakes_process(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "stakes", *args], capture_output=True, text=True, timeout=120)


def test_forecast_table_shows_actors_models_and_outcomes():
    result = run("forecast", HARBOUR, "-m", "mean", "-m", "median")
    assert result.exit_code == 0, result.output
    for text in ("Harbour fee level", "council", "union", "Predicted outcome per issue", "mean",
                 "median", "43.94", "70"):
        assert text in result.output


def test_forecast_json_carries_every_model_and_issue():
    result = run("forecast", HARBOUR, "-m", "mean", "-m", "nash", "--format", "json")
    data = json.loads(result.output)
    assert [d["model"] for d in data] == ["mean", "nash"]
    assert set(data[0]["issues"]) == {"fees", "hours"}
    assert abs(data[0]["issues"]["fees"]["outcome"] - 43.9361702) < 1e-6


def test_forecast_csv_is_a_tidy_trajectory():
    result = run("forecast", HARBOUR, "-m", "median", "--format", "csv", "--issue", "hours")
    table = pd.read_csv(io.StringIO(result.output))
    assert list(table.columns) == ["model", "issue", "round", "actor", "position"]
    assert set(table["issue"]) == {"hours"} and len(table) == 4


def test_model_parameters_pass_through():
    result = run("forecast", HARBOUR, "-m", "nash", "-p", "utility=quadratic", "--format", "json")
    assert json.loads(result.output)[0]["params"]["utility"] == "quadratic"


def test_validate_reports_ok_and_problems(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(open(HARBOUR).read().replace("fees: {position: 10,", "fees: {position: 120,"))
    ok = run("validate", HARBOUR)
    assert ok.exit_code == 0 and "4 actors, 2 issues" in ok.output
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 1


def test_convert_yaml_to_json_and_back(tmp_path):
    target = tmp_path / "harbour.json"
    assert run("convert", HARBOUR, str(target)).exit_code == 0
    assert json.loads(target.read_text())["title"].startswith("Harbour fees")
    back = tmp_path / "again.yaml"
    assert run("convert", str(target), str(back)).exit_code == 0
    assert run("validate", str(back)).exit_code == 0


def test_show_lists_issues_actors_and_evidence():
    result = run("show", HARBOUR, "--evidence")
    assert result.exit_code == 0
    for text in ("around the clock", "North Terminal", "sets the fee by", "analyst's"):
        assert text in result.output


def test_errors_are_one_line_without_traceback():
    result = stakes_process("forecast", "no-such-scenario.yaml")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().startswith("error:") and "no-such-scenario.yaml" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_debug_shows_the_traceback():
    result = stakes_process("--debug", "forecast", "no-such-scenario.yaml")
    assert result.returncode != 0 and "Traceback" in result.stderr


def test_unknown_model_is_a_clear_error():
    result = stakes_process("forecast", HARBOUR, "-m", "oracle")
    assert result.returncode == 1 and "unknown model 'oracle'" in result.stderr


def test_bdm_shows_where_each_actor_ends_and_why_it_stopped():
    result = run("forecast", HARBOUR, "-m", "bdm", "--rounds", "3")
    assert "bdm end" in result.output
    assert "3 rd" in result.output


def test_markup_in_scenario_text_is_shown_literally(tmp_path, monkeypatch):
    monkeypatch.setattr(cli.console, "width", 200)
    text = open(HARBOUR).read()
    text = text.replace("name: City council", "name: \"[red]City[/red] <b>council</b>\"")
    text = text.replace("name: Harbour fee level", "name: \"[bold]Fees[/bold]\"")
    path = tmp_path / "markup.yaml"
    path.write_text(text)
    shown = run("show", str(path)).output
    assert "[red]City[/red]" in shown
    assert "[bold]Fees[/bold]" in run("forecast", str(path), "-m", "mean").output


RULED = """\
title: Two signatures
sources: [{id: ref, title: R}]
issues:
  - id: deal
    name: Deal
    low: none
    high: full
    status_quo: 10
    decision: {rule: veto, veto_players: [a, b], basis: "both [bold]must[/bold] sign", source: ref, where: p. 5}
    outcomes:
      - {value: 70, range: [60, 80], date: 2024-05-07, basis: observed, source: ref}
actors:
  - {id: a, name: A, kind: state, capability: 1, stances: {deal: {position: 80, salience: 0.5}}}
  - {id: b, name: B, kind: state, capability: 1, stances: {deal: {position: 5, salience: 0.5}}}
  - {id: c, name: C, kind: state, capability: 3, stances: {deal: {position: 60, salience: 0.5}}}
"""


def test_show_and_forecast_say_who_must_agree(tmp_path):
    path = tmp_path / "ruled.yaml"
    path.write_text(RULED)
    shown = run("show", str(path), "--evidence")
    assert shown.exit_code == 0, shown.output
    text = shown.output  # the basis is shown as written, markup escaped
    assert "veto: a, b" in text and "decision rule" in text and "[bold]must" in text
    assert "2024-05-07" in text and "60–80" in text
    result = run("forecast", str(path), "--format", "json")
    models = [fc["model"] for fc in json.loads(result.output)]
    assert models == ["mean", "median", "nash", "bdm", "veto"]  # veto joins where a rule exists
    [veto] = [fc for fc in json.loads(result.output) if fc["model"] == "veto"]
    # b stands below the status quo, a above it: no deal; the others' median (c, at 60) lies above, so b blocks
    assert veto["issues"]["deal"]["outcome"] == 10
    assert veto["issues"]["deal"]["diagnostics"] == {"rule": "veto", "deal": False, "blocking": ["b"],
                                                      "feasible": [10.0, 10.0]}
    table = run("forecast", str(path), "-m", "veto").output
    assert "Decision rules" in table and "blocked by b" in table
