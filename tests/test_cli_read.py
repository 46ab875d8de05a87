"""``stakes read``: a draft scenario from article files, and ``--explain``."""

from __future__ import annotations

import pytest
import yaml
from typer.testing import CliRunner

from stakes.cli import app
from stakes.scenario import load

ARTICLE = (
    "Israel vowed on Monday to press on with its offensive in Rafah despite calls for restraint.\n"
    "Egypt warned that an assault on Rafah would endanger the peace treaty, and Egyptian officials "
    "pressed for a ceasefire. Hamas rejected any deal that does not ensure an Israeli withdrawal.\n"
)


@pytest.fixture()
def article(tmp_path):
    path = tmp_path / "article.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    return path


def test_read_writes_a_valid_draft(article, tmp_path):
    out = tmp_path / "draft.yaml"
    result = CliRunner().invoke(app, ["read", str(article), "-o", str(out), "--date", "2024-03-01",
                                      "--capability", "Hamas=45"])
    assert result.exit_code == 0, result.output
    scenario = load(out)
    names = {a.name for a in scenario.actors}
    assert {"Hamas", "Egypt"} <= names
    assert scenario.issues[0].id == "escalation"
    hamas = next(a for a in scenario.actors if a.name == "Hamas")
    assert hamas.capability.value == 45
    israel = next(a for a in scenario.actors if a.name == "Israel")
    assert israel.stances["escalation"].position.value > 50
    egypt = next(a for a in scenario.actors if a.name == "Egypt")
    assert egypt.stances["escalation"].position.value < 50


def test_read_with_issues_from_a_scenario(article):
    result = CliRunner().invoke(app, ["read", str(article), "--scenario", "rafah-2024"])
    assert result.exit_code == 0, result.output
    data = yaml.safe_load(result.output)
    # The article says nothing about the northern front: that issue is left out and named as a gap.
    assert [i["id"] for i in data["issues"]] == ["rafah_operation", "hostage_deal"]
    assert "issue northern_front: no actor's stance on it was read" in data["notes"]


def test_no_evidence_is_a_gap_not_a_number(tmp_path):
    path = tmp_path / "article.txt"
    path.write_text("Israel vowed to press on with its offensive in Rafah despite calls for restraint.\n"
                    "Jordan hosted talks in Amman. Jordan and Qatar met again on Tuesday.\n", encoding="utf-8")
    out = tmp_path / "draft.yaml"
    result = CliRunner().invoke(app, ["read", str(path), "-o", str(out), "--date", "2024-03-01"])
    assert result.exit_code == 0, result.output
    scenario = load(out)
    jordan = next(a for a in scenario.actors if a.name == "Jordan")
    assert jordan.stances == {} and "gap to fill in" in jordan.description
    assert "- Jordan on escalation: no evidence read, named in sentence 2" in scenario.notes
    explained = CliRunner().invoke(app, ["read", str(path), "--explain", "--date", "2024-03-01"])
    assert "escalation: no evidence read: a gap to fill in" in explained.output


def test_explain_shows_what_was_found(article):
    result = CliRunner().invoke(app, ["read", str(article), "--explain"])
    assert result.exit_code == 0, result.output
    assert "Hamas" in result.output and "found by" in result.output and "leans" in result.output


def test_bad_date_is_a_clear_error(article):
    result = CliRunner().invoke(app, ["read", str(article), "--date", "March"])
    assert result.exit_code != 0
    assert "YYYY-MM-DD" in result.output
